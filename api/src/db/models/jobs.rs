//! Background jobs: a row per unit of work, due at `next_run_at`, claimed by one worker at a
//! time with a lease ([`super::lease`]).
//!
//! Status: `pending` (to run when due), `waiting` (handed to an external system, waiting for
//! its report), `done`, `failed`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::jobs;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub subject_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_run_at: NaiveDateTime,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The W3C `traceparent` of the request that queued the job.
    pub traceparent: Option<String>,
}

impl Job {
    /// What the job is about, as the id type its kind names (a project for a cluster job, an
    /// account for an erasure, a token for an expiry notice); `None` when the stored subject is
    /// not one.
    pub fn subject<T: std::str::FromStr>(&self) -> Option<T> {
        self.subject_id.parse().ok()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = jobs)]
pub struct NewJob<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub subject_id: &'a str,
    pub status: &'a str,
    pub attempts: i32,
    pub next_run_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub traceparent: Option<&'a str>,
}

pub fn insert(conn: &mut DbConnection, new: &NewJob<'_>) -> QueryResult<()> {
    diesel::insert_into(jobs::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

super::lease::lease_queue!(jobs, due: next_run_at);

/// Takes the lease on one due job and counts the attempt; returns the job only if this worker
/// won it.
pub fn claim(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<Job>> {
    if !take_lease(conn, id, worker, now, lease_until)? {
        return Ok(None);
    }
    jobs::table
        .find(id)
        .select(Job::as_select())
        .first(conn)
        .optional()
}

/// Ends the lease of `worker` with a new status: `done`, `failed`, `waiting`, or `pending`
/// again at `retry_at`. Returns 0 when the lease was lost (another worker took the job over, or
/// a report already settled it), in which case nothing changes.
pub fn release(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    status: &str,
    retry_at: Option<NaiveDateTime>,
    error: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let target = diesel::update(jobs::table.find(id))
        .filter(jobs::locked_by.eq(worker))
        .filter(jobs::status.eq("pending"));
    match retry_at {
        Some(at) => target
            .set((
                jobs::status.eq(status),
                jobs::next_run_at.eq(at),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(error),
                jobs::updated_at.eq(now),
            ))
            .execute(conn),
        None => target
            .set((
                jobs::status.eq(status),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_error.eq(error),
                jobs::updated_at.eq(now),
            ))
            .execute(conn),
    }
}

/// Settles every unfinished job of `kind` for `subject_id` (an external report arrived).
pub fn settle_for_subject(
    conn: &mut DbConnection,
    kind: &str,
    subject_id: &str,
    status: &str,
    error: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .filter(jobs::kind.eq(kind))
            .filter(jobs::subject_id.eq(subject_id))
            .filter(jobs::status.eq_any(["pending", "waiting"])),
    )
    .set((
        jobs::status.eq(status),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::last_error.eq(error),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The jobs of one subject, oldest first (operators and tests).
pub fn for_subject(conn: &mut DbConnection, subject_id: &str) -> QueryResult<Vec<Job>> {
    jobs::table
        .filter(jobs::subject_id.eq(subject_id))
        .order((jobs::created_at.asc(), jobs::id.asc()))
        .select(Job::as_select())
        .load(conn)
}

/// Jobs by state (for metrics).
pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    jobs::table
        .group_by(jobs::status)
        .select((jobs::status, diesel::dsl::count_star()))
        .order(jobs::status.asc())
        .load(conn)
}
