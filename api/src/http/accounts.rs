//! `POST /v1/accounts`: sign up.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::captcha::CaptchaError;
use crate::error::{ApiError, FieldError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json::Json;
use crate::services::signup::{self, SignUpError, SignUpRequest};
use crate::startup::AppState;

/// Acceptance of one legal document version.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// `terms` or `privacy`.
    #[schema(example = "terms")]
    pub kind: String,
    /// The version shown to the person (see `GET /v1/config`).
    #[schema(example = "1.0")]
    pub version: String,
}

/// A new self-service (SME) account.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpBody {
    #[schema(example = "Budi Santoso", max_length = 100)]
    pub full_name: String,
    #[schema(example = "budi@example.co.id", max_length = 254)]
    pub email: String,
    /// Must meet the portal's password policy (`GET /v1/config`).
    #[schema(example = "Correct-Horse-Battery-9", format = Password)]
    pub password: String,
    /// With country code (E.164), e.g. `+62 812 3456 7890`.
    #[schema(example = "+62 812 3456 7890", max_length = 32)]
    pub phone_number: String,
    /// The captcha answer: `"<challenge>:<nonce>"` for the built-in proof of work, or the
    /// third-party widget's response token. Omit when the captcha is `off`.
    pub captcha: Option<String>,
    /// The current Terms and Privacy Policy versions the person accepted.
    pub consents: Vec<ConsentInput>,
    /// `en` or `id`: the language of emails. Defaults to `Accept-Language`.
    #[schema(example = "en")]
    pub locale: Option<String>,
    /// The token of the organization invitation link the person followed. When it is a pending
    /// invitation to this very address and the address has no account yet, the new account's
    /// email counts as verified (`status` `email_verified`): no verification link is sent.
    #[schema(example = json!(null))]
    pub organization_invitation: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignUpAccepted {
    /// `verification_email_sent`, whether or not the address was already registered; or
    /// `email_verified` for a new account signed up from an organization invitation to this
    /// address (sign in next).
    #[schema(example = "verification_email_sent")]
    pub status: String,
    #[schema(example = "budi@example.co.id")]
    pub email: String,
}

pub fn captcha_problem(e: CaptchaError) -> ApiError {
    if matches!(e, CaptchaError::Unavailable) {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::CaptchaUnavailable,
            "Captcha check unavailable",
        )
        .detail("The captcha could not be checked right now; try again shortly.")
        .retry_after(5);
    }
    ApiError::validation(vec![FieldError::new("captcha", e.code(), e.to_string())])
}

impl From<SignUpError> for ApiError {
    fn from(e: SignUpError) -> Self {
        match e {
            SignUpError::Invalid(errors) => ApiError::validation(errors),
            SignUpError::Captcha(c) => captcha_problem(c),
            SignUpError::Throttled(wait) => ApiError::too_many(ProblemCode::TooManyRequests, wait),
            SignUpError::Hash(crate::auth::password::HashError::Overloaded) => {
                ApiError::overloaded()
            }
            SignUpError::Hash(h) => ApiError::internal(&h),
            SignUpError::Legal(l) => l.into(),
            SignUpError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Sign up.
///
/// Creates an unverified SME account and emails a verification link. The answer is the same
/// whether or not the address is already registered; the owner of an existing address is
/// emailed instead. Every unmet rule is reported with its own message.
#[utoipa::path(
    tag = "accounts",
    request_body = SignUpBody,
    responses(
        (status = 202, description = "Check your email", body = SignUpAccepted),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`errors` lists each)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ups from this client", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; retry after `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/accounts")]
pub async fn sign_up(
    state: web::Data<AppState>,
    Client(client): Client,
    idempotency_key: IdempotencyKey,
    body: Json<SignUpBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&idempotency_key, "", &body);
    let st = state.clone();
    idempotency::run(
        &state,
        idempotency_key,
        idempotency::ANONYMOUS,
        "POST /v1/accounts",
        &fingerprint,
        || async move {
            let signed_up = signup::sign_up(
                &st,
                SignUpRequest {
                    full_name: body.full_name,
                    email: body.email,
                    password: body.password,
                    phone_number: body.phone_number,
                    captcha: body.captcha,
                    consents: body
                        .consents
                        .into_iter()
                        .map(|c| (c.kind, c.version))
                        .collect(),
                    locale: body.locale,
                    organization_invitation: body.organization_invitation,
                },
                client,
            )
            .await?;
            let status = if signed_up.verified {
                "email_verified"
            } else {
                "verification_email_sent"
            };
            Ok(HttpResponse::Accepted().json(SignUpAccepted {
                status: status.into(),
                email: signed_up.email,
            }))
        },
    )
    .await
}
