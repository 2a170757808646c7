//! Requests that arrive together: the rules hold as they do one at a time (limits are not
//! exceeded, one address is one account) and nobody gets a 5xx for being second.

use std::sync::Arc;

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::support::{nth_mail, problem, PASSWORD};

/// Sends every body to `path` at the same moment; returns (status, body) in the bodies' order.
async fn all_at_once(app: &TestApp, path: &str, bodies: Vec<Value>) -> Vec<(u16, String)> {
    let barrier = Arc::new(Barrier::new(bodies.len()));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, body) in bodies.into_iter().enumerate() {
        let client = app.client.clone();
        let url = app.url(path);
        let barrier = barrier.clone();
        tasks.spawn(async move {
            barrier.wait().await;
            let res = client.post(url).json(&body).send().await.unwrap();
            let status = res.status().as_u16();
            (i, status, res.text().await.unwrap())
        });
    }
    let mut answers = tasks.join_all().await;
    answers.sort_by_key(|(i, _, _)| *i);
    answers.into_iter().map(|(_, s, t)| (s, t)).collect()
}

/// Fails the test when any answer is a server error (5xx), listing them.
fn assert_no_server_error(answers: &[(u16, String)]) {
    let errors: Vec<_> = answers.iter().filter(|(s, _)| *s >= 500).collect();
    assert!(errors.is_empty(), "no 5xx: {errors:?}");
}

both_backends!(
    simultaneous_wrong_passwords_get_no_more_guesses_than_the_limit,
    |app: TestApp| async move {
        let email = "target@example.com";
        app.verified_account(email, PASSWORD).await;
        let guesses: Vec<Value> = (0..20)
            .map(|i| json!({ "email": email, "password": format!("Guess-Number-{i:02}-Harbor!") }))
            .collect();
        let answers = all_at_once(&app, "/v1/sessions", guesses).await;
        assert_no_server_error(&answers);
        let checked = answers.iter().filter(|(s, _)| *s == 401).count();
        let refused = answers.iter().filter(|(s, _)| *s == 429).count();
        // Five failures block the address: at most five passwords may have been tried.
        assert!(
            checked <= 5,
            "{checked} of 20 simultaneous guesses were checked against the password \
             (and {refused} refused); the limit is 5"
        );
        // And the address is now either blocked or behind a captcha: the right password alone
        // does not get in.
        let res = crate::support::sign_in(&app, email, PASSWORD, None).await;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        assert!(
            (status == 429 && body["code"] == "too_many_attempts")
                || (status == 422 && body["errors"][0]["code"] == "captcha_required"),
            "{status} {body}"
        );
    }
);

both_backends!(
    simultaneous_right_passwords_never_fail_while_each_clears_the_counter,
    |app: TestApp| async move {
        // Each sign-in counts itself against the address before hashing and clears the count
        // once the password is right: one request's clear deletes the counter row another is
        // counting on. Every one still gets an answer of the rules, never a server error.
        let email = "rush@example.com";
        app.verified_account(email, PASSWORD).await;
        let mut admitted = 0;
        for _ in 0..5 {
            let bodies: Vec<Value> = (0..6)
                .map(|_| json!({ "email": email, "password": PASSWORD }))
                .collect();
            let answers = all_at_once(&app, "/v1/sessions", bodies).await;
            assert_no_server_error(&answers);
            // Attempts in flight count until they succeed, so some of the rush may be asked for
            // a captcha or told to wait; the others get the device step.
            assert!(
                answers.iter().all(|(s, body)| *s == 202
                    || (*s == 422 && body.contains("captcha_required"))
                    || (*s == 429 && body.contains("too_many_attempts"))),
                "{answers:?}"
            );
            admitted += answers.iter().filter(|(s, _)| *s == 202).count();
        }
        assert!(admitted > 0, "no right password got in");
    }
);

both_backends!(
    simultaneous_sign_ups_for_one_address_get_the_same_answer_and_make_one_account,
    |app: TestApp| async move {
        // A double-submitted form from a client the portal has not seen before.
        let email = "twice@example.com";
        let mut bodies = Vec::new();
        for _ in 0..6 {
            bodies.push(app.sign_up_body(email, PASSWORD).await);
        }
        let answers = all_at_once(&app, "/v1/accounts", bodies).await;
        for (status, text) in &answers {
            assert_eq!(*status, 202, "every sign-up is accepted alike: {text}");
            assert_eq!(text, &answers[0].1);
        }
        // One account, waiting for verification.
        nth_mail(&app, email, 1).await;
        problem(
            crate::support::sign_in(&app, email, PASSWORD, None).await,
            403,
            "email_not_verified",
        )
        .await;
    }
);

both_backends!(
    simultaneous_failed_sign_ins_for_one_address_never_get_a_5xx,
    |app: TestApp| async move {
        // One failure first, so that the per-client counter already exists: what races below
        // is the first failure counted for each address.
        crate::support::sign_in(&app, "warm-up@example.com", PASSWORD, None).await;
        // Three at a time: fewer than the failures after which a captcha is asked for.
        for round in 0..5 {
            let email = format!("nobody{round}@example.com");
            let bodies: Vec<Value> = (0..3)
                .map(|_| json!({ "email": email, "password": PASSWORD }))
                .collect();
            let answers = all_at_once(&app, "/v1/sessions", bodies).await;
            for (status, text) in &answers {
                assert_eq!(*status, 401, "{email}: {text}");
            }
        }
    }
);
