//! Projects: step 6 of the journey, and the life of a project's cluster.
//!
//! A member of an organization creates a project (name unique within the organization, case
//! and spacing ignored; description; the business VAT ID, name and address). The project starts
//! with cluster status `pending`, and a provisioning job is written in the same transaction, so
//! a committed project always gets its cluster, whatever happens to this process afterwards.
//!
//! The cluster status then moves `pending → provisioning → ready | failed`, each move bumping
//! `updated_at` (which clients poll, with an ETag). The moves are conditional on the current
//! status, so a report that arrives late or twice changes nothing. Reaching `ready` emails the
//! project's creator (`cluster_ready`); reaching `failed` emails them the reason
//! (`cluster_failed`). Both are written to the outbox in the same transaction as the move.
//!
//! With the webhook provisioner, the operator reports the outcome to a signed callback
//! ([`verify_callback`], [`report`]).

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use serde_json::json;

use crate::db::models::projects::{NewProject, Project, ProjectView, StatusChange};
use crate::db::models::{accounts, jobs as job_rows, organizations, projects};
use crate::db::{DbConnection, DbError};
use crate::domain::{AccountId, OrganizationId, VatId};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::jobs::{self, provisioners::webhook::SignatureError};
use crate::mail::{self, Template};
use crate::services::organizations::{text, TextRule, MAX_ADDRESS, MAX_DESCRIPTION};
use crate::services::teams::{self, event, Actor, Event, Role};
use crate::services::Context;

/// Longest project name, in characters.
pub const MAX_NAME: usize = 100;
/// Longest VAT (taxpayer) name, in characters.
pub const MAX_VAT_NAME: usize = 100;
/// Longest failure reason kept from a provisioner, in characters.
pub const MAX_REASON: usize = 500;

/// Cluster statuses, as stored and as returned by the API.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const PROVISIONING: &str = "provisioning";
    pub const READY: &str = "ready";
    pub const FAILED: &str = "failed";
    /// Deletion asked for: the provisioner is removing the cluster; the project then goes.
    pub const DELETING: &str = "deleting";
    /// Statuses a provisioning outcome may still move.
    pub const UNSETTLED: [&str; 2] = [PENDING, PROVISIONING];
}

pub use crate::domain::ProjectId;

/// The project form, as received (the service parses every field).
#[derive(Debug, Clone)]
pub struct CreateProjectRequest {
    pub name: String,
    pub description: String,
    pub vat_id: String,
    pub vat_name: String,
    pub vat_address: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// Unknown, or the caller is not a member of its organization: the same answer for both.
    #[error("not found")]
    NotFound,
    /// A member whose role does not allow it (`billing` creating a project).
    #[error("the caller's role does not allow this")]
    InsufficientRole,
    /// The project is being deleted: it cannot change any more.
    #[error("the project is being deleted")]
    Deleting,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(ProjectError);

/// How provisioning ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterOutcome {
    Ready,
    Failed(String),
}

/// How the deletion of a cluster ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeletionOutcome {
    /// The cluster is gone, and so is the project.
    Deleted,
    /// The provisioner could not delete it: the project stays, `failed` with the reason.
    Failed(String),
}

/// "Analytics  Team" and "analytics team" are the same name within an organization.
pub fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

struct ValidProject {
    name: String,
    description: String,
    vat_id: VatId,
    vat_name: String,
    vat_address: String,
}

fn parse(req: &CreateProjectRequest, errors: &mut Vec<FieldError>) -> Option<ValidProject> {
    let mut field = |field, max, multiline, raw: &str| {
        text(
            TextRule {
                field,
                max,
                multiline,
            },
            raw,
        )
        .map_err(|e| errors.push(e))
        .ok()
    };
    let name = field("name", MAX_NAME, false, &req.name);
    let description = field("description", MAX_DESCRIPTION, true, &req.description);
    let vat_name = field("vat_name", MAX_VAT_NAME, false, &req.vat_name);
    let vat_address = field("vat_address", MAX_ADDRESS, true, &req.vat_address);
    let vat_id = VatId::parse(&req.vat_id)
        .map_err(|e| errors.push(FieldError::new("vat_id", e.code(), e.to_string())))
        .ok();
    Some(ValidProject {
        name: name?,
        description: description?,
        vat_id: vat_id?,
        vat_name: vat_name?,
        vat_address: vat_address?,
    })
}

fn name_taken() -> FieldError {
    FieldError::new(
        "name",
        "project_name_taken",
        "this organization already has a project with this name",
    )
}

/// Creates a project in an organization the account belongs to, with its provisioning job.
pub async fn create(
    state: &Context,
    account_id: &AccountId,
    organization_id: &OrganizationId,
    req: CreateProjectRequest,
    trace: Option<crate::telemetry::TraceContext>,
) -> Result<Project, ProjectError> {
    let mut errors = Vec::new();
    let valid = parse(&req, &mut errors);
    let now = state.clock.now().naive_utc().trunc_subsecs(6);
    let first_run = now + jobs::first_run_delay(&state.settings);
    let account_id = account_id.to_owned();
    let organization_id = organization_id.clone();
    let result = state
        .db
        .write(move |conn| {
            let Some(membership) =
                organizations::find_for_member(conn, &organization_id, &account_id)?
            else {
                return Err(ProjectError::NotFound);
            };
            let creates = membership.role.creates_projects();
            if !creates {
                return Err(ProjectError::InsufficientRole);
            }
            // Checked even when other fields are bad, so that every error is reported at once.
            let normalized = text(
                TextRule {
                    field: "name",
                    max: MAX_NAME,
                    multiline: false,
                },
                &req.name,
            )
            .ok()
            .map(|name| normalize_name(&name));
            if let Some(normalized) = &normalized {
                if projects::name_taken(conn, &organization_id, normalized)? {
                    errors.push(name_taken());
                }
            }
            let (Some(valid), Some(normalized)) = (valid, normalized) else {
                return Err(ProjectError::Invalid(errors));
            };
            if !errors.is_empty() {
                return Err(ProjectError::Invalid(errors));
            }
            let id = ProjectId::generate();
            projects::insert(
                conn,
                &NewProject {
                    id: &id,
                    organization_id: &organization_id,
                    name: &valid.name,
                    name_normalized: &normalized,
                    description: &valid.description,
                    vat_id: valid.vat_id.as_str(),
                    vat_name: &valid.vat_name,
                    vat_address: &valid.vat_address,
                    cluster_status: status::PENDING,
                    created_by: &account_id,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            // The provisioner's call carries this request's trace (W3C Trace Context).
            jobs::schedule(
                conn,
                jobs::PROVISION_CLUSTER,
                id.as_str(),
                first_run,
                now,
                trace.as_ref(),
            )?;
            projects::find(conn, &id)?.ok_or(ProjectError::NotFound)
        })
        .await;
    match result {
        Ok(project) => {
            state.jobs_wake.notify_one();
            Ok(project)
        }
        // Two requests raced past the check: the unique index decided.
        Err(ProjectError::Database(e)) if e.is_unique_violation() => {
            Err(ProjectError::Invalid(vec![name_taken()]))
        }
        Err(e) => Err(e),
    }
}

/// A page of the projects of an organization the account belongs to, oldest first, after the
/// project `after`, with the caller's role (a `billing` member sees only their VAT data) and
/// each creator's name. `limit` rows at most.
pub async fn page(
    state: &Context,
    account_id: &AccountId,
    organization_id: &OrganizationId,
    after: Option<String>,
    limit: i64,
) -> Result<(Role, Vec<(Project, Option<String>)>), ProjectError> {
    let account_id = account_id.to_owned();
    let organization_id = organization_id.clone();
    state
        .db
        .read(move |conn| {
            let membership = organizations::find_for_member(conn, &organization_id, &account_id)?
                .ok_or(ProjectError::NotFound)?;
            let role = membership.role;
            let rows = projects::page(conn, &organization_id, after.as_deref(), limit)?;
            Ok((role, rows))
        })
        .await
}

/// One project of an organization the account belongs to (with the caller's role); any other
/// is not found.
pub async fn get(
    state: &Context,
    account_id: &AccountId,
    id: &ProjectId,
) -> Result<ProjectView, ProjectError> {
    let account_id = account_id.to_owned();
    let id = id.clone();
    state
        .db
        .read(move |conn| {
            projects::view_for_member(conn, &id, &account_id)?.ok_or(ProjectError::NotFound)
        })
        .await
}

/// The statuses a project went through, oldest first (not for the `billing` role).
pub async fn history(
    state: &Context,
    account_id: &AccountId,
    id: &ProjectId,
) -> Result<Vec<StatusChange>, ProjectError> {
    let account_id = account_id.to_owned();
    let id = id.clone();
    state
        .db
        .read(move |conn| {
            let view =
                projects::view_for_member(conn, &id, &account_id)?.ok_or(ProjectError::NotFound)?;
            if !view.role.reads_projects() {
                return Err(ProjectError::InsufficientRole);
            }
            Ok(projects::history(conn, &id)?)
        })
        .await
}

/// A change to a project: each field present replaces the stored one, checked as on creation.
#[derive(Debug, Clone, Default)]
pub struct UpdateProjectRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    pub vat_id: Option<String>,
    pub vat_name: Option<String>,
    pub vat_address: Option<String>,
}

impl UpdateProjectRequest {
    fn fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("description", self.description.is_some()),
            ("vat_id", self.vat_id.is_some()),
            ("vat_name", self.vat_name.is_some()),
            ("vat_address", self.vat_address.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect()
    }
}

/// The caller's project, if their role lets them manage projects (owners and admins).
fn managed(
    conn: &mut DbConnection,
    id: &ProjectId,
    account_id: &AccountId,
) -> Result<ProjectView, ProjectError> {
    let view = projects::view_for_member(conn, id, account_id)?.ok_or(ProjectError::NotFound)?;
    if !view.role.manages_projects() {
        return Err(ProjectError::InsufficientRole);
    }
    Ok(view)
}

/// Changes a project's name, description or VAT data (owners and admins); logged in the
/// organization's events with the fields named.
pub async fn update(
    state: &Context,
    actor: Actor,
    id: &ProjectId,
    change: UpdateProjectRequest,
) -> Result<ProjectView, ProjectError> {
    let now = state.clock.now().naive_utc().trunc_subsecs(6);
    let id = id.clone();
    let result = state
        .db
        .write(move |conn| {
            let view = managed(conn, &id, &actor.account.id)?;
            let p = &view.project;
            if p.cluster_status == status::DELETING {
                return Err(ProjectError::Deleting);
            }
            if change.fields().is_empty() {
                return Ok(view);
            }
            let pick =
                |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_owned());
            let form = CreateProjectRequest {
                name: pick(&change.name, &p.name),
                // VAT IDs are stored as digits; the parser takes them back as they are.
                description: pick(&change.description, &p.description),
                vat_id: pick(&change.vat_id, &p.vat_id),
                vat_name: pick(&change.vat_name, &p.vat_name),
                vat_address: pick(&change.vat_address, &p.vat_address),
            };
            let mut errors = Vec::new();
            let valid = parse(&form, &mut errors);
            let normalized = valid.as_ref().map(|v| normalize_name(&v.name));
            if let Some(normalized) = &normalized {
                if *normalized != p.name_normalized
                    && projects::name_taken(conn, &p.organization_id, normalized)?
                {
                    errors.push(name_taken());
                }
            }
            let (Some(valid), Some(normalized)) = (valid, normalized) else {
                return Err(ProjectError::Invalid(errors));
            };
            if !errors.is_empty() {
                return Err(ProjectError::Invalid(errors));
            }
            projects::update(
                conn,
                &id,
                &projects::ProjectChanges {
                    name: Some(&valid.name),
                    name_normalized: Some(&normalized),
                    description: Some(&valid.description),
                    vat_id: Some(valid.vat_id.as_str()),
                    vat_name: Some(&valid.vat_name),
                    vat_address: Some(&valid.vat_address),
                    updated_at: now,
                },
            )?;
            teams::record(
                conn,
                Event {
                    organization_id: &p.organization_id,
                    kind: event::PROJECT_UPDATED,
                    actor: Some(&actor),
                    subject_account_id: None,
                    subject_email: None,
                    role: None,
                    at: now,
                    details: Some(json!({
                        "project_id": p.id,
                        "project_name": valid.name,
                        "fields": change.fields(),
                    })),
                },
            )?;
            projects::view_for_member(conn, &id, &actor.account.id)?.ok_or(ProjectError::NotFound)
        })
        .await;
    match result {
        Err(ProjectError::Database(e)) if e.is_unique_violation() => {
            Err(ProjectError::Invalid(vec![name_taken()]))
        }
        other => other,
    }
}

/// Asks for a project's deletion (owners and admins): the project goes `deleting` and a job
/// hands the cluster's removal to the provisioner; when it is done the project is gone and its
/// creator and the person who asked are emailed. Asking again while it is being deleted
/// changes nothing.
pub async fn request_deletion(
    state: &Context,
    actor: Actor,
    id: &ProjectId,
    trace: Option<crate::telemetry::TraceContext>,
) -> Result<ProjectView, ProjectError> {
    let now = state.clock.now().naive_utc().trunc_subsecs(6);
    let first_run = now + jobs::first_run_delay(&state.settings);
    let id = id.clone();
    let view = state
        .db
        .write(move |conn| {
            let view = managed(conn, &id, &actor.account.id)?;
            if projects::mark_deleting(conn, &id, &actor.account.id, now)? == 0 {
                return Ok(view); // already being deleted
            }
            // A provisioning job still queued finds the project `deleting` and stops.
            jobs::schedule(
                conn,
                jobs::DELETE_CLUSTER,
                id.as_str(),
                first_run,
                now,
                trace.as_ref(),
            )?;
            teams::record(
                conn,
                Event {
                    organization_id: &view.project.organization_id,
                    kind: event::PROJECT_DELETION_REQUESTED,
                    actor: Some(&actor),
                    subject_account_id: None,
                    subject_email: None,
                    role: None,
                    at: now,
                    details: Some(json!({
                        "project_id": view.project.id,
                        "project_name": view.project.name,
                    })),
                },
            )?;
            projects::view_for_member(conn, &id, &actor.account.id)?.ok_or(ProjectError::NotFound)
        })
        .await?;
    state.jobs_wake.notify_one();
    Ok(view)
}

/// Settles a deletion the provisioner finished, inside the caller's unit of work: the project
/// is removed (or, when the deletion failed, kept as `failed` with the reason), the
/// organization's log notes it, and the creator and the person who asked are emailed. Returns
/// false (and changes nothing) when the project is not being deleted.
pub fn finish_deletion(
    conn: &mut DbConnection,
    project_id: &ProjectId,
    outcome: &DeletionOutcome,
    public_url: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let Some(project) = projects::find(conn, project_id)? else {
        return Ok(false);
    };
    if project.cluster_status != status::DELETING {
        return Ok(false);
    }
    let reason = match outcome {
        DeletionOutcome::Deleted => {
            projects::delete(conn, project_id)?;
            teams::record(
                conn,
                Event {
                    organization_id: &project.organization_id,
                    kind: event::PROJECT_DELETED,
                    actor: None,
                    subject_account_id: None,
                    subject_email: None,
                    role: None,
                    at: now,
                    details: Some(
                        json!({ "project_id": project.id, "project_name": project.name }),
                    ),
                },
            )?;
            None
        }
        DeletionOutcome::Failed(reason) => {
            projects::transition(
                conn,
                project_id,
                &[status::DELETING],
                status::FAILED,
                Some(reason),
                now,
            )?;
            Some(reason.as_str())
        }
    };
    let organization_name =
        organizations::name_of(conn, &project.organization_id)?.unwrap_or_default();
    let requester = match &project.deletion_requested_by {
        Some(id) => accounts::find(conn, id)?,
        None => None,
    };
    let mut recipients = vec![accounts::find(conn, &project.created_by)?];
    if project.deletion_requested_by.as_ref() != Some(&project.created_by) {
        recipients.push(requester.clone());
    }
    for person in recipients.into_iter().flatten() {
        if person.email.is_empty() {
            continue; // an erased account
        }
        mail::enqueue(
            conn,
            &person.email,
            Template::ProjectDeleted,
            &person.locale,
            &json!({
                "full_name": person.full_name,
                "project_name": project.name,
                "organization_name": organization_name,
                "by": requester.as_ref().map(|r| r.full_name.clone()),
                "occurred_at": now.and_utc().format("%Y-%m-%d %H:%M UTC").to_string(),
                "failed": reason.is_some(),
                "reason": reason.unwrap_or_default(),
                "project_url": format!("{public_url}/projects/{}", project.id),
                "console_url": format!("{public_url}/projects"),
            }),
            now,
        )?;
    }
    Ok(true)
}

/// Moves a project that is still `pending` to `provisioning` (a worker started on it).
pub fn mark_provisioning(
    conn: &mut DbConnection,
    project_id: &ProjectId,
    now: NaiveDateTime,
) -> crate::db::QueryResult<bool> {
    projects::transition(
        conn,
        project_id,
        &[status::PENDING],
        status::PROVISIONING,
        None,
        now,
    )
    .map(|n| n > 0)
}

/// Settles a project's cluster (`ready`, or `failed` with a reason) if it is still pending or
/// provisioning, and emails the creator, inside the caller's unit of work. Returns false (and
/// changes nothing) when the project had already settled or no longer exists.
pub fn finish(
    conn: &mut DbConnection,
    project_id: &ProjectId,
    outcome: &ClusterOutcome,
    public_url: &str,
    now: NaiveDateTime,
) -> crate::db::QueryResult<bool> {
    let (to, reason, template) = match outcome {
        ClusterOutcome::Ready => (status::READY, None, Template::ClusterReady),
        ClusterOutcome::Failed(reason) => (
            status::FAILED,
            Some(reason.as_str()),
            Template::ClusterFailed,
        ),
    };
    if projects::transition(conn, project_id, &status::UNSETTLED, to, reason, now)? == 0 {
        return Ok(false);
    }
    let Some(project) = projects::find(conn, project_id)? else {
        return Ok(false);
    };
    let organization_name =
        organizations::name_of(conn, &project.organization_id)?.unwrap_or_default();
    if let Some(creator) = accounts::find(conn, &project.created_by)? {
        mail::enqueue(
            conn,
            &creator.email,
            template,
            &creator.locale,
            &json!({
                "full_name": creator.full_name,
                "project_name": project.name,
                "organization_name": organization_name,
                "project_url": format!("{public_url}/projects/{}", project.id),
                "reason": reason.unwrap_or_default(),
            }),
            now,
        )?;
    }
    Ok(true)
}

/// The outcome an operator reports for a project (webhook provisioner).
#[derive(Debug, Clone)]
pub struct ProvisioningReport {
    pub project_id: String,
    pub outcome: ReportedStatus,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportedStatus {
    Ready,
    Failed,
    /// The cluster of a project being deleted is gone.
    Deleted,
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// The webhook provisioner is not configured: no callback can be authentic.
    #[error("callbacks are not enabled")]
    NotEnabled,
    #[error("signature: {0}")]
    Signature(#[from] SignatureError),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("no such project")]
    NotFound,
    /// The project's cluster already settled (`ready` or `failed`).
    #[error("cluster already {0}")]
    AlreadySettled(String),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(CallbackError);

/// Checks that a callback body was signed by the operator within the last five minutes.
pub fn verify_callback(
    state: &Context,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
) -> Result<(), CallbackError> {
    let secret = state
        .settings
        .provisioner_webhook_secret
        .as_deref()
        .ok_or(CallbackError::NotEnabled)?;
    jobs::provisioners::webhook::verify(
        secret.as_bytes(),
        timestamp,
        signature,
        body,
        state.clock.now(),
    )?;
    Ok(())
}

/// Applies an operator's (verified) report: the project moves to `ready` or `failed` once; a
/// project being deleted is gone on `deleted` (then `None`) or `failed` with the reason.
pub async fn report(
    state: &Context,
    report: ProvisioningReport,
) -> Result<Option<Project>, CallbackError> {
    let Some(project_id) = ProjectId::parse(&report.project_id) else {
        return Err(CallbackError::NotFound);
    };
    let reason = match report.outcome {
        ReportedStatus::Failed => Some(match report.reason.as_deref().map(str::trim) {
            None | Some("") => "the provisioner reported a failure".to_owned(),
            Some(raw) => text(
                TextRule {
                    field: "reason",
                    max: MAX_REASON,
                    multiline: false,
                },
                raw,
            )
            .map_err(|e| CallbackError::Invalid(vec![e]))?,
        }),
        _ => None,
    };
    let now = state.clock.now().naive_utc().trunc_subsecs(6);
    let public_url = state.settings.issuer();
    let reported = report.outcome;
    let project = state
        .db
        .write(move |conn| {
            let project = projects::find(conn, &project_id)?.ok_or(CallbackError::NotFound)?;
            let deleting = project.cluster_status == status::DELETING;
            let settled = match (reported, deleting, reason) {
                (ReportedStatus::Ready, false, _) => {
                    finish(conn, &project_id, &ClusterOutcome::Ready, &public_url, now)?
                }
                (ReportedStatus::Failed, false, Some(reason)) => finish(
                    conn,
                    &project_id,
                    &ClusterOutcome::Failed(reason),
                    &public_url,
                    now,
                )?,
                (ReportedStatus::Deleted, true, _) => finish_deletion(
                    conn,
                    &project_id,
                    &DeletionOutcome::Deleted,
                    &public_url,
                    now,
                )?,
                (ReportedStatus::Failed, true, Some(reason)) => finish_deletion(
                    conn,
                    &project_id,
                    &DeletionOutcome::Failed(reason),
                    &public_url,
                    now,
                )?,
                _ => false,
            };
            if !settled {
                return Err(CallbackError::AlreadySettled(project.cluster_status));
            }
            let (kind, job_status, error) = match (deleting, reported) {
                (false, ReportedStatus::Ready) | (true, ReportedStatus::Deleted) => (
                    if deleting {
                        jobs::DELETE_CLUSTER
                    } else {
                        jobs::PROVISION_CLUSTER
                    },
                    "done",
                    None,
                ),
                _ => (
                    if deleting {
                        jobs::DELETE_CLUSTER
                    } else {
                        jobs::PROVISION_CLUSTER
                    },
                    "failed",
                    Some("the operator reported a failure"),
                ),
            };
            job_rows::settle_for_subject(conn, kind, project_id.as_str(), job_status, error, now)?;
            Ok(projects::find(conn, &project_id)?)
        })
        .await?;
    match &project {
        Some(p) => {
            tracing::info!(project_id = %p.id, status = %p.cluster_status, "cluster outcome reported by the operator");
        }
        None => tracing::info!("cluster deletion reported by the operator"),
    }
    state.mail_wake.notify_one();
    Ok(project)
}

/// A weak validator of a project's state: changes whenever its status or `updated_at` does.
pub fn etag(project: &Project) -> String {
    format!(
        "W/\"{}-{}\"",
        project.updated_at.and_utc().timestamp_micros(),
        project.cluster_status
    )
}

/// A weak validator of a list of projects: changes when any member changes, or one is added.
pub fn list_etag<'a>(projects: impl IntoIterator<Item = &'a Project>) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for p in projects {
        hash.update(p.id.as_str().as_bytes());
        hash.update(p.updated_at.and_utc().timestamp_micros().to_be_bytes());
        hash.update(p.cluster_status.as_bytes());
        hash.update([0]);
    }
    format!("W/\"{}\"", hex::encode(&hash.finalize()[..12]))
}

/// The time of a stored timestamp, as UTC.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_or_spacing() {
        assert_eq!(normalize_name("  Analytics   TEAM "), "analytics team");
        assert_eq!(normalize_name("Ünïcode Prøject"), "ünïcode prøject");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let req = CreateProjectRequest {
            name: "".into(),
            description: "x".repeat(1001),
            vat_id: "AB-123".into(),
            vat_name: "PT\u{7}".into(),
            vat_address: " ".into(),
        };
        let mut errors = Vec::new();
        assert!(parse(&req, &mut errors).is_none());
        let codes: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                ("name", "name_required"),
                ("description", "description_too_long"),
                ("vat_name", "vat_name_invalid_characters"),
                ("vat_address", "vat_address_required"),
                ("vat_id", "vat_id_invalid_characters"),
            ]
        );
    }

    #[test]
    fn a_good_form_keeps_the_vat_id_digits() {
        let req = CreateProjectRequest {
            name: "Analytics".into(),
            description: "Dashboards".into(),
            vat_id: "01.234.567.8-901.000".into(),
            vat_name: "PT Maju Jaya".into(),
            vat_address: "Jakarta".into(),
        };
        let mut errors = Vec::new();
        let v = parse(&req, &mut errors).unwrap();
        assert_eq!(v.vat_id.as_str(), "012345678901000");
    }
}
