//! Email: messages are written to the outbox in the same transaction as the change that caused
//! them ([`enqueue`]); the [`worker`] renders and delivers them after commit, over SMTP or to
//! files and the console when no SMTP server is configured.

pub mod templates;
pub mod transport;
pub mod worker;

use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde::Serialize;

use crate::db::models::outbox::{self, NewOutboxMessage};
use crate::db::DbConnection;

/// The messages the product sends; each has a folder under `templates/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    VerifyEmail,
    AccountExists,
    AlreadyVerified,
    DeviceCode,
    ClusterReady,
    ClusterFailed,
    Invitation,
    MfaEnabled,
    PasswordChanged,
    PasswordReset,
    MfaDisabled,
    MfaReset,
    RecoveryCodeUsed,
    MfaFailures,
    NewDeviceSignIn,
    EmailChangeConfirm,
    EmailChangeRequested,
    EmailChanged,
    AccountClosed,
    OrganizationInvitation,
    OrganizationMembership,
    OrganizationDeleted,
    ProjectDeleted,
    PersonalTokenCreated,
    PersonalTokenRevoked,
    PersonalTokenExpiring,
}

impl Template {
    pub fn name(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::AccountExists => "account_exists",
            Self::AlreadyVerified => "already_verified",
            Self::DeviceCode => "device_code",
            Self::ClusterReady => "cluster_ready",
            Self::ClusterFailed => "cluster_failed",
            Self::Invitation => "invitation",
            Self::MfaEnabled => "mfa_enabled",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::MfaDisabled => "mfa_disabled",
            Self::MfaReset => "mfa_reset",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::MfaFailures => "mfa_failures",
            Self::NewDeviceSignIn => "new_device_sign_in",
            Self::EmailChangeConfirm => "email_change_confirm",
            Self::EmailChangeRequested => "email_change_requested",
            Self::EmailChanged => "email_changed",
            Self::AccountClosed => "account_closed",
            Self::OrganizationInvitation => "organization_invitation",
            Self::OrganizationMembership => "organization_membership",
            Self::OrganizationDeleted => "organization_deleted",
            Self::ProjectDeleted => "project_deleted",
            Self::PersonalTokenCreated => "personal_token_created",
            Self::PersonalTokenRevoked => "personal_token_revoked",
            Self::PersonalTokenExpiring => "personal_token_expiring",
        }
    }
}

/// Languages emails are written in; anything else falls back to English.
pub fn language(locale: &str) -> &'static str {
    if locale.eq_ignore_ascii_case("id") || locale.to_ascii_lowercase().starts_with("id-") {
        "id"
    } else {
        "en"
    }
}

/// Adds a message to the outbox inside the caller's transaction.
pub fn enqueue<V: Serialize>(
    conn: &mut DbConnection,
    recipient: &str,
    template: Template,
    locale: &str,
    vars: &V,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let payload = serde_json::to_string(vars)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let id = uuid::Uuid::now_v7().to_string();
    outbox::insert(
        conn,
        &NewOutboxMessage {
            id: &id,
            recipient,
            template: template.name(),
            language: language(locale),
            payload: &payload,
            status: "pending",
            next_attempt_at: now,
            created_at: now,
        },
    )
}
