//! The operator's configuration file (`rampart.toml`): serde structs, defaults and the
//! entry point that turns bytes into a validated [`Config`] or a list of [`Issue`]s that
//! each carry `file:line:col`, the key and a hint.
//!
//! Owns: the file format. Must not: compile runtime structures (that is
//! [`crate::snapshot`]) or touch the network.
//!
//! Every table refuses unknown keys. Human units live only here: durations are strings
//! such as `"30s"` (humantime), sizes such as `"10MiB"` (bytesize).

mod error;
mod validate;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytesize::ByteSize;
use ipnet::IpNet;
use serde::Deserialize;

pub(crate) use error::Pending;
pub use error::{Issue, IssueList};

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub network: NetworkConfig,
    /// Absent: no per-IP request rate limit.
    #[serde(default)]
    pub rate_limit: Option<RateLimitConfig>,
    #[serde(default, rename = "listener")]
    pub listeners: Vec<ListenerConfig>,
    #[serde(default, rename = "upstream")]
    pub upstreams: BTreeMap<String, UpstreamConfig>,
    #[serde(default, rename = "route")]
    pub routes: Vec<RouteConfig>,
    #[serde(default)]
    pub waf: WafConfig,
    /// Absent: no audit log.
    #[serde(default)]
    pub audit: Option<rampart_audit::AuditConfig>,
    #[serde(default)]
    pub redact: rampart_audit::RedactConfig,
    #[serde(default)]
    pub supervision: SupervisionConfig,
}

/// `[supervision]`: restart rules for the control-plane actors (start-only).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SupervisionConfig {
    /// Restarts allowed per actor within `within`; one more escalates: orderly shutdown,
    /// exit code 70, and the init system restarts the daemon.
    pub max_restarts: u32,
    #[serde(with = "humantime_serde")]
    pub within: Duration,
    /// Restart delay floor and ceiling (full jitter in between, doubling per attempt).
    #[serde(with = "humantime_serde")]
    pub backoff_min: Duration,
    #[serde(with = "humantime_serde")]
    pub backoff_max: Duration,
}

impl Default for SupervisionConfig {
    fn default() -> Self {
        Self {
            max_restarts: 5,
            within: Duration::from_secs(10),
            backoff_min: Duration::from_millis(50),
            backoff_max: Duration::from_secs(5),
        }
    }
}

/// `[server]`: process-wide limits and timeouts.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Open client connections across all listeners; beyond it new connections are
    /// closed at accept, before any TLS work.
    pub max_connections: usize,
    /// Open connections from one client address.
    pub max_connections_per_ip: usize,
    #[serde(with = "humantime_serde")]
    pub handshake_timeout: Duration,
    /// Time a client has to send a complete request head (HTTP/1.1).
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// Time a client has to send a whole body that the gateway buffers (WAF routes);
    /// 408 beyond it. Streams (no WAF) are bounded by `stream_timeout`.
    #[serde(with = "humantime_serde")]
    pub body_timeout: Duration,
    /// On SIGTERM / removed listener: how long in-flight requests may take to finish.
    #[serde(with = "humantime_serde")]
    pub drain_timeout: Duration,
    /// Ceiling on the life of an upgraded (WebSocket) or streaming (SSE) exchange.
    #[serde(with = "humantime_serde")]
    pub stream_timeout: Duration,
    pub max_uri_bytes: usize,
    pub max_header_count: usize,
    pub max_header_bytes: ByteSize,
    /// Bodies above this are refused with 413 (routes with a WAF profile use the
    /// profile's smaller `body_limit` when it has one).
    pub max_body_bytes: ByteSize,
    pub allowed_methods: Vec<String>,
    pub h2_max_concurrent_streams: u32,
    /// `Strict-Transport-Security` value sent on TLS listeners; empty = none.
    pub hsts: String,
    pub frame_options: String,
    pub referrer_policy: String,
    /// Where the panic hook writes its last-gasp record (`RAMPART_LAST_GASP` overrides).
    pub last_gasp_file: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_connections: 10_000,
            max_connections_per_ip: 256,
            handshake_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(30),
            stream_timeout: Duration::from_secs(3600),
            max_uri_bytes: 8192,
            max_header_count: 100,
            max_header_bytes: ByteSize::kib(64),
            max_body_bytes: ByteSize::mib(10),
            allowed_methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
                .map(String::from)
                .to_vec(),
            h2_max_concurrent_streams: 128,
            hsts: "max-age=31536000; includeSubDomains".into(),
            frame_options: "DENY".into(),
            referrer_policy: "strict-origin-when-cross-origin".into(),
            last_gasp_file: None,
        }
    }
}

/// How the outbound `X-Forwarded-For` is built.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum XffMode {
    /// Inbound value (if any) plus the connecting peer's address.
    #[default]
    Append,
    /// Only the resolved client address.
    Rewrite,
    /// No `X-Forwarded-For` upstream.
    Drop,
}

/// `[network]`: who is trusted to say who the client is, and who may see internals.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Peers whose `X-Forwarded-For` is believed (rightmost untrusted hop wins).
    pub trusted_proxies: Vec<IpNet>,
    /// Resolved client addresses allowed to reach `/healthz`, `/readyz`, `/metrics`,
    /// `/_rampart/snapshot.json`.
    pub internal_networks: Vec<IpNet>,
    pub xff_mode: XffMode,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        let loopback = ["127.0.0.0/8", "::1/128"]
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        Self {
            trusted_proxies: Vec::new(),
            internal_networks: loopback,
            xff_mode: XffMode::Append,
        }
    }
}

/// `[rate_limit]`: token bucket per resolved client address.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    pub requests_per_second: f64,
    pub burst: u32,
    /// Bound on tracked clients; idle clients are evicted first.
    #[serde(default = "default_max_clients")]
    pub max_clients: usize,
    /// Internal networks are not rate limited unless this is true.
    #[serde(default)]
    pub limit_internal: bool,
}

pub(crate) fn default_max_clients() -> usize {
    100_000
}

/// `[[listener]]`: one bound address.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListenerConfig {
    pub name: String,
    pub address: SocketAddr,
    #[serde(default)]
    pub tls: Option<ListenerTlsConfig>,
}

/// `[listener.tls]`: TLS 1.3 termination.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListenerTlsConfig {
    /// The first certificate is the default for clients without (matching) SNI.
    pub certificates: Vec<CertConfig>,
    #[serde(default)]
    pub client_auth: Option<ClientAuthConfig>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CertConfig {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMode {
    Required,
    Optional,
}

/// `[listener.tls.client_auth]`: mutual TLS.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClientAuthConfig {
    pub ca: PathBuf,
    #[serde(default)]
    pub crls: Vec<PathBuf>,
    pub mode: ClientAuthMode,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum BalanceConfig {
    #[default]
    RoundRobin,
    /// Power of two random choices on in-flight requests.
    LeastRequests,
    Random,
}

/// `[upstream.NAME]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// `host:port` targets (IP literals or names resolved at connect time).
    pub targets: Vec<String>,
    #[serde(default)]
    pub balance: BalanceConfig,
    #[serde(default = "default_connect_timeout", with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Time to the response head; 504 beyond it.
    #[serde(default = "default_response_timeout", with = "humantime_serde")]
    pub response_timeout: Duration,
    #[serde(default = "default_pool_idle", with = "humantime_serde")]
    pub pool_idle_timeout: Duration,
    #[serde(default = "default_pool_max_idle")]
    pub pool_max_idle_per_target: usize,
    /// Speak HTTP/2 to the upstream (prior knowledge on plain TCP, ALPN on TLS).
    #[serde(default)]
    pub http2: bool,
    #[serde(default)]
    pub tls: Option<UpstreamTlsConfig>,
    #[serde(default)]
    pub health: PassiveHealthConfig,
}

fn default_connect_timeout() -> Duration {
    Duration::from_secs(2)
}
fn default_response_timeout() -> Duration {
    Duration::from_secs(30)
}
fn default_pool_idle() -> Duration {
    Duration::from_secs(90)
}
fn default_pool_max_idle() -> usize {
    64
}

/// `[upstream.NAME.tls]`: HTTPS to the upstream.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UpstreamTlsConfig {
    /// CA bundle the upstream's certificate must chain to.
    pub ca: PathBuf,
    /// Name sent as SNI and checked against the certificate (default: the target host).
    #[serde(default)]
    pub server_name: Option<String>,
}

/// `[upstream.NAME.health]`: passive health checking.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PassiveHealthConfig {
    /// Consecutive failures (connect errors, response-head timeouts, broken exchanges) that
    /// take a target out. Any HTTP response, 5xx included, counts as a success.
    pub max_failures: u32,
    /// How long a failing target stays out.
    #[serde(with = "humantime_serde")]
    pub ejection: Duration,
}

impl Default for PassiveHealthConfig {
    fn default() -> Self {
        Self {
            max_failures: 3,
            ejection: Duration::from_secs(10),
        }
    }
}

/// `[[route]]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    pub name: String,
    /// Exact host (case-insensitive, port ignored); absent = any host.
    #[serde(default)]
    pub host: Option<String>,
    /// matchit pattern: `/api/{id}`, `/static/{*rest}`.
    pub path: String,
    /// Absent = every method in `server.allowed_methods`.
    #[serde(default)]
    pub methods: Option<Vec<String>>,
    pub upstream: String,
    /// WAF profile name; absent = NO WAF on this route.
    #[serde(default)]
    pub waf: Option<String>,
    /// Overrides `server.stream_timeout` for this route.
    #[serde(default, with = "humantime_serde")]
    pub stream_timeout: Option<Duration>,
    /// Serve this route only on these listeners (by name); absent = on every listener.
    /// Use it to keep a route behind an mTLS listener: elsewhere it answers 404.
    #[serde(default)]
    pub listeners: Option<Vec<String>>,
}

/// `[waf]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct WafConfig {
    #[serde(default)]
    pub profile: BTreeMap<String, rampart_waf::ProfileConfig>,
}

/// Source text plus its origin, kept so issues can point at `file:line:col`.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }

    /// Reads a file; a read failure or non-UTF-8 content is reported as one issue.
    pub fn read(path: &Path) -> Result<(Self, Vec<u8>), IssueList> {
        let bytes = std::fs::read(path).map_err(|e| {
            IssueList::single(
                path,
                format!("cannot read configuration: {e}"),
                "check the path and permissions",
            )
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|e| {
            IssueList::single(
                path,
                format!("configuration is not UTF-8: {e}"),
                "save the file as UTF-8",
            )
        })?;
        Ok((Self::new(path, text), bytes))
    }
}

impl Config {
    /// Parses and validates. Every problem found is returned, not just the first.
    pub fn parse(src: &Source) -> Result<Config, IssueList> {
        let cfg: Config = toml::from_str(&src.text).map_err(|e| IssueList::from_toml(src, &e))?;
        let issues = validate::validate(&cfg);
        if issues.is_empty() {
            Ok(cfg)
        } else {
            Err(IssueList::resolve(src, issues))
        }
    }

    /// Resolves issues found after parsing (e.g. by the snapshot compiler) to positions.
    pub(crate) fn issues(src: &Source, pending: Vec<Pending>) -> IssueList {
        IssueList::resolve(src, pending)
    }

    /// Settings applied only at start; a reload that changes them is refused (they
    /// cannot be honoured without a restart). Returns the first differing table.
    pub fn start_only_change(&self, new: &Config) -> Option<&'static str> {
        if self.audit != new.audit {
            return Some("[audit]");
        }
        if self.redact != new.redact {
            return Some("[redact]");
        }
        if self.supervision != new.supervision {
            return Some("[supervision]");
        }
        let clients = |c: &Config| {
            c.rate_limit
                .as_ref()
                .map(|r| r.max_clients)
                .unwrap_or_else(default_max_clients)
        };
        if clients(self) != clients(new) {
            return Some("rate_limit.max_clients");
        }
        None
    }

    /// Names of routes that run without a WAF profile (`rampart check` lists them).
    pub fn routes_without_waf(&self) -> impl Iterator<Item = &str> {
        self.routes
            .iter()
            .filter(|r| r.waf.is_none())
            .map(|r| r.name.as_str())
    }
}

#[cfg(test)]
mod tests;
