//! Projects and their cluster status. Reads for people are scoped to members of the project's
//! organization; status changes are conditional on the current status, so a late or repeated
//! report never moves a project twice.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, organization_members, project_status_changes, projects};
use crate::db::DbConnection;
use crate::domain::{AccountId, OrganizationId, ProjectId, Role};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct Project {
    pub id: ProjectId,
    pub organization_id: OrganizationId,
    pub name: String,
    pub name_normalized: String,
    pub description: String,
    pub vat_id: String,
    pub vat_name: String,
    pub vat_address: String,
    pub cluster_status: String,
    pub cluster_failure_reason: Option<String>,
    pub created_by: AccountId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Who asked for the deletion (while `deleting`).
    pub deletion_requested_by: Option<AccountId>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = projects)]
pub struct NewProject<'a> {
    pub id: &'a ProjectId,
    pub organization_id: &'a OrganizationId,
    pub name: &'a str,
    pub name_normalized: &'a str,
    pub description: &'a str,
    pub vat_id: &'a str,
    pub vat_name: &'a str,
    pub vat_address: &'a str,
    pub cluster_status: &'a str,
    pub created_by: &'a AccountId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Adds a project, with the first entry of its status history, and notes the creator's first
/// project (onboarding's step stays done).
pub fn insert(conn: &mut DbConnection, new: &NewProject<'_>) -> QueryResult<()> {
    diesel::insert_into(projects::table)
        .values(new)
        .execute(conn)?;
    diesel::update(accounts::table.find(new.created_by))
        .filter(accounts::first_project_at.is_null())
        .set(accounts::first_project_at.eq(new.created_at))
        .execute(conn)?;
    record_status(conn, new.id, new.cluster_status, None, new.created_at)
}

/// One entry of a project's status history.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = project_status_changes)]
pub struct StatusChange {
    pub status: String,
    pub reason: Option<String>,
    pub occurred_at: NaiveDateTime,
}

fn record_status(
    conn: &mut DbConnection,
    project_id: &ProjectId,
    status: &str,
    reason: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(project_status_changes::table)
        .values((
            project_status_changes::id.eq(uuid::Uuid::now_v7().to_string()),
            project_status_changes::project_id.eq(project_id),
            project_status_changes::status.eq(status),
            project_status_changes::reason.eq(reason),
            project_status_changes::occurred_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The statuses a project went through, oldest first.
pub fn history(conn: &mut DbConnection, project_id: &ProjectId) -> QueryResult<Vec<StatusChange>> {
    project_status_changes::table
        .filter(project_status_changes::project_id.eq(project_id))
        .order((
            project_status_changes::occurred_at.asc(),
            project_status_changes::id.asc(),
        ))
        .select(StatusChange::as_select())
        .load(conn)
}

/// A project as one member sees it: with that member's role in its organization and the name
/// of the person who created it (none once their account is erased).
#[derive(Debug, Clone)]
pub struct ProjectView {
    pub project: Project,
    pub role: Role,
    pub creator_name: Option<String>,
}

type ViewRow = (Project, Role, Option<String>);

fn to_view((project, role, creator_name): ViewRow) -> ProjectView {
    ProjectView {
        project,
        role,
        creator_name: creator_name.filter(|n| !n.is_empty()),
    }
}

/// One project with the caller's role, only if `account_id` is a member of its organization.
pub fn view_for_member(
    conn: &mut DbConnection,
    id: &ProjectId,
    account_id: &AccountId,
) -> QueryResult<Option<ProjectView>> {
    projects::table
        .inner_join(
            organization_members::table
                .on(organization_members::organization_id.eq(projects::organization_id)),
        )
        .left_join(accounts::table.on(accounts::id.eq(projects::created_by)))
        .filter(projects::id.eq(id))
        .filter(organization_members::account_id.eq(account_id))
        .select((
            Project::as_select(),
            organization_members::role,
            accounts::full_name.nullable(),
        ))
        .first::<ViewRow>(conn)
        .optional()
        .map(|row| row.map(to_view))
}

/// A page of an organization's projects, oldest first, after the project `after` (ids are
/// time-ordered UUIDs), with their creators' names.
pub fn page(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(Project, Option<String>)>> {
    let mut query = projects::table
        .left_join(accounts::table.on(accounts::id.eq(projects::created_by)))
        .filter(projects::organization_id.eq(organization_id))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(projects::id.gt(after));
    }
    query
        .order(projects::id.asc())
        .limit(limit)
        .select((Project::as_select(), accounts::full_name.nullable()))
        .load(conn)
}

/// How many projects the organization has (including those being deleted).
pub fn count_for_organization(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
) -> QueryResult<i64> {
    projects::table
        .filter(projects::organization_id.eq(organization_id))
        .count()
        .get_result(conn)
}

/// The editable fields of a project, parsed.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = projects)]
pub struct ProjectChanges<'a> {
    pub name: Option<&'a str>,
    pub name_normalized: Option<&'a str>,
    pub description: Option<&'a str>,
    pub vat_id: Option<&'a str>,
    pub vat_name: Option<&'a str>,
    pub vat_address: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

pub fn update(
    conn: &mut DbConnection,
    id: &ProjectId,
    changes: &ProjectChanges<'_>,
) -> QueryResult<usize> {
    diesel::update(projects::table.find(id))
        .set(changes)
        .execute(conn)
}

/// Moves a project that is not already being deleted to `deleting`, noting who asked; returns
/// 0 when it already was.
pub fn mark_deleting(
    conn: &mut DbConnection,
    id: &ProjectId,
    requested_by: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let n = diesel::update(projects::table.find(id))
        .filter(projects::cluster_status.ne("deleting"))
        .set((
            projects::cluster_status.eq("deleting"),
            projects::cluster_failure_reason.eq(None::<String>),
            projects::deletion_requested_by.eq(requested_by),
            projects::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n > 0 {
        record_status(conn, id, "deleting", None, now)?;
    }
    Ok(n)
}

/// Removes a project (its history goes with it).
pub fn delete(conn: &mut DbConnection, id: &ProjectId) -> QueryResult<usize> {
    diesel::delete(project_status_changes::table.filter(project_status_changes::project_id.eq(id)))
        .execute(conn)?;
    diesel::delete(projects::table.find(id)).execute(conn)
}

/// Whether the organization already has a project with this normalized name.
pub fn name_taken(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    name_normalized: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        projects::table
            .filter(projects::organization_id.eq(organization_id))
            .filter(projects::name_normalized.eq(name_normalized)),
    ))
    .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: &ProjectId) -> QueryResult<Option<Project>> {
    projects::table
        .find(id)
        .select(Project::as_select())
        .first(conn)
        .optional()
}

/// One project, only if `account_id` is a member of its organization.
pub fn find_for_member(
    conn: &mut DbConnection,
    id: &ProjectId,
    account_id: &AccountId,
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
    organization_id: &OrganizationId,
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
    id: &ProjectId,
    from: &[&str],
    to: &str,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let n = diesel::update(projects::table.find(id))
        .filter(projects::cluster_status.eq_any(from))
        .set((
            projects::cluster_status.eq(to),
            projects::cluster_failure_reason.eq(reason),
            projects::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n > 0 {
        record_status(conn, id, to, reason, now)?;
    }
    Ok(n)
}
