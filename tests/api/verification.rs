//! Email verification: links expire, are single-use and replaced by newer ones; asking for a new
//! link answers the same whether or not the address is registered, and is throttled.

use std::time::Duration;

use portal_tests::{both_backends, verification_token, TestApp};
use serde_json::{json, Value};

use crate::support::{assert_mail_count_stays, nth_mail, problem, MAIL_WAIT, PASSWORD};

async fn confirm(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/v1/email-verifications", &json!({ "token": token }))
        .await
}

async fn resend(app: &TestApp, email: &str) -> reqwest::Response {
    app.post("/v1/email-verifications/resend", &json!({ "email": email }))
        .await
}

/// Signs up `email` and returns the token of the link that was emailed.
async fn signed_up(app: &TestApp, email: &str) -> String {
    let body = app.sign_up_body(email, PASSWORD).await;
    let res = app.post("/v1/accounts", &body).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    verification_token(&nth_mail(app, email, 1).await)
}

both_backends!(
    a_verification_link_expires_after_a_day,
    |app: TestApp| async move {
        let token = signed_up(&app, "late@example.com").await;
        app.clock.advance(Duration::from_secs(25 * 3600));
        let p = problem(
            confirm(&app, &token).await,
            410,
            "verification_token_expired",
        )
        .await;
        assert_eq!(
            p.body["next"],
            json!({ "method": "POST", "href": "/v1/email-verifications/resend" })
        );
        // Still unverified: a new link is what helps.
        assert_eq!(resend(&app, "late@example.com").await.status(), 202);
        let fresh = verification_token(&nth_mail(&app, "late@example.com", 2).await);
        assert_eq!(confirm(&app, &fresh).await.status(), 200);
    }
);

both_backends!(
    a_link_still_works_just_before_it_expires,
    |app: TestApp| async move {
        let token = signed_up(&app, "ontime@example.com").await;
        app.clock.advance(Duration::from_secs(23 * 3600 + 59 * 60));
        let res = confirm(&app, &token).await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body,
            json!({ "status": "verified", "email": "ontime@example.com" })
        );
    }
);

both_backends!(
    an_unknown_verification_token_is_invalid,
    |app: TestApp| async move {
        for token in ["nope", "A".repeat(43).as_str(), "x".repeat(128).as_str()] {
            let p = problem(
                confirm(&app, token).await,
                400,
                "verification_token_invalid",
            )
            .await;
            assert_eq!(p.body["next"]["href"], "/v1/email-verifications/resend");
        }
        for token in ["", &"x".repeat(129)] {
            problem(
                confirm(&app, token).await,
                400,
                "verification_token_invalid",
            )
            .await;
        }
    }
);

both_backends!(
    a_verification_link_verifies_once,
    |app: TestApp| async move {
        let token = signed_up(&app, "once@example.com").await;
        assert_eq!(confirm(&app, &token).await.status(), 200);
        let p = problem(confirm(&app, &token).await, 409, "email_already_verified").await;
        assert_eq!(p.body["next"]["href"], "/v1/sessions");
    }
);

both_backends!(
    resending_to_an_unknown_address_answers_202_and_sends_nothing,
    |app: TestApp| async move {
        let res = resend(&app, "nobody@example.com").await;
        assert_eq!(res.status(), 202);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body, json!({ "status": "accepted" }));
        // Not even an address: the same answer.
        let res = resend(&app, "not an address").await;
        assert_eq!(res.status(), 202);
        assert_eq!(res.json::<Value>().await.unwrap(), body);
        app.settle().await;
        assert!(app.mail.all().is_empty(), "no email at all");
    }
);

both_backends!(resending_replaces_the_old_link, |app: TestApp| async move {
    let email = "replace@example.com";
    let old = signed_up(&app, email).await;
    let res = resend(&app, email).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({ "status": "accepted" }));
    let mail = nth_mail(&app, email, 2).await;
    assert!(mail.subject.contains("Verify your email"));
    let new = verification_token(&mail);
    assert_ne!(old, new);

    let p = problem(confirm(&app, &old).await, 410, "verification_token_used").await;
    assert_eq!(p.body["next"]["href"], "/v1/email-verifications/resend");
    assert_eq!(confirm(&app, &new).await.status(), 200);
});

both_backends!(
    resending_twice_within_a_minute_is_throttled_for_known_and_unknown_addresses_alike,
    |app: TestApp| async move {
        let known = "known@example.com";
        signed_up(&app, known).await;
        let unknown = "unknown@example.com";

        let mut answers = Vec::new();
        for email in [known, unknown] {
            assert_eq!(resend(&app, email).await.status(), 202);
            let p = problem(resend(&app, email).await, 429, "too_many_requests").await;
            let wait = p.retry_after();
            assert!((1..=60).contains(&wait), "Retry-After {wait}");
            assert_eq!(p.body["retry_after"], wait);
            answers.push(p.body);
        }
        // The two refusals differ at most in the seconds left.
        for answer in &mut answers {
            let object = answer.as_object_mut().unwrap();
            object.remove("retry_after");
            object.remove("detail");
        }
        assert_eq!(answers[0], answers[1]);

        // Only the one accepted resend mailed the known address; the unknown one got nothing.
        nth_mail(&app, known, 2).await;
        assert_mail_count_stays(&app, known, 2).await;
        assert_mail_count_stays(&app, unknown, 0).await;

        // A minute later it is allowed again.
        app.clock.advance(Duration::from_secs(61));
        assert_eq!(resend(&app, known).await.status(), 202);
        nth_mail(&app, known, 3).await;
    }
);

both_backends!(
    at_most_five_links_are_resent_per_hour,
    |app: TestApp| async move {
        let email = "often@example.com";
        signed_up(&app, email).await;
        for n in 0..5 {
            assert_eq!(resend(&app, email).await.status(), 202, "resend {n}");
            app.clock.advance(Duration::from_secs(61));
        }
        let p = problem(resend(&app, email).await, 429, "too_many_requests").await;
        assert!(p.retry_after() > 60, "{}", p.text);
        app.mail.wait_count(email, 6, MAIL_WAIT).await;
        assert_mail_count_stays(&app, email, 6).await;
    }
);

both_backends!(
    resending_to_a_verified_address_says_it_is_already_verified,
    |app: TestApp| async move {
        let email = "done@example.com";
        app.verified_account(email, PASSWORD).await;
        let res = resend(&app, email).await;
        assert_eq!(res.status(), 202);
        assert_eq!(
            res.json::<Value>().await.unwrap(),
            json!({ "status": "accepted" })
        );
        let mail = nth_mail(&app, email, 2).await;
        assert!(
            mail.subject.contains("already verified"),
            "{}",
            mail.subject
        );
        assert!(mail.subject.contains("Service Portal AI"));
        assert!(mail
            .first_link_starting_with("http://portal.test/verify-email")
            .is_none());
        assert_mail_count_stays(&app, email, 2).await;
    }
);

both_backends!(
    resend_matches_the_address_whatever_its_case,
    |app: TestApp| async move {
        let email = "casey@example.com";
        let old = signed_up(&app, email).await;
        assert_eq!(resend(&app, "CASEY@Example.COM").await.status(), 202);
        let mail = nth_mail(&app, email, 2).await;
        assert_eq!(mail.to, [email]);
        problem(confirm(&app, &old).await, 410, "verification_token_used").await;
        assert_eq!(
            confirm(&app, &verification_token(&mail)).await.status(),
            200
        );
    }
);
