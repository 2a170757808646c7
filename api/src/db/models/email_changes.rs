//! Changes of the sign-in email, with their confirm and cancel links (stored hashed).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, email_changes};
use crate::db::DbConnection;
use crate::domain::{AccountId, SessionId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_changes)]
pub struct EmailChange {
    pub id: String,
    pub account_id: AccountId,
    pub session_id: Option<SessionId>,
    pub old_email: String,
    pub new_email: String,
    pub new_email_normalized: String,
    pub confirm_token_hash: String,
    pub cancel_token_hash: String,
    pub confirmed_cancel_token_hash: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub cancel_until: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = email_changes)]
pub struct NewEmailChange<'a> {
    pub id: &'a str,
    pub account_id: &'a AccountId,
    pub session_id: Option<&'a SessionId>,
    pub old_email: &'a str,
    pub new_email: &'a str,
    pub new_email_normalized: &'a str,
    pub confirm_token_hash: &'a str,
    pub cancel_token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub cancel_until: NaiveDateTime,
}

/// Adds a change, replacing the account's earlier ones that were not confirmed (only the newest
/// confirm link works; confirmed ones stay, so that they can still be cancelled).
pub fn replace_pending(conn: &mut DbConnection, new: &NewEmailChange<'_>) -> QueryResult<()> {
    diesel::delete(email_changes::table)
        .filter(email_changes::account_id.eq(new.account_id))
        .filter(email_changes::confirmed_at.is_null())
        .execute(conn)?;
    diesel::insert_into(email_changes::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_confirm_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<EmailChange>> {
    email_changes::table
        .filter(email_changes::confirm_token_hash.eq(hash))
        .select(EmailChange::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_cancel_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<EmailChange>> {
    email_changes::table
        .filter(
            email_changes::cancel_token_hash
                .eq(hash)
                .or(email_changes::confirmed_cancel_token_hash.eq(hash)),
        )
        .select(EmailChange::as_select())
        .first(conn)
        .optional()
}

/// Marks a change confirmed, adds a second cancel link (the first keeps working) and restarts
/// the cancel window; 0 when it was confirmed or cancelled meanwhile (the other of two
/// confirmations won).
pub fn mark_confirmed(
    conn: &mut DbConnection,
    id: &str,
    cancel_token_hash: &str,
    cancel_until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(email_changes::table.find(id))
        .filter(email_changes::confirmed_at.is_null())
        .filter(email_changes::cancelled_at.is_null())
        .set((
            email_changes::confirmed_at.eq(now),
            email_changes::confirmed_cancel_token_hash.eq(cancel_token_hash),
            email_changes::cancel_until.eq(cancel_until),
        ))
        .execute(conn)
}

pub fn mark_cancelled(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(email_changes::table.find(id))
        .filter(email_changes::cancelled_at.is_null())
        .set(email_changes::cancelled_at.eq(now))
        .execute(conn)
}

/// Moves the account to a new address, verified now; fails with a unique violation when the
/// address is another account's.
pub fn move_account(
    conn: &mut DbConnection,
    account_id: &AccountId,
    email: &str,
    normalized: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(account_id))
        .set((
            accounts::email.eq(email),
            accounts::email_normalized.eq(normalized),
            accounts::email_verified_at.eq(now),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The account's changes, newest first (for the data export).
pub fn of_account(
    conn: &mut DbConnection,
    account_id: &AccountId,
) -> QueryResult<Vec<EmailChange>> {
    email_changes::table
        .filter(email_changes::account_id.eq(account_id))
        .order(email_changes::created_at.desc())
        .select(EmailChange::as_select())
        .load(conn)
}
