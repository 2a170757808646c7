//! Security events: what happened to an account and from where, for the person to review
//! (`GET /v1/me/security-events`) and for support. Recorded in the same unit of work as the
//! change they describe. Never holds a password, token or code.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::security_events;
use crate::db::DbConnection;
use crate::services::ClientInfo;

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

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = security_events)]
pub struct SecurityEvent {
    pub id: String,
    pub account_id: String,
    pub kind: String,
    pub occurred_at: chrono::NaiveDateTime,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: Option<String>,
}

/// Records an event inside the caller's unit of work.
pub fn record(
    conn: &mut DbConnection,
    account_id: &str,
    kind: EventKind,
    client: &ClientInfo,
    details: Option<serde_json::Value>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(security_events::table)
        .values((
            security_events::id.eq(uuid::Uuid::now_v7().to_string()),
            security_events::account_id.eq(account_id),
            security_events::kind.eq(kind.as_str()),
            security_events::occurred_at.eq(now.naive_utc()),
            security_events::client_ip.eq(client.ip.as_deref()),
            security_events::user_agent.eq(client.user_agent()),
            security_events::details.eq(details.map(|d| d.to_string())),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A page of the account's events, newest first, before the cursor (an event id; ids are
/// UUIDv7, so they sort by time).
pub fn page(
    conn: &mut DbConnection,
    account_id: &str,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<SecurityEvent>> {
    let mut query = security_events::table
        .filter(security_events::account_id.eq(account_id))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(security_events::id.lt(before.to_owned()));
    }
    query
        .order(security_events::id.desc())
        .limit(limit)
        .select(SecurityEvent::as_select())
        .load(conn)
}
