//! Email verification: confirming a link, and asking for a new one.
//!
//! Links are single-use, stored hashed and expire after 24 hours. Asking for a new link answers
//! the same whether or not the address is registered (ASVS 5.0 V6.3.8) and is throttled per
//! address and per client.

use serde_json::json;

use crate::auth::tokens;
use crate::db::models::{accounts, verifications};
use crate::db::{
    Committed::{self, Done, Refused},
    DbError,
};
use crate::domain::{Email, OpaqueToken};
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::events::{self, EventKind};
use crate::services::signup::issue_verification;
use crate::services::Context;
use crate::services::{email_key, throttle, ClientInfo};

#[derive(Debug, thiserror::Error)]
pub enum VerificationError {
    #[error("unknown verification token")]
    InvalidToken,
    #[error("verification token expired")]
    Expired,
    #[error("verification token already used")]
    Used,
    #[error("email already verified")]
    AlreadyVerified,
    #[error("too many requests")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(VerificationError);

/// Confirms the address the token was sent to; returns it.
pub async fn confirm(
    state: &Context,
    token: OpaqueToken,
    client: ClientInfo,
) -> Result<String, VerificationError> {
    let limits = state.settings.throttles;
    let now = state.clock.now();
    let hash = tokens::hash_token(token.as_str());
    state
        .db
        .write_or_refuse(
            move |conn| -> Result<Committed<String, VerificationError>, VerificationError> {
                let ip_key = client.ip.as_ref().map(|ip| format!("verify:ip:{ip}"));
                if let Some(key) = &ip_key {
                    if let Some(wait) = throttle::blocked(conn, key, now)? {
                        return Err(VerificationError::Throttled(wait));
                    }
                }
                let Some(record) = verifications::find_by_hash(conn, &hash)? else {
                    if let Some(key) = &ip_key {
                        throttle::hit(conn, key, limits.bad_tokens_per_client, now)?;
                    }
                    return Ok(Refused(VerificationError::InvalidToken));
                };
                let account = accounts::find(conn, &record.account_id)?
                    .ok_or(VerificationError::InvalidToken)?;
                if record.used_at.is_some() {
                    return Ok(Refused(if account.email_verified_at.is_some() {
                        VerificationError::AlreadyVerified
                    } else {
                        VerificationError::Used
                    }));
                }
                if record.expires_at <= now.naive_utc() {
                    return Ok(Refused(VerificationError::Expired));
                }
                if verifications::mark_used(conn, &record.id, now.naive_utc())? == 0 {
                    return Ok(Refused(VerificationError::AlreadyVerified));
                }
                accounts::mark_email_verified(conn, &account.id, now.naive_utc())?;
                events::record(
                    conn,
                    &account.id,
                    EventKind::EmailVerified,
                    &client,
                    None,
                    now,
                )?;
                Ok(Done(account.email))
            },
        )
        .await
}

/// Sends a new link to an unverified address (or a reminder to sign in to a verified one).
/// Answers the same for unknown addresses.
pub async fn resend(
    state: &Context,
    email: String,
    client: ClientInfo,
) -> Result<(), VerificationError> {
    let limits = state.settings.throttles;
    let Ok(email) = Email::parse(&email, false) else {
        // Not an address at all: nothing to send, same answer.
        return Ok(());
    };
    let now = state.clock.now();
    let normalized = email.normalized();
    let link_base = state.settings.link("/verify-email?token=");
    let sign_in_url = state.settings.link("/sign-in");
    state
        .db
        .write(move |conn| {
            let key = email_key(&normalized);
            for (k, limit) in [
                (format!("resend:{key}"), limits.resend_interval),
                (format!("resend-hour:{key}"), limits.resend_per_hour),
            ] {
                if let Some(wait) = throttle::take(conn, &k, limit, now)? {
                    return Err(VerificationError::Throttled(wait));
                }
            }
            if let Some(ip) = &client.ip {
                if let Some(wait) = throttle::take(
                    conn,
                    &format!("email:ip:{ip}"),
                    limits.email_requests_per_client,
                    now,
                )? {
                    return Err(VerificationError::Throttled(wait));
                }
            }
            let Some(account) = accounts::find_by_email(conn, &normalized)? else {
                return Ok(());
            };
            if account.email_verified_at.is_some() {
                mail::enqueue(
                    conn,
                    &account.email,
                    Template::AlreadyVerified,
                    &account.locale,
                    &json!({ "full_name": account.full_name, "sign_in_url": sign_in_url }),
                    now.naive_utc(),
                )?;
            } else if account.password_hash.is_some() {
                verifications::retire_all(conn, &account.id, now.naive_utc())?;
                issue_verification(
                    conn,
                    &account.id,
                    &account.email,
                    &account.full_name,
                    &account.locale,
                    &link_base,
                    now,
                )?;
            }
            Ok(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}
