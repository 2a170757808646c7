//! What the request says about its client: address (peer, or `X-Forwarded-For` behind a trusted
//! proxy), user agent and preferred language.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::error::ApiError;
use crate::services::ClientInfo;
use crate::startup::AppState;

/// Extractor wrapper for [`ClientInfo`].
pub struct Client(pub ClientInfo);

impl FromRequest for Client {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(Client(client_info(req))))
    }
}

pub fn client_info(req: &HttpRequest) -> ClientInfo {
    let trust_forwarded = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.trust_forwarded_for)
        .unwrap_or(false);
    let forwarded = trust_forwarded
        .then(|| req.headers().get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .and_then(|v| v.parse::<std::net::IpAddr>().ok());
    let ip = forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip()))
        .map(|ip| ip.to_string());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    ClientInfo {
        ip,
        user_agent,
        language: preferred_language(req),
    }
}

/// `en` or `id` from `Accept-Language`, in the order the client prefers them.
pub fn preferred_language(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    value
        .split(',')
        .map(|part| {
            part.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .find_map(|tag| {
            let primary = tag.split('-').next().unwrap_or("");
            match primary {
                "id" | "in" => Some("id".to_owned()),
                "en" => Some("en".to_owned()),
                _ => None,
            }
        })
}

/// A `language` query parameter wins over `Accept-Language`; English by default.
pub fn language(req: &HttpRequest, query: Option<&str>) -> Result<&'static str, ApiError> {
    match query {
        Some("en") => Ok("en"),
        Some("id") => Ok("id"),
        Some(_) => Err(ApiError::bad_request(
            "language_unsupported",
            "language must be \"en\" or \"id\".",
        )),
        None => Ok(match preferred_language(req).as_deref() {
            Some("id") => "id",
            _ => "en",
        }),
    }
}
