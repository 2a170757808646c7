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

use crate::db::models::projects::{NewProject, Project};
use crate::db::models::{accounts, jobs as job_rows, organizations, projects};
use crate::db::{DbConnection, DbError};
use crate::domain::VatId;
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::jobs::{self, provisioners::webhook::SignatureError};
use crate::mail::{self, Template};
use crate::services::organizations::{
    text, OrganizationId, TextRule, MAX_ADDRESS, MAX_DESCRIPTION,
};
use crate::startup::AppState;

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
    /// Statuses a provisioning outcome may still move.
    pub const UNSETTLED: [&str; 2] = [PENDING, PROVISIONING];
}

/// The id of a project (a UUID).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProjectId(String);

impl ProjectId {
    /// Accepts only a UUID; anything else cannot name a project.
    pub fn parse(raw: &str) -> Option<Self> {
        uuid::Uuid::parse_str(raw).ok().map(|u| Self(u.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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
    state: &AppState,
    account_id: &str,
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
                organizations::find_for_member(conn, organization_id.as_str(), &account_id)?
            else {
                return Err(ProjectError::NotFound);
            };
            let creates = crate::services::teams::Role::parse(&membership.role)
                .is_some_and(crate::services::teams::Role::creates_projects);
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
                if projects::name_taken(conn, organization_id.as_str(), normalized)? {
                    errors.push(name_taken());
                }
            }
            let (Some(valid), Some(normalized)) = (valid, normalized) else {
                return Err(ProjectError::Invalid(errors));
            };
            if !errors.is_empty() {
                return Err(ProjectError::Invalid(errors));
            }
            let id = uuid::Uuid::now_v7().to_string();
            projects::insert(
                conn,
                &NewProject {
                    id: &id,
                    organization_id: organization_id.as_str(),
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
                &id,
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

/// The projects of an organization the account belongs to.
pub async fn list(
    state: &AppState,
    account_id: &str,
    organization_id: &OrganizationId,
) -> Result<Vec<Project>, ProjectError> {
    let account_id = account_id.to_owned();
    let organization_id = organization_id.clone();
    state
        .db
        .read(move |conn| {
            if organizations::find_for_member(conn, organization_id.as_str(), &account_id)?
                .is_none()
            {
                return Err(ProjectError::NotFound);
            }
            Ok(projects::for_organization(conn, organization_id.as_str())?)
        })
        .await
}

/// One project of an organization the account belongs to; any other is not found.
pub async fn get(
    state: &AppState,
    account_id: &str,
    id: &ProjectId,
) -> Result<Project, ProjectError> {
    let account_id = account_id.to_owned();
    let id = id.clone();
    state
        .db
        .read(move |conn| {
            projects::find_for_member(conn, id.as_str(), &account_id)?.ok_or(ProjectError::NotFound)
        })
        .await
}

/// Moves a project that is still `pending` to `provisioning` (a worker started on it).
pub fn mark_provisioning(
    conn: &mut DbConnection,
    project_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
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
    project_id: &str,
    outcome: &ClusterOutcome,
    public_url: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
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
    state: &AppState,
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

/// Applies an operator's (verified) report: the project moves to `ready` or `failed` once.
pub async fn report(
    state: &AppState,
    report: ProvisioningReport,
) -> Result<Project, CallbackError> {
    let Some(project_id) = ProjectId::parse(&report.project_id) else {
        return Err(CallbackError::NotFound);
    };
    let outcome = match report.outcome {
        ReportedStatus::Ready => ClusterOutcome::Ready,
        ReportedStatus::Failed => {
            let reason = match report.reason.as_deref().map(str::trim) {
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
            };
            ClusterOutcome::Failed(reason)
        }
    };
    let now = state.clock.now().naive_utc().trunc_subsecs(6);
    let public_url = state.settings.issuer();
    let project = state
        .db
        .write(move |conn| {
            let project =
                projects::find(conn, project_id.as_str())?.ok_or(CallbackError::NotFound)?;
            if !finish(conn, project_id.as_str(), &outcome, &public_url, now)? {
                return Err(CallbackError::AlreadySettled(project.cluster_status));
            }
            let (job_status, error) = match &outcome {
                ClusterOutcome::Ready => ("done", None),
                ClusterOutcome::Failed(reason) => ("failed", Some(reason.as_str())),
            };
            job_rows::settle_for_subject(
                conn,
                jobs::PROVISION_CLUSTER,
                project_id.as_str(),
                job_status,
                error,
                now,
            )?;
            projects::find(conn, project_id.as_str())?.ok_or(CallbackError::NotFound)
        })
        .await?;
    tracing::info!(project_id = %project.id, status = %project.cluster_status, "provisioning reported by the operator");
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
pub fn list_etag(projects: &[Project]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for p in projects {
        hash.update(p.id.as_bytes());
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
