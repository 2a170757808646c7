//! Security events of an account (see `services::events`): written in the unit of work of the
//! change they describe, read newest first.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::security_events;
use crate::db::DbConnection;
use crate::domain::AccountId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = security_events)]
pub struct SecurityEvent {
    pub id: String,
    pub account_id: AccountId,
    pub kind: String,
    pub occurred_at: NaiveDateTime,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = security_events)]
pub struct NewSecurityEvent<'a> {
    pub id: &'a str,
    pub account_id: &'a AccountId,
    pub kind: &'a str,
    pub occurred_at: NaiveDateTime,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub details: Option<&'a str>,
}

pub fn insert(conn: &mut DbConnection, new: &NewSecurityEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(security_events::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// A page of the account's events, newest first, before the cursor (an event id; ids are
/// UUIDv7, so they sort by time).
pub fn page(
    conn: &mut DbConnection,
    account_id: &AccountId,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<SecurityEvent>> {
    let mut query = security_events::table
        .filter(security_events::account_id.eq(account_id))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(security_events::id.lt(before.to_owned()));
    }
    query
        .order(security_events::id.desc())
        .limit(limit)
        .select(SecurityEvent::as_select())
        .load(conn)
}
