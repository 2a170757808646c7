//! Prometheus metrics, served at `/metrics` in the text exposition format.
//!
//! One registry per application, never a process-wide one: two servers in one process (the
//! test suite, a replica started to take over a lease) count apart. Counters and histograms are
//! updated where things happen (the request middleware, the mail worker, the database pool);
//! the gauges that describe a state (hashing pool, outbox, jobs, connections) are read when
//! `/metrics` is scraped, so they cost nothing between scrapes.

use std::sync::Mutex;

use prometheus::{
    Encoder as _, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::auth::password::HashStats;

/// Request durations: from 1 ms (a cached read) to 10 s (a request that waited for the database
/// as long as it may).
const REQUEST_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Waits for a pooled database connection: mostly zero, seconds when the pool is exhausted.
const POOL_WAIT_BUCKETS: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0,
];

/// What the database says at scrape time.
#[derive(Debug, Default, Clone)]
pub struct DbSnapshot {
    pub outbox_pending: i64,
    /// Seconds since the oldest pending message was queued (0 when none).
    pub outbox_oldest_seconds: f64,
    /// Jobs by state (`pending`, `running`, `waiting`, `done`, `failed`).
    pub jobs: Vec<(String, i64)>,
}

/// What the connection pool says at scrape time.
#[derive(Debug, Clone, Copy)]
pub struct PoolSnapshot {
    pub size: u32,
    pub connections: u32,
    pub idle: u32,
}

pub struct Metrics {
    registry: Registry,
    /// `portal_http_request_duration_seconds{method, route, status}`.
    pub requests: HistogramVec,
    /// `portal_throttle_refusals_total{route, code}`: 429 answers by route and problem code.
    pub throttle_refusals: IntCounterVec,
    /// `portal_outbox_delivered_total`.
    pub outbox_delivered: IntCounter,
    /// `portal_outbox_delivery_failures_total`: failed attempts (retried or given up).
    pub outbox_failures: IntCounter,
    /// `portal_db_pool_wait_seconds`: handed to the database handle, which observes every
    /// checkout ([`crate::db::Db::observe_pool_wait`]).
    pub pool_wait: Histogram,
    /// `portal_trace_spans_total{outcome}`: spans exported or dropped (OTLP export on).
    pub trace_spans: IntCounterVec,
    hash_running: IntGauge,
    hash_queued: IntGauge,
    hash_admitted: IntGauge,
    hash_refused: IntCounter,
    hash_seconds: Gauge,
    outbox_pending: IntGauge,
    outbox_oldest: Gauge,
    jobs: IntGaugeVec,
    db_up: IntGauge,
    db_connections: IntGaugeVec,
    db_pool_size: IntGauge,
    /// Serializes scrapes, so that two at once cannot both add the same refusals.
    scrape: Mutex<()>,
}

impl Metrics {
    /// Builds the registry; `database` names the backend in `portal_info`.
    pub fn new(database: &str) -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "portal_http_request_duration_seconds",
                "Time from receiving a request to its response, by method, route template and status.",
            )
            .buckets(REQUEST_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        let throttle_refusals = IntCounterVec::new(
            Opts::new(
                "portal_throttle_refusals_total",
                "Requests refused by a throttle (429), by route template and problem code.",
            ),
            &["route", "code"],
        )?;
        let outbox_delivered = IntCounter::new(
            "portal_outbox_delivered_total",
            "Emails handed to the mail server.",
        )?;
        let outbox_failures = IntCounter::new(
            "portal_outbox_delivery_failures_total",
            "Failed email delivery attempts (retried later, or given up after the last).",
        )?;
        let pool_wait = Histogram::with_opts(
            HistogramOpts::new(
                "portal_db_pool_wait_seconds",
                "Time spent waiting for a pooled database connection.",
            )
            .buckets(POOL_WAIT_BUCKETS.to_vec()),
        )?;
        let trace_spans = IntCounterVec::new(
            Opts::new(
                "portal_trace_spans_total",
                "Trace spans sent to the OpenTelemetry collector (exported) or given up (dropped: \
                 queue full, or the collector refused them).",
            ),
            &["outcome"],
        )?;
        let hash_running = IntGauge::new(
            "portal_hash_running",
            "Password hashes running now on the hashing threads.",
        )?;
        let hash_queued = IntGauge::new(
            "portal_hash_queued",
            "Password hashes waiting for a hashing thread.",
        )?;
        let hash_admitted = IntGauge::new(
            "portal_hash_admitted",
            "Requests admitted to the hashing pool and not finished.",
        )?;
        let hash_refused = IntCounter::new(
            "portal_hash_refused_total",
            "Requests refused at once (503) because the hashing pool was full.",
        )?;
        let hash_seconds = Gauge::new(
            "portal_hash_recent_seconds",
            "Recent duration of one password hash (exponentially weighted).",
        )?;
        let outbox_pending =
            IntGauge::new("portal_outbox_pending", "Emails waiting for delivery.")?;
        let outbox_oldest = Gauge::new(
            "portal_outbox_oldest_pending_seconds",
            "Age of the oldest email waiting for delivery (0 when none waits).",
        )?;
        let jobs = IntGaugeVec::new(
            Opts::new("portal_jobs", "Background jobs by state."),
            &["state"],
        )?;
        let db_up = IntGauge::new(
            "portal_database_up",
            "1 when the database answered the scrape's query, else 0.",
        )?;
        let db_connections = IntGaugeVec::new(
            Opts::new(
                "portal_db_pool_connections",
                "Open database connections by state (in_use, idle).",
            ),
            &["state"],
        )?;
        let db_pool_size = IntGauge::new(
            "portal_db_pool_max_connections",
            "The most connections the pool opens.",
        )?;
        let info = IntGaugeVec::new(
            Opts::new("portal_info", "Build information."),
            &["version", "database"],
        )?;
        info.with_label_values(&[env!("CARGO_PKG_VERSION"), database])
            .set(1);

        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(throttle_refusals.clone()))?;
        registry.register(Box::new(outbox_delivered.clone()))?;
        registry.register(Box::new(outbox_failures.clone()))?;
        registry.register(Box::new(hash_running.clone()))?;
        registry.register(Box::new(hash_queued.clone()))?;
        registry.register(Box::new(hash_admitted.clone()))?;
        registry.register(Box::new(hash_refused.clone()))?;
        registry.register(Box::new(hash_seconds.clone()))?;
        registry.register(Box::new(outbox_pending.clone()))?;
        registry.register(Box::new(outbox_oldest.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(db_up.clone()))?;
        registry.register(Box::new(db_connections.clone()))?;
        registry.register(Box::new(db_pool_size.clone()))?;
        registry.register(Box::new(pool_wait.clone()))?;
        registry.register(Box::new(trace_spans.clone()))?;
        registry.register(Box::new(info))?;

        Ok(Self {
            registry,
            requests,
            throttle_refusals,
            outbox_delivered,
            outbox_failures,
            pool_wait,
            trace_spans,
            hash_running,
            hash_queued,
            hash_admitted,
            hash_refused,
            hash_seconds,
            outbox_pending,
            outbox_oldest,
            jobs,
            db_up,
            db_connections,
            db_pool_size,
            scrape: Mutex::new(()),
        })
    }

    /// Counts one answered request (and a throttle refusal when it is one).
    pub fn observe_request(
        &self,
        method: &str,
        route: &str,
        status: u16,
        seconds: f64,
        problem: Option<&str>,
    ) {
        let digits = itoa_status(status);
        let status_text = std::str::from_utf8(&digits).unwrap_or("000");
        // Any token is a method to HTTP: unknown ones share a label, so that a client cannot
        // make the registry grow without bound (routes are templates, statuses three digits).
        let method = match method {
            "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method,
            _ => "other",
        };
        self.requests
            .with_label_values(&[method, route, status_text])
            .observe(seconds);
        if status == 429 {
            self.throttle_refusals
                .with_label_values(&[route, problem.unwrap_or("-")])
                .inc();
        }
    }

    /// Sets the state gauges and renders every metric in the text format. `db` is `None` when
    /// the database did not answer.
    pub fn render(
        &self,
        hash: &HashStats,
        pool: PoolSnapshot,
        db: Option<&DbSnapshot>,
    ) -> Result<String, prometheus::Error> {
        let _one_at_a_time = self
            .scrape
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.hash_running.set(gauge_value(hash.running));
        self.hash_queued.set(gauge_value(hash.queued));
        self.hash_admitted.set(gauge_value(hash.admitted));
        let seen = self.hash_refused.get();
        if hash.refused > seen {
            self.hash_refused.inc_by(hash.refused - seen);
        }
        // Microseconds as seconds; the precision lost is far below a hash's duration.
        #[allow(clippy::cast_precision_loss)]
        self.hash_seconds.set(hash.recent_hash_us as f64 / 1e6);
        self.db_pool_size.set(i64::from(pool.size));
        self.db_connections
            .with_label_values(&["in_use"])
            .set(i64::from(pool.connections.saturating_sub(pool.idle)));
        self.db_connections
            .with_label_values(&["idle"])
            .set(i64::from(pool.idle));
        match db {
            Some(db) => {
                self.db_up.set(1);
                self.outbox_pending.set(db.outbox_pending);
                self.outbox_oldest.set(db.outbox_oldest_seconds);
                // States that have no job any more read 0, not their last count.
                self.jobs.reset();
                for (state, count) in &db.jobs {
                    self.jobs.with_label_values(&[state]).set(*count);
                }
            }
            None => self.db_up.set(0),
        }
        let mut out = Vec::with_capacity(16 * 1024);
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// Reads the outbox and job states (two indexed aggregate queries).
pub fn db_snapshot(
    conn: &mut crate::db::DbConnection,
    now: chrono::NaiveDateTime,
) -> Result<DbSnapshot, crate::db::DbError> {
    let (outbox_pending, oldest) = crate::db::models::outbox::pending_summary(conn)?;
    let jobs = crate::db::models::jobs::count_by_status(conn)?;
    // Milliseconds as seconds; a gauge does not need more.
    #[allow(clippy::cast_precision_loss)]
    let outbox_oldest_seconds = oldest
        .map(|at| (now - at).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    Ok(DbSnapshot {
        outbox_pending,
        outbox_oldest_seconds,
        jobs,
    })
}

fn gauge_value(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The status as three ASCII digits, without allocating.
fn itoa_status(status: u16) -> [u8; 3] {
    let s = status.min(999);
    [
        b'0' + u8::try_from(s / 100).unwrap_or(0),
        b'0' + u8::try_from(s / 10 % 10).unwrap_or(0),
        b'0' + u8::try_from(s % 10).unwrap_or(0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats() -> HashStats {
        HashStats {
            admitted: 3,
            running: 2,
            queued: 1,
            peak_running: 2,
            refused: 7,
            recent_hash_us: 25_000,
        }
    }

    #[test]
    fn renders_requests_states_and_refusals() {
        let m = Metrics::new("sqlite").unwrap();
        m.pool_wait.observe(0.0002);
        m.observe_request(
            "POST",
            "/v1/sessions",
            429,
            0.004,
            Some("too_many_attempts"),
        );
        m.observe_request("GET", "/v1/me", 200, 0.0007, None);
        m.observe_request(
            "BREW",
            "(unmatched)",
            405,
            0.0001,
            Some("method_not_allowed"),
        );
        m.observe_request(
            "SPAM",
            "(unmatched)",
            405,
            0.0001,
            Some("method_not_allowed"),
        );
        let pool = PoolSnapshot {
            size: 8,
            connections: 3,
            idle: 1,
        };
        let db = DbSnapshot {
            outbox_pending: 4,
            outbox_oldest_seconds: 12.5,
            jobs: vec![("pending".into(), 2), ("done".into(), 9)],
        };
        let text = m.render(&stats(), pool, Some(&db)).unwrap();
        for line in [
            "portal_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/me\",status=\"200\"} 1",
            "portal_throttle_refusals_total{code=\"too_many_attempts\",route=\"/v1/sessions\"} 1",
            "portal_hash_running 2",
            "portal_hash_queued 1",
            "portal_hash_refused_total 7",
            "portal_outbox_pending 4",
            "portal_outbox_oldest_pending_seconds 12.5",
            "portal_jobs{state=\"done\"} 9",
            "portal_db_pool_connections{state=\"in_use\"} 2",
            "portal_database_up 1",
            "portal_http_request_duration_seconds_count{method=\"other\",route=\"(unmatched)\",status=\"405\"} 2",
            "portal_db_pool_wait_seconds_count 1",
            "portal_info{database=\"sqlite\",version=\"",
        ] {
            assert!(text.contains(line), "missing {line:?} in:\n{text}");
        }
        // A second scrape does not count the same refusals again.
        let text = m.render(&stats(), pool, None).unwrap();
        assert!(text.contains("portal_hash_refused_total 7"));
        assert!(text.contains("portal_database_up 0"));
    }

    #[test]
    fn status_digits() {
        assert_eq!(&itoa_status(200), b"200");
        assert_eq!(&itoa_status(429), b"429");
        assert_eq!(&itoa_status(1200), b"999");
    }
}
