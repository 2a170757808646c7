//! Projects and their cluster status. Reads for people are scoped to members of the project's
//! organization; status changes are conditional on the current status, so a late or repeated
//! report never moves a project twice.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{organization_members, projects};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub name_normalized: String,
    pub description: String,
    pub vat_id: String,
    pub vat_name: String,
    pub vat_address: String,
    pub cluster_status: String,
    pub cluster_failure_reason: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = projects)]
pub struct NewProject<'a> {
    pub id: &'a str,
    pub organization_id: &'a str,
    pub name: &'a str,
    pub name_normalized: &'a str,
    pub description: &'a str,
    pub vat_id: &'a str,
    pub vat_name: &'a str,
    pub vat_address: &'a str,
    pub cluster_status: &'a str,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewProject<'_>) -> QueryResult<()> {
    diesel::insert_into(projects::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// Whether the organization already has a project with this normalized name.
pub fn name_taken(
    conn: &mut DbConnection,
    organization_id: &str,
    name_normalized: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        projects::table
            .filter(projects::organization_id.eq(organization_id))
            .filter(projects::name_normalized.eq(name_normalized)),
    ))
    .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Project>> {
    projects::table
        .find(id)
        .select(Project::as_select())
        .first(conn)
        .optional()
}

/// One project, only if `account_id` is a member of its organization.
pub fn find_for_member(
    conn: &mut DbConnection,
    id: &str,
    account_id: &str,
) -> QueryResult<Option<Project>> {
    projects::table
        .inner_join(
            organization_members::table
                .on(organization_members::organization_id.eq(projects::organization_id)),
        )
        .filter(projects::id.eq(id))
        .filter(organization_members::account_id.eq(account_id))
        .select(Project::as_select())
        .first(conn)
        .optional()
}

/// The projects of an organization, oldest first.
pub fn for_organization(
    conn: &mut DbConnection,
    organization_id: &str,
) -> QueryResult<Vec<Project>> {
    projects::table
        .filter(projects::organization_id.eq(organization_id))
        .order((projects::created_at.asc(), projects::id.asc()))
        .select(Project::as_select())
        .load(conn)
}

/// Moves the cluster status from one of `from` to `to` (with a reason for `failed`), bumping
/// `updated_at`; returns 0 when the project was not in one of `from`.
pub fn transition(
    conn: &mut DbConnection,
    id: &str,
    from: &[&str],
    to: &str,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(projects::table.find(id))
        .filter(projects::cluster_status.eq_any(from))
        .set((
            projects::cluster_status.eq(to),
            projects::cluster_failure_reason.eq(reason),
            projects::updated_at.eq(now),
        ))
        .execute(conn)
}
