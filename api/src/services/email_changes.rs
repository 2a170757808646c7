//! Moving an account to a new sign-in email (OWASP Authentication cheat sheet, "Changing a
//! user's registered email address"; ASVS 5.0 V6.3.7, V7.5.1):
//!
//! 1. The signed-in person asks with their password (and a current code while MFA is active).
//!    The new address gets a single-use confirmation link (30 minutes, the newest only); the
//!    current address gets a notice with a link that cancels the change. Whether the new
//!    address is another account's is not told here: the link is sent either way, and only
//!    confirming can find out (the person at that address already knows).
//! 2. Confirming moves the account (the address counts as verified), ends its other sessions,
//!    and tells the old address again, with a second cancel link (the first keeps working; the
//!    7 days count from the confirmation). Refused if the address has
//!    meanwhile become another account's: of two accounts moving to one address, one wins.
//! 3. Cancelling, within 7 days and even after the change was confirmed, keeps or restores the
//!    old address, ends every session, and sends a password reset link there: whoever asked for
//!    the change knew the password.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::tokens;
use crate::db::models::accounts::{self, Account};
use crate::db::models::email_changes::{self as changes, NewEmailChange};
use crate::db::models::{password_resets, sessions as session_rows};
use crate::db::DbError;
use crate::domain::{AccountId, Email, SessionId};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::events::{self, EventKind};
use crate::services::passwords::{self, PasswordError};
use crate::services::Context;
use crate::services::{describe_user_agent, ClientInfo};

/// How long the confirmation link works.
pub const CONFIRM_TTL_MINUTES: i64 = 30;
/// How long the old address can cancel the change.
pub const CANCEL_DAYS: i64 = 7;
const MAX_TOKEN: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum EmailChangeError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("re-authentication failed: {0}")]
    Reauthentication(#[from] PasswordError),
    #[error("the link is not valid")]
    LinkInvalid,
    #[error("the address is another account's")]
    Taken,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(EmailChangeError);

/// What the requester is told.
#[derive(Debug, Clone)]
pub struct Requested {
    pub new_email: String,
    pub expires_at: DateTime<Utc>,
}

/// What cancelling did.
#[derive(Debug, Clone)]
pub struct Cancelled {
    /// The account's sign-in email now.
    pub email: String,
    pub password_reset_sent: bool,
}

fn details(client: &ClientInfo, now: DateTime<Utc>) -> serde_json::Value {
    json!({
        "ip": client.ip,
        "device": client.user_agent.as_deref().map(|ua| describe_user_agent(Some(ua))),
        "occurred_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
    })
}

fn merge(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    base
}

/// Asks for a move of `account` to `new_email`.
pub async fn request(
    state: &Context,
    account: Account,
    session_id: SessionId,
    new_email: String,
    password: String,
    mfa_code: Option<String>,
    client: ClientInfo,
) -> Result<Requested, EmailChangeError> {
    let email = Email::parse(&new_email, state.settings.corporate_email_only).map_err(|e| {
        EmailChangeError::Invalid(vec![FieldError::new("new_email", e.code(), e.to_string())])
    })?;
    let normalized = email.normalized();
    if normalized == account.email_normalized {
        return Err(EmailChangeError::Invalid(vec![FieldError::new(
            "new_email",
            "email_unchanged",
            "is already your sign-in email",
        )]));
    }
    passwords::reauthenticate(state, &account, password, mfa_code, &client, "email_change").await?;

    let now = state.clock.now();
    let at = now.naive_utc();
    let expires_at = now + chrono::Duration::minutes(CONFIRM_TTL_MINUTES);
    let confirm = tokens::new_token();
    let cancel = tokens::new_token();
    let confirm_link = state.settings.link("/confirm-email-change?token=");
    let cancel_link = state.settings.link("/cancel-email-change?token=");
    let reset_url = state.settings.link("/forgot-password");
    let new_text = email.as_str().to_owned();
    let returned = new_text.clone();
    state
        .db
        .write(move |conn| {
            changes::replace_pending(
                conn,
                &NewEmailChange {
                    id: &uuid::Uuid::now_v7().to_string(),
                    account_id: &account.id,
                    session_id: Some(&session_id),
                    old_email: &account.email,
                    new_email: &new_text,
                    new_email_normalized: &normalized,
                    confirm_token_hash: &tokens::hash_token(&confirm),
                    cancel_token_hash: &tokens::hash_token(&cancel),
                    created_at: at,
                    expires_at: expires_at.naive_utc(),
                    cancel_until: at + chrono::Duration::days(CANCEL_DAYS),
                },
            )?;
            mail::enqueue(
                conn,
                &new_text,
                Template::EmailChangeConfirm,
                &account.locale,
                &merge(
                    details(&client, now),
                    json!({
                        "full_name": account.full_name,
                        "new_email": new_text,
                        "link": format!("{confirm_link}{confirm}"),
                        "expires_minutes": CONFIRM_TTL_MINUTES,
                        "requested_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
                    }),
                ),
                at,
            )?;
            mail::enqueue(
                conn,
                &account.email,
                Template::EmailChangeRequested,
                &account.locale,
                &merge(
                    details(&client, now),
                    json!({
                        "full_name": account.full_name,
                        "new_email": new_text,
                        "cancel_url": format!("{cancel_link}{cancel}"),
                        "cancel_days": CANCEL_DAYS,
                        "reset_url": reset_url,
                    }),
                ),
                at,
            )?;
            events::record(
                conn,
                &account.id,
                EventKind::EmailChangeRequested,
                &client,
                Some(json!({ "new_email": new_text })),
                now,
            )?;
            Ok::<_, EmailChangeError>(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(Requested {
        new_email: returned,
        expires_at,
    })
}

/// Confirms a change with the link sent to the new address; returns the new sign-in email.
pub async fn confirm(
    state: &Context,
    token: String,
    client: ClientInfo,
) -> Result<String, EmailChangeError> {
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Err(EmailChangeError::LinkInvalid);
    }
    let now = state.clock.now();
    let at = now.naive_utc();
    let hash = tokens::hash_token(&token);
    let cancel = tokens::new_token();
    let cancel_link = state.settings.link("/cancel-email-change?token=");
    let reset_url = state.settings.link("/forgot-password");
    let email = state
        .db
        .write(move |conn| {
            let change = changes::find_by_confirm_hash(conn, &hash)?
                .filter(|c| c.confirmed_at.is_none() && c.cancelled_at.is_none())
                .filter(|c| c.expires_at > at)
                .ok_or(EmailChangeError::LinkInvalid)?;
            let cancel_until = at + chrono::Duration::days(CANCEL_DAYS);
            if changes::mark_confirmed(conn, &change.id, &tokens::hash_token(&cancel), cancel_until, at)?
                == 0
            {
                return Err(EmailChangeError::LinkInvalid);
            }
            let account =
                accounts::find(conn, &change.account_id)?.ok_or(EmailChangeError::LinkInvalid)?;
            move_account(
                conn,
                &account.id,
                &change.new_email,
                &change.new_email_normalized,
                at,
            )?;
            // Links sent to the old address no longer apply; other sessions end (ASVS 5.0
            // V7.4.3: the sign-in identifier changed).
            password_resets::retire_all(conn, &account.id)?;
            let ended = session_rows::revoke_all_of_account(
                conn,
                &account.id,
                change.session_id.as_ref(),
                "email_changed",
                at,
            )?;
            events::record(
                conn,
                &account.id,
                EventKind::EmailChanged,
                &client,
                Some(json!({ "old_email": change.old_email, "new_email": change.new_email, "sessions_ended": ended })),
                now,
            )?;
            mail::enqueue(
                conn,
                &change.old_email,
                Template::EmailChanged,
                &account.locale,
                &merge(
                    details(&client, now),
                    json!({
                        "full_name": account.full_name,
                        "new_email": change.new_email,
                        "cancel_url": format!("{cancel_link}{cancel}"),
                        "cancel_days": CANCEL_DAYS,
                        "reset_url": reset_url,
                    }),
                ),
                at,
            )?;
            Ok(change.new_email)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(email)
}

/// Cancels a change with the link sent to the old address.
pub async fn cancel(
    state: &Context,
    token: String,
    client: ClientInfo,
) -> Result<Cancelled, EmailChangeError> {
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Err(EmailChangeError::LinkInvalid);
    }
    let now = state.clock.now();
    let at = now.naive_utc();
    let hash = tokens::hash_token(&token);
    let link_base = state.settings.link("/reset-password?token=");
    let cancelled = state
        .db
        .write(move |conn| {
            let change = changes::find_by_cancel_hash(conn, &hash)?
                .filter(|c| c.cancelled_at.is_none() && c.cancel_until > at)
                .ok_or(EmailChangeError::LinkInvalid)?;
            if changes::mark_cancelled(conn, &change.id, at)? == 0 {
                return Err(EmailChangeError::LinkInvalid);
            }
            let account =
                accounts::find(conn, &change.account_id)?.ok_or(EmailChangeError::LinkInvalid)?;
            if change.confirmed_at.is_some()
                && account.email_normalized != normalize(&change.old_email)
            {
                move_account(
                    conn,
                    &account.id,
                    &change.old_email,
                    &normalize(&change.old_email),
                    at,
                )?;
            }
            let account =
                accounts::find(conn, &change.account_id)?.ok_or(EmailChangeError::LinkInvalid)?;
            crate::services::personal_tokens::revoke_all_in(
                conn,
                &account.id,
                "email_change_cancelled",
                at,
            )?;
            let ended = session_rows::revoke_all_of_account(
                conn,
                &account.id,
                None,
                "email_change_cancelled",
                at,
            )?;
            passwords::issue_link(conn, &account, &link_base, &client, now)?;
            events::record(
                conn,
                &account.id,
                EventKind::EmailChangeCancelled,
                &client,
                Some(json!({ "new_email": change.new_email, "sessions_ended": ended })),
                now,
            )?;
            Ok(Cancelled {
                email: account.email,
                password_reset_sent: true,
            })
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(cancelled)
}

/// Moves the account to `email`; [`EmailChangeError::Taken`] when it is another account's.
fn move_account(
    conn: &mut crate::db::DbConnection,
    account_id: &AccountId,
    email: &str,
    normalized: &str,
    at: chrono::NaiveDateTime,
) -> Result<(), EmailChangeError> {
    changes::move_account(conn, account_id, email, normalized, at)
        .map(|_| ())
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                EmailChangeError::Taken
            } else {
                e.into()
            }
        })
}

/// The normalized form of an address that was valid when it was stored.
fn normalize(email: &str) -> String {
    Email::parse(email, false)
        .map(|e| e.normalized())
        .unwrap_or_else(|_| email.trim().to_lowercase())
}
