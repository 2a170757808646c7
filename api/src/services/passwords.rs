//! Passwords after sign-up: the forgotten-password reset and the change from the account page.
//!
//! - **Reset.** Anyone may ask for a link for an address; the answer is the same, in about the
//!   same time, whether or not the address has an account (OWASP Forgot Password cheat sheet;
//!   ASVS 5.0 V6.3.8). A registered, verified address gets a single-use link: a 256-bit random
//!   token, stored hashed, valid 30 minutes, only the newest one works (OWASP Forgot Password
//!   cheat sheet, "URL tokens"). An unknown or unverified address gets nothing (an email to an
//!   address with no account would tell its owner nothing useful, and could be used to send
//!   mail to anyone). Confirming sets the new password under the full policy,
//!   ends every session and refresh family (ASVS 5.0 V7.4.3), keeps MFA and the trusted devices
//!   as they were (the next sign-in still asks for the TOTP code and, on an untrusted device,
//!   the emailed code: a reset is not a way around a factor, ASVS 5.0 V6.4.3), lifts the
//!   sign-in lock of the address (the reset works while locked), and emails a notice.
//! - **Change.** The current and the new password (ASVS 5.0 V6.2.3; a wrong current one counts
//!   against the address like a failed sign-in, V6.3.1), plus a current TOTP or recovery code
//!   when MFA is active (V7.5.1); every other session ends (V7.4.3), the current one stays, and
//!   a notice is emailed (V6.3.7).

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::captcha::CaptchaError;
use crate::auth::password::HashError;
use crate::auth::tokens;
use crate::db::models::accounts::{self, Account};
use crate::db::models::password_resets::{self, NewPasswordReset, PasswordReset};
use crate::db::models::{mfa as mfa_rows, sessions as session_rows};
use crate::db::{
    Committed::{self, Done, Refused},
    DbConnection, DbError,
};
use crate::domain::{Email, Password, SessionId};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::events::{self, EventKind};
use crate::services::mfa::{self as mfa_service, CodeCheck};
use crate::services::notices::{self, Notice};
use crate::services::signin::spend_captcha;
use crate::services::throttle;
use crate::services::Context;
use crate::services::{describe_user_agent, email_key, ClientInfo};

/// How long a reset link works.
pub const RESET_TTL_MINUTES: i64 = 30;
/// The longest token or code looked at; anything longer is simply wrong.
const MAX_TOKEN: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("captcha: {0}")]
    Captcha(CaptchaError),
    #[error("too many attempts")]
    Throttled(u64),
    #[error("the reset link is not valid")]
    LinkInvalid,
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("a current code is required")]
    CodeRequired,
    #[error("wrong code")]
    WrongCode,
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Checking the second factor failed (not a wrong code: those are [`Self::WrongCode`]).
    #[error(transparent)]
    Mfa(#[from] mfa_service::MfaError),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(PasswordError);

fn signin_key(normalized_email: &str) -> String {
    format!("signin:{}", email_key(normalized_email))
}

/// Asks for a reset link for `email`. Answers `Ok` whether or not the address has an account.
pub async fn request_reset(
    state: &Context,
    email: String,
    captcha: Option<String>,
    client: ClientInfo,
) -> Result<(), PasswordError> {
    let limits = state.settings.throttles;
    let now = state.clock.now();
    let normalized = Email::parse(&email, false)
        .map_err(|e| {
            PasswordError::Invalid(vec![FieldError::new("email", e.code(), e.to_string())])
        })?
        .normalized();

    // The captcha is asked exactly when a sign-in for this address would ask for it.
    let failures = {
        let key = signin_key(&normalized);
        state
            .db
            .read(move |conn| {
                throttle::hits(conn, &key, now, limits.sign_in_per_account)
                    .map_err(PasswordError::from)
            })
            .await?
    };
    if failures >= limits.captcha_after_failures {
        spend_captcha(state, captcha.as_deref(), &client, now)
            .await?
            .map_err(PasswordError::Captcha)?;
    }

    let link_base = state.settings.link("/reset-password?token=");
    let address_key = format!("reset:{}", email_key(&normalized));
    let client_key = client.ip.as_ref().map(|ip| format!("reset:ip:{ip}"));
    // One unit of work of the same shape for every address, so that the answer takes about
    // the same time whether or not there is an account.
    state
        .db
        .write(move |conn| {
            for (key, limit) in client_key
                .iter()
                .map(|k| (k, limits.resets_per_client))
                .chain(std::iter::once((&address_key, limits.resets_per_address)))
            {
                if let Some(wait) = throttle::take(conn, key, limit, now)? {
                    return Err(PasswordError::Throttled(wait));
                }
            }
            let account = accounts::find_by_email(conn, &normalized)?
                .filter(|a| a.email_verified_at.is_some() && a.closed_at.is_none());
            if let Some(account) = account {
                issue_link(conn, &account, &link_base, &client, now)?;
            }
            Ok(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Stores a new link for `account` (replacing any earlier one) and queues its email.
pub(crate) fn issue_link(
    conn: &mut DbConnection,
    account: &Account,
    link_base: &str,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let token = tokens::new_token();
    let at = now.naive_utc();
    let user_agent = client.user_agent();
    password_resets::replace(
        conn,
        &NewPasswordReset {
            id: &uuid::Uuid::now_v7().to_string(),
            account_id: &account.id,
            token_hash: &tokens::hash_token(&token),
            created_at: at,
            expires_at: at + chrono::Duration::minutes(RESET_TTL_MINUTES),
            client_ip: client.ip.as_deref(),
            user_agent: user_agent.as_deref(),
        },
    )?;
    mail::enqueue(
        conn,
        &account.email,
        Template::PasswordReset,
        &account.locale,
        &json!({
            "full_name": account.full_name,
            "link": format!("{link_base}{token}"),
            "expires_minutes": RESET_TTL_MINUTES,
            "ip": client.ip,
            "device": client.user_agent.as_deref().map(|ua| describe_user_agent(Some(ua))),
            "requested_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
        }),
        at,
    )?;
    events::record(
        conn,
        &account.id,
        EventKind::PasswordResetRequested,
        client,
        None,
        now,
    )?;
    Ok(())
}

/// A link that can still be spent.
fn usable(reset: Option<PasswordReset>, now: DateTime<Utc>) -> Option<PasswordReset> {
    reset.filter(|r| r.used_at.is_none() && r.expires_at > now.naive_utc())
}

/// Sets a new password with a reset link.
pub async fn confirm_reset(
    state: &Context,
    token: String,
    password: String,
    client: ClientInfo,
) -> Result<(), PasswordError> {
    let limits = state.settings.throttles;
    let now = state.clock.now();
    let bad_key = client.ip.as_ref().map(|ip| format!("reset:bad:ip:{ip}"));
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Err(PasswordError::LinkInvalid);
    }
    let token_hash = tokens::hash_token(&token);
    let account = {
        let (token_hash, bad_key) = (token_hash.clone(), bad_key.clone());
        state
            .db
            .write_or_refuse(
                move |conn| -> Result<Committed<Account, PasswordError>, PasswordError> {
                    if let Some(key) = &bad_key {
                        if let Some(wait) = throttle::blocked(conn, key, now)? {
                            return Ok(Refused(PasswordError::Throttled(wait)));
                        }
                    }
                    let account =
                        match usable(password_resets::find_by_hash(conn, &token_hash)?, now) {
                            Some(reset) => accounts::find(conn, &reset.account_id)?,
                            None => None,
                        };
                    match account {
                        Some(account) => Ok(Done(account)),
                        None => {
                            // Guessing links is throttled per client (ASVS 5.0 V6.3.1).
                            if let Some(key) = &bad_key {
                                throttle::hit(conn, key, limits.bad_tokens_per_client, now)?;
                            }
                            Ok(Refused(PasswordError::LinkInvalid))
                        }
                    }
                },
            )
            .await?
    };
    let personal = [account.email.as_str(), account.full_name.as_str()];
    let password = Password::parse(&state.settings.password_policy, &password, &personal).map_err(
        |rules| {
            PasswordError::Invalid(
                rules
                    .into_iter()
                    .map(|r| FieldError::new("password", r.code(), r.message()))
                    .collect(),
            )
        },
    )?;
    let hash = state.hasher.hash(password.expose().to_owned()).await?;
    let public_url = state.settings.issuer();
    state
        .db
        .write(move |conn| {
            // Checked again under the write lock: of two confirmations at once, one wins.
            let reset = usable(password_resets::find_by_hash(conn, &token_hash)?, now)
                .ok_or(PasswordError::LinkInvalid)?;
            if password_resets::mark_used(conn, &reset.id, now.naive_utc())? == 0 {
                return Err(PasswordError::LinkInvalid);
            }
            let account =
                accounts::find(conn, &reset.account_id)?.ok_or(PasswordError::LinkInvalid)?;
            accounts::set_password_hash(conn, &account.id, &hash, now.naive_utc())?;
            password_resets::retire_all(conn, &account.id)?;
            // Whoever needed the reset may not be the only one holding the account's tokens.
            crate::services::personal_tokens::revoke_all_in(
                conn,
                &account.id,
                "password_reset",
                now.naive_utc(),
            )?;
            let ended = session_rows::revoke_all_of_account(
                conn,
                &account.id,
                None,
                "password_reset",
                now.naive_utc(),
            )?;
            throttle::clear(conn, &signin_key(&account.email_normalized))?;
            events::record(
                conn,
                &account.id,
                EventKind::PasswordReset,
                &client,
                Some(json!({ "sessions_ended": ended })),
                now,
            )?;
            notices::send(
                conn,
                &account,
                Notice::PasswordChanged {
                    via_reset: true,
                    sessions_ended: ended > 0,
                },
                &client,
                &public_url,
                now,
            )?;
            Ok(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Checks the account's password, and a current TOTP or recovery code while MFA is active,
/// before a sensitive change (ASVS 5.0 V7.5.1). A wrong password counts against the address
/// like a failed sign-in; a wrong code against the account's code budget. `Ok` means both
/// passed; the failures are committed either way.
pub async fn reauthenticate(
    state: &Context,
    account: &Account,
    password: String,
    mfa_code: Option<String>,
    client: &ClientInfo,
    purpose: &'static str,
) -> Result<(), PasswordError> {
    let limits = state.settings.throttles;
    let now = state.clock.now();
    let key = signin_key(&account.email_normalized);
    let mfa_active = {
        let (key, id) = (key.clone(), account.id.clone());
        state
            .db
            .read(move |conn| {
                if let Some(wait) = throttle::blocked(conn, &key, now)? {
                    return Err(PasswordError::Throttled(wait));
                }
                Ok(mfa_rows::is_active(conn, &id)?)
            })
            .await?
    };
    let mfa_code = mfa_code.filter(|c| !c.trim().is_empty());
    if mfa_active && mfa_code.is_none() {
        return Err(PasswordError::CodeRequired);
    }
    if password.len() > 4 * state.settings.password_policy.max_length {
        return Err(PasswordError::WrongPassword);
    }
    let verified = state
        .hasher
        .verify(account.password_hash.clone(), password)
        .await?;
    let cipher = state.totp_cipher.clone();
    let public_url = state.settings.issuer();
    let (id, client) = (account.id.clone(), client.clone());
    let matches = verified.matches;
    state
        .db
        .write_or_refuse(
            move |conn| -> Result<Committed<(), PasswordError>, PasswordError> {
                if !matches {
                    throttle::hit(conn, &key, limits.sign_in_per_account, now)?;
                    events::record(
                        conn,
                        &id,
                        EventKind::SignInFailed,
                        &client,
                        Some(json!({ "purpose": purpose })),
                        now,
                    )?;
                    return Ok(Refused(PasswordError::WrongPassword));
                }
                if let Some(row) = mfa_rows::find(conn, &id)?.filter(|t| t.is_active()) {
                    let code = mfa_code.as_deref().unwrap_or("");
                    match mfa_service::check_code(
                        conn,
                        &cipher,
                        &row,
                        code,
                        &client,
                        now,
                        purpose,
                        &public_url,
                        &limits,
                    )? {
                        CodeCheck::Accepted(_) => {}
                        CodeCheck::Blocked(wait) => {
                            return Ok(Refused(PasswordError::Throttled(wait)))
                        }
                        CodeCheck::Rejected => return Ok(Refused(PasswordError::WrongCode)),
                    }
                }
                throttle::clear(conn, &key)?;
                Ok(Done(()))
            },
        )
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Changes the password of the signed-in `account` from `session_id`, which stays signed in.
pub async fn change(
    state: &Context,
    account: Account,
    session_id: SessionId,
    current_password: String,
    new_password: String,
    mfa_code: Option<String>,
    client: ClientInfo,
) -> Result<(), PasswordError> {
    let now = state.clock.now();
    let key = signin_key(&account.email_normalized);
    let mfa_active = {
        let (key, id) = (key.clone(), account.id.clone());
        state
            .db
            .read(move |conn| {
                if let Some(wait) = throttle::blocked(conn, &key, now)? {
                    return Err(PasswordError::Throttled(wait));
                }
                Ok(mfa_rows::is_active(conn, &id)?)
            })
            .await?
    };
    let mfa_code = mfa_code.filter(|c| !c.trim().is_empty());
    let personal = [account.email.as_str(), account.full_name.as_str()];
    let mut errors = Vec::new();
    if mfa_active && mfa_code.is_none() {
        errors.push(FieldError::new(
            "mfa_code",
            "mfa_code_required",
            "enter a code from your authenticator app, or a recovery code",
        ));
    }
    let new_password =
        match Password::parse(&state.settings.password_policy, &new_password, &personal) {
            Ok(p) => Some(p),
            Err(rules) => {
                errors.extend(
                    rules
                        .into_iter()
                        .map(|r| FieldError::new("new_password", r.code(), r.message())),
                );
                None
            }
        };
    let Some(new_password) = new_password.filter(|_| errors.is_empty()) else {
        return Err(PasswordError::Invalid(errors));
    };
    reauthenticate(
        state,
        &account,
        current_password,
        mfa_code,
        &client,
        "password_change",
    )
    .await?;
    let hash = state.hasher.hash(new_password.expose().to_owned()).await?;
    let public_url = state.settings.issuer();
    let now = state.clock.now();
    state
        .db
        .write(move |conn| -> Result<(), PasswordError> {
            accounts::set_password_hash(conn, &account.id, &hash, now.naive_utc())?;
            password_resets::retire_all(conn, &account.id)?;
            let ended = session_rows::revoke_all_of_account(
                conn,
                &account.id,
                Some(&session_id),
                "password_changed",
                now.naive_utc(),
            )?;
            throttle::clear(conn, &key)?;
            events::record(
                conn,
                &account.id,
                EventKind::PasswordChanged,
                &client,
                Some(json!({ "sessions_ended": ended })),
                now,
            )?;
            notices::send(
                conn,
                &account,
                Notice::PasswordChanged {
                    via_reset: false,
                    sessions_ended: ended > 0,
                },
                &client,
                &public_url,
                now,
            )?;
            Ok(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}
