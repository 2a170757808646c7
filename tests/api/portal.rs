//! Public portal information: settings for clients, legal documents, the built-in captcha, and
//! the health and metrics endpoints operators watch.

use portal_tests::{both_backends, Backend, TestApp};
use serde_json::{json, Value};

use crate::support::{nth_mail, problem, PASSWORD};

async fn config(app: &TestApp) -> Value {
    let res = app.get("/v1/config").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
    res.json().await.unwrap()
}

fn rule_codes(config: &Value) -> Vec<String> {
    config["password_policy"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

const ALL_RULES: [&str; 8] = [
    "password_too_short",
    "password_too_long",
    "password_missing_uppercase",
    "password_missing_lowercase",
    "password_missing_digit",
    "password_missing_symbol",
    "password_common",
    "password_contains_personal_info",
];

both_backends!(
    config_describes_the_ai_profile_by_default,
    |app: TestApp| async move {
        let c = config(&app).await;
        assert_eq!(c["portal_name"], "Service Portal AI");
        assert_eq!(c["profile"], "ai");
        assert_eq!(c["corporate_email_only"], false);
        let policy = &c["password_policy"];
        assert_eq!(policy["min_length"], 14);
        assert_eq!(policy["max_length"], 128);
        for rule in [
            "require_uppercase",
            "require_lowercase",
            "require_digit",
            "require_symbol",
            "reject_common",
        ] {
            assert_eq!(policy[rule], true, "{rule}");
        }
        assert_eq!(rule_codes(&c), ALL_RULES);
        assert_eq!(
            policy["rules"][0],
            json!({ "code": "password_too_short", "message": "must be at least 14 characters" })
        );
        assert_eq!(c["captcha"]["provider"], "pow");
        assert_eq!(c["captcha"]["pow_difficulty"], 4);
        assert_eq!(c["languages"], json!(["en", "id"]));
        let legal: Vec<(String, String)> = c["legal_documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                assert!(d["title"].as_str().is_some_and(|t| !t.is_empty()));
                (
                    d["kind"].as_str().unwrap().to_owned(),
                    d["version"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            legal,
            [
                ("terms".to_owned(), "1.0".to_owned()),
                ("privacy".to_owned(), "1.0".to_owned()),
                ("eula".to_owned(), "1.0".to_owned()),
            ]
        );
    }
);

both_backends!(
    config_describes_the_cloud_profile,
    [("PORTAL_PROFILE", "cloud")],
    |app: TestApp| async move {
        let c = config(&app).await;
        assert_eq!(c["portal_name"], "Service Portal Cloud");
        assert_eq!(c["profile"], "cloud");
        assert_eq!(c["corporate_email_only"], true);
        assert_eq!(c["password_policy"]["min_length"], 8);
        assert_eq!(rule_codes(&c), ALL_RULES);
        assert_eq!(
            c["password_policy"]["rules"][0]["message"],
            "must be at least 8 characters"
        );
    }
);

both_backends!(
    config_follows_an_operators_own_password_rules,
    [
        ("PORTAL_PASSWORD_MIN_LENGTH", "20"),
        ("PORTAL_PASSWORD_REQUIRE_SYMBOL", "false"),
        ("PORTAL_PASSWORD_REQUIRE_DIGIT", "false"),
    ],
    |app: TestApp| async move {
        let c = config(&app).await;
        assert_eq!(c["password_policy"]["min_length"], 20);
        assert_eq!(c["password_policy"]["require_symbol"], false);
        let codes = rule_codes(&c);
        assert!(
            !codes.iter().any(|c| c == "password_missing_symbol"),
            "{codes:?}"
        );
        assert!(
            !codes.iter().any(|c| c == "password_missing_digit"),
            "{codes:?}"
        );
        // And sign-up applies exactly those rules.
        let body = app
            .sign_up_body("nist@example.com", "Correct horse battery staple")
            .await;
        let res = app.post("/v1/accounts", &body).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        let body = app
            .sign_up_body("nist2@example.com", "Kx7#mQ2!vR9$wLpzq")
            .await;
        let p = problem(
            app.post("/v1/accounts", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("password"), ["password_too_short"]);
    }
);

both_backends!(
    legal_documents_list_terms_privacy_and_eula,
    |app: TestApp| async move {
        let res = app.get("/v1/legal-documents").await;
        assert_eq!(res.status(), 200);
        let list: Value = res.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        let kinds: Vec<&str> = items.iter().map(|d| d["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["terms", "privacy", "eula"]);
        for d in items {
            assert_eq!(d["version"], "1.0");
            assert_eq!(d["language"], "en");
            assert!(d["published_at"].is_string());
            assert!(d.get("body").is_none(), "the list has no texts");
        }
        assert_eq!(items[0]["title"], "Terms and Conditions");

        let res = app.get("/v1/legal-documents?language=id").await;
        let list: Value = res.json().await.unwrap();
        assert_eq!(list["items"][0]["language"], "id");
        assert_eq!(list["items"][0]["title"], "Syarat dan Ketentuan");
    }
);

both_backends!(
    a_legal_document_is_served_in_english_or_indonesian,
    |app: TestApp| async move {
        let res = app.get("/v1/legal-documents/terms").await;
        assert_eq!(res.status(), 200);
        let en: Value = res.json().await.unwrap();
        assert_eq!(en["kind"], "terms");
        assert_eq!(en["version"], "1.0");
        assert_eq!(en["language"], "en");
        assert_eq!(en["title"], "Terms and Conditions");
        assert!(en["body"].as_str().unwrap().contains("Your account"));

        let res = app.get("/v1/legal-documents/terms?language=id").await;
        assert_eq!(res.status(), 200);
        let id: Value = res.json().await.unwrap();
        assert_eq!(id["language"], "id");
        assert_eq!(id["title"], "Syarat dan Ketentuan");
        let body = id["body"].as_str().unwrap();
        assert!(body.contains("Akun Anda"), "Indonesian text");
        assert_ne!(id["body"], en["body"]);

        // Accept-Language picks Indonesian too; the query parameter wins over it.
        let res = app
            .client
            .get(app.url("/v1/legal-documents/privacy"))
            .header("accept-language", "id-ID,id;q=0.9,en;q=0.5")
            .send()
            .await
            .unwrap();
        let privacy: Value = res.json().await.unwrap();
        assert_eq!(privacy["language"], "id");
        let res = app
            .client
            .get(app.url("/v1/legal-documents/privacy?language=en"))
            .header("accept-language", "id")
            .send()
            .await
            .unwrap();
        let privacy: Value = res.json().await.unwrap();
        assert_eq!(privacy["language"], "en");

        let eula: Value = app
            .get("/v1/legal-documents/eula")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(eula["kind"], "eula");
    }
);

both_backends!(
    an_unknown_legal_document_or_language_is_refused,
    |app: TestApp| async move {
        for kind in ["cookies", "TERMS", "terms.md", "eula%00"] {
            problem(
                app.get(&format!("/v1/legal-documents/{kind}")).await,
                404,
                "not_found",
            )
            .await;
        }
        for query in ["language=fr", "language=", "language=english"] {
            problem(
                app.get(&format!("/v1/legal-documents/terms?{query}")).await,
                400,
                "language_unsupported",
            )
            .await;
        }
        problem(
            app.get("/v1/legal-documents?language=fr").await,
            400,
            "language_unsupported",
        )
        .await;
        problem(
            app.get("/v1/legal-documents/terms?lang=id").await,
            400,
            "invalid_query",
        )
        .await;
    }
);

both_backends!(
    the_built_in_captcha_issues_signed_challenges,
    |app: TestApp| async move {
        let res = app.post("/v1/captcha/challenges", &json!({})).await;
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let c: Value = res.json().await.unwrap();
        assert_eq!(c["algorithm"], "SHA-256");
        assert_eq!(c["difficulty"], 4);
        assert!(c["challenge"].as_str().unwrap().contains('.'));
        let expires: chrono::DateTime<chrono::Utc> =
            c["expires_at"].as_str().unwrap().parse().unwrap();
        let ttl = expires - chrono::Utc::now();
        assert!(
            ttl > chrono::Duration::seconds(240) && ttl <= chrono::Duration::seconds(301),
            "{ttl}"
        );
        let other: Value = app
            .post("/v1/captcha/challenges", &json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_ne!(other["challenge"], c["challenge"]);
    }
);

both_backends!(
    with_the_captcha_off_no_challenge_is_issued_and_sign_up_needs_none,
    [("PORTAL_CAPTCHA", "off")],
    |app: TestApp| async move {
        problem(
            app.post("/v1/captcha/challenges", &json!({})).await,
            409,
            "captcha_not_pow",
        )
        .await;
        let c = config(&app).await;
        assert_eq!(c["captcha"]["provider"], "off");
        assert!(c["captcha"]["pow_difficulty"].is_null());

        let body = json!({
            "full_name": "Budi Santoso",
            "email": "budi@example.com",
            "password": PASSWORD,
            "phone_number": "+62 812-3456-7890",
            "consents": app.consents().await,
        });
        let res = app.post("/v1/accounts", &body).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        nth_mail(&app, "budi@example.com", 1).await;
    }
);

both_backends!(health_and_readiness_answer_ok, |app: TestApp| async move {
    for path in ["/healthz", "/readyz"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body, json!({ "status": "ok" }), "{path}");
    }
});

both_backends!(metrics_are_prometheus_text, |app: TestApp| async move {
    app.get("/healthz").await;
    app.get("/v1/nothing").await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert!(content_type.contains("version=0.0.4"), "{content_type}");
    let text = res.text().await.unwrap();
    assert!(text.contains("# TYPE portal_http_requests_total counter"));
    let database = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert!(text.contains(&format!("database=\"{database}\"")), "{text}");
    // Every sample line is `name{labels} number`.
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, value) = line.rsplit_once(' ').unwrap();
        assert!(
            name.starts_with("portal_"),
            "metric names are prefixed: {line}"
        );
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("a number: {line}"));
    }
    let count = |class: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(&format!("portal_http_requests_total{{class=\"{class}\"}}")))
            .and_then(|l| l.rsplit_once(' '))
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0)
    };
    assert!(count("2xx") >= 1);
    assert!(count("4xx") >= 1);
});
