//! Account settings and data rights: a person corrects their name and phone, moves to a new
//! sign-in email (confirmed at the new address, cancellable from the old one), and downloads
//! everything the portal holds about them.

use std::time::Duration;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::guard::{another_session, onboarded, Onboarded};
use crate::mfa::{code_now, send_mfa_code};
use crate::support::{nth_mail, problem, PASSWORD};

const CONFIRM: &str = "http://portal.test/confirm-email-change?token=";
const CANCEL: &str = "http://portal.test/cancel-email-change?token=";

fn token_after(link: &str, prefix: &str) -> String {
    link.trim_start_matches(prefix).to_owned()
}

async fn ask_for_change(app: &TestApp, who: &Onboarded, new_email: &str) -> reqwest::Response {
    app.clock.advance(Duration::from_secs(30));
    app.post_auth(
        "/v1/me/email-changes",
        &who.person.access,
        &json!({ "new_email": new_email, "password": PASSWORD, "mfa_code": code_now(app, &who.totp) }),
    )
    .await
}

/// Asks for a change and returns the confirm token (from the new address's email).
async fn confirm_token(app: &TestApp, who: &Onboarded, new_email: &str) -> String {
    let before = app.settled_mail_count(new_email).await;
    let res = ask_for_change(app, who, new_email).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let mail = nth_mail(app, new_email, before + 1).await;
    assert!(
        mail.subject.contains("Confirm your new email"),
        "{}",
        mail.subject
    );
    token_after(&mail.first_link_starting_with(CONFIRM).unwrap(), CONFIRM)
}

async fn sign_in_status(app: &TestApp, email: &str, device_token: &str) -> u16 {
    app.post(
        "/v1/sessions",
        &json!({ "email": email, "password": PASSWORD, "device_token": device_token }),
    )
    .await
    .status()
    .as_u16()
}

both_backends!(
    a_person_corrects_their_name_and_phone_with_every_error_at_once,
    |app: TestApp| async move {
        let who = onboarded(&app, "profile@example.com").await;
        let access = who.person.access.as_str();
        let patch = |body: Value| {
            let app = &app;
            async move {
                app.client
                    .patch(app.url("/v1/me"))
                    .bearer_auth(access)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let p = problem(
            patch(json!({ "full_name": "", "phone_number": "12" })).await,
            422,
            "validation_failed",
        )
        .await;
        let fields: Vec<String> = p.field_errors().into_iter().map(|(f, _)| f).collect();
        assert!(
            fields.contains(&"full_name".to_owned()) && fields.contains(&"phone_number".to_owned())
        );

        let res = patch(
            json!({ "full_name": "Budi Santoso Wijaya", "phone_number": "+62 813 9876 5432" }),
        )
        .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let me: Value = app.get_auth("/v1/me", access).await.json().await.unwrap();
        assert_eq!(me["full_name"], "Budi Santoso Wijaya");
        assert_eq!(me["phone_number"], "+6281398765432");
        let events: Value = app
            .get_auth("/v1/me/security-events?limit=5", access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(events["items"][0]["kind"], "profile_updated");
    }
);

both_backends!(
    a_person_moves_to_a_new_email_confirmed_at_the_new_address,
    |app: TestApp| async move {
        let who = onboarded(&app, "old@example.com").await;
        let other = another_session(&app, &who).await;
        let new_email = "new@example.co.id";

        // The password (and a code) is asked; the same address is no change.
        app.clock.advance(Duration::from_secs(30));
        let p = problem(
            app.post_auth(
                "/v1/me/email-changes",
                &who.person.access,
                &json!({ "new_email": new_email, "password": "Not-The-Password-1", "mfa_code": code_now(&app, &who.totp) }),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("password"), ["wrong_password"]);
        let p = problem(
            app.post_auth(
                "/v1/me/email-changes",
                &who.person.access,
                &json!({ "new_email": new_email, "password": PASSWORD }),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("mfa_code"), ["mfa_code_required"]);
        let p = problem(
            ask_for_change(&app, &who, "OLD@example.com").await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("new_email"), ["email_unchanged"]);

        let token = confirm_token(&app, &who, new_email).await;
        // The old address is told, with a way to cancel.
        let notice = app
            .mail
            .wait_for(
                &who.person.email,
                "sign-in email was requested",
                Duration::from_secs(10),
            )
            .await;
        assert!(notice.first_link_starting_with(CANCEL).is_some());
        assert!(notice.text.contains(new_email));

        let res = app
            .post("/v1/email-changes/confirm", &json!({ "token": token }))
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let moved: Value = res.json().await.unwrap();
        assert_eq!(moved["email"], new_email);
        // The link works once.
        problem(
            app.post("/v1/email-changes/confirm", &json!({ "token": token }))
                .await,
            400,
            "email_change_link_invalid",
        )
        .await;

        // This session stays; the other one ends.
        let me: Value = app
            .get_auth("/v1/me", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], new_email);
        problem(
            app.get_auth("/v1/me", other["access_token"].as_str().unwrap())
                .await,
            401,
            "session_ended",
        )
        .await;
        app.mail
            .wait_for(
                &who.person.email,
                "Your sign-in email was changed",
                Duration::from_secs(10),
            )
            .await;

        // Sign-in is with the new address now (the device stays trusted, MFA stays on).
        assert_eq!(
            sign_in_status(&app, "old@example.com", &who.person.device_token).await,
            401
        );
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": new_email, "password": PASSWORD, "device_token": who.person.device_token }),
            )
            .await;
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        app.clock.advance(Duration::from_secs(30));
        let res = send_mfa_code(
            &app,
            challenge["challenge_id"].as_str().unwrap(),
            &code_now(&app, &who.totp),
        )
        .await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    the_old_address_cancels_a_confirmed_change_and_gets_a_reset_link,
    |app: TestApp| async move {
        let who = onboarded(&app, "victim@example.com").await;
        let me: Value = app
            .get_auth("/v1/me", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        let account_id = portal_api::domain::AccountId::parse(me["id"].as_str().unwrap()).unwrap();
        let token = confirm_token(&app, &who, "attacker@example.net").await;
        let requested = app
            .mail
            .wait_for(
                &who.person.email,
                "sign-in email was requested",
                Duration::from_secs(10),
            )
            .await;
        let first_cancel =
            token_after(&requested.first_link_starting_with(CANCEL).unwrap(), CANCEL);
        let res = app
            .post("/v1/email-changes/confirm", &json!({ "token": token }))
            .await;
        assert_eq!(res.status(), 200);
        let changed = app
            .mail
            .wait_for(
                &who.person.email,
                "Your sign-in email was changed",
                Duration::from_secs(10),
            )
            .await;
        let second_cancel = token_after(&changed.first_link_starting_with(CANCEL).unwrap(), CANCEL);
        assert_ne!(second_cancel, first_cancel);

        // Days later, still within the week.
        app.clock.advance(Duration::from_secs(3 * 24 * 3600));
        // The link of the first notice still works after the confirmation.
        let res = app
            .post(
                "/v1/email-changes/cancel",
                &json!({ "token": first_cancel }),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let cancelled: Value = res.json().await.unwrap();
        assert_eq!(cancelled["email"], "victim@example.com");
        assert_eq!(cancelled["password_reset_sent"], true);
        // Every session ended, the one that asked for the change too; the old address signs in
        // again and has a reset link.
        let now = portal_api::clock::Clock::now(&*app.clock).naive_utc();
        let live = app
            .in_db(move |conn| {
                Ok(portal_api::db::models::sessions::list_live(
                    conn,
                    &account_id,
                    now,
                )?)
            })
            .await;
        assert!(live.is_empty(), "{live:?}");
        app.mail
            .wait_for(
                &who.person.email,
                "Reset your password",
                Duration::from_secs(10),
            )
            .await;
        assert_eq!(
            sign_in_status(&app, "victim@example.com", &who.person.device_token).await,
            202
        );
        assert_eq!(
            sign_in_status(&app, "attacker@example.net", &who.person.device_token).await,
            401
        );
        // Cancelled once: neither link works again.
        for token in [first_cancel, second_cancel] {
            problem(
                app.post("/v1/email-changes/cancel", &json!({ "token": token }))
                    .await,
                400,
                "email_change_link_invalid",
            )
            .await;
        }
    }
);

both_backends!(
    only_the_newest_confirmation_link_works_and_only_for_thirty_minutes,
    |app: TestApp| async move {
        let who = onboarded(&app, "indecisive@example.com").await;
        let first = confirm_token(&app, &who, "first@example.co.id").await;
        let second = confirm_token(&app, &who, "second@example.co.id").await;
        problem(
            app.post("/v1/email-changes/confirm", &json!({ "token": first }))
                .await,
            400,
            "email_change_link_invalid",
        )
        .await;
        app.clock.advance(Duration::from_secs(31 * 60));
        problem(
            app.post("/v1/email-changes/confirm", &json!({ "token": second }))
                .await,
            400,
            "email_change_link_invalid",
        )
        .await;
    }
);

both_backends!(
    two_accounts_moving_to_one_address_one_wins,
    |app: TestApp| async move {
        let a = onboarded(&app, "first-mover@example.com").await;
        let b = onboarded(&app, "second-mover@example.com").await;
        let target = "contested@example.co.id";
        let ta = confirm_token(&app, &a, target).await;
        let tb = confirm_token(&app, &b, target).await;
        let (ba, bb) = (json!({ "token": ta }), json!({ "token": tb }));
        let (ra, rb) = tokio::join!(
            app.post("/v1/email-changes/confirm", &ba),
            app.post("/v1/email-changes/confirm", &bb),
        );
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409]);
    }
);

both_backends!(
    a_person_downloads_everything_held_about_them_and_nothing_secret,
    |app: TestApp| async move {
        let who = onboarded(&app, "curious@example.com").await;
        let fresh = another_session(&app, &who).await;
        let fresh_access = fresh["access_token"].as_str().unwrap();
        let res = app.get_auth("/v1/me/export", fresh_access).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment"));
        let text = res.text().await.unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["account"]["email"], "curious@example.com");
        assert!(!doc["consents"].as_array().unwrap().is_empty());
        assert_eq!(
            doc["organizations"][0]["projects"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(!doc["devices"].as_array().unwrap().is_empty());
        assert!(doc["sessions"].as_array().unwrap().len() >= 2);
        assert_eq!(doc["mfa"]["totp_active"], true);
        assert!(!doc["security_events"].as_array().unwrap().is_empty());
        for secret in [
            "password_hash",
            "token_hash",
            "code_hash",
            "secret",
            "refresh_token",
            "$argon2",
        ] {
            assert!(!text.contains(secret), "{secret} in the export");
        }

        // Signed in longer ago: the password is asked.
        app.clock.advance(Duration::from_secs(6 * 60));
        let p = problem(
            app.get_auth("/v1/me/export", fresh_access).await,
            403,
            "reauthentication_required",
        )
        .await;
        assert_eq!(p.body["next"]["href"], "/v1/me/export");
        let res = app
            .post_auth(
                "/v1/me/export",
                fresh_access,
                &json!({ "password": PASSWORD, "mfa_code": code_now(&app, &who.totp) }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let p = problem(
            app.post_auth(
                "/v1/me/export",
                fresh_access,
                &json!({ "password": "Not-The-Password-1", "mfa_code": "000000" }),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("password"), ["wrong_password"]);
    }
);

const RESTORE: &str = "http://portal.test/restore-account?token=";

async fn close_own(app: &TestApp, access: &str, body: &Value) -> reqwest::Response {
    app.client
        .delete(app.url("/v1/me"))
        .bearer_auth(access)
        .json(body)
        .send()
        .await
        .unwrap()
}

both_backends!(
    closing_an_account_ends_it_at_once_and_the_emailed_link_restores_it,
    |app: TestApp| async move {
        // Someone who has not created an organization (nothing to hand over).
        let email = "leaving@example.com";
        app.verified_account(email, PASSWORD).await;
        let tokens = app.signed_in(email, PASSWORD).await;
        let access = tokens["access_token"].as_str().unwrap();

        let p = problem(
            close_own(&app, access, &json!({ "password": "Not-The-Password-1" })).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("password"), ["wrong_password"]);

        let res = close_own(&app, access, &json!({ "password": PASSWORD })).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        let closed: Value = res.json().await.unwrap();
        let erase_after: chrono::DateTime<chrono::Utc> =
            closed["erase_after"].as_str().unwrap().parse().unwrap();
        let days = (erase_after - portal_api::clock::Clock::now(&*app.clock)).num_days();
        assert!((29..=30).contains(&days), "{days}");

        // At once: the session is over, refresh and sign-in are refused.
        problem(app.get_auth("/v1/me", access).await, 401, "session_ended").await;
        problem(
            app.post(
                "/v1/sessions/refresh",
                &json!({ "refresh_token": tokens["refresh_token"] }),
            )
            .await,
            401,
            "invalid_refresh_token",
        )
        .await;
        problem(
            app.post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD, "device_token": tokens["device_token"] }),
            )
            .await,
            403,
            "account_closed",
        )
        .await;
        // The wrong password still says only that.
        problem(
            app.post(
                "/v1/sessions",
                &json!({ "email": email, "password": "Not-The-Password-1" }),
            )
            .await,
            401,
            "invalid_credentials",
        )
        .await;

        let mail = app
            .mail
            .wait_for(email, "Your account was closed", Duration::from_secs(10))
            .await;
        let token = token_after(&mail.first_link_starting_with(RESTORE).unwrap(), RESTORE);
        app.clock.advance(Duration::from_secs(10 * 24 * 3600));
        let res = app
            .post("/v1/account-closures/restore", &json!({ "token": token }))
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let restored: Value = res.json().await.unwrap();
        assert_eq!(restored["email"], email);
        problem(
            app.post("/v1/account-closures/restore", &json!({ "token": token }))
                .await,
            400,
            "restore_link_invalid",
        )
        .await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD, "device_token": tokens["device_token"] }),
            )
            .await;
        assert_eq!(res.status(), 200);

        // The erasure job finds a restored account and leaves it alone.
        app.clock.advance(Duration::from_secs(25 * 24 * 3600));
        app.settle().await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": PASSWORD, "device_token": tokens["device_token"] }),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    after_the_grace_period_the_personal_data_is_erased_and_the_address_is_free,
    |app: TestApp| async move {
        let email = "gone@example.com";
        app.verified_account(email, PASSWORD).await;
        let tokens = app.signed_in(email, PASSWORD).await;
        let access = tokens["access_token"].as_str().unwrap();
        let me: Value = app.get_auth("/v1/me", access).await.json().await.unwrap();
        let id = portal_api::domain::AccountId::parse(me["id"].as_str().unwrap()).unwrap();
        let res = close_own(&app, access, &json!({ "password": PASSWORD })).await;
        assert_eq!(res.status(), 202);
        let mail = app
            .mail
            .wait_for(email, "Your account was closed", Duration::from_secs(10))
            .await;
        let token = token_after(&mail.first_link_starting_with(RESTORE).unwrap(), RESTORE);

        app.clock.advance(Duration::from_secs(31 * 24 * 3600));
        // The job runs when due: poll the database until the account is erased.
        let db = app.db();
        let mut erased = None;
        for _ in 0..100 {
            let id = id.clone();
            let account = portal_tests::in_db(&db, move |conn| {
                Ok(portal_api::db::models::accounts::find(conn, &id)?)
            })
            .await
            .unwrap();
            if account.erased_at.is_some() {
                erased = Some(account);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let account = erased.expect("erased after the grace period");
        assert_ne!(account.email, email);
        assert!(account.full_name.is_empty() && account.phone_number.is_empty());
        assert!(account.password_hash.is_none());
        let id2 = id.clone();
        let (devices, consents) = portal_tests::in_db(&db, move |conn| {
            let devices = portal_api::db::models::devices::list_all(conn, &id2)?;
            let consents = portal_api::db::models::accounts::consent_records(conn, &id2)?;
            Ok((devices, consents))
        })
        .await;
        assert!(devices.is_empty());
        assert!(!consents.is_empty(), "consent records are kept");
        assert!(
            consents.iter().all(|c| c.3.is_none() && c.4.is_none()),
            "without addresses"
        );

        // Too late to restore; the address can be used for a new account.
        problem(
            app.post("/v1/account-closures/restore", &json!({ "token": token }))
                .await,
            400,
            "restore_link_invalid",
        )
        .await;
        let body = app.sign_up_body(email, PASSWORD).await;
        assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);
        app.mail
            .wait_for(email, "Verify your email", Duration::from_secs(10))
            .await;
    }
);

both_backends!(
    the_only_owner_of_an_organization_with_projects_cannot_close_and_staff_follow_the_same_rule,
    |app: TestApp| async move {
        let who = onboarded(&app, "owner@example.com").await;
        app.clock.advance(Duration::from_secs(30));
        let p = problem(
            close_own(
                &app,
                &who.person.access,
                &json!({ "password": PASSWORD, "mfa_code": code_now(&app, &who.totp) }),
            )
            .await,
            409,
            "sole_owner",
        )
        .await;
        assert!(p.body["detail"]
            .as_str()
            .unwrap()
            .contains("PT Maju Jaya Teknologi"));
        assert_eq!(
            app.get_auth("/v1/me", &who.person.access).await.status(),
            200
        );

        // An organization without projects but with another member keeps its owner too.
        let colleague = crate::organizations::member(&app, "colleague@example.com").await;
        let owner = who.person.clone();
        let second = crate::organizations::organization(&app, &who.person.access).await;
        let second_id = second["id"].as_str().unwrap();
        crate::teams::joined(&app, &owner, second_id, &colleague, "admin").await;
        app.clock.advance(Duration::from_secs(30));
        let p = problem(
            close_own(
                &app,
                &who.person.access,
                &json!({ "password": PASSWORD, "mfa_code": code_now(&app, &who.totp) }),
            )
            .await,
            409,
            "sole_owner",
        )
        .await;
        let detail = p.body["detail"].as_str().unwrap();
        assert!(detail.contains("other members"), "{detail}");

        let staff = crate::enterprise::staff(&app).await;
        let me: Value = app
            .get_auth("/v1/me", &who.person.access)
            .await
            .json()
            .await
            .unwrap();
        let path = format!("/v1/admin/accounts/{}", me["id"].as_str().unwrap());
        let res = app
            .client
            .delete(app.url(&path))
            .bearer_auth(&staff.access)
            .send()
            .await
            .unwrap();
        problem(res, 409, "sole_owner").await;

        // Someone without an organization: staff close it; the person is told and signed out.
        let email = "closed-by-staff@example.com";
        app.verified_account(email, PASSWORD).await;
        let tokens = app.signed_in(email, PASSWORD).await;
        let access = tokens["access_token"].as_str().unwrap();
        let other: Value = app.get_auth("/v1/me", access).await.json().await.unwrap();
        let res = app
            .client
            .delete(app.url(&format!(
                "/v1/admin/accounts/{}",
                other["id"].as_str().unwrap()
            )))
            .bearer_auth(&staff.access)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
        problem(app.get_auth("/v1/me", access).await, 401, "session_ended").await;
        let mail = app
            .mail
            .wait_for(email, "Your account was closed", Duration::from_secs(10))
            .await;
        assert!(mail.first_link_starting_with(RESTORE).is_some());
        // Customers cannot close other accounts.
        let res = app
            .client
            .delete(app.url(&format!(
                "/v1/admin/accounts/{}",
                other["id"].as_str().unwrap()
            )))
            .bearer_auth(&who.person.access)
            .send()
            .await
            .unwrap();
        problem(res, 403, "forbidden").await;
    }
);

both_backends!(
    new_recovery_codes_replace_the_old_ones,
    |app: TestApp| async move {
        let who = onboarded(&app, "codes@example.com").await;
        app.clock.advance(Duration::from_secs(30));
        let p = problem(
            app.post_auth(
                "/v1/me/mfa/recovery-codes",
                &who.person.access,
                &json!({ "password": "Not-The-Password-1", "mfa_code": code_now(&app, &who.totp) }),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(p.codes_for("password"), ["wrong_password"]);
        app.clock.advance(Duration::from_secs(30));
        let res = app
            .post_auth(
                "/v1/me/mfa/recovery-codes",
                &who.person.access,
                &json!({ "password": PASSWORD, "mfa_code": code_now(&app, &who.totp) }),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let fresh: Value = res.json().await.unwrap();
        let codes: Vec<String> = fresh["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| !who.recovery_codes.contains(c)));

        // An old code no longer signs in; a new one does.
        let challenge = crate::mfa::mfa_challenge(&app, &who.person).await;
        problem(
            send_mfa_code(&app, &challenge, &who.recovery_codes[0]).await,
            400,
            "invalid_code",
        )
        .await;
        let res = send_mfa_code(&app, &challenge, &codes[0]).await;
        assert_eq!(res.status(), 200);
    }
);
