//! Organizations and their members. Every read is scoped to a member account, so a query can
//! never return an organization the caller does not belong to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{organization_members, organizations, sales_representatives};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub address: String,
    pub country: String,
    pub description: String,
    pub business_phone: String,
    pub city: String,
    pub region: String,
    pub zip: String,
    pub sales_representative_id: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub address: &'a str,
    pub country: &'a str,
    pub description: &'a str,
    pub business_phone: &'a str,
    pub city: &'a str,
    pub region: &'a str,
    pub zip: &'a str,
    pub sales_representative_id: Option<&'a str>,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organization as one member sees it: with that member's role and the sales
/// representative's name.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub organization: Organization,
    pub role: String,
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
    organization_id: &str,
    account_id: &str,
    role: &str,
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

type Row = (Organization, String, Option<String>);

fn to_view((organization, role, sales_representative_name): Row) -> MemberView {
    MemberView {
        organization,
        role,
        sales_representative_name,
    }
}

/// The organizations `account_id` belongs to, oldest first.
pub fn for_member(conn: &mut DbConnection, account_id: &str) -> QueryResult<Vec<MemberView>> {
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

/// One organization, only if `account_id` is a member of it.
pub fn find_for_member(
    conn: &mut DbConnection,
    id: &str,
    account_id: &str,
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
pub fn name_of(conn: &mut DbConnection, id: &str) -> QueryResult<Option<String>> {
    organizations::table
        .find(id)
        .select(organizations::name)
        .first(conn)
        .optional()
}
