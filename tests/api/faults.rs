//! Database faults, as an operator would see them: PostgreSQL going away under the running
//! server (a loopback proxy the test cuts, which is what a restart looks like to the server),
//! and an SQLite write lock held past the bound. While the database is away, requests answer
//! 503 `database_unavailable` with `Retry-After` at once — never a 500, never a hang —
//! `/healthz` stays 200 and `/readyz` turns 503; once it is back, the server serves again
//! within seconds without being restarted.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use portal_tests::proxy::TcpProxy;
use portal_tests::{postgres_address, Backend, TestApp};
use serde_json::json;

use crate::support::problem;

/// A request that reads and writes (the reset request's unit of work).
async fn write_request(app: &TestApp) -> reqwest::Response {
    app.post(
        "/v1/password-resets",
        &json!({ "email": format!("{}@example.com", uuid::Uuid::now_v7().simple()) }),
    )
    .await
}

/// Polls until the server serves again; returns how long it took.
async fn serves_again_within(app: &TestApp, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let ready = app.get("/readyz").await.status() == 200;
        if ready && write_request(app).await.status() == 202 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "not serving {limit:?} after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn assert_unavailable(app: &TestApp) {
    let started = Instant::now();
    let p = problem(write_request(app).await, 503, "database_unavailable").await;
    assert!(p.retry_after() >= 1, "{}", p.text);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered in {:?}, not a hang",
        started.elapsed()
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
    problem(app.get("/readyz").await, 503, "not_ready").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_going_away_answers_503_and_the_server_recovers_without_a_restart() {
    let proxy = TcpProxy::start(postgres_address()).await;
    let app = TestApp::spawn_postgres_via(&proxy, &[("PORTAL_DATABASE_TIMEOUT", "1")]).await;
    assert_eq!(write_request(&app).await.status(), 202);
    assert_eq!(app.get("/readyz").await.status(), 200);

    let body = app
        .sign_up_body("outage@example.com", crate::support::PASSWORD)
        .await;

    // Every pooled connection dies and no new one can be made: a restart in progress.
    proxy.cut();
    for _ in 0..3 {
        assert_unavailable(&app).await;
    }
    // A sign-up during the outage is refused as a whole: nothing half-written.
    problem(
        app.post("/v1/accounts", &body).await,
        503,
        "database_unavailable",
    )
    .await;

    // Back: the dead connections are replaced, not handed out.
    proxy.restore();
    let took = serves_again_within(&app, Duration::from_secs(5)).await;
    assert!(took < Duration::from_secs(5), "{took:?}");
    // The refused sign-up can simply be sent again.
    assert_eq!(app.post("/v1/accounts", &body).await.status(), 202);
    app.mail
        .wait_for(
            "outage@example.com",
            "Verify your email",
            Duration::from_secs(10),
        )
        .await;

    // A second outage, after the pool was refilled, behaves the same.
    proxy.cut();
    assert_unavailable(&app).await;
    proxy.restore();
    serves_again_within(&app, Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_write_lock_held_past_the_bound_answers_503_not_500() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("PORTAL_DATABASE_TIMEOUT", "1")]).await;
    assert_eq!(write_request(&app).await.status(), 202);

    // Another process (here: another connection) holds the write lock.
    let path = app.data_dir.join("portal.db");
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
        conn.batch_execute("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        conn.batch_execute("ROLLBACK").unwrap();
    });
    locked_rx.recv().unwrap();

    assert_unavailable(&app).await;
    // Reads do not wait for the write lock (WAL).
    assert_eq!(app.get("/v1/config").await.status(), 200);

    release_tx.send(()).unwrap();
    holder.join().unwrap();
    serves_again_within(&app, Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_one_killed_during_a_provisioning_burst_finish_every_project_once() {
    use crate::organizations::{member, organization, project, wait_for_status};

    let first = TestApp::spawn_with(
        Backend::Postgres,
        &[("PORTAL_PROVISION_DELAY_SECONDS", "60")],
    )
    .await;
    let person = member(&first, "burst@maju.example").await;
    let org = organization(&first, &person.access).await;
    let org_id = org["id"].as_str().unwrap().to_owned();
    let mut projects = Vec::new();
    for i in 0..8 {
        let p = project(&first, &person.access, &org_id, &format!("Burst {i}")).await;
        projects.push(p["id"].as_str().unwrap().to_owned());
    }
    let second = first.spawn_on_same_database().await;

    // The jobs fall due on both replicas at once; one of them dies in the middle of the burst.
    for app in [&first, &second] {
        app.clock.advance(Duration::from_secs(61));
    }
    // Once the burst has begun (a job claimed by either replica), one of them dies.
    let db = first.db();
    for _ in 0..500 {
        let ids = projects.clone();
        let begun = portal_tests::in_db(&db, move |conn| {
            let mut claimed = 0;
            for id in &ids {
                claimed += portal_api::db::models::jobs::for_subject(conn, id)?
                    .iter()
                    .filter(|job| job.attempts > 0)
                    .count();
            }
            Ok(claimed)
        })
        .await;
        if begun > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill();
    // Whatever the dead replica held is taken over once its short lease has expired.
    second.clock.advance(Duration::from_secs(16));

    for id in &projects {
        wait_for_status(&second, &person.access, id, "ready").await;
    }
    // Every "ready" email, from whichever replica's worker sent it. A replica killed between
    // the mail server's answer and recording it leaves the message to be sent again (email is
    // delivered at least once): the copy carries the same Message-ID, by which mail systems
    // drop it, so there is exactly one Message-ID per project.
    let ready_mails = || {
        [&first, &second]
            .iter()
            .flat_map(|app| app.mail.all())
            .filter(|m| m.subject.contains("is ready"))
            .map(|m| {
                let id = m.header("message-id").unwrap_or_default().to_owned();
                (id, m.subject.clone())
            })
            .collect::<Vec<_>>()
    };
    let started = Instant::now();
    while ready_mails().len() < projects.len() && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.settle().await;
    let mut mails = ready_mails();
    mails.sort();
    mails.dedup();
    let mut subjects: Vec<_> = mails.iter().map(|(_, subject)| subject.clone()).collect();
    subjects.dedup();
    assert_eq!(subjects.len(), projects.len(), "{mails:?}");
    assert_eq!(
        mails.len(),
        projects.len(),
        "one Message-ID per project: {mails:?}"
    );

    // One job per project, done.
    let ids = projects.clone();
    let statuses = second
        .in_db(move |conn| {
            let mut out = Vec::new();
            for id in &ids {
                let jobs = portal_api::db::models::jobs::for_subject(conn, id)?;
                out.push(jobs.into_iter().map(|j| j.status).collect::<Vec<_>>());
            }
            Ok(out)
        })
        .await;
    assert!(statuses.iter().all(|s| s == &["done"]), "{statuses:?}");
}
