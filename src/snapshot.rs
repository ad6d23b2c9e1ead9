//! The immutable runtime view of one configuration generation. Connection handlers load
//! it once per request (`ArcSwap::load_full`) and keep that `Arc` until the request
//! ends, so a request admitted under generation n finishes under n.
//!
//! Compiling is pure apart from reading certificate files: it builds TLS configs, WAF
//! profiles, the router and upstream clients, and resolves every metric child the
//! request path needs. Errors come back as keyed issues so `rampart check` can point at
//! `file:line:col`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderValue, Method};
use prometheus::IntCounter;
use tokio_rustls::TlsAcceptor;

use crate::config::Pending;
use crate::config::{ClientAuthMode, Config, NetworkConfig};
use crate::gates::headers::SecurityHeaders;
use crate::gates::hygiene::Limits;
use crate::metrics::{DataMetrics, RouteMetrics};
use crate::rate_limit::Rate;
use crate::router::Router;
use crate::upstream::Upstream;

/// A listener as this generation serves it.
pub struct ListenerRuntime {
    pub name: String,
    pub address: SocketAddr,
    pub tls: Option<TlsAcceptor>,
    pub mtls: Option<ClientAuthMode>,
}

/// A WAF profile plus its pre-resolved counters.
pub struct WafRuntime {
    pub profile: rampart_waf::Profile,
    denied: Vec<(&'static str, IntCounter)>,
    would_block: Vec<(&'static str, IntCounter)>,
}

impl WafRuntime {
    fn new(profile: rampart_waf::Profile, m: &DataMetrics) -> Self {
        let name = profile.name().to_string();
        let mk = |vec: &prometheus::IntCounterVec| {
            rampart_waf::Class::ALL
                .iter()
                .map(|c| {
                    (
                        c.as_str(),
                        vec.with_label_values(&[name.as_str(), c.as_str()]),
                    )
                })
                .collect()
        };
        Self {
            denied: mk(&m.waf_denied),
            would_block: mk(&m.waf_would_block),
            profile,
        }
    }

    pub fn count(&self, class: &str, shadow: bool) {
        let list = if shadow {
            &self.would_block
        } else {
            &self.denied
        };
        if let Some((_, c)) = list.iter().find(|(k, _)| *k == class) {
            c.inc();
        }
    }
}

/// A compiled route.
pub struct Route {
    pub name: String,
    pub host: Option<String>,
    pub path: String,
    pub methods: Vec<Method>,
    /// Index into [`Snapshot::upstreams`].
    pub upstream: usize,
    pub waf: Option<Arc<WafRuntime>>,
    pub stream_timeout: Duration,
    pub body_limit: u64,
    pub metrics: Option<RouteMetrics>,
    /// Listener names this route is served on; `None` = every listener.
    pub listeners: Option<Vec<String>>,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("path", &self.path)
            .finish()
    }
}

impl Route {
    /// Whether a request that arrived on `listener` may use this route (others get 404).
    pub fn serves_listener(&self, listener: &str) -> bool {
        self.listeners
            .as_ref()
            .is_none_or(|ls| ls.iter().any(|l| l == listener))
    }

    #[cfg(test)]
    pub fn for_test(name: &str, host: Option<&str>, path: &str, methods: &[Method]) -> Self {
        Self {
            name: name.into(),
            host: host.map(Into::into),
            path: path.into(),
            methods: methods.to_vec(),
            upstream: 0,
            waf: None,
            stream_timeout: Duration::from_secs(1),
            body_limit: 0,
            metrics: None,
            listeners: None,
        }
    }
}

/// Everything a request needs, for one generation.
pub struct Snapshot {
    pub generation: u64,
    pub sha256: String,
    pub loaded_at: SystemTime,
    pub config: Arc<Config>,
    pub limits: Limits,
    pub network: NetworkConfig,
    pub rate: Option<Rate>,
    pub rate_limit_internal: bool,
    pub listeners: Vec<ListenerRuntime>,
    pub router: Router,
    pub routes: Vec<Arc<Route>>,
    pub upstreams: Vec<Arc<Upstream>>,
    pub security: SecurityHeaders,
    pub unrouted: RouteMetrics,
    /// Files whose change should trigger a reload (certificates, keys, CAs, CRLs).
    pub watch_paths: Vec<PathBuf>,
}

impl Snapshot {
    pub fn listener(&self, configured: SocketAddr) -> Option<&ListenerRuntime> {
        self.listeners.iter().find(|l| l.address == configured)
    }
}

fn header_value(out: &mut Vec<Pending>, key: &str, v: &str) -> Option<HeaderValue> {
    if v.is_empty() {
        return None;
    }
    match HeaderValue::from_str(v) {
        Ok(h) => Some(h),
        Err(_) => {
            out.push(Pending::new(
                key,
                "not a valid header value",
                "use printable ASCII only",
            ));
            None
        }
    }
}

/// Builds a snapshot from a validated config. `prev` lets unchanged upstreams (and their
/// pools and health state) carry over. `generation` is assigned by the caller on commit.
pub(crate) fn compile(
    cfg: Config,
    sha256: String,
    prev: Option<&Snapshot>,
    metrics: &DataMetrics,
) -> Result<Snapshot, Vec<Pending>> {
    let mut out = Vec::new();
    let mut watch = Vec::new();

    let mut listeners = Vec::new();
    for (i, l) in cfg.listeners.iter().enumerate() {
        let (tls, mtls) = match &l.tls {
            None => (None, None),
            Some(t) => {
                let spec = rampart_tls::ServerTlsSpec {
                    certs: t
                        .certificates
                        .iter()
                        .map(|c| rampart_tls::CertSpec {
                            cert: c.cert.clone(),
                            key: c.key.clone(),
                        })
                        .collect(),
                    client_auth: t
                        .client_auth
                        .as_ref()
                        .map(|ca| rampart_tls::ClientAuthSpec {
                            ca: ca.ca.clone(),
                            crls: ca.crls.clone(),
                            mode: match ca.mode {
                                ClientAuthMode::Required => rampart_tls::ClientAuthMode::Required,
                                ClientAuthMode::Optional => rampart_tls::ClientAuthMode::Optional,
                            },
                        }),
                    alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
                };
                for c in &t.certificates {
                    watch.push(c.cert.clone());
                    watch.push(c.key.clone());
                }
                if let Some(ca) = &t.client_auth {
                    watch.push(ca.ca.clone());
                    watch.extend(ca.crls.iter().cloned());
                }
                match rampart_tls::server_config(&spec) {
                    Ok(sc) => (
                        Some(TlsAcceptor::from(sc)),
                        t.client_auth.as_ref().map(|c| c.mode),
                    ),
                    Err(e) => {
                        out.push(Pending::new(
                            format!("listener[{i}].tls"),
                            e.to_string(),
                            "check the certificate, key, CA and CRL files named here",
                        ));
                        (None, None)
                    }
                }
            }
        };
        listeners.push(ListenerRuntime {
            name: l.name.clone(),
            address: l.address,
            tls,
            mtls,
        });
    }

    let mut upstreams = Vec::new();
    let mut upstream_index = HashMap::new();
    for (name, u) in &cfg.upstreams {
        let reused = prev
            .and_then(|p| {
                p.upstreams
                    .iter()
                    .find(|x| &x.name == name && &x.config == u)
            })
            .cloned();
        let up = match reused {
            Some(up) => up,
            None => match Upstream::build(name, u, metrics) {
                Ok(up) => Arc::new(up),
                Err(e) => {
                    out.push(Pending::new(
                        format!("upstream.{name}"),
                        e.to_string(),
                        "check targets and the CA bundle",
                    ));
                    continue;
                }
            },
        };
        if let Some(t) = &u.tls {
            watch.push(t.ca.clone());
        }
        upstream_index.insert(name.clone(), upstreams.len());
        upstreams.push(up);
    }

    let mut profiles = HashMap::new();
    for (name, p) in &cfg.waf.profile {
        match rampart_waf::Profile::compile(name, p) {
            Ok(profile) => {
                profiles.insert(name.clone(), Arc::new(WafRuntime::new(profile, metrics)));
            }
            Err(e) => out.push(Pending::new(
                format!("waf.profile.{name}"),
                e.to_string(),
                "see docs/waf.md for profile options",
            )),
        }
    }

    let allowed: Vec<Method> = cfg
        .server
        .allowed_methods
        .iter()
        .filter_map(|m| Method::from_bytes(m.as_bytes()).ok())
        .collect();
    let max_body = cfg.server.max_body_bytes.as_u64();
    let mut routes = Vec::new();
    for r in &cfg.routes {
        let Some(&upstream) = upstream_index.get(&r.upstream) else {
            continue;
        };
        let waf = r.waf.as_ref().and_then(|p| profiles.get(p)).cloned();
        let methods = match &r.methods {
            Some(ms) => ms
                .iter()
                .filter_map(|m| Method::from_bytes(m.as_bytes()).ok())
                .collect(),
            None => allowed.clone(),
        };
        let body_limit = waf
            .as_ref()
            .map(|w| w.profile.body_limit().min(max_body))
            .unwrap_or(max_body);
        routes.push(Arc::new(Route {
            name: r.name.clone(),
            host: r.host.as_ref().map(|h| h.to_ascii_lowercase()),
            path: r.path.clone(),
            methods,
            upstream,
            waf,
            stream_timeout: r.stream_timeout.unwrap_or(cfg.server.stream_timeout),
            body_limit,
            metrics: Some(RouteMetrics::new(metrics, &r.name)),
            listeners: r.listeners.clone(),
        }));
    }
    let router = match Router::build(&routes) {
        Ok(r) => r,
        Err(conflicts) => {
            for c in conflicts {
                out.push(Pending::new(
                    format!("route[{}].path", c.index),
                    c.message,
                    "make the host, path and methods of routes distinct",
                ));
            }
            Router::default()
        }
    };

    let s = &cfg.server;
    let security = SecurityHeaders {
        hsts: header_value(&mut out, "server.hsts", &s.hsts),
        frame_options: header_value(&mut out, "server.frame_options", &s.frame_options),
        referrer_policy: header_value(&mut out, "server.referrer_policy", &s.referrer_policy),
    };
    if !out.is_empty() {
        return Err(out);
    }
    let allow_list = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let limits = Limits {
        allow: HeaderValue::from_str(&allow_list).unwrap_or(HeaderValue::from_static("GET")),
        allowed_methods: allowed,
        max_uri_bytes: s.max_uri_bytes,
        max_header_count: s.max_header_count,
        max_header_bytes: s.max_header_bytes.as_u64() as usize,
        max_body_bytes: max_body,
    };
    let rate = cfg.rate_limit.as_ref().map(|r| Rate {
        per_second: r.requests_per_second,
        burst: r.burst,
    });
    watch.sort();
    watch.dedup();
    Ok(Snapshot {
        generation: 0,
        sha256,
        loaded_at: SystemTime::now(),
        limits,
        network: cfg.network.clone(),
        rate,
        rate_limit_internal: cfg.rate_limit.as_ref().is_some_and(|r| r.limit_internal),
        listeners,
        router,
        routes,
        upstreams,
        security,
        unrouted: RouteMetrics::new(metrics, "-"),
        watch_paths: watch,
        config: Arc::new(cfg),
    })
}
