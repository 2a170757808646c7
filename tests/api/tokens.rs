//! Personal access tokens, told as stories: a person creates a token for a program right after
//! signing in (or later, with the password and a code), sees it once, and the program reaches
//! exactly what the scopes allow — never the account's security — until the token is revoked,
//! expires, or the account's password is reset or MFA switched off. Every use is throttled per
//! token; the holder is emailed at creation, revocation and a week before expiry.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::guard::{onboarded, Onboarded};
use crate::mfa::code_now;
use crate::support::{problem, MAIL_WAIT, PASSWORD};

async fn create(app: &TestApp, access: &str, body: &Value) -> reqwest::Response {
    app.post_auth("/v1/me/tokens", access, body).await
}

/// A token made within the five minutes after sign-in.
async fn token(app: &TestApp, who: &Onboarded, scopes: &[&str]) -> Value {
    let res = create(
        app,
        &who.person.access,
        &json!({ "name": "CI pipeline", "scopes": scopes, "expires_in_days": 30 }),
    )
    .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::Response {
    let mut req = app
        .client
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if method != reqwest::Method::GET && method != reqwest::Method::DELETE {
        req = req.json(&json!({}));
    }
    req.send().await.unwrap()
}

async fn organization_id(app: &TestApp, access: &str) -> String {
    let list: Value = app
        .get_auth("/v1/organizations", access)
        .await
        .json()
        .await
        .unwrap();
    list["items"][0]["id"].as_str().unwrap().to_owned()
}

both_backends!(
    a_token_reaches_what_its_scopes_allow_and_never_the_account_security,
    |app: TestApp| async move {
        let who = onboarded(&app, "siti@maju.example").await;
        let org = organization_id(&app, &who.person.access).await;
        let created = token(&app, &who, &["projects:read"]).await;
        let secret = created["token"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("sp_pat_"), "{secret}");
        assert_eq!(secret.len(), "sp_pat_".len() + 43, "256 bits, base64url");
        assert_eq!(created["scopes"], json!(["projects:read"]));

        // The scope it has.
        let res = app
            .get_auth(&format!("/v1/organizations/{org}/projects"), &secret)
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

        // A scope it lacks: 403 naming the scope (RFC 6750 §3.1).
        let res = app.get_auth("/v1/organizations", &secret).await;
        let p = problem(res, 403, "insufficient_scope").await;
        assert_eq!(
            p.header("www-authenticate").as_deref(),
            Some("Bearer error=\"insufficient_scope\", scope=\"organizations:read\"")
        );
        let res = app
            .post_auth(
                &format!("/v1/organizations/{org}/projects"),
                &secret,
                &crate::organizations::project_form("From CI", "01.234.567.8-901.000"),
            )
            .await;
        problem(res, 403, "insufficient_scope").await;

        // The account's security is out of reach whatever the scopes.
        let all = token(
            &app,
            &who,
            &[
                "organizations:read",
                "projects:read",
                "projects:write",
                "account:read",
            ],
        )
        .await;
        let all = all["token"].as_str().unwrap();
        assert_eq!(app.get_auth("/v1/me", all).await.status(), 200);
        use reqwest::Method;
        for (method, path) in [
            (Method::GET, "/v1/me/tokens"),
            (Method::POST, "/v1/me/tokens"),
            (Method::PATCH, "/v1/me"),
            (Method::DELETE, "/v1/me"),
            (Method::GET, "/v1/me/sessions"),
            (Method::GET, "/v1/me/devices"),
            (Method::GET, "/v1/me/export"),
            (Method::PUT, "/v1/me/password"),
            (Method::DELETE, "/v1/me/mfa/totp"),
            (Method::POST, "/v1/me/email-changes"),
            (Method::GET, "/v1/me/security-events"),
            (Method::POST, "/v1/organizations"),
            (Method::POST, "/v1/sessions/refresh"),
        ] {
            let res = send(&app, method.clone(), path, all).await;
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            // Public endpoints ignore the header (sign-in refresh answers for its own body).
            if path == "/v1/sessions/refresh" {
                assert_ne!(status, 200, "{method} {path}: {text}");
                continue;
            }
            assert_eq!(status, 403, "{method} {path}: {text}");
            assert!(
                text.contains("insufficient_scope"),
                "{method} {path}: {text}"
            );
        }

        // Emailed and recorded; listed without the secret, with its last use.
        let mail = app
            .mail
            .wait_for(&who.person.email, "personal access token", MAIL_WAIT)
            .await;
        assert!(mail.text.contains("CI pipeline"), "{}", mail.text);
        assert!(!mail.text.contains(&secret), "the token is never emailed");
        let list: Value = app
            .get_auth("/v1/me/tokens", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(!list.to_string().contains("sp_pat_"), "{list}");
        let listed = items.iter().find(|t| t["id"] == created["id"]).unwrap();
        assert!(listed["last_used_at"].is_string(), "{listed}");
        let events: Value = app
            .get_auth("/v1/me/security-events", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        assert!(events.to_string().contains("personal_token_created"));
        assert!(!events.to_string().contains(&secret));

        // Revoked: refused on the next request, and emailed.
        let id = created["id"].as_str().unwrap();
        let res = app
            .delete_auth(&format!("/v1/me/tokens/{id}"), &who.person.access)
            .await;
        assert_eq!(res.status(), 204);
        let res = app
            .get_auth(&format!("/v1/organizations/{org}/projects"), &secret)
            .await;
        let p = problem(res, 401, "invalid_token").await;
        assert!(p
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token"));
        app.mail
            .wait_for(&who.person.email, "revoked", MAIL_WAIT)
            .await;
        let res = app
            .delete_auth(&format!("/v1/me/tokens/{id}"), &who.person.access)
            .await;
        problem(res, 404, "not_found").await;
    }
);

both_backends!(
    creating_a_token_needs_a_recent_sign_in_or_the_password_and_a_code,
    |app: TestApp| async move {
        let who = onboarded(&app, "siti@maju.example").await;
        let form =
            json!({ "name": "Terraform", "scopes": ["projects:write"], "expires_in_days": 90 });
        app.clock.advance(Duration::from_secs(6 * 60));
        problem(
            create(&app, &who.person.access, &form).await,
            403,
            "reauthentication_required",
        )
        .await;
        let mut with = form.clone();
        with["password"] = json!("not-the-password-at-all");
        with["mfa_code"] = json!(code_now(&app, &who.totp));
        let p = problem(
            create(&app, &who.person.access, &with).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("password"), ["wrong_password"]);
        with["password"] = json!(PASSWORD);
        with.as_object_mut().unwrap().remove("mfa_code");
        let p = problem(
            create(&app, &who.person.access, &with).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("mfa_code"), ["mfa_code_required"]);
        app.clock.advance(Duration::from_secs(30));
        with["mfa_code"] = json!(code_now(&app, &who.totp));
        let res = create(&app, &who.person.access, &with).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

        // Every bad field at once; nothing created.
        for (body, field, code) in [
            (
                json!({ "name": "x", "scopes": ["projects:read"], "expires_in_days": 366, "password": PASSWORD, "mfa_code": code_now(&app, &who.totp) }),
                "expires_in_days",
                "expires_in_days_out_of_range",
            ),
            (
                json!({ "name": "x", "scopes": ["projects:read"], "password": PASSWORD, "mfa_code": code_now(&app, &who.totp) }),
                "expires_in_days",
                "expires_in_days_required",
            ),
            (
                json!({ "name": "x", "scopes": [], "expires_in_days": 1, "password": PASSWORD, "mfa_code": code_now(&app, &who.totp) }),
                "scopes",
                "scopes_required",
            ),
            (
                json!({ "name": "x", "scopes": ["admin"], "expires_in_days": 1, "password": PASSWORD, "mfa_code": code_now(&app, &who.totp) }),
                "scopes",
                "scope_unknown",
            ),
        ] {
            let p = problem(
                create(&app, &who.person.access, &body).await,
                422,
                "validation_failed",
            )
            .await;
            assert_eq!(p.codes_for(field), [code], "{body}");
        }
        let list: Value = app
            .get_auth("/v1/me/tokens", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }
);

both_backends!(
    tokens_expire_are_announced_a_week_before_and_die_with_the_mfa,
    |app: TestApp| async move {
        let who = onboarded(&app, "siti@maju.example").await;
        let org = organization_id(&app, &who.person.access).await;
        let path = format!("/v1/organizations/{org}/projects");
        let short = create(
            &app,
            &who.person.access,
            &json!({ "name": "Short", "scopes": ["projects:read"], "expires_in_days": 1 }),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
        let long = token(&app, &who, &["projects:read"]).await;
        let (short, long) = (
            short["token"].as_str().unwrap().to_owned(),
            long["token"].as_str().unwrap().to_owned(),
        );
        assert_eq!(app.get_auth(&path, &short).await.status(), 200);

        // A day later the short one is dead; the 30-day one lives on.
        app.clock.advance(Duration::from_secs(24 * 3600 + 60));
        problem(app.get_auth(&path, &short).await, 401, "invalid_token").await;
        assert_eq!(app.get_auth(&path, &long).await.status(), 200);

        // A week before its end the holder is told, once.
        app.clock.advance(Duration::from_secs(23 * 24 * 3600));
        let mail = app
            .mail
            .wait_for(&who.person.email, "expires", MAIL_WAIT)
            .await;
        assert!(mail.text.contains("CI pipeline"), "{}", mail.text);

        // MFA switched off (from a fresh sign-in): every token dies with it.
        let fresh = crate::guard::another_session(&app, &who).await;
        app.clock.advance(Duration::from_secs(30));
        let res = app
            .client
            .delete(app.url("/v1/me/mfa/totp"))
            .bearer_auth(fresh["access_token"].as_str().unwrap())
            .json(&json!({ "password": PASSWORD, "code": code_now(&app, &who.totp) }))
            .send()
            .await
            .unwrap();
        if res.status() == 200 || res.status() == 204 {
            problem(app.get_auth(&path, &long).await, 401, "invalid_token").await;
        } else {
            panic!(
                "MFA not switched off: {} {}",
                res.status(),
                res.text().await.unwrap()
            );
        }
    }
);

both_backends!(
    the_role_still_caps_a_token_and_each_token_is_throttled,
    [("PORTAL_THROTTLE_PERSONAL_TOKEN_REQUESTS", "5/1m")],
    |app: TestApp| async move {
        let who = onboarded(&app, "siti@maju.example").await;
        let org = organization_id(&app, &who.person.access).await;
        let full = token(&app, &who, &["projects:read", "projects:write"]).await;
        let full = full["token"].as_str().unwrap();
        let path = format!("/v1/organizations/{org}/projects");
        for _ in 0..5 {
            assert_eq!(app.get_auth(&path, full).await.status(), 200);
        }
        let p = problem(app.get_auth(&path, full).await, 429, "too_many_requests").await;
        assert!(p.retry_after() >= 1);
        // Another token of the same person has its own budget.
        let other = token(&app, &who, &["projects:read"]).await;
        assert_eq!(
            app.get_auth(&path, other["token"].as_str().unwrap())
                .await
                .status(),
            200
        );

        // A billing member's token with `projects:write` still cannot create a project.
        let accountant = onboarded(&app, "dewi@maju.example").await;
        let owner = who.person.clone();
        let member = accountant.person.clone();
        crate::teams::joined(&app, &owner, &org, &member, "billing").await;
        let theirs = token(&app, &accountant, &["projects:read", "projects:write"]).await;
        let theirs = theirs["token"].as_str().unwrap();
        let res = app
            .post_auth(
                &path,
                theirs,
                &crate::organizations::project_form("Books", "01.234.567.8-901.000"),
            )
            .await;
        problem(res, 403, "insufficient_role").await;
        let seen: Value = app.get_auth(&path, theirs).await.json().await.unwrap();
        assert!(seen["items"][0].get("cluster_status").is_none(), "{seen}");
    }
);

both_backends!(
    every_documented_operation_checks_the_scope_of_a_token,
    |app: TestApp| async move {
        use portal_api::services::personal_tokens::Scope;
        let who = onboarded(&app, "siti@maju.example").await;
        let all = token(
            &app,
            &who,
            &[
                "organizations:read",
                "projects:read",
                "projects:write",
                "account:read",
            ],
        )
        .await;
        let all = all["token"].as_str().unwrap().to_owned();
        let mut singles = std::collections::HashMap::new();
        for scope in Scope::ALL {
            let t = token(&app, &who, &[scope.as_str()]).await;
            singles.insert(scope, t["token"].as_str().unwrap().to_owned());
        }
        let mut wrong = Vec::new();
        for op in crate::errors::operations(&app)
            .await
            .into_iter()
            .filter(|op| op.auth)
        {
            let path = op.path();
            let needed = Scope::for_route(op.method.as_str(), &op.template);
            // With every scope: refused only where no scope reaches.
            let res = send(&app, op.method.clone(), &path, &all).await;
            let (status, text) = (res.status().as_u16(), res.text().await.unwrap());
            let refused = status == 403 && text.contains("insufficient_scope");
            if refused != needed.is_none() || status == 401 {
                wrong.push(format!(
                    "{} {} with every scope: {status} {text:.120}",
                    op.method, op.template
                ));
            }
            // With each single scope: let through only with the one it needs.
            for (scope, single) in &singles {
                let res = send(&app, op.method.clone(), &path, single).await;
                let (status, text) = (res.status().as_u16(), res.text().await.unwrap());
                let refused = status == 403 && text.contains("insufficient_scope");
                if refused == (needed == Some(*scope)) {
                    wrong.push(format!(
                        "{} {} with {}: {status} {text:.120}",
                        op.method,
                        op.template,
                        scope.as_str()
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
);
