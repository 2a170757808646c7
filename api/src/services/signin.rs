//! Sign-in: email and password, then — from a device this account has not used before — a
//! six-digit code sent by email. Entering it trusts the device (a device token, stored hashed)
//! and starts a session.
//!
//! - Wrong email or wrong password: one answer, one cost (a dummy hash for unknown accounts).
//! - Failures are counted per address and per client; past the limit the answer is 429 with
//!   `Retry-After` before any hashing (ASVS 5.0 V6.3.1, NIST SP 800-63B-4 §3.2.2). Once a few
//!   failures piled up, a captcha is asked for as well.
//! - The unverified-email refusal is only given after the right password, so it reveals nothing.
//! - Codes expire after 10 minutes, allow 5 attempts, can be resent once a minute up to 5 times,
//!   and are stored as HMACs (ASVS 5.0 V6.6).
//! - With MFA active, the password (and, from a new device, the emailed code) is followed by an
//!   `mfa_code` step: a TOTP code or a recovery code (see `services::mfa`), 5 attempts, 10
//!   minutes (ASVS 5.0 V6.3.3). A device that passed its emailed code is trusted, and its token
//!   issued, only when that last step passes: the challenge row carries the flag, never a token.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::captcha::{CaptchaError, CaptchaProvider};
use crate::auth::jwt::TokenError;
use crate::auth::password::HashError;
use crate::auth::tokens;
use crate::db::models::challenges::{self, NewChallenge};
use crate::db::models::devices::{self, NewDevice};
use crate::db::models::mfa;
use crate::db::models::{accounts, captcha as redemptions};
use crate::db::{
    Committed::{self, Done, Refused},
    DbConnection, DbError,
};
use crate::domain::{
    AccountId, AccountRole, ChallengeId, ChallengeStep, DeviceCode, DeviceId, Email, MfaCode,
    OpaqueToken, SessionId,
};
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::events::{self, EventKind};
use crate::services::mfa::{self as mfa_service, CodeCheck, MfaError};
use crate::services::notices::{self, Notice};
use crate::services::sessions::{self, IssuedTokens};
use crate::services::Context;
use crate::services::{describe_user_agent, email_key, throttle, ClientInfo};

pub const CODE_TTL_MINUTES: i64 = 10;
pub const CODE_MAX_ATTEMPTS: i32 = 5;
pub const CODE_MAX_SENDS: i32 = 5;
pub const CODE_RESEND_SECONDS: i64 = 60;
/// Wrong MFA codes in one sign-in, after the right password, at which the person is warned by
/// email that their password may be known to someone else.
pub const MFA_FAILURES_NOTICE_AT: i32 = 3;

fn device_codes_key(account_id: &AccountId) -> String {
    format!("device:codes:{account_id}")
}

#[derive(Debug)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
    pub captcha: Option<String>,
    pub device_token: Option<String>,
    pub use_cookies: bool,
}

/// Where a sign-in stands after a step.
#[derive(Debug)]
pub enum SignInOutcome {
    /// Signed in. `device_token` is set when this step trusted a new device.
    Complete {
        tokens: IssuedTokens,
        device_token: Option<String>,
        use_cookies: bool,
    },
    /// Another step is needed.
    Challenge {
        challenge_id: ChallengeId,
        step: ChallengeStep,
        expires_at: DateTime<Utc>,
        email_hint: String,
        use_cookies: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("email not verified")]
    EmailNotVerified,
    #[error("too many attempts")]
    Throttled(u64),
    #[error("the account is closed")]
    AccountClosed,
    #[error("captcha: {0}")]
    Captcha(CaptchaError),
    #[error("unknown sign-in challenge")]
    UnknownChallenge,
    #[error("sign-in challenge expired")]
    ChallengeExpired,
    #[error("wrong code")]
    WrongCode { attempts_left: i32 },
    #[error("no attempts left")]
    AttemptsExhausted,
    #[error("code resend not yet allowed")]
    ResendTooSoon(u64),
    #[error("no more resends")]
    ResendsExhausted,
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Mfa(#[from] MfaError),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(SignInError);

impl SignInError {
    /// The refusal of a wrong code on a challenge that had `attempts` wrong ones before.
    fn wrong_code(attempts: i32) -> Self {
        let left = CODE_MAX_ATTEMPTS - attempts - 1;
        if left <= 0 {
            Self::AttemptsExhausted
        } else {
            Self::WrongCode {
                attempts_left: left,
            }
        }
    }
}

/// "b•••@example.com": enough for a person to recognize their address.
pub fn email_hint(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

/// Checks a captcha answer and spends it at once (a solved challenge buys one attempt, whatever
/// the attempt's outcome). `Ok(Err(_))` is a refused answer; a provider switched `off` passes.
pub async fn spend_captcha(
    state: &Context,
    answer: Option<&str>,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<Result<(), CaptchaError>, DbError> {
    if state.captcha.provider() == CaptchaProvider::Off {
        return Ok(Ok(()));
    }
    let ip = client.ip.as_deref().and_then(|ip| ip.parse().ok());
    let pass = match state.captcha.verify(answer, ip, now).await {
        Ok(pass) => pass,
        Err(e) => return Ok(Err(e)),
    };
    let Some((id, expires)) = pass.single_use else {
        return Ok(Ok(()));
    };
    state
        .db
        .write(
            move |conn| match redemptions::redeem(conn, &id, expires.naive_utc()) {
                Ok(()) => Ok(Ok(())),
                Err(e) => {
                    let e = DbError::from(e);
                    if e.is_unique_violation() {
                        Ok(Err(CaptchaError::Invalid))
                    } else {
                        Err(e)
                    }
                }
            },
        )
        .await
}

pub async fn sign_in(
    state: &Context,
    req: SignInRequest,
    client: ClientInfo,
) -> Result<SignInOutcome, SignInError> {
    let limits = state.settings.throttles;
    // Admission to the hashing pool comes first: past capacity the answer is an immediate 503,
    // before any database work, and nothing is counted against the account.
    let admission = state.hasher.admit()?;
    let now = state.clock.now();
    // An unparseable address is just an unknown account.
    let parsed = Email::parse(&req.email, false).ok().map(|e| e.normalized());
    let key_source = parsed
        .clone()
        .unwrap_or_else(|| req.email.trim().to_lowercase());
    let account_key = format!("signin:{}", email_key(&key_source));
    let client_key = client.ip.as_ref().map(|ip| format!("signin:ip:{ip}"));

    // Refuse blocked callers before spending a hash on them; ask for a captcha after failures.
    let failures = {
        let (account_key, client_key) = (account_key.clone(), client_key.clone());
        state
            .db
            .read(move |conn| {
                for key in std::iter::once(&account_key).chain(client_key.as_ref()) {
                    if let Some(wait) = throttle::blocked(conn, key, now)? {
                        return Err(SignInError::Throttled(wait));
                    }
                }
                Ok(throttle::hits(
                    conn,
                    &account_key,
                    now,
                    limits.sign_in_per_account,
                )?)
            })
            .await?
    };
    if failures >= limits.captcha_after_failures {
        // Spent now, whatever the password turns out to be: a solved captcha buys one try.
        spend_captcha(state, req.captcha.as_deref(), &client, now)
            .await?
            .map_err(SignInError::Captcha)?;
    }

    // Count this attempt against the address before hashing (taken back on success), under the
    // counter's lock, so that simultaneous guesses cannot exceed the limit.
    let account = {
        let (account_key, normalized) = (account_key.clone(), parsed.clone());
        state
            .db
            .write(move |conn| {
                if let Some(wait) =
                    throttle::reserve(conn, &account_key, limits.sign_in_per_account, now)?
                {
                    return Err(SignInError::Throttled(wait));
                }
                match &normalized {
                    Some(normalized) => Ok(accounts::find_by_email(conn, normalized)?),
                    None => Ok(None),
                }
            })
            .await?
    };

    let password = req.password;
    let verified = state
        .hasher
        .verify_admitted(
            admission,
            account.as_ref().and_then(|a| a.password_hash.clone()),
            password.clone(),
        )
        .await?;

    let known_id = account.as_ref().map(|a| a.id.clone());
    let Some(account) = account.filter(|_| verified.matches) else {
        let client = client.clone();
        state
            .db
            .write(move |conn| {
                if let Some(key) = &client_key {
                    throttle::hit(conn, key, limits.sign_in_per_client, now)?;
                }
                if let Some(id) = &known_id {
                    events::record(conn, id, EventKind::SignInFailed, &client, None, now)?;
                }
                Ok::<_, SignInError>(())
            })
            .await?;
        return Err(SignInError::InvalidCredentials);
    };

    if verified.needs_rehash {
        // The cost parameters changed since this hash was made: store a fresh one, off the
        // request path. Failure only means trying again at the next sign-in.
        let st = state.clone();
        let id = account.id.clone();
        tokio::spawn(async move { rehash(st, id, password).await });
    }

    if account.closed_at.is_some() {
        // The right password for a closed account: it says so (only to whoever knows the
        // password), and the attempt counted above is taken back.
        let key = account_key.clone();
        state
            .db
            .write(move |conn| throttle::clear(conn, &key).map_err(SignInError::from))
            .await?;
        return Err(SignInError::AccountClosed);
    }

    if account.email_verified_at.is_none() {
        // The right password: the attempt counted above is taken back.
        let key = account_key.clone();
        state
            .db
            .write(move |conn| throttle::clear(conn, &key).map_err(SignInError::from))
            .await?;
        return Err(SignInError::EmailNotVerified);
    }

    let device_hash = req
        .device_token
        .as_deref()
        .and_then(OpaqueToken::parse)
        .map(|t| tokens::hash_token(t.as_str()));
    let st = state.clone();
    let code_key = state.code_key;
    let use_cookies = req.use_cookies;
    let outcome = state
        .db
        .write(move |conn| -> Result<Step, SignInError> {
            throttle::clear(conn, &account_key)?;
            let trusted = match &device_hash {
                Some(hash) => devices::find_trusted(conn, &account.id, hash)?,
                None => None,
            };
            if let Some(device) = trusted {
                devices::touch(conn, &device.id, now.naive_utc(), client.ip.as_deref())?;
                if mfa::is_active(conn, &account.id)? {
                    let (challenge_id, expires_at) = mfa_challenge(
                        conn,
                        &account.id,
                        Some(&device.id),
                        false,
                        use_cookies,
                        &client,
                        now,
                    )?;
                    return Ok(Step::Challenge {
                        challenge_id,
                        step: ChallengeStep::MfaCode,
                        expires_at,
                        email: account.email,
                    });
                }
                let (sid, refresh, expires) =
                    sessions::start(conn, &st, &account.id, Some(&device.id), &client, now)?;
                return Ok(Step::Done {
                    account_id: account.id,
                    role: account.role,
                    sid,
                    refresh,
                    expires,
                    device_token: None,
                });
            }
            let (challenge_id, expires_at) =
                new_device_challenge(conn, &code_key, &account, use_cookies, &client, now)?;
            events::record(
                conn,
                &account.id,
                EventKind::NewDeviceChallenged,
                &client,
                None,
                now,
            )?;
            Ok(Step::Challenge {
                challenge_id,
                step: ChallengeStep::DeviceCode,
                expires_at,
                email: account.email,
            })
        })
        .await?;
    state.mail_wake.notify_one();
    finish(state, outcome, use_cookies, now)
}

async fn rehash(state: Context, account_id: AccountId, password: String) {
    let Ok(hash) = state.hasher.hash(password).await else {
        return;
    };
    let now = state.clock.now().naive_utc();
    let result = state
        .db
        .write(move |conn| {
            accounts::set_password_hash(conn, &account_id, &hash, now).map_err(DbError::from)
        })
        .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not upgrade a password hash");
    }
}

/// A unit of work's result, turned into tokens after commit.
enum Step {
    Done {
        account_id: AccountId,
        role: AccountRole,
        sid: SessionId,
        refresh: String,
        expires: DateTime<Utc>,
        device_token: Option<String>,
    },
    Challenge {
        challenge_id: ChallengeId,
        step: ChallengeStep,
        expires_at: DateTime<Utc>,
        email: String,
    },
}

fn finish(
    state: &Context,
    step: Step,
    use_cookies: bool,
    now: DateTime<Utc>,
) -> Result<SignInOutcome, SignInError> {
    match step {
        Step::Done {
            account_id,
            role,
            sid,
            refresh,
            expires,
            device_token,
        } => Ok(SignInOutcome::Complete {
            tokens: sessions::access_token(state, &account_id, role, sid, refresh, expires, now)?,
            device_token,
            use_cookies,
        }),
        Step::Challenge {
            challenge_id,
            step,
            expires_at,
            email,
        } => Ok(SignInOutcome::Challenge {
            challenge_id,
            step,
            expires_at,
            email_hint: email_hint(&email),
            use_cookies,
        }),
    }
}

fn new_device_challenge(
    conn: &mut DbConnection,
    code_key: &[u8; 32],
    account: &accounts::Account,
    use_cookies: bool,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(ChallengeId, DateTime<Utc>), DbError> {
    let id = ChallengeId::generate();
    let code = tokens::new_code();
    let expires_at = now + chrono::Duration::minutes(CODE_TTL_MINUTES);
    challenges::insert(
        conn,
        &NewChallenge {
            id: &id,
            account_id: &account.id,
            step: ChallengeStep::DeviceCode,
            code_hash: Some(&tokens::hash_code(code_key, id.as_str(), &code)),
            sends: 1,
            last_sent_at: Some(now.naive_utc()),
            device_id: None,
            use_cookies,
            client_ip: client.ip.as_deref(),
            user_agent: client.user_agent().as_deref(),
            created_at: now.naive_utc(),
            expires_at: expires_at.naive_utc(),
            issue_device_token: false,
        },
    )?;
    send_code(conn, account, &code, client, now)?;
    Ok((id, expires_at))
}

fn send_code(
    conn: &mut DbConnection,
    account: &accounts::Account,
    code: &str,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    mail::enqueue(
        conn,
        &account.email,
        Template::DeviceCode,
        &account.locale,
        &json!({
            "full_name": account.full_name,
            "code": code,
            "expires_minutes": CODE_TTL_MINUTES,
            "device": describe_user_agent(client.user_agent.as_deref()),
            "ip": client.ip.as_deref().unwrap_or("unknown"),
            "requested_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
        }),
        now.naive_utc(),
    )?;
    Ok(())
}

/// Checks the emailed code; on success trusts the device and starts the session, or — with MFA
/// active — asks for the MFA code next.
pub async fn verify_device_code(
    state: &Context,
    challenge_id: ChallengeId,
    code: DeviceCode,
    client: ClientInfo,
) -> Result<SignInOutcome, SignInError> {
    let limits = state.settings.throttles;
    let now = state.clock.now();
    let st = state.clone();
    let code_key = state.code_key;
    let public_url = state.settings.issuer();
    let outcome = state
        .db
        .write_or_refuse(
            move |conn| -> Result<Committed<_, SignInError>, SignInError> {
                let Some(challenge) = challenges::find(conn, &challenge_id)?
                    .filter(|c| c.step == ChallengeStep::DeviceCode)
                else {
                    return Ok(Refused(SignInError::UnknownChallenge));
                };
                if challenge.completed_at.is_some() {
                    return Ok(Refused(SignInError::UnknownChallenge));
                }
                if challenge.expires_at <= now.naive_utc() {
                    return Ok(Refused(SignInError::ChallengeExpired));
                }
                let budget_key = device_codes_key(&challenge.account_id);
                if let Some(wait) = throttle::blocked(conn, &budget_key, now)? {
                    return Ok(Refused(SignInError::Throttled(wait)));
                }
                if challenges::count_attempt(conn, &challenge.id, CODE_MAX_ATTEMPTS)? == 0 {
                    return Ok(Refused(SignInError::AttemptsExhausted));
                }
                let expected = challenge.code_hash.clone().unwrap_or_default();
                let given = tokens::hash_code(&code_key, challenge.id.as_str(), code.as_str());
                if !tokens::same(&expected, &given) {
                    if let Some(wait) =
                        throttle::hit(conn, &budget_key, limits.device_codes_per_account, now)?
                    {
                        return Ok(Refused(SignInError::Throttled(wait)));
                    }
                    return Ok(Refused(SignInError::wrong_code(challenge.attempts)));
                }
                if challenges::complete(conn, &challenge.id, now.naive_utc())? == 0 {
                    return Ok(Refused(SignInError::UnknownChallenge));
                }
                throttle::clear(conn, &budget_key)?;
                let Some(account) = accounts::find(conn, &challenge.account_id)? else {
                    return Ok(Refused(SignInError::UnknownChallenge));
                };
                if mfa::is_active(conn, &account.id)? {
                    let (challenge_id, expires_at) = mfa_challenge(
                        conn,
                        &account.id,
                        None,
                        true,
                        challenge.use_cookies,
                        &client,
                        now,
                    )?;
                    return Ok(Done((
                        Step::Challenge {
                            challenge_id,
                            step: ChallengeStep::MfaCode,
                            expires_at,
                            email: account.email,
                        },
                        challenge.use_cookies,
                    )));
                }
                let (device_id, device_token) =
                    trust_device(conn, &account, &client, &public_url, now)?;
                let (sid, refresh, expires) =
                    sessions::start(conn, &st, &account.id, Some(&device_id), &client, now)?;
                Ok(Done((
                    Step::Done {
                        account_id: account.id,
                        role: account.role,
                        sid,
                        refresh,
                        expires,
                        device_token: Some(device_token),
                    },
                    challenge.use_cookies,
                )))
            },
        )
        .await;
    // Notices may have been queued, whatever the outcome.
    state.mail_wake.notify_one();
    let (step, use_cookies) = outcome?;
    finish(state, step, use_cookies, now)
}

/// Sends a new code for a pending device challenge (once a minute, five times at most).
pub async fn resend_device_code(
    state: &Context,
    challenge_id: ChallengeId,
    client: ClientInfo,
) -> Result<DateTime<Utc>, SignInError> {
    let now = state.clock.now();
    let code_key = state.code_key;
    let expires = state
        .db
        .write(move |conn| {
            let Some(challenge) = challenges::find(conn, &challenge_id)?
                .filter(|c| c.step == ChallengeStep::DeviceCode && c.completed_at.is_none())
            else {
                return Err(SignInError::UnknownChallenge);
            };
            if challenge.expires_at <= now.naive_utc() {
                return Err(SignInError::ChallengeExpired);
            }
            if challenge.sends >= CODE_MAX_SENDS {
                return Err(SignInError::ResendsExhausted);
            }
            if let Some(last) = challenge.last_sent_at {
                let wait = (last + chrono::Duration::seconds(CODE_RESEND_SECONDS)
                    - now.naive_utc())
                .num_seconds();
                if wait > 0 {
                    return Err(SignInError::ResendTooSoon(u64::try_from(wait).unwrap_or(1)));
                }
            }
            let Some(account) = accounts::find(conn, &challenge.account_id)? else {
                return Err(SignInError::UnknownChallenge);
            };
            let code = tokens::new_code();
            let expires_at = now + chrono::Duration::minutes(CODE_TTL_MINUTES);
            challenges::replace_code(
                conn,
                &challenge.id,
                &tokens::hash_code(&code_key, challenge.id.as_str(), &code),
                now.naive_utc(),
                expires_at.naive_utc(),
            )?;
            send_code(conn, &account, &code, &client, now)?;
            Ok(expires_at)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(expires)
}

/// Trusts the device the sign-in comes from: a new device token, stored hashed; returns
/// (device id, token).
///
/// When the account already trusted another device, the person is told by email: a sign-in
/// from somewhere new that was not them is a reason to reset the password. (The very first
/// device, right after sign-up, is no news.)
fn trust_device(
    conn: &mut DbConnection,
    account: &accounts::Account,
    client: &ClientInfo,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(DeviceId, String), DbError> {
    let account_id = &account.id;
    if !devices::list_active(conn, account_id)?.is_empty() {
        notices::send(
            conn,
            account,
            Notice::NewDeviceSignIn,
            client,
            public_url,
            now,
        )?;
    }
    let device_token = tokens::new_token();
    let device_id = DeviceId::generate();
    devices::insert(
        conn,
        &NewDevice {
            id: &device_id,
            account_id,
            token_hash: &tokens::hash_token(&device_token),
            label: &describe_user_agent(client.user_agent.as_deref()),
            created_at: now.naive_utc(),
            last_seen_at: now.naive_utc(),
            last_ip: client.ip.as_deref(),
        },
    )?;
    events::record(
        conn,
        account_id,
        EventKind::DeviceTrusted,
        client,
        Some(json!({ "device_id": device_id })),
        now,
    )?;
    Ok((device_id, device_token))
}

/// Opens the MFA step: nothing is sent, the code comes from the person's authenticator app.
/// `device_id` is the already trusted device the sign-in comes from; `issue_device_token` says
/// that a device-code step just passed, so the device is trusted when this step passes.
fn mfa_challenge(
    conn: &mut DbConnection,
    account_id: &AccountId,
    device_id: Option<&DeviceId>,
    issue_device_token: bool,
    use_cookies: bool,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<(ChallengeId, DateTime<Utc>), DbError> {
    let id = ChallengeId::generate();
    let expires_at = now + chrono::Duration::minutes(CODE_TTL_MINUTES);
    challenges::insert(
        conn,
        &NewChallenge {
            id: &id,
            account_id,
            step: ChallengeStep::MfaCode,
            code_hash: None,
            sends: 0,
            last_sent_at: None,
            device_id,
            use_cookies,
            client_ip: client.ip.as_deref(),
            user_agent: client.user_agent().as_deref(),
            created_at: now.naive_utc(),
            expires_at: expires_at.naive_utc(),
            issue_device_token,
        },
    )?;
    Ok((id, expires_at))
}

/// Checks the MFA code of a sign-in — a TOTP code (±1 step, never twice) or a recovery code
/// (single use) — and starts the session. Five attempts per challenge, and wrong codes are
/// throttled per account across sign-ins.
pub async fn verify_mfa_code(
    state: &Context,
    challenge_id: ChallengeId,
    code: MfaCode,
    client: ClientInfo,
) -> Result<SignInOutcome, SignInError> {
    let limits = state.settings.throttles;
    let now = state.clock.now();
    let st = state.clone();
    let cipher = state.totp_cipher.clone();
    let public_url = state.settings.issuer();
    let outcome = state
        .db
        .write_or_refuse(
            move |conn| -> Result<Committed<_, SignInError>, SignInError> {
                let Some(challenge) = challenges::find(conn, &challenge_id)?
                    .filter(|c| c.step == ChallengeStep::MfaCode && c.completed_at.is_none())
                else {
                    return Ok(Refused(SignInError::UnknownChallenge));
                };
                if challenge.expires_at <= now.naive_utc() {
                    return Ok(Refused(SignInError::ChallengeExpired));
                }
                // MFA switched off or reset meanwhile: this sign-in no longer applies.
                let Some(totp_row) =
                    mfa::find(conn, &challenge.account_id)?.filter(|t| t.is_active())
                else {
                    return Ok(Refused(SignInError::UnknownChallenge));
                };
                if let Some(wait) = mfa_service::codes_blocked(conn, &challenge.account_id, now)? {
                    return Ok(Refused(SignInError::Throttled(wait)));
                }
                if challenges::count_attempt(conn, &challenge.id, CODE_MAX_ATTEMPTS)? == 0 {
                    return Ok(Refused(SignInError::AttemptsExhausted));
                }
                match mfa_service::check_code(
                    conn,
                    &cipher,
                    &totp_row,
                    code.as_str(),
                    &client,
                    now,
                    "sign_in",
                    &public_url,
                    &limits,
                )? {
                    CodeCheck::Accepted(_) => {}
                    CodeCheck::Blocked(wait) => return Ok(Refused(SignInError::Throttled(wait))),
                    CodeCheck::Rejected => {
                        let attempts = challenge.attempts + 1;
                        if attempts == MFA_FAILURES_NOTICE_AT {
                            // The right password, then wrong codes: the password may be known
                            // to someone else.
                            if let Some(account) = accounts::find(conn, &challenge.account_id)? {
                                events::record(
                                    conn,
                                    &account.id,
                                    EventKind::MfaFailures,
                                    &client,
                                    Some(json!({ "attempts": attempts })),
                                    now,
                                )?;
                                notices::send(
                                    conn,
                                    &account,
                                    Notice::MfaFailures { attempts },
                                    &client,
                                    &public_url,
                                    now,
                                )?;
                            }
                        }
                        return Ok(Refused(SignInError::wrong_code(challenge.attempts)));
                    }
                }
                if challenges::complete(conn, &challenge.id, now.naive_utc())? == 0 {
                    return Ok(Refused(SignInError::UnknownChallenge));
                }
                let Some(account) = accounts::find(conn, &challenge.account_id)? else {
                    return Ok(Refused(SignInError::UnknownChallenge));
                };
                let (device_id, device_token) = if challenge.issue_device_token {
                    let (id, token) = trust_device(conn, &account, &client, &public_url, now)?;
                    (Some(id), Some(token))
                } else {
                    (challenge.device_id.clone(), None)
                };
                let (sid, refresh, expires) =
                    sessions::start(conn, &st, &account.id, device_id.as_ref(), &client, now)?;
                Ok(Done((
                    Step::Done {
                        account_id: account.id,
                        role: account.role,
                        sid,
                        refresh,
                        expires,
                        device_token,
                    },
                    challenge.use_cookies,
                )))
            },
        )
        .await;
    // Notices may have been queued, whatever the outcome.
    state.mail_wake.notify_one();
    let (step, use_cookies) = outcome?;
    finish(state, step, use_cookies, now)
}
