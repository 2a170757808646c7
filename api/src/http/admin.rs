//! `/v1/admin/…`: staff endpoints. Every handler takes [`Staff`]: only accounts with the `admin`
//! role, a live session and a complete onboarding (legal documents accepted, MFA active) get
//! through; any other caller answers 403 before its body or query is read.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::extract::Staff;
use crate::domain::AccountId;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::json::{Json, Query};
use crate::http::organizations::CreateOrganizationBody;
use crate::services::legal::{self, NewVersion, PublishError};
use crate::services::mfa;
use crate::services::sales::{
    self, NewSalesRepresentative, SalesRepresentativeId, SalesRepresentativeUpdate,
};
use crate::services::staff::{self, EnterpriseRequest, StaffError};
use crate::startup::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalText {
    /// `en` (required) or `id`.
    #[schema(example = "en")]
    pub language: String,
    #[schema(example = "Terms and Conditions")]
    pub title: String,
    /// Markdown.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishLegalBody {
    /// `terms`, `privacy` or `eula`.
    #[schema(example = "terms")]
    pub kind: String,
    /// A new version label, e.g. `2.0`.
    #[schema(example = "2.0")]
    pub version: String,
    pub texts: Vec<LegalText>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    pub kind: String,
    pub version: String,
}

impl From<PublishError> for ApiError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Invalid(errors) => ApiError::validation(errors),
            PublishError::VersionExists => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::VersionExists,
                "Version exists",
            )
            .detail(
                "This version of the document was already published; choose a new version label.",
            ),
            PublishError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Publish a new version of a legal document (staff).
///
/// From now on it is the current version: every account must accept it again before doing
/// anything else (the onboarding gate re-opens at `accept_legal_documents`).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = PublishLegalBody,
    responses(
        (status = 201, description = "Published", body = Published),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The version exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/admin/legal-documents")]
pub async fn publish_legal(
    state: web::Data<AppState>,
    _staff: Staff,
    body: Json<PublishLegalBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewVersion {
        kind: body.kind,
        version: body.version,
        texts: body
            .texts
            .into_iter()
            .map(|t| (t.language, t.title, t.body))
            .collect(),
    };
    let now = state.clock.now();
    let published = Published {
        kind: new.kind.clone(),
        version: new.version.clone(),
    };
    legal::publish(&state, new, now).await?;
    Ok(HttpResponse::Created().json(published))
}

/// A sales representative as staff see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesRepresentativeRecord {
    pub id: String,
    #[schema(example = "Andi Pratama")]
    pub name: String,
    #[schema(example = "andi.pratama@example.com")]
    pub email: String,
    /// Whether people can choose them on the organization form.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<crate::db::models::sales::SalesRepresentative> for SalesRepresentativeRecord {
    fn from(r: crate::db::models::sales::SalesRepresentative) -> Self {
        Self {
            id: r.id,
            name: r.name,
            email: r.email,
            active: r.active,
            created_at: DateTime::from_naive_utc_and_offset(r.created_at, Utc),
            updated_at: DateTime::from_naive_utc_and_offset(r.updated_at, Utc),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SalesRepresentativeRecords {
    pub items: Vec<SalesRepresentativeRecord>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSalesRepresentativeBody {
    #[schema(example = "Andi Pratama")]
    pub name: String,
    #[schema(example = "andi.pratama@example.com")]
    pub email: String,
    /// Defaults to true.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesRepresentativeChangesBody {
    pub name: Option<String>,
    pub email: Option<String>,
    /// False hides them from the organization form; organizations that named them keep them.
    pub active: Option<bool>,
}

/// All sales representatives, active or not (staff).
///
/// Unlike the public list, includes inactive ones and their email addresses.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_all_sales_representatives",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every representative", body = SalesRepresentativeRecords),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/admin/sales-representatives")]
pub async fn list_sales_representatives(
    state: web::Data<AppState>,
    _staff: Staff,
) -> Result<HttpResponse, ApiError> {
    let items = sales::list_all(&state)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(SalesRepresentativeRecords { items }))
}

/// Add a sales representative (staff).
///
/// Active at once: the organization form offers them from the next request.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewSalesRepresentativeBody,
    responses(
        (status = 201, description = "Added", body = SalesRepresentativeRecord),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/admin/sales-representatives")]
pub async fn create_sales_representative(
    state: web::Data<AppState>,
    _staff: Staff,
    body: Json<NewSalesRepresentativeBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let input = NewSalesRepresentative::parse(&body.name, &body.email, body.active)
        .map_err(ApiError::validation)?;
    let rep = sales::create(&state, input).await?;
    Ok(HttpResponse::Created().json(SalesRepresentativeRecord::from(rep)))
}

/// Change a sales representative (staff).
///
/// Only the fields sent change. Deactivating hides them from the organization form; the
/// organizations that named them keep them.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Sales representative id")),
    request_body = SalesRepresentativeChangesBody,
    responses(
        (status = 200, description = "Changed", body = SalesRepresentativeRecord),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such representative", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/admin/sales-representatives/{id}")]
pub async fn update_sales_representative(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<SalesRepresentativeId>,
    body: Json<SalesRepresentativeChangesBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let body = body.into_inner();
    let changes =
        SalesRepresentativeUpdate::parse(body.name.as_deref(), body.email.as_deref(), body.active)
            .map_err(ApiError::validation)?;
    let rep = sales::update(&state, &id, changes).await?;
    Ok(HttpResponse::Ok().json(SalesRepresentativeRecord::from(rep)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccountLookup {
    /// The account's email address (any case).
    pub email: String,
}

/// An account as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountRecord {
    pub id: String,
    pub email: String,
    pub full_name: String,
    #[schema(example = "enterprise")]
    pub account_type: String,
    #[schema(example = "user")]
    pub role: String,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

/// Find an account by email (staff).
///
/// The address is matched as sign-up normalizes it (case, and the provider's equivalent forms).
/// For support: the account's state, MFA and open sessions, never a secret.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(AccountLookup),
    responses(
        (status = 200, description = "The account", body = AccountRecord),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account with this email", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/admin/accounts")]
pub async fn find_account(
    state: web::Data<AppState>,
    _staff: Staff,
    query: Query<AccountLookup>,
) -> Result<HttpResponse, ApiError> {
    let normalized = crate::domain::Email::parse(&query.into_inner().email, false)
        .map_err(|_| ApiError::not_found())?
        .normalized();
    let account = crate::services::staff::find_account(&state, normalized)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(AccountRecord {
        id: account.id.into(),
        email: account.email,
        full_name: account.full_name,
        account_type: account.account_type.to_string(),
        role: account.role.to_string(),
        email_verified: account.email_verified_at.is_some(),
        created_at: DateTime::from_naive_utc_and_offset(account.created_at, Utc),
    }))
}

/// Reset a person's MFA (staff).
///
/// For someone locked out of their authenticator, after their identity was confirmed out of
/// band: removes the authenticator and recovery codes; they enroll again at their next sign-in.
/// Recorded as a security event naming the staff member.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 204, description = "Reset"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/admin/accounts/{id}/mfa/reset")]
pub async fn reset_mfa(
    state: web::Data<AppState>,
    staff: Staff,
    Client(client): Client,
    path: web::Path<AccountId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    mfa::staff_reset(&state, id, staff.0.account.id, client).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseAccountBody {
    #[schema(example = "Rina Wijaya", max_length = 100)]
    pub full_name: String,
    #[schema(example = "rina@majujaya.co.id", max_length = 254)]
    pub email: String,
    #[schema(example = "+62 812 3456 7890", max_length = 32)]
    pub phone_number: String,
    /// `en` or `id`: the language of the invitation and later emails.
    pub locale: Option<String>,
    /// The organization the person will own.
    pub organization: CreateOrganizationBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseAccountCreated {
    pub account_id: String,
    pub organization_id: String,
    /// Always `invitation_sent`.
    #[schema(example = "invitation_sent")]
    pub status: String,
}

impl From<StaffError> for ApiError {
    fn from(e: StaffError) -> Self {
        match e {
            StaffError::Invalid(errors) => ApiError::validation(errors),
            StaffError::EmailTaken => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::EmailTaken,
                "Email already registered",
            )
            .detail("An account with this email address already exists."),
            StaffError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Create an Enterprise account with its organization (staff).
///
/// The person becomes the owner of the new organization and receives an invitation email with
/// a single-use link to set a password; then they follow the journey from sign-in, with the
/// End-User License Agreement among the documents to accept.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = EnterpriseAccountBody,
    responses(
        (status = 201, description = "Created; invitation sent", body = EnterpriseAccountCreated),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is already registered (`email_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (organization fields as `organization.<field>`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/admin/enterprise-accounts")]
pub async fn create_enterprise_account(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<EnterpriseAccountBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let (account_id, organization_id) = staff::create_enterprise(
        &state,
        EnterpriseRequest {
            full_name: b.full_name,
            email: b.email,
            phone_number: b.phone_number,
            locale: b.locale,
            organization: b.organization.into(),
        },
        (staff.0.account.id, staff.0.account.full_name),
    )
    .await?;
    Ok(HttpResponse::Created().json(EnterpriseAccountCreated {
        account_id: account_id.into(),
        organization_id: organization_id.into(),
        status: "invitation_sent".into(),
    }))
}
