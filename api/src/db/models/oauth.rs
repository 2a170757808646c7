//! OAuth 2.0 clients and device authorizations (RFC 8628). Device codes are stored as their
//! SHA-256; user codes are short, so they live only for minutes and a wrong one is throttled.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{device_authorizations, oauth_clients};
use crate::db::DbConnection;
use crate::domain::AccountId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_clients)]
pub struct OAuthClient {
    pub client_id: String,
    pub name: String,
    /// `public` (a CLI: no secret) or `confidential` (a service: a secret).
    pub kind: String,
    pub secret_hash: Option<String>,
    /// What it may ask for, space separated.
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub created_by: Option<AccountId>,
    pub disabled_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = oauth_clients)]
pub struct NewOAuthClient<'a> {
    pub client_id: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub secret_hash: Option<&'a str>,
    pub scopes: &'a str,
    pub created_at: NaiveDateTime,
    pub created_by: Option<&'a AccountId>,
}

pub fn find_client(conn: &mut DbConnection, client_id: &str) -> QueryResult<Option<OAuthClient>> {
    oauth_clients::table
        .find(client_id)
        .select(OAuthClient::as_select())
        .first(conn)
        .optional()
}

pub fn insert_client(conn: &mut DbConnection, new: &NewOAuthClient<'_>) -> QueryResult<()> {
    diesel::insert_into(oauth_clients::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn clients(conn: &mut DbConnection) -> QueryResult<Vec<OAuthClient>> {
    oauth_clients::table
        .order(oauth_clients::created_at.asc())
        .select(OAuthClient::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = device_authorizations)]
pub struct DeviceAuthorization {
    pub id: String,
    pub device_code_hash: String,
    pub user_code: String,
    pub client_id: String,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub interval_seconds: i32,
    pub last_polled_at: Option<NaiveDateTime>,
    /// `pending`, `approved`, `denied` or `used`.
    pub status: String,
    pub account_id: Option<AccountId>,
    pub decided_at: Option<NaiveDateTime>,
    pub client_ip: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = device_authorizations)]
pub struct NewDeviceAuthorization<'a> {
    pub id: &'a str,
    pub device_code_hash: &'a str,
    pub user_code: &'a str,
    pub client_id: &'a str,
    pub scopes: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub interval_seconds: i32,
    pub status: &'a str,
    pub client_ip: Option<&'a str>,
}

pub fn insert_authorization(
    conn: &mut DbConnection,
    new: &NewDeviceAuthorization<'_>,
) -> QueryResult<()> {
    diesel::insert_into(device_authorizations::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// Forgets authorizations that expired more than a day ago (their user codes can be reused).
pub fn purge_expired(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        device_authorizations::table.filter(device_authorizations::expires_at.lt(before)),
    )
    .execute(conn)
}

pub fn by_device_code(
    conn: &mut DbConnection,
    device_code_hash: &str,
) -> QueryResult<Option<DeviceAuthorization>> {
    device_authorizations::table
        .filter(device_authorizations::device_code_hash.eq(device_code_hash))
        .select(DeviceAuthorization::as_select())
        .first(conn)
        .optional()
}

pub fn by_user_code(
    conn: &mut DbConnection,
    user_code: &str,
) -> QueryResult<Option<DeviceAuthorization>> {
    device_authorizations::table
        .filter(device_authorizations::user_code.eq(user_code))
        .select(DeviceAuthorization::as_select())
        .first(conn)
        .optional()
}

/// Notes a poll, with the interval the client must keep from now on.
pub fn polled(
    conn: &mut DbConnection,
    id: &str,
    interval_seconds: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(device_authorizations::table.find(id))
        .set((
            device_authorizations::last_polled_at.eq(now),
            device_authorizations::interval_seconds.eq(interval_seconds),
        ))
        .execute(conn)
}

/// Moves a pending authorization to `approved` or `denied` by the account; 0 when it was not
/// pending any more.
pub fn decide(
    conn: &mut DbConnection,
    id: &str,
    status: &str,
    account_id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(device_authorizations::table.find(id))
        .filter(device_authorizations::status.eq("pending"))
        .set((
            device_authorizations::status.eq(status),
            device_authorizations::account_id.eq(account_id),
            device_authorizations::decided_at.eq(now),
        ))
        .execute(conn)
}

/// Spends an approved authorization (its tokens are issued once); 0 when it was not approved.
pub fn mark_used(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::update(device_authorizations::table.find(id))
        .filter(device_authorizations::status.eq("approved"))
        .set(device_authorizations::status.eq("used"))
        .execute(conn)
}
