//! Sessions that really end. Every authenticated route is walked from the served OpenAPI
//! document, so a route added later cannot forget the guard: a signed-out token answers 401
//! `session_ended` everywhere at once, and a customer's token on any staff route answers 403
//! whatever its body or query. Then the sessions a person can see and end, the staff switch that
//! ends them all, and the factor changes that end every other session.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use totp_rs::TOTP;

use crate::errors::{operations, Operation};
use crate::mfa::{code_now, mfa_challenge, mfa_on, ready_for_mfa, send_mfa_code};
use crate::support::Person;
use crate::support::{problem, PASSWORD};

const STEP: Duration = Duration::from_secs(30);

/// Someone who finished onboarding, with their authenticator.
pub(crate) struct Onboarded {
    pub person: Person,
    pub totp: TOTP,
    pub recovery_codes: Vec<String>,
}

pub(crate) async fn onboarded(app: &TestApp, email: &str) -> Onboarded {
    let person = ready_for_mfa(app, email).await;
    let (totp, recovery_codes) = mfa_on(app, &person).await;
    Onboarded {
        person,
        totp,
        recovery_codes,
    }
}

/// Signs in again from the trusted device with a fresh TOTP code: the token response.
pub(crate) async fn another_session(app: &TestApp, who: &Onboarded) -> Value {
    app.clock.advance(STEP);
    let challenge = mfa_challenge(app, &who.person).await;
    let res = send_mfa_code(app, &challenge, &code_now(app, &who.totp)).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// Sends `op` with the token, a body that is not even JSON, and a query the route does not
/// know: only the guard's answer may come back.
async fn send_anything(app: &TestApp, op: &Operation, token: &str) -> reqwest::Response {
    app.client
        .request(
            op.method.clone(),
            app.url(&format!("{}?limit=x&email=", op.path())),
        )
        .bearer_auth(token)
        .header("content-type", "text/plain")
        .body("not json")
        .send()
        .await
        .unwrap()
}

both_backends!(
    a_signed_out_token_is_refused_on_every_authenticated_route_at_once,
    |app: TestApp| async move {
        let who = onboarded(&app, "walk@example.com").await;
        let token = who.person.access.clone();
        // Live, the token reaches the organization list; signed out, nothing at all.
        assert_eq!(
            app.get_auth("/v1/organizations", &token).await.status(),
            200
        );
        assert_eq!(
            app.delete_auth("/v1/sessions/current", &token)
                .await
                .status(),
            204
        );
        let ops: Vec<Operation> = operations(&app)
            .await
            .into_iter()
            .filter(|op| op.auth)
            .collect();
        assert!(
            ops.len() >= 25,
            "the document lists the authenticated routes"
        );
        let mut wrong = Vec::new();
        for op in &ops {
            let res = send_anything(&app, op, &token).await;
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or_default();
            if status != 401 || body["code"] != "session_ended" {
                wrong.push(format!("{} {}: {status} {body}", op.method, op.template));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
);

both_backends!(
    a_customer_token_on_any_staff_route_is_forbidden_whatever_it_sends,
    |app: TestApp| async move {
        let who = onboarded(&app, "customer@example.com").await;
        let ops: Vec<Operation> = operations(&app)
            .await
            .into_iter()
            .filter(|op| op.template.starts_with("/v1/admin/"))
            .collect();
        assert!(ops.len() >= 8, "{ops:?}");
        let mut wrong = Vec::new();
        for op in &ops {
            for res in [
                send_anything(&app, op, &who.person.access).await,
                app.client
                    .request(op.method.clone(), app.url(&op.path()))
                    .bearer_auth(&who.person.access)
                    .json(&json!({ "surprise": [1, 2, 3] }))
                    .send()
                    .await
                    .unwrap(),
            ] {
                let status = res.status().as_u16();
                let text = res.text().await.unwrap();
                let body: Value = serde_json::from_str(&text).unwrap_or_default();
                if status != 403 || body["code"] != "forbidden" || text.contains("expected") {
                    wrong.push(format!("{} {}: {status} {text}", op.method, op.template));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
);

both_backends!(
    removing_a_device_ends_its_sessions_on_every_endpoint,
    |app: TestApp| async move {
        let who = onboarded(&app, "device@example.com").await;
        let other = another_session(&app, &who).await;
        let other_access = other["access_token"].as_str().unwrap();
        let devices: Value = app
            .get_auth("/v1/me/devices", other_access)
            .await
            .json()
            .await
            .unwrap();
        let device = devices["items"][0]["id"].as_str().unwrap().to_owned();
        let res = app
            .delete_auth(&format!("/v1/me/devices/{device}"), other_access)
            .await;
        assert_eq!(res.status(), 204);
        // Both sessions came from that device: neither reads nor writes anything now.
        for access in [who.person.access.as_str(), other_access] {
            problem(
                app.get_auth("/v1/organizations", access).await,
                401,
                "session_ended",
            )
            .await;
            problem(
                app.post_auth("/v1/organizations", access, &json!({})).await,
                401,
                "session_ended",
            )
            .await;
        }
    }
);

both_backends!(
    a_person_lists_their_sessions_and_ends_one_or_all_others,
    |app: TestApp| async move {
        let who = onboarded(&app, "sessions@example.com").await;
        let second = another_session(&app, &who).await;
        let third = another_session(&app, &who).await;
        let access = who.person.access.as_str();

        let list: Value = app
            .get_auth("/v1/me/sessions", access)
            .await
            .json()
            .await
            .unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{list}");
        let current: Vec<&Value> = items.iter().filter(|s| s["current"] == true).collect();
        assert_eq!(current.len(), 1, "exactly one is this session: {list}");
        for s in items {
            assert!(s["created_at"].is_string() && s["last_used_at"].is_string());
            assert_eq!(s["client_ip"], "127.0.0.1");
            assert!(s["device_label"].is_string(), "{s}");
            assert!(s.get("refresh_token").is_none() && s.get("token_hash").is_none());
        }

        // End the second one: its access and refresh tokens stop at once.
        let second_id = second["session_id"].as_str().unwrap();
        let res = app
            .delete_auth(&format!("/v1/me/sessions/{second_id}"), access)
            .await;
        assert_eq!(res.status(), 204);
        problem(
            app.get_auth("/v1/me", second["access_token"].as_str().unwrap())
                .await,
            401,
            "session_ended",
        )
        .await;
        problem(
            app.post(
                "/v1/sessions/refresh",
                &json!({ "refresh_token": second["refresh_token"] }),
            )
            .await,
            401,
            "invalid_refresh_token",
        )
        .await;
        // Ended already, unknown, or not an id: 404.
        for id in [second_id, "0190c6a8-0000-7000-8000-000000000000", "nope"] {
            problem(
                app.delete_auth(&format!("/v1/me/sessions/{id}"), access)
                    .await,
                404,
                "not_found",
            )
            .await;
        }

        // Someone else's session is not theirs to end.
        let stranger = onboarded(&app, "stranger@example.com").await;
        let stranger_sessions: Value = app
            .get_auth("/v1/me/sessions", &stranger.person.access)
            .await
            .json()
            .await
            .unwrap();
        let stranger_id = stranger_sessions["items"][0]["id"].as_str().unwrap();
        problem(
            app.delete_auth(&format!("/v1/me/sessions/{stranger_id}"), access)
                .await,
            404,
            "not_found",
        )
        .await;
        assert_eq!(
            app.get_auth("/v1/me", &stranger.person.access)
                .await
                .status(),
            200
        );

        // All others: the third ends, this one stays.
        let res = app.delete_auth("/v1/me/sessions", access).await;
        assert_eq!(res.status(), 200);
        let ended: Value = res.json().await.unwrap();
        assert_eq!(ended["ended"], 1);
        problem(
            app.get_auth("/v1/me", third["access_token"].as_str().unwrap())
                .await,
            401,
            "session_ended",
        )
        .await;
        assert_eq!(app.get_auth("/v1/me", access).await.status(), 200);
        let list: Value = app
            .get_auth("/v1/me/sessions", access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        let events: Value = app
            .get_auth("/v1/me/security-events?limit=100", access)
            .await
            .json()
            .await
            .unwrap();
        let kinds: Vec<&str> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.contains(&"session_ended") && kinds.contains(&"sessions_ended"));
    }
);

both_backends!(
    staff_end_every_session_of_an_account,
    |app: TestApp| async move {
        let who = onboarded(&app, "lost-phone@example.com").await;
        let second = another_session(&app, &who).await;
        let staff = crate::enterprise::staff(&app).await;
        let me: Value = app
            .get_auth("/v1/me", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        let path = format!(
            "/v1/admin/accounts/{}/sessions/revoke",
            me["id"].as_str().unwrap()
        );

        // Not for the person themselves.
        problem(
            app.post_auth(&path, &who.person.access, &json!({})).await,
            403,
            "forbidden",
        )
        .await;
        let res = app.post_auth(&path, &staff.access, &json!({})).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let ended: Value = res.json().await.unwrap();
        assert_eq!(ended["ended"], 2);
        for access in [
            who.person.access.as_str(),
            second["access_token"].as_str().unwrap(),
        ] {
            problem(app.get_auth("/v1/me", access).await, 401, "session_ended").await;
        }
        // The staff member's own session is untouched; an unknown account is a 404.
        assert_eq!(app.get_auth("/v1/me", &staff.access).await.status(), 200);
        problem(
            app.post_auth(
                "/v1/admin/accounts/0190c6a8-0000-7000-8000-000000000000/sessions/revoke",
                &staff.access,
                &json!({}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
        // The person signs in again as before: the device stays trusted, MFA stays on.
        let again = another_session(&app, &who).await;
        assert!(again["access_token"].is_string());
    }
);

both_backends!(
    switching_mfa_off_ends_every_other_session_and_tells_the_person,
    |app: TestApp| async move {
        let who = onboarded(&app, "mfa-off@example.com").await;
        let other = another_session(&app, &who).await;
        app.clock.advance(STEP);
        let res = app
            .client
            .delete(app.url("/v1/me/mfa/totp"))
            .bearer_auth(&who.person.access)
            .json(&json!({ "password": PASSWORD, "code": code_now(&app, &who.totp) }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
        // The other session's refresh token no longer works (ASVS 5.0 V7.4.3).
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
        problem(
            app.get_auth("/v1/me", other["access_token"].as_str().unwrap())
                .await,
            401,
            "session_ended",
        )
        .await;
        assert_eq!(
            app.get_auth("/v1/me", &who.person.access).await.status(),
            200
        );
        let mail = app
            .mail
            .wait_for(
                &who.person.email,
                "Multi-factor authentication was turned off",
                Duration::from_secs(10),
            )
            .await;
        assert!(mail.text.contains("127.0.0.1"), "{}", mail.text);
        assert!(
            mail.text.contains("http://portal.test/forgot-password"),
            "{}",
            mail.text
        );
    }
);

both_backends!(
    a_staff_mfa_reset_ends_every_session_and_tells_the_person,
    |app: TestApp| async move {
        let who = onboarded(&app, "reset-me@example.com").await;
        let staff = crate::enterprise::staff(&app).await;
        let me: Value = app
            .get_auth("/v1/me", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        let path = format!(
            "/v1/admin/accounts/{}/mfa/reset",
            me["id"].as_str().unwrap()
        );
        let res = app.post_auth(&path, &staff.access, &json!({})).await;
        assert_eq!(res.status(), 204);
        problem(
            app.get_auth("/v1/me", &who.person.access).await,
            401,
            "session_ended",
        )
        .await;
        let mail = app
            .mail
            .wait_for(
                &who.person.email,
                "Multi-factor authentication was reset",
                Duration::from_secs(10),
            )
            .await;
        assert!(
            !mail.text.contains(&staff.email),
            "the notice does not name staff"
        );
    }
);

both_backends!(
    a_recovery_code_used_to_sign_in_is_told_with_how_many_are_left,
    |app: TestApp| async move {
        let who = onboarded(&app, "recovery@example.com").await;
        let challenge = mfa_challenge(&app, &who.person).await;
        let res = send_mfa_code(&app, &challenge, &who.recovery_codes[0]).await;
        assert_eq!(res.status(), 200);
        let mail = app
            .mail
            .wait_for(
                &who.person.email,
                "A recovery code was used",
                Duration::from_secs(10),
            )
            .await;
        assert!(
            mail.text.contains('9'),
            "nine codes are left: {}",
            mail.text
        );
    }
);

both_backends!(
    the_right_password_then_three_wrong_codes_warns_the_person,
    |app: TestApp| async move {
        let who = onboarded(&app, "warned@example.com").await;
        let challenge = mfa_challenge(&app, &who.person).await;
        let wrong = crate::mfa::wrong_code(&app, &who.totp);
        for _ in 0..2 {
            problem(
                send_mfa_code(&app, &challenge, &wrong).await,
                400,
                "invalid_code",
            )
            .await;
        }
        crate::support::assert_mail_count_stays(
            &app,
            &who.person.email,
            app.mail.count_to(&who.person.email),
        )
        .await;
        let before = app.settled_mail_count(&who.person.email).await;
        problem(
            send_mfa_code(&app, &challenge, &wrong).await,
            400,
            "invalid_code",
        )
        .await;
        let mail = crate::support::nth_mail(&app, &who.person.email, before + 1).await;
        assert!(
            mail.subject
                .contains("Someone tried to sign in with your password"),
            "{}",
            mail.subject
        );
        assert!(mail.text.contains("http://portal.test/forgot-password"));
    }
);

both_backends!(
    a_sign_in_from_a_new_device_is_told_but_the_first_one_is_not,
    |app: TestApp| async move {
        let who = onboarded(&app, "travels@example.com").await;
        let mails = app.mail.all();
        assert!(
            !mails
                .iter()
                .any(|m| m.subject.contains("Sign-in from a new device")),
            "the first device is no news"
        );
        // A second device: password, emailed code, then the authenticator.
        let (challenge, code) =
            crate::support::device_challenge(&app, &who.person.email, PASSWORD).await;
        let res = app
            .post(
                &crate::support::device_code_path(&challenge),
                &json!({ "code": code }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let next: Value = res.json().await.unwrap();
        app.clock.advance(STEP);
        let res = send_mfa_code(
            &app,
            next["challenge_id"].as_str().unwrap(),
            &code_now(&app, &who.totp),
        )
        .await;
        assert_eq!(res.status(), 200);
        let mail = app
            .mail
            .wait_for(
                &who.person.email,
                "Sign-in from a new device",
                Duration::from_secs(10),
            )
            .await;
        assert!(mail.text.contains("127.0.0.1"), "{}", mail.text);
    }
);

both_backends!(
    wrong_device_codes_count_across_new_challenges_and_resends,
    |app: TestApp| async move {
        let email = "guesser@example.com";
        app.verified_account(email, PASSWORD).await;
        // Ten wrong codes over several sign-ins (each challenge allows five)...
        let mut last = None;
        for _ in 0..3 {
            let (challenge, code) = crate::support::device_challenge(&app, email, PASSWORD).await;
            for _ in 0..4 {
                let res = app
                    .post(
                        &crate::support::device_code_path(&challenge),
                        &json!({ "code": crate::support::other_code(&code) }),
                    )
                    .await;
                let status = res.status().as_u16();
                assert!(status == 400 || status == 429, "{status}");
            }
            last = Some((challenge, code));
        }
        // ...and a new challenge's right code is refused for now (NIST SP 800-63B-4 §3.1.3.2).
        let (challenge, code) = crate::support::device_challenge(&app, email, PASSWORD).await;
        let p = problem(
            app.post(
                &crate::support::device_code_path(&challenge),
                &json!({ "code": code }),
            )
            .await,
            429,
            "too_many_attempts",
        )
        .await;
        assert!(p.retry_after() > 0);
        drop(last);
        // After the block, the right code works and clears the count.
        app.clock.advance(Duration::from_secs(3601));
        let (challenge, code) = crate::support::device_challenge(&app, email, PASSWORD).await;
        let res = app
            .post(
                &crate::support::device_code_path(&challenge),
                &json!({ "code": code }),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
);

both_backends!(
    cookie_endpoints_refuse_requests_from_another_site,
    |app: TestApp| async move {
        let email = "csrf@example.com";
        app.verified_account(email, PASSWORD).await;
        let body = json!({ "email": email, "password": PASSWORD, "use_cookies": true });
        for (name, value) in [
            ("origin", "https://evil.example"),
            ("origin", "null"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let res = app
                .client
                .post(app.url("/v1/sessions"))
                .header(name, value)
                .json(&body)
                .send()
                .await
                .unwrap();
            problem(res, 403, "cross_site_request").await;
            let res = app
                .client
                .post(app.url("/v1/sessions/refresh"))
                .header(name, value)
                .header("cookie", "portal_refresh=anything")
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            problem(res, 403, "cross_site_request").await;
        }
        // From the portal itself (its public origin, or the address it was reached at), fine.
        for origin in ["http://portal.test", &app.url("")] {
            let res = app
                .client
                .post(app.url("/v1/sessions"))
                .header("origin", origin.trim_end_matches('/'))
                .header("sec-fetch-site", "same-origin")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 202, "{origin}: {}", res.text().await.unwrap());
        }
        // Sign-out too (once the two codes above have arrived).
        app.mail.wait_count(email, 3, Duration::from_secs(10)).await;
        let tokens = app.signed_in(email, PASSWORD).await;
        let res = app
            .client
            .request(Method::DELETE, app.url("/v1/sessions/current"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        problem(res, 403, "cross_site_request").await;
    }
);
