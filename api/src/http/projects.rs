//! Projects: create one in an organization (onboarding step 6), list an organization's, read,
//! change and delete one, read its status history. Both reads are cheap to poll for the cluster
//! status: they carry a weak `ETag` (from the status and `updated_at`) and answer `304 Not
//! Modified` to a matching `If-None-Match`. Projects of organizations the caller does not belong
//! to answer 404; a `billing` member sees only each project's name and VAT data.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::{steps, Reached};
use crate::db::models::projects::{Project as ProjectRow, ProjectView, StatusChange};
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json::Json;
use crate::services::organizations::OrganizationId;
use crate::services::projects::{
    self, utc, CreateProjectRequest, ProjectError, ProjectId, UpdateProjectRequest,
};
use crate::services::teams::{Actor, Role};
use crate::startup::AppState;

impl From<ProjectError> for ApiError {
    fn from(e: ProjectError) -> Self {
        match e {
            ProjectError::Invalid(errors) => ApiError::validation(errors),
            ProjectError::NotFound => ApiError::not_found(),
            ProjectError::InsufficientRole => {
                crate::services::teams::TeamError::InsufficientRole.into()
            }
            ProjectError::Deleting => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::ProjectDeleting,
                "The project is being deleted",
            )
            .detail("A project being deleted cannot change any more."),
            ProjectError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Where a project's cluster is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClusterStatus {
    /// Waiting to be provisioned.
    Pending,
    /// Being provisioned.
    Provisioning,
    /// Ready to use (the creator was emailed).
    Ready,
    /// Provisioning failed; see `cluster_failure_reason` (the creator was emailed). Also where
    /// a failed deletion leaves a project.
    Failed,
    /// Being deleted: the cluster is being removed, then the project is gone (its creator and
    /// whoever asked are emailed).
    Deleting,
}

impl ClusterStatus {
    pub fn from_stored(s: &str) -> Self {
        match s {
            projects::status::DELETING => Self::Deleting,
            projects::status::PROVISIONING => Self::Provisioning,
            projects::status::READY => Self::Ready,
            projects::status::FAILED => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// A new project. Every field is required; a missing one is reported like an empty one.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CreateProjectBody {
    /// Unique within the organization (case and spacing ignored).
    #[schema(example = "Retail Analytics", max_length = 100)]
    pub name: String,
    #[schema(example = "Dashboards for the retail team", max_length = 1000)]
    pub description: String,
    /// Business VAT ID: an Indonesian NPWP, 15 digits (`01.234.567.8-901.000`) or 16 digits
    /// (NIK / NPWP16); dots, dashes and spaces are ignored. Stored as digits only.
    #[schema(example = "01.234.567.8-901.000", max_length = 40)]
    pub vat_id: String,
    /// The taxpayer's name.
    #[schema(example = "PT Maju Jaya Teknologi", max_length = 100)]
    pub vat_name: String,
    /// The taxpayer's address.
    #[schema(
        example = "Jl. Jend. Sudirman Kav. 52-53, Jakarta 12190",
        max_length = 255
    )]
    pub vat_address: String,
}

/// A project and its cluster status. For the `billing` role only `id`, `organization_id`,
/// `name`, the VAT fields and the times are present.
#[derive(Debug, Serialize, ToSchema)]
pub struct Project {
    #[schema(example = "0193a5b3-0a00-7d2e-8b45-6c1f0e2d3a4b")]
    pub id: String,
    #[schema(example = "0193a5b2-1f00-7a3e-9c11-2b7d5e8f9a10")]
    pub organization_id: String,
    #[schema(example = "Retail Analytics")]
    pub name: String,
    /// Absent for the `billing` role.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Dashboards for the retail team")]
    pub description: Option<String>,
    /// Digits only.
    #[schema(example = "012345678901000")]
    pub vat_id: String,
    #[schema(example = "PT Maju Jaya Teknologi")]
    pub vat_name: String,
    #[schema(example = "Jl. Jend. Sudirman Kav. 52-53, Jakarta 12190")]
    pub vat_address: String,
    /// Absent for the `billing` role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_status: Option<ClusterStatus>,
    /// Why provisioning (or a deletion) failed (only when `failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(null))]
    pub cluster_failure_reason: Option<String>,
    /// Who created the project (absent for the `billing` role).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<ProjectCreator>,
    pub created_at: DateTime<Utc>,
    /// Changes with every cluster status change: poll it (or use the `ETag`).
    pub updated_at: DateTime<Utc>,
}

/// The person who created a project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectCreator {
    #[schema(example = "0193a5b1-2c00-7f3e-9d22-1a2b3c4d5e6f")]
    pub account_id: String,
    /// Absent once their account is erased.
    #[schema(example = "Budi Santoso")]
    pub full_name: Option<String>,
}

impl Project {
    /// The project as someone with `role` sees it.
    fn for_role(p: ProjectRow, creator_name: Option<String>, role: Role) -> Self {
        let full = role.reads_projects();
        Self {
            cluster_status: full.then(|| ClusterStatus::from_stored(&p.cluster_status)),
            cluster_failure_reason: p.cluster_failure_reason.filter(|_| full),
            description: full.then_some(p.description),
            created_by: full.then_some(ProjectCreator {
                account_id: p.created_by.into(),
                full_name: creator_name,
            }),
            id: p.id.into(),
            organization_id: p.organization_id.into(),
            name: p.name,
            vat_id: p.vat_id,
            vat_name: p.vat_name,
            vat_address: p.vat_address,
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
        }
    }

    fn from_view(v: ProjectView) -> Self {
        Self::for_role(v.project, v.creator_name, v.role)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    /// The organization's projects, oldest first.
    pub items: Vec<Project>,
    /// Pass as `after` for the next page; absent on the last page.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

/// A change to a project: only the fields present change, each checked as on creation.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateProjectBody {
    /// Unique within the organization (case and spacing ignored).
    #[schema(example = "Retail Analytics EU", max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    /// 15 or 16 digits; dots, dashes and spaces are ignored.
    #[schema(example = "01.234.567.8-901.000", max_length = 40)]
    pub vat_id: Option<String>,
    #[schema(max_length = 100)]
    pub vat_name: Option<String>,
    #[schema(max_length = 255)]
    pub vat_address: Option<String>,
}

/// One step of a project's cluster status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectStatusChange {
    pub status: ClusterStatus,
    /// Why it failed (`failed` only).
    pub reason: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl From<StatusChange> for ProjectStatusChange {
    fn from(c: StatusChange) -> Self {
        Self {
            status: ClusterStatus::from_stored(&c.status),
            reason: c.reason,
            occurred_at: utc(c.occurred_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectStatusHistory {
    /// Oldest first: `pending` at creation, then every change.
    pub items: Vec<ProjectStatusChange>,
}

/// True when `If-None-Match` names `etag` (weak comparison, RFC 9110 §13.1.2) or is `*`.
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    let ours = etag.trim_start_matches("W/");
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

/// 200 with the body and its `ETag`, or 304 when the client already has it.
fn conditional<T: Serialize>(req: &HttpRequest, etag: String, body: &T) -> HttpResponse {
    if not_modified(req, &etag) {
        HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .finish()
    } else {
        HttpResponse::Ok()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .json(body)
    }
}

/// Create a project.
///
/// Onboarding step `create_project`, in an organization the caller belongs to. The project
/// starts with cluster status `pending`; provisioning runs in the background and moves it to
/// `provisioning`, then `ready` (the creator is emailed) or `failed` with a reason (emailed
/// too). Every invalid field is reported at once: `name_required`, `project_name_taken`,
/// `vat_id_wrong_length`, `vat_id_invalid_characters`, …
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organization's id")),
    request_body(content = CreateProjectBody, example = json!({
        "name": "Retail Analytics", "description": "Dashboards for the retail team",
        "vat_id": "01.234.567.8-901.000", "vat_name": "PT Maju Jaya Teknologi",
        "vat_address": "Jl. Jend. Sudirman Kav. 52-53, Jakarta 12190"})),
    responses(
        (status = 201, description = "Created with cluster status `pending`; `Location` names it", body = Project,
            headers(
                ("Location" = String, description = "`/v1/projects/{id}`"),
                ("ETag" = String, description = "Weak validator of the project, for `If-None-Match` when polling it")
            )),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An earlier onboarding step is not done (`onboarding_incomplete`), or the `billing` role (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`errors` lists each), including a name already used in the organization", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:service-portal:problem:validation_failed", "title": "The request is not valid",
                "status": 422, "code": "validation_failed", "detail": "One or more fields are not valid; see `errors`.",
                "errors": [{"field": "vat_id", "code": "vat_id_wrong_length",
                    "message": "must have 15 digits (NPWP, for example 01.234.567.8-901.000) or 16 digits (NIK or NPWP16), not 12"}]})),
    ),
)]
#[post("/organizations/{id}/projects")]
pub async fn create_project(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    path: web::Path<OrganizationId>,
    trace: crate::http::client::Trace,
    idempotency_key: IdempotencyKey,
    body: Json<CreateProjectBody>,
) -> Result<HttpResponse, ApiError> {
    let organization_id = path.into_inner();
    let b = body.into_inner();
    // The same body for another organization is another request.
    let fingerprint = idempotency::fingerprint(&idempotency_key, organization_id.as_str(), &b);
    let account_id = auth.0.account.id.clone();
    let st = state.clone();
    idempotency::run(
        &state,
        idempotency_key,
        account_id.as_str(),
        "POST /v1/organizations/{id}/projects",
        &fingerprint,
        || async move {
            let created = projects::create(
                &st,
                &auth.0.account.id,
                &organization_id,
                CreateProjectRequest {
                    name: b.name,
                    description: b.description,
                    vat_id: b.vat_id,
                    vat_name: b.vat_name,
                    vat_address: b.vat_address,
                },
                trace.0,
            )
            .await?;
            let etag = projects::etag(&created);
            let creator = Some(auth.0.account.full_name.clone());
            let body = Project::for_role(created, creator, Role::Member);
            Ok(HttpResponse::Created()
                .insert_header((header::LOCATION, format!("/v1/projects/{}", body.id)))
                .insert_header((header::ETAG, etag))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(body))
        },
    )
    .await
}

/// List an organization's projects.
///
/// With each project's cluster status, oldest first, paginated by cursor. Poll cheaply with
/// `If-None-Match`: the page's `ETag` changes whenever one of its projects is added, changed or
/// changes status.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The organization's id"),
        crate::http::ListQuery,
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of a previous answer"),
    ),
    responses(
        (status = 200, description = "A page of the organization's projects", body = ProjectList,
            headers(("ETag" = String, description = "Weak validator of the page"))),
        (status = 304, description = "Unchanged since the `ETag` given in `If-None-Match`",
            headers(("ETag" = String, description = "The same validator"))),
        (status = 400, description = "Bad paging parameters (`invalid_query`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An earlier onboarding step is not done (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations/{id}/projects")]
pub async fn list_projects(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    path: web::Path<OrganizationId>,
    query: crate::http::json::Query<crate::http::ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let organization_id = path.into_inner();
    let query = query.into_inner();
    let limit = crate::http::page_limit(query.limit, query.after.as_deref())?;
    let (role, rows) = projects::page(
        &state,
        &auth.0.account.id,
        &organization_id,
        query.after,
        i64::from(limit) + 1,
    )
    .await?;
    let (rows, next_cursor) = crate::http::paginate(rows, limit, |(p, _)| p.id.to_string());
    let etag = projects::list_etag(rows.iter().map(|(p, _)| p));
    Ok(conditional(
        &req,
        etag,
        &ProjectList {
            items: rows
                .into_iter()
                .map(|(p, creator)| Project::for_role(p, creator, role))
                .collect(),
            next_cursor,
        },
    ))
}

/// Read a project.
///
/// Only for members of its organization: any other id answers 404. Poll the cluster status
/// cheaply with `If-None-Match`.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The project's id"),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of a previous answer"),
    ),
    responses(
        (status = 200, description = "The project", body = Project,
            headers(("ETag" = String, description = "Weak validator: changes with the cluster status and `updated_at`"))),
        (status = 304, description = "Unchanged since the `ETag` given in `If-None-Match`",
            headers(("ETag" = String, description = "The same validator"))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An earlier onboarding step is not done (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project among the caller's organizations", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/projects/{id}")]
pub async fn get_project(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    path: web::Path<ProjectId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = projects::get(&state, &auth.0.account.id, &id).await?;
    let etag = projects::etag(&view.project);
    Ok(conditional(&req, etag, &Project::from_view(view)))
}

/// Change a project.
///
/// Owners and admins: name, description, VAT data. Only the fields sent change, each checked as
/// on creation; every bad one is reported at once. Not while the project is being deleted.
/// Logged in the organization's events (`project_updated`).
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The project's id")),
    request_body(content = UpdateProjectBody, example = json!({"name": "Retail Analytics EU"})),
    responses(
        (status = 200, description = "The project as stored now", body = Project,
            headers(("ETag" = String, description = "Weak validator of the project"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the role does not allow it (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project among the caller's organizations", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The project is being deleted (`project_deleting`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`errors` lists each), including a name already used in the organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/projects/{id}")]
pub async fn update_project(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    path: web::Path<ProjectId>,
    body: Json<UpdateProjectBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    let change = UpdateProjectRequest {
        name: b.name,
        description: b.description,
        vat_id: b.vat_id,
        vat_name: b.vat_name,
        vat_address: b.vat_address,
    };
    let view = projects::update(&state, actor, &id, change).await?;
    let etag = projects::etag(&view.project);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Project::from_view(view)))
}

/// Delete a project.
///
/// Owners and admins. The project goes `deleting` at once and its cluster is removed by the
/// provisioner in the background (a `cluster.delete` webhook with that provisioner); then the
/// project is gone and its creator and the person who asked are emailed. If the provisioner
/// cannot remove it, the project is `failed` with the reason, and can be deleted again. Asking
/// again while it is being deleted changes nothing.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The project's id")),
    responses(
        (status = 202, description = "Deletion under way: the project, `deleting`", body = Project),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the role does not allow it (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project among the caller's organizations", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/projects/{id}")]
pub async fn delete_project(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    trace: crate::http::client::Trace,
    path: web::Path<ProjectId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    let view = projects::request_deletion(&state, actor, &id, trace.0).await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Project::from_view(view)))
}

/// A project's status history.
///
/// Every status its cluster went through, oldest first, with the failure reason where there
/// was one. Not for the `billing` role.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The project's id")),
    responses(
        (status = 200, description = "The history", body = ProjectStatusHistory),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the `billing` role (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project among the caller's organizations", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/projects/{id}/history")]
pub async fn get_project_history(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    path: web::Path<ProjectId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let items = projects::history(&state, &auth.0.account.id, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(ProjectStatusHistory {
            items: items.into_iter().map(ProjectStatusChange::from).collect(),
        }))
}
