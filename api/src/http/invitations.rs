//! `/v1/invitations`: the set-password page of invited people (Enterprise accounts, staff).

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::password::HashError;
use crate::domain::OpaqueToken;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::json::Json;
use crate::services::invitations::{self, InvitationError};
use crate::startup::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationTokenBody {
    /// The `token` query parameter of the emailed link.
    #[schema(max_length = 128)]
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationBody {
    #[schema(max_length = 128)]
    pub token: String,
    /// The first password; must meet the portal's policy (`GET /v1/config`).
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationInfo {
    pub email: String,
    pub full_name: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationAccepted {
    #[schema(example = "password_set")]
    pub status: String,
    pub email: String,
}

impl From<InvitationError> for ApiError {
    fn from(e: InvitationError) -> Self {
        match e {
            InvitationError::Invalid => ApiError::bad_request(
                ProblemCode::InvitationInvalid,
                "This invitation link is not valid.",
            ),
            InvitationError::Expired => ApiError::new(
                StatusCode::GONE,
                ProblemCode::InvitationExpired,
                "Invitation expired",
            )
            .detail("This invitation has expired; ask your contact for a new one."),
            InvitationError::Used => ApiError::new(
                StatusCode::GONE,
                ProblemCode::InvitationUsed,
                "Invitation already used",
            )
            .detail("This invitation was already used; sign in with your password.")
            .next("POST", "/v1/sessions"),
            InvitationError::WeakPassword(errors) => ApiError::validation(errors),
            InvitationError::Hash(HashError::Overloaded) => ApiError::overloaded(),
            InvitationError::Hash(h) => ApiError::internal(&h),
            InvitationError::Database(db) => ApiError::internal(&db),
        }
    }
}

fn token(raw: &str) -> Result<OpaqueToken, ApiError> {
    OpaqueToken::parse(raw).ok_or_else(|| InvitationError::Invalid.into())
}

/// Look an invitation up.
///
/// Tells the set-password page whose invitation it is, without spending it.
#[utoipa::path(
    tag = "accounts",
    request_body = InvitationTokenBody,
    responses(
        (status = 200, description = "A valid invitation", body = InvitationInfo),
        (status = 400, description = "Unknown invitation or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired or used", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/invitations/lookup")]
pub async fn lookup(
    state: web::Data<AppState>,
    body: Json<InvitationTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let view = invitations::inspect(&state, &token(&body.token)?).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(InvitationInfo {
            email: view.email,
            full_name: view.full_name,
            expires_at: view.expires_at,
        }))
}

/// Accept an invitation by setting a password.
///
/// Spends the single-use link, sets the password and marks the email verified; then sign in.
#[utoipa::path(
    tag = "accounts",
    request_body = AcceptInvitationBody,
    responses(
        (status = 200, description = "Password set; sign in next", body = InvitationAccepted),
        (status = 400, description = "Unknown invitation or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired or used", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password does not meet the policy", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/invitations/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    Client(client): Client,
    body: Json<AcceptInvitationBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let token = token(&body.token)?;
    let email = invitations::accept(&state, token, body.password, client).await?;
    Ok(HttpResponse::Ok().json(InvitationAccepted {
        status: "password_set".into(),
        email,
    }))
}
