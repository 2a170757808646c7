//! Invitations: accounts created by staff (Enterprise accounts, staff themselves) have no
//! password; an emailed single-use link (72 hours) lets the person set one, which also proves
//! the address. Then they follow the journey from sign-in.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::password::HashError;
use crate::auth::tokens;
use crate::db::models::{accounts, invitations};
use crate::db::{DbConnection, DbError};
use crate::domain::{AccountId, OpaqueToken, Password};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::events::{self, EventKind};
use crate::services::ClientInfo;
use crate::services::Context;

pub const INVITATION_TTL_HOURS: i64 = 72;

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("unknown invitation")]
    Invalid,
    #[error("invitation expired")]
    Expired,
    #[error("invitation already used")]
    Used,
    #[error("invalid password")]
    WeakPassword(Vec<FieldError>),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(InvitationError);

/// What the set-password page shows about an invitation.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub email: String,
    pub full_name: String,
    pub expires_at: DateTime<Utc>,
}

/// Creates an invitation for `account` and queues its email, inside the caller's unit of work.
pub fn invite_in(
    conn: &mut DbConnection,
    account: &accounts::Account,
    organization_name: Option<&str>,
    invited_by: Option<(&AccountId, &str)>,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let token = tokens::new_token();
    let at = now.naive_utc();
    invitations::retire_all(conn, &account.id, at)?;
    invitations::insert(
        conn,
        &uuid::Uuid::now_v7().to_string(),
        &account.id,
        &tokens::hash_token(&token),
        invited_by.map(|(id, _)| id),
        at,
        at + chrono::Duration::hours(INVITATION_TTL_HOURS),
    )?;
    mail::enqueue(
        conn,
        &account.email,
        Template::Invitation,
        &account.locale,
        &json!({
            "full_name": account.full_name,
            "organization_name": organization_name.unwrap_or(""),
            "link": format!("{link_base}{token}"),
            "expires_hours": INVITATION_TTL_HOURS,
            "invited_by": invited_by.map(|(_, name)| name),
        }),
        at,
    )?;
    Ok(())
}

fn check(
    invitation: Option<invitations::Invitation>,
    now: DateTime<Utc>,
) -> Result<invitations::Invitation, InvitationError> {
    let invitation = invitation.ok_or(InvitationError::Invalid)?;
    if invitation.used_at.is_some() {
        return Err(InvitationError::Used);
    }
    if invitation.expires_at <= now.naive_utc() {
        return Err(InvitationError::Expired);
    }
    Ok(invitation)
}

/// Looks an invitation up without spending it.
pub async fn inspect(
    state: &Context,
    token: &OpaqueToken,
) -> Result<InvitationView, InvitationError> {
    let now = state.clock.now();
    let hash = tokens::hash_token(token.as_str());
    state
        .db
        .read(move |conn| {
            let invitation = check(invitations::find_by_hash(conn, &hash)?, now)?;
            let account =
                accounts::find(conn, &invitation.account_id)?.ok_or(InvitationError::Invalid)?;
            Ok(InvitationView {
                email: account.email,
                full_name: account.full_name,
                expires_at: DateTime::from_naive_utc_and_offset(invitation.expires_at, Utc),
            })
        })
        .await
}

/// Sets the first password with the invitation; the address counts as verified.
pub async fn accept(
    state: &Context,
    token: OpaqueToken,
    password: String,
    client: ClientInfo,
) -> Result<String, InvitationError> {
    let view = inspect(state, &token).await?;
    let personal = [view.email.as_str(), view.full_name.as_str()];
    let password = Password::parse(&state.settings.password_policy, &password, &personal).map_err(
        |rules| {
            InvitationError::WeakPassword(
                rules
                    .into_iter()
                    .map(|r| FieldError::new("password", r.code(), r.message()))
                    .collect(),
            )
        },
    )?;
    let hash = state.hasher.hash(password.expose().to_owned()).await?;
    let now = state.clock.now();
    let token_hash = tokens::hash_token(token.as_str());
    state
        .db
        .write(move |conn| {
            let invitation = check(invitations::find_by_hash(conn, &token_hash)?, now)?;
            if invitations::mark_used(conn, &invitation.id, now.naive_utc())? == 0 {
                return Err(InvitationError::Used);
            }
            accounts::set_password_hash(conn, &invitation.account_id, &hash, now.naive_utc())?;
            accounts::mark_email_verified(conn, &invitation.account_id, now.naive_utc())?;
            events::record(
                conn,
                &invitation.account_id,
                EventKind::PasswordSet,
                &client,
                None,
                now,
            )?;
            let account =
                accounts::find(conn, &invitation.account_id)?.ok_or(InvitationError::Invalid)?;
            Ok(account.email)
        })
        .await
}
