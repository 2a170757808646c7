//! The email outbox: written in the same transaction as the change that caused the email,
//! claimed by one delivery worker at a time with a lease ([`super::lease`]), retried with
//! backoff.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::outbox;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub id: String,
    pub recipient: String,
    pub template: String,
    pub language: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxMessage<'a> {
    pub id: &'a str,
    pub recipient: &'a str,
    pub template: &'a str,
    pub language: &'a str,
    pub payload: &'a str,
    pub status: &'a str,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewOutboxMessage<'_>) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

// Codes and links that expire in minutes go before everything else that waits.
super::lease::lease_queue!(outbox, due: next_attempt_at,
    first: outbox::template.eq_any(URGENT_TEMPLATES).desc());

/// Messages whose content expires within minutes (the device code, the reset link).
const URGENT_TEMPLATES: [&str; 2] = ["device_code", "password_reset"];

/// True when some message waits for a retry after a failed attempt.
pub fn any_backing_off(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        outbox::table
            .filter(outbox::status.eq("pending"))
            .filter(outbox::attempts.gt(0))
            .filter(outbox::next_attempt_at.gt(now)),
    ))
    .get_result(conn)
}

/// Makes every message waiting for a retry due now (the mail server answers again).
pub fn retry_now(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(outbox::table)
        .filter(outbox::status.eq("pending"))
        .filter(outbox::attempts.gt(0))
        .filter(outbox::next_attempt_at.gt(now))
        .set(outbox::next_attempt_at.eq(now))
        .execute(conn)
}

/// Takes the lease on one due message and counts the attempt; returns it only if this worker
/// won it.
pub fn claim(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<OutboxMessage>> {
    if !take_lease(conn, id, worker, now, lease_until)? {
        return Ok(None);
    }
    outbox::table
        .find(id)
        .select(OutboxMessage::as_select())
        .first(conn)
        .optional()
}

/// Records delivery and scrubs the payload, which may hold links and codes.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .filter(outbox::locked_by.eq(worker))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(now),
            outbox::payload.eq("{}"),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// Releases the lease after a failed attempt: retry at `next_attempt_at`, or give up.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    error: &str,
    next_attempt_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    let target = diesel::update(outbox::table.find(id)).filter(outbox::locked_by.eq(worker));
    match next_attempt_at {
        Some(at) => target
            .set((
                outbox::next_attempt_at.eq(at),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn),
        None => target
            .set((
                outbox::status.eq("failed"),
                outbox::payload.eq("{}"),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn),
    }
}

/// Messages waiting for delivery, and when the oldest of them was queued (for metrics).
pub fn pending_summary(conn: &mut DbConnection) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    outbox::table
        .filter(outbox::status.eq("pending"))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(outbox::created_at),
        ))
        .get_result(conn)
}
