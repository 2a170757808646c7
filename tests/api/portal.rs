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

/// Reads `/metrics` with a Prometheus text-format parser.
async fn scrape(app: &TestApp) -> prometheus_parse::Scrape {
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert!(content_type.contains("version=0.0.4"), "{content_type}");
    let text = res.text().await.unwrap();
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap()
}

/// The value of the sample `metric` whose labels include `labels`.
fn sample(scrape: &prometheus_parse::Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    use prometheus_parse::Value;
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .and_then(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => Some(*v),
            Value::Histogram(buckets) => buckets.iter().map(|b| b.count).reduce(f64::max),
            Value::Summary(_) => None,
        })
}

both_backends!(metrics_are_prometheus_text, |app: TestApp| async move {
    app.get("/healthz").await;
    app.get("/v1/nothing").await;
    // One email through the outbox, and a throttle refusal: a second link within the minute.
    let body = app.sign_up_body("metrics@example.com", PASSWORD).await;
    assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);
    nth_mail(&app, "metrics@example.com", 1).await;
    let resend = json!({ "email": "metrics@example.com" });
    let mut refused = false;
    for _ in 0..3 {
        let res = app.post("/v1/email-verifications/resend", &resend).await;
        refused |= res.status() == 429;
    }
    assert!(refused, "a resend within the minute is refused");

    let scrape = scrape(&app).await;
    let database = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(
        sample(&scrape, "portal_info", &[("database", database)]),
        Some(1.0)
    );
    for s in &scrape.samples {
        assert!(s.metric.starts_with("portal_"), "prefixed: {}", s.metric);
    }
    // Request durations by method, route template and status.
    let healthz = [("method", "GET"), ("route", "/healthz"), ("status", "200")];
    assert!(
        sample(
            &scrape,
            "portal_http_request_duration_seconds_count",
            &healthz
        )
        .unwrap()
            >= 1.0
    );
    assert!(sample(&scrape, "portal_http_request_duration_seconds", &healthz).is_some());
    let signup = [
        ("method", "POST"),
        ("route", "/v1/accounts"),
        ("status", "202"),
    ];
    assert_eq!(
        sample(
            &scrape,
            "portal_http_request_duration_seconds_count",
            &signup
        ),
        Some(1.0)
    );
    // Throttle refusals by route and problem code.
    let refusals = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "portal_throttle_refusals_total"
                && s.labels.get("route") == Some("/v1/email-verifications/resend")
        })
        .unwrap_or_else(|| panic!("a refusal counted: {:?}", scrape.samples));
    assert!(refusals.labels.get("code").is_some_and(|c| c != "-"));
    // The hashing pool, the outbox, the connection pool.
    for gauge in [
        "portal_hash_running",
        "portal_hash_queued",
        "portal_hash_admitted",
        "portal_hash_refused_total",
        "portal_outbox_pending",
        "portal_outbox_oldest_pending_seconds",
        "portal_db_pool_max_connections",
        "portal_database_up",
    ] {
        assert!(sample(&scrape, gauge, &[]).is_some(), "{gauge}");
    }
    assert_eq!(sample(&scrape, "portal_database_up", &[]), Some(1.0));
    assert!(sample(&scrape, "portal_outbox_delivered_total", &[]).unwrap() >= 1.0);
    assert!(sample(&scrape, "portal_db_pool_wait_seconds_count", &[]).unwrap() >= 1.0);
    assert!(sample(&scrape, "portal_db_pool_connections", &[("state", "idle")]).is_some());
    assert!(sample(&scrape, "portal_hash_recent_seconds", &[]).unwrap() > 0.0);
});

both_backends!(metrics_count_jobs_by_state, |app: TestApp| async move {
    use portal_api::db::models::jobs;
    // A job as a project would queue it, straight into the table.
    let now = chrono::Utc::now().naive_utc();
    app.in_db(move |c| {
        jobs::insert(
            c,
            &jobs::NewJob {
                id: &uuid::Uuid::now_v7().to_string(),
                kind: "provision_cluster",
                subject_id: "no-such-project",
                status: "failed",
                attempts: 0,
                next_run_at: now,
                created_at: now,
                updated_at: now,
                traceparent: None,
            },
        )
        .map_err(portal_api::db::DbError::from)
    })
    .await;
    let scrape = scrape(&app).await;
    assert_eq!(
        sample(&scrape, "portal_jobs", &[("state", "failed")]),
        Some(1.0)
    );
});
