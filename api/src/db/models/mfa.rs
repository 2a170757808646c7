//! The second factor: an account's TOTP authenticator (secret sealed, see `auth::totp`) and its
//! single-use recovery codes (stored as SHA-256 hashes).
//!
//! One `mfa_totp` row per account. While `activated_at` is NULL the row is a first enrollment
//! waiting for its first code and `secret_ciphertext` is that pending secret. Once active,
//! `secret_ciphertext` is the secret in force and a reset's new secret waits in
//! `pending_secret_ciphertext` until it is proven. `failed_attempts` counts wrong codes against
//! the pending secret; `last_used_step` is the last step accepted for the active secret.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{mfa_totp, recovery_codes};
use crate::db::DbConnection;
use crate::domain::AccountId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mfa_totp)]
pub struct Totp {
    pub account_id: AccountId,
    pub secret_ciphertext: String,
    pub pending_secret_ciphertext: Option<String>,
    pub activated_at: Option<NaiveDateTime>,
    pub last_used_step: i64,
    pub failed_attempts: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Totp {
    pub fn is_active(&self) -> bool {
        self.activated_at.is_some()
    }

    /// The sealed secret waiting for its first code, if any.
    pub fn pending_ciphertext(&self) -> Option<&str> {
        if self.is_active() {
            self.pending_secret_ciphertext.as_deref()
        } else {
            Some(&self.secret_ciphertext)
        }
    }
}

pub fn find(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<Option<Totp>> {
    mfa_totp::table
        .find(account_id)
        .select(Totp::as_select())
        .first(conn)
        .optional()
}

/// True when the account has an activated authenticator.
pub fn is_active(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        mfa_totp::table
            .filter(mfa_totp::account_id.eq(account_id))
            .filter(mfa_totp::activated_at.is_not_null()),
    ))
    .get_result(conn)
}

/// Stores a new pending secret: a fresh row for a first enrollment, the first secret replaced
/// while not yet activated, or the reset's pending secret beside the active one. Wrong-code
/// counts start again.
pub fn store_pending(
    conn: &mut DbConnection,
    account_id: &AccountId,
    ciphertext: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    match find(conn, account_id)? {
        None => diesel::insert_into(mfa_totp::table)
            .values((
                mfa_totp::account_id.eq(account_id),
                mfa_totp::secret_ciphertext.eq(ciphertext),
                mfa_totp::last_used_step.eq(0i64),
                mfa_totp::failed_attempts.eq(0),
                mfa_totp::created_at.eq(now),
                mfa_totp::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ()),
        Some(row) if row.is_active() => diesel::update(mfa_totp::table.find(account_id))
            .set((
                mfa_totp::pending_secret_ciphertext.eq(ciphertext),
                mfa_totp::failed_attempts.eq(0),
                mfa_totp::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ()),
        Some(_) => diesel::update(mfa_totp::table.find(account_id))
            .set((
                mfa_totp::secret_ciphertext.eq(ciphertext),
                mfa_totp::failed_attempts.eq(0),
                mfa_totp::last_used_step.eq(0i64),
                mfa_totp::created_at.eq(now),
                mfa_totp::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ()),
    }
}

/// Counts one wrong code against the pending secret; returns the new count.
pub fn count_failed_attempt(
    conn: &mut DbConnection,
    account_id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::update(mfa_totp::table.find(account_id))
        .set((
            mfa_totp::failed_attempts.eq(mfa_totp::failed_attempts + 1),
            mfa_totp::updated_at.eq(now),
        ))
        .execute(conn)?;
    mfa_totp::table
        .find(account_id)
        .select(mfa_totp::failed_attempts)
        .first(conn)
}

/// Forgets the pending secret: a first enrollment's row goes, a reset's active secret stays.
pub fn discard_pending(
    conn: &mut DbConnection,
    account_id: &AccountId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        mfa_totp::table
            .find(account_id)
            .filter(mfa_totp::activated_at.is_null()),
    )
    .execute(conn)?;
    diesel::update(mfa_totp::table.find(account_id))
        .set((
            mfa_totp::pending_secret_ciphertext.eq(None::<String>),
            mfa_totp::failed_attempts.eq(0),
            mfa_totp::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Makes the pending `ciphertext` the secret in force, with `step` as its last accepted step.
/// Returns 0 when it is no longer pending (a concurrent activation won, or a new enrollment
/// replaced it), so one enrollment is activated once.
pub fn activate(
    conn: &mut DbConnection,
    account_id: &AccountId,
    ciphertext: &str,
    step: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let first_enrollment = mfa_totp::activated_at
        .is_null()
        .and(mfa_totp::secret_ciphertext.eq(ciphertext));
    let reset = mfa_totp::activated_at
        .is_not_null()
        .and(mfa_totp::pending_secret_ciphertext.eq(ciphertext));
    diesel::update(mfa_totp::table.find(account_id))
        .filter(first_enrollment.or(reset))
        .set((
            mfa_totp::secret_ciphertext.eq(ciphertext),
            mfa_totp::pending_secret_ciphertext.eq(None::<String>),
            mfa_totp::activated_at.eq(now),
            mfa_totp::last_used_step.eq(step),
            mfa_totp::failed_attempts.eq(0),
            mfa_totp::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Records `step` as used, only if it is later than the last one: returns 0 when another
/// request got there first (the code is then refused, never accepted twice).
pub fn use_step(
    conn: &mut DbConnection,
    account_id: &AccountId,
    step: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(mfa_totp::table.find(account_id))
        .filter(mfa_totp::last_used_step.lt(step))
        .filter(mfa_totp::activated_at.is_not_null())
        .set((
            mfa_totp::last_used_step.eq(step),
            mfa_totp::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Removes the authenticator and the recovery codes; returns the number of TOTP rows removed.
pub fn remove_all(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<usize> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::account_id.eq(account_id)))
        .execute(conn)?;
    diesel::delete(mfa_totp::table.find(account_id)).execute(conn)
}

/// Replaces every recovery code of the account with new ones (given as hashes).
pub fn replace_recovery_codes(
    conn: &mut DbConnection,
    account_id: &AccountId,
    hashes: &[String],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::account_id.eq(account_id)))
        .execute(conn)?;
    // One insert per code: batch inserts of a Vec do not compile on the MultiConnection.
    for hash in hashes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::id.eq(uuid::Uuid::now_v7().to_string()),
                recovery_codes::account_id.eq(account_id),
                recovery_codes::code_hash.eq(hash),
                recovery_codes::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Spends the unused recovery code with this hash; returns 0 when there is none (wrong, or
/// already used).
pub fn use_recovery_code(
    conn: &mut DbConnection,
    account_id: &AccountId,
    code_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        recovery_codes::table
            .filter(recovery_codes::account_id.eq(account_id))
            .filter(recovery_codes::code_hash.eq(code_hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now))
    .execute(conn)
}

/// How many recovery codes the account has left.
pub fn unused_recovery_codes(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::account_id.eq(account_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}
