//! An organization's log of changes: invitations sent, resent, cancelled and accepted, roles
//! changed, members removed or leaving, the organization and its projects edited or deleted.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::organization_events;
use crate::db::DbConnection;
use crate::domain::{AccountId, OrganizationId, Role};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organization_events)]
pub struct OrganizationEvent {
    pub id: String,
    pub organization_id: OrganizationId,
    pub kind: String,
    pub actor_id: Option<AccountId>,
    pub subject_account_id: Option<AccountId>,
    pub subject_email: Option<String>,
    pub role: Option<Role>,
    pub occurred_at: NaiveDateTime,
    pub client_ip: Option<String>,
    /// JSON: what else the event names (a project, the fields changed).
    pub details: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organization_events)]
pub struct NewOrganizationEvent<'a> {
    pub id: &'a str,
    pub organization_id: &'a OrganizationId,
    pub kind: &'a str,
    pub actor_id: Option<&'a AccountId>,
    pub subject_account_id: Option<&'a AccountId>,
    pub subject_email: Option<&'a str>,
    pub role: Option<Role>,
    pub occurred_at: NaiveDateTime,
    pub client_ip: Option<&'a str>,
    pub details: Option<&'a str>,
}

pub fn insert(conn: &mut DbConnection, new: &NewOrganizationEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(organization_events::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// Newest first; `before` is the id of the last event of the previous page (ids are UUIDv7,
/// so they order like time).
pub fn page(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<OrganizationEvent>> {
    let mut query = organization_events::table
        .filter(organization_events::organization_id.eq(organization_id))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(organization_events::id.lt(before));
    }
    query
        .order(organization_events::id.desc())
        .limit(limit)
        .select(OrganizationEvent::as_select())
        .load(conn)
}
