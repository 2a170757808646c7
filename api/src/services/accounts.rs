//! The signed-in account: who am I. The session named by the access token must still be live,
//! so signing out ends access at once for everything that reads the account.

use crate::db::models::accounts::{self, Account};
use crate::db::DbError;
use crate::domain::{AccountId, SessionId};
use crate::impl_from_diesel;
use crate::services::Context;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("session ended")]
    SessionEnded,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(AccountError);

/// The account behind a live session, in one indexed query.
pub async fn current(
    state: &Context,
    account_id: AccountId,
    session_id: SessionId,
) -> Result<Account, AccountError> {
    let now = state.clock.now().naive_utc();
    state
        .db
        .read(move |conn| {
            accounts::find_with_live_session(conn, &account_id, &session_id, now)?
                .ok_or(AccountError::SessionEnded)
        })
        .await
}
