//! Organizations: create one (onboarding step 5, or any time later from the console), list
//! mine, read, change and delete one. An organization the caller does not belong to answers
//! 404, exactly like one that does not exist.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::{steps, Reached};
use crate::db::models::organizations::MemberView;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json::Json;
use crate::http::sales::SalesRepresentativeSummary;
use crate::services::organizations::{
    self, CreateOrganizationRequest, OrganizationError, OrganizationId, UpdateOrganizationRequest,
};
use crate::services::projects::utc;
use crate::services::teams::{Actor, TeamError};
use crate::startup::AppState;

impl From<OrganizationError> for ApiError {
    fn from(e: OrganizationError) -> Self {
        match e {
            OrganizationError::Invalid(errors) => ApiError::validation(errors),
            OrganizationError::NotFound => ApiError::not_found(),
            OrganizationError::InsufficientRole => TeamError::InsufficientRole.into(),
            OrganizationError::HasProjects(n) => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::OrganizationHasProjects,
                "The organization still has projects",
            )
            .detail(format!(
                "Delete the organization's {n} project(s) first; an organization is deleted only once it has none."
            )),
            OrganizationError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// A new organization. Every field is required; a missing one is reported like an empty one.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CreateOrganizationBody {
    /// The organization's official name.
    #[schema(example = "PT Maju Jaya Teknologi", max_length = 100)]
    pub name: String,
    /// The official address (line breaks allowed).
    #[schema(example = "Jl. Jend. Sudirman Kav. 52-53", max_length = 255)]
    pub address: String,
    /// ISO 3166-1 alpha-2 country code, any case.
    #[schema(example = "ID", min_length = 2, max_length = 2)]
    pub country: String,
    /// What the organization does.
    #[schema(example = "Data analytics for retail", max_length = 1000)]
    pub description: String,
    /// With country code (E.164), or national in the organization's country.
    #[schema(example = "+62 21 5150 1234", max_length = 32)]
    pub business_phone: String,
    #[schema(example = "Jakarta Selatan", max_length = 100)]
    pub city: String,
    /// Province, state or region.
    #[schema(example = "DKI Jakarta", max_length = 100)]
    pub region: String,
    /// Postal code, in the country's format where known (5 digits in Indonesia); may be empty
    /// only in countries without postal codes.
    #[schema(example = "12190", max_length = 10)]
    pub zip: String,
    /// One of `GET /v1/sales-representatives`, or `none` when no sales representative
    /// recommended the portal (self-service customers).
    #[schema(example = "0193a5b0-7e1c-7c3e-8f00-4b2d9c1e5a01")]
    pub sales_representative_id: String,
}

impl From<CreateOrganizationBody> for CreateOrganizationRequest {
    fn from(b: CreateOrganizationBody) -> Self {
        CreateOrganizationRequest {
            name: b.name,
            address: b.address,
            country: b.country,
            description: b.description,
            business_phone: b.business_phone,
            city: b.city,
            region: b.region,
            zip: b.zip,
            sales_representative_id: b.sales_representative_id,
        }
    }
}

/// An organization, as one of its members sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    #[schema(example = "0193a5b2-1f00-7a3e-9c11-2b7d5e8f9a10")]
    pub id: String,
    #[schema(example = "PT Maju Jaya Teknologi")]
    pub name: String,
    #[schema(example = "Jl. Jend. Sudirman Kav. 52-53")]
    pub address: String,
    /// ISO 3166-1 alpha-2, upper-case.
    #[schema(example = "ID")]
    pub country: String,
    #[schema(example = "Data analytics for retail")]
    pub description: String,
    /// E.164.
    #[schema(example = "+622151501234")]
    pub business_phone: String,
    #[schema(example = "Jakarta Selatan")]
    pub city: String,
    #[schema(example = "DKI Jakarta")]
    pub region: String,
    #[schema(example = "12190")]
    pub zip: String,
    /// Who recommended the portal.
    pub sales_representative: Option<SalesRepresentativeSummary>,
    /// The caller's role: `owner`, `admin`, `member` or `billing`.
    #[schema(example = "owner")]
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<MemberView> for Organization {
    fn from(v: MemberView) -> Self {
        let o = v.organization;
        let sales_representative = match (o.sales_representative_id, v.sales_representative_name) {
            (Some(id), Some(name)) => Some(SalesRepresentativeSummary { id, name }),
            _ => None,
        };
        Self {
            id: o.id.into(),
            name: o.name,
            address: o.address,
            country: o.country,
            description: o.description,
            business_phone: o.business_phone,
            city: o.city,
            region: o.region,
            zip: o.zip,
            sales_representative,
            role: v.role.to_string(),
            created_at: utc(o.created_at),
            updated_at: utc(o.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationList {
    /// The caller's organizations, oldest first.
    pub items: Vec<Organization>,
    /// Pass as `after` for the next page; absent on the last page.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

/// A change to an organization: only the fields present change, each checked as on creation
/// (a new `country` re-checks the phone number and postal code as they will be).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateOrganizationBody {
    #[schema(example = "PT Maju Jaya Teknologi Indonesia", max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 255)]
    pub address: Option<String>,
    #[schema(min_length = 2, max_length = 2)]
    pub country: Option<String>,
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    #[schema(example = "+62 21 5150 9999", max_length = 32)]
    pub business_phone: Option<String>,
    #[schema(max_length = 100)]
    pub city: Option<String>,
    #[schema(max_length = 100)]
    pub region: Option<String>,
    #[schema(max_length = 10)]
    pub zip: Option<String>,
    /// One of `GET /v1/sales-representatives`, or `none`.
    pub sales_representative_id: Option<String>,
}

impl From<UpdateOrganizationBody> for UpdateOrganizationRequest {
    fn from(b: UpdateOrganizationBody) -> Self {
        Self {
            name: b.name,
            address: b.address,
            country: b.country,
            description: b.description,
            business_phone: b.business_phone,
            city: b.city,
            region: b.region,
            zip: b.zip,
            sales_representative_id: b.sales_representative_id,
        }
    }
}

/// Create an organization.
///
/// Onboarding step `create_organization`, and later any time the caller wants another one: the
/// caller becomes its owner. Every invalid field is
/// reported at once in `errors`, each with its own `code` — `name_required`,
/// `country_unknown`, `business_phone_invalid`, `zip_invalid_for_country`,
/// `sales_representative_unknown`, `sales_representative_inactive`, …
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    request_body(content = CreateOrganizationBody, example = json!({
        "name": "PT Maju Jaya Teknologi", "address": "Jl. Jend. Sudirman Kav. 52-53", "country": "ID",
        "description": "Data analytics for retail", "business_phone": "+62 21 5150 1234",
        "city": "Jakarta Selatan", "region": "DKI Jakarta", "zip": "12190",
        "sales_representative_id": "0193a5b0-7e1c-7c3e-8f00-4b2d9c1e5a01"})),
    responses(
        (status = 201, description = "Created; `Location` names it", body = Organization,
            headers(("Location" = String, description = "`/v1/organizations/{id}`"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Legal documents not accepted yet (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`errors` lists each)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:service-portal:problem:validation_failed", "title": "The request is not valid",
                "status": 422, "code": "validation_failed", "detail": "One or more fields are not valid; see `errors`.",
                "errors": [{"field": "country", "code": "country_unknown", "message": "must be a two-letter ISO 3166-1 country code, for example ID"},
                           {"field": "sales_representative_id", "code": "sales_representative_unknown", "message": "must be one of the sales representatives listed by GET /v1/sales-representatives"}]})),
    ),
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateOrganization>,
    idempotency_key: IdempotencyKey,
    body: Json<CreateOrganizationBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let fingerprint = idempotency::fingerprint(&idempotency_key, "", &b);
    let account_id = auth.0.account.id.clone();
    let st = state.clone();
    idempotency::run(
        &state,
        idempotency_key,
        account_id.as_str(),
        "POST /v1/organizations",
        &fingerprint,
        || async move {
            let created = organizations::create(&st, &auth.0.account.id, b.into()).await?;
            let body = Organization::from(created);
            Ok(HttpResponse::Created()
                .insert_header((header::LOCATION, format!("/v1/organizations/{}", body.id)))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(body))
        },
    )
    .await
}

/// List my organizations.
///
/// The organizations the caller belongs to, oldest first, with the caller's role. Paginated by
/// cursor.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(crate::http::ListQuery),
    responses(
        (status = 200, description = "A page of the caller's organizations", body = OrganizationList),
        (status = 400, description = "Bad paging parameters (`invalid_query`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Legal documents not accepted yet (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateOrganization>,
    query: crate::http::json::Query<crate::http::ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = crate::http::page_limit(query.limit, query.after.as_deref())?;
    let rows = organizations::page(
        &state,
        &auth.0.account.id,
        query.after,
        i64::from(limit) + 1,
    )
    .await?;
    let (rows, next_cursor) = crate::http::paginate(rows, limit, |v| v.organization.id.to_string());
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(OrganizationList {
            items: rows.into_iter().map(Organization::from).collect(),
            next_cursor,
        }))
}

/// Read an organization.
///
/// Only for its members: any other id answers 404, whether or not it exists.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organization's id")),
    responses(
        (status = 200, description = "The organization", body = Organization),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Legal documents not accepted yet (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateOrganization>,
    path: web::Path<OrganizationId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let org = organizations::get(&state, &auth.0.account.id, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(Organization::from(org)))
}

/// Change an organization.
///
/// Owners and admins. Only the fields sent change; each is checked as on creation and every bad
/// one is reported at once. Logged in the organization's events (`organization_updated`, with
/// the fields named).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organization's id")),
    request_body(content = UpdateOrganizationBody, example = json!({
        "name": "PT Maju Jaya Teknologi Indonesia", "business_phone": "+62 21 5150 9999"})),
    responses(
        (status = 200, description = "The organization as stored now", body = Organization),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the role does not allow it (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`errors` lists each)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    path: web::Path<OrganizationId>,
    body: Json<UpdateOrganizationBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    let org = organizations::update(&state, actor, &id, body.into_inner().into()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Organization::from(org)))
}

/// Delete an organization.
///
/// Owners only, and only once it has no projects (`409 organization_has_projects` otherwise:
/// delete them first). Its memberships, pending invitations and events go with it; every other
/// member is emailed.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organization's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or not an owner (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It still has projects (`organization_has_projects`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/organizations/{id}")]
pub async fn delete_organization(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    path: web::Path<OrganizationId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    organizations::delete(&state, actor, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
