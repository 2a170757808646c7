//! Sessions (refresh-token families) and their rotating refresh tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::accounts::Account;
use crate::db::schema::{accounts, devices, refresh_tokens, sessions};
use crate::db::timestamp::Ts;
use crate::db::{on_backend, DbConnection};
use crate::domain::{AccountId, DeviceId, SessionId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: SessionId,
    pub account_id: AccountId,
    pub device_id: Option<DeviceId>,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The OAuth client a device-code sign-in was approved for.
    pub client_id: Option<String>,
    /// What such a session may reach (space separated); none: everything the account may.
    pub scopes: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id: &'a SessionId,
    pub account_id: &'a AccountId,
    pub device_id: Option<&'a DeviceId>,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub scopes: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: String,
    pub session_id: SessionId,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub id: &'a str,
    pub session_id: &'a SessionId,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewSession<'_>) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &SessionId) -> QueryResult<Option<Session>> {
    sessions::table
        .find(id)
        .select(Session::as_select())
        .first(conn)
        .optional()
}

pub fn insert_refresh(conn: &mut DbConnection, new: &NewRefreshToken<'_>) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// The refresh token with this hash and its session.
pub fn find_refresh(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(RefreshToken, Session)>> {
    refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((RefreshToken::as_select(), Session::as_select()))
        .first(conn)
        .optional()
}

/// Marks a refresh token used; returns 0 when it had already been used (a reuse).
pub fn use_refresh(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.find(id))
        .filter(refresh_tokens::used_at.is_null())
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)
}

pub fn touch(conn: &mut DbConnection, id: &SessionId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_used_at.eq(now))
        .execute(conn)
}

/// Revokes the session (and so every refresh token of its family).
pub fn revoke(
    conn: &mut DbConnection,
    id: &SessionId,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)
}

/// Revokes every live session started from a device (when the device is removed).
pub fn revoke_for_device(
    conn: &mut DbConnection,
    device_id: &DeviceId,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(sessions::table)
        .filter(sessions::device_id.eq(device_id))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)
}

/// What the guard needs to know about a session: its account and whether it is still live.
#[derive(Debug)]
pub struct Liveness {
    pub account: Account,
    pub revoked_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
    /// When the session's device was removed, if it was.
    pub device_revoked_at: Option<NaiveDateTime>,
    /// The scopes of a session approved for an OAuth client (none: unrestricted).
    pub scopes: Option<String>,
}

impl Liveness {
    /// Not signed out or revoked, not past its absolute lifetime, its device not removed, its
    /// account not closed.
    pub fn is_live(&self, now: NaiveDateTime) -> bool {
        self.revoked_at.is_none()
            && self.expires_at > now
            && self.device_revoked_at.is_none()
            && self.account.closed_at.is_none()
    }
}

/// The session `id` of `account_id` with its account and device, in one indexed read.
pub fn liveness(
    conn: &mut DbConnection,
    id: &SessionId,
    account_id: &AccountId,
) -> QueryResult<Option<Liveness>> {
    // Every authenticated request runs this: prepared once per connection (see `on_backend!`).
    on_backend!(conn, |c| sessions::table
        .inner_join(accounts::table)
        .left_join(devices::table.on(sessions::device_id.eq(devices::id.nullable())))
        .filter(sessions::id.eq(id))
        .filter(sessions::account_id.eq(account_id))
        .select((
            Account::as_select(),
            sessions::revoked_at,
            sessions::expires_at,
            devices::revoked_at.nullable(),
            sessions::scopes,
        ))
        .first::<(Account, Option<Ts>, Ts, Option<Ts>, Option<String>)>(c))
    .optional()
    .map(|row| {
        row.map(
            |(account, revoked_at, expires_at, device_revoked_at, scopes)| Liveness {
                account,
                revoked_at: revoked_at.map(NaiveDateTime::from),
                expires_at: expires_at.into(),
                device_revoked_at: device_revoked_at.map(NaiveDateTime::from),
                scopes,
            },
        )
    })
}

/// A live session as listed to its account.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub session: Session,
    pub device_label: Option<String>,
}

/// The account's live sessions, most recently used first.
pub fn list_live(
    conn: &mut DbConnection,
    account_id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<Vec<SessionView>> {
    sessions::table
        .left_join(devices::table.on(sessions::device_id.eq(devices::id.nullable())))
        .filter(sessions::account_id.eq(account_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(devices::revoked_at.is_null())
        .order((sessions::last_used_at.desc(), sessions::id.desc()))
        .limit(200)
        .select((Session::as_select(), devices::label.nullable()))
        .load::<(Session, Option<String>)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(session, device_label)| SessionView {
                    session,
                    device_label,
                })
                .collect()
        })
}

/// Revokes one live session of the account; 0 when it has none of that id.
pub fn revoke_of_account(
    conn: &mut DbConnection,
    id: &SessionId,
    account_id: &AccountId,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .filter(sessions::account_id.eq(account_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)
}

/// Revokes every live session of the account except `keep` (and so all their refresh
/// families); returns how many ended.
pub fn revoke_all_of_account(
    conn: &mut DbConnection,
    account_id: &AccountId,
    keep: Option<&SessionId>,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let query = diesel::update(sessions::table)
        .filter(sessions::account_id.eq(account_id))
        .filter(sessions::revoked_at.is_null());
    match keep {
        Some(keep) => query
            .filter(sessions::id.ne(keep))
            .set((
                sessions::revoked_at.eq(now),
                sessions::revoked_reason.eq(reason),
            ))
            .execute(conn),
        None => query
            .set((
                sessions::revoked_at.eq(now),
                sessions::revoked_reason.eq(reason),
            ))
            .execute(conn),
    }
}

/// Every session of the account, ended ones too, newest first (for the data export).
pub fn list_all(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::account_id.eq(account_id))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)
}
