//! The bearer-token extractor: a handler that takes [`Authenticated`] only runs for a request
//! with a valid access token. Verification is offline (signature and claims), so it costs no
//! database round trip; handlers that need the account load it themselves.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use crate::error::ApiError;
use crate::startup::AppState;

/// The caller, as proven by the access token.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub account_id: String,
    pub session_id: String,
    pub role: String,
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Authenticated, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(&std::io::Error::other("application state missing")))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "missing_token",
                "Send an access token: `Authorization: Bearer <token>`.",
            )
        })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "invalid_token",
                "The Authorization header must use the Bearer scheme.",
            )
        })?;
    match state.jwt.verify(token, state.clock.now()) {
        Ok(claims) => Ok(Authenticated {
            account_id: claims.sub,
            session_id: claims.sid,
            role: claims.role,
        }),
        Err(crate::auth::jwt::TokenError::Expired) => Err(ApiError::unauthorized(
            "token_expired",
            "The access token has expired; refresh it with POST /v1/sessions/refresh.",
        )
        .next("POST", "/v1/sessions/refresh")),
        Err(_) => Err(ApiError::unauthorized(
            "invalid_token",
            "The access token is not valid.",
        )),
    }
}
