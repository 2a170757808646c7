//! Sign-up: every unmet rule is reported with its own code, a refused sign-up leaves nothing
//! behind, and a registered address cannot be told apart from a new one.

use portal_tests::{both_backends, verification_token, TestApp};
use serde_json::{json, Value};

use crate::support::{
    assert_mail_count_stays, captcha_without_the_work, nth_mail, only_field_errors, problem,
    sign_in, MAIL_WAIT, PASSWORD,
};

/// The sign-up body's name is "Budi Santoso"; this address shares nothing with the passwords below.
const EMAIL: &str = "dewi.lestari@example.co.id";

async fn sign_up(app: &TestApp, body: &Value) -> reqwest::Response {
    app.post("/v1/accounts", body).await
}

both_backends!(
    each_unmet_password_rule_is_reported_on_its_own,
    |app: TestApp| async move {
        let cases = [
            ("Kx7#mQ2!vR9$w", "password_too_short"),
            ("kx7#mq2!vr9$wl", "password_missing_uppercase"),
            ("KX7#MQ2!VR9$WL", "password_missing_lowercase"),
            ("Kxa#mQb!vRc$wL", "password_missing_digit"),
            ("Kx7amQ2bvR9cwL", "password_missing_symbol"),
            ("Password123456!", "password_common"),
            ("Santoso-Window-77!", "password_contains_personal_info"),
            ("Lestari#Window#77", "password_contains_personal_info"),
        ];
        for (password, code) in cases {
            let body = app.sign_up_body(EMAIL, password).await;
            let p = only_field_errors(sign_up(&app, &body).await, &[("password", code)]).await;
            let message = p.body["errors"][0]["message"].as_str().unwrap();
            assert!(!message.is_empty(), "{password}: {message}");
        }
        // The minimum is named in the message, so people know what to do.
        let body = app.sign_up_body(EMAIL, "Kx7#mQ2!vR9$w").await;
        let p = problem(sign_up(&app, &body).await, 422, "validation_failed").await;
        assert_eq!(
            p.body["errors"][0]["message"],
            "must be at least 14 characters"
        );
        assert_mail_count_stays(&app, EMAIL, 0).await;
    }
);

both_backends!(
    a_password_over_128_characters_is_refused_as_too_long_and_nothing_else,
    |app: TestApp| async move {
        // Even a password that breaks every other rule gets the one answer: it is not scanned.
        for password in ["a".repeat(129), "Kx7#mQ2!".repeat(17)] {
            let body = app.sign_up_body(EMAIL, &password).await;
            only_field_errors(
                sign_up(&app, &body).await,
                &[("password", "password_too_long")],
            )
            .await;
        }
        let body = app.sign_up_body(EMAIL, &"x".repeat(20_000)).await;
        only_field_errors(
            sign_up(&app, &body).await,
            &[("password", "password_too_long")],
        )
        .await;
    }
);

both_backends!(
    several_unmet_password_rules_are_all_listed,
    |app: TestApp| async move {
        let body = app.sign_up_body(EMAIL, "qzv").await;
        let p = problem(sign_up(&app, &body).await, 422, "validation_failed").await;
        assert_eq!(
            p.codes_for("password"),
            [
                "password_too_short",
                "password_missing_uppercase",
                "password_missing_digit",
                "password_missing_symbol",
            ]
        );
        let body = app.sign_up_body(EMAIL, "budisantoso").await;
        let p = problem(sign_up(&app, &body).await, 422, "validation_failed").await;
        let codes = p.codes_for("password");
        for code in [
            "password_too_short",
            "password_missing_uppercase",
            "password_missing_digit",
            "password_missing_symbol",
            "password_contains_personal_info",
        ] {
            assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
        }
    }
);

both_backends!(
    passwords_of_64_and_128_characters_are_accepted,
    |app: TestApp| async move {
        for (i, password) in ["Kx7#mQ2!vR9$wLpz".repeat(4), "Kx7#mQ2!vR9$wLpz".repeat(8)]
            .iter()
            .enumerate()
        {
            let email = format!("long{i}@example.com");
            assert_eq!(password.chars().count(), 64 * (i + 1));
            let body = app.sign_up_body(&email, password).await;
            let res = sign_up(&app, &body).await;
            assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
            let mail = nth_mail(&app, &email, 1).await;
            let token = verification_token(&mail);
            let res = app
                .post("/v1/email-verifications", &json!({ "token": token }))
                .await;
            assert_eq!(res.status(), 200);
            // The whole password was kept: it signs in.
            assert_eq!(sign_in(&app, &email, password, None).await.status(), 202);
        }
    }
);

both_backends!(
    malformed_addresses_phones_and_names_are_refused_field_by_field,
    |app: TestApp| async move {
        let cases: [(&str, Value, &str); 11] = [
            ("email", json!("not-an-email"), "email_invalid"),
            ("email", json!("budi@@example.com"), "email_invalid"),
            ("email", json!("budi@localhost"), "email_invalid"),
            ("email", json!("   "), "email_required"),
            ("email", json!("bùdi@example.com"), "email_non_ascii"),
            (
                "phone_number",
                json!("0812 3456 7890"),
                "phone_missing_country_code",
            ),
            ("phone_number", json!("+62 12"), "phone_invalid"),
            ("phone_number", json!("+62 812 CALL ME"), "phone_invalid"),
            ("full_name", json!("   "), "full_name_required"),
            ("full_name", json!("A".repeat(101)), "full_name_too_long"),
            (
                "full_name",
                json!("<b>Budi</b>"),
                "full_name_invalid_characters",
            ),
        ];
        for (field, value, code) in cases {
            let mut body = app.sign_up_body(EMAIL, PASSWORD).await;
            body[field] = value;
            only_field_errors(sign_up(&app, &body).await, &[(field, code)]).await;
        }
        let mut body = app.sign_up_body(EMAIL, PASSWORD).await;
        body["locale"] = json!("fr");
        only_field_errors(
            sign_up(&app, &body).await,
            &[("locale", "locale_unsupported")],
        )
        .await;
        assert_mail_count_stays(&app, EMAIL, 0).await;
    }
);

both_backends!(
    every_invalid_field_is_reported_in_one_answer,
    |app: TestApp| async move {
        let body = json!({
            "full_name": "",
            "email": "nope",
            "password": "short",
            "phone_number": "12",
            "consents": [],
        });
        let p = problem(sign_up(&app, &body).await, 422, "validation_failed").await;
        let fields: Vec<String> = p.field_errors().into_iter().map(|(f, _)| f).collect();
        for field in ["full_name", "email", "password", "phone_number", "consents"] {
            assert!(fields.iter().any(|f| f == field), "{field} in {}", p.text);
        }
    }
);

both_backends!(
    free_mail_addresses_are_refused_under_the_cloud_profile,
    [("PORTAL_PROFILE", "cloud")],
    |app: TestApp| async move {
        for email in ["budi@gmail.com", "budi@GMAIL.com", "budi@yahoo.co.id"] {
            let body = app.sign_up_body(email, PASSWORD).await;
            only_field_errors(
                sign_up(&app, &body).await,
                &[("email", "email_free_mail_domain")],
            )
            .await;
        }
        assert_mail_count_stays(&app, "budi@gmail.com", 0).await;
        // A corporate address, and the cloud profile's shorter minimum (8), are fine.
        let body = app.sign_up_body("budi@example.co.id", "Kx7#mQ2!").await;
        let res = sign_up(&app, &body).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        nth_mail(&app, "budi@example.co.id", 1).await;
    }
);

both_backends!(
    free_mail_addresses_are_accepted_under_the_default_profile,
    |app: TestApp| async move {
        let body = app.sign_up_body("budi@gmail.com", PASSWORD).await;
        let res = sign_up(&app, &body).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        let mail = nth_mail(&app, "budi@gmail.com", 1).await;
        assert!(mail.subject.contains("Verify your email"));
        // And the ai profile's minimum is 14: eight characters are not enough here.
        let body = app.sign_up_body("other@example.com", "Kx7#mQ2!").await;
        only_field_errors(
            sign_up(&app, &body).await,
            &[("password", "password_too_short")],
        )
        .await;
    }
);

both_backends!(
    the_current_terms_and_privacy_policy_must_be_accepted,
    |app: TestApp| async move {
        let mut body = app.sign_up_body(EMAIL, PASSWORD).await;
        body["consents"] = json!([]);
        only_field_errors(
            sign_up(&app, &body).await,
            &[
                ("consents", "consent_required"),
                ("consents", "consent_required"),
            ],
        )
        .await;

        body["consents"] = json!([{ "kind": "terms", "version": "1.0" }]);
        only_field_errors(
            sign_up(&app, &body).await,
            &[("consents", "consent_required")],
        )
        .await;

        body["consents"] = json!([
            { "kind": "terms", "version": "0.9" },
            { "kind": "privacy", "version": "1.0" },
        ]);
        only_field_errors(
            sign_up(&app, &body).await,
            &[("consents", "consent_outdated")],
        )
        .await;

        for kind in ["eula", "cookies"] {
            body["consents"] = json!([
                { "kind": "terms", "version": "1.0" },
                { "kind": "privacy", "version": "1.0" },
                { "kind": kind, "version": "1.0" },
            ]);
            only_field_errors(
                sign_up(&app, &body).await,
                &[("consents", "consent_unknown")],
            )
            .await;
        }
        assert_mail_count_stays(&app, EMAIL, 0).await;
    }
);

both_backends!(
    a_missing_or_wrong_captcha_is_refused,
    |app: TestApp| async move {
        let mut body = app.sign_up_body(EMAIL, PASSWORD).await;
        body.as_object_mut().unwrap().remove("captcha");
        only_field_errors(
            sign_up(&app, &body).await,
            &[("captcha", "captcha_required")],
        )
        .await;
        body["captcha"] = json!("");
        only_field_errors(
            sign_up(&app, &body).await,
            &[("captcha", "captcha_required")],
        )
        .await;
        body["captcha"] = json!("not-a-captcha");
        only_field_errors(
            sign_up(&app, &body).await,
            &[("captcha", "captcha_invalid")],
        )
        .await;
        // A genuine challenge with a nonce that does not do the work.
        body["captcha"] = json!(captcha_without_the_work(&app).await);
        only_field_errors(
            sign_up(&app, &body).await,
            &[("captcha", "captcha_invalid")],
        )
        .await;
        // A solved challenge whose signature was tampered with.
        let solved = app.captcha().await;
        let (token, nonce) = solved.rsplit_once(':').unwrap();
        let (payload, tag) = token.split_once('.').unwrap();
        let flipped = if tag.starts_with('A') { "B" } else { "A" };
        body["captcha"] = json!(format!("{payload}.{flipped}{}:{nonce}", &tag[1..]));
        only_field_errors(
            sign_up(&app, &body).await,
            &[("captcha", "captcha_invalid")],
        )
        .await;
        // An expired one (challenges live 5 minutes).
        body["captcha"] = json!(app.captcha().await);
        app.clock.advance(std::time::Duration::from_secs(301));
        only_field_errors(
            sign_up(&app, &body).await,
            &[("captcha", "captcha_expired")],
        )
        .await;
        assert_mail_count_stays(&app, EMAIL, 0).await;
    }
);

both_backends!(
    a_solved_captcha_is_accepted_only_once,
    |app: TestApp| async move {
        let captcha = app.captcha().await;
        let mut first = app.sign_up_body("first@example.com", PASSWORD).await;
        first["captcha"] = json!(captcha);
        let res = sign_up(&app, &first).await;
        assert_eq!(res.status(), 202);

        let mut second = app.sign_up_body("second@example.com", PASSWORD).await;
        second["captcha"] = json!(captcha);
        only_field_errors(
            sign_up(&app, &second).await,
            &[("captcha", "captcha_invalid")],
        )
        .await;
        nth_mail(&app, "first@example.com", 1).await;
        assert_mail_count_stays(&app, "second@example.com", 0).await;

        // The refused sign-up left nothing behind: with a fresh captcha it goes through once.
        let second = app.sign_up_body("second@example.com", PASSWORD).await;
        assert_eq!(sign_up(&app, &second).await.status(), 202);
        nth_mail(&app, "second@example.com", 1).await;
        assert_mail_count_stays(&app, "second@example.com", 1).await;
    }
);

both_backends!(
    a_refused_sign_up_creates_nothing,
    |app: TestApp| async move {
        let body = app.sign_up_body(EMAIL, "too-weak").await;
        assert_eq!(sign_up(&app, &body).await.status(), 422);
        assert_mail_count_stays(&app, EMAIL, 0).await;
        // No account: the right password of the refused attempt is simply wrong.
        problem(
            sign_in(&app, EMAIL, "too-weak", None).await,
            401,
            "invalid_credentials",
        )
        .await;

        let body = app.sign_up_body(EMAIL, PASSWORD).await;
        let res = sign_up(&app, &body).await;
        assert_eq!(res.status(), 202);
        let accepted: Value = res.json().await.unwrap();
        assert_eq!(
            accepted,
            json!({ "status": "verification_email_sent", "email": EMAIL })
        );
        let mail = nth_mail(&app, EMAIL, 1).await;
        assert!(mail.subject.contains("Verify your email"));
        assert_mail_count_stays(&app, EMAIL, 1).await;
        let token = verification_token(&mail);
        let res = app
            .post("/v1/email-verifications", &json!({ "token": token }))
            .await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    signing_up_with_a_registered_address_answers_like_a_new_one_and_emails_the_owner,
    |app: TestApp| async move {
        let email = "budi@example.com";
        let body = app.sign_up_body(email, PASSWORD).await;
        let res = sign_up(&app, &body).await;
        let (status, content_type) = (res.status(), res.headers()["content-type"].clone());
        let new_answer = res.text().await.unwrap();
        let token = verification_token(&nth_mail(&app, email, 1).await);
        let res = app
            .post("/v1/email-verifications", &json!({ "token": token }))
            .await;
        assert_eq!(res.status(), 200);

        let body = app.sign_up_body(email, "Another-Harbor-Lantern-7").await;
        let res = sign_up(&app, &body).await;
        assert_eq!(res.status(), status);
        assert_eq!(res.headers()["content-type"], content_type);
        assert_eq!(res.text().await.unwrap(), new_answer);

        let mail = nth_mail(&app, email, 2).await;
        assert!(
            mail.subject.contains("Service Portal AI"),
            "{}",
            mail.subject
        );
        assert!(
            mail.subject.contains("already have an account"),
            "{}",
            mail.subject
        );
        assert!(mail
            .first_link_starting_with("http://portal.test/verify-email")
            .is_none());
        assert!(mail.text.contains("http://portal.test/sign-in"));
        assert_mail_count_stays(&app, email, 2).await;

        // Nothing about the account changed: the old password still works, the new one does not.
        problem(
            sign_in(&app, email, "Another-Harbor-Lantern-7", None).await,
            401,
            "invalid_credentials",
        )
        .await;
        assert_eq!(sign_in(&app, email, PASSWORD, None).await.status(), 202);
    }
);

both_backends!(
    email_addresses_are_unique_whatever_their_case,
    |app: TestApp| async move {
        app.verified_account("budi@example.com", PASSWORD).await;
        let body = app
            .sign_up_body("BUDI@Example.com", "Another-Harbor-Lantern-7")
            .await;
        let res = sign_up(&app, &body).await;
        assert_eq!(res.status(), 202);
        let accepted: Value = res.json().await.unwrap();
        assert_eq!(accepted["status"], "verification_email_sent");

        let mail = app
            .mail
            .wait_for("budi@example.com", "already have an account", MAIL_WAIT)
            .await;
        assert_eq!(mail.to, ["budi@example.com"]);
        assert_mail_count_stays(&app, "budi@example.com", 2).await;

        // One account, reachable by either spelling, with the first password only.
        assert_eq!(
            sign_in(&app, "BUDI@EXAMPLE.COM", PASSWORD, None)
                .await
                .status(),
            202
        );
        problem(
            sign_in(&app, "BUDI@Example.com", "Another-Harbor-Lantern-7", None).await,
            401,
            "invalid_credentials",
        )
        .await;
    }
);

both_backends!(
    signing_up_again_before_verifying_sends_a_new_link_at_most_once_a_minute,
    |app: TestApp| async move {
        let email = "pending@example.com";
        let body = app.sign_up_body(email, PASSWORD).await;
        let first = sign_up(&app, &body).await.text().await.unwrap();
        nth_mail(&app, email, 1).await;

        let body = app.sign_up_body(email, PASSWORD).await;
        assert_eq!(sign_up(&app, &body).await.text().await.unwrap(), first);
        let mail = nth_mail(&app, email, 2).await;
        assert!(mail.subject.contains("Verify your email"));

        // Within the minute: the same answer, but no third email.
        let body = app.sign_up_body(email, PASSWORD).await;
        assert_eq!(sign_up(&app, &body).await.text().await.unwrap(), first);
        assert_mail_count_stays(&app, email, 2).await;

        let res = app
            .post(
                "/v1/email-verifications",
                &json!({ "token": verification_token(&mail) }),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
);
