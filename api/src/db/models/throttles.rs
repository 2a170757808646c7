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

/// Writes the counter (insert or replace; the caller holds the write transaction).
pub fn store(conn: &mut DbConnection, row: &Throttle) -> QueryResult<()> {
    let updated = diesel::update(throttles::table.find(&row.key))
        .set((
            throttles::hits.eq(row.hits),
            throttles::window_started_at.eq(row.window_started_at),
            throttles::blocked_until.eq(row.blocked_until),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(throttles::table)
            .values((
                throttles::key.eq(&row.key),
                throttles::hits.eq(row.hits),
                throttles::window_started_at.eq(row.window_started_at),
                throttles::blocked_until.eq(row.blocked_until),
            ))
            .execute(conn)?;
    }
    Ok(())
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
