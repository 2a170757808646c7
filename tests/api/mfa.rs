//! MFA, told as stories: enroll an authenticator app after the earlier onboarding steps,
//! activate it with a real code computed from the `otpauth://` URI (as the app would), keep the
//! recovery codes, and from then on answer the `mfa_code` step of every sign-in — with no code
//! ever accepted twice, few attempts, and password plus code to switch it off or replace it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use portal_api::clock::Clock as _;
use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};
use totp_rs::TOTP;

use crate::support::{device_challenge, device_code_path, nth_mail, problem, Person, PASSWORD};

const STEP: Duration = Duration::from_secs(30);

pub(crate) async fn onboarding(app: &TestApp, access: &str) -> Value {
    let res = app.get_auth("/v1/me/onboarding", access).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Signs up, verifies, signs in from a new device, and takes every onboarding step before MFA
/// through the API: legal documents (if asked), an organization, a project.
pub(crate) async fn ready_for_mfa(app: &TestApp, email: &str) -> Person {
    app.verified_account(email, PASSWORD).await;
    let tokens = app.signed_in(email, PASSWORD).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let device_token = tokens["device_token"].as_str().unwrap().to_owned();

    if onboarding(app, &access).await["next_step"] == "accept_legal_documents" {
        let res = app
            .post_auth(
                "/v1/me/consents",
                &access,
                &json!({ "consents": app.consents().await }),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }

    let reps: Value = app
        .get_auth("/v1/sales-representatives", &access)
        .await
        .json()
        .await
        .unwrap();
    let rep = reps["items"][0]["id"]
        .as_str()
        .expect("a sales representative");
    let res = app
        .post_auth(
            "/v1/organizations",
            &access,
            &json!({
                "name": "PT Maju Jaya Teknologi",
                "address": "Jl. Jend. Sudirman Kav. 52-53",
                "country": "ID",
                "description": "Data analytics for retail",
                "business_phone": "+62 21 5150 1234",
                "city": "Jakarta Selatan",
                "region": "DKI Jakarta",
                "zip": "12190",
                "sales_representative_id": rep,
            }),
        )
        .await;
    assert_eq!(
        res.status(),
        201,
        "organization: {}",
        res.text().await.unwrap()
    );
    let organization: Value = res.json().await.unwrap();
    let path = format!(
        "/v1/organizations/{}/projects",
        organization["id"].as_str().unwrap()
    );
    let res = app
        .post_auth(
            &path,
            &access,
            &json!({
                "name": "Retail Analytics",
                "description": "Dashboards for the retail team",
                "vat_id": "01.234.567.8-901.000",
                "vat_name": "PT Maju Jaya Teknologi",
                "vat_address": "Jl. Jend. Sudirman Kav. 52-53, Jakarta 12190",
            }),
        )
        .await;
    assert_eq!(res.status(), 201, "project: {}", res.text().await.unwrap());

    let status = onboarding(app, &access).await;
    assert_eq!(status["remaining_steps"], json!(["activate_mfa"]));
    Person {
        access,
        device_token,
        ..Person::from_tokens(email, &tokens)
    }
}

/// The authenticator app: what it reads from the `otpauth://` URI.
pub(crate) fn authenticator(enrollment: &Value) -> TOTP {
    TOTP::from_url(enrollment["otpauth_uri"].as_str().unwrap()).expect("a valid otpauth:// URI")
}

/// The code the app shows at `at`.
fn code_at(app_totp: &TOTP, at: DateTime<Utc>) -> String {
    app_totp.generate(u64::try_from(at.timestamp()).unwrap())
}

/// The code the app shows now (by the server's clock).
pub(crate) fn code_now(app: &TestApp, app_totp: &TOTP) -> String {
    code_at(app_totp, app.clock.now())
}

/// A six-digit code that is none of the codes ±1 step around now.
pub(crate) fn wrong_code(app: &TestApp, app_totp: &TOTP) -> String {
    let now = app.clock.now();
    let near: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|s| code_at(app_totp, now + chrono::Duration::seconds(*s)))
        .collect();
    (0..1_000_000u32)
        .map(|n| format!("{:06}", (n * 7919 + 123_457) % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap()
}

async fn enroll(app: &TestApp, access: &str, body: &Value) -> reqwest::Response {
    app.post_auth("/v1/me/mfa/totp", access, body).await
}

async fn activate(app: &TestApp, access: &str, code: &str) -> reqwest::Response {
    app.post_auth("/v1/me/mfa/totp/activate", access, &json!({ "code": code }))
        .await
}

async fn disable(app: &TestApp, access: &str, body: &Value) -> reqwest::Response {
    app.client
        .delete(app.url("/v1/me/mfa/totp"))
        .bearer_auth(access)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Enrolls and activates: the authenticator app and the recovery codes.
pub(crate) async fn mfa_on(app: &TestApp, person: &Person) -> (TOTP, Vec<String>) {
    let res = enroll(app, &person.access, &json!({ "password": PASSWORD })).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let enrollment: Value = res.json().await.unwrap();
    let app_totp = authenticator(&enrollment);
    let res = activate(app, &person.access, &code_now(app, &app_totp)).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let activated: Value = res.json().await.unwrap();
    // Wait for the confirmation email, so that later emails are counted from a settled inbox.
    app.mail
        .wait_for(
            &person.email,
            "Multi-factor authentication is now on",
            Duration::from_secs(10),
        )
        .await;
    let codes = activated["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (app_totp, codes)
}

/// Signs in from the trusted device: the `mfa_code` challenge id.
pub(crate) async fn mfa_challenge(app: &TestApp, person: &Person) -> String {
    let res = app
        .post(
            "/v1/sessions",
            &json!({ "email": person.email, "password": PASSWORD, "device_token": person.device_token }),
        )
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let challenge: Value = res.json().await.unwrap();
    assert_eq!(challenge["next_step"], "mfa_code");
    challenge["challenge_id"].as_str().unwrap().to_owned()
}

pub(crate) async fn send_mfa_code(
    app: &TestApp,
    challenge_id: &str,
    code: &str,
) -> reqwest::Response {
    app.post(
        &format!("/v1/sessions/{challenge_id}/mfa-code"),
        &json!({ "code": code }),
    )
    .await
}

async fn event_kinds(app: &TestApp, access: &str) -> Vec<String> {
    let res = app
        .get_auth("/v1/me/security-events?limit=100", access)
        .await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

both_backends!(
    mfa_is_enrolled_activated_and_then_asked_for_at_sign_in,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "mfa@example.co.id").await;

        // The password is confirmed first.
        let res = enroll(
            &app,
            &person.access,
            &json!({ "password": "Not-The-Password-1" }),
        )
        .await;
        problem(res, 403, "reauthentication_failed").await;

        let res = enroll(&app, &person.access, &json!({ "password": PASSWORD })).await;
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let enrollment: Value = res.json().await.unwrap();
        assert_eq!(enrollment["issuer"], "Service Portal AI");
        assert_eq!(enrollment["account_name"], "mfa@example.co.id");
        assert_eq!(enrollment["digits"], 6);
        assert_eq!(enrollment["period"], 30);
        assert_eq!(enrollment["algorithm"], "SHA1");
        let secret = enrollment["secret"].as_str().unwrap();
        assert_eq!(secret.len(), 32, "160 bits in base32");
        let uri = enrollment["otpauth_uri"].as_str().unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Service%20Portal%20AI:mfa%40example.co.id?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={secret}")));
        assert!(enrollment["qr_code"]
            .as_str()
            .unwrap()
            .starts_with("data:image/svg+xml;base64,"));
        let app_totp = authenticator(&enrollment);
        assert_eq!(app_totp.get_secret_base32(), secret);
        assert_eq!(app_totp.issuer.as_deref(), Some("Service Portal AI"));

        // Not active until a code proves the app has the secret.
        let res = activate(&app, &person.access, &wrong_code(&app, &app_totp)).await;
        let p = problem(res, 400, "invalid_code").await;
        assert!(p.body["detail"]
            .as_str()
            .unwrap()
            .contains("4 attempts left"));
        assert_eq!(
            onboarding(&app, &person.access).await["remaining_steps"],
            json!(["activate_mfa"])
        );

        let res = activate(&app, &person.access, &code_now(&app, &app_totp)).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let activated: Value = res.json().await.unwrap();
        let codes: Vec<&str> = activated["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 27, "{code}");
            assert_eq!(code.split('-').count(), 4, "{code}");
        }
        assert!(activated["activated_at"].is_string());
        let mail = app
            .mail
            .wait_for(
                &person.email,
                "Multi-factor authentication is now on",
                Duration::from_secs(10),
            )
            .await;
        assert!(
            !mail.text.contains(codes[0]),
            "recovery codes are never emailed"
        );

        let status = onboarding(&app, &person.access).await;
        assert_eq!(status["complete"], true);
        // The enrollment is spent.
        let res = activate(&app, &person.access, &code_now(&app, &app_totp)).await;
        problem(res, 409, "mfa_enrollment_not_started").await;

        // The next sign-in, from the trusted device, asks for a code instead of giving tokens.
        let mails_before = app.settled_mail_count(&person.email).await;
        let challenge = mfa_challenge(&app, &person).await;
        app.clock.advance(STEP);
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &app_totp)).await;
        assert_eq!(res.status(), 200);
        let tokens: Value = res.json().await.unwrap();
        assert!(tokens["access_token"].is_string());
        assert!(tokens["refresh_token"].is_string());
        assert!(
            tokens.get("device_token").is_none(),
            "the device was already trusted"
        );
        let me = app
            .get_auth("/v1/me", tokens["access_token"].as_str().unwrap())
            .await;
        assert_eq!(me.status(), 200);
        assert_eq!(
            app.mail.count_to(&person.email),
            mails_before,
            "nothing is emailed"
        );

        // The challenge is finished.
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &app_totp)).await;
        problem(res, 404, "challenge_not_found").await;

        let kinds = event_kinds(&app, tokens["access_token"].as_str().unwrap()).await;
        assert!(kinds.contains(&"mfa_activated".to_owned()), "{kinds:?}");
        assert!(kinds.contains(&"mfa_used".to_owned()), "{kinds:?}");
    }
);

both_backends!(
    a_totp_code_is_never_accepted_twice_nor_two_steps_away,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "replay@example.com").await;
        let (app_totp, _) = mfa_on(&app, &person).await;
        app.clock.advance(STEP);

        let challenge = mfa_challenge(&app, &person).await;
        let code = code_now(&app, &app_totp);
        let res = send_mfa_code(&app, &challenge, &code).await;
        assert_eq!(res.status(), 200);

        // The same code again, in a new sign-in within its 30 seconds: refused.
        let challenge = mfa_challenge(&app, &person).await;
        let res = send_mfa_code(&app, &challenge, &code).await;
        problem(res, 400, "invalid_code").await;

        // The code of one step earlier is refused too: a later one was already used.
        let earlier = code_at(&app_totp, app.clock.now() - chrono::Duration::seconds(30));
        if earlier != code {
            let res = send_mfa_code(&app, &challenge, &earlier).await;
            problem(res, 400, "invalid_code").await;
        }

        // Two steps away (a minute later, or earlier) is out of the window.
        app.clock.advance(STEP);
        let far_past = code_at(&app_totp, app.clock.now() - chrono::Duration::seconds(60));
        let far_future = code_at(&app_totp, app.clock.now() + chrono::Duration::seconds(60));
        let now_code = code_now(&app, &app_totp);
        for far in [far_past, far_future] {
            if far != now_code {
                let res = send_mfa_code(&app, &challenge, &far).await;
                problem(res, 400, "invalid_code").await;
            }
        }

        // The current code of a later step works.
        let res = send_mfa_code(&app, &challenge, &now_code).await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    a_recovery_code_signs_in_once_only,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "recovery@example.com").await;
        let (_, codes) = mfa_on(&app, &person).await;

        // Typed loosely: lower case, spaces instead of dashes.
        let typed = codes[3].to_lowercase().replace('-', " ");
        let challenge = mfa_challenge(&app, &person).await;
        let res = send_mfa_code(&app, &challenge, &typed).await;
        assert_eq!(res.status(), 200);
        let tokens: Value = res.json().await.unwrap();

        let challenge = mfa_challenge(&app, &person).await;
        let res = send_mfa_code(&app, &challenge, &codes[3]).await;
        problem(res, 400, "invalid_code").await;
        // Another one still works.
        let res = send_mfa_code(&app, &challenge, &codes[4]).await;
        assert_eq!(res.status(), 200);

        let kinds = event_kinds(&app, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(
            kinds.iter().filter(|k| *k == "recovery_code_used").count(),
            2,
            "{kinds:?}"
        );
    }
);

both_backends!(
    five_wrong_mfa_codes_end_the_sign_in,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "wrong@example.com").await;
        let (app_totp, _) = mfa_on(&app, &person).await;
        app.clock.advance(STEP);

        let challenge = mfa_challenge(&app, &person).await;
        let wrong = wrong_code(&app, &app_totp);
        for left in (1..=4).rev() {
            let res = send_mfa_code(&app, &challenge, &wrong).await;
            let p = problem(res, 400, "invalid_code").await;
            assert!(
                p.body["detail"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("{left} attempts left")),
                "{}",
                p.text
            );
        }
        let res = send_mfa_code(&app, &challenge, &wrong).await;
        let p = problem(res, 429, "too_many_attempts").await;
        assert_eq!(p.body["next"]["href"], "/v1/sessions");
        // Even the right code cannot finish this sign-in now.
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &app_totp)).await;
        problem(res, 429, "too_many_attempts").await;

        // A new sign-in works with the right code.
        let challenge = mfa_challenge(&app, &person).await;
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &app_totp)).await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    wrong_mfa_codes_are_limited_per_account_across_sign_ins,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "guesser@example.com").await;
        let (app_totp, _) = mfa_on(&app, &person).await;
        app.clock.advance(STEP);
        let wrong = wrong_code(&app, &app_totp);

        // Two sign-ins of five guesses each reach the account's limit.
        for _ in 0..2 {
            let challenge = mfa_challenge(&app, &person).await;
            for _ in 0..5 {
                let res = send_mfa_code(&app, &challenge, &wrong).await;
                assert!(matches!(res.status().as_u16(), 400 | 429));
            }
        }
        let challenge = mfa_challenge(&app, &person).await;
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &app_totp)).await;
        let p = problem(res, 429, "too_many_attempts").await;
        assert!(p.retry_after() > 0);

        // After the block, the right code is accepted.
        app.clock.advance(Duration::from_secs(16 * 60));
        let challenge = mfa_challenge(&app, &person).await;
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &app_totp)).await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    a_new_device_needs_the_emailed_code_then_the_mfa_code_and_is_trusted_after_both,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "newdevice@example.com").await;
        let (app_totp, _) = mfa_on(&app, &person).await;
        app.clock.advance(STEP);

        // A browser without the device token.
        let (challenge, code) = device_challenge(&app, &person.email, PASSWORD).await;
        let res = app
            .post(&device_code_path(&challenge), &json!({ "code": code }))
            .await;
        assert_eq!(res.status(), 202);
        let next: Value = res.json().await.unwrap();
        assert_eq!(next["next_step"], "mfa_code");
        assert!(next.get("device_token").is_none() && next.get("access_token").is_none());
        let mfa = next["challenge_id"].as_str().unwrap();
        assert_ne!(mfa, challenge);

        let res = send_mfa_code(&app, mfa, &code_now(&app, &app_totp)).await;
        assert_eq!(res.status(), 200);
        let tokens: Value = res.json().await.unwrap();
        let device_token = tokens["device_token"]
            .as_str()
            .expect("the new device's token comes with the last step");

        // That device is now recognized: only the MFA code is asked for.
        let later = Person {
            device_token: device_token.to_owned(),
            ..person.clone()
        };
        app.clock.advance(STEP);
        let challenge = mfa_challenge(&app, &later).await;
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &app_totp)).await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    browsers_get_the_device_cookie_when_the_mfa_step_completes,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "cookies@example.com").await;
        let (app_totp, _) = mfa_on(&app, &person).await;
        app.clock.advance(STEP);

        let before = app.settled_mail_count(&person.email).await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": person.email, "password": PASSWORD, "use_cookies": true }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        let mail = nth_mail(&app, &person.email, before + 1).await;
        let code = mail.six_digit_code().unwrap();
        let res = app
            .post(
                &device_code_path(challenge["challenge_id"].as_str().unwrap()),
                &json!({ "code": code }),
            )
            .await;
        assert_eq!(res.status(), 202);
        assert!(
            res.headers().get("set-cookie").is_none(),
            "no cookie before the last step"
        );
        let next: Value = res.json().await.unwrap();

        let res = send_mfa_code(
            &app,
            next["challenge_id"].as_str().unwrap(),
            &code_now(&app, &app_totp),
        )
        .await;
        assert_eq!(res.status(), 200);
        let cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert!(
            cookies.iter().any(|c| c.starts_with("portal_device=")),
            "{cookies:?}"
        );
        assert!(
            cookies.iter().any(|c| c.starts_with("portal_refresh=")),
            "{cookies:?}"
        );
        let body: Value = res.json().await.unwrap();
        assert!(body.get("device_token").is_none() && body.get("refresh_token").is_none());
    }
);

both_backends!(
    an_mfa_sign_in_is_its_own_step_and_expires_after_ten_minutes,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "slow@example.com").await;
        let (app_totp, _) = mfa_on(&app, &person).await;
        // Unknown sign-ins, however their ids look, are 404.
        for unknown in ["a%00b", "0193a5b0-7e1c-7c3e-8f00-4b2d9c1e5a01", "x"] {
            let res = send_mfa_code(&app, unknown, "123456").await;
            problem(res, 404, "challenge_not_found").await;
        }
        // A device-code challenge is not an MFA challenge.
        let (device_challenge_id, _) = device_challenge(&app, &person.email, PASSWORD).await;
        let res = send_mfa_code(&app, &device_challenge_id, "123456").await;
        problem(res, 404, "challenge_not_found").await;

        let challenge = mfa_challenge(&app, &person).await;
        // Nor is an MFA challenge a device-code one.
        let res = app
            .post(&device_code_path(&challenge), &json!({ "code": "123456" }))
            .await;
        problem(res, 404, "challenge_not_found").await;
        app.clock.advance(Duration::from_secs(10 * 60 + 1));
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &app_totp)).await;
        problem(res, 410, "challenge_expired").await;
    }
);

both_backends!(
    disabling_mfa_needs_the_password_and_a_current_code,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "disable@example.com").await;
        let (app_totp, codes) = mfa_on(&app, &person).await;
        app.clock.advance(STEP);

        // The code is not optional.
        let res = disable(&app, &person.access, &json!({ "password": PASSWORD })).await;
        problem(res, 400, "invalid_body").await;
        // A wrong password with the right code, or the right password with a wrong code: the
        // same answer, and neither code is spent.
        let res = disable(
            &app,
            &person.access,
            &json!({ "password": "Not-The-Password-1", "code": code_now(&app, &app_totp) }),
        )
        .await;
        problem(res, 403, "reauthentication_failed").await;
        let res = disable(
            &app,
            &person.access,
            &json!({ "password": PASSWORD, "code": wrong_code(&app, &app_totp) }),
        )
        .await;
        problem(res, 403, "reauthentication_failed").await;

        let res = disable(
            &app,
            &person.access,
            &json!({ "password": PASSWORD, "code": code_now(&app, &app_totp) }),
        )
        .await;
        assert_eq!(res.status(), 204);

        // MFA is mandatory: onboarding asks for it again, and the recovery codes are gone.
        let status = onboarding(&app, &person.access).await;
        assert_eq!(status["remaining_steps"], json!(["activate_mfa"]));
        let res = disable(
            &app,
            &person.access,
            &json!({ "password": PASSWORD, "code": codes[0] }),
        )
        .await;
        problem(res, 409, "mfa_not_active").await;

        // Sign-in no longer asks for a code.
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": person.email, "password": PASSWORD, "device_token": person.device_token }),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    replacing_the_authenticator_needs_a_code_and_keeps_the_old_one_until_activation,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "reset@example.com").await;
        let (old_app, old_codes) = mfa_on(&app, &person).await;
        app.clock.advance(STEP);

        let res = enroll(&app, &person.access, &json!({ "password": PASSWORD })).await;
        problem(res, 403, "mfa_code_required").await;
        let res = enroll(
            &app,
            &person.access,
            &json!({ "password": PASSWORD, "code": wrong_code(&app, &old_app) }),
        )
        .await;
        problem(res, 403, "reauthentication_failed").await;

        let res = enroll(
            &app,
            &person.access,
            &json!({ "password": PASSWORD, "code": code_now(&app, &old_app) }),
        )
        .await;
        assert_eq!(res.status(), 201);
        let enrollment: Value = res.json().await.unwrap();
        let new_app = authenticator(&enrollment);
        assert_ne!(new_app.get_secret_base32(), old_app.get_secret_base32());

        // Until the new one is activated, the old authenticator still signs in.
        app.clock.advance(STEP);
        let challenge = mfa_challenge(&app, &person).await;
        let res = send_mfa_code(&app, &challenge, &code_now(&app, &old_app)).await;
        assert_eq!(res.status(), 200);

        let res = activate(&app, &person.access, &code_now(&app, &new_app)).await;
        assert_eq!(res.status(), 200);
        let activated: Value = res.json().await.unwrap();
        let new_codes = activated["recovery_codes"].as_array().unwrap();
        assert_eq!(new_codes.len(), 10);

        // Now only the new authenticator and the new recovery codes work.
        app.clock.advance(STEP);
        let challenge = mfa_challenge(&app, &person).await;
        let old_code = code_now(&app, &old_app);
        let new_code = code_now(&app, &new_app);
        if old_code != new_code {
            let res = send_mfa_code(&app, &challenge, &old_code).await;
            problem(res, 400, "invalid_code").await;
        }
        let res = send_mfa_code(&app, &challenge, &old_codes[0]).await;
        problem(res, 400, "invalid_code").await;
        let res = send_mfa_code(&app, &challenge, &new_code).await;
        assert_eq!(res.status(), 200);
        let challenge = mfa_challenge(&app, &person).await;
        let res = send_mfa_code(&app, &challenge, new_codes[0].as_str().unwrap()).await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    five_wrong_activation_codes_discard_the_enrollment,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "activation@example.com").await;
        let res = enroll(&app, &person.access, &json!({ "password": PASSWORD })).await;
        assert_eq!(res.status(), 201);
        let app_totp = authenticator(&res.json().await.unwrap());
        let wrong = wrong_code(&app, &app_totp);
        for _ in 0..4 {
            let res = activate(&app, &person.access, &wrong).await;
            problem(res, 400, "invalid_code").await;
        }
        let res = activate(&app, &person.access, &wrong).await;
        let p = problem(res, 429, "too_many_attempts").await;
        assert_eq!(p.body["next"]["href"], "/v1/me/mfa/totp");
        let res = activate(&app, &person.access, &code_now(&app, &app_totp)).await;
        problem(res, 409, "mfa_enrollment_not_started").await;

        // Starting again gives a new secret that can be activated.
        let (_, codes) = mfa_on(&app, &person).await;
        assert_eq!(codes.len(), 10);
    }
);

both_backends!(
    mfa_enrollment_waits_for_the_earlier_onboarding_steps,
    |app: TestApp| async move {
        app.verified_account("early@example.com", PASSWORD).await;
        let tokens = app.signed_in("early@example.com", PASSWORD).await;
        let access = tokens["access_token"].as_str().unwrap();
        let res = enroll(&app, access, &json!({ "password": PASSWORD })).await;
        let p = problem(res, 403, "onboarding_incomplete").await;
        assert_eq!(p.body["next_step"], "create_organization");
        let res = activate(&app, access, "123456").await;
        problem(res, 403, "onboarding_incomplete").await;

        // And no token, no entry.
        let res = app
            .post("/v1/me/mfa/totp", &json!({ "password": PASSWORD }))
            .await;
        problem(res, 401, "missing_token").await;
    }
);

both_backends!(
    a_staff_member_resets_the_mfa_of_a_locked_out_person,
    |app: TestApp| async move {
        let person = ready_for_mfa(&app, "lockedout@example.com").await;
        let (_, _) = mfa_on(&app, &person).await;
        let me: Value = app
            .get_auth("/v1/me", &person.access)
            .await
            .json()
            .await
            .unwrap();
        let person_id = me["id"].as_str().unwrap().to_owned();

        // A staff member: invited, password set, legal documents accepted, MFA on.
        let staff_email = "helpdesk@example.com";
        app.create_admin(staff_email, "Sari Dewi").await;
        let mail = app
            .mail
            .wait_for(staff_email, "", Duration::from_secs(10))
            .await;
        let link = mail
            .first_link_starting_with("http://portal.test/accept-invitation?token=")
            .expect("an invitation link");
        let token = link.split("token=").nth(1).unwrap();
        let res = app
            .post(
                "/v1/invitations/accept",
                &json!({ "token": token, "password": PASSWORD }),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let tokens = app.signed_in(staff_email, PASSWORD).await;
        let staff = Person::from_tokens(staff_email, &tokens);
        let res = app
            .post_auth(
                "/v1/me/consents",
                &staff.access,
                &json!({ "consents": app.consents().await }),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        mfa_on(&app, &staff).await;

        let reset = format!("/v1/admin/accounts/{person_id}/mfa/reset");
        // Not for the person themselves.
        let res = app.post_auth(&reset, &person.access, &json!({})).await;
        problem(res, 403, "forbidden").await;
        let res = app.post_auth(&reset, &staff.access, &json!({})).await;
        assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());

        // The person signs in with the password alone, and is asked to activate MFA again.
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": person.email, "password": PASSWORD, "device_token": person.device_token }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let tokens: Value = res.json().await.unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(
            onboarding(&app, access).await["remaining_steps"],
            json!(["activate_mfa"])
        );
        // Resetting again changes nothing and still answers 204.
        let res = app.post_auth(&reset, &staff.access, &json!({})).await;
        assert_eq!(res.status(), 204);

        // The person sees who reset it once MFA is on again.
        let again = Person {
            access: access.to_owned(),
            ..person.clone()
        };
        mfa_on(&app, &again).await;
        let res = app
            .get_auth("/v1/me/security-events?limit=100", access)
            .await;
        let page: Value = res.json().await.unwrap();
        let reset_event = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "mfa_reset")
            .expect("an mfa_reset event");
        assert!(reset_event["details"]["actor_id"].is_string());
    }
);
