//! Email verification tokens (stored as SHA-256 hashes).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::email_verifications;
use crate::db::DbConnection;
use crate::domain::AccountId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_verifications)]
pub struct EmailVerification {
    pub id: String,
    pub account_id: AccountId,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = email_verifications)]
pub struct NewEmailVerification<'a> {
    pub id: &'a str,
    pub account_id: &'a AccountId,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewEmailVerification<'_>) -> QueryResult<()> {
    diesel::insert_into(email_verifications::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<EmailVerification>> {
    email_verifications::table
        .filter(email_verifications::token_hash.eq(token_hash))
        .select(EmailVerification::as_select())
        .first(conn)
        .optional()
}

/// Marks the token used; returns 0 when another request used it first.
pub fn mark_used(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(email_verifications::table.find(id))
        .filter(email_verifications::used_at.is_null())
        .set(email_verifications::used_at.eq(now))
        .execute(conn)
}

/// Retires every unused token of the account (a resend makes older links useless).
pub fn retire_all(
    conn: &mut DbConnection,
    account_id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(email_verifications::table)
        .filter(email_verifications::account_id.eq(account_id))
        .filter(email_verifications::used_at.is_null())
        .set(email_verifications::used_at.eq(now))
        .execute(conn)
}
