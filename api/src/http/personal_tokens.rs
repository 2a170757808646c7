//! `/v1/me/tokens`: personal access tokens for programs. Create one (shown once, after a recent
//! re-authentication), list them, revoke one. None of these accept a personal access token
//! themselves: managing tokens needs a signed-in person.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::Onboarded;
use crate::db::models::personal_tokens::PersonalToken;
use crate::domain::PersonalTokenId;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::account_settings::reauthentication_problem;
use crate::http::client::Client;
use crate::http::json::Json;
use crate::services::personal_tokens::{self, NewToken, TokenError};
use crate::services::{passwords, profile};
use crate::startup::AppState;

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Invalid(errors) => ApiError::validation(errors),
            TokenError::NotFound => ApiError::not_found(),
            TokenError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// A new personal access token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenBody {
    /// What the token is for, to recognise it in the list.
    #[schema(example = "Terraform (CI)", max_length = 100)]
    pub name: String,
    /// At least one of `organizations:read`, `projects:read`, `projects:write`,
    /// `account:read`. The holder's role in each organization still applies.
    #[schema(example = json!(["projects:read", "projects:write"]))]
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Lifetime in days, 1–365: every token expires.
    #[schema(example = 90, minimum = 1, maximum = 365)]
    pub expires_in_days: Option<i64>,
    /// The password, unless this session signed in within the last 5 minutes.
    #[schema(format = Password, max_length = 1024)]
    pub password: Option<String>,
    /// With `password`, while MFA is active: a code from the authenticator app (or a recovery
    /// code).
    #[schema(example = "123456", max_length = 64)]
    pub mfa_code: Option<String>,
}

/// A personal access token, as listed (never the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalTokenInfo {
    #[schema(example = "0193a5c0-1b2c-7d3e-8f40-5a6b7c8d9e0f")]
    pub id: String,
    #[schema(example = "Terraform (CI)")]
    pub name: String,
    #[schema(example = json!(["projects:read", "projects:write"]))]
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Within a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    #[schema(example = "203.0.113.7")]
    pub last_used_ip: Option<String>,
}

impl From<PersonalToken> for PersonalTokenInfo {
    fn from(t: PersonalToken) -> Self {
        Self {
            scopes: t.scopes.split_whitespace().map(str::to_owned).collect(),
            id: t.id.into(),
            name: t.name,
            created_at: utc(t.created_at),
            expires_at: utc(t.expires_at),
            last_used_at: t.last_used_at.map(utc),
            last_used_ip: t.last_used_ip,
        }
    }
}

fn utc(at: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
}

/// The token just created: the only time it is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// Send as `Authorization: Bearer <token>`. Shown once; store it as a secret.
    #[schema(example = "sp_pat_3q2-7wFvZ8b1XrK0cYpT9sLmN4hJ6dGfA5eUiOo2B1k")]
    pub token: String,
    #[schema(example = "0193a5c0-1b2c-7d3e-8f40-5a6b7c8d9e0f")]
    pub id: String,
    #[schema(example = "Terraform (CI)")]
    pub name: String,
    #[schema(example = json!(["projects:read", "projects:write"]))]
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalTokenList {
    /// The tokens that can still be used, newest first.
    pub items: Vec<PersonalTokenInfo>,
}

/// Create a personal access token.
///
/// For programs acting for you (CLI, Terraform, CI): sent as `Authorization: Bearer sp_pat_…`
/// to the endpoints its scopes allow, until it expires (at most 365 days) or is revoked. Needs
/// a sign-in of the last 5 minutes, or the password (and a code while MFA is active) in the
/// body. The token is in this answer only: it is stored hashed. Creating it is a security event
/// and is emailed. Every token of the account is revoked when its password is reset, its MFA
/// is switched off, or the account is closed.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body(content = CreateTokenBody, example = json!({
        "name": "Terraform (CI)", "scopes": ["projects:read", "projects:write"], "expires_in_days": 90})),
    responses(
        (status = 201, description = "Created: the token, shown once", body = CreatedToken),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, no recent sign-in and no password (`reauthentication_required`), or a personal access token (`insufficient_scope`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`errors`): name, scopes, lifetime, too many tokens, wrong password or code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed re-authentications; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    body: Json<CreateTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let Onboarded(caller) = caller;
    let body = body.into_inner();
    let form = NewToken {
        name: body.name,
        scopes: body.scopes,
        expires_in_days: body.expires_in_days,
    };
    personal_tokens::check(&form)?;
    match body.password {
        Some(password) => passwords::reauthenticate(
            &state,
            &caller.account,
            password,
            body.mfa_code,
            &client,
            "personal_token",
        )
        .await
        .map_err(reauthentication_problem)?,
        None => {
            if !profile::signed_in_recently(&state, caller.session_id()?).await? {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    ProblemCode::ReauthenticationRequired,
                    "Confirm it is you",
                )
                .detail(
                    "Send your password (and a code while MFA is on) with the request, or sign in \
                     again: a sign-in of the last 5 minutes is enough.",
                ));
            }
        }
    }
    let created = personal_tokens::create(&state, &caller.account, form, client).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json({
            let info = PersonalTokenInfo::from(created.record);
            CreatedToken {
                token: created.token,
                id: info.id,
                name: info.name,
                scopes: info.scopes,
                created_at: info.created_at,
                expires_at: info.expires_at,
            }
        }))
}

/// My personal access tokens.
///
/// The tokens that can still be used, newest first, with their scopes, expiry and last use —
/// never the token itself.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tokens", body = PersonalTokenList),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or a personal access token (`insufficient_scope`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Onboarded,
) -> Result<HttpResponse, ApiError> {
    let items = personal_tokens::list(&state, caller.account.id.clone()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(PersonalTokenList {
            items: items.into_iter().map(Into::into).collect(),
        }))
}

/// Revoke a personal access token.
///
/// It stops working at once. A security event, emailed.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or a personal access token (`insufficient_scope`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token of yours (or already revoked)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    path: web::Path<PersonalTokenId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    personal_tokens::revoke(&state, &caller.account, id, client).await?;
    Ok(HttpResponse::NoContent().finish())
}
