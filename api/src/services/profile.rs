//! The person's own data: correcting the profile (name, phone) and taking a copy of everything
//! the portal holds about them (Indonesia's UU 27/2022 on personal data protection, arts. 5–7
//! and 13: the rights to access and to correct; GDPR arts. 15, 16 and 20).
//!
//! The export is one JSON document: the account, consents with versions, times and addresses,
//! the organizations and projects the person belongs to, trusted devices, sessions, email
//! changes, MFA status and security events. Never a hash, a secret, a token or a code, and
//! nothing about another person (a staff member who reset MFA is not named).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};

use crate::db::models::accounts::{self, Account};
use crate::db::models::{
    devices, email_changes, mfa as mfa_rows, organizations, projects, sessions as session_rows,
};
use crate::db::DbError;
use crate::domain::{AccountId, FullName, PhoneNumber, SessionId};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::services::events::{self, EventKind};
use crate::services::ClientInfo;
use crate::services::Context;

/// A session signed in this recently may export without typing the password again.
pub const RECENT_SIGN_IN_MINUTES: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("sign in again, or send the password")]
    ReauthenticationRequired,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(ProfileError);

/// Changes the name and phone number that are given, validated as at sign-up (every error at
/// once); returns the account as stored now.
pub async fn update(
    state: &Context,
    account_id: AccountId,
    full_name: Option<String>,
    phone_number: Option<String>,
    client: ClientInfo,
) -> Result<Account, ProfileError> {
    let mut errors = Vec::new();
    if full_name.is_none() && phone_number.is_none() {
        errors.push(FieldError::new(
            "full_name",
            "required",
            "send full_name, phone_number or both",
        ));
    }
    let name = full_name.as_deref().and_then(|raw| {
        FullName::parse(raw)
            .map_err(|e| errors.push(FieldError::new("full_name", e.code(), e.to_string())))
            .ok()
    });
    let phone = phone_number.as_deref().and_then(|raw| {
        PhoneNumber::parse(raw, state.settings.default_phone_region.as_deref())
            .map_err(|e| errors.push(FieldError::new("phone_number", e.code(), e.to_string())))
            .ok()
    });
    if !errors.is_empty() {
        return Err(ProfileError::Invalid(errors));
    }
    let now = state.clock.now();
    let name = name.map(|n| n.as_str().to_owned());
    let phone = phone.map(|p| p.as_str().to_owned());
    state
        .db
        .write(move |conn| {
            let before = accounts::find(conn, &account_id)?;
            accounts::update_profile(
                conn,
                &account_id,
                name.as_deref(),
                phone.as_deref(),
                now.naive_utc(),
            )?;
            let mut changed = Vec::new();
            if let Some(before) = &before {
                if name.as_deref().is_some_and(|n| n != before.full_name) {
                    changed.push("full_name");
                }
                if phone.as_deref().is_some_and(|p| p != before.phone_number) {
                    changed.push("phone_number");
                }
            }
            if !changed.is_empty() {
                events::record(
                    conn,
                    &account_id,
                    EventKind::ProfileUpdated,
                    &client,
                    Some(json!({ "fields": changed })),
                    now,
                )?;
            }
            accounts::find(conn, &account_id)?.ok_or(ProfileError::Database(DbError::missing_row()))
        })
        .await
}

/// Whether the session signed in recently enough to export without the password.
pub async fn signed_in_recently(
    state: &Context,
    session_id: SessionId,
) -> Result<bool, ProfileError> {
    let now = state.clock.now().naive_utc();
    let session = state
        .db
        .read(move |conn| Ok::<_, ProfileError>(session_rows::find(conn, &session_id)?))
        .await?;
    Ok(session
        .is_some_and(|s| s.created_at + chrono::Duration::minutes(RECENT_SIGN_IN_MINUTES) >= now))
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
}

/// Everything the portal holds about the account, as one JSON document; the export itself is
/// recorded as a security event.
pub async fn export(
    state: &Context,
    account_id: AccountId,
    client: ClientInfo,
) -> Result<Value, ProfileError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let account = accounts::find(conn, &account_id)?
                .ok_or(ProfileError::Database(DbError::missing_row()))?;
            let consents: Vec<Value> = accounts::consent_records(conn, &account_id)?
                .into_iter()
                .map(|(kind, version, at, ip, ua)| {
                    json!({ "document": kind, "version": version, "accepted_at": utc(at),
                            "ip": ip, "user_agent": ua })
                })
                .collect();
            let mut organizations_out = Vec::new();
            for view in organizations::for_member(conn, &account_id)? {
                let o = view.organization;
                let projects_out: Vec<Value> = projects::for_organization(conn, &o.id)?
                    .into_iter()
                    .map(|p| {
                        json!({
                            "id": p.id, "name": p.name, "description": p.description,
                            "vat_id": p.vat_id, "vat_name": p.vat_name, "vat_address": p.vat_address,
                            "cluster_status": p.cluster_status, "created_at": utc(p.created_at),
                        })
                    })
                    .collect();
                organizations_out.push(json!({
                    "id": o.id, "name": o.name, "address": o.address, "country": o.country,
                    "description": o.description, "business_phone": o.business_phone,
                    "city": o.city, "region": o.region, "zip": o.zip,
                    "sales_representative": view.sales_representative_name,
                    "your_role": view.role, "created_at": utc(o.created_at),
                    "projects": projects_out,
                }));
            }
            let devices_out: Vec<Value> = devices::list_all(conn, &account_id)?
                .into_iter()
                .map(|d| {
                    json!({ "id": d.id, "label": d.label, "trusted_at": utc(d.created_at),
                            "last_seen_at": utc(d.last_seen_at), "last_ip": d.last_ip,
                            "removed_at": d.revoked_at.map(utc) })
                })
                .collect();
            let sessions_out: Vec<Value> = session_rows::list_all(conn, &account_id)?
                .into_iter()
                .map(|s| {
                    json!({ "id": s.id, "started_at": utc(s.created_at),
                            "last_used_at": utc(s.last_used_at), "expires_at": utc(s.expires_at),
                            "ended_at": s.revoked_at.map(utc), "end_reason": s.revoked_reason,
                            "ip": s.client_ip, "user_agent": s.user_agent })
                })
                .collect();
            let tokens_out: Vec<Value> =
                crate::db::models::personal_tokens::all_of(conn, &account_id)?
                    .into_iter()
                    .map(|t| {
                        json!({ "id": t.id, "name": t.name, "scopes": t.scopes,
                                "created_at": utc(t.created_at), "expires_at": utc(t.expires_at),
                                "last_used_at": t.last_used_at.map(utc), "last_used_ip": t.last_used_ip,
                                "revoked_at": t.revoked_at.map(utc), "revoke_reason": t.revoked_reason })
                    })
                    .collect();
            let changes_out: Vec<Value> = email_changes::of_account(conn, &account_id)?
                .into_iter()
                .map(|c| {
                    json!({ "old_email": c.old_email, "new_email": c.new_email,
                            "requested_at": utc(c.created_at),
                            "confirmed_at": c.confirmed_at.map(utc),
                            "cancelled_at": c.cancelled_at.map(utc) })
                })
                .collect();
            let totp = mfa_rows::find(conn, &account_id)?;
            let mfa_out = json!({
                "totp_active": totp.as_ref().is_some_and(|t| t.is_active()),
                "activated_at": totp.as_ref().and_then(|t| t.activated_at).map(utc),
                "recovery_codes_left": mfa_rows::unused_recovery_codes(conn, &account_id)?,
            });
            let events_out: Vec<Value> = events::page(conn, &account_id, None, 10_000)?
                .into_iter()
                .map(|e| {
                    let mut details: Option<Value> =
                        e.details.and_then(|d| serde_json::from_str(&d).ok());
                    // Another person's identifier (the staff member who acted) stays out.
                    if let Some(map) = details.as_mut().and_then(Value::as_object_mut) {
                        map.remove("actor_id");
                    }
                    json!({ "kind": e.kind, "occurred_at": utc(e.occurred_at), "ip": e.client_ip,
                            "user_agent": e.user_agent, "details": details })
                })
                .collect();
            events::record(conn, &account_id, EventKind::DataExported, &client, None, now)?;
            Ok(json!({
                "format": "service-portal-export/1",
                "exported_at": now,
                "account": {
                    "id": account.id, "email": account.email, "full_name": account.full_name,
                    "phone_number": account.phone_number, "account_type": account.account_type,
                    "role": account.role, "locale": account.locale,
                    "email_verified_at": account.email_verified_at.map(utc),
                    "created_at": utc(account.created_at), "updated_at": utc(account.updated_at),
                },
                "consents": consents,
                "organizations": organizations_out,
                "devices": devices_out,
                "sessions": sessions_out,
                "personal_access_tokens": tokens_out,
                "email_changes": changes_out,
                "mfa": mfa_out,
                "security_events": events_out,
            }))
        })
        .await
}
