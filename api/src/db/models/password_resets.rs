//! Password resets: single-use links (stored hashed) with which a person who forgot their
//! password sets a new one. Only the newest link of an account is kept.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::password_resets;
use crate::db::DbConnection;
use crate::domain::AccountId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = password_resets)]
pub struct PasswordReset {
    pub id: String,
    pub account_id: AccountId,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = password_resets)]
pub struct NewPasswordReset<'a> {
    pub id: &'a str,
    pub account_id: &'a AccountId,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Adds a reset link, replacing every earlier one of the account (only the newest works).
pub fn replace(conn: &mut DbConnection, new: &NewPasswordReset<'_>) -> QueryResult<()> {
    diesel::delete(password_resets::table)
        .filter(password_resets::account_id.eq(new.account_id))
        .execute(conn)?;
    diesel::insert_into(password_resets::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<PasswordReset>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .select(PasswordReset::as_select())
        .first(conn)
        .optional()
}

/// Spends a link; 0 when it was already spent (the other of two simultaneous confirmations won).
pub fn mark_used(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(password_resets::table.find(id))
        .filter(password_resets::used_at.is_null())
        .set(password_resets::used_at.eq(now))
        .execute(conn)
}

/// Removes every link of the account (after its password changed by any means).
pub fn retire_all(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<usize> {
    diesel::delete(password_resets::table)
        .filter(password_resets::account_id.eq(account_id))
        .filter(password_resets::used_at.is_null())
        .execute(conn)
}
