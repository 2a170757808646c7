//! Invitations to join an organization: bound to a mailbox and a role, single-use, stored
//! hashed. At most one is pending per organization and address (a unique partial index).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, organization_invitations};
use crate::db::DbConnection;
use crate::domain::{AccountId, InvitationId, OrganizationId, Role};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organization_invitations)]
pub struct OrganizationInvitation {
    pub id: InvitationId,
    pub organization_id: OrganizationId,
    pub email: String,
    pub role: Role,
    pub token_hash: String,
    pub invited_by: AccountId,
    pub created_at: NaiveDateTime,
    pub sent_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub accepted_by: Option<AccountId>,
    pub cancelled_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organization_invitations)]
pub struct NewOrganizationInvitation<'a> {
    pub id: &'a InvitationId,
    pub organization_id: &'a OrganizationId,
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub invited_by: &'a AccountId,
    pub created_at: NaiveDateTime,
    pub sent_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewOrganizationInvitation<'_>) -> QueryResult<()> {
    diesel::insert_into(organization_invitations::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// The pending (not accepted, not cancelled) invitations of an organization, with the
/// inviter's name, newest first. Expired ones are included: the list shows them as expired.
pub fn pending(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
) -> QueryResult<Vec<(OrganizationInvitation, Option<String>)>> {
    organization_invitations::table
        .left_join(accounts::table.on(accounts::id.eq(organization_invitations::invited_by)))
        .filter(organization_invitations::organization_id.eq(organization_id))
        .filter(organization_invitations::accepted_at.is_null())
        .filter(organization_invitations::cancelled_at.is_null())
        .order((
            organization_invitations::created_at.desc(),
            organization_invitations::id.desc(),
        ))
        .select((
            OrganizationInvitation::as_select(),
            accounts::full_name.nullable(),
        ))
        .load(conn)
}

/// The pending invitation of `organization_id` to `email`, if any.
pub fn pending_for(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    email: &str,
) -> QueryResult<Option<OrganizationInvitation>> {
    organization_invitations::table
        .filter(organization_invitations::organization_id.eq(organization_id))
        .filter(organization_invitations::email.eq(email))
        .filter(organization_invitations::accepted_at.is_null())
        .filter(organization_invitations::cancelled_at.is_null())
        .select(OrganizationInvitation::as_select())
        .first(conn)
        .optional()
}

pub fn find(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    id: &InvitationId,
) -> QueryResult<Option<OrganizationInvitation>> {
    organization_invitations::table
        .filter(organization_invitations::organization_id.eq(organization_id))
        .filter(organization_invitations::id.eq(id))
        .select(OrganizationInvitation::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<OrganizationInvitation>> {
    organization_invitations::table
        .filter(organization_invitations::token_hash.eq(token_hash))
        .select(OrganizationInvitation::as_select())
        .first(conn)
        .optional()
}

/// A new token and expiry for a pending invitation (resending it): the old link stops working.
pub fn renew(
    conn: &mut DbConnection,
    id: &InvitationId,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(organization_invitations::table.find(id))
        .filter(organization_invitations::accepted_at.is_null())
        .filter(organization_invitations::cancelled_at.is_null())
        .set((
            organization_invitations::token_hash.eq(token_hash),
            organization_invitations::sent_at.eq(now),
            organization_invitations::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// 0 when it was no longer pending.
pub fn cancel(
    conn: &mut DbConnection,
    id: &InvitationId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(organization_invitations::table.find(id))
        .filter(organization_invitations::accepted_at.is_null())
        .filter(organization_invitations::cancelled_at.is_null())
        .set(organization_invitations::cancelled_at.eq(now))
        .execute(conn)
}

/// 0 when another request accepted or cancelled it first.
pub fn accept(
    conn: &mut DbConnection,
    id: &InvitationId,
    account_id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(organization_invitations::table.find(id))
        .filter(organization_invitations::accepted_at.is_null())
        .filter(organization_invitations::cancelled_at.is_null())
        .set((
            organization_invitations::accepted_at.eq(now),
            organization_invitations::accepted_by.eq(account_id),
        ))
        .execute(conn)
}
