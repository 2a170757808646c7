//! The body and query extractors. Both wait for the request's guard (see
//! [`crate::auth::extract::BodyGate`]) before they read anything, so an unauthenticated or
//! forbidden request is refused for that, whatever its body or query.
//!
//! A body must be `application/json`, at most 64 KiB, and a JSON object. Parsing the syntax
//! first tells a truncated or broken document (`malformed_json`) from a well-formed one that
//! does not match the schema (`invalid_body`). A mismatch names the field and a stable code in
//! `errors[]` — `required`, `unknown_field`, `invalid_type`, `invalid_value` — and never passes
//! on a parser's own words (OWASP ASVS 5.0 V16.5.1: no internal detail in error answers).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use crate::auth::extract::BodyGate;
use crate::error::{self, ApiError, FieldError, ProblemCode};

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
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            BodyGate::wait(&req).await;
            if !is_json(&req) {
                return Err(error::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
            }
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    error::for_status(StatusCode::PAYLOAD_TOO_LARGE)
                } else {
                    ApiError::bad_request(ProblemCode::InvalidBody, "The body could not be read.")
                }
            })?;
            let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| {
                ApiError::bad_request(ProblemCode::MalformedJson, "The body is not valid JSON.")
            })?;
            if !value.is_object() {
                return Err(ApiError::bad_request(
                    ProblemCode::InvalidBody,
                    "The body must be a JSON object.",
                ));
            }
            serde_path_to_error::deserialize(value)
                .map(Json)
                .map_err(|e| {
                    let field = field_error(e.path(), &e.inner().to_string());
                    ApiError::bad_request(
                        ProblemCode::InvalidBody,
                        format!(
                            "The body does not match the schema: `{}` {}.",
                            field.field, field.message
                        ),
                    )
                    .with_errors(vec![field])
                })
        })
    }
}

/// A query string parsed into `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            BodyGate::wait(&req).await;
            let query = req.query_string().as_bytes();
            let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query));
            serde_path_to_error::deserialize(de)
                .map(Query)
                .map_err(|e| {
                    let field = field_error(e.path(), &e.inner().to_string());
                    ApiError::bad_request(
                        ProblemCode::InvalidQuery,
                        format!(
                            "The query string is not valid: `{}` {}.",
                            field.field, field.message
                        ),
                    )
                    .with_errors(vec![field])
                })
        })
    }
}

/// Turns a deserializer's complaint at `path` into a field error of our own words. Only the
/// field name is taken from the complaint (for a missing or unknown field, which serde reports
/// at the parent), never its text.
fn field_error(path: &serde_path_to_error::Path, message: &str) -> FieldError {
    let parent = path.to_string();
    let parent = if parent == "." { String::new() } else { parent };
    // Where serde reports the field itself (an unknown one), the path already ends with it.
    let join = |name: &str| {
        let name = clean_name(name);
        if parent.is_empty() {
            name
        } else if parent == name || parent.ends_with(&format!(".{name}")) {
            parent.clone()
        } else {
            format!("{parent}.{name}")
        }
    };
    if let Some(name) = quoted_after(message, "missing field `") {
        return FieldError::new(join(name), "required", "is required");
    }
    if let Some(name) = quoted_after(message, "unknown field `") {
        return FieldError::new(join(name), "unknown_field", "is not a known field");
    }
    let field = if parent.is_empty() {
        "body".to_owned()
    } else {
        parent
    };
    if message.starts_with("invalid type") {
        let expected = message.split("expected ").nth(1).unwrap_or("");
        return FieldError::new(field, "invalid_type", expected_type(expected));
    }
    FieldError::new(field, "invalid_value", "has a value that is not allowed")
}

/// The name between a prefix and the next backtick.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.split_once(prefix)?.1;
    rest.split_once('`').map(|(name, _)| name)
}

/// A field name as the client sent it, bounded and printable.
fn clean_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// "must be …" for what the schema expected.
fn expected_type(expected: &str) -> &'static str {
    let e = expected.to_ascii_lowercase();
    if e.contains("string") || e.contains("char") {
        "must be a string"
    } else if e.contains("bool") {
        "must be true or false"
    } else if e.starts_with('u') || e.starts_with('i') || e.contains("integer") {
        "must be a whole number"
    } else if e.starts_with('f') || e.contains("number") {
        "must be a number"
    } else if e.contains("sequence") || e.contains("array") || e.contains("vec") {
        "must be an array"
    } else if e.contains("struct") || e.contains("map") || e.contains("object") {
        "must be an object"
    } else {
        "has the wrong type"
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        version: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        limit: Option<u32>,
        items: Vec<Inner>,
        flag: Option<bool>,
    }

    fn error_of(json: serde_json::Value) -> FieldError {
        let e = serde_path_to_error::deserialize::<_, Body>(json).unwrap_err();
        field_error(e.path(), &e.inner().to_string())
    }

    #[test]
    fn mismatches_name_the_field_in_our_own_words() {
        let cases = [
            (
                serde_json::json!({"items": []}),
                ("email", "required", "is required"),
            ),
            (
                serde_json::json!({"email": 5, "items": []}),
                ("email", "invalid_type", "must be a string"),
            ),
            (
                serde_json::json!({"email": "a", "items": [], "limit": "x"}),
                ("limit", "invalid_type", "must be a whole number"),
            ),
            (
                serde_json::json!({"email": "a", "items": [], "flag": 1}),
                ("flag", "invalid_type", "must be true or false"),
            ),
            (
                serde_json::json!({"email": "a", "items": [], "color": 1}),
                ("color", "unknown_field", "is not a known field"),
            ),
            (
                serde_json::json!({"email": "a", "items": [{}]}),
                ("items[0].version", "required", "is required"),
            ),
            (
                serde_json::json!({"email": "a", "items": [{"version": "1", "extra": 1}]}),
                ("items[0].extra", "unknown_field", "is not a known field"),
            ),
            (
                serde_json::json!({"email": "a", "items": {}}),
                ("items", "invalid_type", "must be an array"),
            ),
            (
                serde_json::json!({"email": "a", "items": [], "limit": -1}),
                ("limit", "invalid_value", "has a value that is not allowed"),
            ),
        ];
        for (body, (field, code, message)) in cases {
            let e = error_of(body.clone());
            assert_eq!(
                (e.field.as_str(), e.code.as_str(), e.message.as_str()),
                (field, code, message),
                "{body}"
            );
        }
    }
}
