//! Logging: `tracing` to stderr, as text or JSON (`PORTAL_LOG_FORMAT`), filtered by `RUST_LOG`.
//! No password, token or code is ever a field of a log event. W3C trace context, and spans
//! exported to an OpenTelemetry collector when one is configured ([`otlp`]).

pub mod otlp;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// A W3C Trace Context position (<https://www.w3.org/TR/trace-context/>): the trace a request
/// belongs to and the span that stands for it here. Taken from a valid incoming `traceparent`
/// (the caller's span becomes the parent), else a new trace; passed on to the calls the request
/// causes later (the webhook provisioner), each as a new child span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    /// The `sampled` flag, passed on as received (0 for a trace started here).
    pub sampled: bool,
}

impl TraceContext {
    /// Parses a `traceparent` value; `None` when it is not valid (then the header is ignored,
    /// as the specification says). Versions above 00 are read by their first four fields.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let mut parts = value.split('-');
        let version = parts.next()?;
        let trace = parts.next()?;
        let span = parts.next()?;
        let flags = parts.next()?;
        let lower_hex = |s: &str, len: usize| {
            s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        if !lower_hex(version, 2) || version == "ff" || !lower_hex(flags, 2) {
            return None;
        }
        // Version 00 has exactly four fields; later versions may add more after a dash.
        if version == "00" && parts.next().is_some() {
            return None;
        }
        if !lower_hex(trace, 32) || !lower_hex(span, 16) {
            return None;
        }
        let mut trace_id = [0u8; 16];
        let mut span_id = [0u8; 8];
        hex::decode_to_slice(trace, &mut trace_id).ok()?;
        hex::decode_to_slice(span, &mut span_id).ok()?;
        if trace_id == [0; 16] || span_id == [0; 8] {
            return None;
        }
        let flags = u8::from_str_radix(flags, 16).ok()?;
        Some(Self {
            trace_id,
            span_id,
            sampled: flags & 1 == 1,
        })
    }

    /// A new trace; `sampled` when this process records it ([`otlp::Tracer::root`]).
    pub fn new_root(sampled: bool) -> Self {
        use rand::RngCore as _;
        let mut trace_id = [0u8; 16];
        let mut rng = rand::thread_rng();
        while trace_id == [0; 16] {
            rng.fill_bytes(&mut trace_id);
        }
        Self {
            trace_id,
            span_id: new_span_id(),
            sampled,
        }
    }

    /// A span of the same trace whose parent is this one.
    pub fn child(&self) -> Self {
        Self {
            span_id: new_span_id(),
            ..*self
        }
    }

    /// The `traceparent` header value naming this span.
    pub fn header(&self) -> String {
        format!(
            "00-{}-{}-{}",
            hex::encode(self.trace_id),
            hex::encode(self.span_id),
            if self.sampled { "01" } else { "00" }
        )
    }

    pub fn trace_id_hex(&self) -> String {
        hex::encode(self.trace_id)
    }
}

fn new_span_id() -> [u8; 8] {
    use rand::RngCore as _;
    let mut id = [0u8; 8];
    let mut rng = rand::thread_rng();
    while id == [0; 8] {
        rng.fill_bytes(&mut id);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn the_specifications_example_round_trips() {
        let ctx = TraceContext::parse(EXAMPLE).unwrap();
        assert_eq!(ctx.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert!(ctx.sampled);
        assert_eq!(ctx.header(), EXAMPLE);
        let child = ctx.child();
        assert_eq!(child.trace_id, ctx.trace_id);
        assert_ne!(child.span_id, ctx.span_id);
        assert!(child.header().ends_with("-01"));
    }

    #[test]
    fn invalid_values_are_ignored() {
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        ] {
            assert_eq!(TraceContext::parse(bad), None, "{bad:?}");
        }
        // A later version may carry more fields; the first four are read.
        let future = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever";
        assert!(TraceContext::parse(future).is_some());
    }

    #[test]
    fn a_new_trace_is_valid_and_sampled_as_asked() {
        let root = TraceContext::new_root(false);
        assert_eq!(TraceContext::parse(&root.header()), Some(root));
        assert!(root.header().ends_with("-00"));
        let root = TraceContext::new_root(true);
        assert_eq!(TraceContext::parse(&root.header()), Some(root));
        assert!(root.header().ends_with("-01"));
        assert_eq!(root.child().trace_id, root.trace_id);
        assert_ne!(root.child().span_id, root.span_id);
    }
}
