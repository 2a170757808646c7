//! What operators and integrators rely on: every answer carries a request id (the caller's
//! when it is safe, else a new one), and browsers on the configured other origins may call the
//! API with credentials — no one else.

use portal_tests::{both_backends, Backend, TestApp};

both_backends!(
    every_answer_carries_a_request_id_the_callers_when_it_is_safe,
    |app: TestApp| async move {
        let res = app.get("/v1/config").await;
        let made = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let parsed = uuid::Uuid::try_parse(&made).unwrap_or_else(|_| panic!("{made}"));
        assert_eq!(parsed.get_version_num(), 7, "time-ordered: {made}");
        let again = app.get("/v1/config").await.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_ne!(made, again, "one per request");

        let res = app
            .client
            .get(app.url("/v1/nothing-here"))
            .header("x-request-id", "trace-42.a:b_c")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(res.headers()["x-request-id"], "trace-42.a:b_c");

        for unsafe_id in ["has space", "<script>", &"x".repeat(129)] {
            let res = app
                .client
                .get(app.url("/healthz"))
                .header("x-request-id", unsafe_id)
                .send()
                .await
                .unwrap();
            let echoed = res.headers()["x-request-id"].to_str().unwrap();
            assert_ne!(echoed, unsafe_id);
            assert!(uuid::Uuid::try_parse(echoed).is_ok());
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_on_the_configured_origins_may_call_with_credentials_and_no_one_else() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[(
            "PORTAL_CORS_ORIGINS",
            "https://app.example.com, http://localhost:5173",
        )],
    )
    .await;
    let preflight = |origin: &'static str| {
        let app = &app;
        async move {
            app.client
                .request(reqwest::Method::OPTIONS, app.url("/v1/sessions"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "content-type, authorization",
                )
                .send()
                .await
                .unwrap()
        }
    };
    let res = preflight("https://app.example.com").await;
    assert!(res.status().is_success(), "{}", res.status());
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example.com");
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert!(h["vary"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("origin"));

    // Another origin gets no permission at all.
    let res = preflight("https://evil.example").await;
    assert!(res.headers().get("access-control-allow-origin").is_none());

    // A real request from an allowed origin: the exact origin is echoed, never `*`.
    let res = app
        .client
        .get(app.url("/v1/config"))
        .header("origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let res = app
        .client
        .get(app.url("/v1/config"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("access-control-allow-origin").is_none());

    // The public keys and the spec are readable from anywhere (no credentials).
    for path in ["/.well-known/jwks.json", "/openapi.json"] {
        let res = app
            .client
            .get(app.url(path))
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["access-control-allow-origin"], "*", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cors_origin_that_is_not_an_origin_stops_the_program_at_start() {
    for bad in [
        "app.example.com",
        "https://app.example.com/path",
        "ftp://x.example",
    ] {
        let mut values = std::collections::BTreeMap::new();
        values.insert("PORTAL_CORS_ORIGINS".to_owned(), bad.to_owned());
        let err = portal_api::config::Settings::from_map(values)
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"));
        assert!(err.to_string().contains("PORTAL_CORS_ORIGINS"), "{err}");
    }
}

/// Signs up a new address, the request arriving through a proxy that says it forwards for
/// `forwarded` (when given).
async fn sign_up_via(app: &TestApp, n: usize, forwarded: Option<&str>) -> u16 {
    let body = app
        .sign_up_body(&format!("person{n}@example.com"), crate::support::PASSWORD)
        .await;
    let mut request = app.client.post(app.url("/v1/accounts")).json(&body);
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    request.send().await.unwrap().status().as_u16()
}

both_backends!(
    an_operator_sets_the_sign_up_limit_per_client_and_the_proxies_to_believe,
    [
        ("PORTAL_THROTTLE_EMAIL_REQUESTS_PER_CLIENT", "2/1h"),
        ("PORTAL_TRUSTED_PROXIES", "127.0.0.1/32,::1")
    ],
    |app: TestApp| async move {
        assert_eq!(sign_up_via(&app, 1, Some("198.51.100.7")).await, 202);
        assert_eq!(sign_up_via(&app, 2, Some("198.51.100.7")).await, 202);
        // The limit is the operator's (2, not 30), and a forged entry in front of what the
        // proxy appended does not make the same client someone else.
        assert_eq!(
            sign_up_via(&app, 3, Some("203.0.113.1, 198.51.100.7")).await,
            429
        );
        // Another client behind the same proxy is counted apart.
        assert_eq!(sign_up_via(&app, 4, Some("198.51.100.8")).await, 202);
    }
);

both_backends!(
    without_trusted_proxies_the_forwarded_address_is_ignored,
    [("PORTAL_THROTTLE_EMAIL_REQUESTS_PER_CLIENT", "2/1h")],
    |app: TestApp| async move {
        assert_eq!(sign_up_via(&app, 1, Some("198.51.100.1")).await, 202);
        assert_eq!(sign_up_via(&app, 2, Some("198.51.100.2")).await, 202);
        // All three came from this machine, whatever the header claims.
        assert_eq!(sign_up_via(&app, 3, Some("198.51.100.3")).await, 429);
    }
);

/// Sends `body` to `path` with an `Idempotency-Key` (and a bearer token when given).
async fn post_with_key(
    app: &TestApp,
    path: &str,
    access: Option<&str>,
    key: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header("idempotency-key", key)
        .json(body);
    if let Some(access) = access {
        request = request.bearer_auth(access);
    }
    request.send().await.unwrap()
}

fn replayed(res: &reqwest::Response) -> bool {
    res.headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

/// Emails queued for `recipient`, read from the outbox.
async fn emails_queued(app: &TestApp, recipient: &str) -> i64 {
    use diesel::prelude::*;
    use portal_api::db::schema::outbox;
    let recipient = recipient.to_owned();
    app.in_db(move |c| {
        outbox::table
            .filter(outbox::recipient.eq(recipient))
            .count()
            .get_result::<i64>(c)
            .map_err(portal_api::db::DbError::from)
    })
    .await
}

both_backends!(
    a_sign_up_retried_with_its_idempotency_key_is_answered_once,
    |app: TestApp| async move {
        let body = app
            .sign_up_body("retry@example.com", crate::support::PASSWORD)
            .await;
        let key = "\"5f0c2a4e-7d1b-4c3e-9a8f-2b6d1e0c4a7f\"";
        let first = post_with_key(&app, "/v1/accounts", None, key, &body).await;
        assert_eq!(first.status(), 202);
        assert!(!replayed(&first));
        let first: serde_json::Value = first.json().await.unwrap();
        let again = post_with_key(&app, "/v1/accounts", None, key, &body).await;
        assert_eq!(again.status(), 202);
        assert!(replayed(&again), "the stored answer");
        assert_eq!(again.json::<serde_json::Value>().await.unwrap(), first);
        // One account, one email: the retry did nothing.
        crate::support::nth_mail(&app, "retry@example.com", 1).await;
        assert_eq!(emails_queued(&app, "retry@example.com").await, 1);

        // The same key with another request is refused, and changes nothing.
        let other = app
            .sign_up_body("other@example.com", crate::support::PASSWORD)
            .await;
        let res = post_with_key(&app, "/v1/accounts", None, key, &other).await;
        crate::support::problem(res, 422, "idempotency_key_reused").await;
        assert_eq!(emails_queued(&app, "other@example.com").await, 0);

        // A key that is not one is refused before anything happens.
        for bad in ["", "with space", &"k".repeat(256)] {
            let res = post_with_key(&app, "/v1/accounts", None, bad, &other).await;
            crate::support::problem(res, 400, "idempotency_key_invalid").await;
        }
        assert_eq!(emails_queued(&app, "other@example.com").await, 0);
    }
);

both_backends!(
    organizations_and_projects_retried_with_their_key_are_created_once,
    |app: TestApp| async move {
        use crate::organizations::{
            member, organization_form, project_form, sales_representatives,
        };
        let person = member(&app, "keys@maju.example").await;
        let rep = sales_representatives(&app, &person.access).await[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let form = organization_form(&rep);
        let key = "org-7c1d";
        let first =
            post_with_key(&app, "/v1/organizations", Some(&person.access), key, &form).await;
        assert_eq!(first.status(), 201);
        let location = first.headers()["location"].to_str().unwrap().to_owned();
        let org: serde_json::Value = first.json().await.unwrap();
        let again =
            post_with_key(&app, "/v1/organizations", Some(&person.access), key, &form).await;
        assert_eq!(again.status(), 201);
        assert!(replayed(&again));
        assert_eq!(again.headers()["location"].to_str().unwrap(), location);
        assert_eq!(
            again.json::<serde_json::Value>().await.unwrap()["id"],
            org["id"]
        );
        let list: serde_json::Value = app
            .get_auth("/v1/organizations", &person.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");

        // Keys are the caller's own: another person's same key is a new request.
        let someone = member(&app, "else@maju.example").await;
        let theirs =
            post_with_key(&app, "/v1/organizations", Some(&someone.access), key, &form).await;
        assert_eq!(theirs.status(), 201);
        assert!(!replayed(&theirs));

        // A project: the retry gets the same project and its ETag; the same key and body for
        // another path is another request.
        let path = format!("/v1/organizations/{}/projects", org["id"].as_str().unwrap());
        let project = project_form("Keyed", "01.234.567.8-901.000");
        let first = post_with_key(&app, &path, Some(&person.access), "p-1", &project).await;
        assert_eq!(first.status(), 201);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = post_with_key(&app, &path, Some(&person.access), "p-1", &project).await;
        assert_eq!(again.status(), 201);
        assert!(replayed(&again));
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        let renamed = project_form("Keyed again", "01.234.567.8-901.000");
        let res = post_with_key(&app, &path, Some(&person.access), "p-1", &renamed).await;
        crate::support::problem(res, 422, "idempotency_key_reused").await;

        // An answer that says the request was wrong is kept too: the retry is as wrong.
        let bad = project_form("", "01.234.567.8-901.000");
        let res = post_with_key(&app, &path, Some(&person.access), "p-2", &bad).await;
        assert_eq!(res.status(), 422);
        let res = post_with_key(&app, &path, Some(&person.access), "p-2", &bad).await;
        assert!(replayed(&res));
        crate::support::problem(res, 422, "validation_failed").await;
    }
);
