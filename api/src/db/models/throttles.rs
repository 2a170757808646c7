//! Fixed-window failure counters keyed by purpose and subject (account, client address).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::throttles;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
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
/// hits on one key are counted one after the other on PostgreSQL (SQLite serializes writes).
pub fn lock(conn: &mut DbConnection, key: &str, now: NaiveDateTime) -> QueryResult<Throttle> {
    use diesel::sql_types::{Text, Timestamp};
    let insert = match conn {
        DbConnection::Sqlite(_) => {
            "INSERT INTO throttles (key, hits, window_started_at) VALUES (?, 0, ?) ON CONFLICT (key) DO NOTHING"
        }
        DbConnection::Postgres(_) => {
            "INSERT INTO throttles (key, hits, window_started_at) VALUES ($1, 0, $2) ON CONFLICT (key) DO NOTHING"
        }
    };
    diesel::sql_query(insert)
        .bind::<Text, _>(key)
        .bind::<Timestamp, _>(now)
        .execute(conn)?;
    // A no-op update takes the row lock.
    diesel::update(throttles::table.find(key))
        .set(throttles::hits.eq(throttles::hits))
        .execute(conn)?;
    throttles::table
        .find(key)
        .select(Throttle::as_select())
        .first(conn)
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
