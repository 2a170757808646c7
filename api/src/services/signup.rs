//! Sign-up: a person gives their name, email, password and phone number, solves the captcha and
//! accepts the current Terms and Privacy Policy; an SME account is created unverified and a
//! verification link is emailed.
//!
//! The answer is the same whether or not the address was already registered (ASVS 5.0 V6.3.8):
//! the owner of an existing address is emailed instead, and both paths hash a password so they
//! take the same time.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::captcha::CaptchaError;
use crate::auth::password::HashError;
use crate::db::models::accounts::{self, NewAccount, NewConsent};
use crate::db::models::{captcha as redemptions, verifications};
use crate::db::{DbConnection, DbError};
use crate::domain::{AccountId, AccountRole, AccountType, Email, FullName, Password, PhoneNumber};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::Context;
use crate::services::{email_key, legal, throttle, ClientInfo};

/// Lifetime of an email verification link.
pub const VERIFICATION_TTL_HOURS: i64 = 24;

/// The request, as received (the service parses every field).
#[derive(Debug)]
pub struct SignUpRequest {
    pub full_name: String,
    pub email: String,
    pub password: String,
    pub phone_number: String,
    pub captcha: Option<String>,
    /// (kind, version) of each accepted document.
    pub consents: Vec<(String, String)>,
    pub locale: Option<String>,
    /// The token of an organization invitation the person followed to get here.
    pub organization_invitation: Option<String>,
}

/// What a sign-up did, as far as the person may be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUp {
    /// The address, as typed.
    pub email: String,
    /// True when a new account was created from an organization invitation sent to this very
    /// address: its email counts as verified and no verification link is sent.
    pub verified: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("captcha: {0}")]
    Captcha(CaptchaError),
    #[error("too many requests")]
    Throttled(u64),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Legal(#[from] legal::LegalError),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(SignUpError);

/// The accepted locale, from the request or the client, defaulting to English.
pub fn pick_locale(requested: Option<&str>, client: &ClientInfo) -> &'static str {
    mail::language(requested.or(client.language.as_deref()).unwrap_or("en"))
}

pub async fn sign_up(
    state: &Context,
    req: SignUpRequest,
    client: ClientInfo,
) -> Result<SignedUp, SignUpError> {
    let limits = state.settings.throttles;
    let settings = &state.settings;
    let mut errors = Vec::new();

    let name = FullName::parse(&req.full_name)
        .map_err(|e| errors.push(FieldError::new("full_name", e.code(), e.to_string())))
        .ok();
    let email = Email::parse(&req.email, settings.corporate_email_only)
        .map_err(|e| errors.push(FieldError::new("email", e.code(), e.to_string())))
        .ok();
    let personal: Vec<&str> = [req.email.as_str(), req.full_name.as_str()]
        .into_iter()
        .collect();
    let password = Password::parse(&settings.password_policy, &req.password, &personal)
        .map_err(|rules| {
            for rule in rules {
                errors.push(FieldError::new("password", rule.code(), rule.message()));
            }
        })
        .ok();
    let phone = PhoneNumber::parse(&req.phone_number, settings.default_phone_region.as_deref())
        .map_err(|e| errors.push(FieldError::new("phone_number", e.code(), e.to_string())))
        .ok();
    if let Some(locale) = &req.locale {
        if !matches!(locale.as_str(), "en" | "id") {
            errors.push(FieldError::new(
                "locale",
                "locale_unsupported",
                "must be \"en\" or \"id\"",
            ));
        }
    }

    // Consent to the current Terms and Privacy versions.
    let current = legal::all_current(state, "en").await?;
    for kind in ["terms", "privacy"] {
        let Some(doc) = current.iter().find(|d| d.kind == kind) else {
            continue;
        };
        match req.consents.iter().find(|(k, _)| k == kind) {
            None => errors.push(FieldError::new(
                "consents",
                "consent_required",
                format!("you must accept the {}", doc.title),
            )),
            Some((_, version)) if *version != doc.version => errors.push(FieldError::new(
                "consents",
                "consent_outdated",
                format!(
                    "version {version} of the {} is not the current one ({})",
                    doc.title, doc.version
                ),
            )),
            Some(_) => {}
        }
    }
    for (kind, _) in &req.consents {
        if !["terms", "privacy"].contains(&kind.as_str()) {
            errors.push(FieldError::new(
                "consents",
                "consent_unknown",
                format!("{kind:?} cannot be accepted at sign-up"),
            ));
        }
    }

    let (Some(name), Some(email), Some(password), Some(phone)) = (name, email, password, phone)
    else {
        return Err(SignUpError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(SignUpError::Invalid(errors));
    }

    let now = state.clock.now();
    let pass = state
        .captcha
        .verify(
            req.captcha.as_deref(),
            client.ip.as_deref().and_then(|ip| ip.parse().ok()),
            now,
        )
        .await
        .map_err(SignUpError::Captcha)?;

    // Hash on both paths so that an existing address answers in the same time.
    let password_hash = state.hasher.hash(password.expose().to_owned()).await?;

    let locale = pick_locale(req.locale.as_deref(), &client).to_owned();
    let consents: Vec<(String, String)> = current
        .iter()
        .filter(|d| d.kind == "terms" || d.kind == "privacy")
        .map(|d| (d.kind.clone(), d.version.clone()))
        .collect();
    let link_base = settings.link("/verify-email?token=");
    let sign_in_url = settings.link("/sign-in");
    let normalized = email.normalized();
    let email_text = email.as_str().to_owned();
    let invitation = req.organization_invitation;

    let verified = state
        .db
        .write(move |conn| {
            if let Some(ip) = &client.ip {
                if let Some(wait) = throttle::take(conn, &format!("signup:ip:{ip}"), limits.email_requests_per_client, now)? {
                    return Err(SignUpError::Throttled(wait));
                }
            }
            if let Some((id, expires)) = &pass.single_use {
                if let Err(e) = redemptions::redeem(conn, id, expires.naive_utc()) {
                    let e = DbError::from(e);
                    return Err(if e.is_unique_violation() {
                        SignUpError::Captcha(CaptchaError::Invalid)
                    } else {
                        SignUpError::Database(e)
                    });
                }
            }
            match accounts::find_by_email(conn, &normalized)? {
                Some(existing) if existing.email_verified_at.is_none() => {
                    // Whatever link brought them here, an existing account is answered as ever.
                    // The owner never verified: a new link is the helpful answer. Throttled like a resend.
                    if throttle::take(conn, &format!("resend:{}", email_key(&normalized)), limits.resend_interval, now)?.is_none() {
                        issue_verification(conn, &existing.id, &existing.email, &existing.full_name, &existing.locale, &link_base, now)?;
                    }
                }
                Some(existing) => {
                    if throttle::take(conn, &format!("exists:{}", email_key(&normalized)), limits.resend_per_hour, now)?.is_none() {
                        mail::enqueue(
                            conn,
                            &existing.email,
                            Template::AccountExists,
                            &existing.locale,
                            &json!({ "full_name": existing.full_name, "sign_in_url": sign_in_url, "reset_hint": null }),
                            now.naive_utc(),
                        )?;
                    }
                }
                None => {
                    let id = AccountId::generate();
                    let at = now.naive_utc();
                    // Signing up from an invitation to this address proves the mailbox, as the
                    // verification link would (NIST SP 800-63A: the address is confirmed by a
                    // secret sent to it).
                    let from_invitation = match &invitation {
                        Some(token) => crate::services::teams::invites(conn, token, &normalized, at)?,
                        None => false,
                    };
                    // A simultaneous sign-up for the same address may win the unique index
                    // (PostgreSQL): then this one is answered alike and creates nothing.
                    let inserted = accounts::insert_unless_taken(
                        conn,
                        &NewAccount {
                            id: &id,
                            email: &email_text,
                            email_normalized: &normalized,
                            full_name: name.as_str(),
                            phone_number: phone.as_str(),
                            password_hash: Some(&password_hash),
                            account_type: AccountType::Sme,
                            role: AccountRole::User,
                            locale: &locale,
                            email_verified_at: from_invitation.then_some(at),
                            created_at: at,
                            updated_at: at,
                        },
                    );
                    if !inserted? {
                        return Ok(false);
                    }
                    for (kind, version) in &consents {
                        accounts::insert_consent(
                            conn,
                            &NewConsent {
                                id: &uuid::Uuid::now_v7().to_string(),
                                account_id: &id,
                                kind,
                                version,
                                accepted_at: at,
                                client_ip: client.ip.as_deref(),
                                user_agent: client.user_agent().as_deref(),
                            },
                        )?;
                    }
                    if from_invitation {
                        return Ok(true);
                    }
                    issue_verification(conn, &id, &email_text, name.as_str(), &locale, &link_base, now)?;
                }
            }
            Ok(false)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(SignedUp {
        email: email.as_str().to_owned(),
        verified,
    })
}

/// Creates a verification token for the account and queues the email with its link.
pub fn issue_verification(
    conn: &mut DbConnection,
    account_id: &AccountId,
    email: &str,
    full_name: &str,
    locale: &str,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let token = crate::auth::tokens::new_token();
    let at = now.naive_utc();
    verifications::insert(
        conn,
        &verifications::NewEmailVerification {
            id: &uuid::Uuid::now_v7().to_string(),
            account_id,
            token_hash: &crate::auth::tokens::hash_token(&token),
            created_at: at,
            expires_at: at + chrono::Duration::hours(VERIFICATION_TTL_HOURS),
        },
    )?;
    mail::enqueue(
        conn,
        email,
        Template::VerifyEmail,
        locale,
        &json!({ "full_name": full_name, "link": format!("{link_base}{token}"), "expires_hours": VERIFICATION_TTL_HOURS }),
        at,
    )?;
    Ok(())
}
