//! The second factor: enrolling a TOTP authenticator, proving it with a first code, the
//! recovery codes that come with it, switching it off, staff resets, and the code check that
//! sign-in and these changes share.
//!
//! - Changing MFA needs the current password (and, while MFA is active, a current code):
//!   re-authentication before changing authentication factors (ASVS 5.0 V7.5.1). Wrong password
//!   and wrong code get one answer, so a stolen session cannot test either on its own.
//! - An enrollment stores a pending secret; it only replaces the active one when a code from it
//!   is entered, so a reset that is not finished leaves the old authenticator working. Five wrong
//!   codes discard the pending secret (the enrollment starts again with the password).
//! - Codes are checked with ±1 step and never accepted twice (the last used step is stored, and
//!   updated only forward, in the same transaction) (ASVS 5.0 V6.5.1, V6.5.5; NIST SP 800-63B-4
//!   §3.1.4.2). Failed codes are throttled per account, across sign-ins, well under the 100
//!   consecutive failures NIST allows (NIST SP 800-63B-4 §3.2.2; ASVS 5.0 V6.3.1).
//! - Recovery codes: ten per activation, each 120 bits from the OS generator, single use, stored
//!   as SHA-256 (ASVS 5.0 V6.5.2: a plain hash is allowed from 112 bits of entropy; V6.5.3
//!   CSPRNG; NIST SP 800-63B-4 §3.1.2 look-up secrets). Shown once.
//! - Every change is a security event; activation also emails the person.

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::json;

use crate::auth::password::HashError;
use crate::auth::tokens;
use crate::auth::totp::{self, Provisioning, SecretCipher, TotpError, TotpSecret};
use crate::config::Throttles;
use crate::db::models::accounts as account_rows;
use crate::db::models::mfa::{self, Totp};
use crate::db::models::sessions as session_rows;
use crate::db::{
    Committed::{self, Done, Refused},
    DbConnection, DbError,
};
use crate::domain::{AccountId, SessionId};
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::accounts::{self, AccountError};
use crate::services::events::{self, EventKind};
use crate::services::notices::{self, Notice};
use crate::services::throttle;
use crate::services::ClientInfo;
use crate::services::Context;

/// Recovery codes issued at each activation.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Characters in a recovery code (RFC 4648 base32, 5 bits each: 120 bits).
pub const RECOVERY_CODE_CHARS: usize = 24;
/// Wrong codes against a pending secret before the enrollment must start again.
pub const ACTIVATION_MAX_ATTEMPTS: i32 = 5;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    #[error("session ended")]
    SessionEnded,
    #[error("no such account")]
    AccountNotFound,
    #[error("wrong password or code")]
    ReauthenticationFailed,
    #[error("a current code is required")]
    CodeRequired,
    #[error("no enrollment to activate")]
    NotEnrolled,
    #[error("MFA is not active")]
    NotActive,
    #[error("wrong code")]
    WrongCode { attempts_left: i32 },
    #[error("no attempts left")]
    AttemptsExhausted,
    #[error("too many attempts")]
    Throttled(u64),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Totp(#[from] TotpError),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(MfaError);

impl From<AccountError> for MfaError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::SessionEnded => Self::SessionEnded,
            AccountError::Database(db) => Self::Database(db),
        }
    }
}

/// A freshly activated authenticator: the recovery codes, shown this once. Never printed.
pub struct Activated {
    pub recovery_codes: Vec<String>,
    pub activated_at: DateTime<Utc>,
}

impl std::fmt::Debug for Activated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Activated")
            .field(
                "recovery_codes",
                &format_args!("[{} codes]", self.recovery_codes.len()),
            )
            .field("activated_at", &self.activated_at)
            .finish()
    }
}

/// Which factor a code proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    RecoveryCode,
}

/// The outcome of checking a second-factor code inside a unit of work.
#[derive(Debug)]
pub enum CodeCheck {
    Accepted(Factor),
    /// Wrong, replayed or spent; the failure is already counted.
    Rejected,
    /// Too many wrong codes lately: wait this many seconds.
    Blocked(u64),
}

fn reauth_key(account_id: &AccountId) -> String {
    format!("mfa:reauth:{account_id}")
}

fn codes_key(account_id: &AccountId) -> String {
    format!("mfa:codes:{account_id}")
}

/// Seconds to wait when the account's second-factor codes are blocked.
pub fn codes_blocked(
    conn: &mut DbConnection,
    account_id: &AccountId,
    now: DateTime<Utc>,
) -> crate::db::QueryResult<Option<u64>> {
    throttle::blocked(conn, &codes_key(account_id), now)
}

/// Checks a TOTP code (six digits) or a recovery code against the account's active
/// authenticator, spending it on success (the TOTP step, or the recovery code) and recording the
/// event; a failure counts towards `limits.mfa_codes_per_account`. A recovery code spent is told to the
/// person by email with how many are left. The caller commits either way.
#[allow(clippy::too_many_arguments)]
pub fn check_code(
    conn: &mut DbConnection,
    cipher: &SecretCipher,
    totp_row: &Totp,
    code: &str,
    client: &ClientInfo,
    now: DateTime<Utc>,
    purpose: &str,
    public_url: &str,
    limits: &Throttles,
) -> Result<CodeCheck, MfaError> {
    let account_id = &totp_row.account_id;
    let key = codes_key(account_id);
    if let Some(wait) = throttle::blocked(conn, &key, now)? {
        return Ok(CodeCheck::Blocked(wait));
    }
    let at = now.naive_utc();
    let factor = if !totp_row.is_active() {
        None
    } else if let Some(digits) = totp::normalize_code(code) {
        let secret = cipher.open(account_id.as_str(), &totp_row.secret_ciphertext)?;
        match totp::verify(&secret, &digits, now, totp_row.last_used_step) {
            // Only forward: a concurrent request that used this step first wins.
            Some(step) if mfa::use_step(conn, account_id, step, at)? == 1 => Some(Factor::Totp),
            _ => None,
        }
    } else if let Some(normalized) = normalize_recovery_code(code) {
        let hash = hash_recovery_code(&normalized);
        (mfa::use_recovery_code(conn, account_id, &hash, at)? == 1).then_some(Factor::RecoveryCode)
    } else {
        None
    };
    match factor {
        Some(Factor::Totp) => {
            throttle::clear(conn, &key)?;
            events::record(
                conn,
                account_id,
                EventKind::MfaUsed,
                client,
                Some(json!({ "method": "totp", "purpose": purpose })),
                now,
            )?;
            Ok(CodeCheck::Accepted(Factor::Totp))
        }
        Some(Factor::RecoveryCode) => {
            throttle::clear(conn, &key)?;
            let remaining = mfa::unused_recovery_codes(conn, account_id)?;
            events::record(
                conn,
                account_id,
                EventKind::RecoveryCodeUsed,
                client,
                Some(json!({ "purpose": purpose, "remaining": remaining })),
                now,
            )?;
            if let Some(account) = account_rows::find(conn, account_id)? {
                notices::send(
                    conn,
                    &account,
                    Notice::RecoveryCodeUsed { remaining },
                    client,
                    public_url,
                    now,
                )?;
            }
            Ok(CodeCheck::Accepted(Factor::RecoveryCode))
        }
        None => {
            throttle::hit(conn, &key, limits.mfa_codes_per_account, now)?;
            Ok(CodeCheck::Rejected)
        }
    }
}

/// Starts an enrollment: checks the password (and a current code when MFA is already active),
/// stores a new pending secret, and returns what the authenticator app needs.
pub async fn start_totp(
    state: &Context,
    account_id: AccountId,
    session_id: SessionId,
    password: String,
    code: Option<String>,
    client: ClientInfo,
) -> Result<Provisioning, MfaError> {
    let limits = state.settings.throttles;
    let now = state.clock.now();
    let account = accounts::current(state, account_id, session_id).await?;
    let active = {
        let id = account.id.clone();
        state
            .db
            .read(move |conn| {
                if let Some(wait) = throttle::blocked(conn, &reauth_key(&id), now)? {
                    return Err(MfaError::Throttled(wait));
                }
                Ok(mfa::is_active(conn, &id)?)
            })
            .await?
    };
    let code = code.filter(|c| !c.trim().is_empty());
    if active && code.is_none() {
        return Err(MfaError::CodeRequired);
    }
    let verified = state
        .hasher
        .verify(account.password_hash.clone(), password)
        .await?;

    let secret = TotpSecret::generate();
    let sealed = state.totp_cipher.seal(account.id.as_str(), &secret)?;
    let cipher = state.totp_cipher.clone();
    let id = account.id.clone();
    let public_url = state.settings.issuer();
    state
        .db
        .write_or_refuse(move |conn| -> Result<Committed<(), MfaError>, MfaError> {
            if let Refused(refusal) = reauthenticate(
                conn,
                &cipher,
                &id,
                verified.matches,
                code.as_deref(),
                &client,
                now,
                "mfa_reset",
                &public_url,
                &limits,
            )? {
                return Ok(Refused(refusal));
            }
            mfa::store_pending(conn, &id, &sealed, now.naive_utc())?;
            Ok(Done(()))
        })
        .await?;
    Ok(totp::provisioning(
        &secret,
        &state.settings.portal_name,
        &account.email,
    )?)
}

/// The password was checked (`password_ok`); when MFA is active, `code` must be a current code
/// too. Counts failures; [`Refused`] means stop (and commit the count).
#[allow(clippy::too_many_arguments)]
fn reauthenticate(
    conn: &mut DbConnection,
    cipher: &SecretCipher,
    account_id: &AccountId,
    password_ok: bool,
    code: Option<&str>,
    client: &ClientInfo,
    now: DateTime<Utc>,
    purpose: &str,
    public_url: &str,
    limits: &Throttles,
) -> Result<Committed<(), MfaError>, MfaError> {
    let key = reauth_key(account_id);
    if !password_ok {
        throttle::hit(conn, &key, limits.reauth_per_account, now)?;
        return Ok(Refused(MfaError::ReauthenticationFailed));
    }
    if let Some(row) = mfa::find(conn, account_id)?.filter(Totp::is_active) {
        match check_code(
            conn,
            cipher,
            &row,
            code.unwrap_or(""),
            client,
            now,
            purpose,
            public_url,
            limits,
        )? {
            CodeCheck::Accepted(_) => {}
            CodeCheck::Blocked(wait) => return Ok(Refused(MfaError::Throttled(wait))),
            CodeCheck::Rejected => {
                throttle::hit(conn, &key, limits.reauth_per_account, now)?;
                return Ok(Refused(MfaError::ReauthenticationFailed));
            }
        }
    }
    throttle::clear(conn, &key)?;
    Ok(Done(()))
}

/// Proves the pending secret with a code: it becomes the active one, previous recovery codes
/// are replaced by ten new ones (returned once), and the person is told by email.
pub async fn activate_totp(
    state: &Context,
    account_id: AccountId,
    session_id: SessionId,
    code: String,
    client: ClientInfo,
) -> Result<Activated, MfaError> {
    let now = state.clock.now();
    let account = accounts::current(state, account_id, session_id).await?;
    let recovery_codes = new_recovery_codes();
    let hashes: Vec<String> = recovery_codes
        .iter()
        .filter_map(|c| normalize_recovery_code(c))
        .map(|c| hash_recovery_code(&c))
        .collect();
    let cipher = state.totp_cipher.clone();
    state
        .db
        .write_or_refuse(move |conn| -> Result<Committed<(), MfaError>, MfaError> {
            let at = now.naive_utc();
            let Some(row) = mfa::find(conn, &account.id)? else {
                return Ok(Refused(MfaError::NotEnrolled));
            };
            let Some(pending) = row.pending_ciphertext().map(str::to_owned) else {
                return Ok(Refused(MfaError::NotEnrolled));
            };
            let secret = cipher.open(account.id.as_str(), &pending)?;
            // A new secret has no used step yet.
            let Some(step) = totp::verify(&secret, &code, now, 0) else {
                let failures = mfa::count_failed_attempt(conn, &account.id, at)?;
                let left = ACTIVATION_MAX_ATTEMPTS - failures;
                if left <= 0 {
                    mfa::discard_pending(conn, &account.id, at)?;
                    return Ok(Refused(MfaError::AttemptsExhausted));
                }
                return Ok(Refused(MfaError::WrongCode {
                    attempts_left: left,
                }));
            };
            if mfa::activate(conn, &account.id, &pending, step, at)? == 0 {
                return Ok(Refused(MfaError::NotEnrolled));
            }
            mfa::replace_recovery_codes(conn, &account.id, &hashes, at)?;
            events::record(
                conn,
                &account.id,
                EventKind::MfaActivated,
                &client,
                Some(json!({ "method": "totp", "replaced": row.is_active() })),
                now,
            )?;
            mail::enqueue(
                conn,
                &account.email,
                Template::MfaEnabled,
                &account.locale,
                &json!({
                    "full_name": account.full_name,
                    "occurred_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
                }),
                at,
            )?;
            Ok(Done(()))
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(Activated {
        recovery_codes,
        activated_at: now,
    })
}

/// Switches MFA off with the password and a current code (or a recovery code). The onboarding
/// gate then asks for it again: MFA is mandatory, this is how a person starts over.
pub async fn disable_totp(
    state: &Context,
    account_id: AccountId,
    session_id: SessionId,
    password: String,
    code: String,
    client: ClientInfo,
) -> Result<(), MfaError> {
    let limits = state.settings.throttles;
    let now = state.clock.now();
    let account = accounts::current(state, account_id, session_id.clone()).await?;
    {
        let id = account.id.clone();
        state
            .db
            .read(move |conn| {
                if let Some(wait) = throttle::blocked(conn, &reauth_key(&id), now)? {
                    return Err(MfaError::Throttled(wait));
                }
                if !mfa::is_active(conn, &id)? {
                    return Err(MfaError::NotActive);
                }
                Ok(())
            })
            .await?;
    }
    let verified = state
        .hasher
        .verify(account.password_hash.clone(), password)
        .await?;
    let cipher = state.totp_cipher.clone();
    let public_url = state.settings.issuer();
    state
        .db
        .write_or_refuse(move |conn| -> Result<Committed<(), MfaError>, MfaError> {
            if !mfa::is_active(conn, &account.id)? {
                return Ok(Refused(MfaError::NotActive));
            }
            if let Refused(refusal) = reauthenticate(
                conn,
                &cipher,
                &account.id,
                verified.matches,
                Some(&code),
                &client,
                now,
                "mfa_disable",
                &public_url,
                &limits,
            )? {
                return Ok(Refused(refusal));
            }
            mfa::remove_all(conn, &account.id)?;
            crate::services::personal_tokens::revoke_all_in(
                conn,
                &account.id,
                "mfa_disabled",
                now.naive_utc(),
            )?;
            // A factor changed: every other session ends (ASVS 5.0 V7.4.3).
            let ended = session_rows::revoke_all_of_account(
                conn,
                &account.id,
                Some(&session_id),
                "mfa_disabled",
                now.naive_utc(),
            )?;
            events::record(
                conn,
                &account.id,
                EventKind::MfaDisabled,
                &client,
                Some(json!({ "sessions_ended": ended })),
                now,
            )?;
            notices::send(
                conn,
                &account,
                Notice::MfaDisabled,
                &client,
                &public_url,
                now,
            )?;
            Ok(Done(()))
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Staff reset for a person locked out of their authenticator: removes the TOTP authenticator
/// (active or pending) and the recovery codes, and records who did it. The person then enrolls
/// again at their next sign-in, as the onboarding gate asks. Idempotent: an account without MFA
/// is left as it is (and nothing is recorded). The caller must have checked that `actor_id` is
/// staff and that the person's identity was confirmed (ASVS 5.0 V6.4.4).
pub async fn staff_reset(
    state: &Context,
    account_id: AccountId,
    actor_id: AccountId,
    client: ClientInfo,
) -> Result<(), MfaError> {
    let now = state.clock.now();
    let public_url = state.settings.issuer();
    state
        .db
        .write(move |conn| {
            let Some(account) = account_rows::find(conn, &account_id)? else {
                return Err(MfaError::AccountNotFound);
            };
            if mfa::remove_all(conn, &account_id)? == 0 {
                // Nothing to reset: the outcome asked for already holds.
                return Ok(());
            }
            crate::services::personal_tokens::revoke_all_in(
                conn,
                &account_id,
                "mfa_reset",
                now.naive_utc(),
            )?;
            // A factor changed: every session of the account ends (ASVS 5.0 V7.4.3).
            let ended = session_rows::revoke_all_of_account(
                conn,
                &account_id,
                None,
                "mfa_reset",
                now.naive_utc(),
            )?;
            events::record(
                conn,
                &account_id,
                EventKind::MfaReset,
                &client,
                Some(json!({ "actor_id": actor_id, "sessions_ended": ended })),
                now,
            )?;
            notices::send(conn, &account, Notice::MfaReset, &client, &public_url, now)?;
            Ok(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Replaces the account's recovery codes with ten new ones, returned once (the caller has
/// re-authenticated the person with the password and a current code). The old codes stop
/// working at once.
pub async fn regenerate_recovery_codes(
    state: &Context,
    account_id: AccountId,
    client: ClientInfo,
) -> Result<Vec<String>, MfaError> {
    let now = state.clock.now();
    let recovery_codes = new_recovery_codes();
    let hashes: Vec<String> = recovery_codes
        .iter()
        .filter_map(|c| normalize_recovery_code(c))
        .map(|c| hash_recovery_code(&c))
        .collect();
    state
        .db
        .write(move |conn| {
            if !mfa::is_active(conn, &account_id)? {
                return Err(MfaError::NotActive);
            }
            mfa::replace_recovery_codes(conn, &account_id, &hashes, now.naive_utc())?;
            events::record(
                conn,
                &account_id,
                EventKind::RecoveryCodesRegenerated,
                &client,
                None,
                now,
            )?;
            Ok(())
        })
        .await?;
    Ok(recovery_codes)
}

/// Ten new recovery codes as shown to people: `XXXXXX-XXXXXX-XXXXXX-XXXXXX`.
fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let mut bytes = [0u8; 15];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let chars = base32_120(&bytes);
            chars
                .as_bytes()
                .chunks(6)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// 15 bytes (120 bits) as 24 base32 characters.
fn base32_120(bytes: &[u8; 15]) -> String {
    let mut value = [0u8; 16];
    value[1..].copy_from_slice(bytes);
    let n = u128::from_be_bytes(value);
    (0..RECOVERY_CODE_CHARS)
        .rev()
        .map(|i| char::from(BASE32[((n >> (i * 5)) & 0x1f) as usize]))
        .collect()
}

/// The canonical form of a typed recovery code: separators and spaces dropped, upper case, and
/// the digits people type for look-alike letters (0 → O, 1 → I, 8 → B) read as those letters.
/// `None` when it cannot be one.
pub fn normalize_recovery_code(code: &str) -> Option<String> {
    let normalized: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            '0' => 'O',
            '1' => 'I',
            '8' => 'B',
            other => other,
        })
        .collect();
    (normalized.len() == RECOVERY_CODE_CHARS && normalized.bytes().all(|b| BASE32.contains(&b)))
        .then_some(normalized)
}

/// The stored form of a recovery code (SHA-256; the codes carry 120 bits).
fn hash_recovery_code(normalized: &str) -> String {
    tokens::hash_token(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_grouped_base32_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 24 + 3, "{code}");
            assert_eq!(code.split('-').count(), 4);
            assert!(normalize_recovery_code(code).is_some(), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
    }

    #[test]
    fn base32_of_120_bits_is_exact() {
        assert_eq!(base32_120(&[0u8; 15]), "A".repeat(24));
        assert_eq!(base32_120(&[0xff; 15]), "7".repeat(24));
        // RFC 4648 §10: BASE32("foobar") = "MZXW6YTBOI======"; padded to 15 bytes with zeros.
        let mut bytes = [0u8; 15];
        bytes[..6].copy_from_slice(b"foobar");
        assert!(base32_120(&bytes).starts_with("MZXW6YTBOI"));
    }

    #[test]
    fn typed_recovery_codes_are_normalized() {
        let code = "ABCDEF-GHIJKL-MNOPQR-STUV23";
        let canonical = "ABCDEFGHIJKLMNOPQRSTUV23";
        assert_eq!(normalize_recovery_code(code).as_deref(), Some(canonical));
        assert_eq!(
            normalize_recovery_code(" abcdef ghijkl mnopqr stuv23 ").as_deref(),
            Some(canonical)
        );
        assert_eq!(
            normalize_recovery_code("ABCDEF-GH1JKL-MN0PQR-STUV23").as_deref(),
            Some(canonical)
        );
        assert!(normalize_recovery_code("ABCDEF-GHIJKL").is_none());
        assert!(normalize_recovery_code("123456").is_none());
        assert!(normalize_recovery_code("ABCDEF-GHIJKL-MNOPQR-STUV2!").is_none());
    }
}
