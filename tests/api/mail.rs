//! Email delivery: a message the SMTP server refuses for now is not lost, and is not sent twice.

use std::time::Duration;

use portal_tests::{both_backends, verification_token, TestApp};
use serde_json::json;

use crate::support::{assert_mail_count_stays, nth_mail, PASSWORD};

both_backends!(
    a_verification_email_refused_by_smtp_is_retried_and_arrives_once,
    |app: TestApp| async move {
        let email = "retry@example.com";
        app.mail.set_fail_next(1);
        let body = app.sign_up_body(email, PASSWORD).await;
        assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);

        // The first attempt happens at once (the worker is woken on commit) and is refused.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(app.mail.count_to(email), 0, "refused by the SMTP server");

        // The retry is due 30 s later; it is not sent before that.
        app.clock.advance(Duration::from_secs(20));
        assert_mail_count_stays(&app, email, 0).await;
        assert_mail_count_stays(&app, email, 0).await;

        app.clock.advance(Duration::from_secs(40));
        let mail = nth_mail(&app, email, 1).await;
        assert!(mail.subject.contains("Verify your email"));
        // Exactly once, even after more polls of the worker.
        tokio::time::sleep(Duration::from_millis(700)).await;
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
