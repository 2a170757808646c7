//! `/v1/me/sessions`: the account's live sessions — list them, end one, end all others — and
//! the staff endpoint that ends every session of an account. Ending a session stops its refresh
//! token at once and its access tokens at their next request, on every replica (the guard reads
//! the session on each request).

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::extract::{Onboarded, Staff};
use crate::domain::{AccountId, SessionId};
use crate::error::{ApiError, Problem};
use crate::http::client::Client;
use crate::services::sessions as session_service;
use crate::startup::AppState;

/// A live session of the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    /// When it ends at the latest (its absolute lifetime).
    pub expires_at: DateTime<Utc>,
    /// The trusted device it was started from, e.g. "Chrome on Linux".
    #[schema(example = "Chrome on Linux")]
    pub device_label: Option<String>,
    /// The client address it was started from.
    #[schema(example = "203.0.113.7")]
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// True for the session this request was made with.
    pub current: bool,
    /// For a program signed in by device code: the OAuth client (e.g. `portal`, the CLI).
    #[schema(example = json!(null))]
    pub client_id: Option<String>,
    /// What such a session may reach; absent for a sign-in of your own.
    #[schema(example = json!(null))]
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    /// Most recently used first.
    pub items: Vec<SessionInfo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsEnded {
    /// How many sessions ended.
    #[schema(example = 2)]
    pub ended: usize,
}

/// My sessions.
///
/// The account's live sessions: started, last refreshed, device, client address; `current`
/// marks this one.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Live sessions", body = SessionList),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Onboarded,
) -> Result<HttpResponse, ApiError> {
    let Onboarded(caller) = caller;
    let current = caller.session_id()?;
    let items = session_service::list(&state, caller.account.id, current).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(SessionList {
            items: items
                .into_iter()
                .map(|s| SessionInfo {
                    id: s.id,
                    created_at: s.created_at,
                    last_used_at: s.last_used_at,
                    expires_at: s.expires_at,
                    device_label: s.device_label,
                    client_ip: s.client_ip,
                    user_agent: s.user_agent,
                    current: s.current,
                    client_id: s.client_id,
                    scopes: s
                        .scopes
                        .map(|t| t.split_whitespace().map(str::to_owned).collect()),
                })
                .collect(),
        }))
}

/// End one of my sessions.
///
/// Its refresh token stops working at once and its access tokens at their next request.
/// Ending the current session is signing out.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id (from `GET /v1/me/sessions`)")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such live session of this account", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/sessions/{id}")]
pub async fn end_session(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    path: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    session_service::end(&state, caller.0.account.id, id, client).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// End all my other sessions.
///
/// Every live session of the account except this one ends.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How many ended", body = SessionsEnded),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/sessions")]
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
) -> Result<HttpResponse, ApiError> {
    let Onboarded(caller) = caller;
    let current = caller.session_id()?;
    let ended =
        session_service::end_all(&state, caller.account.id, Some(current), None, client).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(SessionsEnded { ended }))
}

/// End every session of an account (staff).
///
/// For a person who lost a device or fears their account is used by someone else: every
/// session ends at once; their trusted devices, password and MFA stay as they are. Recorded as a
/// security event naming the staff member.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, description = "How many ended", body = SessionsEnded),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/admin/accounts/{id}/sessions/revoke")]
pub async fn revoke_account_sessions(
    state: web::Data<AppState>,
    staff: Staff,
    Client(client): Client,
    path: web::Path<AccountId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let Staff(staff) = staff;
    let ended = session_service::end_all(&state, id, None, Some(staff.account.id), client).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(SessionsEnded { ended }))
}
