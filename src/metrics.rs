//! Data-plane metrics. Families are registered once per process (per gateway instance in
//! tests); per-route and per-profile children are resolved when a snapshot is compiled
//! and held in it, so the request path only bumps atomics: no label lookups, no locks.
//! Label values come from the configuration (route, upstream, profile names) or from
//! fixed sets (status class, reason), never from request data.

use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
};

/// Every data-plane family.
#[derive(Clone)]
pub struct DataMetrics {
    pub requests: IntCounterVec,
    pub request_duration: HistogramVec,
    pub rejected: IntCounterVec,
    /// `rejected{reason="waf"}`, resolved once: WAF denies are what an attack floods.
    pub rejected_waf: IntCounter,
    pub connections_active: IntGauge,
    pub connections_refused: IntCounterVec,
    /// Children of `connections_refused`, resolved once: this is the flood path.
    pub refused_global_cap: IntCounter,
    pub refused_per_ip_cap: IntCounter,
    pub tls_handshake_failures: IntCounter,
    pub rate_limited: IntCounter,
    pub traceparent_replaced: IntCounter,
    pub upstream_errors: IntCounterVec,
    pub waf_denied: IntCounterVec,
    pub waf_would_block: IntCounterVec,
    pub panics: IntCounter,
    pub audit_dropped: IntCounter,
    pub audit_records: IntCounter,
    pub audit_write_errors: IntCounter,
}

fn reg<T: prometheus::core::Collector + Clone + 'static>(
    r: &Registry,
    m: T,
) -> Result<T, prometheus::Error> {
    r.register(Box::new(m.clone()))?;
    Ok(m)
}

impl DataMetrics {
    pub fn register(r: &Registry) -> Result<Self, prometheus::Error> {
        let rejected = reg(
            r,
            IntCounterVec::new(
                Opts::new(
                    "rampart_requests_rejected_total",
                    "Requests refused by a gate before routing, by reason",
                ),
                &["reason"],
            )?,
        )?;
        let connections_refused = reg(
            r,
            IntCounterVec::new(
                Opts::new(
                    "rampart_connections_refused_total",
                    "Connections closed at accept, by cap",
                ),
                &["reason"],
            )?,
        )?;
        Ok(Self {
            requests: reg(
                r,
                IntCounterVec::new(
                    Opts::new(
                        "rampart_requests_total",
                        "Requests answered, by route and status class",
                    ),
                    &["route", "class"],
                )?,
            )?,
            request_duration: reg(
                r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "rampart_request_duration_seconds",
                        "Time from request head to response head, by route",
                    )
                    .buckets(vec![
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                        5.0, 10.0,
                    ]),
                    &["route"],
                )?,
            )?,
            rejected_waf: rejected.with_label_values(&["waf"]),
            rejected,
            connections_active: reg(
                r,
                IntGauge::new("rampart_connections_active", "Open client connections")?,
            )?,
            refused_global_cap: connections_refused.with_label_values(&["global_cap"]),
            refused_per_ip_cap: connections_refused.with_label_values(&["per_ip_cap"]),
            connections_refused,
            tls_handshake_failures: reg(
                r,
                IntCounter::new(
                    "rampart_tls_handshake_failures_total",
                    "TLS handshakes that failed or timed out",
                )?,
            )?,
            rate_limited: reg(
                r,
                IntCounter::new(
                    "rampart_rate_limited_total",
                    "Requests answered 429 by the per-IP rate limit",
                )?,
            )?,
            traceparent_replaced: reg(
                r,
                IntCounter::new(
                    "rampart_traceparent_invalid_total",
                    "Inbound traceparent headers that were invalid and replaced",
                )?,
            )?,
            upstream_errors: reg(
                r,
                IntCounterVec::new(
                    Opts::new(
                        "rampart_upstream_errors_total",
                        "Upstream failures, by upstream and kind",
                    ),
                    &["upstream", "kind"],
                )?,
            )?,
            waf_denied: reg(
                r,
                IntCounterVec::new(
                    Opts::new("rampart_waf_denied_total", "Requests denied by the WAF"),
                    &["profile", "class"],
                )?,
            )?,
            waf_would_block: reg(
                r,
                IntCounterVec::new(
                    Opts::new(
                        "rampart_waf_would_block_total",
                        "Requests a shadow-mode WAF profile would have denied",
                    ),
                    &["profile", "class"],
                )?,
            )?,
            panics: reg(
                r,
                IntCounter::new(
                    "rampart_panics_total",
                    "Panics caught (actors and connection tasks)",
                )?,
            )?,
            audit_dropped: reg(
                r,
                IntCounter::new(
                    "rampart_audit_dropped_total",
                    "Audit events dropped (queue full, or the writer could not take them)",
                )?,
            )?,
            audit_records: reg(
                r,
                IntCounter::new(
                    "rampart_audit_records_total",
                    "Audit events appended to the log",
                )?,
            )?,
            audit_write_errors: reg(
                r,
                IntCounter::new(
                    "rampart_audit_write_errors_total",
                    "Failed audit writes, commits or fsyncs (retried)",
                )?,
            )?,
        })
    }
}

/// Counters for one route, resolved at snapshot compile time.
#[derive(Debug, Clone)]
pub struct RouteMetrics {
    /// Indexed by status class: 0 = 1xx .. 4 = 5xx.
    pub by_class: [IntCounter; 5],
    pub duration: Histogram,
}

impl RouteMetrics {
    pub fn new(m: &DataMetrics, route: &str) -> Self {
        let c = |class: &str| m.requests.with_label_values(&[route, class]);
        Self {
            by_class: [c("1xx"), c("2xx"), c("3xx"), c("4xx"), c("5xx")],
            duration: m.request_duration.with_label_values(&[route]),
        }
    }

    pub fn count(&self, status: u16) {
        let i = (status / 100).clamp(1, 5) as usize - 1;
        self.by_class[i].inc();
    }
}
