//! Redeemed proof-of-work challenges: each can be used once until it expires.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::captcha_redemptions;
use crate::db::DbConnection;

/// Records the redemption; a unique violation means the challenge was already used.
pub fn redeem(
    conn: &mut DbConnection,
    challenge_id: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(captcha_redemptions::table)
        .values((
            captcha_redemptions::challenge_id.eq(challenge_id),
            captcha_redemptions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(captcha_redemptions::table.filter(captcha_redemptions::expires_at.lt(now)))
        .execute(conn)
}
