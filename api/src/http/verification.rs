//! `POST /v1/email-verifications` and `/resend`: confirm an address, ask for a new link.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::OpaqueToken;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::json::Json;
use crate::services::verification::{self, VerificationError};
use crate::startup::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    /// The `token` query parameter of the emailed link.
    #[schema(max_length = 128)]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verified {
    #[schema(example = "verified")]
    pub status: String,
    #[schema(example = "budi@example.co.id")]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendBody {
    #[schema(example = "budi@example.co.id", max_length = 254)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResendAccepted {
    /// Always `accepted`: the answer does not tell whether the address is registered.
    #[schema(example = "accepted")]
    pub status: String,
}

impl From<VerificationError> for ApiError {
    fn from(e: VerificationError) -> Self {
        fn resend(e: ApiError) -> ApiError {
            e.next("POST", "/v1/email-verifications/resend")
        }
        match e {
            VerificationError::InvalidToken => resend(ApiError::bad_request(
                ProblemCode::VerificationTokenInvalid,
                "This verification link is not valid. Request a new one.",
            )),
            VerificationError::Expired => resend(
                ApiError::new(StatusCode::GONE, ProblemCode::VerificationTokenExpired, "Verification link expired")
                    .detail("This verification link has expired. Request a new one."),
            ),
            VerificationError::Used => resend(
                ApiError::new(StatusCode::GONE, ProblemCode::VerificationTokenUsed, "Verification link already used")
                    .detail("This verification link was replaced by a newer one. Use the latest email or request a new link."),
            ),
            VerificationError::AlreadyVerified => {
                ApiError::new(StatusCode::CONFLICT, ProblemCode::EmailAlreadyVerified, "Email already verified")
                    .detail("This email address is already verified; you can sign in.")
                    .next("POST", "/v1/sessions")
            }
            VerificationError::Throttled(wait) => ApiError::too_many(ProblemCode::TooManyRequests, wait),
            VerificationError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Confirm an email address.
///
/// Spends the single-use token from the verification link (valid for 24 hours).
#[utoipa::path(
    tag = "accounts",
    request_body = ConfirmBody,
    responses(
        (status = 200, description = "Verification successful", body = Verified),
        (status = 400, description = "Unknown token (`verification_token_invalid`) or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already verified (`email_already_verified`)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired or replaced link (`verification_token_expired`, `verification_token_used`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown tokens from this client", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/email-verifications")]
pub async fn confirm(
    state: web::Data<AppState>,
    Client(client): Client,
    body: Json<ConfirmBody>,
) -> Result<HttpResponse, ApiError> {
    let token = OpaqueToken::parse(&body.token).ok_or(VerificationError::InvalidToken)?;
    let email = verification::confirm(&state, token, client).await?;
    Ok(HttpResponse::Ok().json(Verified {
        status: "verified".into(),
        email,
    }))
}

/// Send a new verification link.
///
/// Answers `202` whether or not the address is registered. Throttled per address (once a
/// minute, five times an hour) and per client.
#[utoipa::path(
    tag = "accounts",
    request_body = ResendBody,
    responses(
        (status = 202, description = "If the address needs it, a new link is on its way", body = ResendAccepted),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Asked too often; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/email-verifications/resend")]
pub async fn resend(
    state: web::Data<AppState>,
    Client(client): Client,
    body: Json<ResendBody>,
) -> Result<HttpResponse, ApiError> {
    verification::resend(&state, body.into_inner().email, client).await?;
    Ok(HttpResponse::Accepted().json(ResendAccepted {
        status: "accepted".into(),
    }))
}
