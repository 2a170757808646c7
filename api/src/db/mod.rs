//! The database: one connection type over PostgreSQL and SQLite, a pool, migrations, and
//! the helpers that run a unit of work in one transaction on a blocking thread.
//!
//! The backend is chosen by the URL scheme (`sqlite://…` or `postgres://…`); anything else is
//! refused, so a mistyped URL never silently becomes an SQLite file name.
//!
//! Units of work: [`Db::read`] (no transaction), [`Db::write`] (one transaction, committed when
//! the unit returns `Ok`), [`Db::write_or_refuse`] (committed, then the request refused). A
//! function that takes `&mut DbConnection` runs inside its caller's unit and never begins or
//! commits a transaction itself; a service function with the suffix `_in` (`publish_in`,
//! `revoke_all_in`) is the part of a use case that other use cases run inside their own unit.
//! A savepoint inside a unit is `conn.transaction(..)`.

pub mod models;
pub mod schema;
pub mod timestamp;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The result of a query: what `db::models` functions return, and what services that run
/// inside a unit of work pass on.
pub type QueryResult<T> = diesel::QueryResult<T>;
/// The error of a query (see [`QueryResult`]).
pub type QueryError = diesel::result::Error;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Runs a query on the backend's own connection type: `on_backend!(conn, |c| query.first(c))`.
///
/// Only for the queries of every request (the guard's session lookup). Through
/// [`DbConnection`], diesel finds a query's prepared statement by its SQL text, which it renders
/// again on every call (walking the whole query twice); on the backend's own connection it finds
/// it by the query's type, with no rendering. Under a `GET /v1/me` load, rendering the session
/// lookup took 14 % of the server's CPU. The query is written once and compiled for both.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $query:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $query,
            $crate::db::DbConnection::Sqlite($c) => $query,
        }
    };
}
pub(crate) use on_backend;

/// One connection to either backend; every query in the crate is written against this type.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Where the data lives, parsed from `PORTAL_DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseTarget {
    /// Parses `sqlite://relative/path.db`, `sqlite:///absolute/path.db` or `postgres://…`.
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(rest) = url.strip_prefix("sqlite://") {
            if rest.is_empty() {
                return Err("the sqlite:// URL has no file path".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(rest)));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            if rest.is_empty() {
                return Err("the sqlite: URL has no file path".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(rest)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err("must start with sqlite:// or postgres://".into())
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// Failures of the database layer as seen by services.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available")]
    Pool(#[from] r2d2::Error),
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("database task did not finish")]
    Task,
}

/// True when `err`, or anything in its chain of causes, says the database is unavailable
/// rather than that the request was wrong: no connection could be had in time (the server is
/// down or restarting, the pool is exhausted), the connection was lost, or a lock or statement
/// waited past the bound. Such a request is answered `503` with `Retry-After`, not `500`.
pub fn is_unavailable(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if e.downcast_ref::<r2d2::Error>().is_some() {
            return true;
        }
        if let Some(diesel::result::Error::DatabaseError(kind, info)) =
            e.downcast_ref::<diesel::result::Error>()
        {
            use diesel::result::DatabaseErrorKind as K;
            if matches!(kind, K::ClosedConnection | K::UnableToSendCommand) {
                return true;
            }
            let message = info.message().to_ascii_lowercase();
            if UNAVAILABLE_MESSAGES.iter().any(|m| message.contains(m)) {
                return true;
            }
        }
        if let Some(DbError::Pool(_)) = e.downcast_ref::<DbError>() {
            return true;
        }
        next = e.source();
    }
    false
}

/// What the drivers say when the database went away or a wait ran out (SQLite `SQLITE_BUSY`,
/// libpq connection loss, PostgreSQL `lock_timeout`, `statement_timeout` and shutdown).
const UNAVAILABLE_MESSAGES: &[&str] = &[
    "database is locked",
    "database table is locked",
    "no connection to the server",
    "server closed the connection",
    "terminating connection",
    "connection to server",
    "could not receive data",
    "could not send data",
    "canceling statement due to lock timeout",
    "canceling statement due to statement timeout",
    "the database system is shutting down",
    "the database system is starting up",
];

impl DbError {
    /// A row the unit of work had just written or checked is not there (a bug, or a
    /// concurrent deletion): answered as a server error.
    pub fn missing_row() -> Self {
        Self::Query(diesel::result::Error::NotFound)
    }

    /// See [`is_unavailable`].
    pub fn is_unavailable(&self) -> bool {
        is_unavailable(self)
    }

    /// True when the error is a unique-constraint violation (a conflict, not a fault).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            Self::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// Opens connections for the pool and prepares each one: SQLite pragmas, and on both
/// backends the bound on how long a statement may wait for a lock (`timeout`).
#[derive(Debug)]
pub struct ConnectionManager {
    target: DatabaseTarget,
    timeout: Duration,
}

impl ConnectionManager {
    /// The PostgreSQL URL with a connect timeout, unless the operator set one.
    fn postgres_url(&self, url: &str) -> String {
        if url.contains("connect_timeout=") {
            return url.to_owned();
        }
        let separator = if url.contains('?') { '&' } else { '?' };
        format!(
            "{url}{separator}connect_timeout={}",
            self.timeout.as_secs().max(1)
        )
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        let millis = self.timeout.as_millis();
        match &self.target {
            DatabaseTarget::Postgres(url) => {
                let mut conn = diesel::PgConnection::establish(&self.postgres_url(url))
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // A request never waits on a lock or a statement past the bound.
                conn.batch_execute(&format!(
                    "SET lock_timeout = {millis}; SET statement_timeout = {}",
                    millis.saturating_mul(5)
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Postgres(conn))
            }
            DatabaseTarget::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = diesel::SqliteConnection::establish(&path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {millis};"
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection whose transaction state is broken is dropped instead of going back.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection as _;
        conn.is_broken()
    }
}

/// The shared handle to the database: cheap to clone, used from async code.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<ConnectionManager>,
    backend: &'static str,
    timeout: Duration,
    /// Observes how long each checkout waited for a connection (`/metrics`).
    pool_wait: Option<prometheus::Histogram>,
}

impl Db {
    /// Builds the pool; fails when the first connection cannot be opened. `timeout` bounds the
    /// wait for a connection, a lock (SQLite's busy timeout, PostgreSQL's `lock_timeout`) and,
    /// five times over, a PostgreSQL statement.
    ///
    /// PostgreSQL connections are checked with `SELECT 1` when they leave the pool, so that
    /// after the server restarts, the dead connections are replaced instead of failing requests
    /// (one loopback round trip; SQLite connections cannot go away and are not checked).
    pub fn connect(
        target: &DatabaseTarget,
        pool_size: u32,
        timeout: Duration,
    ) -> Result<Self, DbError> {
        if let DatabaseTarget::Sqlite(path) = target {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                // Only the directory is created; the scheme already said this is SQLite.
                let _ = std::fs::create_dir_all(parent);
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(timeout)
            .test_on_check_out(matches!(target, DatabaseTarget::Postgres(_)))
            .build(ConnectionManager {
                target: target.clone(),
                timeout,
            })?;
        Ok(Self {
            pool,
            backend: target.backend_name(),
            timeout,
            pool_wait: None,
        })
    }

    /// From now on, every checkout's wait for a connection is observed in `histogram`. Call
    /// before the handle is cloned: clones made earlier do not observe.
    pub fn observe_pool_wait(&mut self, histogram: prometheus::Histogram) {
        self.pool_wait = Some(histogram);
    }

    /// The pool's size, open connections and idle ones (`/metrics`).
    pub fn pool_state(&self) -> crate::metrics::PoolSnapshot {
        let state = self.pool.state();
        crate::metrics::PoolSnapshot {
            size: self.pool.max_size(),
            connections: state.connections,
            idle: state.idle_connections,
        }
    }

    /// A connection from the pool, the wait observed.
    fn checkout(
        pool: &r2d2::Pool<ConnectionManager>,
        pool_wait: Option<&prometheus::Histogram>,
    ) -> Result<r2d2::PooledConnection<ConnectionManager>, DbError> {
        let started = std::time::Instant::now();
        let conn = pool.get();
        if let Some(histogram) = pool_wait {
            histogram.observe(started.elapsed().as_secs_f64());
        }
        Ok(conn?)
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Applies pending migrations of the backend in use (serialized across replicas on PostgreSQL).
    pub fn migrate(&self) -> Result<usize, anyhow::Error> {
        let mut conn = self.pool.get()?;
        let applied = match &mut *conn {
            DbConnection::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
                .len(),
            DbConnection::Postgres(c) => {
                // Migrations (and waiting for another replica's) may take longer than a request.
                c.batch_execute("SET lock_timeout = 0; SET statement_timeout = 0")?;
                c.batch_execute("SELECT pg_advisory_lock(7355608)")?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.len())
                    .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
                c.batch_execute("SELECT pg_advisory_unlock(7355608)")?;
                let millis = self.timeout.as_millis();
                c.batch_execute(&format!(
                    "SET lock_timeout = {millis}; SET statement_timeout = {}",
                    millis.saturating_mul(5)
                ))?;
                result?
            }
        };
        Ok(applied)
    }

    /// Runs `f` on a pooled connection on the blocking pool, outside any transaction.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let pool_wait = self.pool_wait.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = Self::checkout(&pool, pool_wait.as_ref())?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(DbError::Task))?
    }

    /// [`Db::read`] for the short reads of every request (the guard's one indexed lookup). On
    /// SQLite with a connection free at once, `f` runs right here on the calling thread: a
    /// point read from the local file takes tens of microseconds, less than handing it to a
    /// blocking thread and back (under a `GET /v1/me` load, thread switches and wake-ups went
    /// from 24 % to 15 % of the server's CPU samples with this). Otherwise (no connection free,
    /// or PostgreSQL, whose answer comes over the network) it is [`Db::read`]. WAL readers do
    /// not wait for writers.
    pub async fn read_now<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        if self.backend == "sqlite" {
            if let Some(mut conn) = self.pool.try_get() {
                if let Some(histogram) = &self.pool_wait {
                    histogram.observe(0.0);
                }
                return f(&mut conn);
            }
        }
        self.read(f).await
    }

    /// Runs `f` as one write transaction on the blocking pool: `BEGIN IMMEDIATE` on SQLite
    /// (so a read-then-write unit never fails on lock upgrade), a normal transaction on PostgreSQL.
    /// `Ok` commits, `Err` rolls back; a unit that must commit and still refuse the request (a
    /// failed attempt counted) uses [`Db::write_or_refuse`].
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let pool_wait = self.pool_wait.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = Self::checkout(&pool, pool_wait.as_ref())?;
            write_transaction(&mut conn, f)
        })
        .await
        .map_err(|_| E::from(DbError::Task))?
    }

    /// [`Db::write`] for a unit of work that must commit even when it refuses the request: a
    /// wrong code is counted, a reused refresh token ends its session, and *then* the request
    /// is refused. `f` returns [`Committed::Done`] with the value or [`Committed::Refused`] with
    /// the refusal; either way what it wrote is committed, and a refusal comes back as the
    /// error. An `Err` from `f` itself rolls everything back, as with [`Db::write`].
    pub async fn write_or_refuse<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<Committed<T, E>, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.write(f).await?.into()
    }

    /// Synchronous variant of [`Db::write`] for code already on a blocking thread (CLI).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<DbError>,
    {
        let mut conn = Self::checkout(&self.pool, self.pool_wait.as_ref())?;
        write_transaction(&mut conn, f)
    }

    /// Checks that a connection can be had and answers a query, and on SQLite that the write
    /// lock can be taken within the bound (readiness).
    pub async fn ping(&self) -> Result<(), DbError> {
        self.read(|conn| {
            let probe = match conn {
                DbConnection::Sqlite(_) => "BEGIN IMMEDIATE; ROLLBACK",
                DbConnection::Postgres(_) => "SELECT 1",
            };
            conn.batch_execute(probe).map_err(DbError::from)
        })
        .await
    }
}

/// What a unit of work run by [`Db::write_or_refuse`] ends with: done, or a refusal to answer
/// once what it wrote (the failed attempt counted, the session ended) is committed.
#[derive(Debug)]
pub enum Committed<T, E> {
    Done(T),
    Refused(E),
}

impl<T, E> From<Result<T, E>> for Committed<T, E> {
    fn from(result: Result<T, E>) -> Self {
        match result {
            Ok(value) => Self::Done(value),
            Err(refusal) => Self::Refused(refusal),
        }
    }
}

impl<T, E> From<Committed<T, E>> for Result<T, E> {
    fn from(committed: Committed<T, E>) -> Self {
        match committed {
            Committed::Done(value) => Ok(value),
            Committed::Refused(refusal) => Err(refusal),
        }
    }
}

/// Rolls the transaction back if the unit of work failed or panicked, so the pooled connection
/// is clean.
struct RollbackGuard<'a> {
    conn: &'a mut DbConnection,
    open: bool,
}

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ =
                <DbConnection as Connection>::TransactionManager::rollback_transaction(self.conn);
        }
    }
}

/// One write transaction around `f`. It is begun through diesel's transaction manager (with
/// `BEGIN IMMEDIATE` on SQLite, which diesel's own `transaction` does not issue), so diesel
/// knows a transaction is open: a `conn.transaction(..)` inside `f` is a savepoint that a
/// failure rolls back alone, and the unit of work goes on.
fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    use diesel::connection::AnsiTransactionManager;
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN"),
    }
    .map_err(DbError::from)?;
    let mut guard = RollbackGuard { conn, open: true };
    // On error (or a failed COMMIT) the guard rolls back as it drops.
    let value = f(guard.conn)?;
    <DbConnection as TransactionManager<_>>::commit_transaction(guard.conn)
        .map_err(DbError::from)?;
    guard.open = false;
    Ok(value)
}

/// Implements `From<diesel::result::Error>` for a service error that has a `Database(DbError)` variant.
#[macro_export]
macro_rules! impl_from_diesel {
    ($ty:ty) => {
        impl From<diesel::result::Error> for $ty {
            fn from(err: diesel::result::Error) -> Self {
                Self::Database($crate::db::DbError::Query(err))
            }
        }
    };
}

/// How long a background worker waits after a failed pass: doubling from `idle` up to `cap`,
/// so that an outage is neither hammered nor logged twice a second, and work resumes within
/// `cap` of the database coming back. The first failure and the recovery are logged.
#[derive(Debug)]
pub struct PassBackoff {
    what: &'static str,
    idle: Duration,
    cap: Duration,
    failures: u32,
}

impl PassBackoff {
    pub fn new(what: &'static str, idle: Duration, cap: Duration) -> Self {
        Self {
            what,
            idle,
            cap,
            failures: 0,
        }
    }

    /// Records a failed pass; returns how long to wait before the next one.
    pub fn failed(&mut self, error: &DbError) -> Duration {
        self.failures = self.failures.saturating_add(1);
        if self.failures == 1 || self.failures % 50 == 0 {
            tracing::warn!(worker = self.what, failures = self.failures, error = %error, "pass failed; backing off");
        }
        let factor = 1u32 << self.failures.min(6);
        (self.idle * factor).min(self.cap)
    }

    /// Records a pass that worked; returns the idle wait.
    pub fn succeeded(&mut self) -> Duration {
        if self.failures > 0 {
            tracing::info!(worker = self.what, failures = self.failures, "resumed");
            self.failures = 0;
        }
        self.idle
    }
}

/// Runs `work` while calling `renew` every `every`: a lease stays short (work interrupted by a
/// crash is taken over soon after) and is extended for as long as the work really runs.
pub async fn while_renewing<T, R, Fut>(
    work: impl std::future::Future<Output = T>,
    every: Duration,
    mut renew: R,
) -> T
where
    R: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    tokio::pin!(work);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate: the lease was just taken.
    tick.tick().await;
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tick.tick() => renew().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Migrations whose PostgreSQL text differs from SQLite's, and why. Every other file under
    /// `migrations/postgres/` is the same SQL as its SQLite twin (a link to it in the tree).
    const IN_DIALECT: &[(&str, &str)] = &[
        (
            "2026-12-08-000001_organization_teams",
            "SQLite cannot change a CHECK constraint: it rebuilds organization_members",
        ),
        (
            "2026-12-09-000001_project_lifecycle",
            "SQLite cannot change a CHECK constraint: it rebuilds projects",
        ),
    ];

    fn migrations(backend: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(backend);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect()
    }

    fn sql(backend: &str, migration: &str, file: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(backend)
            .join(migration)
            .join(file);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn both_backends_have_the_same_migrations_in_the_same_words() {
        let sqlite = migrations("sqlite");
        assert_eq!(sqlite, migrations("postgres"), "the folder names differ");
        for migration in &sqlite {
            let same = ["up.sql", "down.sql"]
                .iter()
                .all(|file| sql("sqlite", migration, file) == sql("postgres", migration, file));
            let listed = IN_DIALECT.iter().any(|(name, _)| name == migration);
            assert!(
                same != listed,
                "{migration}: {}",
                if listed {
                    "the same on both backends now: take it off IN_DIALECT"
                } else {
                    "differs between the backends: make it the same SQL, or list it in \
                     IN_DIALECT with the reason"
                }
            );
        }
        for (name, _) in IN_DIALECT {
            assert!(sqlite.contains(*name), "{name} is not a migration");
        }
    }
}
