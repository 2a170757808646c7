//! Stored answers to create requests sent with an `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::idempotency_keys;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRecord {
    pub scope: String,
    pub operation: String,
    pub idempotency_key: String,
    pub request_hash: String,
    /// `None` while the first request runs.
    pub status: Option<i32>,
    pub response_body: Option<String>,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub locked_until: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Which key: whose, for which operation, which value.
#[derive(Debug, Clone)]
pub struct KeyRef<'a> {
    pub scope: &'a str,
    pub operation: &'a str,
    pub key: &'a str,
}

/// Claims the key for a first request; `false` when a row already holds it.
pub fn claim_new(
    conn: &mut DbConnection,
    k: &KeyRef<'_>,
    request_hash: &str,
    locked_until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    use diesel::sql_types::{Text, Timestamp};
    let insert = match conn {
        DbConnection::Sqlite(_) => {
            "INSERT INTO idempotency_keys (scope, operation, idempotency_key, request_hash, locked_until, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
        }
        DbConnection::Postgres(_) => {
            "INSERT INTO idempotency_keys (scope, operation, idempotency_key, request_hash, locked_until, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
        }
    };
    let inserted = diesel::sql_query(insert)
        .bind::<Text, _>(k.scope)
        .bind::<Text, _>(k.operation)
        .bind::<Text, _>(k.key)
        .bind::<Text, _>(request_hash)
        .bind::<Timestamp, _>(locked_until)
        .bind::<Timestamp, _>(now)
        .execute(conn)?;
    Ok(inserted == 1)
}

pub fn find(conn: &mut DbConnection, k: &KeyRef<'_>) -> QueryResult<Option<IdempotencyRecord>> {
    idempotency_keys::table
        .find((k.scope, k.operation, k.key))
        .select(IdempotencyRecord::as_select())
        .first(conn)
        .optional()
}

/// Takes over a key whose first request never finished and whose claim ran out; `false` when
/// someone else did first (or it finished meanwhile).
pub fn take_over(
    conn: &mut DbConnection,
    k: &KeyRef<'_>,
    locked_until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let taken = diesel::update(idempotency_keys::table.find((k.scope, k.operation, k.key)))
        .filter(idempotency_keys::status.is_null())
        .filter(idempotency_keys::locked_until.le(now))
        .set(idempotency_keys::locked_until.eq(locked_until))
        .execute(conn)?;
    Ok(taken == 1)
}

/// Keeps the answer of the first request.
pub fn complete(
    conn: &mut DbConnection,
    k: &KeyRef<'_>,
    status: i32,
    body: &str,
    location: Option<&str>,
    etag: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(idempotency_keys::table.find((k.scope, k.operation, k.key)))
        .set((
            idempotency_keys::status.eq(status),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::location.eq(location),
            idempotency_keys::etag.eq(etag),
        ))
        .execute(conn)
}

/// Gives the key up (the first request ended in a way worth retrying).
pub fn release(conn: &mut DbConnection, k: &KeyRef<'_>) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.find((k.scope, k.operation, k.key)))
        .filter(idempotency_keys::status.is_null())
        .execute(conn)
}

/// Forgets keys created before `before`.
pub fn delete_older_than(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(conn)
}
