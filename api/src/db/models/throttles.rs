//! Fixed-window failure counters keyed by purpose and subject (account, client address).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::throttles;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = throttles)]
pub struct Throttle {
    pub key: String,
    pub hits: i32,
    pub window_started_at: NaiveDateTime,
    pub blocked_until: Option<NaiveDateTime>,
}

pub fn find(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Throttle>> {
    throttles::table
        .find(key)
        .select(Throttle::as_select())
        .first(conn)
        .optional()
}

/// Makes sure the key has a row and locks it until the end of the transaction, so concurrent
/// hits on one key are counted one after the other.
///
/// On PostgreSQL this is one upsert that takes the row lock and returns the row: it either
/// inserts or updates even when another transaction deletes the row meanwhile (a successful
/// sign-in clears its counter), where an insert-if-missing followed by a read could find the
/// row gone and fail the request. SQLite runs one writer at a time, so its two steps cannot
/// be interleaved.
pub fn lock(conn: &mut DbConnection, key: &str, now: NaiveDateTime) -> QueryResult<Throttle> {
    use diesel::sql_types::{Text, Timestamp};
    match conn {
        DbConnection::Postgres(c) => diesel::sql_query(
            "INSERT INTO throttles (key, hits, window_started_at) VALUES ($1, 0, $2) \
             ON CONFLICT (key) DO UPDATE SET hits = throttles.hits \
             RETURNING key, hits, window_started_at, blocked_until",
        )
        .bind::<Text, _>(key)
        .bind::<Timestamp, _>(now)
        .get_result(c),
        DbConnection::Sqlite(c) => {
            diesel::sql_query(
                "INSERT INTO throttles (key, hits, window_started_at) VALUES (?, 0, ?) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(now)
            .execute(c)?;
            throttles::table
                .find(key)
                .select(Throttle::as_select())
                .first(c)
        }
    }
}

/// Writes the counter of a row taken with [`lock`].
pub fn store(conn: &mut DbConnection, row: &Throttle) -> QueryResult<()> {
    diesel::update(throttles::table.find(&row.key))
        .set((
            throttles::hits.eq(row.hits),
            throttles::window_started_at.eq(row.window_started_at),
            throttles::blocked_until.eq(row.blocked_until),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<usize> {
    diesel::delete(throttles::table.find(key)).execute(conn)
}

/// Deletes counters whose window and block ended before `before` (housekeeping).
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        throttles::table
            .filter(throttles::window_started_at.lt(before))
            .filter(
                throttles::blocked_until
                    .is_null()
                    .or(throttles::blocked_until.lt(before)),
            ),
    )
    .execute(conn)
}
