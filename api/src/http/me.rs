//! `GET /v1/me`: the signed-in account.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::extract::{Caller, Onboarded};
use crate::domain::{AccountId, AccountType, DeviceId};
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::accounts::ConsentInput;
use crate::http::client::Client;
use crate::http::json::{Json, Query};
use crate::http::rfc3339;
use crate::services::devices::{self, DeviceError};
use crate::services::events;
use crate::services::legal::{self, ConsentError};
use crate::services::onboarding::{self, Step};
use crate::startup::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    #[schema(example = "budi@example.co.id")]
    pub email: String,
    #[schema(example = "Budi Santoso")]
    pub full_name: String,
    /// E.164.
    #[schema(example = "+6281234567890")]
    pub phone_number: String,
    /// `sme` (self-service) or `enterprise` (created by staff).
    #[schema(example = "sme")]
    pub account_type: String,
    /// `user` or `admin`.
    #[schema(example = "user")]
    pub role: String,
    #[schema(example = "en")]
    pub locale: String,
    #[serde(serialize_with = "rfc3339::option::serialize")]
    pub email_verified_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "rfc3339::serialize")]
    pub created_at: DateTime<Utc>,
}

impl From<crate::db::models::accounts::Account> for Me {
    fn from(a: crate::db::models::accounts::Account) -> Self {
        Me {
            id: a.id.into(),
            email: a.email,
            full_name: a.full_name,
            phone_number: a.phone_number,
            account_type: a.account_type.to_string(),
            role: a.role.to_string(),
            locale: a.locale,
            email_verified_at: a.email_verified_at.map(utc),
            created_at: utc(a.created_at),
        }
    }
}

/// Who am I.
///
/// The signed-in account: email, name, phone number, account type, role, language, and when
/// the email address was verified.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in account", body = Me),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me")]
pub async fn get_me(caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Me::from(caller.account)))
}

/// What is left of onboarding.
#[derive(Debug, Serialize, ToSchema)]
pub struct Onboarding {
    /// True when nothing is left: every endpoint is open.
    pub complete: bool,
    /// The next step, if any.
    pub next_step: Option<Step>,
    /// Every step still to do, in order.
    pub remaining_steps: Vec<Step>,
    /// With `accept_legal_documents`: the documents whose current version is still to accept
    /// (terms, privacy, then EULA), each with the version accepted before, if any — a person
    /// who accepted an earlier version is shown what changed rather than the whole journey.
    pub legal_documents_to_accept: Vec<LegalDocumentToAccept>,
}

/// A current legal document the account has not accepted yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct LegalDocumentToAccept {
    /// `terms`, `privacy` or `eula`.
    #[schema(example = "terms")]
    pub kind: String,
    /// The current version, to accept.
    #[schema(example = "2.0")]
    pub version: String,
    /// Its English title.
    #[schema(example = "Terms and Conditions")]
    pub title: String,
    /// When the current version was published (in force from then).
    pub published_at: DateTime<Utc>,
    /// The latest version of this kind the account accepted before, if any.
    #[schema(example = "1.0")]
    pub accepted_version: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// The onboarding answer, with what is still to accept when that is a step.
async fn onboarding_of(
    state: &AppState,
    account_id: AccountId,
    account_type: AccountType,
) -> Result<Onboarding, ApiError> {
    let steps = onboarding::remaining(state, account_id.clone())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let legal_documents_to_accept = if steps.contains(&Step::AcceptLegalDocuments) {
        legal::to_accept(state, account_id, account_type)
            .await?
            .into_iter()
            .map(|d| LegalDocumentToAccept {
                kind: d.kind,
                version: d.version,
                title: d.title,
                published_at: utc(d.published_at),
                accepted_version: d.accepted_version,
                accepted_at: d.accepted_at.map(utc),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Onboarding {
        complete: steps.is_empty(),
        next_step: steps.first().copied(),
        remaining_steps: steps,
        legal_documents_to_accept,
    })
}

/// What is left of onboarding.
///
/// The ordered steps still to do — `accept_legal_documents`, `create_organization`,
/// `create_project`, `activate_mfa` — and the next one. Until none are left, other endpoints
/// answer `403 onboarding_incomplete`.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Remaining steps", body = Onboarding),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/onboarding")]
pub async fn get_onboarding(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let answer = onboarding_of(&state, caller.account.id, caller.account.account_type).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(answer))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentsBody {
    /// The documents accepted, each at its current version (see `GET /v1/legal-documents`).
    pub consents: Vec<ConsentInput>,
}

impl From<ConsentError> for ApiError {
    fn from(e: ConsentError) -> Self {
        match e {
            ConsentError::Invalid(errors) => ApiError::validation(errors),
            ConsentError::UnknownAccount => ApiError::unauthorized(
                ProblemCode::SessionEnded,
                "This session has ended; sign in again.",
            ),
            ConsentError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Accept legal documents.
///
/// Records the acceptance of the current Terms and Conditions and Privacy Policy (and the
/// End-User License Agreement for Enterprise accounts) with the time and client address. Every
/// document still to accept must be included; an outdated version is refused. Answers with
/// what is left of onboarding.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ConsentsBody,
    responses(
        (status = 200, description = "Recorded; what is left of onboarding", body = Onboarding),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Outdated version (`consent_outdated`), missing document (`consent_required`), unknown or not applicable", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/consents")]
pub async fn accept_consents(
    state: web::Data<AppState>,
    caller: Caller,
    Client(client): Client,
    body: Json<ConsentsBody>,
) -> Result<HttpResponse, ApiError> {
    let (account_id, account_type) = (caller.account.id, caller.account.account_type);
    let consents = body
        .into_inner()
        .consents
        .into_iter()
        .map(|c| (c.kind, c.version))
        .collect();
    legal::accept(&state, account_id.clone(), consents, client).await?;
    let answer = onboarding_of(&state, account_id, account_type).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// A device this account trusts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceInfo {
    pub id: String,
    /// Browser and system, e.g. "Chrome on Linux".
    #[schema(example = "Chrome on Linux")]
    pub label: String,
    pub trusted_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub last_ip: Option<String>,
    /// The device this request's session was started from ("this device").
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceList {
    pub items: Vec<DeviceInfo>,
}

impl From<DeviceError> for ApiError {
    fn from(e: DeviceError) -> Self {
        match e {
            DeviceError::NotFound => ApiError::not_found(),
            DeviceError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Trusted devices.
///
/// The devices remembered after a sign-in with an emailed code: sign-ins from them skip the
/// code. Removing one (`DELETE /v1/me/devices/{id}`) ends its sessions.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Devices that skip the emailed code", body = DeviceList),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`, `next_step`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/devices")]
pub async fn list_devices(
    state: web::Data<AppState>,
    caller: Onboarded,
) -> Result<HttpResponse, ApiError> {
    let (devices, current) =
        devices::list(&state, caller.account.id.clone(), caller.session_id()?).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(DeviceList {
            items: devices
                .into_iter()
                .map(|d| DeviceInfo {
                    current: current.as_ref() == Some(&d.id),
                    id: d.id.into(),
                    label: d.label,
                    trusted_at: utc(d.created_at),
                    last_seen_at: utc(d.last_seen_at),
                    last_ip: d.last_ip,
                })
                .collect(),
        }))
}

/// Stop trusting a device.
///
/// Its sessions end, and its next sign-in asks for an emailed code again.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Device id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device of this account", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/devices/{id}")]
pub async fn remove_device(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    path: web::Path<DeviceId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    devices::remove(&state, caller.account.id.clone(), id, client).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One security event.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityEventInfo {
    pub id: String,
    /// `sign_in_succeeded`, `sign_in_failed`, `new_device_challenged`, `device_trusted`,
    /// `device_removed`, `signed_out`, `session_ended`, `sessions_ended`, `mfa_activated`,
    /// `mfa_used`, `recovery_code_used`, `mfa_failures`, `mfa_disabled`, `mfa_reset`,
    /// `consent_recorded`, `password_set`, `password_reset_requested`, `password_reset`,
    /// `password_changed`, `email_verified`, `profile_updated`, `email_change_requested`,
    /// `email_changed`, `email_change_cancelled`, `data_exported`, `recovery_codes_regenerated`,
    /// `account_closed`, `account_restored`.
    #[schema(example = "sign_in_succeeded")]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Extra facts about the event (e.g. the document version accepted).
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityEventPage {
    pub items: Vec<SecurityEventInfo>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Items per page, 1–100 (default 20).
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub before: Option<String>,
}

/// Security events of this account, newest first.
///
/// Sign-ins and failed ones, new devices, MFA and password changes, consents, sessions ended,
/// each with its time and client. Paginated by cursor.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of events", body = SecurityEventPage),
        (status = 400, description = "Bad paging parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/security-events")]
pub async fn list_security_events(
    state: web::Data<AppState>,
    caller: Onboarded,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = crate::http::page_limit(query.limit, query.before.as_deref())?;
    let account_id = caller.account.id.clone();
    let before = query.before;
    let fetch = i64::from(limit) + 1;
    let items = events::list(&state, account_id, before, fetch)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let (items, next_cursor) = crate::http::paginate(items, limit, |e| e.id.clone());
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(SecurityEventPage {
            items: items
                .into_iter()
                .map(|e| SecurityEventInfo {
                    id: e.id,
                    kind: e.kind,
                    occurred_at: utc(e.occurred_at),
                    ip: e.client_ip,
                    user_agent: e.user_agent,
                    details: e.details.and_then(|d| serde_json::from_str(&d).ok()),
                })
                .collect(),
            next_cursor,
        }))
}

fn utc(at: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
}
