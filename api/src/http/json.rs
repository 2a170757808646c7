//! The JSON body extractor: `application/json` only, at most 64 KiB, an object, and then the
//! DTO. Parsing the syntax first lets a truncated or broken document be told apart
//! (`malformed_json`) from a well-formed one that does not match the schema (`invalid_body`),
//! wherever the first error is.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::{self, ApiError};

/// A request body parsed from JSON into `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !is_json(req) {
            return Box::pin(std::future::ready(Err(error::for_status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ))));
        }
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    error::for_status(StatusCode::PAYLOAD_TOO_LARGE)
                } else {
                    ApiError::bad_request("invalid_body", "The body could not be read.")
                }
            })?;
            let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| {
                ApiError::bad_request("malformed_json", "The body is not valid JSON.")
            })?;
            if !value.is_object() {
                return Err(ApiError::bad_request(
                    "invalid_body",
                    "The body must be a JSON object.",
                ));
            }
            serde_json::from_value(value).map(Json).map_err(|e| {
                let message: String = e
                    .to_string()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                ApiError::bad_request(
                    "invalid_body",
                    format!("The body does not match the schema: {message}"),
                )
            })
        })
    }
}
