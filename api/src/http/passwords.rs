//! Passwords: the forgotten-password reset (`/v1/password-resets`) and the change from the
//! account page (`PUT /v1/me/password`). The rules are in [`crate::services::passwords`].

use actix_web::http::StatusCode;
use actix_web::{post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::Onboarded;
use crate::error::{ApiError, FieldError, Problem, ProblemCode};
use crate::http::accounts::captcha_problem;
use crate::http::client::Client;
use crate::http::json::Json;
use crate::services::passwords::{self, PasswordError};
use crate::startup::AppState;

impl From<PasswordError> for ApiError {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::Invalid(errors) => ApiError::validation(errors),
            PasswordError::Captcha(c) => captcha_problem(c),
            PasswordError::Throttled(wait) => {
                ApiError::too_many(ProblemCode::TooManyRequests, wait)
            }
            PasswordError::LinkInvalid => ApiError::bad_request(
                ProblemCode::ResetLinkInvalid,
                "This password reset link is not valid: it was used, replaced by a newer one, or \
                 it expired. Ask for a new one.",
            )
            .next("POST", "/v1/password-resets"),
            PasswordError::WrongPassword => ApiError::validation(vec![FieldError::new(
                "current_password",
                "wrong_password",
                "is not your current password",
            )]),
            PasswordError::CodeRequired => ApiError::validation(vec![FieldError::new(
                "mfa_code",
                "mfa_code_required",
                "enter a code from your authenticator app, or a recovery code",
            )]),
            PasswordError::WrongCode => ApiError::validation(vec![FieldError::new(
                "mfa_code",
                "invalid_mfa_code",
                "is not a current code from your authenticator app or an unused recovery code",
            )]),
            PasswordError::Hash(crate::auth::password::HashError::Overloaded) => {
                ApiError::overloaded()
            }
            PasswordError::Hash(h) => ApiError::internal(&h),
            PasswordError::Mfa(m) => ApiError::internal(&m),
            PasswordError::Database(db) => ApiError::internal(&db),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequestBody {
    #[schema(example = "budi@example.co.id", max_length = 254)]
    pub email: String,
    /// Required when a sign-in for this address would ask for one (after repeated failed
    /// sign-ins; the error says so): see `POST /v1/captcha/challenges`.
    pub captcha: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetRequested {
    #[schema(
        example = "If an account with a verified email exists for this address, a link to reset the password is on its way."
    )]
    pub message: String,
}

/// Ask for a password reset link.
///
/// Answers `202` with the same body, in about the same time, whether or not the address has an
/// account. A registered, verified address gets an email with a single-use link to
/// `/reset-password?token=…` in the web app, valid 30 minutes; asking again replaces the earlier
/// link. An unknown or unverified address gets no email. Three requests an hour per address,
/// and a limit per client (`429`); a captcha when a sign-in for this address would ask for one.
#[utoipa::path(
    tag = "passwords",
    request_body = PasswordResetRequestBody,
    responses(
        (status = 202, description = "Accepted (whether or not the address has an account)", body = PasswordResetRequested),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an email address, or captcha required or wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/password-resets")]
pub async fn request_reset(
    state: web::Data<AppState>,
    Client(client): Client,
    body: Json<PasswordResetRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.email.len() > crate::domain::email::MAX_INPUT {
        return Err(PasswordError::Invalid(vec![FieldError::new(
            "email",
            "email_too_long",
            "must be at most 254 characters",
        )])
        .into());
    }
    passwords::request_reset(&state, body.email, body.captcha, client).await?;
    Ok(HttpResponse::build(StatusCode::ACCEPTED)
        .insert_header(("Cache-Control", "no-store"))
        .json(PasswordResetRequested {
            message: "If an account with a verified email exists for this address, a link to \
                      reset the password is on its way."
                .to_owned(),
        }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmBody {
    /// The `token` of the emailed link.
    #[schema(max_length = 128)]
    pub token: String,
    /// The new password, under the portal's password policy (`GET /v1/config`).
    #[schema(example = "Correct-Horse-Battery-9", format = Password, max_length = 1024)]
    pub password: String,
}

/// Set a new password with a reset link.
///
/// The link works once. Every unmet password rule is reported at once (`422`). On success every
/// session of the account ends (sign in again), MFA stays as it was — the next sign-in still
/// asks for the authenticator code, and for the emailed code on an untrusted device — a locked
/// sign-in is unlocked, and a "your password was changed" email is sent. Of two confirmations
/// at once, one wins.
#[utoipa::path(
    tag = "passwords",
    request_body = PasswordResetConfirmBody,
    responses(
        (status = 204, description = "The password was changed; sign in with it"),
        (status = 400, description = "The link is not valid: used, replaced, expired or unknown (`reset_link_invalid`); or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password breaks rules (`errors` lists each)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many invalid links from this client; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/password-resets/confirm")]
pub async fn confirm_reset(
    state: web::Data<AppState>,
    Client(client): Client,
    body: Json<PasswordResetConfirmBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    passwords::confirm_reset(&state, body.token, body.password, client).await?;
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    #[schema(format = Password, max_length = 1024)]
    pub current_password: String,
    /// Under the portal's password policy (`GET /v1/config`).
    #[schema(example = "Correct-Horse-Battery-9", format = Password, max_length = 1024)]
    pub new_password: String,
    /// A code from the authenticator app or a recovery code; required while MFA is active.
    #[schema(example = "123456", max_length = 64)]
    pub mfa_code: Option<String>,
}

/// Change the password.
///
/// Needs the current password — a wrong one counts against the account like a failed sign-in —
/// and, while MFA is active, a code from the authenticator app or a recovery code. Every other
/// session of the account ends; this one stays. A "your password was changed" email is sent.
#[utoipa::path(
    tag = "passwords",
    security(("bearer" = [])),
    request_body = ChangePasswordBody,
    responses(
        (status = 204, description = "Changed; other sessions ended"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password (`current_password`: `wrong_password`), code missing or wrong (`mfa_code`: `mfa_code_required`, `invalid_mfa_code`), or the new password breaks rules (`new_password`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    body: Json<ChangePasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let Onboarded(caller) = caller;
    let session_id = caller.session_id()?;
    passwords::change(
        &state,
        caller.account,
        session_id,
        body.current_password,
        body.new_password,
        body.mfa_code,
        client,
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}
