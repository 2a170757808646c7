//! Accounts and their consents.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, consents, sessions};
use crate::db::timestamp::{MaybeTs, Ts};
use crate::db::DbConnection;
use crate::domain::{AccountId, AccountRole, AccountType, SessionId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: AccountId,
    pub email: String,
    pub email_normalized: String,
    pub full_name: String,
    pub phone_number: String,
    pub password_hash: Option<String>,
    pub account_type: AccountType,
    pub role: AccountRole,
    pub locale: String,
    #[diesel(deserialize_as = MaybeTs)]
    pub email_verified_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Ts)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Ts)]
    pub updated_at: NaiveDateTime,
    /// Closed (by the person or by staff): nothing works until it is restored.
    #[diesel(deserialize_as = MaybeTs)]
    pub closed_at: Option<NaiveDateTime>,
    /// The personal data was erased after the grace period.
    #[diesel(deserialize_as = MaybeTs)]
    pub erased_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount<'a> {
    pub id: &'a AccountId,
    pub email: &'a str,
    pub email_normalized: &'a str,
    pub full_name: &'a str,
    pub phone_number: &'a str,
    pub password_hash: Option<&'a str>,
    pub account_type: AccountType,
    pub role: AccountRole,
    pub locale: &'a str,
    pub email_verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = consents)]
pub struct NewConsent<'a> {
    pub id: &'a str,
    pub account_id: &'a AccountId,
    pub kind: &'a str,
    pub version: &'a str,
    pub accepted_at: NaiveDateTime,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub fn insert(conn: &mut DbConnection, new: &NewAccount<'_>) -> QueryResult<()> {
    diesel::insert_into(accounts::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// Inserts the account unless its address is taken (a simultaneous sign-up may win the unique
/// index): then nothing is written and the caller's transaction goes on (the insert runs in a
/// savepoint, which PostgreSQL needs after a failed statement). False when taken.
pub fn insert_unless_taken(conn: &mut DbConnection, new: &NewAccount<'_>) -> QueryResult<bool> {
    match conn.transaction(|c| insert(c, new)) {
        Ok(()) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The account `id` if session `session_id` is its and still live at `now` (not revoked, not
/// expired): one indexed join.
pub fn find_with_live_session(
    conn: &mut DbConnection,
    id: &AccountId,
    session_id: &SessionId,
    now: NaiveDateTime,
) -> QueryResult<Option<Account>> {
    accounts::table
        .inner_join(sessions::table)
        .filter(sessions::id.eq(session_id))
        .filter(accounts::id.eq(id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: &AccountId) -> QueryResult<Option<Account>> {
    accounts::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConnection, normalized: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::email_normalized.eq(normalized))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

pub fn mark_email_verified(
    conn: &mut DbConnection,
    id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .filter(accounts::email_verified_at.is_null())
        .set((
            accounts::email_verified_at.eq(now),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_password_hash(
    conn: &mut DbConnection,
    id: &AccountId,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::password_hash.eq(hash),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn insert_consent(conn: &mut DbConnection, new: &NewConsent<'_>) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// The versions this account accepted, newest first: (kind, version, accepted_at).
pub fn consents_of(
    conn: &mut DbConnection,
    account_id: &AccountId,
) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    consents::table
        .filter(consents::account_id.eq(account_id))
        .order(consents::accepted_at.desc())
        .select((consents::kind, consents::version, consents::accepted_at))
        .load(conn)
}

/// Changes the profile fields that are given.
pub fn update_profile(
    conn: &mut DbConnection,
    id: &AccountId,
    full_name: Option<&str>,
    phone_number: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut changed = 0;
    if let Some(name) = full_name {
        changed += diesel::update(accounts::table.find(id))
            .set((accounts::full_name.eq(name), accounts::updated_at.eq(now)))
            .execute(conn)?;
    }
    if let Some(phone) = phone_number {
        changed += diesel::update(accounts::table.find(id))
            .set((
                accounts::phone_number.eq(phone),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(changed)
}

/// Every consent of the account with where it was given: (kind, version, accepted_at, ip,
/// user agent), oldest first (for the data export).
#[allow(clippy::type_complexity)]
pub fn consent_records(
    conn: &mut DbConnection,
    account_id: &AccountId,
) -> QueryResult<
    Vec<(
        String,
        String,
        NaiveDateTime,
        Option<String>,
        Option<String>,
    )>,
> {
    consents::table
        .filter(consents::account_id.eq(account_id))
        .order(consents::accepted_at.asc())
        .select((
            consents::kind,
            consents::version,
            consents::accepted_at,
            consents::client_ip,
            consents::user_agent,
        ))
        .load(conn)
}
