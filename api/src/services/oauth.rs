//! OAuth 2.0 for programs: the Device Authorization Grant (RFC 8628) by which a CLI signs in
//! with the person's approval in the browser, refresh tokens for those sessions (rotating, as
//! every session's: RFC 9700 §4.14.2), token introspection (RFC 7662) for the provider's other
//! services, and token revocation (RFC 7009).
//!
//! Device grant: the client (a registered public client; `portal` is seeded) asks for a device
//! code and gets a short user code to show; the person, signed in with MFA satisfied, enters
//! it at `/device`, sees which client asks for which scopes, and approves or denies. The client
//! polls the token endpoint (`authorization_pending`, `slow_down` when it polls faster than the
//! interval, which then grows by 5 s, `access_denied`, `expired_token`) and on approval gets
//! an access token and a refresh token bound to a new session of the person's, limited to the
//! approved scopes, listed among their sessions and revocable there. User codes are 8 letters
//! from a 20-consonant alphabet (RFC 8628 §6.1: about 34 bits), live 10 minutes, and wrong
//! entries are throttled per account (§5.1).

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use rand::Rng;
use serde_json::json;

use crate::auth::tokens;
use crate::db::models::accounts::Account;
use crate::db::models::oauth::{
    self as rows, DeviceAuthorization, NewDeviceAuthorization, NewOAuthClient, OAuthClient,
};
use crate::db::models::{personal_tokens as token_rows, sessions as session_rows};
use crate::db::{
    Committed::{self, Done, Refused},
    DbConnection, DbError,
};
use crate::domain::{AccountId, OpaqueToken, SessionId};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::services::events::{self, EventKind};
use crate::services::personal_tokens::{self, Scope};
use crate::services::sessions::{self, Grant, IssuedTokens};
use crate::services::throttle::{self, Limit};
use crate::services::ClientInfo;
use crate::services::Context;

/// How long a device code and its user code live.
pub const DEVICE_CODE_TTL_SECONDS: i64 = 600;
/// The least time between two polls, at first.
pub const POLL_INTERVAL_SECONDS: i32 = 5;
/// The grant type of the device flow's token request.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// User code letters: no vowels (no words), nothing that looks like a digit (RFC 8628 §6.1).
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH: usize = 8;
/// Wrong user codes an account may enter: 10 in 15 minutes, then 15 minutes of refusal.
pub const USER_CODES_PER_ACCOUNT: Limit = Limit {
    max: 10,
    window: std::time::Duration::from_secs(15 * 60),
    block: std::time::Duration::from_secs(15 * 60),
};

/// An OAuth error, as RFC 6749 §5.2 and RFC 8628 §3.5 name them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant")]
    InvalidGrant,
    #[error("unauthorized_client")]
    UnauthorizedClient,
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_scope: {0}")]
    InvalidScope(String),
    #[error("authorization_pending")]
    AuthorizationPending,
    #[error("slow_down")]
    SlowDown,
    #[error("access_denied")]
    AccessDenied,
    #[error("expired_token")]
    ExpiredToken,
    #[error("server_error")]
    ServerError,
}

impl OAuthError {
    /// The `error` value.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope(_) => "invalid_scope",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::AccessDenied => "access_denied",
            Self::ExpiredToken => "expired_token",
            Self::ServerError => "server_error",
        }
    }

    /// The `error_description` value.
    pub fn description(&self) -> String {
        match self {
            Self::InvalidRequest(why) | Self::InvalidScope(why) => why.clone(),
            Self::InvalidClient => {
                "Unknown or disabled client, or wrong client credentials.".into()
            }
            Self::InvalidGrant => {
                "The device code or refresh token is not valid for this client.".into()
            }
            Self::UnauthorizedClient => "This client may not use this grant.".into(),
            Self::UnsupportedGrantType => {
                "Use urn:ietf:params:oauth:grant-type:device_code or refresh_token.".into()
            }
            Self::AuthorizationPending => {
                "The person has not approved the request yet; keep polling.".into()
            }
            Self::SlowDown => {
                "Polling too fast: wait 5 seconds longer between requests from now on.".into()
            }
            Self::AccessDenied => "The person denied the request.".into(),
            Self::ExpiredToken => "The device code expired; start again.".into(),
            Self::ServerError => "The request could not be handled; try again.".into(),
        }
    }
}

impl From<DbError> for OAuthError {
    fn from(e: DbError) -> Self {
        tracing::error!(error = %e, "oauth request failed");
        Self::ServerError
    }
}

impl From<crate::db::QueryError> for OAuthError {
    fn from(e: crate::db::QueryError) -> Self {
        DbError::from(e).into()
    }
}

/// Why the person's side of the grant (lookup, approve, deny) was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// Unknown, expired or already decided: the same answer.
    #[error("no pending request with this code")]
    UnknownCode,
    #[error("too many wrong codes")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(ApprovalError);

/// What the client shows the person (RFC 8628 §3.2).
#[derive(Debug, Clone)]
pub struct DeviceCodeIssued {
    pub device_code: String,
    /// As shown: `BCDF-GHJK`.
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i32,
}

/// A usable client by id: known, not disabled.
fn client(conn: &mut DbConnection, client_id: &str) -> Result<OAuthClient, OAuthError> {
    rows::find_client(conn, client_id)?
        .filter(|c| c.disabled_at.is_none())
        .ok_or(OAuthError::InvalidClient)
}

/// The scopes asked for (`scope`, space separated), each one the client may ask for; all of
/// the client's when none are named.
fn requested_scopes(client: &OAuthClient, scope: Option<&str>) -> Result<String, OAuthError> {
    let allowed = personal_tokens::parse_stored(&client.scopes);
    let asked: Vec<&str> = scope.unwrap_or_default().split_whitespace().collect();
    if asked.is_empty() {
        return Ok(personal_tokens::scopes_text(&allowed));
    }
    let mut scopes = Vec::new();
    for raw in asked {
        match Scope::parse(raw) {
            Some(s) if allowed.contains(&s) => scopes.push(s),
            _ => {
                return Err(OAuthError::InvalidScope(format!(
                    "{raw:?} is not a scope this client may ask for"
                )))
            }
        }
    }
    Ok(personal_tokens::scopes_text(&scopes))
}

fn new_user_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..USER_CODE_LENGTH)
        .map(|_| char::from(USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())]))
        .collect()
}

/// `BCDFGHJK` shown as `BCDF-GHJK`.
pub fn display_user_code(code: &str) -> String {
    format!("{}-{}", &code[..4], &code[4..])
}

/// A user code as typed (any case, with or without the dash or spaces), in its stored form.
pub fn normalize_user_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == USER_CODE_LENGTH && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(code)
}

/// The device authorization request (RFC 8628 §3.1): a device code for a public client.
pub async fn authorize_device(
    state: &Context,
    client_id: &str,
    scope: Option<&str>,
    requester: &ClientInfo,
) -> Result<DeviceCodeIssued, OAuthError> {
    let now = state.clock.now().trunc_subsecs(6);
    let at = now.naive_utc();
    let device_code = tokens::new_token();
    let hash = tokens::hash_token(&device_code);
    let client_id = client_id.to_owned();
    let scope = scope.map(str::to_owned);
    let ip = requester.ip.clone();
    let user_code = state
        .db
        .write(move |conn| {
            let client = client(conn, &client_id)?;
            if client.kind != "public" {
                return Err(OAuthError::UnauthorizedClient);
            }
            let scopes = requested_scopes(&client, scope.as_deref())?;
            rows::purge_expired(conn, at - chrono::Duration::days(1))?;
            // A clash with a live code is astronomically rare: draw again.
            for _ in 0..4 {
                let user_code = new_user_code();
                if rows::by_user_code(conn, &user_code)?.is_some() {
                    continue;
                }
                rows::insert_authorization(
                    conn,
                    &NewDeviceAuthorization {
                        id: &uuid::Uuid::now_v7().to_string(),
                        device_code_hash: &hash,
                        user_code: &user_code,
                        client_id: &client.client_id,
                        scopes: &scopes,
                        created_at: at,
                        expires_at: at + chrono::Duration::seconds(DEVICE_CODE_TTL_SECONDS),
                        interval_seconds: POLL_INTERVAL_SECONDS,
                        status: "pending",
                        client_ip: ip.as_deref(),
                    },
                )?;
                return Ok(user_code);
            }
            Err(OAuthError::ServerError)
        })
        .await?;
    let verification_uri = state.settings.link("/device");
    Ok(DeviceCodeIssued {
        device_code,
        verification_uri_complete: format!("{verification_uri}?user_code={user_code}"),
        user_code: display_user_code(&user_code),
        verification_uri,
        expires_in: DEVICE_CODE_TTL_SECONDS,
        interval: POLL_INTERVAL_SECONDS,
    })
}

/// Tokens for a client, with the scopes of its session.
#[derive(Debug, Clone)]
pub struct ClientTokens {
    pub tokens: IssuedTokens,
    pub scope: String,
}

/// The token request with a device code (RFC 8628 §3.4, §3.5).
pub async fn exchange_device_code(
    state: &Context,
    client_id: &str,
    device_code: &str,
    requester: ClientInfo,
) -> Result<ClientTokens, OAuthError> {
    let now = state.clock.now().trunc_subsecs(6);
    let at = now.naive_utc();
    let hash = tokens::hash_token(device_code);
    let client_id = client_id.to_owned();
    let st = state.clone();
    let issued = state
        .db
        .write_or_refuse(
            move |conn| -> Result<Committed<_, OAuthError>, OAuthError> {
                let client = client(conn, &client_id)?;
                let Some(grant) = rows::by_device_code(conn, &hash)? else {
                    return Ok(Refused(OAuthError::InvalidGrant));
                };
                if grant.client_id != client.client_id || grant.status == "used" {
                    return Ok(Refused(OAuthError::InvalidGrant));
                }
                if grant.expires_at <= at {
                    return Ok(Refused(OAuthError::ExpiredToken));
                }
                // Faster than the interval: slow down, and the interval grows (RFC 8628 §3.5).
                let too_soon = grant.last_polled_at.is_some_and(|last| {
                    at < last + chrono::Duration::seconds(i64::from(grant.interval_seconds))
                });
                let interval = grant.interval_seconds + if too_soon { 5 } else { 0 };
                rows::polled(conn, &grant.id, interval, at)?;
                if too_soon {
                    return Ok(Refused(OAuthError::SlowDown));
                }
                match grant.status.as_str() {
                    "pending" => return Ok(Refused(OAuthError::AuthorizationPending)),
                    "denied" => return Ok(Refused(OAuthError::AccessDenied)),
                    _ => {}
                }
                if rows::mark_used(conn, &grant.id)? == 0 {
                    return Ok(Refused(OAuthError::InvalidGrant));
                }
                let Some(account_id) = grant.account_id.as_ref() else {
                    return Ok(Refused(OAuthError::InvalidGrant));
                };
                let Some(account) = crate::db::models::accounts::find(conn, account_id)? else {
                    return Ok(Refused(OAuthError::InvalidGrant));
                };
                if account.closed_at.is_some() {
                    return Ok(Refused(OAuthError::InvalidGrant));
                }
                let (session_id, refresh, expires) = sessions::start_for(
                    conn,
                    &st,
                    &account.id,
                    None,
                    &requester,
                    Some(Grant {
                        client_id: &client.client_id,
                        scopes: &grant.scopes,
                    }),
                    now,
                )?;
                Ok(Done((account, session_id, refresh, expires, grant.scopes)))
            },
        )
        .await;
    let (account, session_id, refresh, expires, scope) = issued?;
    let tokens = sessions::access_token(
        state,
        &account.id,
        account.role,
        session_id,
        refresh,
        expires,
        now,
    )
    .map_err(|_| OAuthError::ServerError)?;
    Ok(ClientTokens { tokens, scope })
}

/// The token request with a refresh token (RFC 6749 §6) of a session approved for this client:
/// the token is spent and a new one issued (a reused one ends the session).
pub async fn exchange_refresh_token(
    state: &Context,
    client_id: &str,
    refresh_token: &str,
) -> Result<ClientTokens, OAuthError> {
    let hash = tokens::hash_token(refresh_token);
    let client_id = client_id.to_owned();
    let scope = state
        .db
        .read(move |conn| {
            client(conn, &client_id)?;
            let found = session_rows::find_refresh(conn, &hash)?;
            match found {
                Some((_, session)) if session.client_id.as_deref() == Some(client_id.as_str()) => {
                    Ok(session.scopes.unwrap_or_default())
                }
                _ => Err(OAuthError::InvalidGrant),
            }
        })
        .await?;
    let refresh_token = OpaqueToken::parse(refresh_token).ok_or(OAuthError::InvalidGrant)?;
    let tokens = sessions::refresh(state, refresh_token)
        .await
        .map_err(|e| match e {
            sessions::SessionError::Database(_) | sessions::SessionError::Token(_) => {
                OAuthError::ServerError
            }
            _ => OAuthError::InvalidGrant,
        })?;
    Ok(ClientTokens { tokens, scope })
}

/// What the approval page shows about a pending request.
#[derive(Debug, Clone)]
pub struct PendingRequest {
    pub user_code: String,
    pub client_id: String,
    pub client_name: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    /// Where the client asked from.
    pub ip: Option<String>,
}

fn pending(
    conn: &mut DbConnection,
    account_id: &AccountId,
    raw_code: &str,
    now: DateTime<Utc>,
) -> Result<(DeviceAuthorization, OAuthClient), ApprovalError> {
    let key = format!("device-code:{account_id}");
    if let Some(wait) = throttle::blocked(conn, &key, now)? {
        return Err(ApprovalError::Throttled(wait));
    }
    let found = match normalize_user_code(raw_code) {
        Some(code) => rows::by_user_code(conn, &code)?,
        None => None,
    }
    .filter(|g| g.status == "pending" && g.expires_at > now.naive_utc());
    let found = match found {
        Some(grant) => rows::find_client(conn, &grant.client_id)?
            .filter(|c| c.disabled_at.is_none())
            .map(|c| (grant, c)),
        None => None,
    };
    match found {
        Some(found) => Ok(found),
        None => {
            // A wrong code counts (committed even though the answer is a refusal).
            if let Some(wait) = throttle::hit(conn, &key, USER_CODES_PER_ACCOUNT, now)? {
                return Err(ApprovalError::Throttled(wait));
            }
            Err(ApprovalError::UnknownCode)
        }
    }
}

/// The pending request a user code names, for the person to review.
pub async fn lookup(
    state: &Context,
    account: &Account,
    user_code: &str,
) -> Result<PendingRequest, ApprovalError> {
    let now = state.clock.now();
    let (account_id, code) = (account.id.clone(), user_code.to_owned());
    let outcome = state
        .db
        .write_or_refuse(
            move |conn| -> Result<Committed<_, ApprovalError>, ApprovalError> {
                Ok(pending(conn, &account_id, &code, now).into())
            },
        )
        .await;
    let (grant, client) = outcome?;
    Ok(PendingRequest {
        user_code: display_user_code(&grant.user_code),
        client_id: client.client_id,
        client_name: client.name,
        scopes: grant.scopes.split_whitespace().map(str::to_owned).collect(),
        expires_at: DateTime::from_naive_utc_and_offset(grant.expires_at, Utc),
        ip: grant.client_ip,
    })
}

/// Approves or denies the pending request a user code names; a security event either way.
pub async fn decide(
    state: &Context,
    account: &Account,
    user_code: &str,
    approve: bool,
    client_info: ClientInfo,
) -> Result<PendingRequest, ApprovalError> {
    let now = state.clock.now().trunc_subsecs(6);
    let (account_id, code) = (account.id.clone(), user_code.to_owned());
    let outcome = state
        .db
        .write_or_refuse(move |conn| -> Result<Committed<_, ApprovalError>, ApprovalError> {
            let (grant, client) = match pending(conn, &account_id, &code, now) {
                Ok(found) => found,
                Err(e) => return Ok(Refused(e)),
            };
            let status = if approve { "approved" } else { "denied" };
            if rows::decide(conn, &grant.id, status, &account_id, now.naive_utc())? == 0 {
                return Ok(Refused(ApprovalError::UnknownCode));
            }
            events::record(
                conn,
                &account_id,
                if approve {
                    EventKind::DeviceSignInApproved
                } else {
                    EventKind::DeviceSignInDenied
                },
                &client_info,
                Some(json!({ "client_id": client.client_id, "client": client.name, "scopes": grant.scopes })),
                now,
            )?;
            Ok(Done((grant, client)))
        })
        .await;
    let (grant, client) = outcome?;
    Ok(PendingRequest {
        user_code: display_user_code(&grant.user_code),
        client_id: client.client_id,
        client_name: client.name,
        scopes: grant.scopes.split_whitespace().map(str::to_owned).collect(),
        expires_at: DateTime::from_naive_utc_and_offset(grant.expires_at, Utc),
        ip: grant.client_ip,
    })
}

/// How a client proved who it is.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// `Authorization: Basic` with a confidential client's id and secret.
    Basic { client_id: String, secret: String },
    /// A public client naming itself (`client_id` in the form).
    Public { client_id: String },
}

/// The client, checked: a confidential client's secret must match; a public client just
/// names itself.
pub async fn authenticate_client(
    state: &Context,
    auth: ClientAuth,
) -> Result<OAuthClient, OAuthError> {
    state
        .db
        .read(move |conn| {
            let (client_id, secret) = match &auth {
                ClientAuth::Basic { client_id, secret } => (client_id.as_str(), Some(secret)),
                ClientAuth::Public { client_id } => (client_id.as_str(), None),
            };
            let client = client(conn, client_id)?;
            match (client.kind.as_str(), secret, client.secret_hash.as_deref()) {
                ("public", None, _) => Ok(client),
                ("confidential", Some(secret), Some(hash))
                    if tokens::same(hash, &tokens::hash_token(secret)) =>
                {
                    Ok(client)
                }
                _ => Err(OAuthError::InvalidClient),
            }
        })
        .await
}

/// What introspection says about a token (RFC 7662 §2.2); inactive when `active` is false and
/// nothing else is told.
#[derive(Debug, Clone, Default)]
pub struct Introspection {
    pub active: bool,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub sub: Option<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub token_type: Option<&'static str>,
    pub session_id: Option<String>,
}

/// Every scope, for a token of an unrestricted session.
fn all_scopes() -> String {
    personal_tokens::scopes_text(&Scope::ALL)
}

/// Introspects an access token, a refresh token or a personal access token, for a
/// confidential client.
pub async fn introspect(state: &Context, token: &str) -> Result<Introspection, OAuthError> {
    let now = state.clock.now();
    let at = now.naive_utc();
    if token.starts_with(personal_tokens::PREFIX) {
        let hash = tokens::hash_token(token);
        return state
            .db
            .read(move |conn| {
                let Some((record, account)) = token_rows::find_by_hash(conn, &hash)? else {
                    return Ok(Introspection::default());
                };
                if record.revoked_at.is_some()
                    || record.expires_at <= at
                    || account.closed_at.is_some()
                {
                    return Ok(Introspection::default());
                }
                Ok(Introspection {
                    active: true,
                    scope: Some(record.scopes),
                    client_id: None,
                    sub: Some(account.id.into()),
                    exp: Some(record.expires_at.and_utc().timestamp()),
                    iat: Some(record.created_at.and_utc().timestamp()),
                    token_type: Some("personal_access_token"),
                    session_id: None,
                })
            })
            .await;
    }
    if let Ok(claims) = state.jwt.verify(token, now) {
        let (Some(sid), Some(sub)) = (SessionId::parse(&claims.sid), AccountId::parse(&claims.sub))
        else {
            return Ok(Introspection::default());
        };
        return state
            .db
            .read(move |conn| {
                let live = session_rows::liveness(conn, &sid, &sub)?;
                let session = session_rows::find(conn, &sid)?;
                match (live, session) {
                    (Some(live), Some(session)) if live.is_live(at) => Ok(Introspection {
                        active: true,
                        scope: Some(live.scopes.unwrap_or_else(all_scopes)),
                        client_id: session.client_id,
                        sub: Some(claims.sub.clone()),
                        exp: Some(claims.exp),
                        iat: Some(claims.iat),
                        token_type: Some("access_token"),
                        session_id: Some(claims.sid.clone()),
                    }),
                    _ => Ok(Introspection::default()),
                }
            })
            .await;
    }
    let hash = tokens::hash_token(token);
    state
        .db
        .read(move |conn| {
            let Some((refresh, session)) = session_rows::find_refresh(conn, &hash)? else {
                return Ok(Introspection::default());
            };
            let live = session_rows::liveness(conn, &session.id, &session.account_id)?;
            let usable = refresh.used_at.is_none()
                && refresh.expires_at > at
                && live.as_ref().is_some_and(|l| l.is_live(at));
            if !usable {
                return Ok(Introspection::default());
            }
            Ok(Introspection {
                active: true,
                scope: Some(session.scopes.unwrap_or_else(all_scopes)),
                client_id: session.client_id,
                sub: Some(session.account_id.into()),
                exp: Some(refresh.expires_at.and_utc().timestamp()),
                iat: Some(refresh.created_at.and_utc().timestamp()),
                token_type: Some("refresh_token"),
                session_id: Some(session.id.into()),
            })
        })
        .await
}

/// Revokes a token (RFC 7009): a refresh or access token of a session approved for this client
/// ends that session; a personal access token is revoked for whoever presents it (a leaked
/// token can be killed by whoever found it). Unknown tokens change nothing and are not an error.
pub async fn revoke(state: &Context, client: &OAuthClient, token: &str) -> Result<(), OAuthError> {
    let now = state.clock.now();
    let at = now.naive_utc();
    let hash = tokens::hash_token(token);
    if token.starts_with(personal_tokens::PREFIX) {
        return state
            .db
            .write(move |conn| {
                if let Some((record, _)) = token_rows::find_by_hash(conn, &hash)? {
                    token_rows::revoke(
                        conn,
                        &record.id,
                        &record.account_id,
                        "revoked_by_client",
                        at,
                    )?;
                }
                Ok(())
            })
            .await;
    }
    let session = match state.jwt.verify(token, now) {
        Ok(claims) => SessionId::parse(&claims.sid),
        Err(_) => None,
    };
    let client_id = client.client_id.clone();
    let confidential = client.kind == "confidential";
    state
        .db
        .write(move |conn| {
            let session = match session {
                Some(sid) => session_rows::find(conn, &sid)?,
                None => session_rows::find_refresh(conn, &hash)?.map(|(_, s)| s),
            };
            let Some(session) = session else {
                return Ok(());
            };
            // A client revokes what was issued to it; the provider's services, anything.
            if !confidential && session.client_id.as_deref() != Some(client_id.as_str()) {
                return Err(OAuthError::UnauthorizedClient);
            }
            session_rows::revoke(conn, &session.id, "revoked_by_client", at)?;
            Ok(())
        })
        .await
}

/// A client registered by staff: the secret (confidential clients) is shown once.
pub struct RegisteredClient {
    pub client: OAuthClient,
    pub secret: Option<String>,
}

/// Registers a client (staff): public clients use the device grant; confidential ones
/// introspect and revoke tokens with their secret.
pub async fn register_client(
    state: &Context,
    staff: &Account,
    name: &str,
    kind: &str,
    scopes: &[String],
) -> Result<RegisteredClient, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = crate::services::organizations::text(
        crate::services::organizations::TextRule {
            field: "name",
            max: 100,
            multiline: false,
        },
        name,
    )
    .map_err(|e| errors.push(e))
    .ok();
    if !matches!(kind, "public" | "confidential") {
        errors.push(FieldError::new(
            "kind",
            "kind_invalid",
            "must be public (a program run by people: device sign-in) or confidential (a service with a secret)",
        ));
    }
    let mut parsed = Vec::new();
    for raw in scopes {
        match Scope::parse(raw) {
            Some(s) => parsed.push(s),
            None => errors.push(FieldError::new(
                "scopes",
                "scope_unknown",
                format!("{raw:?} is not a scope"),
            )),
        }
    }
    if kind == "public" && parsed.is_empty() {
        errors.push(FieldError::new(
            "scopes",
            "scopes_required",
            "a public client needs at least one scope",
        ));
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let secret = (kind == "confidential").then(|| format!("sp_cs_{}", tokens::new_token()));
    let secret_hash = secret.as_deref().map(tokens::hash_token);
    let client_id = format!("client_{}", uuid::Uuid::now_v7().simple());
    let at: NaiveDateTime = state.clock.now().naive_utc().trunc_subsecs(6);
    let (kind, staff_id, scopes) = (
        kind.to_owned(),
        staff.id.clone(),
        personal_tokens::scopes_text(&parsed),
    );
    let client = state
        .db
        .write(move |conn| {
            rows::insert_client(
                conn,
                &NewOAuthClient {
                    client_id: &client_id,
                    name: &name,
                    kind: &kind,
                    secret_hash: secret_hash.as_deref(),
                    scopes: &scopes,
                    created_at: at,
                    created_by: Some(&staff_id),
                },
            )?;
            Ok::<_, DbError>(rows::find_client(conn, &client_id)?)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not register a client");
            vec![FieldError::new(
                "name",
                "not_saved",
                "the client could not be saved; try again",
            )]
        })?
        .ok_or_else(Vec::new)?;
    Ok(RegisteredClient { client, secret })
}

/// Every registered client (staff).
pub async fn clients(state: &Context) -> Result<Vec<OAuthClient>, DbError> {
    state.db.read(|conn| Ok(rows::clients(conn)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_use_the_alphabet_and_read_back_however_typed() {
        for _ in 0..200 {
            let code = new_user_code();
            assert_eq!(code.len(), 8);
            assert!(code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)));
            let shown = display_user_code(&code);
            assert_eq!(normalize_user_code(&shown).as_deref(), Some(code.as_str()));
            assert_eq!(
                normalize_user_code(&shown.to_lowercase().replace('-', " ")).as_deref(),
                Some(code.as_str())
            );
        }
        assert_eq!(normalize_user_code("BCDF-GHJ"), None);
        assert_eq!(normalize_user_code("BCDF-GHJA"), None, "no vowels");
        assert_eq!(normalize_user_code("BCDF-GHJ1"), None);
    }

    #[test]
    fn errors_use_the_rfc_names() {
        assert_eq!(
            OAuthError::AuthorizationPending.code(),
            "authorization_pending"
        );
        assert_eq!(OAuthError::SlowDown.code(), "slow_down");
        assert_eq!(OAuthError::AccessDenied.code(), "access_denied");
        assert_eq!(OAuthError::ExpiredToken.code(), "expired_token");
        assert_eq!(
            OAuthError::UnsupportedGrantType.code(),
            "unsupported_grant_type"
        );
    }
}
