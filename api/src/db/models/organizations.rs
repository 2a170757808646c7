//! Organizations and their members. Every read is scoped to a member account, so a query can
//! never return an organization the caller does not belong to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, organization_members, organizations, sales_representatives};
use crate::db::DbConnection;
use crate::domain::{AccountId, OrganizationId, Role};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub address: String,
    pub country: String,
    pub description: String,
    pub business_phone: String,
    pub city: String,
    pub region: String,
    pub zip: String,
    pub sales_representative_id: Option<String>,
    pub created_by: AccountId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization<'a> {
    pub id: &'a OrganizationId,
    pub name: &'a str,
    pub address: &'a str,
    pub country: &'a str,
    pub description: &'a str,
    pub business_phone: &'a str,
    pub city: &'a str,
    pub region: &'a str,
    pub zip: &'a str,
    pub sales_representative_id: Option<&'a str>,
    pub created_by: &'a AccountId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organization as one member sees it: with that member's role and the sales
/// representative's name.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub organization: Organization,
    pub role: Role,
    pub sales_representative_name: Option<String>,
}

pub fn insert(conn: &mut DbConnection, new: &NewOrganization<'_>) -> QueryResult<()> {
    diesel::insert_into(organizations::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn add_member(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    account_id: &AccountId,
    role: Role,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(organization_members::table)
        .values((
            organization_members::organization_id.eq(organization_id),
            organization_members::account_id.eq(account_id),
            organization_members::role.eq(role),
            organization_members::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

type Row = (Organization, Role, Option<String>);

fn to_view((organization, role, sales_representative_name): Row) -> MemberView {
    MemberView {
        organization,
        role,
        sales_representative_name,
    }
}

/// The organizations `account_id` belongs to, oldest first.
pub fn for_member(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<Vec<MemberView>> {
    organizations::table
        .inner_join(organization_members::table)
        .left_join(sales_representatives::table)
        .filter(organization_members::account_id.eq(account_id))
        .order((organizations::created_at.asc(), organizations::id.asc()))
        .select((
            Organization::as_select(),
            organization_members::role,
            sales_representatives::name.nullable(),
        ))
        .load::<Row>(conn)
        .map(|rows| rows.into_iter().map(to_view).collect())
}

/// A page of the organizations `account_id` belongs to, oldest first (ids are time-ordered
/// UUIDs), after the organization `after`.
pub fn page_for_member(
    conn: &mut DbConnection,
    account_id: &AccountId,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<MemberView>> {
    let mut query = organizations::table
        .inner_join(organization_members::table)
        .left_join(sales_representatives::table)
        .filter(organization_members::account_id.eq(account_id))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(organizations::id.gt(after));
    }
    query
        .order(organizations::id.asc())
        .limit(limit)
        .select((
            Organization::as_select(),
            organization_members::role,
            sales_representatives::name.nullable(),
        ))
        .load::<Row>(conn)
        .map(|rows| rows.into_iter().map(to_view).collect())
}

/// The editable fields of an organization, parsed.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub struct OrganizationChanges<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub country: &'a str,
    pub description: &'a str,
    pub business_phone: &'a str,
    pub city: &'a str,
    pub region: &'a str,
    pub zip: &'a str,
    pub sales_representative_id: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

pub fn update(
    conn: &mut DbConnection,
    id: &OrganizationId,
    changes: &OrganizationChanges<'_>,
) -> QueryResult<usize> {
    diesel::update(organizations::table.find(id))
        .set(changes)
        .execute(conn)
}

/// Removes an organization with its members, invitations and log (the caller checked that it
/// has no projects).
pub fn delete(conn: &mut DbConnection, id: &OrganizationId) -> QueryResult<usize> {
    use crate::db::schema::{organization_events, organization_invitations};
    diesel::delete(organization_events::table.filter(organization_events::organization_id.eq(id)))
        .execute(conn)?;
    diesel::delete(
        organization_invitations::table.filter(organization_invitations::organization_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        organization_members::table.filter(organization_members::organization_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(organizations::table.find(id)).execute(conn)
}

/// One organization, only if `account_id` is a member of it.
pub fn find_for_member(
    conn: &mut DbConnection,
    id: &OrganizationId,
    account_id: &AccountId,
) -> QueryResult<Option<MemberView>> {
    organizations::table
        .inner_join(organization_members::table)
        .left_join(sales_representatives::table)
        .filter(organizations::id.eq(id))
        .filter(organization_members::account_id.eq(account_id))
        .select((
            Organization::as_select(),
            organization_members::role,
            sales_representatives::name.nullable(),
        ))
        .first::<Row>(conn)
        .optional()
        .map(|row| row.map(to_view))
}

/// The name of an organization (for emails).
pub fn name_of(conn: &mut DbConnection, id: &OrganizationId) -> QueryResult<Option<String>> {
    organizations::table
        .find(id)
        .select(organizations::name)
        .first(conn)
        .optional()
}

/// A member as the organization's member list shows them.
#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub account_id: AccountId,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: NaiveDateTime,
}

/// The members of an organization, owners first, then by joining time.
pub fn members(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
) -> QueryResult<Vec<MemberRow>> {
    let mut rows: Vec<MemberRow> = organization_members::table
        .inner_join(accounts::table)
        .filter(organization_members::organization_id.eq(organization_id))
        .order((
            organization_members::created_at.asc(),
            organization_members::account_id.asc(),
        ))
        .select((
            organization_members::account_id,
            accounts::full_name,
            accounts::email,
            organization_members::role,
            organization_members::created_at,
        ))
        .load(conn)?;
    rows.sort_by_key(|r| r.role != Role::Owner);
    Ok(rows)
}

/// One member's row, if `account_id` belongs to the organization.
pub fn member(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    account_id: &AccountId,
) -> QueryResult<Option<MemberRow>> {
    organization_members::table
        .inner_join(accounts::table)
        .filter(organization_members::organization_id.eq(organization_id))
        .filter(organization_members::account_id.eq(account_id))
        .select((
            organization_members::account_id,
            accounts::full_name,
            accounts::email,
            organization_members::role,
            organization_members::created_at,
        ))
        .first(conn)
        .optional()
}

pub fn set_role(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    account_id: &AccountId,
    role: Role,
) -> QueryResult<usize> {
    diesel::update(organization_members::table.find((organization_id, account_id)))
        .set(organization_members::role.eq(role))
        .execute(conn)
}

pub fn remove_member(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    account_id: &AccountId,
) -> QueryResult<usize> {
    diesel::delete(organization_members::table.find((organization_id, account_id))).execute(conn)
}

/// How many owners the organization has.
pub fn owner_count(conn: &mut DbConnection, organization_id: &OrganizationId) -> QueryResult<i64> {
    organization_members::table
        .filter(organization_members::organization_id.eq(organization_id))
        .filter(organization_members::role.eq(Role::Owner))
        .count()
        .get_result(conn)
}

/// Takes the organization's write lock for the rest of the transaction (PostgreSQL: the row
/// lock; SQLite: the write transaction already serializes), so that two changes to its
/// membership cannot both see "another owner remains".
pub fn lock(conn: &mut DbConnection, organization_id: &OrganizationId) -> QueryResult<usize> {
    diesel::update(organizations::table.find(organization_id))
        .set(organizations::updated_at.eq(organizations::updated_at))
        .execute(conn)
}
