//! Sessions and their tokens. A session is a refresh-token family: every refresh spends the
//! presented token and issues a new one (rotation); presenting a spent token again revokes the
//! whole family, since one of the two holders must be an attacker (RFC 9700 §4.14.2).
//! Sessions have an absolute lifetime; each refresh token also expires on its own.

use chrono::{DateTime, Utc};

use crate::auth::jwt::TokenError;
use crate::auth::tokens;
use crate::db::models::accounts;
use crate::db::models::sessions::{self, NewRefreshToken, NewSession};
use crate::db::{
    Committed::{self, Done, Refused},
    DbConnection, DbError,
};
use crate::domain::{AccountId, AccountRole, DeviceId, OpaqueToken, SessionId};
use crate::impl_from_diesel;
use crate::services::events::{self, EventKind};
use crate::services::ClientInfo;
use crate::services::Context;

/// What a client receives when a sign-in completes or a session is refreshed.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    pub access_expires_at: i64,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub session_id: SessionId,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("unknown refresh token")]
    InvalidRefreshToken,
    #[error("refresh token reused; session revoked")]
    Reused,
    #[error("session expired or revoked")]
    SessionEnded,
    #[error("no such session")]
    NotFound,
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(SessionError);

/// An OAuth client a session is approved for, with the scopes it may use.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    pub client_id: &'a str,
    pub scopes: &'a str,
}

/// Starts a session (a completed sign-in) inside the caller's unit of work; returns (session id, refresh token, expiry).
pub fn start(
    conn: &mut DbConnection,
    state: &Context,
    account_id: &AccountId,
    device_id: Option<&DeviceId>,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(SessionId, String, DateTime<Utc>), DbError> {
    start_for(conn, state, account_id, device_id, client, None, now)
}

/// [`start`], for an OAuth client when `grant` is given: the session may then reach only what
/// the grant's scopes allow.
pub fn start_for(
    conn: &mut DbConnection,
    state: &Context,
    account_id: &AccountId,
    device_id: Option<&DeviceId>,
    client: &ClientInfo,
    grant: Option<Grant<'_>>,
    now: DateTime<Utc>,
) -> Result<(SessionId, String, DateTime<Utc>), DbError> {
    let session_id = SessionId::generate();
    let session_expires = now
        + chrono::Duration::from_std(state.settings.session_ttl)
            .unwrap_or(chrono::Duration::days(30));
    sessions::insert(
        conn,
        &NewSession {
            id: &session_id,
            account_id,
            device_id,
            created_at: now.naive_utc(),
            last_used_at: now.naive_utc(),
            expires_at: session_expires.naive_utc(),
            client_ip: client.ip.as_deref(),
            user_agent: client.user_agent().as_deref(),
            client_id: grant.as_ref().map(|g| g.client_id),
            scopes: grant.as_ref().map(|g| g.scopes),
        },
    )?;
    let (refresh, expires) = new_refresh(conn, state, &session_id, session_expires, now)?;
    // Every completed sign-in starts a session here.
    events::record(
        conn,
        account_id,
        EventKind::SignInSucceeded,
        client,
        None,
        now,
    )?;
    Ok((session_id, refresh, expires))
}

fn new_refresh(
    conn: &mut DbConnection,
    state: &Context,
    session_id: &SessionId,
    session_expires: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), DbError> {
    let token = tokens::new_token();
    let ttl = chrono::Duration::from_std(state.settings.refresh_token_ttl)
        .unwrap_or(chrono::Duration::days(14));
    let expires = (now + ttl).min(session_expires);
    sessions::insert_refresh(
        conn,
        &NewRefreshToken {
            id: &uuid::Uuid::now_v7().to_string(),
            session_id,
            token_hash: &tokens::hash_token(&token),
            created_at: now.naive_utc(),
            expires_at: expires.naive_utc(),
        },
    )?;
    Ok((token, expires))
}

/// Signs an access token for a session that was just started or refreshed.
pub fn access_token(
    state: &Context,
    account_id: &AccountId,
    role: AccountRole,
    session_id: SessionId,
    refresh_token: String,
    refresh_expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<IssuedTokens, TokenError> {
    let (access_token, access_expires_at) = state.jwt.issue(
        account_id,
        session_id.as_str(),
        role.as_str(),
        now,
        state.settings.access_token_ttl,
    )?;
    Ok(IssuedTokens {
        access_token,
        access_expires_at,
        refresh_token,
        refresh_expires_at,
        session_id,
    })
}

/// Spends a refresh token and issues the next one with a new access token.
pub async fn refresh(
    state: &Context,
    refresh_token: OpaqueToken,
) -> Result<IssuedTokens, SessionError> {
    let now = state.clock.now();
    let hash = tokens::hash_token(refresh_token.as_str());
    let st = state.clone();
    let outcome = state
        .db
        .write_or_refuse(move |conn| -> Result<Committed<_, SessionError>, SessionError> {
            let Some((token, session)) = sessions::find_refresh(conn, &hash)? else {
                return Ok(Refused(SessionError::InvalidRefreshToken));
            };
            let at = now.naive_utc();
            if session.revoked_at.is_some() || session.expires_at <= at {
                return Ok(Refused(SessionError::SessionEnded));
            }
            if token.used_at.is_some() || sessions::use_refresh(conn, &token.id, at)? == 0 {
                sessions::revoke(conn, &session.id, "refresh_token_reuse", at)?;
                tracing::warn!(session_id = %session.id, "refresh token reused; session revoked");
                return Ok(Refused(SessionError::Reused));
            }
            if token.expires_at <= at {
                return Ok(Refused(SessionError::SessionEnded));
            }
            let Some(account) = accounts::find(conn, &session.account_id)? else {
                return Ok(Refused(SessionError::SessionEnded));
            };
            sessions::touch(conn, &session.id, at)?;
            let session_expires = DateTime::<Utc>::from_naive_utc_and_offset(session.expires_at, Utc);
            let (next, expires) = new_refresh(conn, &st, &session.id, session_expires, now)?;
            Ok(Done((account.id, account.role, session.id, next, expires)))
        })
        .await;
    let (account_id, role, session_id, next, expires) = outcome?;
    Ok(access_token(
        state,
        &account_id,
        role,
        session_id,
        next,
        expires,
        now,
    )?)
}

/// Ends the session: its refresh tokens stop working at once.
pub async fn sign_out(
    state: &Context,
    account_id: AccountId,
    session_id: SessionId,
    client: ClientInfo,
) -> Result<(), SessionError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            if sessions::revoke(conn, &session_id, "signed_out", now.naive_utc())? > 0 {
                events::record(conn, &account_id, EventKind::SignedOut, &client, None, now)?;
            }
            Ok::<_, SessionError>(())
        })
        .await
}

/// A live session as its account sees it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub device_label: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session the request came from.
    pub current: bool,
    /// The OAuth client a device sign-in was approved for, and the scopes it may use.
    pub client_id: Option<String>,
    pub scopes: Option<String>,
}

fn utc(at: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
}

/// The account's live sessions, most recently used first.
pub async fn list(
    state: &Context,
    account_id: AccountId,
    current_session: SessionId,
) -> Result<Vec<SessionInfo>, SessionError> {
    let now = state.clock.now().naive_utc();
    let rows = state
        .db
        .read(move |conn| Ok::<_, SessionError>(sessions::list_live(conn, &account_id, now)?))
        .await?;
    Ok(rows
        .into_iter()
        .map(|v| SessionInfo {
            current: v.session.id == current_session,
            id: v.session.id.to_string(),
            created_at: utc(v.session.created_at),
            last_used_at: utc(v.session.last_used_at),
            expires_at: utc(v.session.expires_at),
            device_label: v.device_label,
            client_ip: v.session.client_ip,
            user_agent: v.session.user_agent,
            client_id: v.session.client_id,
            scopes: v.session.scopes,
        })
        .collect())
}

/// Ends one live session of the account (its refresh family stops at once, and its access
/// tokens at the next request). Ending the current one is signing out.
pub async fn end(
    state: &Context,
    account_id: AccountId,
    session_id: SessionId,
    client: ClientInfo,
) -> Result<(), SessionError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let at = now.naive_utc();
            if sessions::revoke_of_account(conn, &session_id, &account_id, "ended_by_user", at)?
                == 0
            {
                return Err(SessionError::NotFound);
            }
            events::record(
                conn,
                &account_id,
                EventKind::SessionEnded,
                &client,
                Some(serde_json::json!({ "session_id": session_id })),
                now,
            )?;
            Ok(())
        })
        .await
}

/// Ends every live session of the account but `keep` (all of them when `keep` is `None`);
/// returns how many ended. `actor_id` names the staff member who asked, if one did.
pub async fn end_all(
    state: &Context,
    account_id: AccountId,
    keep: Option<SessionId>,
    actor_id: Option<AccountId>,
    client: ClientInfo,
) -> Result<usize, SessionError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            if accounts::find(conn, &account_id)?.is_none() {
                return Err(SessionError::NotFound);
            }
            let reason = if actor_id.is_some() {
                "revoked_by_staff"
            } else {
                "ended_by_user"
            };
            let ended = sessions::revoke_all_of_account(
                conn,
                &account_id,
                keep.as_ref(),
                reason,
                now.naive_utc(),
            )?;
            events::record(
                conn,
                &account_id,
                EventKind::SessionsEnded,
                &client,
                Some(serde_json::json!({ "ended": ended, "actor_id": actor_id })),
                now,
            )?;
            Ok(ended)
        })
        .await
}
