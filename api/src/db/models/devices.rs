//! Trusted devices: a device token (stored hashed) proves a browser or program was verified.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::devices;
use crate::db::DbConnection;
use crate::domain::{AccountId, DeviceId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = devices)]
pub struct Device {
    pub id: DeviceId,
    pub account_id: AccountId,
    pub token_hash: String,
    pub label: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub last_ip: Option<String>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = devices)]
pub struct NewDevice<'a> {
    pub id: &'a DeviceId,
    pub account_id: &'a AccountId,
    pub token_hash: &'a str,
    pub label: &'a str,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub last_ip: Option<&'a str>,
}

pub fn insert(conn: &mut DbConnection, new: &NewDevice<'_>) -> QueryResult<()> {
    diesel::insert_into(devices::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// The account's active device with this token hash, if any.
pub fn find_trusted(
    conn: &mut DbConnection,
    account_id: &AccountId,
    token_hash: &str,
) -> QueryResult<Option<Device>> {
    devices::table
        .filter(devices::token_hash.eq(token_hash))
        .filter(devices::account_id.eq(account_id))
        .filter(devices::revoked_at.is_null())
        .select(Device::as_select())
        .first(conn)
        .optional()
}

pub fn touch(
    conn: &mut DbConnection,
    id: &DeviceId,
    now: NaiveDateTime,
    ip: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(devices::table.find(id))
        .set((devices::last_seen_at.eq(now), devices::last_ip.eq(ip)))
        .execute(conn)
}

/// The account's trusted devices, most recently seen first.
pub fn list_active(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<Vec<Device>> {
    devices::table
        .filter(devices::account_id.eq(account_id))
        .filter(devices::revoked_at.is_null())
        .order(devices::last_seen_at.desc())
        .select(Device::as_select())
        .load(conn)
}

/// Stops trusting one of the account's devices; 0 when it is not the account's or already gone.
pub fn revoke(
    conn: &mut DbConnection,
    account_id: &AccountId,
    id: &DeviceId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(devices::table.find(id))
        .filter(devices::account_id.eq(account_id))
        .filter(devices::revoked_at.is_null())
        .set(devices::revoked_at.eq(now))
        .execute(conn)
}

/// Every device the account ever trusted, removed ones too (for the data export).
pub fn list_all(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<Vec<Device>> {
    devices::table
        .filter(devices::account_id.eq(account_id))
        .order(devices::created_at.asc())
        .select(Device::as_select())
        .load(conn)
}
