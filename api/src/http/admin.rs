//! `/v1/admin/…`: staff endpoints. Only accounts with the `admin` role, a live session and a
//! complete onboarding (legal documents accepted, MFA active) get through.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::Authenticated;
use crate::error::{ApiError, Problem};
use crate::http::gate;
use crate::services::accounts;
use crate::services::legal::{self, NewVersion, PublishError};
use crate::startup::AppState;

/// Checks that the caller is staff; returns the staff account.
pub async fn require_staff(
    state: &AppState,
    auth: &Authenticated,
) -> Result<crate::db::models::accounts::Account, ApiError> {
    let forbidden = || {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden")
            .detail("This endpoint is for the provider's staff.")
    };
    if auth.role != "admin" {
        return Err(forbidden());
    }
    let account =
        accounts::current(state, auth.account_id.clone(), auth.session_id.clone()).await?;
    if account.role != "admin" {
        return Err(forbidden());
    }
    gate::require_complete(state, auth).await?;
    Ok(account)
}

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
                "version_exists",
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
    auth: Authenticated,
    body: web::Json<PublishLegalBody>,
) -> Result<HttpResponse, ApiError> {
    require_staff(&state, &auth).await?;
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
    state
        .db
        .write(move |conn| legal::publish_in(conn, &new, now))
        .await?;
    Ok(HttpResponse::Created().json(published))
}
