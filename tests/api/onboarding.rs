//! After the first sign-in: the onboarding gate, legal consents, new legal versions,
//! invitations, trusted devices and security events.

use std::time::Duration;

use portal_tests::{assert_problem, both_backends, TestApp};
use serde_json::{json, Value};

const PASSWORD: &str = "Quiet-Harbor-Lantern-42";

async fn onboarding(app: &TestApp, token: &str) -> Value {
    let res = app.get_auth("/v1/me/onboarding", token).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

both_backends!(
    a_new_account_starts_with_every_onboarding_step,
    |app: TestApp| async move {
        app.verified_account("steps@example.com", PASSWORD).await;
        let tokens = app.signed_in("steps@example.com", PASSWORD).await;
        let token = tokens["access_token"].as_str().unwrap();
        // Consents given at sign-up count: the current Terms and Privacy were accepted then.
        let status = onboarding(&app, token).await;
        assert_eq!(status["complete"], false);
        assert_eq!(status["next_step"], "create_organization");
        assert_eq!(
            status["remaining_steps"],
            json!(["create_organization", "create_project", "activate_mfa"])
        );
    }
);

both_backends!(
    other_endpoints_are_closed_until_onboarding_is_complete,
    |app: TestApp| async move {
        app.verified_account("gate@example.com", PASSWORD).await;
        let tokens = app.signed_in("gate@example.com", PASSWORD).await;
        let token = tokens["access_token"].as_str().unwrap();
        for path in ["/v1/me/devices", "/v1/me/security-events"] {
            let problem = assert_problem(
                app.get_auth(path, token).await,
                403,
                "onboarding_incomplete",
            )
            .await;
            assert_eq!(problem["next_step"], "create_organization", "{path}");
        }
        // Who am I and what is next stay open.
        assert_eq!(app.get_auth("/v1/me", token).await.status(), 200);
    }
);

both_backends!(
    a_new_terms_version_must_be_accepted_before_anything_else,
    |app: TestApp| async move {
        app.verified_account("terms@example.com", PASSWORD).await;
        let tokens = app.signed_in("terms@example.com", PASSWORD).await;
        let token = tokens["access_token"].as_str().unwrap();

        // Staff publish version 2.0 of the Terms (the CLI's code path).
        let now = chrono::Utc::now();
        let new = portal_api::services::legal::NewVersion {
            kind: "terms".into(),
            version: "2.0".into(),
            texts: vec![(
                "en".into(),
                "Terms and Conditions".into(),
                "New terms.".into(),
            )],
        };
        app.publish_legal(new, now).await;

        let status = onboarding(&app, token).await;
        assert_eq!(status["next_step"], "accept_legal_documents");
        // Only the Terms changed: what is to accept, and what was accepted before.
        let to_accept = status["legal_documents_to_accept"].as_array().unwrap();
        assert_eq!(to_accept.len(), 1, "{to_accept:?}");
        assert_eq!(to_accept[0]["kind"], "terms");
        assert_eq!(to_accept[0]["version"], "2.0");
        assert_eq!(to_accept[0]["title"], "Terms and Conditions");
        assert_eq!(to_accept[0]["accepted_version"], "1.0");
        assert!(to_accept[0]["accepted_at"].is_string());
        assert!(to_accept[0]["published_at"].is_string());

        // Published in English only, 2.0 is the current version in Indonesian too: its English
        // text, marked as such — never the Indonesian text of 1.0.
        for path in [
            "/v1/legal-documents/terms?language=id",
            "/v1/legal-documents?language=id",
        ] {
            let doc: Value = app.get(path).await.json().await.unwrap();
            let doc = doc.get("items").map_or(doc.clone(), |items| {
                items
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["kind"] == "terms")
                    .unwrap()
                    .clone()
            });
            assert_eq!(doc["version"], "2.0", "{path}: {doc}");
            assert_eq!(doc["language"], "en", "{path}: {doc}");
        }
        let privacy: Value = app
            .get("/v1/legal-documents/privacy?language=id")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(privacy["language"], "id");

        // The outdated version is refused, naming the current one; nothing else changes.
        let res = app
            .post_auth(
                "/v1/me/consents",
                token,
                &json!({ "consents": [{ "kind": "terms", "version": "1.0" }] }),
            )
            .await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], "consent_outdated");
        assert!(problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2.0"));

        // The EULA does not apply to SME accounts.
        let res = app
        .post_auth(
            "/v1/me/consents",
            token,
            &json!({ "consents": [{ "kind": "terms", "version": "2.0" }, { "kind": "eula", "version": "1.0" }] }),
        )
        .await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], "consent_not_applicable");

        let res = app
            .post_auth(
                "/v1/me/consents",
                token,
                &json!({ "consents": [{ "kind": "terms", "version": "2.0" }] }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let status: Value = res.json().await.unwrap();
        assert_eq!(status["next_step"], "create_organization");
        assert_eq!(status["legal_documents_to_accept"], json!([]));
    }
);

both_backends!(
    consents_are_refused_when_a_required_document_is_missing,
    |app: TestApp| async move {
        app.verified_account("missing@example.com", PASSWORD).await;
        let tokens = app.signed_in("missing@example.com", PASSWORD).await;
        let token = tokens["access_token"].as_str().unwrap();
        for kind in ["terms", "privacy"] {
            let texts = vec![("en".to_owned(), format!("{kind} title"), "Text.".to_owned())];
            app.publish_legal(
                portal_api::services::legal::NewVersion {
                    kind: kind.into(),
                    version: "3.0".into(),
                    texts,
                },
                chrono::Utc::now(),
            )
            .await;
        }
        let res = app
            .post_auth(
                "/v1/me/consents",
                token,
                &json!({ "consents": [{ "kind": "terms", "version": "3.0" }] }),
            )
            .await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "consents");
        assert_eq!(problem["errors"][0]["code"], "consent_required");
        // Still gated: nothing was recorded.
        assert_eq!(
            onboarding(&app, token).await["next_step"],
            "accept_legal_documents"
        );
        let res = app
            .post_auth(
                "/v1/me/consents",
                token,
                &json!({ "consents": [{ "kind": "nonsense", "version": "1" }] }),
            )
            .await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], "consent_unknown");
    }
);

both_backends!(
    an_invited_person_sets_a_password_and_signs_in,
    |app: TestApp| async move {
        let email = "staff@example.com";
        app.create_admin(email, "Sari Dewi").await;
        let mail = app.mail.wait_for(email, "", Duration::from_secs(10)).await;
        let link = mail
            .first_link_starting_with("http://portal.test/accept-invitation?token=")
            .expect("an invitation link");
        let token = link.split("token=").nth(1).unwrap().to_owned();

        let info: Value = app
            .post("/v1/invitations/lookup", &json!({ "token": token }))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(info["email"], email);

        // The password policy applies.
        let res = app
            .post(
                "/v1/invitations/accept",
                &json!({ "token": token, "password": "short" }),
            )
            .await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert!(problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "password_too_short"));

        let res = app
            .post(
                "/v1/invitations/accept",
                &json!({ "token": token, "password": PASSWORD }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let res = app
            .post(
                "/v1/invitations/accept",
                &json!({ "token": token, "password": PASSWORD }),
            )
            .await;
        assert_problem(res, 410, "invitation_used").await;
        let res = app
            .post("/v1/invitations/lookup", &json!({ "token": "not-a-token" }))
            .await;
        assert_problem(res, 400, "invitation_invalid").await;

        // Signed in from a new device; staff must still accept the legal documents and activate MFA.
        let tokens = app.signed_in(email, PASSWORD).await;
        let token = tokens["access_token"].as_str().unwrap();
        let me: Value = app.get_auth("/v1/me", token).await.json().await.unwrap();
        assert_eq!(me["role"], "admin");
        let status = onboarding(&app, token).await;
        assert_eq!(
            status["remaining_steps"],
            json!(["accept_legal_documents", "activate_mfa"])
        );
        // Staff endpoints are closed until then.
        let res = app
        .post_auth(
            "/v1/admin/legal-documents",
            token,
            &json!({ "kind": "terms", "version": "9.0", "texts": [{ "language": "en", "title": "T", "body": "B" }] }),
        )
        .await;
        assert_problem(res, 403, "onboarding_incomplete").await;
    }
);

both_backends!(
    an_expired_invitation_is_refused,
    |app: TestApp| async move {
        let email = "late@example.com";
        app.create_admin(email, "Late Person").await;
        let mail = app.mail.wait_for(email, "", Duration::from_secs(10)).await;
        let link = mail
            .first_link_starting_with("http://portal.test/accept-invitation?token=")
            .unwrap();
        let token = link.split("token=").nth(1).unwrap().to_owned();
        app.clock.advance(Duration::from_secs(73 * 3600));
        let res = app
            .post(
                "/v1/invitations/accept",
                &json!({ "token": token, "password": PASSWORD }),
            )
            .await;
        assert_problem(res, 410, "invitation_expired").await;
    }
);

both_backends!(
    ordinary_accounts_cannot_use_staff_endpoints,
    |app: TestApp| async move {
        app.verified_account("user@example.com", PASSWORD).await;
        let tokens = app.signed_in("user@example.com", PASSWORD).await;
        let token = tokens["access_token"].as_str().unwrap();
        let res = app
        .post_auth(
            "/v1/admin/legal-documents",
            token,
            &json!({ "kind": "terms", "version": "9.0", "texts": [{ "language": "en", "title": "T", "body": "B" }] }),
        )
        .await;
        assert_problem(res, 403, "forbidden").await;
    }
);
