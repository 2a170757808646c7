//! Cluster provisioning, told as stories: the simulated provisioner failing (the project shows
//! the reason and the creator is emailed it); a worker that dies holding a job, and a restarted
//! server on the same database picking the job up once the lease expires; and the webhook
//! provisioner — a signed request to the operator (checked here with an independent HMAC), a
//! signed callback that settles the project, and the callbacks that must be refused: forged,
//! stale, repeated, for an unknown project. An operator that cannot be reached is retried with
//! backoff and finally the project fails.

use std::time::Duration;

use portal_api::clock::Clock as _;
use portal_tests::http_sink::HttpSink;
use portal_tests::{both_backends, Backend, TestApp};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::organizations::{member, organization, project, wait_for_status};
use crate::support::{problem, MAIL_WAIT};

const SECRET: &str = "test-webhook-secret-0123456789";

// ---------------------------------------------------------------------------------------------
// The simulated provisioner.

both_backends!(
    a_simulated_failure_marks_the_project_failed_and_emails_the_reason,
    [
        ("PORTAL_PROVISION_DELAY_SECONDS", "60"),
        ("PORTAL_PROVISION_FAILURE_RATE", "1"),
    ],
    |app: TestApp| async move {
        let person = member(&app, "siti@maju.example").await;
        let org = organization(&app, &person.access).await;
        let created = project(
            &app,
            &person.access,
            org["id"].as_str().unwrap(),
            "Retail Analytics",
        )
        .await;
        assert_eq!(created["cluster_status"], "pending");

        app.clock.advance(Duration::from_secs(61));
        let failed = wait_for_status(
            &app,
            &person.access,
            created["id"].as_str().unwrap(),
            "failed",
        )
        .await;
        let reason = failed["cluster_failure_reason"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(reason.starts_with("simulated failure: "), "{reason}");

        let mail = app
            .mail
            .wait_for(&person.email, "provisioning failed", MAIL_WAIT)
            .await;
        assert!(
            mail.subject.contains("Retail Analytics"),
            "{}",
            mail.subject
        );
        assert!(mail.text.contains(&reason), "{}", mail.text);
        assert!(mail.html.contains(&reason));
        let emails = app.settled_mail_count(&person.email).await;

        // A simulated failure is final: nothing runs again, however long we wait.
        app.clock.advance(Duration::from_secs(3 * 3600));
        app.settle().await;
        let mut person = person;
        person.refresh(&app).await;
        let again: Value = app
            .get_auth(
                &format!("/v1/projects/{}", created["id"].as_str().unwrap()),
                &person.access,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again, failed);
        assert_eq!(app.mail.count_to(&person.email), emails);
    }
);

both_backends!(
    a_crashed_workers_lease_expires_and_a_restarted_server_finishes_the_project,
    [("PORTAL_PROVISION_DELAY_SECONDS", "600")],
    |first: TestApp| async move {
        let person = member(&first, "siti@maju.example").await;
        let org = organization(&first, &person.access).await;
        let created = project(
            &first,
            &person.access,
            org["id"].as_str().unwrap(),
            "Retail Analytics",
        )
        .await;
        let project_id = created["id"].as_str().unwrap().to_owned();

        // A replica claims the job when it is due, moves the project to `provisioning`, and
        // dies before recording anything: its lease stays in the database.
        let due = first.clock.now() + chrono::Duration::seconds(601);
        let db = first.db();
        let id = project_id.clone();
        let leased_until = tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| {
                use portal_api::db::models::jobs;
                let job = jobs::for_subject(conn, &id)?.remove(0);
                assert_eq!(job.status, "pending");
                let until = (due + chrono::Duration::seconds(120)).naive_utc();
                let claimed =
                    jobs::claim(conn, &job.id, "crashed-replica", due.naive_utc(), until)?
                        .expect("the due job is claimed");
                assert_eq!(claimed.attempts, 1);
                let project = portal_api::domain::ProjectId::parse(&id).expect("a project id");
                portal_api::services::projects::mark_provisioning(conn, &project, due.naive_utc())?;
                Ok::<_, portal_api::db::DbError>(until)
            })
        })
        .await
        .unwrap()
        .unwrap();

        // The server restarts: a new process on the same database (same keys, same data).
        let second = first.spawn_on_same_database().await;
        second.clock.advance(Duration::from_secs(601 + 60));
        assert!(second.clock.now().naive_utc() < leased_until);
        second.settle().await;
        let res = second
            .get_auth(&format!("/v1/projects/{project_id}"), &person.access)
            .await;
        let held: Value = res.json().await.unwrap();
        assert_eq!(
            held["cluster_status"], "provisioning",
            "the lease is still held: {held}"
        );

        // Once the lease has expired, the restarted server claims the job again and finishes it.
        second.clock.advance(Duration::from_secs(120));
        let ready = wait_for_status(&second, &person.access, &project_id, "ready").await;
        assert_eq!(ready["cluster_failure_reason"], Value::Null);

        // Exactly one "ready" email, delivered by whichever server's mail worker took it.
        second.settle().await;
        first.settle().await;
        let delivered = [&first, &second]
            .iter()
            .map(|app| {
                app.mail
                    .all()
                    .iter()
                    .filter(|m| m.subject.contains("is ready"))
                    .count()
            })
            .sum::<usize>();
        assert_eq!(delivered, 1);

        let db = first.db();
        let jobs = tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| {
                portal_api::db::models::jobs::for_subject(conn, &project_id)
                    .map_err(portal_api::db::DbError::from)
            })
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].status, "done");
        assert_eq!(jobs[0].attempts, 2);
        assert_ne!(jobs[0].locked_by.as_deref(), Some("crashed-replica"));
    }
);

both_backends!(
    callbacks_are_refused_without_the_webhook_provisioner,
    |app: TestApp| async move {
        let body = br#"{"project_id":"0193a5b0-7e1c-7c3e-8f00-000000000001","status":"ready"}"#;
        let now = app.clock.now().timestamp();
        let res = post_callback(&app, body, Some(now), Some(&signature(SECRET, now, body))).await;
        problem(res, 401, "callbacks_disabled").await;
    }
);

// ---------------------------------------------------------------------------------------------
// The webhook provisioner.

both_backends!(
    the_webhook_is_signed_and_a_signed_callback_settles_the_project,
    story: webhook_request_and_callbacks
);
both_backends!(
    deleting_a_project_asks_the_operator_who_reports_it_gone_or_failed,
    story: webhook_deletion
);

both_backends!(
    a_webhook_that_fails_once_is_retried_after_a_backoff,
    story: webhook_retried_once
);
both_backends!(
    an_unreachable_webhook_is_retried_with_backoff_then_the_project_fails,
    story: webhook_unreachable
);

both_backends!(
    the_webhook_call_continues_the_trace_of_the_request_that_created_the_project,
    story: webhook_traceparent
);

/// Creates a project, sending `traceparent` when given.
pub(crate) async fn traced_project(
    app: &TestApp,
    access: &str,
    organization_id: &str,
    name: &str,
    traceparent: &str,
) {
    let res = app
        .client
        .post(app.url(&format!("/v1/organizations/{organization_id}/projects")))
        .bearer_auth(access)
        .header("traceparent", traceparent)
        .json(&crate::organizations::project_form(
            name,
            "01.234.567.8-901.000",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

async fn webhook_traceparent(backend: Backend) {
    let operator = HttpSink::start(0).await;
    let app = webhook_app(backend, &operator).await;
    let person = member(&app, "trace@maju.example").await;
    let org = organization(&app, &person.access).await;
    let org_id = org["id"].as_str().unwrap();

    let caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    traced_project(&app, &person.access, org_id, "Traced", caller).await;
    let request = operator.wait_count(1).await.remove(0);
    let sent: Vec<&str> = request.header("traceparent").unwrap().split('-').collect();
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert_eq!(sent[0], "00");
    assert_eq!(
        sent[1], "4bf92f3577b34da6a3ce929d0e0e4736",
        "the caller's trace"
    );
    assert_eq!(sent[2].len(), 16);
    assert_ne!(sent[2], "00f067aa0ba902b7", "a span of its own");
    assert_eq!(sent[3], "01", "sampled, as the caller decided");

    // A malformed traceparent is ignored: the call starts a valid trace of its own.
    traced_project(&app, &person.access, org_id, "Untraced", "00-zz-yy-01").await;
    let request = operator.wait_count(2).await.remove(1);
    let sent: Vec<&str> = request.header("traceparent").unwrap().split('-').collect();
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert_eq!(sent[1].len(), 32);
    assert_ne!(sent[1], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_ne!(sent[1], "0".repeat(32));
    assert!(sent[1]
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(sent[3], "00");
}

async fn webhook_request_and_callbacks(backend: Backend) {
    let operator = HttpSink::start(0).await;
    let app = webhook_app(backend, &operator).await;
    let person = member(&app, "siti@maju.example").await;
    let org = organization(&app, &person.access).await;
    let created = project(
        &app,
        &person.access,
        org["id"].as_str().unwrap(),
        "Retail Analytics",
    )
    .await;
    let project_id = created["id"].as_str().unwrap().to_owned();

    // The operator receives a signed request at once.
    let request = operator.wait_count(1).await.remove(0);
    assert_eq!(request.path, "/provision");
    assert_eq!(request.header("content-type"), Some("application/json"));
    let timestamp: i64 = request
        .header("x-portal-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert!((app.clock.now().timestamp() - timestamp).abs() < 60);
    assert_eq!(
        request.header("x-portal-signature").unwrap(),
        signature(SECRET, timestamp, &request.body),
        "HMAC-SHA256(secret, \"<timestamp>.<body>\")"
    );
    assert!(request
        .header("x-portal-delivery")
        .is_some_and(|d| !d.is_empty()));
    let event: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        event,
        json!({
            "event": "cluster.provision",
            "project_id": project_id,
            "organization_id": org["id"],
            "project_name": "Retail Analytics",
            "callback_url": "http://portal.test/v1/provisioning/callbacks",
        })
    );
    let provisioning = wait_for_status(&app, &person.access, &project_id, "provisioning").await;

    // Callbacks that are not the operator's change nothing.
    let ready =
        serde_json::to_vec(&json!({ "project_id": project_id, "status": "ready" })).unwrap();
    let now = app.clock.now().timestamp();
    let res = post_callback(
        &app,
        &ready,
        Some(now),
        Some(&signature("not-the-secret-at-all", now, &ready)),
    )
    .await;
    problem(res, 401, "signature_invalid").await;
    let failed =
        serde_json::to_vec(&json!({ "project_id": project_id, "status": "failed" })).unwrap();
    let res = post_callback(
        &app,
        &ready,
        Some(now),
        Some(&signature(SECRET, now, &failed)),
    )
    .await;
    problem(res, 401, "signature_invalid").await;
    let res = post_callback(
        &app,
        &ready,
        Some(now + 1),
        Some(&signature(SECRET, now, &ready)),
    )
    .await;
    problem(res, 401, "signature_invalid").await;
    for offset in [-301, 301] {
        // Taken afresh: a slow machine must not bring `now + 301` back within the window.
        let stale = app.clock.now().timestamp() + offset;
        let res = post_callback(
            &app,
            &ready,
            Some(stale),
            Some(&signature(SECRET, stale, &ready)),
        )
        .await;
        problem(res, 401, "signature_expired").await;
    }
    let res = post_callback(&app, &ready, None, Some(&signature(SECRET, now, &ready))).await;
    problem(res, 401, "signature_missing").await;
    let res = post_callback(&app, &ready, Some(now), None).await;
    problem(res, 401, "signature_missing").await;
    let again: Value = app
        .get_auth(&format!("/v1/projects/{project_id}"), &person.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, provisioning);

    // Authentic but not a report.
    let junk = b"{\"project_id\": ";
    let res = post_callback(&app, junk, Some(now), Some(&signature(SECRET, now, junk))).await;
    problem(res, 400, "malformed_json").await;
    let odd = serde_json::to_vec(&json!({ "project_id": project_id, "status": "done" })).unwrap();
    let res = post_callback(&app, &odd, Some(now), Some(&signature(SECRET, now, &odd))).await;
    problem(res, 400, "invalid_body").await;
    for unknown in ["0193a5b0-7e1c-7c3e-8f00-000000000099", "nope"] {
        let body =
            serde_json::to_vec(&json!({ "project_id": unknown, "status": "ready" })).unwrap();
        let res = post_callback(&app, &body, Some(now), Some(&signature(SECRET, now, &body))).await;
        problem(res, 404, "not_found").await;
    }

    // The operator's signed report settles the project, and the creator is emailed.
    let res = post_callback(
        &app,
        &ready,
        Some(now),
        Some(&signature(SECRET, now, &ready)),
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let settled: Value = res.json().await.unwrap();
    assert_eq!(settled["project_id"], project_id.as_str());
    assert_eq!(settled["cluster_status"], "ready");
    let shown = wait_for_status(&app, &person.access, &project_id, "ready").await;
    assert_eq!(shown["updated_at"], settled["updated_at"]);
    app.mail
        .wait_for(&person.email, "is ready", MAIL_WAIT)
        .await;

    // A repeated report (a replay within the window, or a second outcome) changes nothing.
    let res = post_callback(
        &app,
        &ready,
        Some(now),
        Some(&signature(SECRET, now, &ready)),
    )
    .await;
    problem(res, 409, "cluster_already_settled").await;
    let res = post_callback(
        &app,
        &failed,
        Some(now),
        Some(&signature(SECRET, now, &failed)),
    )
    .await;
    problem(res, 409, "cluster_already_settled").await;
    let after: Value = app
        .get_auth(&format!("/v1/projects/{project_id}"), &person.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after, shown);

    // A failure report carries the reason to the project and to the email.
    let second = project(
        &app,
        &person.access,
        org["id"].as_str().unwrap(),
        "Model Training",
    )
    .await;
    let second_id = second["id"].as_str().unwrap().to_owned();
    operator.wait_count(2).await;
    let reason = "no capacity in zone ap-southeast-3a";
    let body = serde_json::to_vec(
        &json!({ "project_id": second_id, "status": "failed", "reason": reason }),
    )
    .unwrap();
    let now = app.clock.now().timestamp();
    let res = post_callback(&app, &body, Some(now), Some(&signature(SECRET, now, &body))).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let failed = wait_for_status(&app, &person.access, &second_id, "failed").await;
    assert_eq!(failed["cluster_failure_reason"], reason);
    let mail = app
        .mail
        .wait_for(&person.email, "provisioning failed", MAIL_WAIT)
        .await;
    assert!(mail.subject.contains("Model Training"));
    assert!(mail.text.contains(reason), "{}", mail.text);
}

async fn webhook_retried_once(backend: Backend) {
    let operator = HttpSink::start(1).await;
    let app = webhook_app(backend, &operator).await;
    let person = member(&app, "siti@maju.example").await;
    let org = organization(&app, &person.access).await;
    let created = project(
        &app,
        &person.access,
        org["id"].as_str().unwrap(),
        "Retail Analytics",
    )
    .await;
    let project_id = created["id"].as_str().unwrap().to_owned();

    let first = operator.wait_count(1).await.remove(0);
    wait_for_status(&app, &person.access, &project_id, "provisioning").await;
    wait_for_job(&app, &project_id, |job| job.last_error.is_some()).await;
    // Not before the backoff (30 s after the first attempt)…
    app.clock.advance(Duration::from_secs(20));
    app.settle().await;
    assert_eq!(operator.count(), 1);
    // …then again, with the same delivery id and a fresh signature.
    app.clock.advance(Duration::from_secs(15));
    let second = operator.wait_count(2).await.remove(1);
    assert_eq!(
        second.header("x-portal-delivery"),
        first.header("x-portal-delivery")
    );
    let timestamp: i64 = second
        .header("x-portal-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        second.header("x-portal-signature").unwrap(),
        signature(SECRET, timestamp, &second.body)
    );
    assert_eq!(second.body, first.body);

    // Accepted this time: the project waits for the report, and nothing is sent again.
    app.clock.advance(Duration::from_secs(3600));
    app.settle().await;
    assert_eq!(operator.count(), 2);
    let mut person = person;
    person.refresh(&app).await;
    let waiting = wait_for_status(&app, &person.access, &project_id, "provisioning").await;
    assert_eq!(waiting["cluster_failure_reason"], Value::Null);
    let body = serde_json::to_vec(&json!({ "project_id": project_id, "status": "ready" })).unwrap();
    let now = app.clock.now().timestamp();
    let res = post_callback(&app, &body, Some(now), Some(&signature(SECRET, now, &body))).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    wait_for_status(&app, &person.access, &project_id, "ready").await;
}

async fn webhook_unreachable(backend: Backend) {
    let operator = HttpSink::start(usize::MAX).await;
    let app = webhook_app(backend, &operator).await;
    let mut person = member(&app, "siti@maju.example").await;
    let org = organization(&app, &person.access).await;
    let created = project(
        &app,
        &person.access,
        org["id"].as_str().unwrap(),
        "Retail Analytics",
    )
    .await;
    let project_id = created["id"].as_str().unwrap().to_owned();

    operator.wait_count(1).await;
    // Every attempt answers 503; each is retried after a longer wait (at most 30 min), eight
    // attempts in all.
    for _ in 0..80 {
        if operator.count() >= 8 {
            break;
        }
        app.clock.advance(Duration::from_secs(3600));
        app.settle().await;
    }
    assert_eq!(operator.count(), 8);
    let job = wait_for_job(&app, &project_id, |job| job.status == "failed").await;
    assert_eq!(job.attempts, 8);
    assert!(job.last_error.unwrap().contains("503"));
    person.refresh(&app).await;
    let failed = wait_for_status(&app, &person.access, &project_id, "failed").await;
    assert_eq!(failed["cluster_failure_reason"], "provisioner unreachable");
    let mail = app
        .mail
        .wait_for(&person.email, "provisioning failed", MAIL_WAIT)
        .await;
    assert!(mail.text.contains("provisioner unreachable"));

    // Given up: no ninth attempt.
    app.clock.advance(Duration::from_secs(24 * 3600));
    app.settle().await;
    assert_eq!(operator.count(), 8);
}

async fn webhook_deletion(backend: Backend) {
    let operator = HttpSink::start(0).await;
    let app = webhook_app(backend, &operator).await;
    let person = member(&app, "siti@maju.example").await;
    let org = organization(&app, &person.access).await;
    let org_id = org["id"].as_str().unwrap();
    let project_id = project(&app, &person.access, org_id, "Retail Analytics").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    operator.wait_count(1).await;
    let signed = |body: &Value| {
        let body = serde_json::to_vec(body).unwrap();
        let now = app.clock.now().timestamp();
        (body.clone(), now, signature(SECRET, now, &body))
    };
    let (body, ts, sig) = signed(&json!({ "project_id": project_id, "status": "ready" }));
    assert_eq!(
        post_callback(&app, &body, Some(ts), Some(&sig))
            .await
            .status(),
        200
    );

    // Deleting: the operator is asked with a signed `cluster.delete`; the project waits.
    let res = app
        .delete_auth(&format!("/v1/projects/{project_id}"), &person.access)
        .await;
    assert_eq!(res.status(), 202);
    let request = operator.wait_count(2).await.remove(1);
    let ts: i64 = request
        .header("x-portal-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        request.header("x-portal-signature").unwrap(),
        signature(SECRET, ts, &request.body)
    );
    let event: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(event["event"], "cluster.delete");
    assert_eq!(event["project_id"], json!(project_id));
    wait_for_status(&app, &person.access, &project_id, "deleting").await;

    // A `ready` report does not fit a deletion; a failure keeps the project, with the reason.
    let (body, ts, sig) = signed(&json!({ "project_id": project_id, "status": "ready" }));
    problem(
        post_callback(&app, &body, Some(ts), Some(&sig)).await,
        409,
        "cluster_already_settled",
    )
    .await;
    let (body, ts, sig) = signed(
        &json!({ "project_id": project_id, "status": "failed", "reason": "volume still attached" }),
    );
    assert_eq!(
        post_callback(&app, &body, Some(ts), Some(&sig))
            .await
            .status(),
        200
    );
    let failed = wait_for_status(&app, &person.access, &project_id, "failed").await;
    assert_eq!(failed["cluster_failure_reason"], "volume still attached");
    let mail = app
        .mail
        .wait_for(
            &person.email,
            "deletion of Retail Analytics failed",
            MAIL_WAIT,
        )
        .await;
    assert!(mail.text.contains("volume still attached"), "{}", mail.text);

    // Asked again, the operator reports it gone: the project is deleted.
    let res = app
        .delete_auth(&format!("/v1/projects/{project_id}"), &person.access)
        .await;
    assert_eq!(res.status(), 202);
    operator.wait_count(3).await;
    let (body, ts, sig) = signed(&json!({ "project_id": project_id, "status": "deleted" }));
    assert_eq!(
        post_callback(&app, &body, Some(ts), Some(&sig))
            .await
            .status(),
        204
    );
    let res = app
        .get_auth(&format!("/v1/projects/{project_id}"), &person.access)
        .await;
    assert_eq!(res.status(), 404);
    app.mail
        .wait_for(&person.email, "was deleted", MAIL_WAIT)
        .await;
    // A late duplicate finds nothing.
    problem(
        post_callback(&app, &body, Some(ts), Some(&sig)).await,
        404,
        "not_found",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Helpers: the operator's webhook receiver, signatures computed independently of the server.

async fn webhook_app(backend: Backend, operator: &HttpSink) -> TestApp {
    let url = format!("{}/provision", operator.base);
    TestApp::spawn_with(
        backend,
        &[
            ("PORTAL_PROVISIONER", "webhook"),
            ("PORTAL_PROVISIONER_WEBHOOK_URL", &url),
            ("PORTAL_PROVISIONER_WEBHOOK_SECRET", SECRET),
        ],
    )
    .await
}

/// Polls the project's provisioning job (bounded) until `done` says so; returns it.
async fn wait_for_job(
    app: &TestApp,
    project_id: &str,
    done: impl Fn(&portal_api::db::models::jobs::Job) -> bool,
) -> portal_api::db::models::jobs::Job {
    let db = app.db();
    for _ in 0..200 {
        let (db2, id) = (db.clone(), project_id.to_owned());
        let mut jobs = tokio::task::spawn_blocking(move || {
            db2.write_blocking(|conn| {
                portal_api::db::models::jobs::for_subject(conn, &id)
                    .map_err(portal_api::db::DbError::from)
            })
        })
        .await
        .unwrap()
        .unwrap();
        let job = jobs.remove(0);
        if done(&job) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the job of project {project_id} never reached the expected state");
}

async fn post_callback(
    app: &TestApp,
    body: &[u8],
    timestamp: Option<i64>,
    signature: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/v1/provisioning/callbacks"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(ts) = timestamp {
        req = req.header("X-Portal-Timestamp", ts.to_string());
    }
    if let Some(sig) = signature {
        req = req.header("X-Portal-Signature", sig);
    }
    req.send().await.unwrap()
}

/// `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, with HMAC written out (RFC 2104) so
/// that the test does not trust the server's implementation.
fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    let mut key = [0u8; 64];
    let secret = secret.as_bytes();
    if secret.len() > 64 {
        key[..32].copy_from_slice(&Sha256::digest(secret));
    } else {
        key[..secret.len()].copy_from_slice(secret);
    }
    let inner_pad: Vec<u8> = key.iter().map(|b| b ^ 0x36).collect();
    let outer_pad: Vec<u8> = key.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_pad)
        .chain_update(&message)
        .finalize();
    let mac = Sha256::new()
        .chain_update(&outer_pad)
        .chain_update(inner)
        .finalize();
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    format!("v1={hex}")
}
