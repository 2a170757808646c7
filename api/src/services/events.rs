//! Security events: what happened to an account and from where, for the person to review
//! (`GET /v1/me/security-events`) and for support. Recorded in the same unit of work as the
//! change they describe. Never holds a password, token or code.

use crate::db::models::security_events::{self as rows, NewSecurityEvent};
pub use crate::db::models::security_events::{page, SecurityEvent};
use crate::db::{DbConnection, DbError, QueryResult};
use crate::domain::AccountId;
use crate::services::{ClientInfo, Context};
use chrono::{DateTime, Utc};

/// Kinds of event, as stored and as returned by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    SignInSucceeded,
    SignInFailed,
    NewDeviceChallenged,
    DeviceTrusted,
    DeviceRemoved,
    SignedOut,
    MfaActivated,
    MfaUsed,
    RecoveryCodeUsed,
    MfaDisabled,
    MfaReset,
    ConsentRecorded,
    PasswordSet,
    EmailVerified,
    PasswordResetRequested,
    PasswordReset,
    PasswordChanged,
    SessionEnded,
    SessionsEnded,
    MfaFailures,
    ProfileUpdated,
    EmailChangeRequested,
    EmailChanged,
    EmailChangeCancelled,
    DataExported,
    AccountClosed,
    AccountRestored,
    RecoveryCodesRegenerated,
    PersonalTokenCreated,
    PersonalTokenRevoked,
    DeviceSignInApproved,
    DeviceSignInDenied,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignInSucceeded => "sign_in_succeeded",
            Self::SignInFailed => "sign_in_failed",
            Self::NewDeviceChallenged => "new_device_challenged",
            Self::DeviceTrusted => "device_trusted",
            Self::DeviceRemoved => "device_removed",
            Self::SignedOut => "signed_out",
            Self::MfaActivated => "mfa_activated",
            Self::MfaUsed => "mfa_used",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::MfaDisabled => "mfa_disabled",
            Self::MfaReset => "mfa_reset",
            Self::ConsentRecorded => "consent_recorded",
            Self::PasswordSet => "password_set",
            Self::EmailVerified => "email_verified",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::SessionEnded => "session_ended",
            Self::SessionsEnded => "sessions_ended",
            Self::MfaFailures => "mfa_failures",
            Self::ProfileUpdated => "profile_updated",
            Self::EmailChangeRequested => "email_change_requested",
            Self::EmailChanged => "email_changed",
            Self::EmailChangeCancelled => "email_change_cancelled",
            Self::DataExported => "data_exported",
            Self::AccountClosed => "account_closed",
            Self::AccountRestored => "account_restored",
            Self::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            Self::PersonalTokenCreated => "personal_token_created",
            Self::PersonalTokenRevoked => "personal_token_revoked",
            Self::DeviceSignInApproved => "device_sign_in_approved",
            Self::DeviceSignInDenied => "device_sign_in_denied",
        }
    }
}

/// Up to `limit` of the account's events, newest first, before the cursor `before` (an event
/// id).
pub async fn list(
    state: &Context,
    account_id: AccountId,
    before: Option<String>,
    limit: i64,
) -> Result<Vec<SecurityEvent>, DbError> {
    state
        .db
        .read(move |conn| Ok(page(conn, &account_id, before.as_deref(), limit)?))
        .await
}

/// Records an event inside the caller's unit of work.
pub fn record(
    conn: &mut DbConnection,
    account_id: &AccountId,
    kind: EventKind,
    client: &ClientInfo,
    details: Option<serde_json::Value>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    rows::insert(
        conn,
        &NewSecurityEvent {
            id: &uuid::Uuid::now_v7().to_string(),
            account_id,
            kind: kind.as_str(),
            occurred_at: now.naive_utc(),
            client_ip: client.ip.as_deref(),
            user_agent: client.user_agent().as_deref(),
            details: details.map(|d| d.to_string()).as_deref(),
        },
    )
}
