//! `/v1/me/mfa/totp`: enroll a TOTP authenticator (password confirmed), activate it with a first
//! code and receive the recovery codes, or switch it off. The rules live in `services::mfa`;
//! the sign-in step that asks for the code is in `http::sessions`.
//!
//! These endpoints open once every onboarding step before `activate_mfa` is done. Answers that
//! carry secrets or recovery codes are `Cache-Control: no-store`.

use actix_web::http::StatusCode;
use actix_web::{delete, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::{steps, Onboarded, Reached};
use crate::auth::password::HashError;
use crate::auth::totp;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::json::Json;
use crate::services::mfa::{self, MfaError};
use crate::startup::AppState;

/// Longest password accepted here (longer cannot be right; checked before hashing).
const MAX_PASSWORD: usize = 1024;
/// Longest code accepted (a recovery code with separators and spaces fits).
const MAX_CODE: usize = 64;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartTotpBody {
    /// The current password.
    #[schema(example = "Correct-Horse-Battery-9", format = Password, max_length = 1024)]
    pub password: String,
    /// Required while MFA is active (replacing the authenticator): a current code from the
    /// app, or one of the recovery codes.
    #[schema(example = "123456", max_length = 64)]
    pub code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateTotpBody {
    /// The code the authenticator app shows for the new secret.
    #[schema(example = "123456", min_length = 6, max_length = 64)]
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableTotpBody {
    /// The current password.
    #[schema(example = "Correct-Horse-Battery-9", format = Password, max_length = 1024)]
    pub password: String,
    /// A current code from the authenticator app, or one of the recovery codes.
    #[schema(example = "123456", max_length = 64)]
    pub code: String,
}

/// A new TOTP secret to add to an authenticator app (Google Authenticator, Microsoft
/// Authenticator, …): scan `qr_code`, or type `secret` in. Not active until
/// `POST /v1/me/mfa/totp/activate` receives a code from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrollment {
    /// The secret in RFC 4648 base32 without padding: the manual key.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// The key URI the QR code holds.
    #[schema(
        example = "otpauth://totp/Service%20Portal%20AI:budi%40example.co.id?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Service%20Portal%20AI&algorithm=SHA1&digits=6&period=30"
    )]
    pub otpauth_uri: String,
    /// The QR code of `otpauth_uri`, as an SVG image data URI (usable as an `img` `src`).
    #[schema(example = "data:image/svg+xml;base64,PD94bWwgdmVyc2lvbj0iMS4wIi...")]
    pub qr_code: String,
    /// The name apps show the entry under: the portal name.
    #[schema(example = "Service Portal AI")]
    pub issuer: String,
    /// The account the entry is for: the email address.
    #[schema(example = "budi@example.co.id")]
    pub account_name: String,
    #[schema(example = 6)]
    pub digits: u32,
    /// Seconds per code.
    #[schema(example = 30)]
    pub period: u64,
    #[schema(example = "SHA1")]
    pub algorithm: String,
}

/// MFA is active.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpActivated {
    /// Ten single-use recovery codes, each usable once instead of a code from the app. Shown
    /// only now: keep them somewhere safe. Any earlier recovery codes no longer work.
    #[schema(example = json!(["K7QX2M-ZP4RTA-9B3WNE-HY6CJD"]))]
    pub recovery_codes: Vec<String>,
    pub activated_at: DateTime<Utc>,
}

impl From<MfaError> for ApiError {
    fn from(e: MfaError) -> Self {
        match e {
            MfaError::SessionEnded => ApiError::unauthorized(
                ProblemCode::SessionEnded,
                "This session has ended; sign in again.",
            )
            .next("POST", "/v1/sessions"),
            MfaError::AccountNotFound => ApiError::not_found(),
            MfaError::ReauthenticationFailed => ApiError::new(
                StatusCode::FORBIDDEN,
                ProblemCode::ReauthenticationFailed,
                "Password or code not accepted",
            )
            .detail("The password or the code is not correct."),
            MfaError::CodeRequired => ApiError::new(
                StatusCode::FORBIDDEN,
                ProblemCode::MfaCodeRequired,
                "A code is required",
            )
            .detail(
                "MFA is active: send a current code from your authenticator app, or a recovery \
                 code, with your password.",
            ),
            MfaError::NotEnrolled => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::MfaEnrollmentNotStarted,
                "No authenticator to activate",
            )
            .detail("Start by confirming your password to get a new secret.")
            .next("POST", "/v1/me/mfa/totp"),
            MfaError::NotActive => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::MfaNotActive,
                "MFA is not active",
            )
            .detail("There is no active authenticator on this account."),
            MfaError::WrongCode { attempts_left } => ApiError::new(
                StatusCode::BAD_REQUEST,
                ProblemCode::InvalidCode,
                "Wrong code",
            )
            .detail(format!(
                "The code is not correct. {attempts_left} attempts left."
            )),
            MfaError::AttemptsExhausted => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ProblemCode::TooManyAttempts,
                "Too many attempts",
            )
            .detail("Too many wrong codes; start again to get a new secret.")
            .next("POST", "/v1/me/mfa/totp"),
            MfaError::Throttled(wait) => ApiError::too_many(ProblemCode::TooManyAttempts, wait),
            MfaError::Hash(HashError::Overloaded) => ApiError::overloaded(),
            MfaError::Hash(h) => ApiError::internal(&h),
            MfaError::Totp(t) => ApiError::internal(&t),
            MfaError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Start MFA enrollment.
///
/// Confirms the current password and returns a new TOTP secret (SHA-1, 6 digits, 30 s) with its
/// `otpauth://` URI and QR code. While MFA is already active this replaces the authenticator:
/// `code` (current TOTP or recovery code) is then required too, and the old authenticator keeps
/// working until the new one is activated. A wrong password or code answers
/// `reauthentication_failed` either way; repeated failures are throttled (`429`).
#[utoipa::path(
    tag = "mfa",
    security(("bearer" = [])),
    request_body = StartTotpBody,
    responses(
        (status = 201, description = "A new secret, pending activation", body = TotpEnrollment),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Wrong password or code (`reauthentication_failed`), code missing while MFA is active (`mfa_code_required`), or an earlier onboarding step is not done (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/mfa/totp")]
pub async fn start_totp(
    state: web::Data<AppState>,
    auth: Reached<steps::ActivateMfa>,
    Client(client): Client,
    body: Json<StartTotpBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.password.len() > MAX_PASSWORD || body.code.as_ref().is_some_and(|c| c.len() > MAX_CODE)
    {
        return Err(MfaError::ReauthenticationFailed.into());
    }
    let session_id = auth.0.session_id()?;
    let p = mfa::start_totp(
        &state,
        auth.0.account.id,
        session_id,
        body.password,
        body.code,
        client,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(TotpEnrollment {
            secret: p.secret_base32,
            otpauth_uri: p.otpauth_uri,
            qr_code: p.qr_code,
            issuer: p.issuer,
            account_name: p.account_name,
            digits: totp::DIGITS as u32,
            period: totp::PERIOD,
            algorithm: totp::ALGORITHM.to_owned(),
        }))
}

/// Activate MFA.
///
/// Checks a code from the pending secret (±30 s). On success MFA is active, later sign-ins ask
/// for a code, an email confirms the change, and ten new single-use recovery codes are returned
/// — this once. Five wrong codes discard the pending secret: start again (`429`).
#[utoipa::path(
    tag = "mfa",
    security(("bearer" = [])),
    request_body = ActivateTotpBody,
    responses(
        (status = 200, description = "MFA is active; the recovery codes", body = TotpActivated),
        (status = 400, description = "Wrong code (`invalid_code`) or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An earlier onboarding step is not done (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No enrollment to activate (`mfa_enrollment_not_started`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes; the enrollment must start again", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/mfa/totp/activate")]
pub async fn activate_totp(
    state: web::Data<AppState>,
    auth: Reached<steps::ActivateMfa>,
    Client(client): Client,
    body: Json<ActivateTotpBody>,
) -> Result<HttpResponse, ApiError> {
    let code = body.into_inner().code;
    if code.len() > MAX_CODE {
        return Err(MfaError::WrongCode { attempts_left: 0 }.into());
    }
    let session_id = auth.0.session_id()?;
    let activated = mfa::activate_totp(&state, auth.0.account.id, session_id, code, client).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TotpActivated {
            recovery_codes: activated.recovery_codes,
            activated_at: activated.activated_at,
        }))
}

/// Switch MFA off.
///
/// Needs the current password and a current code (or a recovery code). The authenticator and
/// the recovery codes are removed; since MFA is mandatory, onboarding then asks to activate it
/// again (`activate_mfa`). A wrong password or code answers `reauthentication_failed` either way.
#[utoipa::path(
    tag = "mfa",
    security(("bearer" = [])),
    request_body = DisableTotpBody,
    responses(
        (status = 204, description = "MFA is off"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Wrong password or code (`reauthentication_failed`), or an earlier onboarding step is not done (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "MFA is not active (`mfa_not_active`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/mfa/totp")]
pub async fn disable_totp(
    state: web::Data<AppState>,
    auth: Reached<steps::ActivateMfa>,
    Client(client): Client,
    body: Json<DisableTotpBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.password.len() > MAX_PASSWORD || body.code.len() > MAX_CODE {
        return Err(MfaError::ReauthenticationFailed.into());
    }
    let session_id = auth.0.session_id()?;
    mfa::disable_totp(
        &state,
        auth.0.account.id,
        session_id,
        body.password,
        body.code,
        client,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegenerateRecoveryCodesBody {
    #[schema(format = Password, max_length = 1024)]
    pub password: String,
    /// A current code from the authenticator app (or one of the recovery codes).
    #[schema(example = "123456", max_length = 64)]
    pub mfa_code: String,
}

/// New recovery codes.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use recovery codes, shown only now. The earlier ones no longer work.
    #[schema(example = json!(["K7QX2M-ZP4RTA-9B3WNE-HY6CJD"]))]
    pub recovery_codes: Vec<String>,
}

/// Replace my recovery codes.
///
/// With the password (a wrong one counts like a failed sign-in) and a current code: ten new
/// single-use recovery codes, returned this once; the earlier ones stop working at once.
#[utoipa::path(
    tag = "mfa",
    security(("bearer" = [])),
    request_body = RegenerateRecoveryCodesBody,
    responses(
        (status = 200, description = "The new recovery codes", body = RecoveryCodes),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "MFA is not active (`mfa_not_active`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong `password` (`wrong_password`) or `mfa_code` (`invalid_mfa_code`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/mfa/recovery-codes")]
pub async fn regenerate_recovery_codes(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    body: Json<RegenerateRecoveryCodesBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let Onboarded(caller) = caller;
    crate::services::passwords::reauthenticate(
        &state,
        &caller.account,
        body.password,
        Some(body.mfa_code),
        &client,
        "recovery_codes",
    )
    .await
    .map_err(|e| match e {
        crate::services::passwords::PasswordError::WrongPassword => {
            ApiError::validation(vec![crate::error::FieldError::new(
                "password",
                "wrong_password",
                "is not your current password",
            )])
        }
        other => other.into(),
    })?;
    let recovery_codes = mfa::regenerate_recovery_codes(&state, caller.account.id, client).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(RecoveryCodes { recovery_codes }))
}
