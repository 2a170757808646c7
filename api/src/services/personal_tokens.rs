//! Personal access tokens: a program (a CLI, Terraform, a CI pipeline) acts for the account with
//! the scopes the person chose, until the token expires (at most a year) or is revoked.
//!
//! A token is `sp_pat_` followed by 256 random bits (base64url): the prefix lets secret
//! scanners recognise a leaked one. Only its SHA-256 is stored (ASVS 5.0 V7.2.3, V9.2.2). It is
//! shown once, at creation, which needs a session that re-authenticated within the last five
//! minutes (password, and a TOTP code while MFA is active: ASVS V7.5.1).
//!
//! Scopes name what the token may reach — `organizations:read`, `projects:read`,
//! `projects:write`, `account:read` — and the holder's role in each organization still caps
//! it: a `billing` member's token with `projects:write` still cannot create a project. Nothing
//! that changes how the account is secured (password, MFA, email, sessions, devices, tokens,
//! deletion) is reachable with a token. Every use is throttled per token. Creating and revoking
//! are security events, emailed; a token is emailed about seven days before it expires. All of an
//! account's tokens are revoked when its password is reset, its MFA is switched off or reset,
//! an email change is undone, or the account is closed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use serde_json::json;

use crate::auth::tokens;
use crate::db::models::accounts::Account;
use crate::db::models::personal_tokens::{self as rows, NewPersonalToken, PersonalToken};
use crate::db::{DbConnection, DbError};
use crate::domain::{AccountId, PersonalTokenId};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::events::{self, EventKind};
use crate::services::organizations::{text, TextRule};
use crate::services::throttle::Limit;
use crate::services::ClientInfo;
use crate::services::Context;

/// What every personal access token starts with.
pub const PREFIX: &str = "sp_pat_";
/// The longest lifetime a token may be given.
pub const MAX_DAYS: u32 = 365;
/// Active tokens an account may hold at once.
pub const MAX_ACTIVE: usize = 50;
/// Longest token name, in characters.
pub const MAX_NAME: usize = 100;
/// How long before expiry the holder is emailed.
pub const NOTICE_DAYS: i64 = 7;
/// Sends the expiry notice of a token (`subject_id` is the token id).
pub const EXPIRY_NOTICE: &str = "personal_token_expiry_notice";
/// Requests per token: 600 a minute, then a minute of refusal.
pub const REQUESTS_PER_TOKEN: Limit = Limit {
    max: 600,
    window: Duration::from_secs(60),
    block: Duration::from_secs(60),
};

/// What a token may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    OrganizationsRead,
    ProjectsRead,
    ProjectsWrite,
    AccountRead,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::OrganizationsRead,
        Scope::ProjectsRead,
        Scope::ProjectsWrite,
        Scope::AccountRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrganizationsRead => "organizations:read",
            Self::ProjectsRead => "projects:read",
            Self::ProjectsWrite => "projects:write",
            Self::AccountRead => "account:read",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The scope a request needs, from its method and route template; `None` for every route a
    /// token may never reach (account security, staff, sign-in).
    pub fn for_route(method: &str, route: &str) -> Option<Self> {
        Some(match (method, route) {
            ("GET", "/v1/me" | "/v1/me/onboarding") => Self::AccountRead,
            (
                "GET",
                "/v1/organizations"
                | "/v1/organizations/{id}"
                | "/v1/organizations/{id}/members"
                | "/v1/sales-representatives",
            ) => Self::OrganizationsRead,
            (
                "GET",
                "/v1/organizations/{id}/projects"
                | "/v1/projects/{id}"
                | "/v1/projects/{id}/history",
            ) => Self::ProjectsRead,
            ("POST", "/v1/organizations/{id}/projects")
            | ("PATCH" | "DELETE", "/v1/projects/{id}") => Self::ProjectsWrite,
            _ => return None,
        })
    }
}

/// A set of scopes, stored space-separated in a fixed order.
pub fn scopes_text(scopes: &[Scope]) -> String {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn parse_stored(stored: &str) -> Vec<Scope> {
    stored.split_whitespace().filter_map(Scope::parse).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("no such token")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(TokenError);

/// The form, as received.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub scopes: Vec<String>,
    pub expires_in_days: Option<i64>,
}

/// A token just created: the secret, shown once, and its record.
pub struct Created {
    pub token: String,
    pub record: PersonalToken,
}

fn parse(form: &NewToken) -> Result<(String, Vec<Scope>, i64), TokenError> {
    let mut errors = Vec::new();
    let name = text(
        TextRule {
            field: "name",
            max: MAX_NAME,
            multiline: false,
        },
        &form.name,
    )
    .map_err(|e| errors.push(e))
    .ok();
    let mut scopes = Vec::new();
    if form.scopes.is_empty() {
        errors.push(FieldError::new(
            "scopes",
            "scopes_required",
            "choose at least one scope",
        ));
    }
    for raw in &form.scopes {
        match Scope::parse(raw.trim()) {
            Some(scope) => scopes.push(scope),
            None => errors.push(FieldError::new(
                "scopes",
                "scope_unknown",
                format!(
                    "{raw:?} is not a scope; use organizations:read, projects:read, projects:write or account:read"
                ),
            )),
        }
    }
    let days = match form.expires_in_days {
        None => {
            errors.push(FieldError::new(
                "expires_in_days",
                "expires_in_days_required",
                "every token expires: give a lifetime of 1 to 365 days",
            ));
            None
        }
        Some(d) if !(1..=i64::from(MAX_DAYS)).contains(&d) => {
            errors.push(FieldError::new(
                "expires_in_days",
                "expires_in_days_out_of_range",
                "must be between 1 and 365 days",
            ));
            None
        }
        Some(d) => Some(d),
    };
    match (name, days) {
        (Some(name), Some(days)) if errors.is_empty() => {
            scopes.sort();
            scopes.dedup();
            Ok((name, scopes, days))
        }
        _ => Err(TokenError::Invalid(errors)),
    }
}

/// Checks the form without creating anything (before re-authenticating, so that a bad form
/// spends no code).
pub fn check(form: &NewToken) -> Result<(), TokenError> {
    parse(form).map(|_| ())
}

/// Creates a token for the account (the caller checked the recent re-authentication). The
/// creation is a security event and emailed.
pub async fn create(
    state: &Context,
    account: &Account,
    form: NewToken,
    client: ClientInfo,
) -> Result<Created, TokenError> {
    let (name, scopes, days) = parse(&form)?;
    let now = state.clock.now().trunc_subsecs(6);
    let at = now.naive_utc();
    let expires_at = at + chrono::Duration::days(days);
    let token = format!("{PREFIX}{}", tokens::new_token());
    let hash = tokens::hash_token(&token);
    let (account_id, email, locale, full_name) = (
        account.id.clone(),
        account.email.clone(),
        account.locale.clone(),
        account.full_name.clone(),
    );
    let tokens_url = state.settings.link("/account#tokens");
    let record = state
        .db
        .write(move |conn| {
            if rows::active_of(conn, &account_id, at)?.len() >= MAX_ACTIVE {
                return Err(TokenError::Invalid(vec![FieldError::new(
                    "name",
                    "too_many_tokens",
                    format!("an account holds at most {MAX_ACTIVE} active tokens; revoke one first"),
                )]));
            }
            let id = PersonalTokenId::generate();
            let scopes = scopes_text(&scopes);
            rows::insert(
                conn,
                &NewPersonalToken {
                    id: &id,
                    account_id: &account_id,
                    name: &name,
                    token_hash: &hash,
                    scopes: &scopes,
                    created_at: at,
                    expires_at,
                },
            )?;
            events::record(
                conn,
                &account_id,
                EventKind::PersonalTokenCreated,
                &client,
                Some(json!({ "token_id": id, "name": name, "scopes": scopes, "expires_at": expires_at.and_utc() })),
                now,
            )?;
            mail::enqueue(
                conn,
                &email,
                Template::PersonalTokenCreated,
                &locale,
                &json!({
                    "full_name": full_name,
                    "name": name,
                    "scopes": scopes,
                    "expires_at": expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    "occurred_at": at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    "ip": client.ip,
                    "tokens_url": tokens_url,
                }),
                at,
            )?;
            let notice_at = expires_at - chrono::Duration::days(NOTICE_DAYS);
            if notice_at > at {
                crate::jobs::schedule(conn, EXPIRY_NOTICE, id.as_str(), notice_at, at, None)?;
            }
            rows::find(conn, &id)?.ok_or(TokenError::NotFound)
        })
        .await?;
    state.mail_wake.notify_one();
    state.jobs_wake.notify_one();
    Ok(Created { token, record })
}

/// The account's tokens that can still be used, newest first.
pub async fn list(
    state: &Context,
    account_id: AccountId,
) -> Result<Vec<PersonalToken>, TokenError> {
    let now = state.clock.now().naive_utc();
    state
        .db
        .read(move |conn| Ok(rows::active_of(conn, &account_id, now)?))
        .await
}

/// Revokes one of the account's tokens at once; a security event, emailed.
pub async fn revoke(
    state: &Context,
    account: &Account,
    id: PersonalTokenId,
    client: ClientInfo,
) -> Result<(), TokenError> {
    let now = state.clock.now().trunc_subsecs(6);
    let at = now.naive_utc();
    let (account_id, email, locale, full_name) = (
        account.id.clone(),
        account.email.clone(),
        account.locale.clone(),
        account.full_name.clone(),
    );
    let tokens_url = state.settings.link("/account#tokens");
    state
        .db
        .write(move |conn| {
            let token = rows::find(conn, &id)?
                .filter(|t| t.account_id == account_id && t.revoked_at.is_none())
                .ok_or(TokenError::NotFound)?;
            rows::revoke(conn, &id, &account_id, "revoked_by_user", at)?;
            events::record(
                conn,
                &account_id,
                EventKind::PersonalTokenRevoked,
                &client,
                Some(json!({ "token_id": id, "name": token.name })),
                now,
            )?;
            mail::enqueue(
                conn,
                &email,
                Template::PersonalTokenRevoked,
                &locale,
                &json!({
                    "full_name": full_name,
                    "name": token.name,
                    "occurred_at": at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    "ip": client.ip,
                    "tokens_url": tokens_url,
                }),
                at,
            )?;
            Ok::<_, TokenError>(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Revokes every usable token of the account inside the caller's unit of work (password reset,
/// MFA switched off or reset, an email change undone, account closed); returns how many.
pub fn revoke_all_in(
    conn: &mut DbConnection,
    account_id: &AccountId,
    reason: &str,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(rows::revoke_all_of_account(conn, account_id, reason, now)?)
}

/// Why a bearer token that looks like a personal access token was refused.
#[derive(Debug, thiserror::Error)]
pub enum UseError {
    /// Unknown, revoked or expired (or its account closed): the same answer for all.
    #[error("the token is not valid")]
    Invalid,
    /// Used too often; seconds to wait.
    #[error("too many requests")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(UseError);

/// The account and scopes of a valid token, noting its use (at most once a minute).
pub async fn authenticate(
    state: &Context,
    token: &str,
    ip: Option<String>,
) -> Result<(PersonalToken, Account), UseError> {
    let hash = tokens::hash_token(token);
    let now = state.clock.now().naive_utc();
    let found = state
        .db
        .read(move |conn| Ok::<_, UseError>(rows::find_by_hash(conn, &hash)?))
        .await?;
    let Some((record, account)) = found else {
        return Err(UseError::Invalid);
    };
    let usable =
        record.revoked_at.is_none() && record.expires_at > now && account.erased_at.is_none();
    if !usable {
        return Err(UseError::Invalid);
    }
    if let Some(wait) = state
        .token_limiter
        .check(record.id.as_str(), Instant::now())
    {
        return Err(UseError::Throttled(wait));
    }
    let stale = record
        .last_used_at
        .is_none_or(|t| t < now - chrono::Duration::minutes(1));
    if stale {
        let id = record.id.clone();
        state
            .db
            .write(move |conn| Ok::<_, UseError>(rows::touch(conn, &id, ip.as_deref(), now)?))
            .await?;
    }
    Ok((record, account))
}

/// The expiry-notice job: emails the holder of a token that expires within a week, once.
pub fn send_expiry_notice_in(
    conn: &mut DbConnection,
    token_id: &PersonalTokenId,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let at = now.naive_utc();
    let Some(token) = rows::find(conn, token_id)? else {
        return Ok(false);
    };
    if token.revoked_at.is_some() || token.expires_at <= at {
        return Ok(false);
    }
    if rows::mark_notice_sent(conn, token_id, at)? == 0 {
        return Ok(false);
    }
    let Some(account) = crate::db::models::accounts::find(conn, &token.account_id)? else {
        return Ok(false);
    };
    mail::enqueue(
        conn,
        &account.email,
        Template::PersonalTokenExpiring,
        &account.locale,
        &json!({
            "full_name": account.full_name,
            "name": token.name,
            "scopes": token.scopes,
            "expires_at": token.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            "tokens_url": format!("{public_url}/account#tokens"),
        }),
        at,
    )?;
    Ok(true)
}

/// Counts each token's requests in fixed windows, in this process (each replica counts its own;
/// the limit is meant against a runaway program, not as a quota).
pub struct UseLimiter {
    limit: Limit,
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: i32,
    blocked_until: Option<Instant>,
}

/// Windows kept at most; older ones are dropped first when full.
const MAX_WINDOWS: usize = 10_000;

impl UseLimiter {
    pub fn new(limit: Limit) -> Self {
        Self {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `token_id`; the seconds to wait when it is over the limit.
    pub fn check(&self, token_id: &str, now: Instant) -> Option<u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= MAX_WINDOWS && !windows.contains_key(token_id) {
            let window = self.limit.window;
            windows.retain(|_, w| {
                now.duration_since(w.started) < window
                    || w.blocked_until.is_some_and(|until| until > now)
            });
            if windows.len() >= MAX_WINDOWS {
                windows.clear();
            }
        }
        let w = windows.entry(token_id.to_owned()).or_insert(Window {
            started: now,
            count: 0,
            blocked_until: None,
        });
        if let Some(until) = w.blocked_until {
            if until > now {
                return Some(until.duration_since(now).as_secs().max(1));
            }
            *w = Window {
                started: now,
                count: 0,
                blocked_until: None,
            };
        }
        if now.duration_since(w.started) >= self.limit.window {
            w.started = now;
            w.count = 0;
        }
        w.count += 1;
        if w.count > self.limit.max {
            let until = now + self.limit.block;
            w.blocked_until = Some(until);
            return Some(self.limit.block.as_secs().max(1));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_round_trips_and_routes_map_to_the_least_scope() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::for_route("GET", "/v1/me"), Some(Scope::AccountRead));
        assert_eq!(
            Scope::for_route("POST", "/v1/organizations/{id}/projects"),
            Some(Scope::ProjectsWrite)
        );
        assert_eq!(
            Scope::for_route("GET", "/v1/projects/{id}"),
            Some(Scope::ProjectsRead)
        );
        // Account security is never reachable with a token.
        for (method, route) in [
            ("PATCH", "/v1/me"),
            ("POST", "/v1/me/tokens"),
            ("GET", "/v1/me/tokens"),
            ("DELETE", "/v1/me"),
            ("POST", "/v1/me/password"),
            ("DELETE", "/v1/me/mfa/totp"),
            ("GET", "/v1/me/sessions"),
            ("GET", "/v1/me/devices"),
            ("POST", "/v1/me/email-changes"),
            ("GET", "/v1/me/export"),
            ("POST", "/v1/organizations"),
            ("POST", "/v1/organizations/{id}/invitations"),
            ("GET", "/v1/admin/accounts"),
        ] {
            assert_eq!(Scope::for_route(method, route), None, "{method} {route}");
        }
    }

    #[test]
    fn the_form_is_checked_whole() {
        let bad = NewToken {
            name: " ".into(),
            scopes: vec!["projects:read".into(), "admin".into()],
            expires_in_days: Some(366),
        };
        let Err(TokenError::Invalid(errors)) = parse(&bad) else {
            panic!("refused");
        };
        let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "name_required",
                "scope_unknown",
                "expires_in_days_out_of_range"
            ]
        );
        let no_expiry = NewToken {
            name: "CI".into(),
            scopes: vec![],
            expires_in_days: None,
        };
        let Err(TokenError::Invalid(errors)) = parse(&no_expiry) else {
            panic!("refused");
        };
        assert_eq!(errors.len(), 2);
        let good = NewToken {
            name: "Terraform".into(),
            scopes: vec![
                "projects:write".into(),
                "projects:read".into(),
                "projects:read".into(),
            ],
            expires_in_days: Some(30),
        };
        let (name, scopes, days) = parse(&good).map_err(|_| ()).unwrap();
        assert_eq!((name.as_str(), days), ("Terraform", 30));
        assert_eq!(scopes_text(&scopes), "projects:read projects:write");
    }

    #[test]
    fn the_limiter_refuses_past_its_bound_then_lets_through_after_the_block() {
        let limiter = UseLimiter::new(Limit {
            max: 3,
            window: Duration::from_secs(60),
            block: Duration::from_secs(60),
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check("a", t0), None);
        }
        assert_eq!(limiter.check("a", t0), Some(60));
        assert_eq!(limiter.check("b", t0), None, "counted per token");
        assert!(limiter.check("a", t0 + Duration::from_secs(30)).is_some());
        assert_eq!(limiter.check("a", t0 + Duration::from_secs(61)), None);
    }
}
