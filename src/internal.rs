//! Internal endpoints, answered on every listener before routing, and only to clients
//! whose resolved address is in `network.internal_networks` (others get 403):
//! `/healthz` (alive), `/readyz` (config loaded, every listener bound, audit writable),
//! `/metrics` (Prometheus text), `/_rampart/snapshot.json` (generation, listeners,
//! routes, upstream health, actor tree with restart counts, uptime).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use http::{HeaderValue, Method, Response, StatusCode, header};
use prometheus::Encoder;
use serde_json::json;

use crate::rescue::{self, RespBody};
use crate::snapshot::Snapshot;
use crate::state::Shared;

pub const INTERNAL_PATHS: [&str; 4] =
    ["/healthz", "/readyz", "/metrics", "/_rampart/snapshot.json"];

/// True when `path` belongs to the gateway rather than to a route.
pub fn is_internal(path: &str) -> bool {
    INTERNAL_PATHS.contains(&path) || path.starts_with("/_rampart/")
}

fn typed(
    status: StatusCode,
    ctype: &'static str,
    body: impl Into<bytes::Bytes>,
) -> Response<RespBody> {
    let mut r = Response::new(rescue::full(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Serves an internal path for an internal client.
pub fn serve(
    shared: &Arc<Shared>,
    snap: &Snapshot,
    method: &Method,
    path: &str,
) -> Response<RespBody> {
    // Read-only: GET and HEAD everywhere; the test-only chaos paths take POST.
    let chaos_path = cfg!(feature = "chaos") && path.starts_with("/_rampart/chaos/");
    if !chaos_path && method != Method::GET && method != Method::HEAD {
        let mut r = rescue::error(StatusCode::METHOD_NOT_ALLOWED);
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    match path {
        "/healthz" => typed(StatusCode::OK, "text/plain; charset=utf-8", "ok\n"),
        "/readyz" => readyz(shared),
        "/metrics" => metrics(shared),
        "/_rampart/snapshot.json" => typed(
            StatusCode::OK,
            "application/json",
            snapshot_json(shared, snap).to_string(),
        ),
        // A panic inside this connection's request handler, with control bytes in the
        // message (the panic hook must escape them).
        #[cfg(feature = "chaos")]
        "/_rampart/chaos/panic-request" if method == Method::POST => {
            panic!("chaos: request handler asked to panic \u{1b}[31m\nforged log line")
        }
        #[cfg(feature = "chaos")]
        p if p.starts_with("/_rampart/chaos/panic/") && method == Method::POST => {
            let name = &p["/_rampart/chaos/panic/".len()..];
            if rampart_actors::chaos::panic_actor(&shared.instance, name) {
                typed(
                    StatusCode::ACCEPTED,
                    "text/plain; charset=utf-8",
                    "panic requested\n",
                )
            } else {
                rescue::error(StatusCode::NOT_FOUND)
            }
        }
        _ => rescue::error(StatusCode::NOT_FOUND),
    }
}

fn readyz(shared: &Shared) -> Response<RespBody> {
    let mut reasons = Vec::new();
    if !shared.is_ready() {
        reasons.push("configuration not loaded or listeners not bound");
    }
    if shared.audit_failing.load(Ordering::Relaxed) {
        reasons.push("audit log writes are failing");
    }
    if reasons.is_empty() {
        typed(StatusCode::OK, "text/plain; charset=utf-8", "ready\n")
    } else {
        let body = json!({ "ready": false, "reasons": reasons }).to_string();
        typed(StatusCode::SERVICE_UNAVAILABLE, "application/json", body)
    }
}

fn metrics(shared: &Shared) -> Response<RespBody> {
    crate::panic_hook::sync_counter(&shared.metrics.panics);
    let families = shared.registry.gather();
    let mut buf = Vec::with_capacity(16 * 1024);
    match prometheus::TextEncoder::new().encode(&families, &mut buf) {
        Ok(()) => typed(
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            buf,
        ),
        Err(e) => {
            tracing::error!(error = %e, "metrics encoding failed");
            rescue::error(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

fn snapshot_json(shared: &Shared, snap: &Snapshot) -> serde_json::Value {
    let bound = shared.bound.load();
    let listeners: Vec<_> = snap
        .listeners
        .iter()
        .map(|l| {
            let local = bound.iter().find(|b| b.configured == l.address).map(|b| b.local.to_string());
            json!({ "name": l.name, "address": l.address.to_string(), "local": local, "tls": l.tls.is_some(),
                    "client_auth": l.mtls.map(|m| format!("{m:?}").to_lowercase()) })
        })
        .collect();
    let routes: Vec<_> = snap
        .routes
        .iter()
        .map(|r| {
            json!({ "name": r.name, "host": r.host, "path": r.path,
                    "methods": r.methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
                    "upstream": snap.upstreams.get(r.upstream).map(|u| u.name.as_str()),
                    "waf": r.waf.as_ref().map(|w| w.profile.name()), "waf_shadow": r.waf.as_ref().map(|w| w.profile.shadow()) })
        })
        .collect();
    let upstreams: Vec<_> = snap
        .upstreams
        .iter()
        .map(|u| json!({ "name": u.name, "targets": u.targets.iter().map(|t| t.authority.to_string()).collect::<Vec<_>>(), "healthy_targets": u.healthy_targets() }))
        .collect();
    let actors: Vec<_> = shared
        .tree
        .snapshot()
        .iter()
        .map(|a| json!({ "name": a.name, "parent": a.parent, "restarts": a.restarts, "running": a.running, "last_failure": a.last_failure }))
        .collect();
    let loaded = snap
        .loaded_at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    json!({
        "generation": snap.generation,
        "config_sha256": snap.sha256,
        "loaded_at_unix": loaded,
        "uptime_seconds": shared.started.elapsed().as_secs(),
        "ready": shared.is_ready(),
        "listeners": listeners,
        "routes": routes,
        "upstreams": upstreams,
        "actors": actors,
        "connections_active": shared.conns.active(),
        "audit": { "enabled": shared.audit.enabled(), "queued": shared.audit.queued(), "failing": shared.audit_failing.load(Ordering::Relaxed) },
    })
}
