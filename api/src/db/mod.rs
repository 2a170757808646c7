//! The database: one connection type over PostgreSQL and SQLite, a pool, migrations, and
//! the helpers that run a unit of work in one transaction on a blocking thread.
//!
//! The backend is chosen by the URL scheme (`sqlite://…` or `postgres://…`); anything else is
//! refused, so a mistyped URL never silently becomes an SQLite file name.

pub mod models;
pub mod schema;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

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

impl DbError {
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

/// Opens connections for the pool and prepares each one (SQLite pragmas).
#[derive(Debug)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match &self.target {
            DatabaseTarget::Postgres(url) => diesel::PgConnection::establish(url)
                .map(DbConnection::Postgres)
                .map_err(diesel::r2d2::Error::ConnectionError),
            DatabaseTarget::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = diesel::SqliteConnection::establish(&path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// The shared handle to the database: cheap to clone, used from async code.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<ConnectionManager>,
    backend: &'static str,
}

impl Db {
    /// Builds the pool; fails when the first connection cannot be opened.
    pub fn connect(target: &DatabaseTarget, pool_size: u32) -> Result<Self, DbError> {
        if let DatabaseTarget::Sqlite(path) = target {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                // Only the directory is created; the scheme already said this is SQLite.
                let _ = std::fs::create_dir_all(parent);
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .test_on_check_out(false)
            .build(ConnectionManager {
                target: target.clone(),
            })?;
        Ok(Self {
            pool,
            backend: target.backend_name(),
        })
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
                c.batch_execute("SELECT pg_advisory_lock(7355608)")?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.len())
                    .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
                c.batch_execute("SELECT pg_advisory_unlock(7355608)")?;
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
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(DbError::Task))?
    }

    /// Runs `f` as one write transaction on the blocking pool: `BEGIN IMMEDIATE` on SQLite
    /// (so a read-then-write unit never fails on lock upgrade), a normal transaction on PostgreSQL.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            write_transaction(&mut conn, f)
        })
        .await
        .map_err(|_| E::from(DbError::Task))?
    }

    /// Synchronous variant of [`Db::write`] for code already on a blocking thread (CLI).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<DbError>,
    {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        write_transaction(&mut conn, f)
    }

    /// Checks that a connection can be had and answers a query (readiness).
    pub async fn ping(&self) -> Result<(), DbError> {
        self.read(|conn| conn.batch_execute("SELECT 1").map_err(DbError::from))
            .await
    }
}

/// Rolls the transaction back if the unit of work panicked, so the pooled connection is clean.
struct RollbackGuard<'a> {
    conn: &'a mut DbConnection,
    open: bool,
}

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.batch_execute("ROLLBACK");
        }
    }
}

fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    let begin = match conn {
        DbConnection::Sqlite(_) => "BEGIN IMMEDIATE",
        DbConnection::Postgres(_) => "BEGIN",
    };
    conn.batch_execute(begin).map_err(DbError::from)?;
    let mut guard = RollbackGuard { conn, open: true };
    // On error (or a failed COMMIT) the guard rolls back as it drops.
    let value = f(guard.conn)?;
    guard.conn.batch_execute("COMMIT").map_err(DbError::from)?;
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
