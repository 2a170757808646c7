//! Security notifications: an email to the account's address, in its language, whenever
//! something happens that the person must be able to undo if it was not them — password
//! changed or reset, MFA switched off or reset by staff, a recovery code used, the right
//! password followed by wrong codes, a sign-in from a new device (OWASP ASVS 5.0 V6.3.5,
//! V6.3.7). Each says when, from which address and device, and links to the password reset.
//! Queued in the outbox inside the caller's unit of work, so the notice is sent exactly when the
//! change commits.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::db::models::accounts::Account;
use crate::db::DbConnection;
use crate::mail::{self, Template};
use crate::services::{describe_user_agent, ClientInfo};

/// What happened, with what the message needs beyond the common facts.
#[derive(Debug, Clone, Copy)]
pub enum Notice {
    /// `via_reset`: from a reset link (rather than the account page); `sessions_ended`: other
    /// sessions were signed out.
    PasswordChanged {
        via_reset: bool,
        sessions_ended: bool,
    },
    MfaDisabled,
    MfaReset,
    RecoveryCodeUsed {
        remaining: i64,
    },
    MfaFailures {
        attempts: i32,
    },
    NewDeviceSignIn,
}

/// Queues the notice for `account` inside the caller's unit of work.
pub fn send(
    conn: &mut DbConnection,
    account: &Account,
    notice: Notice,
    client: &ClientInfo,
    public_url: &str,
    now: DateTime<Utc>,
) -> crate::db::QueryResult<()> {
    let mut vars = json!({
        "full_name": account.full_name,
        "occurred_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
        "ip": client.ip,
        "device": client
            .user_agent
            .as_deref()
            .map(|ua| describe_user_agent(Some(ua))),
        "reset_url": format!("{public_url}/forgot-password"),
    });
    let template = match notice {
        Notice::PasswordChanged {
            via_reset,
            sessions_ended,
        } => {
            extend(&mut vars, "via_reset", json!(via_reset));
            extend(&mut vars, "sessions_ended", json!(sessions_ended));
            Template::PasswordChanged
        }
        Notice::MfaDisabled => Template::MfaDisabled,
        Notice::MfaReset => {
            // Done by staff: their address and browser are not the person's business.
            extend(&mut vars, "ip", Value::Null);
            extend(&mut vars, "device", Value::Null);
            Template::MfaReset
        }
        Notice::RecoveryCodeUsed { remaining } => {
            extend(&mut vars, "remaining", json!(remaining));
            Template::RecoveryCodeUsed
        }
        Notice::MfaFailures { attempts } => {
            extend(&mut vars, "attempts", json!(attempts));
            Template::MfaFailures
        }
        Notice::NewDeviceSignIn => Template::NewDeviceSignIn,
    };
    mail::enqueue(
        conn,
        &account.email,
        template,
        &account.locale,
        &vars,
        now.naive_utc(),
    )
}

fn extend(vars: &mut Value, key: &str, value: Value) {
    if let Some(map) = vars.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}
