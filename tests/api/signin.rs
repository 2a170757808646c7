//! Sign-in: one answer for a wrong email or a wrong password, throttling and a captcha after
//! repeated failures, the emailed device code (single-use, expiring, few attempts, resendable),
//! trusted devices, and the cookie mode for browsers.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::support::{
    assert_mail_count_stays, device_challenge, device_code_path, nth_mail, other_code, problem,
    sign_in, PASSWORD,
};

const EMAIL: &str = "budi@example.co.id";

both_backends!(
    a_wrong_password_and_an_unknown_email_get_byte_identical_answers,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        let wrong_password = sign_in(&app, EMAIL, "Wrong-Harbor-Lantern-42", None).await;
        let wrong_headers = wrong_password.headers().clone();
        let wrong_password = wrong_password.text().await.unwrap();
        let unknown = sign_in(&app, "nobody@example.co.id", PASSWORD, None).await;
        let unknown_headers = unknown.headers().clone();
        let unknown = unknown.text().await.unwrap();
        assert_eq!(wrong_password, unknown);
        for name in ["content-type", "cache-control", "www-authenticate"] {
            assert_eq!(wrong_headers.get(name), unknown_headers.get(name), "{name}");
        }
        let body: Value = serde_json::from_str(&unknown).unwrap();
        assert_eq!(body["status"], 401);
        assert_eq!(body["code"], "invalid_credentials");
        // Not even an address, or one with a NUL in it: the same answer again.
        for email in ["not-an-address", "budi\u{0}@example.co.id", "\u{0}"] {
            let res = sign_in(&app, email, PASSWORD, None).await;
            assert_eq!(res.text().await.unwrap(), unknown, "{email:?}");
        }
        assert_mail_count_stays(&app, EMAIL, 1).await;
    }
);

both_backends!(
    five_failures_block_the_address_even_for_the_right_password,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        for n in 0..5 {
            // From the fourth failure on, a captcha is required too.
            let captcha = if n >= 3 {
                Some(app.captcha().await)
            } else {
                None
            };
            problem(
                sign_in(&app, EMAIL, "Wrong-Harbor-Lantern-42", captcha.as_deref()).await,
                401,
                "invalid_credentials",
            )
            .await;
        }
        let captcha = app.captcha().await;
        let p = problem(
            sign_in(&app, EMAIL, PASSWORD, Some(&captcha)).await,
            429,
            "too_many_attempts",
        )
        .await;
        let wait = p.retry_after();
        assert!((1..=15 * 60).contains(&wait), "Retry-After {wait}");
        assert_eq!(p.body["retry_after"], wait);
        // Nothing was sent while blocked.
        assert_mail_count_stays(&app, EMAIL, 1).await;

        // When the block is over, the right password gets through (no captcha asked any more).
        app.clock.advance(Duration::from_secs(wait + 1));
        let res = sign_in(&app, EMAIL, PASSWORD, None).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    }
);

both_backends!(
    an_unknown_address_is_throttled_exactly_like_a_known_one,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        let mut answers = Vec::new();
        for email in [EMAIL, "ghost@example.co.id"] {
            let mut trail = Vec::new();
            for _ in 0..3 {
                let res = sign_in(&app, email, "Wrong-Harbor-Lantern-42", None).await;
                trail.push(res.status().as_u16());
            }
            let p = problem(
                sign_in(&app, email, "Wrong-Harbor-Lantern-42", None).await,
                422,
                "validation_failed",
            )
            .await;
            assert_eq!(p.codes_for("captcha"), ["captcha_required"]);
            for _ in 0..2 {
                let captcha = app.captcha().await;
                let res = sign_in(&app, email, "Wrong-Harbor-Lantern-42", Some(&captcha)).await;
                trail.push(res.status().as_u16());
            }
            let res = sign_in(&app, email, "Wrong-Harbor-Lantern-42", None).await;
            trail.push(res.status().as_u16());
            answers.push(trail);
        }
        assert_eq!(answers[0], [401, 401, 401, 401, 401, 429]);
        assert_eq!(answers[0], answers[1]);
    }
);

both_backends!(
    after_three_failures_a_captcha_is_required_and_a_solved_one_lets_the_right_password_in,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        for _ in 0..3 {
            problem(
                sign_in(&app, EMAIL, "Wrong-Harbor-Lantern-42", None).await,
                401,
                "invalid_credentials",
            )
            .await;
        }
        // Even the right password needs the captcha now.
        let p = problem(
            sign_in(&app, EMAIL, PASSWORD, None).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            p.field_errors(),
            [("captcha".into(), "captcha_required".into())]
        );
        let p = problem(
            sign_in(&app, EMAIL, PASSWORD, Some("garbage")).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("captcha"), ["captcha_invalid"]);

        let captcha = app.captcha().await;
        let res = sign_in(&app, EMAIL, PASSWORD, Some(&captcha)).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        nth_mail(&app, EMAIL, 2).await;
        // Success clears the failures: no captcha asked for the next sign-in.
        assert_eq!(sign_in(&app, EMAIL, PASSWORD, None).await.status(), 202);
        // And the captcha that was used cannot be used again.
        for _ in 0..3 {
            sign_in(&app, EMAIL, "Wrong-Harbor-Lantern-42", None).await;
        }
        let p = problem(
            sign_in(&app, EMAIL, PASSWORD, Some(&captcha)).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("captcha"), ["captcha_invalid"]);
    }
);

both_backends!(
    a_solved_captcha_cannot_be_replayed_for_further_password_guesses,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        for _ in 0..3 {
            sign_in(&app, EMAIL, "Wrong-Harbor-Lantern-42", None).await;
        }
        let captcha = app.captcha().await;
        problem(
            sign_in(&app, EMAIL, "Wrong-Harbor-Lantern-41", Some(&captcha)).await,
            401,
            "invalid_credentials",
        )
        .await;
        // "Each solved challenge is accepted once": the second guess with it must be refused.
        let p = problem(
            sign_in(&app, EMAIL, "Wrong-Harbor-Lantern-40", Some(&captcha)).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("captcha"), ["captcha_invalid"]);
    }
);

both_backends!(
    an_unverified_address_with_the_right_password_is_told_to_verify,
    |app: TestApp| async move {
        let body = app.sign_up_body(EMAIL, PASSWORD).await;
        assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);
        let p = problem(
            sign_in(&app, EMAIL, PASSWORD, None).await,
            403,
            "email_not_verified",
        )
        .await;
        assert_eq!(
            p.body["next"],
            json!({ "method": "POST", "href": "/v1/email-verifications/resend" })
        );
        // The wrong password says nothing about verification.
        problem(
            sign_in(&app, EMAIL, "Wrong-Harbor-Lantern-42", None).await,
            401,
            "invalid_credentials",
        )
        .await;
    }
);

both_backends!(
    a_wrong_device_code_is_refused_and_five_use_up_the_sign_in,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        let (challenge, code) = device_challenge(&app, EMAIL, PASSWORD).await;
        let path = device_code_path(&challenge);
        let wrong = other_code(&code);
        for left in (1..=4).rev() {
            let p = problem(
                app.post(&path, &json!({ "code": wrong })).await,
                400,
                "invalid_code",
            )
            .await;
            let detail = p.body["detail"].as_str().unwrap();
            assert!(
                detail.contains(&format!("{left} attempts left")),
                "{detail}"
            );
        }
        let p = problem(
            app.post(&path, &json!({ "code": wrong })).await,
            429,
            "too_many_attempts",
        )
        .await;
        assert_eq!(p.body["next"]["href"], "/v1/sessions");
        // Even the right code is refused now.
        problem(
            app.post(&path, &json!({ "code": code })).await,
            429,
            "too_many_attempts",
        )
        .await;
    }
);

both_backends!(
    codes_that_are_not_six_digits_count_as_wrong,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        let (challenge, code) = device_challenge(&app, EMAIL, PASSWORD).await;
        let path = device_code_path(&challenge);
        for wrong in ["", "12345", "abcdef", "1234567"] {
            problem(
                app.post(&path, &json!({ "code": wrong })).await,
                400,
                "invalid_code",
            )
            .await;
        }
        // Surrounding spaces are forgiven.
        let res = app
            .post(&path, &json!({ "code": format!(" {code} ") }))
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
);

both_backends!(
    a_device_code_expires_after_ten_minutes,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        let (challenge, code) = device_challenge(&app, EMAIL, PASSWORD).await;
        app.clock.advance(Duration::from_secs(11 * 60));
        let p = problem(
            app.post(&device_code_path(&challenge), &json!({ "code": code }))
                .await,
            410,
            "challenge_expired",
        )
        .await;
        assert_eq!(p.body["next"]["href"], "/v1/sessions");
        problem(
            app.post(
                &format!("{}/resend", device_code_path(&challenge)),
                &json!({}),
            )
            .await,
            410,
            "challenge_expired",
        )
        .await;
    }
);

both_backends!(a_device_code_signs_in_once, |app: TestApp| async move {
    app.verified_account(EMAIL, PASSWORD).await;
    let (challenge, code) = device_challenge(&app, EMAIL, PASSWORD).await;
    let path = device_code_path(&challenge);
    let res = app.post(&path, &json!({ "code": code })).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    // Fifteen minutes (a second may tick between signing and answering).
    let expires_in = tokens["expires_in"].as_i64().unwrap();
    assert!((899..=900).contains(&expires_in), "{expires_in}");
    for field in [
        "access_token",
        "refresh_token",
        "device_token",
        "session_id",
    ] {
        assert!(
            tokens[field].as_str().is_some_and(|t| !t.is_empty()),
            "{field}"
        );
    }
    let p = problem(
        app.post(&path, &json!({ "code": code })).await,
        404,
        "challenge_not_found",
    )
    .await;
    assert_eq!(p.body["next"]["href"], "/v1/sessions");
    problem(
        app.post(&format!("{path}/resend"), &json!({})).await,
        404,
        "challenge_not_found",
    )
    .await;
});

both_backends!(
    an_unknown_challenge_is_not_found,
    |app: TestApp| async move {
        for id in [
            "0190c6a8-0000-7000-8000-000000000000",
            "nope",
            "a%00b",
            "%00",
            &"x".repeat(65),
        ] {
            problem(
                app.post(&device_code_path(id), &json!({ "code": "123456" }))
                    .await,
                404,
                "challenge_not_found",
            )
            .await;
            problem(
                app.post(&format!("{}/resend", device_code_path(id)), &json!({}))
                    .await,
                404,
                "challenge_not_found",
            )
            .await;
        }
    }
);

both_backends!(
    a_new_device_code_can_be_sent_once_a_minute_and_replaces_the_old_one,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        let (challenge, old_code) = device_challenge(&app, EMAIL, PASSWORD).await;
        let path = device_code_path(&challenge);
        let resend = format!("{path}/resend");

        let p = problem(app.post(&resend, &json!({})).await, 429, "resend_too_soon").await;
        let wait = p.retry_after();
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        assert_mail_count_stays(&app, EMAIL, 2).await;

        app.clock.advance(Duration::from_secs(61));
        let res = app.post(&resend, &json!({})).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        let resent: Value = res.json().await.unwrap();
        assert!(resent["expires_at"].is_string());
        let mail = nth_mail(&app, EMAIL, 3).await;
        assert!(mail.subject.contains("Please verify your device"));
        let new_code = mail.six_digit_code().unwrap();

        if new_code != old_code {
            problem(
                app.post(&path, &json!({ "code": old_code })).await,
                400,
                "invalid_code",
            )
            .await;
        }
        let res = app.post(&path, &json!({ "code": new_code })).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
);

both_backends!(
    at_most_five_device_codes_are_sent_per_sign_in,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        let (challenge, _) = device_challenge(&app, EMAIL, PASSWORD).await;
        let resend = format!("{}/resend", device_code_path(&challenge));
        for _ in 0..4 {
            app.clock.advance(Duration::from_secs(61));
            assert_eq!(app.post(&resend, &json!({})).await.status(), 202);
        }
        app.clock.advance(Duration::from_secs(61));
        let p = problem(app.post(&resend, &json!({})).await, 429, "too_many_resends").await;
        assert_eq!(p.body["next"]["href"], "/v1/sessions");
        // The sign-up link and five codes.
        app.mail
            .wait_count(EMAIL, 6, crate::support::MAIL_WAIT)
            .await;
        assert_mail_count_stays(&app, EMAIL, 6).await;
    }
);

both_backends!(
    a_trusted_device_skips_the_code_but_only_for_its_own_account,
    |app: TestApp| async move {
        let other = "siti@example.co.id";
        app.verified_account(EMAIL, PASSWORD).await;
        app.verified_account(other, PASSWORD).await;
        let tokens = app.signed_in(EMAIL, PASSWORD).await;
        let device = tokens["device_token"].as_str().unwrap();

        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": EMAIL, "password": PASSWORD, "device_token": device }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let again: Value = res.json().await.unwrap();
        assert!(
            again["device_token"].is_null(),
            "no new device token: {again}"
        );
        assert!(again["refresh_token"].is_string());

        // The same device token means nothing to another account.
        let before = app.settled_mail_count(other).await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": other, "password": PASSWORD, "device_token": device }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        assert_eq!(challenge["next_step"], "device_code");
        assert_eq!(challenge["email_hint"], "s•••@example.co.id");
        nth_mail(&app, other, before + 1).await;

        // A made-up device token is no better.
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": EMAIL, "password": PASSWORD, "device_token": "made-up" }),
            )
            .await;
        assert_eq!(res.status(), 202);
    }
);

/// The `Set-Cookie` headers of a response by cookie name.
fn set_cookies(res: &reqwest::Response) -> Vec<(String, String)> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| {
            let v = v.to_str().unwrap().to_owned();
            let name = v.split('=').next().unwrap().to_owned();
            (name, v)
        })
        .collect()
}

fn cookie_value(header: &str) -> String {
    header
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

fn assert_browser_cookie(header: &str) {
    let attributes: Vec<String> = header
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for wanted in ["httponly", "samesite=strict", "path=/v1/sessions"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "{wanted} in {header}"
        );
    }
    // The test portal is served over http://, so the cookie cannot be Secure here.
    assert!(!attributes.iter().any(|a| a == "secure"), "{header}");
}

both_backends!(
    browsers_get_their_tokens_in_http_only_cookies,
    |app: TestApp| async move {
        app.verified_account(EMAIL, PASSWORD).await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": EMAIL, "password": PASSWORD, "use_cookies": true }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        let code = nth_mail(&app, EMAIL, 2).await.six_digit_code().unwrap();
        let res = app
            .post(
                &device_code_path(challenge["challenge_id"].as_str().unwrap()),
                &json!({ "code": code }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let cookies = set_cookies(&res);
        let body: Value = res.json().await.unwrap();
        assert!(body["access_token"].is_string());
        assert!(body.get("refresh_token").is_none(), "{body}");
        assert!(body.get("device_token").is_none(), "{body}");

        let refresh = cookies
            .iter()
            .find(|(n, _)| n == "portal_refresh")
            .map(|(_, h)| h.clone())
            .expect("a portal_refresh cookie");
        let device = cookies
            .iter()
            .find(|(n, _)| n == "portal_device")
            .map(|(_, h)| h.clone())
            .expect("a portal_device cookie");
        assert_browser_cookie(&refresh);
        assert_browser_cookie(&device);

        // The browser refreshes with an empty body and the cookie.
        let res = app
            .client
            .post(app.url("/v1/sessions/refresh"))
            .header(
                "cookie",
                format!("portal_refresh={}", cookie_value(&refresh)),
            )
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let rotated = set_cookies(&res);
        let body: Value = res.json().await.unwrap();
        assert!(body["access_token"].is_string());
        assert!(body.get("refresh_token").is_none(), "{body}");
        let next = rotated
            .iter()
            .find(|(n, _)| n == "portal_refresh")
            .map(|(_, h)| h.clone())
            .expect("a rotated portal_refresh cookie");
        assert_browser_cookie(&next);
        assert_ne!(cookie_value(&next), cookie_value(&refresh));

        // Signing in again from the same browser skips the code.
        let before = app.settled_mail_count(EMAIL).await;
        let res = app
            .client
            .post(app.url("/v1/sessions"))
            .header("cookie", format!("portal_device={}", cookie_value(&device)))
            .json(&json!({ "email": EMAIL, "password": PASSWORD, "use_cookies": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(set_cookies(&res).iter().any(|(n, _)| n == "portal_refresh"));
        assert_mail_count_stays(&app, EMAIL, before).await;
    }
);
