//! The journey's first steps, told as stories: sign up, verify, sign in from a new device.

use std::time::Duration;

use portal_tests::{assert_problem, both_backends, verification_token, TestApp};
use serde_json::{json, Value};

const PASSWORD: &str = "Quiet-Harbor-Lantern-42";

both_backends!(
    sign_up_verify_and_sign_in_from_a_new_device,
    |app: TestApp| async move {
        let email = "budi@example.co.id";
        let body = app.sign_up_body(email, PASSWORD).await;
        let res = app.post("/v1/accounts", &body).await;
        assert_eq!(res.status(), 202);
        let accepted: Value = res.json().await.unwrap();
        assert_eq!(accepted["status"], "verification_email_sent");

        let mail = app
            .mail
            .wait_for(email, "Verify your email", Duration::from_secs(10))
            .await;
        assert!(mail.html.contains("Verify Your Email Address"));
        let token = verification_token(&mail);

        // Not verified yet: the right password gets a distinct answer that says how to resend.
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        let problem = assert_problem(res, 403, "email_not_verified").await;
        assert_eq!(problem["next"]["href"], "/v1/email-verifications/resend");

        let res = app
            .post("/v1/email-verifications", &json!({ "token": token }))
            .await;
        assert_eq!(res.status(), 200);
        let res = app
            .post("/v1/email-verifications", &json!({ "token": token }))
            .await;
        assert_problem(res, 409, "email_already_verified").await;

        // A new device: a code by email, then tokens and a device token.
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        assert_eq!(challenge["next_step"], "device_code");
        let code_mail = app
            .mail
            .wait_for(email, "Please verify your device", Duration::from_secs(10))
            .await;
        assert!(code_mail.subject.starts_with("[Service Portal AI]"));
        let code = code_mail.six_digit_code().unwrap();
        let path = format!(
            "/v1/sessions/{}/device-code",
            challenge["challenge_id"].as_str().unwrap()
        );
        let res = app.post(&path, &json!({ "code": code })).await;
        assert_eq!(res.status(), 200);
        let tokens: Value = res.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        let device_token = tokens["device_token"].as_str().unwrap();

        let me: Value = app.get_auth("/v1/me", access).await.json().await.unwrap();
        assert_eq!(me["email"], email);
        assert_eq!(me["phone_number"], "+6281234567890");
        assert_eq!(me["account_type"], "sme");

        // The same device is recognized next time: tokens at once, no email.
        let before = app.settled_mail_count(email).await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD, "device_token": device_token }),
            )
            .await;
        assert_eq!(res.status(), 200);
        app.settle().await;
        assert_eq!(app.mail.count_to(email), before);
    }
);

both_backends!(
    refresh_rotates_and_a_reused_token_ends_the_session,
    |app: TestApp| async move {
        let email = "rotate@example.com";
        app.verified_account(email, PASSWORD).await;
        let tokens = app.signed_in(email, PASSWORD).await;
        let first = tokens["refresh_token"].as_str().unwrap().to_owned();

        let res = app
            .post("/v1/sessions/refresh", &json!({ "refresh_token": first }))
            .await;
        assert_eq!(res.status(), 200);
        let next: Value = res.json().await.unwrap();
        let second = next["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(first, second);

        // Reusing the spent token revokes the family: the newer token dies too.
        let res = app
            .post("/v1/sessions/refresh", &json!({ "refresh_token": first }))
            .await;
        assert_problem(res, 401, "refresh_token_reused").await;
        let res = app
            .post("/v1/sessions/refresh", &json!({ "refresh_token": second }))
            .await;
        assert_problem(res, 401, "invalid_refresh_token").await;
        let res = app
            .get_auth("/v1/me", next["access_token"].as_str().unwrap())
            .await;
        assert_problem(res, 401, "session_ended").await;
    }
);
