//! Throttling of repeated attempts, kept in the database so every replica sees the same counts.
//! A fixed window counts hits per key; past the limit the key is blocked for a while and the
//! caller answers 429 with `Retry-After` (OWASP ASVS 5.0 V6.3.1; NIST SP 800-63B-4 §3.2.2).
//! The constants below are the defaults; the limits in force are `Settings::throttles`
//! (`PORTAL_THROTTLE_*`).

use std::time::Duration;

use crate::db::QueryResult;
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::models::throttles;
use crate::db::DbConnection;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i32,
    pub window: Duration,
    pub block: Duration,
}

/// Failed sign-ins per email address: 5 in 15 minutes, then 15 minutes of refusal.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: Duration::from_secs(15 * 60),
    block: Duration::from_secs(15 * 60),
};
/// Failed sign-ins per client address, across accounts.
pub const SIGN_IN_PER_CLIENT: Limit = Limit {
    max: 30,
    window: Duration::from_secs(15 * 60),
    block: Duration::from_secs(15 * 60),
};
/// Verification emails per address: one a minute.
pub const RESEND_INTERVAL: Limit = Limit {
    max: 1,
    window: Duration::from_secs(60),
    block: Duration::from_secs(60),
};
/// Verification emails per address: five an hour.
pub const RESEND_PER_HOUR: Limit = Limit {
    max: 5,
    window: Duration::from_secs(3600),
    block: Duration::from_secs(3600),
};
/// Sign-ups and resends per client address.
pub const EMAIL_REQUESTS_PER_CLIENT: Limit = Limit {
    max: 30,
    window: Duration::from_secs(3600),
    block: Duration::from_secs(3600),
};
/// Verification-link confirmations with unknown tokens per client address.
pub const BAD_TOKENS_PER_CLIENT: Limit = Limit {
    max: 20,
    window: Duration::from_secs(15 * 60),
    block: Duration::from_secs(15 * 60),
};

/// Failed re-authentications (password or code) per account: 5 in 15 minutes, then 15 minutes
/// of refusal.
pub const REAUTH_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: Duration::from_secs(15 * 60),
    block: Duration::from_secs(15 * 60),
};

/// Wrong second-factor codes per account, whatever the sign-in: 10 in 15 minutes, then 15
/// minutes of refusal (on top of 5 per sign-in challenge).
pub const MFA_CODES_PER_ACCOUNT: Limit = Limit {
    max: 10,
    window: Duration::from_secs(15 * 60),
    block: Duration::from_secs(15 * 60),
};

/// Failed sign-ins for an address after which a captcha is required too.
pub const CAPTCHA_AFTER_FAILURES: i32 = 3;

/// Wrong emailed device codes per account, whatever the challenge: 10 an hour, then an hour of
/// refusal, even for the right code. A new challenge or a resent code does not reset the count
/// (NIST SP 800-63B-4 §3.1.3.2: "generating a new authentication secret SHALL NOT reset the
/// failed authentication count"); a correct code does.
pub const DEVICE_CODES_PER_ACCOUNT: Limit = Limit {
    max: 10,
    window: Duration::from_secs(3600),
    block: Duration::from_secs(3600),
};

/// Reset emails per address: three an hour (whether or not it has an account).
pub const RESETS_PER_ADDRESS: Limit = Limit {
    max: 3,
    window: Duration::from_secs(3600),
    block: Duration::from_secs(3600),
};

/// Organization invitation emails (sent or resent) per organization: fifty a day.
pub const INVITATIONS_PER_ORGANIZATION: Limit = Limit {
    max: 50,
    window: Duration::from_secs(24 * 3600),
    block: Duration::from_secs(24 * 3600),
};

/// Organization invitation emails per invited address, across organizations: five a day.
pub const INVITATIONS_PER_ADDRESS: Limit = Limit {
    max: 5,
    window: Duration::from_secs(24 * 3600),
    block: Duration::from_secs(24 * 3600),
};

/// Reset requests per client address, across addresses.
pub const RESETS_PER_CLIENT: Limit = Limit {
    max: 20,
    window: Duration::from_secs(3600),
    block: Duration::from_secs(3600),
};

fn seconds_until(until: NaiveDateTime, now: NaiveDateTime) -> u64 {
    u64::try_from((until - now).num_seconds())
        .unwrap_or(0)
        .max(1)
}

fn duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero())
}

/// Seconds the caller must still wait, if the key is blocked.
pub fn blocked(conn: &mut DbConnection, key: &str, now: DateTime<Utc>) -> QueryResult<Option<u64>> {
    let now = now.naive_utc();
    Ok(throttles::find(conn, key)?
        .and_then(|t| t.blocked_until)
        .filter(|until| *until > now)
        .map(|until| seconds_until(until, now)))
}

/// Counts one hit; returns the wait in seconds when this hit reached the limit.
pub fn hit(
    conn: &mut DbConnection,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> QueryResult<Option<u64>> {
    let now = now.naive_utc();
    let mut row = throttles::lock(conn, key, now)?;
    if row.window_started_at + duration(limit.window) <= now {
        row.hits = 0;
        row.window_started_at = now;
    }
    row.hits += 1;
    let wait = if row.hits >= limit.max {
        let until = now + duration(limit.block);
        row.blocked_until = Some(until);
        row.hits = 0;
        row.window_started_at = now;
        Some(seconds_until(until, now))
    } else {
        None
    };
    throttles::store(conn, &row)?;
    Ok(wait)
}

/// Checks the block first, then counts the hit: `Some(wait)` means refuse this request.
/// For rate limits where the request itself is the hit (not a later failure).
pub fn take(
    conn: &mut DbConnection,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> QueryResult<Option<u64>> {
    if let Some(wait) = blocked(conn, key, now)? {
        return Ok(Some(wait));
    }
    hit(conn, key, limit, now)?;
    Ok(None)
}

pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    throttles::clear(conn, key).map(|_| ())
}

/// The current count of hits in the window (used to ask for a captcha once failures pile up).
pub fn hits(
    conn: &mut DbConnection,
    key: &str,
    now: DateTime<Utc>,
    limit: Limit,
) -> QueryResult<i32> {
    let now = now.naive_utc();
    Ok(throttles::find(conn, key)?
        .filter(|t| t.window_started_at + duration(limit.window) > now)
        .map(|t| t.hits)
        .unwrap_or(0))
}

/// Counts an attempt before it is made, under the counter's lock: `Some(wait)` when the key is
/// already blocked (the attempt is refused and not counted). The attempt that reaches the limit
/// still goes ahead; the ones after it wait, however many arrive at once.
pub fn reserve(
    conn: &mut DbConnection,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> QueryResult<Option<u64>> {
    let at = now.naive_utc();
    let row = throttles::lock(conn, key, at)?;
    if let Some(until) = row.blocked_until.filter(|until| *until > at) {
        return Ok(Some(seconds_until(until, at)));
    }
    hit(conn, key, limit, now)?;
    Ok(None)
}
