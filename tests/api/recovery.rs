//! Accounts that recover: a person who forgot their password asks for a link, sets a new one
//! from the email, and signs in again — still asked for their authenticator code; a person who
//! knows their password changes it from the account page. Both end the other sessions and send
//! a notice.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::guard::{another_session, onboarded};
use crate::mfa::{code_now, send_mfa_code};
use crate::support::{assert_mail_count_stays, nth_mail, problem, PASSWORD};

const NEW_PASSWORD: &str = "Amber-Kettle-Orchard-77";
const LINK: &str = "http://portal.test/reset-password?token=";

async fn ask_for_reset(app: &TestApp, email: &str) -> reqwest::Response {
    app.post("/v1/password-resets", &json!({ "email": email }))
        .await
}

/// Asks for a reset and returns the token from the emailed link.
async fn reset_token(app: &TestApp, email: &str) -> String {
    let before = app.settled_mail_count(email).await;
    let res = ask_for_reset(app, email).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let mail = nth_mail(app, email, before + 1).await;
    assert!(
        mail.subject.contains("Reset your password"),
        "{}",
        mail.subject
    );
    let link = mail
        .first_link_starting_with(LINK)
        .expect("a link to the web app's reset page");
    link.trim_start_matches(LINK).to_owned()
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post(
        "/v1/password-resets/confirm",
        &json!({ "token": token, "password": password }),
    )
    .await
}

both_backends!(
    a_forgotten_password_is_reset_from_the_emailed_link_and_mfa_still_applies,
    |app: TestApp| async move {
        let who = onboarded(&app, "forgetful@example.com").await;
        let email = who.person.email.as_str();
        let other = another_session(&app, &who).await;

        let token = reset_token(&app, email).await;
        assert_eq!(token.len(), 43, "256 bits, base64url");

        // Every unmet rule at once, and nothing changes.
        let p = problem(
            confirm(&app, &token, "short").await,
            422,
            "validation_failed",
        )
        .await;
        let codes: Vec<String> = p.field_errors().into_iter().map(|(_, c)| c).collect();
        assert!(
            codes.contains(&"password_too_short".to_owned())
                && codes.contains(&"password_missing_uppercase".to_owned())
                && codes.contains(&"password_missing_digit".to_owned()),
            "{codes:?}"
        );
        assert!(p.field_errors().iter().all(|(f, _)| f == "password"));
        let p = problem(
            confirm(&app, &token, "Forgetful-Example-Person-1").await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("password"), ["password_contains_personal_info"]);

        let res = confirm(&app, &token, NEW_PASSWORD).await;
        assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());

        // Every session and refresh family has ended.
        for tokens in [json!({ "access_token": who.person.access }), other.clone()] {
            problem(
                app.get_auth("/v1/me", tokens["access_token"].as_str().unwrap())
                    .await,
                401,
                "session_ended",
            )
            .await;
        }
        problem(
            app.post(
                "/v1/sessions/refresh",
                &json!({ "refresh_token": other["refresh_token"] }),
            )
            .await,
            401,
            "invalid_refresh_token",
        )
        .await;
        // The link works once.
        problem(
            confirm(&app, &token, "Another-Brand-New-Pass-9").await,
            400,
            "reset_link_invalid",
        )
        .await;
        // The notice says what happened, from where, and what to do if it was not them.
        let mail = app
            .mail
            .wait_for(email, "Your password was changed", Duration::from_secs(10))
            .await;
        assert!(mail.text.contains("127.0.0.1"), "{}", mail.text);
        assert!(mail.text.contains("http://portal.test/forgot-password"));
        assert!(!mail.text.contains(NEW_PASSWORD) && !mail.html.contains(NEW_PASSWORD));

        // The old password is gone; the new one still needs the authenticator code.
        problem(
            app.post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD, "device_token": who.person.device_token }),
            )
            .await,
            401,
            "invalid_credentials",
        )
        .await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": NEW_PASSWORD, "device_token": who.person.device_token }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        assert_eq!(challenge["next_step"], "mfa_code");
        app.clock.advance(Duration::from_secs(30));
        let res = send_mfa_code(
            &app,
            challenge["challenge_id"].as_str().unwrap(),
            &code_now(&app, &who.totp),
        )
        .await;
        assert_eq!(res.status(), 200);
        // From a device it does not know, the emailed code is asked first, as always.
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": NEW_PASSWORD }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        assert_eq!(challenge["next_step"], "device_code");
    }
);

both_backends!(
    asking_for_a_reset_answers_alike_whether_or_not_the_address_has_an_account,
    |app: TestApp| async move {
        let email = "known@example.com";
        app.verified_account(email, PASSWORD).await;
        let unverified = "unverified@example.com";
        let body = app.sign_up_body(unverified, PASSWORD).await;
        assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);
        app.mail
            .wait_for(unverified, "Verify your email", Duration::from_secs(10))
            .await;

        let mut answers = Vec::new();
        for address in [email, "nobody@example.com", unverified] {
            let res = ask_for_reset(&app, address).await;
            assert_eq!(res.status(), 202);
            assert_eq!(res.headers()["cache-control"].to_str().unwrap(), "no-store");
            answers.push(res.text().await.unwrap());
        }
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
        app.mail
            .wait_for(email, "Reset your password", Duration::from_secs(10))
            .await;
        assert_mail_count_stays(&app, "nobody@example.com", 0).await;
        // An unverified address gets nothing either (it only had its verification email).
        assert_mail_count_stays(&app, unverified, 1).await;

        // Not an address at all: a field error, not a 202.
        let p = problem(
            ask_for_reset(&app, "not-an-email").await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.field_errors()[0].0, "email");
    }
);

both_backends!(
    only_the_newest_link_works_and_only_for_thirty_minutes,
    |app: TestApp| async move {
        let email = "twice@example.com";
        app.verified_account(email, PASSWORD).await;
        let first = reset_token(&app, email).await;
        let second = reset_token(&app, email).await;
        assert_ne!(first, second);
        problem(
            confirm(&app, &first, NEW_PASSWORD).await,
            400,
            "reset_link_invalid",
        )
        .await;

        app.clock.advance(Duration::from_secs(31 * 60));
        let p = problem(
            confirm(&app, &second, NEW_PASSWORD).await,
            400,
            "reset_link_invalid",
        )
        .await;
        assert_eq!(p.body["next"]["href"], "/v1/password-resets");
        for token in ["", "unknown", &"x".repeat(500)] {
            problem(
                confirm(&app, token, NEW_PASSWORD).await,
                400,
                "reset_link_invalid",
            )
            .await;
        }
        // The password did not change.
        let tokens = app.signed_in(email, PASSWORD).await;
        assert!(tokens["access_token"].is_string());
    }
);

both_backends!(
    a_reset_works_while_sign_in_is_locked_and_lifts_the_lock,
    |app: TestApp| async move {
        let email = "locked@example.com";
        app.verified_account(email, PASSWORD).await;
        for _ in 0..5 {
            let res = app
                .post(
                    "/v1/sessions",
                    &json!({ "email": email, "password": "Wrong-Password-Entirely-1" , "captcha": crate::support::captcha_without_the_work(&app).await }),
                )
                .await;
            assert!(matches!(res.status().as_u16(), 401 | 422 | 429));
        }
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        let status = res.status().as_u16();
        assert!(status == 429 || status == 422, "locked: {status}");

        // The captcha the sign-in would ask for is asked here too.
        let p = problem(ask_for_reset(&app, email).await, 422, "validation_failed").await;
        assert_eq!(p.field_errors()[0].0, "captcha");
        let captcha = app.captcha().await;
        let before = app.settled_mail_count(email).await;
        let res = app
            .post(
                "/v1/password-resets",
                &json!({ "email": email, "captcha": captcha }),
            )
            .await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        let mail = nth_mail(&app, email, before + 1).await;
        let token = mail
            .first_link_starting_with(LINK)
            .unwrap()
            .trim_start_matches(LINK)
            .to_owned();
        assert_eq!(confirm(&app, &token, NEW_PASSWORD).await.status(), 204);
        app.mail
            .wait_for(email, "Your password was changed", Duration::from_secs(10))
            .await;
        // Unlocked: the new password signs in at once.
        let tokens = app.signed_in(email, NEW_PASSWORD).await;
        assert!(tokens["access_token"].is_string());
    }
);

both_backends!(
    reset_requests_are_limited_per_address,
    |app: TestApp| async move {
        for _ in 0..3 {
            assert_eq!(ask_for_reset(&app, "flood@example.com").await.status(), 202);
        }
        let p = problem(
            ask_for_reset(&app, "flood@example.com").await,
            429,
            "too_many_requests",
        )
        .await;
        assert!(p.retry_after() > 0);
        // Another address is not affected.
        assert_eq!(ask_for_reset(&app, "other@example.com").await.status(), 202);
    }
);

both_backends!(
    two_confirmations_at_once_one_wins,
    |app: TestApp| async move {
        let email = "race@example.com";
        app.verified_account(email, PASSWORD).await;
        let token = reset_token(&app, email).await;
        let (a, b) = tokio::join!(
            confirm(&app, &token, NEW_PASSWORD),
            confirm(&app, &token, "Second-Contender-Pass-88")
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [204, 400]);
        // Exactly one of the two passwords works.
        let works = |password: &'static str| {
            let app = &app;
            async move {
                app.post(
                    "/v1/sessions",
                    &json!({ "email": email, "password": password }),
                )
                .await
                .status()
                .as_u16()
                    == 202
            }
        };
        let first = works(NEW_PASSWORD).await;
        let second = works("Second-Contender-Pass-88").await;
        assert!(first ^ second, "{first} {second}");
    }
);

both_backends!(
    a_person_changes_their_password_and_other_sessions_end,
    |app: TestApp| async move {
        let who = onboarded(&app, "changer@example.com").await;
        let other = another_session(&app, &who).await;
        let access = who.person.access.as_str();
        let put = |body: Value| {
            let app = &app;
            async move {
                app.client
                    .put(app.url("/v1/me/password"))
                    .bearer_auth(access)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };

        // The code is required while MFA is on; the new password meets the policy.
        let p = problem(
            put(json!({ "current_password": PASSWORD, "new_password": "weak" })).await,
            422,
            "validation_failed",
        )
        .await;
        let fields: Vec<String> = p.field_errors().into_iter().map(|(f, _)| f).collect();
        assert!(fields.contains(&"mfa_code".to_owned()));
        assert!(fields.contains(&"new_password".to_owned()));

        // A wrong current password is a failed attempt; a wrong code is refused.
        app.clock.advance(Duration::from_secs(30));
        let p = problem(
            put(json!({ "current_password": "Not-The-Password-1", "new_password": NEW_PASSWORD, "mfa_code": code_now(&app, &who.totp) })).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("current_password"), ["wrong_password"]);
        let p = problem(
            put(json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD, "mfa_code": "000000" })).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("mfa_code"), ["invalid_mfa_code"]);

        app.clock.advance(Duration::from_secs(30));
        let res = put(json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD, "mfa_code": code_now(&app, &who.totp) })).await;
        assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
        // This session stays; the other one ends.
        assert_eq!(app.get_auth("/v1/me", access).await.status(), 200);
        problem(
            app.get_auth("/v1/me", other["access_token"].as_str().unwrap())
                .await,
            401,
            "session_ended",
        )
        .await;
        let mail = app
            .mail
            .wait_for(
                &who.person.email,
                "Your password was changed",
                Duration::from_secs(10),
            )
            .await;
        assert!(mail.text.contains("http://portal.test/forgot-password"));
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": who.person.email, "password": NEW_PASSWORD, "device_token": who.person.device_token }),
            )
            .await;
        assert_eq!(res.status(), 202);
    }
);

both_backends!(
    wrong_current_passwords_lock_the_change_like_failed_sign_ins,
    |app: TestApp| async move {
        let who = onboarded(&app, "guessing@example.com").await;
        let mut last = 0;
        for _ in 0..6 {
            let res = app
                .client
                .put(app.url("/v1/me/password"))
                .bearer_auth(&who.person.access)
                .json(&json!({ "current_password": "Not-The-Password-1", "new_password": NEW_PASSWORD, "mfa_code": "123456" }))
                .send()
                .await
                .unwrap();
            last = res.status().as_u16();
        }
        assert_eq!(last, 429);
        // Sign-in for the address is locked too: one budget.
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": who.person.email, "password": PASSWORD, "captcha": app.captcha().await }),
            )
            .await;
        assert_eq!(res.status(), 429);
    }
);

both_backends!(
    staff_reset_their_password_the_same_way_and_keep_their_mfa,
    |app: TestApp| async move {
        let staff = crate::enterprise::staff(&app).await;
        let token = reset_token(&app, &staff.email).await;
        assert_eq!(confirm(&app, &token, NEW_PASSWORD).await.status(), 204);
        problem(
            app.get_auth("/v1/me", &staff.access).await,
            401,
            "session_ended",
        )
        .await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": staff.email, "password": NEW_PASSWORD, "device_token": staff.device_token }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        assert_eq!(challenge["next_step"], "mfa_code");
    }
);
