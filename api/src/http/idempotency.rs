//! `Idempotency-Key` on the create endpoints (sign-up, organizations, projects), after IETF
//! draft-ietf-httpapi-idempotency-key-header: a client that did not get the answer to a create
//! request (timeout, dropped connection) sends it again with the same key and gets the first
//! answer — with `Idempotent-Replayed: true` — instead of a second account, organization or
//! project, or a second email.
//!
//! - The key is the header's value, 1–255 visible ASCII characters, as a Structured Field string
//!   (`"…"`) or bare; anything else is `400 idempotency_key_invalid`.
//! - Keys are the caller's own (the account; everyone shares the anonymous scope of sign-up,
//!   where the answer holds nothing the request did not) and the operation's, kept 24 hours.
//! - The same key with another body (or another organization in the path) is
//!   `422 idempotency_key_reused`; while the first request still runs, `409
//!   idempotency_key_in_use` with `Retry-After`.
//! - Answers worth retrying (429, 5xx) are not kept: the key is given up and a retry runs again.
//!   A first request that never finished (the process died) gives its key up after a minute.
//! - The stored fingerprint is an HMAC of the request under a server key, never the body: a
//!   sign-up body holds a password.

use std::future::{ready, Future, Ready};

use actix_web::body::MessageBody as _;
use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse, ResponseError as _};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::models::idempotency::{self as records, IdempotencyRecord, KeyRef};
use crate::db::DbError;
use crate::error::{ApiError, ProblemCode};
use crate::startup::AppState;

pub const HEADER: &str = "idempotency-key";
/// Set on an answer that was stored, not made again.
pub const REPLAYED: &str = "idempotent-replayed";
const MAX_KEY: usize = 255;
/// How long an answer is kept.
const KEEP_HOURS: i64 = 24;
/// How long a first request holds its key before another may take it over.
const CLAIM_SECONDS: i64 = 60;
/// The scope of requests made before there is an account (sign-up).
pub const ANONYMOUS: &str = "anonymous";

/// The `Idempotency-Key` sent with the request, if any.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let mut values = req.headers().get_all(HEADER);
        let Some(first) = values.next() else {
            return ready(Ok(Self(None)));
        };
        let key = if values.next().is_some() {
            None
        } else {
            first.to_str().ok().and_then(parse)
        };
        ready(key.map(|k| Self(Some(k))).ok_or_else(|| {
            ApiError::bad_request(
                ProblemCode::IdempotencyKeyInvalid,
                "Idempotency-Key must be one value of 1 to 255 visible ASCII characters, \
                 e.g. a UUID.",
            )
        }))
    }
}

/// A Structured Field string (`"…"`) or a bare token; visible ASCII only.
fn parse(value: &str) -> Option<String> {
    let value = value.trim();
    let inner = match value.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?,
        None => value,
    };
    let ok = !inner.is_empty()
        && inner.len() <= MAX_KEY
        && inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    ok.then(|| inner.to_owned())
}

/// What makes two requests the same one: `path_ids` (ids in the path, or nothing) and the body.
/// Serialized only when a key was sent: without one nothing is stored, and a sign-up body (with
/// its password) is not copied for nothing.
pub fn fingerprint(key: &IdempotencyKey, path_ids: &str, body: &impl serde::Serialize) -> Vec<u8> {
    if key.0.is_none() {
        return Vec::new();
    }
    let mut out = path_ids.as_bytes().to_vec();
    out.push(0);
    out.extend(serde_json::to_vec(body).unwrap_or_default());
    out
}

enum Claim {
    First,
    Replay(IdempotencyRecord),
    Mismatch,
    Busy,
}

/// Runs `handler` at most once per key: the first time for real, later from the stored answer.
/// `fingerprint` is what makes two requests the same one (the path's ids and the body).
pub async fn run<F, Fut>(
    state: &AppState,
    key: IdempotencyKey,
    scope: &str,
    operation: &'static str,
    fingerprint: &[u8],
    handler: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<HttpResponse, ApiError>>,
{
    let Some(key) = key.0 else {
        return handler().await;
    };
    let request_hash = fingerprint_hash(&state.code_key, operation, fingerprint);
    let now = state.clock.now().naive_utc();
    let (scope, key) = (scope.to_owned(), key);
    let owned = (scope.clone(), key.clone());
    let claim = state
        .db
        .write(move |conn| -> Result<Claim, DbError> {
            let k = KeyRef {
                scope: &owned.0,
                operation,
                key: &owned.1,
            };
            records::delete_older_than(conn, now - chrono::Duration::hours(KEEP_HOURS))?;
            let until = now + chrono::Duration::seconds(CLAIM_SECONDS);
            if records::claim_new(conn, &k, &request_hash, until, now)? {
                return Ok(Claim::First);
            }
            let Some(row) = records::find(conn, &k)? else {
                return Ok(Claim::Busy);
            };
            if row.request_hash != request_hash {
                return Ok(Claim::Mismatch);
            }
            if row.status.is_some() {
                return Ok(Claim::Replay(row));
            }
            Ok(if records::take_over(conn, &k, until, now)? {
                Claim::First
            } else {
                Claim::Busy
            })
        })
        .await
        .map_err(|e| ApiError::internal(&e))?;
    match claim {
        Claim::Replay(row) => Ok(replay(&row)),
        Claim::Mismatch => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::IdempotencyKeyReused,
            "Idempotency key used for another request",
        )
        .detail("This Idempotency-Key was sent with a different request; use a new key.")),
        Claim::Busy => Err(ApiError::new(
            StatusCode::CONFLICT,
            ProblemCode::IdempotencyKeyInUse,
            "The first request with this key is still running",
        )
        .detail("Wait for the first request with this Idempotency-Key, then send it again.")
        .retry_after(1)),
        Claim::First => {
            let response = match handler().await {
                Ok(response) => response,
                Err(error) => error.error_response(),
            };
            keep(state, scope, operation, key, response).await
        }
    }
}

/// Stores the first answer (or gives the key up when the answer is worth retrying) and returns
/// it unchanged.
async fn keep(
    state: &AppState,
    scope: String,
    operation: &'static str,
    key: String,
    response: HttpResponse,
) -> Result<HttpResponse, ApiError> {
    let status = response.status();
    let retry_worthy = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
    let text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (location, etag) = (text(header::LOCATION), text(header::ETAG));
    let (head, body) = response.into_parts();
    // Create answers are small JSON documents; anything else is not kept (and not expected).
    let (stored_body, body) = match body.try_into_bytes() {
        Ok(bytes) => (
            std::str::from_utf8(&bytes).ok().map(str::to_owned),
            actix_web::body::BoxBody::new(bytes),
        ),
        Err(body) => (None, body),
    };
    let stored = state
        .db
        .write(move |conn| -> Result<(), DbError> {
            let k = KeyRef {
                scope: &scope,
                operation,
                key: &key,
            };
            match stored_body {
                Some(body) if !retry_worthy => {
                    records::complete(
                        conn,
                        &k,
                        i32::from(status.as_u16()),
                        &body,
                        location.as_deref(),
                        etag.as_deref(),
                    )?;
                }
                _ => {
                    records::release(conn, &k)?;
                }
            }
            Ok(())
        })
        .await;
    if let Err(e) = stored {
        // The resource exists; only the replay is lost. A retry with this key then waits for the
        // claim to run out and runs again, which the create endpoints refuse as a duplicate
        // where they can (names are unique) — logged for the operator.
        tracing::warn!(error = %e, "idempotency answer not stored");
    }
    Ok(head.set_body(body))
}

fn replay(row: &IdempotencyRecord) -> HttpResponse {
    let status = u16::try_from(row.status.unwrap_or(500))
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        crate::error::PROBLEM_JSON
    };
    response.insert_header((header::CONTENT_TYPE, content_type));
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    response.insert_header((REPLAYED, "true"));
    if let Some(location) = &row.location {
        response.insert_header((header::LOCATION, location.as_str()));
    }
    if let Some(etag) = &row.etag {
        response.insert_header((header::ETAG, etag.as_str()));
    }
    response.body(row.response_body.clone().unwrap_or_default())
}

fn fingerprint_hash(secret: &[u8; 32], operation: &str, fingerprint: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA-256 accepts keys of any length"),
    };
    mac.update(b"idempotency\0");
    mac.update(operation.as_bytes());
    mac.update(b"\0");
    mac.update(fingerprint);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_structured_strings_or_bare_tokens() {
        assert_eq!(parse("\"8e03978e-40d5\"").as_deref(), Some("8e03978e-40d5"));
        assert_eq!(parse("8e03978e-40d5").as_deref(), Some("8e03978e-40d5"));
        for bad in [
            "",
            "\"\"",
            "\"open",
            "with space",
            "é",
            &"x".repeat(256),
            "a\\b",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert!(parse(&"x".repeat(255)).is_some());
    }

    #[test]
    fn the_fingerprint_depends_on_operation_and_request() {
        let key = [7u8; 32];
        let a = fingerprint_hash(&key, "POST /v1/organizations", b"{\"name\":\"A\"}");
        assert_eq!(a.len(), 64);
        assert_ne!(
            a,
            fingerprint_hash(&key, "POST /v1/organizations", b"{\"name\":\"B\"}")
        );
        assert_ne!(
            a,
            fingerprint_hash(&key, "POST /v1/accounts", b"{\"name\":\"A\"}")
        );
        assert_ne!(
            a,
            fingerprint_hash(&[8u8; 32], "POST /v1/organizations", b"{\"name\":\"A\"}")
        );
    }
}
