//! Projects: create one in an organization (onboarding step 6), list an organization's, read
//! one. Both reads are cheap to poll for the cluster status: they carry a weak `ETag` (from the
//! status and `updated_at`) and answer `304 Not Modified` to a matching `If-None-Match`.
//! Projects of organizations the caller does not belong to answer 404.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::{steps, Reached};
use crate::db::models::projects::Project as ProjectRow;
use crate::error::{ApiError, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json::Json;
use crate::services::organizations::OrganizationId;
use crate::services::projects::{self, utc, CreateProjectRequest, ProjectError, ProjectId};
use crate::startup::AppState;

impl From<ProjectError> for ApiError {
    fn from(e: ProjectError) -> Self {
        match e {
            ProjectError::Invalid(errors) => ApiError::validation(errors),
            ProjectError::NotFound => ApiError::not_found(),
            ProjectError::InsufficientRole => {
                crate::services::teams::TeamError::InsufficientRole.into()
            }
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
    /// Provisioning failed; see `cluster_failure_reason` (the creator was emailed).
    Failed,
}

impl ClusterStatus {
    pub fn from_stored(s: &str) -> Self {
        match s {
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

/// A project and its cluster status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Project {
    #[schema(example = "0193a5b3-0a00-7d2e-8b45-6c1f0e2d3a4b")]
    pub id: String,
    #[schema(example = "0193a5b2-1f00-7a3e-9c11-2b7d5e8f9a10")]
    pub organization_id: String,
    #[schema(example = "Retail Analytics")]
    pub name: String,
    #[schema(example = "Dashboards for the retail team")]
    pub description: String,
    /// Digits only.
    #[schema(example = "012345678901000")]
    pub vat_id: String,
    #[schema(example = "PT Maju Jaya Teknologi")]
    pub vat_name: String,
    #[schema(example = "Jl. Jend. Sudirman Kav. 52-53, Jakarta 12190")]
    pub vat_address: String,
    pub cluster_status: ClusterStatus,
    /// Why provisioning failed (only when `failed`).
    #[schema(example = json!(null))]
    pub cluster_failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Changes with every cluster status change: poll it (or use the `ETag`).
    pub updated_at: DateTime<Utc>,
}

impl From<ProjectRow> for Project {
    fn from(p: ProjectRow) -> Self {
        Self {
            cluster_status: ClusterStatus::from_stored(&p.cluster_status),
            id: p.id,
            organization_id: p.organization_id,
            name: p.name,
            description: p.description,
            vat_id: p.vat_id,
            vat_name: p.vat_name,
            vat_address: p.vat_address,
            cluster_failure_reason: p.cluster_failure_reason,
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    /// The organization's projects, oldest first.
    pub items: Vec<Project>,
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
    path: web::Path<String>,
    trace: crate::http::client::Trace,
    idempotency_key: IdempotencyKey,
    body: Json<CreateProjectBody>,
) -> Result<HttpResponse, ApiError> {
    let organization_id =
        OrganizationId::parse(&path.into_inner()).ok_or_else(ApiError::not_found)?;
    let b = body.into_inner();
    // The same body for another organization is another request.
    let fingerprint = idempotency::fingerprint(&idempotency_key, organization_id.as_str(), &b);
    let account_id = auth.0.account.id.clone();
    let st = state.clone();
    idempotency::run(
        &state,
        idempotency_key,
        &account_id,
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
            let body = Project::from(created);
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
/// With each project's cluster status. Poll cheaply with `If-None-Match`: the `ETag` changes
/// whenever a project is added or changes status.
#[utoipa::path(
    tag = "projects",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The organization's id"),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of a previous answer"),
    ),
    responses(
        (status = 200, description = "The organization's projects", body = ProjectList,
            headers(("ETag" = String, description = "Weak validator of the list"))),
        (status = 304, description = "Unchanged since the `ETag` given in `If-None-Match`",
            headers(("ETag" = String, description = "The same validator"))),
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
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let organization_id =
        OrganizationId::parse(&path.into_inner()).ok_or_else(ApiError::not_found)?;
    let rows = projects::list(&state, &auth.0.account.id, &organization_id).await?;
    let etag = projects::list_etag(&rows);
    Ok(conditional(
        &req,
        etag,
        &ProjectList {
            items: rows.into_iter().map(Project::from).collect(),
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
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = ProjectId::parse(&path.into_inner()).ok_or_else(ApiError::not_found)?;
    let row = projects::get(&state, &auth.0.account.id, &id).await?;
    let etag = projects::etag(&row);
    Ok(conditional(&req, etag, &Project::from(row)))
}
