//! OpenTelemetry trace export: OTLP over HTTP with JSON bodies
//! (<https://opentelemetry.io/docs/specs/otlp/#otlphttp>), on when `PORTAL_OTLP_ENDPOINT` is set.
//!
//! Three kinds of span are recorded: one per HTTP request (`SERVER`, named after the route
//! template), one per provisioning attempt (`INTERNAL`, a child of the request that created the
//! project, however much later it runs) and one per call to the webhook provisioner (`CLIENT`,
//! whose id the operator receives in `traceparent`). Sampling follows the parent: a request that
//! arrives with an unsampled `traceparent` is not recorded; a request without one starts a
//! sampled trace.
//!
//! Spans wait in a bounded queue (a full queue drops the span and counts it: tracing never
//! holds up or grows a request) and go out in batches every `PORTAL_OTLP_INTERVAL`, or as soon
//! as a batch is full. An export the collector refuses as retryable (429, 502, 503, 504, or no
//! answer) is tried twice more; then the batch is dropped and counted. A span carries route
//! templates, statuses and ids, never a path, a query, a token, a code or an email address.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus::IntCounterVec;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

use super::TraceContext;
use crate::config::OtlpSettings;

/// Spans waiting for export; past this they are dropped.
const QUEUE: usize = 2048;
/// The most spans in one export.
const BATCH: usize = 512;
/// How long one export may take.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);
/// Waits before the second and third try of a refused export.
const RETRY_AFTER: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(2)];

/// The OTLP `SpanKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Internal = 1,
    Server = 2,
    Client = 3,
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    Str(String),
    Int(i64),
}

impl From<&str> for AttributeValue {
    fn from(value: &str) -> Self {
        Self::Str(value.to_owned())
    }
}

impl From<String> for AttributeValue {
    fn from(value: String) -> Self {
        Self::Str(value)
    }
}

impl From<i64> for AttributeValue {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

/// One finished span.
#[derive(Debug, Clone)]
pub struct Span {
    /// This span's trace and id.
    pub context: TraceContext,
    /// The parent's span id (in the same trace); `None` for a root.
    pub parent: Option<[u8; 8]>,
    pub name: String,
    pub kind: SpanKind,
    pub start: SystemTime,
    pub end: SystemTime,
    /// Semantic-convention names (`http.route`, …) or `portal.*`.
    pub attributes: Vec<(&'static str, AttributeValue)>,
    /// `Some(description)` marks the span's status as an error.
    pub error: Option<String>,
}

impl Span {
    /// A span that starts now; [`Tracer::finish`] ends and records it.
    pub fn start(
        context: TraceContext,
        parent: Option<[u8; 8]>,
        name: impl Into<String>,
        kind: SpanKind,
    ) -> Self {
        let now = SystemTime::now();
        Self {
            context,
            parent,
            name: name.into(),
            kind,
            start: now,
            end: now,
            attributes: Vec::new(),
            error: None,
        }
    }

    pub fn set(&mut self, key: &'static str, value: impl Into<AttributeValue>) {
        self.attributes.push((key, value.into()));
    }
}

enum Message {
    Span(Box<Span>),
    Flush(oneshot::Sender<()>),
}

/// Records spans for export, or does nothing when export is off. Cheap to clone.
#[derive(Clone, Default)]
pub struct Tracer {
    inner: Option<Arc<Inner>>,
}

impl std::fmt::Debug for Tracer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracer")
            .field("enabled", &self.enabled())
            .finish()
    }
}

struct Inner {
    queue: mpsc::Sender<Message>,
    /// `portal_trace_spans_total{outcome}`.
    spans: IntCounterVec,
}

impl Tracer {
    /// A tracer that records nothing.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// Starts the exporter task (on the current Tokio runtime) when `settings` is set.
    pub fn start(settings: Option<&OtlpSettings>, spans: IntCounterVec) -> anyhow::Result<Self> {
        let Some(settings) = settings else {
            return Ok(Self::disabled());
        };
        let client = reqwest::Client::builder()
            .timeout(EXPORT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("service-portal/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let (queue, received) = mpsc::channel(QUEUE);
        let exporter = Exporter {
            client,
            url: settings.traces_url.clone(),
            headers: settings.headers.iter().cloned().collect(),
            resource: resource(&settings.service_name),
            spans: spans.clone(),
            failing: false,
        };
        tokio::spawn(exporter.run(received, settings.interval));
        Ok(Self {
            inner: Some(Arc::new(Inner { queue, spans })),
        })
    }

    pub fn enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// A new trace: sampled when spans are exported (so that the services it calls record
    /// theirs too), else not.
    pub fn root(&self) -> TraceContext {
        TraceContext::new_root(self.enabled())
    }

    /// Whether a span in `context` would be exported (export on, trace sampled): lets the
    /// caller skip building it.
    pub fn records(&self, context: &TraceContext) -> bool {
        self.enabled() && context.sampled
    }

    /// Ends `span` now and queues it (if it [`records`](Self::records)).
    pub fn finish(&self, mut span: Span) {
        span.end = SystemTime::now();
        self.record(span);
    }

    /// Queues a finished span; drops it (counted) when the queue is full.
    pub fn record(&self, span: Span) {
        let Some(inner) = &self.inner else { return };
        if !span.context.sampled {
            return;
        }
        if inner.queue.try_send(Message::Span(Box::new(span))).is_err() {
            inner.spans.with_label_values(&["dropped"]).inc();
        }
    }

    /// Sends what is queued now and waits for it (at most `timeout`): at shutdown.
    pub async fn flush(&self, timeout: Duration) {
        let Some(inner) = &self.inner else { return };
        let (done, flushed) = oneshot::channel();
        if inner.queue.send(Message::Flush(done)).await.is_ok() {
            let _ = tokio::time::timeout(timeout, flushed).await;
        }
    }

    /// A tracer whose queue nobody reads (unit tests of the bound).
    #[cfg(test)]
    fn unread(capacity: usize, spans: IntCounterVec) -> (Self, mpsc::Receiver<Message>) {
        let (queue, received) = mpsc::channel(capacity);
        let tracer = Self {
            inner: Some(Arc::new(Inner { queue, spans })),
        };
        (tracer, received)
    }
}

struct Exporter {
    client: reqwest::Client,
    url: url::Url,
    headers: reqwest::header::HeaderMap,
    resource: Value,
    spans: IntCounterVec,
    /// The last export failed: further failures are not logged again until one succeeds.
    failing: bool,
}

impl Exporter {
    async fn run(mut self, mut received: mpsc::Receiver<Message>, interval: Duration) {
        let mut batch: Vec<Span> = Vec::new();
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                message = received.recv() => match message {
                    Some(Message::Span(span)) => {
                        batch.push(*span);
                        if batch.len() >= BATCH {
                            self.export(&mut batch).await;
                        }
                    }
                    Some(Message::Flush(done)) => {
                        self.export(&mut batch).await;
                        let _ = done.send(());
                    }
                    None => {
                        self.export(&mut batch).await;
                        return;
                    }
                },
                _ = tick.tick() => self.export(&mut batch).await,
            }
        }
    }

    /// Sends `batch` (emptying it), trying again when the collector asks for it.
    async fn export(&mut self, batch: &mut Vec<Span>) {
        if batch.is_empty() {
            return;
        }
        let spans = std::mem::take(batch);
        let count = spans.len() as u64;
        let body = match serde_json::to_vec(&encode(&self.resource, &spans)) {
            Ok(body) => body,
            Err(e) => {
                tracing::warn!(error = %e, "cannot encode spans for export");
                self.spans.with_label_values(&["dropped"]).inc_by(count);
                return;
            }
        };
        let mut failure = String::new();
        for wait in std::iter::once(None).chain(RETRY_AFTER.iter().map(Some)) {
            if let Some(wait) = wait {
                tokio::time::sleep(*wait).await;
            }
            let sent = self
                .client
                .post(self.url.clone())
                .headers(self.headers.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(res) if res.status().is_success() => {
                    self.spans.with_label_values(&["exported"]).inc_by(count);
                    if std::mem::take(&mut self.failing) {
                        tracing::info!("trace export works again");
                    }
                    return;
                }
                Ok(res) => {
                    failure = format!("the collector answered {}", res.status().as_u16());
                    if !matches!(res.status().as_u16(), 429 | 502 | 503 | 504) {
                        break;
                    }
                }
                // Without the URL: it may carry credentials.
                Err(e) => failure = format!("the collector is unreachable: {}", e.without_url()),
            }
        }
        if self.failing {
            tracing::debug!(spans = count, reason = %failure, "trace export failed; spans dropped");
        } else {
            tracing::warn!(spans = count, reason = %failure,
                "trace export failed; spans dropped (not logged again until an export succeeds)");
            self.failing = true;
        }
        self.spans.with_label_values(&["dropped"]).inc_by(count);
    }
}

/// The process's resource: who sends the spans.
fn resource(service_name: &str) -> Value {
    json!({
        "attributes": [
            attribute("service.name", &AttributeValue::Str(service_name.to_owned())),
            attribute("service.version", &env!("CARGO_PKG_VERSION").into()),
            attribute(
                "service.instance.id",
                &AttributeValue::Str(uuid::Uuid::now_v7().to_string())
            ),
        ]
    })
}

/// An `ExportTraceServiceRequest` in OTLP/JSON: ids in hex, 64-bit integers as strings,
/// enums as numbers.
fn encode(resource: &Value, spans: &[Span]) -> Value {
    let spans: Vec<Value> = spans.iter().map(encode_span).collect();
    json!({
        "resourceSpans": [{
            "resource": resource,
            "scopeSpans": [{
                "scope": { "name": "service-portal", "version": env!("CARGO_PKG_VERSION") },
                "spans": spans,
            }],
        }],
    })
}

fn encode_span(span: &Span) -> Value {
    let nanos = |t: SystemTime| {
        t.duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
            .to_string()
    };
    let mut value = json!({
        "traceId": hex::encode(span.context.trace_id),
        "spanId": hex::encode(span.context.span_id),
        // W3C trace flags: bit 0 is "sampled".
        "flags": u32::from(span.context.sampled),
        "name": span.name,
        "kind": span.kind as i32,
        "startTimeUnixNano": nanos(span.start),
        "endTimeUnixNano": nanos(span.end),
        "attributes": span
            .attributes
            .iter()
            .map(|(k, v)| attribute(k, v))
            .collect::<Vec<_>>(),
        // STATUS_CODE_ERROR = 2, STATUS_CODE_UNSET = 0.
        "status": match &span.error {
            Some(message) => json!({ "code": 2, "message": message }),
            None => json!({}),
        },
    });
    if let Some(parent) = span.parent {
        value["parentSpanId"] = Value::String(hex::encode(parent));
    }
    value
}

fn attribute(key: &str, value: &AttributeValue) -> Value {
    let value = match value {
        AttributeValue::Str(s) => json!({ "stringValue": s }),
        AttributeValue::Int(i) => json!({ "intValue": i.to_string() }),
    };
    json!({ "key": key, "value": value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> IntCounterVec {
        IntCounterVec::new(prometheus::Opts::new("spans", "spans"), &["outcome"]).unwrap()
    }

    fn context(sampled: bool) -> TraceContext {
        TraceContext::parse(&format!(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0{}",
            u8::from(sampled)
        ))
        .unwrap()
    }

    #[test]
    fn a_span_is_encoded_as_otlp_json() {
        let mut span = Span::start(
            context(true),
            Some([1, 2, 3, 4, 5, 6, 7, 8]),
            "GET /v1/me",
            SpanKind::Server,
        );
        span.start = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
        span.end = span.start + Duration::from_millis(2);
        span.set("http.route", "/v1/me");
        span.set("http.response.status_code", 200);
        span.error = Some("500".to_owned());
        let body = encode(&resource("portal-a"), &[span]);
        let resource = &body["resourceSpans"][0]["resource"]["attributes"][0];
        assert_eq!(resource["key"], "service.name");
        assert_eq!(resource["value"]["stringValue"], "portal-a");
        let span = &body["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
        assert_eq!(span["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(span["spanId"], "00f067aa0ba902b7");
        assert_eq!(span["parentSpanId"], "0102030405060708");
        assert_eq!(span["flags"], 1);
        assert_eq!(span["kind"], 2);
        assert_eq!(span["startTimeUnixNano"], "1700000000123456789");
        assert_eq!(span["endTimeUnixNano"], "1700000000125456789");
        assert_eq!(span["attributes"][0]["key"], "http.route");
        assert_eq!(span["attributes"][0]["value"]["stringValue"], "/v1/me");
        assert_eq!(span["attributes"][1]["value"]["intValue"], "200");
        assert_eq!(span["status"]["code"], 2);
    }

    #[test]
    fn a_root_span_has_no_parent_and_an_unset_status() {
        let span = Span::start(context(true), None, "provision cluster", SpanKind::Internal);
        let value = encode_span(&span);
        assert!(value.get("parentSpanId").is_none());
        assert_eq!(value["status"], json!({}));
        assert_eq!(value["kind"], 1);
    }

    #[tokio::test]
    async fn a_full_queue_drops_and_counts_instead_of_waiting() {
        let spans = counter();
        let (tracer, _unread) = Tracer::unread(2, spans.clone());
        for _ in 0..5 {
            tracer.finish(Span::start(context(true), None, "x", SpanKind::Internal));
        }
        assert_eq!(spans.with_label_values(&["dropped"]).get(), 3);
    }

    #[tokio::test]
    async fn unsampled_spans_and_a_disabled_tracer_record_nothing() {
        let spans = counter();
        let (tracer, mut unread) = Tracer::unread(8, spans.clone());
        tracer.finish(Span::start(context(false), None, "x", SpanKind::Internal));
        assert!(unread.try_recv().is_err());
        assert!(!tracer.records(&context(false)));
        assert!(tracer.records(&context(true)));
        assert!(
            tracer.root().sampled,
            "a new trace is sampled when exporting"
        );

        let off = Tracer::disabled();
        assert!(!off.records(&context(true)));
        assert!(!off.root().sampled);
        off.finish(Span::start(context(true), None, "x", SpanKind::Internal));
    }
}
