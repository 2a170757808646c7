//! `/v1/sessions`: sign in, the device-code and MFA-code steps, refresh and sign out.
//!
//! Browsers ask for `use_cookies: true`: the refresh token and the device token then travel
//! only in `HttpOnly; SameSite=Strict` cookies scoped to `/v1/sessions` (`Secure` when the portal
//! is served over HTTPS) and never appear in a body. API clients get both in the body.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{delete, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::Caller;
use crate::auth::password::HashError;
use crate::domain::{ChallengeId, DeviceCode, MfaCode, OpaqueToken};
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::accounts::captcha_problem;
use crate::http::client::Client;
use crate::http::json::Json;
use crate::services::sessions::{self as session_service, IssuedTokens, SessionError};
use crate::services::signin::{self, SignInError, SignInOutcome, SignInRequest};
use crate::startup::AppState;

pub const REFRESH_COOKIE: &str = "portal_refresh";
pub const DEVICE_COOKIE: &str = "portal_device";
const COOKIE_PATH: &str = "/v1/sessions";
const DEVICE_COOKIE_DAYS: i64 = 365;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    #[schema(example = "budi@example.co.id", max_length = 254)]
    pub email: String,
    #[schema(example = "Correct-Horse-Battery-9", format = Password, max_length = 1024)]
    pub password: String,
    /// Required after repeated failures (the error says so): see `POST /v1/captcha/challenges`.
    pub captcha: Option<String>,
    /// The device token from an earlier sign-in (API clients; browsers send the cookie).
    pub device_token: Option<String>,
    /// Browsers: keep refresh and device tokens in HttpOnly cookies instead of the body.
    #[serde(default)]
    pub use_cookies: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceCodeBody {
    /// The six-digit code from the email.
    #[schema(example = "123456", min_length = 6, max_length = 6)]
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaCodeBody {
    /// The six-digit code from the authenticator app, or one of the recovery codes
    /// (`XXXXXX-XXXXXX-XXXXXX-XXXXXX`; case, spaces and dashes do not matter).
    #[schema(example = "123456", min_length = 6, max_length = 64)]
    pub code: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The refresh token (API clients); browsers send the cookie and omit it.
    pub refresh_token: Option<String>,
}

/// Signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionTokens {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Rotating refresh token (absent when `use_cookies` was asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub refresh_token_expires_at: DateTime<Utc>,
    /// Proof that this device was verified; send it with later sign-ins. Only present when this
    /// step trusted the device, and not when `use_cookies` was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
    pub session_id: String,
}

/// Another step is needed before tokens are issued.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignInChallenge {
    /// `device_code`: a code was emailed because this device is not recognized; send it to
    /// `POST /v1/sessions/{challenge_id}/device-code`. `mfa_code`: MFA is active; send a code
    /// from the authenticator app (or a recovery code) to
    /// `POST /v1/sessions/{challenge_id}/mfa-code`.
    #[schema(example = "device_code")]
    pub next_step: String,
    pub challenge_id: String,
    pub expires_at: DateTime<Utc>,
    /// The account's address, partly hidden (where a device code went).
    #[schema(example = "b•••@example.co.id")]
    pub email_hint: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeResent {
    pub expires_at: DateTime<Utc>,
}

impl From<SignInError> for ApiError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::InvalidCredentials => ApiError::unauthorized(
                ProblemCode::InvalidCredentials,
                "The email or password is incorrect.",
            ),
            SignInError::EmailNotVerified => ApiError::new(
                StatusCode::FORBIDDEN,
                ProblemCode::EmailNotVerified,
                "Email not verified",
            )
            .detail(
                "Verify your email address first: follow the link we sent, or ask for a new one.",
            )
            .next("POST", "/v1/email-verifications/resend"),
            SignInError::Throttled(wait) => ApiError::too_many(ProblemCode::TooManyAttempts, wait),
            SignInError::AccountClosed => ApiError::new(
                StatusCode::FORBIDDEN,
                ProblemCode::AccountClosed,
                "The account is closed",
            )
            .detail(
                "This account was closed. The email we sent when it was closed has a link that \
                 restores it until its data is erased.",
            ),
            SignInError::Captcha(c) => captcha_problem(c),
            SignInError::UnknownChallenge => ApiError::new(
                StatusCode::NOT_FOUND,
                ProblemCode::ChallengeNotFound,
                "Unknown sign-in",
            )
            .detail("This sign-in is unknown or already finished; sign in again.")
            .next("POST", "/v1/sessions"),
            SignInError::ChallengeExpired => ApiError::new(
                StatusCode::GONE,
                ProblemCode::ChallengeExpired,
                "Sign-in expired",
            )
            .detail("This sign-in has expired; sign in again.")
            .next("POST", "/v1/sessions"),
            SignInError::WrongCode { attempts_left } => ApiError::new(
                StatusCode::BAD_REQUEST,
                ProblemCode::InvalidCode,
                "Wrong code",
            )
            .detail(format!(
                "The code is not correct. {attempts_left} attempts left."
            )),
            SignInError::AttemptsExhausted => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ProblemCode::TooManyAttempts,
                "Too many attempts",
            )
            .detail("Too many wrong codes; sign in again to get a new one.")
            .next("POST", "/v1/sessions"),
            SignInError::ResendTooSoon(wait) => {
                ApiError::too_many(ProblemCode::ResendTooSoon, wait)
            }
            SignInError::ResendsExhausted => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ProblemCode::TooManyResends,
                "Too many codes sent",
            )
            .detail("No more codes can be sent for this sign-in; sign in again.")
            .next("POST", "/v1/sessions"),
            SignInError::Hash(HashError::Overloaded) => ApiError::overloaded(),
            SignInError::Hash(h) => ApiError::internal(&h),
            SignInError::Token(t) => ApiError::internal(&t),
            SignInError::Mfa(m) => m.into(),
            SignInError::Database(db) => ApiError::internal(&db),
        }
    }
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::InvalidRefreshToken | SessionError::SessionEnded => {
                ApiError::unauthorized(ProblemCode::InvalidRefreshToken, "The refresh token is not valid; sign in again.")
                    .next("POST", "/v1/sessions")
            }
            SessionError::Reused => ApiError::unauthorized(
                ProblemCode::RefreshTokenReused,
                "This refresh token was already used; the session has been ended for safety. Sign in again.",
            )
            .next("POST", "/v1/sessions"),
            SessionError::NotFound => ApiError::not_found(),
            SessionError::Token(t) => ApiError::internal(&t),
            SessionError::Database(db) => ApiError::internal(&db),
        }
    }
}

fn cookie<'a>(
    state: &AppState,
    name: &'a str,
    value: String,
    max_age: CookieDuration,
) -> Cookie<'a> {
    Cookie::build(name, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(state.settings.public_url.scheme() == "https")
        .same_site(SameSite::Strict)
        .max_age(max_age)
        .finish()
}

/// Refuses a browser request made from another site to an endpoint that reads or sets the
/// session cookies (OWASP CSRF Prevention cheat sheet: verify the origin with standard headers;
/// ASVS 5.0 V3.5.1), on top of `SameSite=Strict`. Same-origin means the portal's public origin,
/// the origin the request itself was sent to (`Host`), so that a newcomer browsing at
/// `localhost` rather than `127.0.0.1` is not refused, or one of `PORTAL_CORS_ORIGINS`. Programs that send neither header are
/// not browsers and are let through.
pub fn refuse_cross_site(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let refused = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ProblemCode::CrossSiteRequest,
            "Cross-site request refused",
        )
        .detail("This request came from another site; sessions are only managed from the portal itself.")
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site").is_some_and(|site| site.eq_ignore_ascii_case("cross-site")) {
        return Err(refused());
    }
    if let Some(origin) = header("origin") {
        let public = state.settings.public_url.origin().ascii_serialization();
        let own = header("host").is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
        });
        let allowed = state
            .settings
            .cors_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin));
        if !(origin.eq_ignore_ascii_case(&public) || own || allowed) {
            return Err(refused());
        }
    }
    Ok(())
}

fn tokens_response(
    state: &AppState,
    status: StatusCode,
    tokens: IssuedTokens,
    device_token: Option<String>,
    use_cookies: bool,
) -> HttpResponse {
    let now = state.clock.now();
    let mut response = HttpResponse::build(status);
    response.insert_header(("Cache-Control", "no-store"));
    let (refresh_body, device_body) = if use_cookies {
        let refresh_age =
            CookieDuration::seconds((tokens.refresh_expires_at - now).num_seconds().max(0));
        response.cookie(cookie(
            state,
            REFRESH_COOKIE,
            tokens.refresh_token,
            refresh_age,
        ));
        if let Some(device) = device_token {
            response.cookie(cookie(
                state,
                DEVICE_COOKIE,
                device,
                CookieDuration::days(DEVICE_COOKIE_DAYS),
            ));
        }
        (None, None)
    } else {
        (Some(tokens.refresh_token), device_token)
    };
    response.json(SessionTokens {
        access_token: tokens.access_token,
        token_type: "Bearer".into(),
        expires_in: tokens.access_expires_at - now.timestamp(),
        refresh_token: refresh_body,
        refresh_token_expires_at: tokens.refresh_expires_at,
        device_token: device_body,
        session_id: tokens.session_id.into(),
    })
}

fn outcome_response(state: &AppState, outcome: SignInOutcome) -> HttpResponse {
    match outcome {
        SignInOutcome::Complete {
            tokens,
            device_token,
            use_cookies,
        } => tokens_response(state, StatusCode::OK, tokens, device_token, use_cookies),
        SignInOutcome::Challenge {
            challenge_id,
            step,
            expires_at,
            email_hint,
            ..
        } => HttpResponse::Accepted()
            .insert_header(("Cache-Control", "no-store"))
            .json(SignInChallenge {
                next_step: step.to_string(),
                challenge_id: challenge_id.into(),
                expires_at,
                email_hint,
            }),
    }
}

/// The sign-in a path names. Challenge ids are UUIDs: anything else is unknown, and never reaches
/// the database (where PostgreSQL would refuse a NUL byte with an error).
fn challenge(raw: &str) -> Result<ChallengeId, ApiError> {
    ChallengeId::parse(raw).ok_or_else(|| SignInError::UnknownChallenge.into())
}

/// Sign in with email and password.
///
/// From a trusted device the answer is `200` with tokens. From a device this account has not
/// used before it is `202` with a challenge: a six-digit code was emailed; send it to
/// `POST /v1/sessions/{challenge_id}/device-code`. When the account has MFA active, a trusted
/// device gets a `202` with `next_step: mfa_code` instead of tokens (and a new device gets it
/// after its emailed code). Wrong email and wrong password give the same
/// `401`. Repeated failures are throttled per address and per client (`429`); after a few, a
/// captcha is required too.
#[utoipa::path(
    tag = "sessions",
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in", body = SessionTokens),
        (status = 202, description = "Another step: `device_code` (we don't recognize this device: a code was emailed) or `mfa_code` (a code from the authenticator app)", body = SignInChallenge),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password (`invalid_credentials`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Email not verified (`email_not_verified`; `next` says how to resend), the account is closed (`account_closed`), or `use_cookies` from another site (`cross_site_request`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Captcha required or wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/sessions")]
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    Client(client): Client,
    body: Json<SignInBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.use_cookies {
        refuse_cross_site(&req, &state)?;
    }
    let device_token = body
        .device_token
        .or_else(|| req.cookie(DEVICE_COOKIE).map(|c| c.value().to_owned()));
    let outcome = signin::sign_in(
        &state,
        SignInRequest {
            email: body.email,
            password: body.password,
            captcha: body.captcha,
            device_token,
            use_cookies: body.use_cookies,
        },
        client,
    )
    .await?;
    Ok(outcome_response(&state, outcome))
}

/// Enter the emailed device code.
///
/// Five attempts per code; the code expires after 10 minutes. Success trusts the device and
/// returns tokens with a `device_token` (or sets the device cookie) — or, when the account has
/// MFA active, `202` with `next_step: mfa_code`: the device is trusted, and its token issued,
/// when that step passes.
#[utoipa::path(
    tag = "sessions",
    params(("challenge_id" = String, Path, description = "From the `202` answer of `POST /v1/sessions`")),
    request_body = DeviceCodeBody,
    responses(
        (status = 200, description = "Signed in; the device is now trusted", body = SessionTokens),
        (status = 202, description = "MFA is active: send an MFA code next (`next_step: mfa_code`)", body = SignInChallenge),
        (status = 400, description = "Wrong code (`invalid_code`) or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or finished sign-in", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The sign-in expired", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "No attempts left", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/sessions/{challenge_id}/device-code")]
pub async fn device_code(
    state: web::Data<AppState>,
    Client(client): Client,
    path: web::Path<String>,
    body: Json<DeviceCodeBody>,
) -> Result<HttpResponse, ApiError> {
    let challenge_id = challenge(&path)?;
    let code = DeviceCode::parse(&body.code).ok_or(SignInError::WrongCode { attempts_left: 0 })?;
    let outcome = signin::verify_device_code(&state, challenge_id, code, client).await?;
    Ok(outcome_response(&state, outcome))
}

/// Enter the MFA code.
///
/// A code from the authenticator app (the current one, or the one just before or after) or one
/// of the recovery codes (each works once). A code that was already accepted is refused.
/// Five attempts per sign-in, which expires after 10 minutes; wrong codes are also limited per
/// account across sign-ins (`429` with `Retry-After`). Success returns tokens as the
/// device-code step does, with the `device_token` (or device cookie) when this sign-in trusted
/// a new device.
#[utoipa::path(
    tag = "sessions",
    params(("challenge_id" = String, Path, description = "From the `202` answer with `next_step: mfa_code`")),
    request_body = MfaCodeBody,
    responses(
        (status = 200, description = "Signed in", body = SessionTokens),
        (status = 400, description = "Wrong, used or expired code (`invalid_code`), or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or finished sign-in", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The sign-in expired", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "No attempts left for this sign-in, or too many wrong codes for the account (see `Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/sessions/{challenge_id}/mfa-code")]
pub async fn mfa_code(
    state: web::Data<AppState>,
    Client(client): Client,
    path: web::Path<String>,
    body: Json<MfaCodeBody>,
) -> Result<HttpResponse, ApiError> {
    let challenge_id = challenge(&path)?;
    let code = MfaCode::parse(&body.code).ok_or(SignInError::WrongCode { attempts_left: 0 })?;
    let outcome = signin::verify_mfa_code(&state, challenge_id, code, client).await?;
    Ok(outcome_response(&state, outcome))
}

/// Email a new device code.
///
/// Allowed once a minute, five times per sign-in. The previous code stops working.
#[utoipa::path(
    tag = "sessions",
    params(("challenge_id" = String, Path, description = "From the `202` answer of `POST /v1/sessions`")),
    responses(
        (status = 202, description = "A new code is on its way", body = CodeResent),
        (status = 404, description = "Unknown or finished sign-in", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The sign-in expired", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too soon (`resend_too_soon`, see `Retry-After`) or too many (`too_many_resends`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/sessions/{challenge_id}/device-code/resend")]
pub async fn resend_device_code(
    state: web::Data<AppState>,
    Client(client): Client,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let challenge_id = challenge(&path)?;
    let expires_at = signin::resend_device_code(&state, challenge_id, client).await?;
    Ok(HttpResponse::Accepted().json(CodeResent { expires_at }))
}

/// Refresh the session.
///
/// Spends the refresh token and returns a new access token and a new refresh token (rotation).
/// A refresh token that was already spent ends the whole session (`refresh_token_reused`).
#[utoipa::path(
    tag = "sessions",
    request_body(content = RefreshBody, description = "Empty object for browsers (the cookie is used)"),
    responses(
        (status = 200, description = "New tokens", body = SessionTokens),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired or reused refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The cookie sent from another site (`cross_site_request`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/sessions/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let from_body = body.into_inner().refresh_token;
    let use_cookies = from_body.is_none();
    if use_cookies {
        refuse_cross_site(&req, &state)?;
    }
    let token = from_body
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()))
        .as_deref()
        .and_then(OpaqueToken::parse)
        .ok_or_else(|| ApiError::from(SessionError::InvalidRefreshToken))?;
    let tokens = session_service::refresh(&state, token).await?;
    Ok(tokens_response(
        &state,
        StatusCode::OK,
        tokens,
        None,
        use_cookies,
    ))
}

/// Sign out.
///
/// Ends the current session: its refresh token stops working and its access tokens are no longer
/// accepted by endpoints that read the account. Clears the refresh cookie.
#[utoipa::path(
    tag = "sessions",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No valid access token, or the session already ended (`session_ended`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Sent from another site (`cross_site_request`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/sessions/current")]
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    Client(client): Client,
) -> Result<HttpResponse, ApiError> {
    refuse_cross_site(&req, &state)?;
    let session_id = caller.session_id()?;
    session_service::sign_out(&state, caller.account.id, session_id, client).await?;
    let mut gone = cookie(&state, REFRESH_COOKIE, String::new(), CookieDuration::ZERO);
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}
