//! Trusted devices of the signed-in account: list them, stop trusting one. Removing a device
//! also ends the sessions started from it, and its next sign-in asks for an emailed code again.

use crate::db::models::devices::{self, Device};
use crate::db::models::sessions;
use crate::db::DbError;
use crate::domain::{AccountId, DeviceId, SessionId};
use crate::impl_from_diesel;
use crate::services::events::{self, EventKind};
use crate::services::ClientInfo;
use crate::services::Context;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("no such device")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(DeviceError);

/// The account's trusted devices, and which of them the session `session_id` runs on (if it
/// was started from a trusted device).
pub async fn list(
    state: &Context,
    account_id: AccountId,
    session_id: SessionId,
) -> Result<(Vec<Device>, Option<DeviceId>), DeviceError> {
    state
        .db
        .read(move |conn| {
            let current = sessions::find(conn, &session_id)?.and_then(|s| s.device_id);
            Ok((devices::list_active(conn, &account_id)?, current))
        })
        .await
}

pub async fn remove(
    state: &Context,
    account_id: AccountId,
    device_id: DeviceId,
    client: ClientInfo,
) -> Result<(), DeviceError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            if devices::revoke(conn, &account_id, &device_id, now.naive_utc())? == 0 {
                return Err(DeviceError::NotFound);
            }
            sessions::revoke_for_device(conn, &device_id, "device_removed", now.naive_utc())?;
            events::record(
                conn,
                &account_id,
                EventKind::DeviceRemoved,
                &client,
                Some(serde_json::json!({ "device_id": device_id })),
                now,
            )?;
            Ok(())
        })
        .await
}
