//! OAuth 2.0 endpoints for programs: the device authorization and token endpoints (RFC 8628,
//! RFC 6749), introspection (RFC 7662) and revocation (RFC 7009), their metadata (RFC 8414),
//! and the person's side of the device grant (`/v1/device/…`, used by the web app's `/device`
//! page).
//!
//! The OAuth endpoints speak OAuth: form-encoded requests, and errors as RFC 6749 §5.2 defines
//! them (`application/json` with `error` and `error_description`) so that standard OAuth
//! libraries understand them; each error body carries the problem-details members too.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::{Onboarded, Staff};
use crate::db::models::oauth::OAuthClient;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::json::Json;
use crate::services::oauth::{self, ApprovalError, ClientAuth, OAuthError, PendingRequest};
use crate::startup::AppState;

/// An OAuth error (RFC 6749 §5.2), with the problem-details members beside.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`, `invalid_scope`, `authorization_pending`, `slow_down`,
    /// `access_denied`, `expired_token`.
    #[schema(example = "authorization_pending")]
    pub error: String,
    #[schema(example = "The person has not approved the request yet; keep polling.")]
    pub error_description: String,
    #[schema(example = "urn:service-portal:oauth:authorization_pending")]
    pub r#type: String,
    #[schema(example = "authorization_pending")]
    pub title: String,
    #[schema(example = 400)]
    pub status: u16,
    #[schema(example = "authorization_pending")]
    pub code: String,
    pub detail: String,
}

/// Marks an OAuth error answer, which keeps its RFC 6749 form (not rewritten as problem+json).
#[derive(Debug, Clone, Copy)]
pub struct OAuthAnswer;

fn oauth_error(e: &OAuthError, basic: bool) -> HttpResponse {
    let status = match e {
        OAuthError::InvalidClient => StatusCode::UNAUTHORIZED,
        OAuthError::ServerError => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut res = HttpResponse::build(status);
    res.extensions_mut().insert(OAuthAnswer);
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    if matches!(e, OAuthError::InvalidClient) && basic {
        res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"service-portal\""));
    }
    if matches!(e, OAuthError::ServerError) {
        res.insert_header((header::RETRY_AFTER, "5"));
    }
    res.json(OAuthErrorBody {
        error: e.code().to_owned(),
        error_description: e.description(),
        r#type: format!("urn:service-portal:oauth:{}", e.code()),
        title: e.code().to_owned(),
        status: status.as_u16(),
        code: e.code().to_owned(),
        detail: e.description(),
    })
}

/// The fields of a form-encoded body; a body of another type, or a field given twice, is an
/// `invalid_request` (RFC 6749 §3.2: parameters must not be repeated).
fn form(req: &HttpRequest, body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(OAuthError::InvalidRequest(
            "Send the parameters as application/x-www-form-urlencoded.".into(),
        ));
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    for (i, (name, _)) in fields.iter().enumerate() {
        if fields[..i].iter().any(|(n, _)| n == name) {
            return Err(OAuthError::InvalidRequest(format!(
                "The parameter {name:?} is repeated."
            )));
        }
    }
    Ok(fields)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn required<'a>(fields: &'a [(String, String)], name: &str) -> Result<&'a str, OAuthError> {
    field(fields, name).ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required.")))
}

/// The client's credentials: HTTP Basic (confidential clients), or `client_id` in the form
/// (public clients).
fn client_auth(
    req: &HttpRequest,
    fields: &[(String, String)],
) -> Result<(ClientAuth, bool), OAuthError> {
    if let Some(value) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let encoded = value
            .strip_prefix("Basic ")
            .ok_or(OAuthError::InvalidClient)?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(OAuthError::InvalidClient)?;
        let (id, secret) = decoded.split_once(':').ok_or(OAuthError::InvalidClient)?;
        // RFC 6749 §2.3.1: both parts are form-encoded.
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return Ok((
            ClientAuth::Basic {
                client_id: decode(id),
                secret: decode(secret),
            },
            true,
        ));
    }
    let client_id = required(fields, "client_id")?;
    Ok((
        ClientAuth::Public {
            client_id: client_id.to_owned(),
        },
        false,
    ))
}

/// RFC 8628 §3.2.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceAuthorizationResponse {
    /// For the token request; keep it secret.
    pub device_code: String,
    /// Show it to the person.
    #[schema(example = "BCDF-GHJK")]
    pub user_code: String,
    /// Where the person enters the code (the web app's `/device` page).
    #[schema(example = "https://portal.example/device")]
    pub verification_uri: String,
    /// The same page with the code filled in (for a link or a QR code).
    #[schema(example = "https://portal.example/device?user_code=BCDFGHJK")]
    pub verification_uri_complete: String,
    /// Seconds until the codes expire.
    #[schema(example = 600)]
    pub expires_in: i64,
    /// Seconds to wait between token requests.
    #[schema(example = 5)]
    pub interval: i32,
}

/// Ask for a device code (RFC 8628 §3.1).
///
/// A registered public client (`client_id`, e.g. `portal`) asks to act for a person with the
/// scopes in `scope` (space separated; all the client may have when absent). Show the person
/// `user_code` and `verification_uri`, then poll `POST /v1/oauth/token` every `interval`
/// seconds. Form-encoded; errors per RFC 6749 §5.2.
#[utoipa::path(
    tag = "oauth",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`client_id` (required), `scope` (optional, space separated)",
        example = "client_id=portal&scope=projects%3Aread"),
    responses(
        (status = 200, description = "The codes", body = DeviceAuthorizationResponse),
        (status = 400, description = "`invalid_request`, `invalid_scope`, `unauthorized_client`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: unknown or disabled", body = OAuthErrorBody),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`server_error`: try again; see `Retry-After`", body = OAuthErrorBody),
    ),
)]
#[post("/oauth/device_authorization")]
pub async fn device_authorization(
    req: HttpRequest,
    state: web::Data<AppState>,
    Client(client): Client,
    body: web::Bytes,
) -> HttpResponse {
    let run = async {
        let fields = form(&req, &body)?;
        let client_id = required(&fields, "client_id")?;
        oauth::authorize_device(&state, client_id, field(&fields, "scope"), &client).await
    };
    match run.await {
        Ok(issued) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(DeviceAuthorizationResponse {
                device_code: issued.device_code,
                user_code: issued.user_code,
                verification_uri: issued.verification_uri,
                verification_uri_complete: issued.verification_uri_complete,
                expires_in: issued.expires_in,
                interval: issued.interval,
            }),
        Err(e) => oauth_error(&e, false),
    }
}

/// RFC 6749 §5.1.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds the access token lives.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Single use: each refresh returns the next one.
    pub refresh_token: String,
    /// What the tokens may reach.
    #[schema(example = "organizations:read projects:read")]
    pub scope: String,
}

/// Get tokens (RFC 6749 §4, RFC 8628 §3.4).
///
/// `grant_type=urn:ietf:params:oauth:grant-type:device_code` with `device_code` and
/// `client_id`: `authorization_pending` until the person decides, `slow_down` when polled
/// faster than the interval (which then grows by 5 s), `access_denied`, `expired_token`; on
/// approval an access token and a refresh token bound to a new session of the person's with the
/// approved scopes. `grant_type=refresh_token` with `refresh_token` and `client_id`: the next
/// tokens of that session (the refresh token is single use). Form-encoded.
#[utoipa::path(
    tag = "oauth",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`grant_type`, `client_id`, and `device_code` or `refresh_token`",
        example = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=…&client_id=portal"),
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        (status = 400, description = "`authorization_pending`, `slow_down`, `access_denied`, `expired_token`, `invalid_grant`, `invalid_request`, `unsupported_grant_type`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`", body = OAuthErrorBody),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`server_error`: try again; see `Retry-After`", body = OAuthErrorBody),
    ),
)]
#[post("/oauth/token")]
pub async fn token_endpoint(
    req: HttpRequest,
    state: web::Data<AppState>,
    Client(client): Client,
    body: web::Bytes,
) -> HttpResponse {
    let run = async {
        let fields = form(&req, &body)?;
        let grant_type = required(&fields, "grant_type")?;
        let client_id = required(&fields, "client_id")?;
        match grant_type {
            oauth::DEVICE_CODE_GRANT => {
                let device_code = required(&fields, "device_code")?;
                oauth::exchange_device_code(&state, client_id, device_code, client).await
            }
            "refresh_token" => {
                let refresh = required(&fields, "refresh_token")?;
                oauth::exchange_refresh_token(&state, client_id, refresh).await
            }
            _ => Err(OAuthError::UnsupportedGrantType),
        }
    };
    match run.await {
        Ok(issued) => {
            let now = state.clock.now().timestamp();
            HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::PRAGMA, "no-cache"))
                .json(TokenResponse {
                    access_token: issued.tokens.access_token,
                    token_type: "Bearer".into(),
                    expires_in: (issued.tokens.access_expires_at - now).max(0),
                    refresh_token: issued.tokens.refresh_token,
                    scope: issued.scope,
                })
        }
        Err(e) => oauth_error(&e, false),
    }
}

/// RFC 7662 §2.2: only `active` when the token is not.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntrospectionResponse {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "projects:read")]
    pub scope: Option<String>,
    /// The OAuth client the token was issued to (none for the web app's sessions and for
    /// personal access tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// `access_token`, `refresh_token` or `personal_access_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The session an access or refresh token belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Introspect a token (RFC 7662).
///
/// For the provider's services, authenticated as a confidential client (`Authorization: Basic`
/// with its id and secret). Any token the portal issues: an access token, a refresh token, a
/// personal access token. An unknown, expired or revoked one is `{"active": false}`.
#[utoipa::path(
    tag = "oauth",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`token` (required), `token_type_hint` (optional)", example = "token=sp_pat_…"),
    responses(
        (status = 200, description = "What the token is", body = IntrospectionResponse),
        (status = 400, description = "`invalid_request`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: not a confidential client's credentials", body = OAuthErrorBody),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`server_error`: try again; see `Retry-After`", body = OAuthErrorBody),
    ),
)]
#[post("/oauth/introspect")]
pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let mut basic = false;
    let run = async {
        let fields = form(&req, &body)?;
        let (auth, is_basic) = client_auth(&req, &fields)?;
        basic = is_basic;
        let client = oauth::authenticate_client(&state, auth).await?;
        if client.kind != "confidential" {
            return Err(OAuthError::InvalidClient);
        }
        let token = required(&fields, "token")?;
        oauth::introspect(&state, token).await
    };
    match run.await {
        Ok(found) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(IntrospectionResponse {
                active: found.active,
                scope: found.scope,
                client_id: found.client_id,
                sub: found.sub,
                exp: found.exp,
                iat: found.iat,
                token_type: found.token_type.map(str::to_owned),
                sid: found.session_id,
            }),
        Err(e) => oauth_error(&e, basic),
    }
}

/// Revoke a token (RFC 7009).
///
/// A refresh token (or an access token) ends its session at once — a public client names
/// itself with `client_id` and may revoke only what was issued to it; a confidential client
/// authenticates with Basic and may revoke any. A personal access token is revoked for whoever
/// presents it, so that a leaked one can be killed by whoever found it. An unknown token
/// answers 200 too.
#[utoipa::path(
    tag = "oauth",
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`token` (required), `token_type_hint` (optional), `client_id` (public clients)",
        example = "token=…&client_id=portal"),
    responses(
        (status = 200, description = "Revoked, or nothing to revoke"),
        (status = 400, description = "`invalid_request`, `unauthorized_client` (not this client's token)", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`", body = OAuthErrorBody),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`server_error`: try again; see `Retry-After`", body = OAuthErrorBody),
    ),
)]
#[post("/oauth/revoke")]
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let mut basic = false;
    let run = async {
        let fields = form(&req, &body)?;
        let (auth, is_basic) = client_auth(&req, &fields)?;
        basic = is_basic;
        let client = oauth::authenticate_client(&state, auth).await?;
        let token = required(&fields, "token")?;
        oauth::revoke(&state, &client, token).await
    };
    match run.await {
        Ok(()) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Err(e) => oauth_error(&e, basic),
    }
}

/// RFC 8414 §2.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorizationServerMetadata {
    #[schema(example = "https://portal.example")]
    pub issuer: String,
    pub device_authorization_endpoint: String,
    pub token_endpoint: String,
    pub introspection_endpoint: String,
    pub revocation_endpoint: String,
    pub jwks_uri: String,
    pub grant_types_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub scopes_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    pub service_documentation: String,
}

/// OAuth authorization server metadata (RFC 8414).
///
/// Where the device authorization, token, introspection and revocation endpoints are, and what
/// they support.
#[utoipa::path(
    tag = "oauth",
    responses((status = 200, description = "The metadata", body = AuthorizationServerMetadata)),
)]
#[get("/.well-known/oauth-authorization-server")]
pub async fn metadata(state: web::Data<AppState>) -> HttpResponse {
    let s = &state.settings;
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .json(AuthorizationServerMetadata {
            issuer: s.issuer(),
            device_authorization_endpoint: s.link("/v1/oauth/device_authorization"),
            token_endpoint: s.link("/v1/oauth/token"),
            introspection_endpoint: s.link("/v1/oauth/introspect"),
            revocation_endpoint: s.link("/v1/oauth/revoke"),
            jwks_uri: s.link("/.well-known/jwks.json"),
            grant_types_supported: vec![oauth::DEVICE_CODE_GRANT.into(), "refresh_token".into()],
            response_types_supported: vec![],
            scopes_supported: crate::services::personal_tokens::Scope::ALL
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            token_endpoint_auth_methods_supported: vec!["none".into()],
            introspection_endpoint_auth_methods_supported: vec!["client_secret_basic".into()],
            revocation_endpoint_auth_methods_supported: vec![
                "none".into(),
                "client_secret_basic".into(),
            ],
            service_documentation: s.link("/docs"),
        })
}

impl From<ApprovalError> for ApiError {
    fn from(e: ApprovalError) -> Self {
        match e {
            ApprovalError::UnknownCode => ApiError::validation(vec![
                crate::error::FieldError::new(
                    "user_code",
                    "user_code_invalid",
                    "no sign-in request is waiting with this code: check it, or start again on the device",
                ),
            ]),
            ApprovalError::Throttled(wait) => ApiError::too_many(ProblemCode::TooManyRequests, wait),
            ApprovalError::Database(db) => ApiError::internal(&db),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCodeBody {
    /// As shown by the program, any case, with or without the dash.
    #[schema(example = "BCDF-GHJK", max_length = 32)]
    pub user_code: String,
}

/// A program's request to sign in as the person.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceRequestInfo {
    #[schema(example = "BCDF-GHJK")]
    pub user_code: String,
    #[schema(example = "portal")]
    pub client_id: String,
    #[schema(example = "Service Portal CLI")]
    pub client_name: String,
    #[schema(example = json!(["organizations:read", "projects:read"]))]
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    /// Where the program asked from.
    #[schema(example = "203.0.113.7")]
    pub ip: Option<String>,
}

impl From<PendingRequest> for DeviceRequestInfo {
    fn from(p: PendingRequest) -> Self {
        Self {
            user_code: p.user_code,
            client_id: p.client_id,
            client_name: p.client_name,
            scopes: p.scopes,
            expires_at: p.expires_at,
            ip: p.ip,
        }
    }
}

/// Look up a device sign-in request.
///
/// The person, signed in, enters the code a program shows: which program asks, for which
/// scopes, from where. Wrong codes are throttled (10 per 15 minutes).
#[utoipa::path(
    tag = "oauth",
    security(("bearer" = [])),
    request_body = UserCodeBody,
    responses(
        (status = 200, description = "The pending request", body = DeviceRequestInfo),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No pending request with this code (`user_code_invalid`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/device/lookup")]
pub async fn lookup_device_request(
    state: web::Data<AppState>,
    caller: Onboarded,
    body: Json<UserCodeBody>,
) -> Result<HttpResponse, ApiError> {
    let found = oauth::lookup(&state, &caller.account, &body.into_inner().user_code).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(DeviceRequestInfo::from(found)))
}

async fn decide(
    state: &AppState,
    caller: Onboarded,
    client: crate::services::ClientInfo,
    body: UserCodeBody,
    approve: bool,
) -> Result<HttpResponse, ApiError> {
    let decided = oauth::decide(state, &caller.account, &body.user_code, approve, client).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(DeviceRequestInfo::from(decided)))
}

/// Approve a device sign-in request.
///
/// The program polling with this code gets tokens for a new session of yours, limited to the
/// scopes shown; it is listed among your sessions, where you can end it. A security event.
#[utoipa::path(
    tag = "oauth",
    security(("bearer" = [])),
    request_body = UserCodeBody,
    responses(
        (status = 200, description = "Approved", body = DeviceRequestInfo),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No pending request with this code (`user_code_invalid`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/device/approve")]
pub async fn approve_device_request(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    body: Json<UserCodeBody>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, caller, client, body.into_inner(), true).await
}

/// Deny a device sign-in request.
///
/// The program polling with this code is told `access_denied`. A security event.
#[utoipa::path(
    tag = "oauth",
    security(("bearer" = [])),
    request_body = UserCodeBody,
    responses(
        (status = 200, description = "Denied", body = DeviceRequestInfo),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No pending request with this code (`user_code_invalid`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/device/deny")]
pub async fn deny_device_request(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    body: Json<UserCodeBody>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, caller, client, body.into_inner(), false).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterClientBody {
    #[schema(example = "Billing service", max_length = 100)]
    pub name: String,
    /// `public` (a program people run: device sign-in) or `confidential` (a service: a secret,
    /// for introspection and revocation).
    #[schema(example = "confidential")]
    pub kind: String,
    /// What a public client may ask for.
    #[serde(default)]
    #[schema(example = json!([]))]
    pub scopes: Vec<String>,
}

/// A registered OAuth client.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthClientInfo {
    #[schema(example = "client_0193a5c01b2c7d3e8f405a6b7c8d9e0f")]
    pub client_id: String,
    #[schema(example = "Billing service")]
    pub name: String,
    #[schema(example = "confidential")]
    pub kind: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// Shown once, when a confidential client is registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl OAuthClientInfo {
    fn new(c: OAuthClient, client_secret: Option<String>) -> Self {
        Self {
            scopes: c.scopes.split_whitespace().map(str::to_owned).collect(),
            client_id: c.client_id,
            name: c.name,
            kind: c.kind,
            created_at: DateTime::from_naive_utc_and_offset(c.created_at, Utc),
            client_secret,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthClientList {
    pub items: Vec<OAuthClientInfo>,
}

/// Register an OAuth client (staff).
///
/// A public client (a CLI or another program people run) signs in by device code with the
/// scopes it is given; a confidential client (one of the provider's services) gets a secret,
/// shown once, to introspect and revoke tokens.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = RegisterClientBody,
    responses(
        (status = 201, description = "Registered (with the secret, for a confidential client)", body = OAuthClientInfo),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/admin/oauth-clients")]
pub async fn register_client(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<RegisterClientBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let registered = oauth::register_client(&state, &staff.account, &b.name, &b.kind, &b.scopes)
        .await
        .map_err(ApiError::validation)?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(OAuthClientInfo::new(registered.client, registered.secret)))
}

/// List OAuth clients (staff).
///
/// Every registered client, public and confidential, oldest first (never a secret).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every client", body = OAuthClientList),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/admin/oauth-clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    _staff: Staff,
) -> Result<HttpResponse, ApiError> {
    let clients = oauth::clients(&state)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(OAuthClientList {
            items: clients
                .into_iter()
                .map(|c| OAuthClientInfo::new(c, None))
                .collect(),
        }))
}
