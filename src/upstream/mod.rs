//! Upstreams: a keep-alive connection pool per upstream (hyper-util's pooled client,
//! HTTP/1.1 or HTTP/2, plain or rustls), several targets with a balancing policy, and
//! passive health: a target that fails `max_failures` times in a row is skipped for
//! `ejection`. If every target is out, the least recently ejected one is tried anyway
//! (better a likely failure than a certain one).
//!
//! An `Upstream` whose configuration is unchanged by a reload is carried into the new
//! snapshot as is, so its pool and health state survive reloads.

mod forward;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::{Authority, Scheme};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use prometheus::IntCounter;
use rand::RngExt;

pub use forward::{ForwardBody, UpstreamError, forward};

use crate::config::{BalanceConfig, UpstreamConfig};
use crate::metrics::DataMetrics;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type ReqBody = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;
pub type HttpClient = Client<HttpsConnector<HttpConnector>, ReqBody>;

/// Parses `host:port` (IPv6 in brackets). `None` when it is not a plain authority.
pub fn parse_target(t: &str) -> Option<Authority> {
    let a: Authority = t.parse().ok()?;
    (a.port_u16().is_some() && !a.host().is_empty() && !t.contains('@') && !t.contains('/'))
        .then_some(a)
}

/// One target of an upstream with its health state.
#[derive(Debug)]
pub struct Target {
    pub authority: Authority,
    inflight: AtomicUsize,
    failures: AtomicU32,
    /// Milliseconds since the upstream's epoch until which the target is out; 0 = in.
    ejected_until: AtomicU64,
}

/// Per-upstream error counters, resolved once.
#[derive(Debug, Clone)]
pub struct UpstreamCounters {
    pub connect: IntCounter,
    pub timeout: IntCounter,
    pub protocol: IntCounter,
}

/// A compiled upstream.
pub struct Upstream {
    pub name: String,
    pub config: UpstreamConfig,
    pub scheme: Scheme,
    pub targets: Vec<Target>,
    client: HttpClient,
    rr: AtomicUsize,
    epoch: Instant,
    pub counters: UpstreamCounters,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("name", &self.name)
            .field("targets", &self.targets)
            .finish()
    }
}

/// Why an upstream could not be built.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamBuildError {
    #[error("target `{0}` is not host:port")]
    BadTarget(String),
    #[error("TLS: {0}")]
    Tls(#[from] rampart_tls::TlsError),
    #[error("`{0}` is not a valid TLS server name")]
    ServerName(String),
    #[error("TLS client configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

impl Upstream {
    pub fn build(
        name: &str,
        cfg: &UpstreamConfig,
        metrics: &DataMetrics,
    ) -> Result<Upstream, UpstreamBuildError> {
        let targets = cfg
            .targets
            .iter()
            .map(|t| {
                parse_target(t)
                    .map(|authority| Target {
                        authority,
                        inflight: AtomicUsize::new(0),
                        failures: AtomicU32::new(0),
                        ejected_until: AtomicU64::new(0),
                    })
                    .ok_or_else(|| UpstreamBuildError::BadTarget(t.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (scheme, mut tls) = match &cfg.tls {
            Some(t) => {
                let spec = rampart_tls::UpstreamTlsSpec {
                    ca: t.ca.clone(),
                    server_name: t.server_name.clone(),
                    client_cert: None,
                };
                (Scheme::HTTPS, (*rampart_tls::client_config(&spec)?).clone())
            }
            None => (Scheme::HTTP, plain_client_config()?),
        };
        // hyper-rustls sets ALPN from the protocols enabled below (and refuses a config
        // that already has some), so `http2 = false` really means HTTP/1.1 over TLS too.
        tls.alpn_protocols.clear();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(cfg.connect_timeout));
        http.set_nodelay(true);
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        let builder = match cfg.tls.as_ref().and_then(|t| t.server_name.clone()) {
            Some(sni) => {
                let name = rustls_pki_types::ServerName::try_from(sni.clone())
                    .map_err(|_| UpstreamBuildError::ServerName(sni))?;
                builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name))
            }
            None => builder,
        };
        let connector = if cfg.http2 {
            builder.enable_http1().enable_http2().wrap_connector(http)
        } else {
            builder.enable_http1().wrap_connector(http)
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(cfg.pool_idle_timeout)
            .pool_max_idle_per_host(cfg.pool_max_idle_per_target)
            .http2_only(cfg.http2)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(connector);
        let c = |kind: &str| metrics.upstream_errors.with_label_values(&[name, kind]);
        Ok(Upstream {
            name: name.to_string(),
            config: cfg.clone(),
            scheme,
            targets,
            client,
            rr: AtomicUsize::new(0),
            epoch: Instant::now(),
            counters: UpstreamCounters {
                connect: c("connect"),
                timeout: c("timeout"),
                protocol: c("protocol"),
            },
        })
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    fn healthy(&self, i: usize, now: u64) -> bool {
        self.targets[i].ejected_until.load(Ordering::Relaxed) <= now
    }

    /// Chooses a target index, skipping `avoid` (a target that just failed) and ejected
    /// targets when possible.
    pub fn pick(&self, avoid: Option<usize>) -> usize {
        let n = self.targets.len();
        if n <= 1 {
            return 0;
        }
        let now = self.now_ms();
        let ok = |i: usize| Some(i) != avoid && self.healthy(i, now);
        let candidate = match self.config.balance {
            BalanceConfig::RoundRobin => {
                let start = self.rr.fetch_add(1, Ordering::Relaxed);
                (0..n).map(|k| (start + k) % n).find(|&i| ok(i))
            }
            BalanceConfig::Random | BalanceConfig::LeastRequests => {
                let mut rng = rand::rng();
                let a = rng.random_range(0..n);
                let b = rng.random_range(0..n);
                // random: the first draw; least requests: the less loaded of two
                let pick = if self.config.balance == BalanceConfig::Random
                    || self.targets[a].inflight.load(Ordering::Relaxed)
                        <= self.targets[b].inflight.load(Ordering::Relaxed)
                {
                    a
                } else {
                    b
                };
                if ok(pick) {
                    Some(pick)
                } else {
                    (0..n).map(|k| (pick + k) % n).find(|&i| ok(i))
                }
            }
        };
        candidate.unwrap_or_else(|| {
            // All out: the one that comes back soonest.
            (0..n)
                .filter(|&i| Some(i) != avoid)
                .min_by_key(|&i| self.targets[i].ejected_until.load(Ordering::Relaxed))
                .unwrap_or(0)
        })
    }

    pub(crate) fn record_success(&self, i: usize) {
        self.targets[i].failures.store(0, Ordering::Relaxed);
    }

    pub(crate) fn record_failure(&self, i: usize) {
        let t = &self.targets[i];
        let f = t.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if f >= self.config.health.max_failures {
            let until = self.now_ms() + self.config.health.ejection.as_millis() as u64;
            t.ejected_until.store(until, Ordering::Relaxed);
            t.failures.store(0, Ordering::Relaxed);
            tracing::warn!(upstream = %self.name, target = %t.authority, ejection = ?self.config.health.ejection, "upstream target ejected");
        }
    }

    pub(crate) fn client(&self) -> &HttpClient {
        &self.client
    }

    pub fn response_timeout(&self) -> Duration {
        self.config.response_timeout
    }

    /// Targets currently in service (for /readyz and snapshot.json).
    pub fn healthy_targets(&self) -> usize {
        let now = self.now_ms();
        (0..self.targets.len())
            .filter(|&i| self.healthy(i, now))
            .count()
    }
}

/// Plain-HTTP upstreams still go through the HTTPS-capable connector (one client type);
/// this config is never used for a handshake because their URIs are `http://`.
fn plain_client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    Ok(
        rustls::ClientConfig::builder_with_provider(rampart_tls::provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    )
}

pub(crate) fn inflight_guard(up: &Arc<Upstream>, i: usize) -> InflightGuard {
    up.targets[i].inflight.fetch_add(1, Ordering::Relaxed);
    InflightGuard { up: up.clone(), i }
}

/// Decrements a target's in-flight count when the exchange ends.
pub(crate) struct InflightGuard {
    up: Arc<Upstream>,
    i: usize,
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        self.up.targets[self.i]
            .inflight
            .fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upstream(balance: BalanceConfig, targets: &[&str]) -> Arc<Upstream> {
        let registry = prometheus::Registry::new();
        let metrics = DataMetrics::register(&registry).expect("metrics");
        let cfg: UpstreamConfig = toml::from_str(&format!(
            "targets = [{}]\nbalance = \"{}\"\nhealth = {{ max_failures = 1, ejection = \"60s\" }}",
            targets
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(", "),
            match balance {
                BalanceConfig::RoundRobin => "round_robin",
                BalanceConfig::LeastRequests => "least_requests",
                BalanceConfig::Random => "random",
            }
        ))
        .expect("config");
        rustls::crypto::aws_lc_rs::default_provider()
            .install_default()
            .ok();
        Arc::new(Upstream::build("u", &cfg, &metrics).expect("upstream"))
    }

    #[test]
    fn round_robin_alternates_and_skips_ejected_targets() {
        let up = upstream(
            BalanceConfig::RoundRobin,
            &["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"],
        );
        let picks: Vec<usize> = (0..6).map(|_| up.pick(None)).collect();
        assert_eq!(picks, vec![0, 1, 2, 0, 1, 2]);
        up.record_failure(1);
        assert!(
            (0..6).all(|_| up.pick(None) != 1),
            "an ejected target is skipped"
        );
        assert_eq!(up.healthy_targets(), 2);
    }

    #[test]
    fn least_requests_prefers_the_idle_target() {
        let up = upstream(
            BalanceConfig::LeastRequests,
            &["127.0.0.1:1", "127.0.0.1:2"],
        );
        let _busy: Vec<_> = (0..10).map(|_| inflight_guard(&up, 0)).collect();
        let picks: Vec<usize> = (0..50).map(|_| up.pick(None)).collect();
        // Two random choices: whenever both candidates differ, the idle one wins.
        assert!(picks.iter().filter(|&&p| p == 1).count() > 25, "{picks:?}");
    }

    #[test]
    fn all_targets_ejected_still_picks_one_and_avoids_the_one_that_just_failed() {
        let up = upstream(BalanceConfig::Random, &["127.0.0.1:1", "127.0.0.1:2"]);
        up.record_failure(0);
        up.record_failure(1);
        assert_eq!(up.healthy_targets(), 0);
        assert_eq!(up.pick(Some(0)), 1);
        assert_eq!(up.pick(Some(1)), 0);
    }

    #[test]
    fn parse_target_accepts_host_port_only() {
        assert!(parse_target("127.0.0.1:80").is_some());
        assert!(parse_target("[::1]:8080").is_some());
        assert!(parse_target("app.internal:443").is_some());
        assert!(parse_target("app.internal").is_none());
        assert!(parse_target("http://x:1").is_none());
        assert!(parse_target("u@x:1").is_none());
    }
}
