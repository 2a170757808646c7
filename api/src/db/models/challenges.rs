//! Pending sign-in steps (device code, MFA code) between the password and the tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::sign_in_challenges;
use crate::db::DbConnection;
use crate::domain::{AccountId, ChallengeId, ChallengeStep, DeviceId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sign_in_challenges)]
pub struct Challenge {
    pub id: ChallengeId,
    pub account_id: AccountId,
    pub step: ChallengeStep,
    pub code_hash: Option<String>,
    pub attempts: i32,
    pub sends: i32,
    pub last_sent_at: Option<NaiveDateTime>,
    pub device_id: Option<DeviceId>,
    pub use_cookies: bool,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
    /// MFA step after a passed device-code step: trust the device when the sign-in completes.
    pub issue_device_token: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sign_in_challenges)]
pub struct NewChallenge<'a> {
    pub id: &'a ChallengeId,
    pub account_id: &'a AccountId,
    pub step: ChallengeStep,
    pub code_hash: Option<&'a str>,
    pub sends: i32,
    pub last_sent_at: Option<NaiveDateTime>,
    pub device_id: Option<&'a DeviceId>,
    pub use_cookies: bool,
    pub client_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub issue_device_token: bool,
}

pub fn insert(conn: &mut DbConnection, new: &NewChallenge<'_>) -> QueryResult<()> {
    diesel::insert_into(sign_in_challenges::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &ChallengeId) -> QueryResult<Option<Challenge>> {
    sign_in_challenges::table
        .find(id)
        .select(Challenge::as_select())
        .first(conn)
        .optional()
}

/// Counts one more attempt, only while attempts remain; returns 0 when none remained.
pub fn count_attempt(conn: &mut DbConnection, id: &ChallengeId, max: i32) -> QueryResult<usize> {
    diesel::update(sign_in_challenges::table.find(id))
        .filter(sign_in_challenges::attempts.lt(max))
        .filter(sign_in_challenges::completed_at.is_null())
        .set(sign_in_challenges::attempts.eq(sign_in_challenges::attempts + 1))
        .execute(conn)
}

/// Completes the challenge; returns 0 when it was already completed (single use).
pub fn complete(
    conn: &mut DbConnection,
    id: &ChallengeId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(sign_in_challenges::table.find(id))
        .filter(sign_in_challenges::completed_at.is_null())
        .set(sign_in_challenges::completed_at.eq(now))
        .execute(conn)
}

/// Replaces the code after a resend; attempts start again for the new code.
pub fn replace_code(
    conn: &mut DbConnection,
    id: &ChallengeId,
    code_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(sign_in_challenges::table.find(id))
        .filter(sign_in_challenges::completed_at.is_null())
        .set((
            sign_in_challenges::code_hash.eq(code_hash),
            sign_in_challenges::attempts.eq(0),
            sign_in_challenges::sends.eq(sign_in_challenges::sends + 1),
            sign_in_challenges::last_sent_at.eq(now),
            sign_in_challenges::expires_at.eq(expires_at),
        ))
        .execute(conn)
}
