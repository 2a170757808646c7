//! Closing an account, and the erasure after the grace period (Indonesia's UU 27/2022 art. 8
//! and GDPR art. 17, the right to erasure; OWASP ASVS 5.0 V7.4.2).
//!
//! Closing (by the person with their password and code, or by staff) takes effect at once:
//! every session ends and sign-in is refused. An email carries a single-use link that restores
//! the account until the grace period ends (`PORTAL_ACCOUNT_DELETION_GRACE_DAYS`, 30 by
//! default); then a job erases the personal data and keeps only what the law requires (consent
//! records, without addresses). Refused while the person is the only owner of an organization
//! that has projects: they must delete the projects or hand the organization over first.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::tokens;
use crate::db::models::account_closures::{self as closures, NewClosure};
use crate::db::models::accounts::{self, Account};
use crate::db::models::sessions as session_rows;
use crate::db::{DbConnection, DbError};
use crate::domain::AccountId;
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::events::{self, EventKind};
use crate::services::passwords::{self, PasswordError};
use crate::services::Context;
use crate::services::{describe_user_agent, ClientInfo};

/// Erases the personal data of a closed account (`subject_id` is the account id).
pub const ERASE_ACCOUNT: &str = "erase_account";
const MAX_TOKEN: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum ClosureError {
    #[error("re-authentication failed: {0}")]
    Reauthentication(#[from] PasswordError),
    #[error("the only owner of organizations with projects or other members")]
    SoleOwner(Vec<String>),
    #[error("no such account")]
    NotFound,
    #[error("the link is not valid")]
    LinkInvalid,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(ClosureError);

/// When the account will be erased unless it is restored.
#[derive(Debug, Clone)]
pub struct Closed {
    pub erase_after: DateTime<Utc>,
}

/// The person closes their own account.
pub async fn close_own(
    state: &Context,
    account: Account,
    password: String,
    mfa_code: Option<String>,
    client: ClientInfo,
) -> Result<Closed, ClosureError> {
    passwords::reauthenticate(
        state,
        &account,
        password,
        mfa_code,
        &client,
        "account_closure",
    )
    .await?;
    close(state, account.id, None, client).await
}

/// Staff close an account (`actor_id` is the staff member); the same rules apply.
pub async fn close_by_staff(
    state: &Context,
    account_id: AccountId,
    actor_id: AccountId,
    client: ClientInfo,
) -> Result<Closed, ClosureError> {
    close(state, account_id, Some(actor_id), client).await
}

async fn close(
    state: &Context,
    account_id: AccountId,
    actor_id: Option<AccountId>,
    client: ClientInfo,
) -> Result<Closed, ClosureError> {
    let now = state.clock.now();
    let at = now.naive_utc();
    let grace = chrono::Duration::days(i64::from(state.settings.account_deletion_grace_days));
    let erase_after = now + grace;
    let token = tokens::new_token();
    let restore_link = state.settings.link("/restore-account?token=");
    let grace_days = state.settings.account_deletion_grace_days;
    state
        .db
        .write(move |conn| {
            let account = accounts::find(conn, &account_id)?
                .filter(|a| a.erased_at.is_none())
                .ok_or(ClosureError::NotFound)?;
            if account.closed_at.is_some() {
                // Closed already: the outcome asked for holds.
                let open = closures::open_for(conn, &account.id)?;
                return Ok(Closed {
                    erase_after: open
                        .map(|c| DateTime::<Utc>::from_naive_utc_and_offset(c.erase_after, Utc))
                        .unwrap_or(erase_after),
                });
            }
            let blocking = closures::sole_owner_of_organizations_in_use(conn, &account.id)?;
            if !blocking.is_empty() {
                return Err(ClosureError::SoleOwner(blocking));
            }
            closures::close(
                conn,
                &NewClosure {
                    id: &uuid::Uuid::now_v7().to_string(),
                    account_id: &account.id,
                    restore_token_hash: &tokens::hash_token(&token),
                    closed_by: actor_id.as_ref(),
                    closed_at: at,
                    erase_after: erase_after.naive_utc(),
                },
            )?;
            session_rows::revoke_all_of_account(conn, &account.id, None, "account_closed", at)?;
            crate::services::personal_tokens::revoke_all_in(
                conn,
                &account.id,
                "account_closed",
                at,
            )?;
            crate::jobs::schedule(
                conn,
                ERASE_ACCOUNT,
                account.id.as_str(),
                erase_after.naive_utc(),
                at,
                None,
            )?;
            events::record(
                conn,
                &account.id,
                EventKind::AccountClosed,
                &client,
                Some(json!({ "by_staff": actor_id.is_some(), "erase_after": erase_after })),
                now,
            )?;
            let by_staff = actor_id.is_some();
            mail::enqueue(
                conn,
                &account.email,
                Template::AccountClosed,
                &account.locale,
                &json!({
                    "full_name": account.full_name,
                    "occurred_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
                    "by_staff": by_staff,
                    "restore_url": format!("{restore_link}{token}"),
                    "grace_days": grace_days,
                    "erase_on": erase_after.format("%Y-%m-%d").to_string(),
                    "ip": if by_staff { None } else { client.ip.clone() },
                    "device": if by_staff { None } else {
                        client.user_agent.as_deref().map(|ua| describe_user_agent(Some(ua)))
                    },
                }),
                at,
            )?;
            Ok(Closed { erase_after })
        })
        .await
        .inspect(|_| state.mail_wake.notify_one())
}

/// Restores a closed account with the emailed link; returns its email.
pub async fn restore(
    state: &Context,
    token: String,
    client: ClientInfo,
) -> Result<String, ClosureError> {
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Err(ClosureError::LinkInvalid);
    }
    let now = state.clock.now();
    let at = now.naive_utc();
    let hash = tokens::hash_token(&token);
    state
        .db
        .write(move |conn| {
            let closure = closures::find_by_token_hash(conn, &hash)?
                .filter(|c| c.restored_at.is_none() && c.erased_at.is_none())
                .filter(|c| c.erase_after > at)
                .ok_or(ClosureError::LinkInvalid)?;
            if closures::restore(conn, &closure, at)? == 0 {
                return Err(ClosureError::LinkInvalid);
            }
            events::record(
                conn,
                &closure.account_id,
                EventKind::AccountRestored,
                &client,
                None,
                now,
            )?;
            let account =
                accounts::find(conn, &closure.account_id)?.ok_or(ClosureError::LinkInvalid)?;
            Ok(account.email)
        })
        .await
}

/// The erasure job: erases the account's personal data if its closure still stands (a restored
/// account is left alone). Runs inside the job worker's unit of work.
pub fn erase_in(
    conn: &mut DbConnection,
    account_id: &AccountId,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let Some(closure) = closures::open_for(conn, account_id)? else {
        return Ok(false);
    };
    if closure.erase_after > now.naive_utc() {
        return Ok(false);
    }
    Ok(closures::erase(conn, &closure, now.naive_utc())? == 1)
}
