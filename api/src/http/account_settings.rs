//! Account settings and the person's data rights: `PATCH /v1/me` (profile), the sign-in email
//! change (`/v1/me/email-changes`, `/v1/email-changes/confirm`, `/v1/email-changes/cancel`) and
//! the data export (`/v1/me/export`), and closing the account (`DELETE /v1/me`, restored with
//! `/v1/account-closures/restore`; staff: `DELETE /v1/admin/accounts/{id}`). The rules are in [`crate::services::profile`] and
//! [`crate::services::email_changes`].

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::{Caller, Onboarded, Staff};
use crate::domain::AccountId;
use crate::error::{ApiError, FieldError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::json::Json;
use crate::http::me::Me;
use crate::services::closure::{self, ClosureError};
use crate::services::email_changes::{self, EmailChangeError};
use crate::services::passwords::{self, PasswordError};
use crate::services::profile::{self, ProfileError};
use crate::startup::AppState;

impl From<ProfileError> for ApiError {
    fn from(e: ProfileError) -> Self {
        match e {
            ProfileError::Invalid(errors) => ApiError::validation(errors),
            ProfileError::ReauthenticationRequired => ApiError::new(
                StatusCode::FORBIDDEN,
                ProblemCode::ReauthenticationRequired,
                "Confirm it is you",
            )
            .detail(
                "Send your password (and a code while MFA is on) with POST /v1/me/export, or \
                 sign in again: a sign-in of the last 5 minutes is enough.",
            )
            .next("POST", "/v1/me/export"),
            ProfileError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// A re-authentication failure, with the password field named `password`.
pub(crate) fn reauthentication_problem(e: PasswordError) -> ApiError {
    match e {
        PasswordError::WrongPassword => ApiError::validation(vec![FieldError::new(
            "password",
            "wrong_password",
            "is not your current password",
        )]),
        other => other.into(),
    }
}

impl From<EmailChangeError> for ApiError {
    fn from(e: EmailChangeError) -> Self {
        match e {
            EmailChangeError::Invalid(errors) => ApiError::validation(errors),
            EmailChangeError::Reauthentication(p) => reauthentication_problem(p),
            EmailChangeError::LinkInvalid => ApiError::bad_request(
                ProblemCode::EmailChangeLinkInvalid,
                "This link is not valid: it was used, replaced by a newer one, cancelled, or it \
                 expired.",
            ),
            EmailChangeError::Taken => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::EmailTaken,
                "The address is taken",
            )
            .detail("This address is already used by another account."),
            EmailChangeError::Database(db) => ApiError::internal(&db),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfileBody {
    /// As at sign-up.
    #[schema(example = "Budi Santoso", max_length = 100)]
    pub full_name: Option<String>,
    /// With country code (E.164), or national in the portal's default region.
    #[schema(example = "+62 812 3456 7890", max_length = 32)]
    pub phone_number: Option<String>,
}

/// Change my profile.
///
/// The name and the phone number, validated as at sign-up (every error at once). Recorded as a
/// security event. The email address changes through `POST /v1/me/email-changes`.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = UpdateProfileBody,
    responses(
        (status = 200, description = "The account as stored now", body = Me),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`errors` lists each)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/me")]
pub async fn update_profile(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    body: Json<UpdateProfileBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let account = profile::update(
        &state,
        caller.0.account.id,
        body.full_name,
        body.phone_number,
        client,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Me::from(account)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChangeBody {
    #[schema(example = "budi@majujaya.co.id", max_length = 254)]
    pub new_email: String,
    /// The current password.
    #[schema(format = Password, max_length = 1024)]
    pub password: String,
    /// A code from the authenticator app or a recovery code; required while MFA is active.
    #[schema(example = "123456", max_length = 64)]
    pub mfa_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChangeRequested {
    #[schema(example = "We sent a link to the new address; the change is made when it is opened.")]
    pub message: String,
    pub new_email: String,
    /// When the confirmation link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Change my sign-in email.
///
/// Needs the current password (a wrong one counts like a failed sign-in) and, while MFA is
/// active, a current code. The new address gets a confirmation link (30 minutes, single use, the
/// newest only); the current address gets a notice with a link that cancels the change for 7
/// days, even after it was confirmed. Whether the new address is already another account's is
/// not told here.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = EmailChangeBody,
    responses(
        (status = 202, description = "Links sent", body = EmailChangeRequested),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `new_email` (incl. `email_unchanged`), wrong `password` (`wrong_password`), `mfa_code` missing or wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/email-changes")]
pub async fn request_email_change(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    body: Json<EmailChangeBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.new_email.len() > crate::domain::email::MAX_INPUT {
        return Err(EmailChangeError::Invalid(vec![FieldError::new(
            "new_email",
            "email_too_long",
            "must be at most 254 characters",
        )])
        .into());
    }
    let Onboarded(caller) = caller;
    let session_id = caller.session_id()?;
    let requested = email_changes::request(
        &state,
        caller.account,
        session_id,
        body.new_email,
        body.password,
        body.mfa_code,
        client,
    )
    .await?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Cache-Control", "no-store"))
        .json(EmailChangeRequested {
            message: "We sent a link to the new address; the change is made when it is opened."
                .to_owned(),
            new_email: requested.new_email,
            expires_at: requested.expires_at,
        }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChangeTokenBody {
    /// The `token` of the emailed link.
    #[schema(max_length = 128)]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChangeConfirmed {
    /// The account's sign-in email now.
    #[schema(example = "budi@majujaya.co.id")]
    pub email: String,
}

/// Confirm a new sign-in email.
///
/// With the link sent to the new address: the account signs in with it from now on (it counts
/// as verified), its other sessions end, and the old address is told, with a link that cancels
/// the change for 7 days.
#[utoipa::path(
    tag = "accounts",
    request_body = EmailChangeTokenBody,
    responses(
        (status = 200, description = "Moved", body = EmailChangeConfirmed),
        (status = 400, description = "The link is not valid: used, replaced, cancelled, expired or unknown (`email_change_link_invalid`); or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The address is another account's (`email_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/email-changes/confirm")]
pub async fn confirm_email_change(
    state: web::Data<AppState>,
    Client(client): Client,
    body: Json<EmailChangeTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let email = email_changes::confirm(&state, body.into_inner().token, client).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(EmailChangeConfirmed { email }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChangeCancelled {
    /// The account's sign-in email now (the old one).
    #[schema(example = "budi@example.co.id")]
    pub email: String,
    /// A password reset link was sent to that address.
    pub password_reset_sent: bool,
}

/// Cancel a change of sign-in email.
///
/// With the link sent to the old address, within 7 days, even after the change was confirmed:
/// the old address is kept or restored, every session ends, and a password reset link is sent
/// to it — whoever asked for the change knew the password.
#[utoipa::path(
    tag = "accounts",
    request_body = EmailChangeTokenBody,
    responses(
        (status = 200, description = "Cancelled", body = EmailChangeCancelled),
        (status = 400, description = "The link is not valid (`email_change_link_invalid`), or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The old address has meanwhile become another account's (`email_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/email-changes/cancel")]
pub async fn cancel_email_change(
    state: web::Data<AppState>,
    Client(client): Client,
    body: Json<EmailChangeTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let cancelled = email_changes::cancel(&state, body.into_inner().token, client).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(EmailChangeCancelled {
            email: cancelled.email,
            password_reset_sent: cancelled.password_reset_sent,
        }))
}

fn export_response(document: serde_json::Value, now: DateTime<Utc>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"service-portal-data-{}.json\"",
                now.format("%Y-%m-%d")
            ),
        ))
        .json(document)
}

/// Download my data.
///
/// Everything the portal holds about the account as one JSON document: the account, consents
/// (versions, times, addresses), organizations and projects, trusted devices, sessions, email
/// changes, MFA status and security events — never a hash, a secret, a token or another
/// person's data. Allowed within 5 minutes of signing in; otherwise `403
/// reauthentication_required`: use `POST /v1/me/export` with the password.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document (also offered as a file download)", body = serde_json::Value, content_type = "application/json",
            example = json!({"format": "service-portal-export/1", "exported_at": "2026-12-06T09:30:00Z",
                "account": {"id": "01938a6e-7c1d-7b3e-9f2a-5d4c3b2a1f0e", "email": "budi@example.co.id", "full_name": "Budi Santoso",
                    "phone_number": "+6281234567890", "account_type": "sme", "role": "user", "locale": "id",
                    "email_verified_at": "2026-12-01T08:00:00Z", "created_at": "2026-12-01T07:55:00Z", "updated_at": "2026-12-01T08:00:00Z"},
                "consents": [], "organizations": [], "devices": [], "sessions": [], "email_changes": [], "mfa": null, "security_events": []})),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or signed in more than 5 minutes ago (`reauthentication_required`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/export")]
pub async fn export(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
) -> Result<HttpResponse, ApiError> {
    let Onboarded(caller) = caller;
    if !profile::signed_in_recently(&state, caller.session_id()?).await? {
        return Err(ProfileError::ReauthenticationRequired.into());
    }
    let document = profile::export(&state, caller.account.id, client).await?;
    Ok(export_response(document, state.clock.now()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    #[schema(format = Password, max_length = 1024)]
    pub password: String,
    /// A code from the authenticator app or a recovery code; required while MFA is active.
    #[schema(example = "123456", max_length = 64)]
    pub mfa_code: Option<String>,
}

/// Download my data, confirming with the password.
///
/// The same document as `GET /v1/me/export`, at any time, with the password (a wrong one counts
/// like a failed sign-in) and, while MFA is active, a current code.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ExportBody,
    responses(
        (status = 200, description = "The document (also offered as a file download)", body = serde_json::Value, content_type = "application/json",
            example = json!({"format": "service-portal-export/1", "exported_at": "2026-12-06T09:30:00Z",
                "account": {"id": "01938a6e-7c1d-7b3e-9f2a-5d4c3b2a1f0e", "email": "budi@example.co.id", "full_name": "Budi Santoso",
                    "phone_number": "+6281234567890", "account_type": "sme", "role": "user", "locale": "id",
                    "email_verified_at": "2026-12-01T08:00:00Z", "created_at": "2026-12-01T07:55:00Z", "updated_at": "2026-12-01T08:00:00Z"},
                "consents": [], "organizations": [], "devices": [], "sessions": [], "email_changes": [], "mfa": null, "security_events": []})),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong `password` (`wrong_password`), `mfa_code` missing or wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/export")]
pub async fn export_with_password(
    state: web::Data<AppState>,
    caller: Onboarded,
    Client(client): Client,
    body: Json<ExportBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let Onboarded(caller) = caller;
    passwords::reauthenticate(
        &state,
        &caller.account,
        body.password,
        body.mfa_code,
        &client,
        "data_export",
    )
    .await
    .map_err(reauthentication_problem)?;
    let document = profile::export(&state, caller.account.id, client).await?;
    Ok(export_response(document, state.clock.now()))
}

impl From<ClosureError> for ApiError {
    fn from(e: ClosureError) -> Self {
        match e {
            ClosureError::Reauthentication(p) => reauthentication_problem(p),
            ClosureError::SoleOwner(names) => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::SoleOwner,
                "Organizations would be left without an owner",
            )
            .detail(format!(
                "You are the only owner of organizations that have projects or other members \
                 ({}): make another member an owner, or delete their projects and the \
                 organization, first.",
                names.join(", ")
            )),
            ClosureError::NotFound => ApiError::not_found(),
            ClosureError::LinkInvalid => ApiError::bad_request(
                ProblemCode::RestoreLinkInvalid,
                "This link is not valid: it was used, or the account's data was already erased.",
            ),
            ClosureError::Database(db) => ApiError::internal(&db),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseAccountBody {
    #[schema(format = Password, max_length = 1024)]
    pub password: String,
    /// A code from the authenticator app or a recovery code; required while MFA is active.
    #[schema(example = "123456", max_length = 64)]
    pub mfa_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountClosed {
    /// When the personal data is erased unless the account is restored first (with the link
    /// emailed now).
    pub erase_after: DateTime<Utc>,
}

/// Close my account.
///
/// With the password (a wrong one counts like a failed sign-in) and, while MFA is active, a
/// current code. Every session ends at once and sign-in is refused; an email carries a link that
/// restores the account until `erase_after` (30 days by default), when the personal data is
/// erased and only the consent records are kept. Refused (`409 sole_owner`) while you are the
/// only owner of an organization that has projects or other members.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = CloseAccountBody,
    responses(
        (status = 202, description = "Closed; erased at `erase_after` unless restored", body = AccountClosed),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The only owner of organizations with projects or other members (`sole_owner`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong `password` (`wrong_password`), `mfa_code` missing or wrong", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me")]
pub async fn close_account(
    state: web::Data<AppState>,
    caller: Caller,
    Client(client): Client,
    body: Json<CloseAccountBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let closed =
        closure::close_own(&state, caller.account, body.password, body.mfa_code, client).await?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Cache-Control", "no-store"))
        .json(AccountClosed {
            erase_after: closed.erase_after,
        }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreAccountBody {
    /// The `token` of the link emailed when the account was closed.
    #[schema(max_length = 128)]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountRestored {
    /// Sign in with this address as before.
    pub email: String,
}

/// Restore a closed account.
///
/// With the link emailed when the account was closed, until its data is erased: the account
/// works again as before (sign in as usual).
#[utoipa::path(
    tag = "accounts",
    request_body = RestoreAccountBody,
    responses(
        (status = 200, description = "Restored", body = AccountRestored),
        (status = 400, description = "The link is not valid (`restore_link_invalid`), or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/account-closures/restore")]
pub async fn restore_account(
    state: web::Data<AppState>,
    Client(client): Client,
    body: Json<RestoreAccountBody>,
) -> Result<HttpResponse, ApiError> {
    let email = closure::restore(&state, body.into_inner().token, client).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(AccountRestored { email }))
}

/// Close an account (staff).
///
/// The same as the person closing it, without their password: sessions end, sign-in is
/// refused, the person is emailed a restore link valid until the erasure. Refused (`409
/// sole_owner`) while the person is the only owner of an organization that has projects or
/// other members.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 202, description = "Closed; erased at `erase_after` unless restored", body = AccountClosed),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff, or onboarding incomplete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The only owner of organizations with projects or other members (`sole_owner`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/admin/accounts/{id}")]
pub async fn close_account_by_staff(
    state: web::Data<AppState>,
    staff: Staff,
    Client(client): Client,
    path: web::Path<AccountId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let Staff(staff) = staff;
    let closed = closure::close_by_staff(&state, id, staff.account.id, client).await?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Cache-Control", "no-store"))
        .json(AccountClosed {
            erase_after: closed.erase_after,
        }))
}
