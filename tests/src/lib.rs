//! Helpers for the black-box tests: start the real server on port 0 with a fresh database
//! (SQLite file, or a PostgreSQL database cloned from a migrated template and dropped
//! afterwards), an SMTP server on loopback that receives what the server sends, and a clock the
//! test can move.

pub mod http_sink;
pub mod proxy;
pub mod smtp;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use portal_api::clock::Clock;
use portal_api::config::Settings;
use portal_api::startup::Application;
use serde_json::{json, Value};

pub use smtp::{MailSink, ReceivedMail};

/// Runs `f` as one write transaction on `db`, off the async runtime. Panics on a database error.
pub async fn in_db<T, F>(db: &portal_api::db::Db, f: F) -> T
where
    F: FnOnce(&mut portal_api::db::DbConnection) -> Result<T, portal_api::db::DbError>
        + Send
        + 'static,
    T: Send + 'static,
{
    let db = db.clone();
    tokio::task::spawn_blocking(move || db.write_blocking(f))
        .await
        .expect("the database task finishes")
        .expect("the database answers")
}

/// The address of the PostgreSQL server the tests use.
pub fn postgres_address() -> std::net::SocketAddr {
    let base = postgres_base();
    let host_port = base
        .rsplit_once('@')
        .map_or(base.as_str(), |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or("127.0.0.1:5432");
    std::net::ToSocketAddrs::to_socket_addrs(host_port)
        .expect("a PostgreSQL address")
        .next()
        .expect("a PostgreSQL address")
}

/// Where the tests find PostgreSQL (trust auth on loopback).
pub fn postgres_base() -> String {
    std::env::var("PORTAL_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A clock that starts at the wall clock and moves when the test says so. Moving it wakes the
/// server's workers, so that what fell due runs now rather than at their next poll.
#[derive(Debug, Default)]
pub struct TestClock {
    offset: Mutex<chrono::Duration>,
    background: Mutex<Option<portal_api::jobs::wake::Background>>,
}

impl TestClock {
    pub fn advance(&self, by: Duration) {
        {
            let mut offset = self.offset.lock().unwrap();
            *offset += chrono::Duration::from_std(by).unwrap();
        }
        if let Some(background) = self.background.lock().unwrap().as_ref() {
            background.jobs.notify_one();
            background.mail.notify_one();
        }
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap()
    }
}

/// A running server and what the test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub mail: MailSink,
    pub clock: Arc<TestClock>,
    pub backend: Backend,
    pub data_dir: std::path::PathBuf,
    pg_database: Option<String>,
    /// False for a second server on another app's database: dropping it leaves the data alone.
    owns_data: bool,
    killer: portal_api::startup::Killer,
    background: portal_api::jobs::wake::Background,
    overrides: Vec<(String, String)>,
}

/// Settings every test starts from: cheap argon2 (still argon2id), easy captcha, real SMTP.
fn base_settings(
    data_dir: &std::path::Path,
    database_url: &str,
    smtp: &str,
) -> BTreeMap<String, String> {
    [
        ("PORTAL_DATABASE_URL", database_url.to_owned()),
        ("PORTAL_DATABASE_POOL_SIZE", "4".to_owned()),
        ("PORTAL_BIND", "127.0.0.1:0".to_owned()),
        ("PORTAL_PUBLIC_URL", "http://portal.test".to_owned()),
        ("PORTAL_DATA_DIR", data_dir.display().to_string()),
        ("PORTAL_SMTP_URL", smtp.to_owned()),
        (
            "PORTAL_MAIL_FROM",
            "Service Portal AI <no-reply@portal.test>".to_owned(),
        ),
        ("PORTAL_CAPTCHA", "pow".to_owned()),
        ("PORTAL_CAPTCHA_POW_DIFFICULTY", "4".to_owned()),
        ("PORTAL_ARGON2_MEMORY_KIB", "1024".to_owned()),
        ("PORTAL_ARGON2_ITERATIONS", "1".to_owned()),
        ("PORTAL_HASH_WORKERS", "2".to_owned()),
        ("PORTAL_HASH_QUEUE", "64".to_owned()),
        // Tests that race requests must not meet the overload refusal of a busy test machine.
        ("PORTAL_HASH_MAX_WAIT_MS", "60000".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

impl TestApp {
    /// Starts the server on `backend` with the default test settings.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts the server with some settings overridden (`("PORTAL_PROFILE", "cloud")`, …).
    pub async fn spawn_with(backend: Backend, overrides: &[(&str, &str)]) -> TestApp {
        let mail = MailSink::start().await;
        let data_dir = std::env::temp_dir().join(format!("portal-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let (database_url, pg_database) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", data_dir.join("portal.db").display()),
                None,
            ),
            Backend::Postgres => {
                let name = create_postgres_database().await;
                (format!("{}/{name}", postgres_base()), Some(name))
            }
        };
        let overrides: Vec<(String, String)> = overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::start(
            backend,
            mail,
            data_dir,
            database_url,
            pg_database,
            true,
            overrides,
        )
        .await
    }

    /// Starts the server on a new PostgreSQL database that it reaches through `proxy` (see
    /// [`proxy::TcpProxy`]), so that the test can take the database away and bring it back.
    pub async fn spawn_postgres_via(
        proxy: &proxy::TcpProxy,
        overrides: &[(&str, &str)],
    ) -> TestApp {
        let mail = MailSink::start().await;
        let data_dir = std::env::temp_dir().join(format!("portal-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let name = create_postgres_database().await;
        let base = postgres_base();
        let (user, _) = base.rsplit_once('@').expect("postgres://user@host:port");
        let database_url = format!("{user}@127.0.0.1:{}/{name}", proxy.port());
        let overrides = overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::start(
            Backend::Postgres,
            mail,
            data_dir,
            database_url,
            Some(name),
            true,
            overrides,
        )
        .await
    }

    /// Starts another server on this app's database, data directory (same keys) and settings,
    /// with its own clock and mail sink: what a restart, or a second replica, looks like.
    /// Dropping it leaves the database to this app.
    pub async fn spawn_on_same_database(&self) -> TestApp {
        let mail = MailSink::start().await;
        let database_url = match &self.pg_database {
            Some(name) => format!("{}/{name}", postgres_base()),
            None => format!("sqlite://{}", self.data_dir.join("portal.db").display()),
        };
        Self::start(
            self.backend,
            mail,
            self.data_dir.clone(),
            database_url,
            self.pg_database.clone(),
            false,
            self.overrides.clone(),
        )
        .await
    }

    async fn start(
        backend: Backend,
        mail: MailSink,
        data_dir: std::path::PathBuf,
        database_url: String,
        pg_database: Option<String>,
        owns_data: bool,
        overrides: Vec<(String, String)>,
    ) -> TestApp {
        // As `main` does, before this process opens its first connection (every connection a
        // test opens comes after a server's start).
        portal_api::memory::tune_sqlite();
        let mut values = base_settings(&data_dir, &database_url, &mail.url());
        for (k, v) in &overrides {
            values.insert(k.clone(), v.clone());
        }
        let settings = Settings::from_map(values).expect("test settings");
        let clock = Arc::new(TestClock::default());
        let app = Application::build_with_clock(settings, clock.clone())
            .await
            .expect("the application builds");
        let port = app.port();
        let killer = app.killer();
        let background = app.background();
        *clock.background.lock().unwrap() = Some(background.clone());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36")
            .build()
            .unwrap();
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            client,
            mail,
            clock,
            backend,
            data_dir,
            pg_database,
            owns_data,
            overrides,
            killer,
            background,
        }
    }

    /// Stops this server at once, as `kill -9` would: no more answers, the workers stop where
    /// they are, and whatever they held stays leased in the database.
    pub fn kill(&self) {
        self.killer.kill();
    }

    /// Wakes the job and email workers and waits until they have handled everything due now
    /// (at the test clock's time), including the emails the jobs queued: what a test asserts
    /// next ("no email came", "the job left the project alone") is then settled, without
    /// sleeping. Panics after 10 s (a worker that cannot finish a pass: database down, killed).
    pub async fn settle(&self) {
        tokio::time::timeout(Duration::from_secs(10), self.background.caught_up())
            .await
            .expect("the background workers caught up within 10 s");
    }

    /// How many emails `to` has once everything due has been handled ([`TestApp::settle`]):
    /// the count to compare with after a request, which no late email from earlier work (a
    /// cluster's "ready" email, say) can disturb.
    pub async fn settled_mail_count(&self, to: &str) -> usize {
        self.settle().await;
        self.mail.count_to(to)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete_auth(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Fetches a proof-of-work challenge and solves it: the `captcha` field of a form.
    pub async fn captcha(&self) -> String {
        let res = self.post("/v1/captcha/challenges", &json!({})).await;
        assert_eq!(res.status(), 201, "captcha challenge");
        let c: Value = res.json().await.unwrap();
        let challenge = c["challenge"].as_str().unwrap().to_owned();
        let difficulty = u8::try_from(c["difficulty"].as_u64().unwrap()).unwrap();
        let nonce = tokio::task::spawn_blocking({
            let challenge = challenge.clone();
            move || portal_api::auth::captcha::solve_pow(&challenge, difficulty)
        })
        .await
        .unwrap();
        format!("{challenge}:{nonce}")
    }

    /// The current legal versions as sign-up consents.
    pub async fn consents(&self) -> Value {
        let config: Value = self.get("/v1/config").await.json().await.unwrap();
        let consents: Vec<Value> = config["legal_documents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "terms" || d["kind"] == "privacy")
            .map(|d| json!({ "kind": d["kind"], "version": d["version"] }))
            .collect();
        Value::Array(consents)
    }

    /// A complete, valid sign-up body for `email` (captcha solved, current consents).
    pub async fn sign_up_body(&self, email: &str, password: &str) -> Value {
        json!({
            "full_name": "Budi Santoso",
            "email": email,
            "password": password,
            "phone_number": "+62 812-3456-7890",
            "captcha": self.captcha().await,
            "consents": self.consents().await,
        })
    }

    /// Signs up and follows the emailed link: a verified account ready to sign in.
    pub async fn verified_account(&self, email: &str, password: &str) {
        let body = self.sign_up_body(email, password).await;
        let res = self.post("/v1/accounts", &body).await;
        assert_eq!(res.status(), 202, "sign up: {}", res.text().await.unwrap());
        let mail = self
            .mail
            .wait_for(email, "Verify your email", Duration::from_secs(10))
            .await;
        let token = verification_token(&mail);
        let res = self
            .post("/v1/email-verifications", &json!({ "token": token }))
            .await;
        assert_eq!(res.status(), 200, "verify: {}", res.text().await.unwrap());
    }

    /// Signs in from a new device with the emailed code; returns the token response.
    pub async fn signed_in(&self, email: &str, password: &str) -> Value {
        let before = self.mail.count_to(email);
        let res = self
            .post(
                "/v1/sessions",
                &json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(res.status(), 202, "sign in: {}", res.text().await.unwrap());
        let challenge: Value = res.json().await.unwrap();
        let mails = self
            .mail
            .wait_count(email, before + 1, Duration::from_secs(10))
            .await;
        let code = mails
            .last()
            .unwrap()
            .six_digit_code()
            .expect("a code in the email");
        let path = format!(
            "/v1/sessions/{}/device-code",
            challenge["challenge_id"].as_str().unwrap()
        );
        let res = self.post(&path, &json!({ "code": code })).await;
        assert_eq!(
            res.status(),
            200,
            "device code: {}",
            res.text().await.unwrap()
        );
        res.json().await.unwrap()
    }
}

impl TestApp {
    /// Publishes a legal document version as the `publish-legal` subcommand does.
    pub async fn publish_legal(
        &self,
        new: portal_api::services::legal::NewVersion,
        now: DateTime<Utc>,
    ) {
        let db = self.db();
        tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| portal_api::services::legal::publish_in(conn, &new, now))
        })
        .await
        .unwrap()
        .unwrap();
    }

    /// Creates a staff account as the `create-admin` subcommand does (an invitation is emailed).
    pub async fn create_admin(&self, email: &str, full_name: &str) {
        let db = self.db();
        let mut errors = Vec::new();
        let person = portal_api::services::staff::parse_person(
            "",
            email,
            full_name,
            "+62 812 3456 7890",
            None,
            None,
            &mut errors,
        )
        .expect("valid person");
        let now = self.clock.now();
        tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| {
                portal_api::services::staff::create_admin_in(
                    conn,
                    &person,
                    "http://portal.test/accept-invitation?token=",
                    now,
                )
            })
        })
        .await
        .unwrap()
        .unwrap();
    }

    /// A separate connection pool on the test's database (for the command-line code paths).
    /// Runs `f` as one write transaction on this app's database, off the async runtime: to
    /// arrange or look at what the API does not show. Panics on a database error.
    pub async fn in_db<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&mut portal_api::db::DbConnection) -> Result<T, portal_api::db::DbError>
            + Send
            + 'static,
        T: Send + 'static,
    {
        in_db(&self.db(), f).await
    }

    pub fn db(&self) -> portal_api::db::Db {
        let target = match &self.pg_database {
            Some(name) => {
                portal_api::db::DatabaseTarget::Postgres(format!("{}/{name}", postgres_base()))
            }
            None => portal_api::db::DatabaseTarget::Sqlite(self.data_dir.join("portal.db")),
        };
        portal_api::db::Db::connect(&target, 1, Duration::from_secs(10)).unwrap()
    }
}

/// The `token` query parameter of the verification link in an email.
pub fn verification_token(mail: &ReceivedMail) -> String {
    let link = mail
        .first_link_starting_with("http://portal.test/verify-email?token=")
        .expect("a verification link");
    link.split("token=").nth(1).unwrap().to_owned()
}

/// Asserts a problem+json answer with `status` and `code`; returns the body.
pub async fn assert_problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    let actual = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    assert_eq!(actual, status, "status for {code}: {text}");
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type:?}: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["code"], code, "{text}");
    assert_eq!(body["status"], status);
    body
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.owns_data {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some(name) = self.pg_database.take() {
            // Dropped from a plain thread: the server's pool may still hold connections.
            let _ = std::thread::spawn(move || {
                if let Ok(mut conn) =
                    PgConnection::establish(&format!("{}/postgres", postgres_base()))
                {
                    let _ = conn
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            })
            .join();
        }
    }
}

/// Name of the migrated template: changes when the migrations change.
fn template_name() -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/postgres");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for entry in entries {
        hash.update(entry.display().to_string().as_bytes());
        hash.update(std::fs::read(entry.join("up.sql")).unwrap_or_default());
    }
    format!(
        "portal_test_template_{}",
        &hex_lower(&hash.finalize())[..12]
    )
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a fresh database from the migrated template (made once, under an advisory lock, as
/// tests run in parallel processes; the copies are made without it).
async fn create_postgres_database() -> String {
    tokio::task::spawn_blocking(|| {
        let base = postgres_base();
        let mut admin = PgConnection::establish(&format!("{base}/postgres"))
            .expect("PostgreSQL on 127.0.0.1:5432");
        admin
            .batch_execute("SELECT pg_advisory_lock(4242)")
            .unwrap();
        let template = template_name();
        let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{template}')"
        )))
        .get_result(&mut admin)
        .unwrap();
        if !exists {
            admin
                .batch_execute(&format!("CREATE DATABASE \"{template}\""))
                .unwrap();
            let target = portal_api::db::DatabaseTarget::Postgres(format!("{base}/{template}"));
            let db = portal_api::db::Db::connect(&target, 1, Duration::from_secs(10)).unwrap();
            db.migrate().unwrap();
            drop(db);
        }
        // Copies of the template are made in parallel: only making the template is serialized
        // (a copy takes ~0.5 s, and the PostgreSQL tests make ~190 of them).
        admin
            .batch_execute("SELECT pg_advisory_unlock(4242)")
            .unwrap();
        let name = format!("portal_test_{}", uuid::Uuid::now_v7().simple());
        // The template's last connection may take a moment to close after migrating.
        let mut created = Ok(());
        for _ in 0..40 {
            created = admin.batch_execute(&format!(
                "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
            ));
            if created.is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        created.unwrap();
        name
    })
    .await
    .unwrap()
}

/// Declares a test that runs once on SQLite and once on PostgreSQL:
/// `both_backends!(name, |app| async move { ... });` gets a started `TestApp` (with settings:
/// `both_backends!(name, [("PORTAL_X", "1")], |app| ...)`), and
/// `both_backends!(name, story: story_fn)` calls `story_fn(backend)`, for a story that starts
/// its servers itself (several, or with a collaborator started first).
#[macro_export]
macro_rules! both_backends {
    ($name:ident, story: $story:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$story($crate::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$story($crate::Backend::Postgres).await;
            }
        }
    };
    ($name:ident, $body:expr) => {
        $crate::both_backends!($name, [], $body);
    };
    ($name:ident, [$(($key:expr, $value:expr)),* $(,)?], $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::TestApp::spawn_with($crate::Backend::Sqlite, &[$(($key, $value)),*]).await;
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::TestApp::spawn_with($crate::Backend::Postgres, &[$(($key, $value)),*]).await;
                ($body)(app).await;
            }
        }
    };
}
