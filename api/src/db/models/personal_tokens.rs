//! Personal access tokens: stored by the SHA-256 of the token, with their scopes (space
//! separated), expiry and last use. A revoked token stays listed in the account's data export
//! and security events, never usable again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, personal_access_tokens};
use crate::db::DbConnection;
use crate::domain::{AccountId, PersonalTokenId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = personal_access_tokens)]
pub struct PersonalToken {
    pub id: PersonalTokenId,
    pub account_id: AccountId,
    pub name: String,
    pub token_hash: String,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub expiry_notice_sent_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = personal_access_tokens)]
pub struct NewPersonalToken<'a> {
    pub id: &'a PersonalTokenId,
    pub account_id: &'a AccountId,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub scopes: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewPersonalToken<'_>) -> QueryResult<()> {
    diesel::insert_into(personal_access_tokens::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// A token by its stored form, with the account it acts for.
pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(PersonalToken, crate::db::models::accounts::Account)>> {
    personal_access_tokens::table
        .inner_join(accounts::table)
        .filter(personal_access_tokens::token_hash.eq(token_hash))
        .select((
            PersonalToken::as_select(),
            crate::db::models::accounts::Account::as_select(),
        ))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: &PersonalTokenId) -> QueryResult<Option<PersonalToken>> {
    personal_access_tokens::table
        .find(id)
        .select(PersonalToken::as_select())
        .first(conn)
        .optional()
}

/// The account's tokens that are neither revoked nor expired, newest first.
pub fn active_of(
    conn: &mut DbConnection,
    account_id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<Vec<PersonalToken>> {
    personal_access_tokens::table
        .filter(personal_access_tokens::account_id.eq(account_id))
        .filter(personal_access_tokens::revoked_at.is_null())
        .filter(personal_access_tokens::expires_at.gt(now))
        .order(personal_access_tokens::created_at.desc())
        .select(PersonalToken::as_select())
        .load(conn)
}

/// Every token of the account, newest first (the data export).
pub fn all_of(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<Vec<PersonalToken>> {
    personal_access_tokens::table
        .filter(personal_access_tokens::account_id.eq(account_id))
        .order(personal_access_tokens::created_at.desc())
        .select(PersonalToken::as_select())
        .load(conn)
}

/// Revokes one token of the account; 0 when it is not the account's or already revoked.
pub fn revoke(
    conn: &mut DbConnection,
    id: &PersonalTokenId,
    account_id: &AccountId,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(personal_access_tokens::table.find(id))
        .filter(personal_access_tokens::account_id.eq(account_id))
        .filter(personal_access_tokens::revoked_at.is_null())
        .set((
            personal_access_tokens::revoked_at.eq(now),
            personal_access_tokens::revoked_reason.eq(reason),
        ))
        .execute(conn)
}

/// Revokes every token of the account still usable; returns how many.
pub fn revoke_all_of_account(
    conn: &mut DbConnection,
    account_id: &AccountId,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(personal_access_tokens::table)
        .filter(personal_access_tokens::account_id.eq(account_id))
        .filter(personal_access_tokens::revoked_at.is_null())
        .filter(personal_access_tokens::expires_at.gt(now))
        .set((
            personal_access_tokens::revoked_at.eq(now),
            personal_access_tokens::revoked_reason.eq(reason),
        ))
        .execute(conn)
}

/// Notes a use; at most once a minute per token, so that a busy program does not write on
/// every request.
pub fn touch(
    conn: &mut DbConnection,
    id: &PersonalTokenId,
    ip: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let stale = now - chrono::Duration::minutes(1);
    diesel::update(personal_access_tokens::table.find(id))
        .filter(
            personal_access_tokens::last_used_at
                .is_null()
                .or(personal_access_tokens::last_used_at.lt(stale)),
        )
        .set((
            personal_access_tokens::last_used_at.eq(now),
            personal_access_tokens::last_used_ip.eq(ip),
        ))
        .execute(conn)
}

/// Marks the expiry notice sent; 0 when it already was (or the token was revoked).
pub fn mark_notice_sent(
    conn: &mut DbConnection,
    id: &PersonalTokenId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(personal_access_tokens::table.find(id))
        .filter(personal_access_tokens::expiry_notice_sent_at.is_null())
        .filter(personal_access_tokens::revoked_at.is_null())
        .set(personal_access_tokens::expiry_notice_sent_at.eq(now))
        .execute(conn)
}
