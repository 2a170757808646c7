//! Invitations: single-use links (stored hashed) with which a person invited by staff sets
//! their first password.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::invitations;
use crate::db::DbConnection;
use crate::domain::AccountId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: String,
    pub account_id: AccountId,
    pub token_hash: String,
    pub invited_by: Option<AccountId>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConnection,
    id: &str,
    account_id: &AccountId,
    token_hash: &str,
    invited_by: Option<&AccountId>,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(id),
            invitations::account_id.eq(account_id),
            invitations::token_hash.eq(token_hash),
            invitations::invited_by.eq(invited_by),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_hash(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

/// Marks the invitation used; 0 when another request used it first.
pub fn mark_used(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(invitations::table.find(id))
        .filter(invitations::used_at.is_null())
        .set(invitations::used_at.eq(now))
        .execute(conn)
}

/// Retires the account's unused invitations (a new one replaces them).
pub fn retire_all(
    conn: &mut DbConnection,
    account_id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(invitations::table)
        .filter(invitations::account_id.eq(account_id))
        .filter(invitations::used_at.is_null())
        .set(invitations::used_at.eq(now))
        .execute(conn)
}
