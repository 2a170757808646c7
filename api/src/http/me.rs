//! `GET /v1/me`: the signed-in account.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::extract::Authenticated;
use crate::error::{ApiError, Problem};
use crate::services::accounts::{self, AccountError};
use crate::startup::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    #[schema(example = "budi@example.co.id")]
    pub email: String,
    #[schema(example = "Budi Santoso")]
    pub full_name: String,
    /// E.164.
    #[schema(example = "+6281234567890")]
    pub phone_number: String,
    /// `sme` (self-service) or `enterprise` (created by staff).
    #[schema(example = "sme")]
    pub account_type: String,
    /// `user` or `admin`.
    #[schema(example = "user")]
    pub role: String,
    #[schema(example = "en")]
    pub locale: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::SessionEnded => {
                ApiError::unauthorized("session_ended", "This session has ended; sign in again.")
                    .next("POST", "/v1/sessions")
            }
            AccountError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// Who am I.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in account", body = Me),
        (status = 401, description = "No valid access token, or the session ended", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let a = accounts::current(&state, auth.account_id, auth.session_id).await?;
    let utc = |t| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc);
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Me {
            id: a.id,
            email: a.email,
            full_name: a.full_name,
            phone_number: a.phone_number,
            account_type: a.account_type,
            role: a.role,
            locale: a.locale,
            email_verified_at: a.email_verified_at.map(utc),
            created_at: utc(a.created_at),
        }))
}
