//! OAuth 2.0 for programs, told as stories: a CLI signs in by device code (RFC 8628) — it
//! polls too early and too fast and is told so, the person looks the code up and approves it,
//! the CLI gets tokens that reach only the approved scopes, refreshes them, and revokes them
//! (RFC 7009); a denied request and an expired one; the provider's service introspects tokens
//! (RFC 7662) with its client secret; the metadata (RFC 8414) names every endpoint.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::guard::onboarded;
use crate::support::problem;

/// A form-encoded POST, as OAuth clients send.
async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    app.client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The `error` of an OAuth error answer with `status`.
async fn oauth_error(res: reqwest::Response, status: u16) -> String {
    assert_eq!(res.status().as_u16(), status);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = res.json().await.unwrap();
    assert!(body["error_description"].is_string(), "{body}");
    body["error"].as_str().unwrap().to_owned()
}

async fn poll(app: &TestApp, device_code: &str) -> reqwest::Response {
    form(
        app,
        "/v1/oauth/token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
            ("client_id", "portal"),
        ],
    )
    .await
}

async fn device_code(app: &TestApp, scope: &str) -> Value {
    let res = form(
        app,
        "/v1/oauth/device_authorization",
        &[("client_id", "portal"), ("scope", scope)],
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

both_backends!(
    a_cli_signs_in_by_device_code_with_the_person_s_approval,
    |app: TestApp| async move {
        let meta: Value = app
            .get("/.well-known/oauth-authorization-server")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(meta["issuer"], "http://portal.test");
        assert_eq!(
            meta["device_authorization_endpoint"],
            "http://portal.test/v1/oauth/device_authorization"
        );
        assert_eq!(meta["token_endpoint"], "http://portal.test/v1/oauth/token");
        assert!(meta["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("urn:ietf:params:oauth:grant-type:device_code")));

        let who = onboarded(&app, "siti@maju.example").await;
        let codes = device_code(&app, "organizations:read projects:read").await;
        let user_code = codes["user_code"].as_str().unwrap();
        assert_eq!(user_code.len(), 9, "XXXX-XXXX: {user_code}");
        assert_eq!(codes["verification_uri"], "http://portal.test/device");
        assert_eq!(codes["interval"], 5);
        assert_eq!(codes["expires_in"], 600);
        let device = codes["device_code"].as_str().unwrap();

        // Too early, then too fast: pending, then slow down.
        assert_eq!(
            oauth_error(poll(&app, device).await, 400).await,
            "authorization_pending"
        );
        assert_eq!(
            oauth_error(poll(&app, device).await, 400).await,
            "slow_down"
        );

        // The person enters the code however they like, sees who asks for what, approves.
        let typed = user_code.to_lowercase().replace('-', " ");
        let res = app
            .post_auth(
                "/v1/device/lookup",
                &who.person.access,
                &json!({ "user_code": typed }),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let request: Value = res.json().await.unwrap();
        assert_eq!(request["client_name"], "Service Portal CLI");
        assert_eq!(
            request["scopes"],
            json!(["organizations:read", "projects:read"])
        );
        let res = app
            .post_auth(
                "/v1/device/approve",
                &who.person.access,
                &json!({ "user_code": user_code }),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

        // Polled at the slower interval (5 + 5 s): the tokens, once.
        app.clock.advance(Duration::from_secs(11));
        let res = poll(&app, device).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        assert_eq!(res.headers()["cache-control"], "no-store");
        let tokens: Value = res.json().await.unwrap();
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["scope"], "organizations:read projects:read");
        app.clock.advance(Duration::from_secs(11));
        assert_eq!(
            oauth_error(poll(&app, device).await, 400).await,
            "invalid_grant"
        );

        // The tokens reach what was approved, nothing more.
        let access = tokens["access_token"].as_str().unwrap();
        let orgs: Value = app
            .get_auth("/v1/organizations", access)
            .await
            .json()
            .await
            .unwrap();
        let org = orgs["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            app.get_auth(&format!("/v1/organizations/{org}/projects"), access)
                .await
                .status(),
            200
        );
        let res = app
            .post_auth(
                &format!("/v1/organizations/{org}/projects"),
                access,
                &crate::organizations::project_form("From the CLI", "01.234.567.8-901.000"),
            )
            .await;
        problem(res, 403, "insufficient_scope").await;
        problem(
            app.get_auth("/v1/me/sessions", access).await,
            403,
            "insufficient_scope",
        )
        .await;
        problem(
            app.get_auth("/v1/me", access).await,
            403,
            "insufficient_scope",
        )
        .await;

        // Listed among the person's sessions, with the client and scopes.
        let sessions: Value = app
            .get_auth("/v1/me/sessions", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        let cli = sessions["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["client_id"] == "portal")
            .expect("the CLI's session is listed");
        assert_eq!(
            cli["scopes"],
            json!(["organizations:read", "projects:read"])
        );

        // Refresh through the token endpoint: the token is single use.
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let res = form(
            &app,
            "/v1/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("client_id", "portal"),
            ],
        )
        .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let next: Value = res.json().await.unwrap();
        assert_eq!(next["scope"], "organizations:read projects:read");
        let next_refresh = next["refresh_token"].as_str().unwrap();
        assert_ne!(next_refresh, refresh);
        let res = form(
            &app,
            "/v1/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", next_refresh),
                ("client_id", "someone-else"),
            ],
        )
        .await;
        assert_eq!(oauth_error(res, 401).await, "invalid_client");

        // Revoked by the CLI (RFC 7009): the session ends at once.
        let res = form(
            &app,
            "/v1/oauth/revoke",
            &[
                ("token", next_refresh),
                ("token_type_hint", "refresh_token"),
                ("client_id", "portal"),
            ],
        )
        .await;
        assert_eq!(res.status(), 200);
        let next_access = next["access_token"].as_str().unwrap();
        problem(
            app.get_auth("/v1/organizations", next_access).await,
            401,
            "session_ended",
        )
        .await;
        // Unknown tokens are not an error.
        let res = form(
            &app,
            "/v1/oauth/revoke",
            &[("token", "nothing-at-all"), ("client_id", "portal")],
        )
        .await;
        assert_eq!(res.status(), 200);

        // The approval is in the person's security events.
        let events: Value = app
            .get_auth("/v1/me/security-events", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        assert!(events.to_string().contains("device_sign_in_approved"));
    }
);

both_backends!(
    denied_expired_and_malformed_device_requests_say_why,
    |app: TestApp| async move {
        let who = onboarded(&app, "siti@maju.example").await;

        // Denied.
        let codes = device_code(&app, "projects:read").await;
        let res = app
            .post_auth(
                "/v1/device/deny",
                &who.person.access,
                &json!({ "user_code": codes["user_code"] }),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            oauth_error(
                poll(&app, codes["device_code"].as_str().unwrap()).await,
                400
            )
            .await,
            "access_denied"
        );
        // Decided already: the code names nothing pending.
        let res = app
            .post_auth(
                "/v1/device/approve",
                &who.person.access,
                &json!({ "user_code": codes["user_code"] }),
            )
            .await;
        let p = problem(res, 422, "validation_failed").await;
        assert_eq!(p.codes_for("user_code"), ["user_code_invalid"]);

        // Expired after ten minutes.
        let codes = device_code(&app, "").await;
        app.clock.advance(Duration::from_secs(601));
        assert_eq!(
            oauth_error(
                poll(&app, codes["device_code"].as_str().unwrap()).await,
                400
            )
            .await,
            "expired_token"
        );

        // What the client got wrong.
        let res = form(
            &app,
            "/v1/oauth/device_authorization",
            &[("client_id", "nobody")],
        )
        .await;
        assert_eq!(oauth_error(res, 401).await, "invalid_client");
        let res = form(
            &app,
            "/v1/oauth/device_authorization",
            &[("client_id", "portal"), ("scope", "admin")],
        )
        .await;
        assert_eq!(oauth_error(res, 400).await, "invalid_scope");
        let res = form(&app, "/v1/oauth/device_authorization", &[]).await;
        assert_eq!(oauth_error(res, 400).await, "invalid_request");
        let res = form(
            &app,
            "/v1/oauth/token",
            &[("grant_type", "password"), ("client_id", "portal")],
        )
        .await;
        assert_eq!(oauth_error(res, 400).await, "unsupported_grant_type");
        let res = form(
            &app,
            "/v1/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "portal"),
                ("client_id", "portal"),
            ],
        )
        .await;
        assert_eq!(oauth_error(res, 400).await, "invalid_request");
        let res = app
            .post("/v1/oauth/token", &json!({ "grant_type": "refresh_token" }))
            .await;
        assert_eq!(oauth_error(res, 400).await, "invalid_request");
        assert_eq!(
            oauth_error(poll(&app, "not-a-device-code").await, 400).await,
            "invalid_grant"
        );

        // Guessing user codes is throttled per account.
        let mut last = 0;
        for _ in 0..11 {
            let res = app
                .post_auth(
                    "/v1/device/lookup",
                    &who.person.access,
                    &json!({ "user_code": "BCDF-GHJK" }),
                )
                .await;
            last = res.status().as_u16();
        }
        assert_eq!(last, 429);
    }
);

both_backends!(
    a_service_introspects_tokens_with_its_client_secret,
    |app: TestApp| async move {
        let staff = crate::enterprise::staff(&app).await;
        let res = app
            .post_auth(
                "/v1/admin/oauth-clients",
                &staff.access,
                &json!({ "name": "Billing service", "kind": "confidential" }),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let client: Value = res.json().await.unwrap();
        let (id, secret) = (
            client["client_id"].as_str().unwrap().to_owned(),
            client["client_secret"].as_str().unwrap().to_owned(),
        );
        let listed: Value = app
            .get_auth("/v1/admin/oauth-clients", &staff.access)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            !listed.to_string().contains(&secret),
            "the secret is shown once"
        );

        let who = onboarded(&app, "siti@maju.example").await;
        let pat: Value = app
            .post_auth(
                "/v1/me/tokens",
                &who.person.access,
                &json!({ "name": "CI", "scopes": ["projects:read"], "expires_in_days": 7 }),
            )
            .await
            .json()
            .await
            .unwrap();
        let pat = pat["token"].as_str().unwrap().to_owned();
        let introspect = |token: String, secret: String| {
            let app = &app;
            let id = id.clone();
            async move {
                let body: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs([("token", token.as_str())])
                    .finish();
                app.client
                    .post(app.url("/v1/oauth/introspect"))
                    .basic_auth(&id, Some(&secret))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let res = introspect(pat.clone(), secret.clone()).await;
        assert_eq!(res.status(), 200);
        let about: Value = res.json().await.unwrap();
        assert_eq!(about["active"], true);
        assert_eq!(about["token_type"], "personal_access_token");
        assert_eq!(about["scope"], "projects:read");
        let access = who.person.access.clone();
        let about: Value = introspect(access.clone(), secret.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(about["active"], true);
        assert_eq!(about["token_type"], "access_token");
        assert!(about["sid"].is_string());
        let about: Value = introspect("sp_pat_unknown".into(), secret.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(about, json!({ "active": false }));

        // A leaked token revoked by whoever holds it (RFC 7009) is inactive at once.
        let res = form(
            &app,
            "/v1/oauth/revoke",
            &[("token", pat.as_str()), ("client_id", "portal")],
        )
        .await;
        assert_eq!(res.status(), 200);
        let about: Value = introspect(pat.clone(), secret.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(about, json!({ "active": false }));

        // Only a confidential client with its secret may introspect.
        let res = introspect(access.clone(), "wrong-secret".into()).await;
        assert!(res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic"));
        assert_eq!(oauth_error(res, 401).await, "invalid_client");
        let res = form(
            &app,
            "/v1/oauth/introspect",
            &[("token", access.as_str()), ("client_id", "portal")],
        )
        .await;
        assert_eq!(oauth_error(res, 401).await, "invalid_client");

        // Customers cannot register clients.
        problem(
            app.post_auth(
                "/v1/admin/oauth-clients",
                &who.person.access,
                &json!({ "name": "x", "kind": "public" }),
            )
            .await,
            403,
            "forbidden",
        )
        .await;
    }
);

both_backends!(
    the_example_cli_signs_in_by_device_code_and_lists_the_projects,
    |app: TestApp| async move {
        let who = onboarded(&app, "siti@maju.example").await;
        let options = portal_device_login::Options {
            base_url: app.url(""),
            ..Default::default()
        };
        // The person approves as soon as the program shows the code.
        let (approver, access) = (app.client.clone(), who.person.access.clone());
        let approve_url = app.url("/v1/device/approve");
        let approved = std::sync::Arc::new(tokio::sync::Notify::new());
        let done = approved.clone();
        let listing = portal_device_login::run(&options, move |code| {
            assert!(code.verification_uri.ends_with("/device"));
            let user_code = code.user_code.clone();
            tokio::spawn(async move {
                let res = approver
                    .post(approve_url)
                    .bearer_auth(access)
                    .json(&json!({ "user_code": user_code }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                done.notify_one();
            });
        })
        .await
        .expect("the example signs in and lists");
        approved.notified().await;
        assert_eq!(listing.organizations.len(), 1, "{listing:?}");
        let (name, projects) = &listing.organizations[0];
        assert_eq!(name, "PT Maju Jaya Teknologi");
        assert_eq!(projects.len(), 1);
        assert!(listing.render().contains("  "), "{}", listing.render());

        // It signed out when done: its session is gone from the person's list.
        let sessions: Value = app
            .get_auth("/v1/me/sessions", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            !sessions.to_string().contains("\"client_id\":\"portal\""),
            "{sessions}"
        );
    }
);
