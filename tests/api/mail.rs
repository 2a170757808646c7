//! Email delivery: a message the SMTP server refuses for now is not lost, and is not sent twice.

use std::time::Duration;

use portal_tests::{both_backends, verification_token, TestApp};
use serde_json::json;

use crate::support::{assert_mail_count_stays, nth_mail, PASSWORD};

use portal_api::db::models::outbox;
use portal_api::db::DbError;
use portal_api::mail::{self, Template};

both_backends!(
    a_verification_email_refused_by_smtp_is_retried_and_arrives_once,
    |app: TestApp| async move {
        let email = "retry@example.com";
        app.mail.set_fail_next(1);
        let body = app.sign_up_body(email, PASSWORD).await;
        assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);

        // The first attempt happens at once (the worker is woken on commit) and is refused.
        app.settle().await;
        assert_eq!(app.mail.count_to(email), 0, "refused by the SMTP server");

        // The retry is due 30 s later, but the server answers again now: the worker notices
        // (it asks the server every 10 s while messages wait) and sends it without waiting out
        // the backoff. The clock does not move here: this is real time.
        let started = std::time::Instant::now();
        let mail = app
            .mail
            .wait_for(email, "Verify your email", Duration::from_secs(20))
            .await;
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{:?}",
            started.elapsed()
        );
        assert!(mail.subject.contains("Verify your email"));
        // Exactly once, even after more polls of the worker.
        assert_mail_count_stays(&app, email, 1).await;

        // And the link in it works.
        let res = app
            .post(
                "/v1/email-verifications",
                &json!({ "token": verification_token(&mail) }),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
);

both_backends!(
    emails_are_multipart_with_the_portal_as_sender,
    |app: TestApp| async move {
        let email = "parts@example.com";
        let body = app.sign_up_body(email, PASSWORD).await;
        assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);
        let mail = nth_mail(&app, email, 1).await;
        assert_eq!(
            mail.subject,
            "[Service Portal AI] Verify your email address"
        );
        let from = mail.header("from").unwrap_or_default().to_owned();
        assert!(from.contains("no-reply@portal.test"), "{from}");
        assert!(!mail.text.is_empty(), "a text part");
        assert!(!mail.html.is_empty(), "an HTML part");
        let link = mail
            .first_link_starting_with("http://portal.test/verify-email?token=")
            .unwrap();
        assert!(mail.text.contains(&link), "the link in plain text too");
        assert!(mail.html.contains("Verify Your Email Address"));
    }
);

both_backends!(
    emails_follow_the_language_of_the_sign_up,
    |app: TestApp| async move {
        let email = "bahasa@example.com";
        let mut body = app.sign_up_body(email, PASSWORD).await;
        body["locale"] = json!("id");
        assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);
        let mail = nth_mail(&app, email, 1).await;
        assert!(
            !mail.subject.contains("Verify your email"),
            "Indonesian subject: {}",
            mail.subject
        );
        assert!(mail.subject.starts_with("[Service Portal AI]"));
        verification_token(&mail);
    }
);

both_backends!(
    a_message_left_by_a_crashed_worker_goes_out_once_its_short_lease_expires,
    |app: TestApp| async move {
        // A replica claimed the message and died mid-send: its lease is all that is left.
        let email = "crashed@example.com";
        let now = portal_api::clock::Clock::now(&*app.clock);
        let lease_until =
            now + chrono::Duration::from_std(portal_api::mail::worker::LEASE).unwrap();
        let id = app
            .in_db(move |c| -> Result<String, DbError> {
                mail::enqueue(
                    c,
                    email,
                    Template::AlreadyVerified,
                    "en",
                    &json!({ "full_name": "Budi", "sign_in_url": "http://portal.test/sign-in" }),
                    now.naive_utc(),
                )?;
                let id: String = {
                    use diesel::prelude::*;
                    portal_api::db::schema::outbox::table
                        .select(portal_api::db::schema::outbox::id)
                        .order(portal_api::db::schema::outbox::id.desc())
                        .first(c)?
                };
                outbox::claim(
                    c,
                    &id,
                    "crashed-replica",
                    now.naive_utc(),
                    lease_until.naive_utc(),
                )?
                .expect("claimed");
                Ok(id)
            })
            .await;
        // While the lease holds, nobody else sends it.
        assert_mail_count_stays(&app, email, 0).await;
        // 15 s later it is taken over, sent once, with the outbox id as its Message-ID.
        app.clock.advance(Duration::from_secs(16));
        let mail = nth_mail(&app, email, 1).await;
        assert!(
            mail.header("message-id").unwrap_or_default().contains(&id),
            "{:?}",
            mail.header("message-id")
        );
        assert_mail_count_stays(&app, email, 1).await;
    }
);

both_backends!(
    a_device_code_goes_out_before_other_waiting_mail,
    |app: TestApp| async move {
        let email = "queue@example.com";
        let now = portal_api::clock::Clock::now(&*app.clock);
        // A backlog and a device code, all waiting at once (the server was away).
        app.in_db(move |c| -> Result<(), DbError> {
                for _ in 0..8 {
                    mail::enqueue(
                        c,
                        email,
                        Template::AlreadyVerified,
                        "en",
                        &json!({ "full_name": "Budi", "sign_in_url": "http://portal.test/sign-in" }),
                        now.naive_utc(),
                    )?;
                }
                mail::enqueue(
                    c,
                    email,
                    Template::DeviceCode,
                    "en",
                    &json!({ "full_name": "Budi", "code": "123456", "expires_minutes": 10,
                             "device": "Chrome on Linux", "ip": "127.0.0.1", "requested_at": "now" }),
                    now.naive_utc(),
                )?;
                Ok(())
            })
        .await;
        let mails = app.mail.wait_count(email, 9, Duration::from_secs(20)).await;
        assert!(
            mails[0].subject.contains("Please verify your device"),
            "first: {}",
            mails[0].subject
        );
    }
);
