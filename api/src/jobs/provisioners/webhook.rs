//! The webhook provisioner: the operator's own system creates clusters. For each project the
//! portal POSTs, to `PORTAL_PROVISIONER_WEBHOOK_URL`,
//!
//! ```json
//! {"event":"cluster.provision","project_id":"…","organization_id":"…","project_name":"…",
//!  "callback_url":"https://portal.example/v1/provisioning/callbacks"}
//! ```
//!
//! with `X-Portal-Timestamp: <unix seconds>`, `X-Portal-Signature: v1=<hex HMAC-SHA256(secret,
//! "<timestamp>.<body>")>` and `X-Portal-Delivery: <job id>` (the same on every retry, to
//! deduplicate). A 2xx answer means "accepted": the project is `provisioning` until the operator
//! POSTs `{"project_id":"…","status":"ready"|"failed","reason":"…"}` to the callback URL, signed
//! the same way with the same secret. Any other answer, a timeout or a connection error is
//! retried with backoff.
//!
//! Deleting a project sends the same body with `"event":"cluster.delete"`; once the cluster is
//! removed the operator reports `{"project_id":"…","status":"deleted"}` (or `failed` with a
//! reason), and the project is gone.
//!
//! Signatures are checked in constant time, and a timestamp more than five minutes from the
//! portal's clock is refused, so a captured callback cannot be replayed later (and within the
//! window a replay changes nothing: a settled project does not move again).

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Outcome, ProvisionRequest};
use crate::telemetry::otlp::{Span, SpanKind, Tracer};

/// How far a signed timestamp may be from the receiver's clock, either way.
pub const TOLERANCE_SECONDS: i64 = 300;
/// How long the operator has to answer the provisioning request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub const TIMESTAMP_HEADER: &str = "X-Portal-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Portal-Signature";
pub const DELIVERY_HEADER: &str = "X-Portal-Delivery";

type HmacSha256 = Hmac<Sha256>;

/// Why a signed message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Portal-Timestamp or X-Portal-Signature header is missing")]
    Missing,
    #[error("the X-Portal-Timestamp header is not a time within five minutes of now")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

impl SignatureError {
    /// Stable machine-readable code, shared with clients.
    pub fn code(&self) -> crate::error::ProblemCode {
        use crate::error::ProblemCode;
        match self {
            Self::Missing => ProblemCode::SignatureMissing,
            Self::Stale => ProblemCode::SignatureExpired,
            Self::Mismatch => ProblemCode::SignatureInvalid,
        }
    }
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Result<HmacSha256, SignatureError> {
    // HMAC takes keys of any length; the error branch cannot happen.
    let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| SignatureError::Mismatch)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The `X-Portal-Signature` value for `body` sent at `timestamp` (unix seconds).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> Result<String, SignatureError> {
    Ok(format!(
        "v1={}",
        hex::encode(mac(secret, timestamp, body)?.finalize().into_bytes())
    ))
}

/// Checks a signed message: the timestamp is within [`TOLERANCE_SECONDS`] of `now`, and one of
/// the `v1=` signatures in the header (comma-separated, to allow a key rotation) matches.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Missing);
    };
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::Stale)?;
    if now.timestamp().abs_diff(timestamp) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, timestamp, body)?;
    let matched = signature
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("v1="))
        .filter_map(|hex_sig| hex::decode(hex_sig.trim()).ok())
        .take(4)
        // `verify_slice` compares in constant time.
        .any(|candidate| expected.clone().verify_slice(&candidate).is_ok());
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The request body sent to the operator (the `cluster.provision` and `cluster.delete`
/// webhooks of the OpenAPI document).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProvisionEvent<'a> {
    /// `cluster.provision` (create the cluster; report `ready` or `failed`) or `cluster.delete`
    /// (remove it; report `deleted` or `failed`).
    #[schema(
        example = "cluster.provision",
        pattern = "^cluster\\.(provision|delete)$"
    )]
    event: &'static str,
    /// The project whose cluster to create or remove; report the outcome for it.
    #[schema(example = "01938a6e-7c1d-7b3e-9f2a-5d4c3b2a1f0e")]
    project_id: &'a str,
    #[schema(example = "01938a6e-1a2b-7c3d-8e4f-5a6b7c8d9e0f")]
    organization_id: &'a str,
    #[schema(example = "Retail Analytics")]
    project_name: &'a str,
    /// Where to POST the signed outcome (`POST /v1/provisioning/callbacks`).
    #[schema(example = "https://portal.example/v1/provisioning/callbacks")]
    callback_url: &'a str,
}

pub struct Webhook {
    client: reqwest::Client,
    url: url::Url,
    secret: Vec<u8>,
    callback_url: String,
    tracer: Tracer,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the secret nor the URL (which may carry credentials) is printed.
        f.debug_struct("Webhook")
            .field("host", &self.url.host_str())
            .field("secret", &"**redacted**")
            .finish_non_exhaustive()
    }
}

impl Webhook {
    pub fn new(
        url: url::Url,
        secret: Vec<u8>,
        callback_url: String,
        tracer: Tracer,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("service-portal/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            url,
            secret,
            callback_url,
            tracer,
        })
    }

    pub async fn provision(&self, request: &ProvisionRequest, now: DateTime<Utc>) -> Outcome {
        let body = match serde_json::to_vec(&ProvisionEvent {
            event: request.action.event(),
            project_id: &request.project_id,
            organization_id: &request.organization_id,
            project_name: &request.project_name,
            callback_url: &self.callback_url,
        }) {
            Ok(body) => body,
            Err(e) => return Outcome::Retry(format!("cannot encode the request: {e}")),
        };
        let timestamp = now.timestamp();
        let signature = match sign(&self.secret, timestamp, &body) {
            Ok(s) => s,
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        // The call is a span of its own under the provisioning attempt; the operator gets its id.
        let call = request.trace.child();
        let span = self.tracer.records(&call).then(|| {
            let mut span = Span::start(call, Some(request.trace.span_id), "POST", SpanKind::Client);
            span.set("http.request.method", "POST");
            span.set("server.address", self.url.host_str().unwrap_or_default());
            span.set(
                "server.port",
                i64::from(self.url.port_or_known_default().unwrap_or_default()),
            );
            span.set("portal.job.id", request.job_id.as_str());
            span
        });
        let sent = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .header(DELIVERY_HEADER, &request.job_id)
            .header("traceparent", call.header())
            .body(body)
            .send()
            .await;
        let (outcome, status) = match sent {
            Ok(res) if res.status().is_success() => (Outcome::Accepted, Some(res.status())),
            Ok(res) => (
                Outcome::Retry(format!("the webhook answered {}", res.status().as_u16())),
                Some(res.status()),
            ),
            // Without the URL: it may carry credentials.
            Err(e) => (
                Outcome::Retry(format!("the webhook is unreachable: {}", e.without_url())),
                None,
            ),
        };
        if let Some(mut span) = span {
            match status {
                Some(status) => {
                    span.set("http.response.status_code", i64::from(status.as_u16()));
                    if status.as_u16() >= 400 {
                        span.set("error.type", status.as_u16().to_string());
                    }
                }
                None => span.set("error.type", "transport"),
            }
            if let Outcome::Retry(reason) = &outcome {
                span.error = Some(reason.clone());
            }
            self.tracer.finish(span);
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef-secret";

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn a_signature_matches_the_published_scheme() {
        // HMAC-SHA256("key", "1700000000.{}"), computed independently with Python's hmac module.
        let sig = sign(b"key", 1_700_000_000, b"{}").unwrap();
        assert_eq!(
            sig,
            "v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
        assert_eq!(
            verify(
                b"key",
                Some("1700000000"),
                Some(&sig),
                b"{}",
                at(1_700_000_000)
            ),
            Ok(())
        );
    }

    #[test]
    fn a_fresh_correct_signature_is_accepted_even_among_others() {
        let body = br#"{"project_id":"p","status":"ready"}"#;
        let sig = sign(SECRET, 1_000, body).unwrap();
        let header = format!("v1=00ff, {sig}");
        assert_eq!(
            verify(SECRET, Some("1000"), Some(&header), body, at(1_200)),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, Some("1000"), Some(&sig), body, at(700)),
            Ok(())
        );
    }

    #[test]
    fn a_changed_body_key_or_timestamp_is_refused() {
        let body = br#"{"project_id":"p","status":"ready"}"#;
        let sig = sign(SECRET, 1_000, body).unwrap();
        let other = br#"{"project_id":"p","status":"failed"}"#;
        assert_eq!(
            verify(SECRET, Some("1000"), Some(&sig), other, at(1_000)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                b"another-secret-key",
                Some("1000"),
                Some(&sig),
                body,
                at(1_000)
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some("1001"), Some(&sig), body, at(1_000)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some("1000"), Some("v1=zz"), body, at(1_000)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                SECRET,
                Some("1000"),
                Some(&sig.replace("v1=", "v0=")),
                body,
                at(1_000)
            ),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn old_future_or_unreadable_timestamps_are_refused() {
        let body = b"{}";
        let sig = sign(SECRET, 1_000, body).unwrap();
        assert_eq!(
            verify(SECRET, Some("1000"), Some(&sig), body, at(1_301)),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, Some("1000"), Some(&sig), body, at(699)),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, Some("soon"), Some(&sig), body, at(1_000)),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, None, Some(&sig), body, at(1_000)),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(SECRET, Some("1000"), None, body, at(1_000)),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let w = Webhook::new(
            url::Url::parse("https://user:pw@operator.example/hook?token=t").unwrap(),
            SECRET.to_vec(),
            "http://portal.test/v1/provisioning/callbacks".into(),
            Tracer::disabled(),
        )
        .unwrap();
        let shown = format!("{w:?}");
        assert!(!shown.contains("secret") || shown.contains("redacted"));
        assert!(!shown.contains("0123456789abcdef"));
        assert!(!shown.contains("pw") && !shown.contains("token"));
    }
}
