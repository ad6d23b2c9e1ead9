//! Semantic checks that serde cannot express: references between tables, duplicates,
//! contradictory settings. File-backed checks (certificates, keys) and compile-time
//! checks (route conflicts, WAF profiles) happen in [`crate::snapshot`], which reports
//! in the same `Pending` form so `rampart check` shows everything with positions.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use super::Config;
use super::error::Pending;
use crate::internal::INTERNAL_PATHS;

pub(crate) fn validate(cfg: &Config) -> Vec<Pending> {
    let mut out = Vec::new();
    server(cfg, &mut out);
    listeners(cfg, &mut out);
    upstreams(cfg, &mut out);
    routes(cfg, &mut out);
    if let Some(rl) = &cfg.rate_limit {
        if !(rl.requests_per_second.is_finite() && rl.requests_per_second > 0.0) {
            out.push(Pending::new(
                "rate_limit.requests_per_second",
                "must be a positive number",
                "e.g. 50.0; remove [rate_limit] to turn rate limiting off",
            ));
        }
        if rl.burst > crate::rate_limit::MAX_BURST {
            out.push(Pending::new(
                "rate_limit.burst",
                format!("must be at most {}", crate::rate_limit::MAX_BURST),
                "bursts larger than this are better expressed as a higher rate",
            ));
        }
        if rl.burst == 0 {
            out.push(Pending::new(
                "rate_limit.burst",
                "must be at least 1",
                "burst is the bucket size; use at least requests_per_second",
            ));
        }
        if rl.max_clients < 16 {
            out.push(Pending::new(
                "rate_limit.max_clients",
                "must be at least 16",
                "this bounds the tracked clients table",
            ));
        }
    }
    let sv = &cfg.supervision;
    if sv.max_restarts == 0 {
        out.push(Pending::new(
            "supervision.max_restarts",
            "must be at least 1",
            "the default is 5 restarts within 10s",
        ));
    }
    positive(&mut out, "supervision.within", sv.within);
    positive(&mut out, "supervision.backoff_min", sv.backoff_min);
    if sv.backoff_max < sv.backoff_min {
        out.push(Pending::new(
            "supervision.backoff_max",
            "must not be below backoff_min",
            "e.g. backoff_min = \"50ms\", backoff_max = \"5s\"",
        ));
    }
    if let Some(audit) = &cfg.audit
        && let Err(issues) = audit.validate()
    {
        for i in issues {
            out.push(Pending::new(format!("audit.{}", i.key), i.message, i.hint));
        }
    }
    out
}

fn positive(out: &mut Vec<Pending>, key: &str, d: Duration) {
    if d.is_zero() {
        out.push(Pending::new(
            key,
            "must be greater than zero",
            "use a duration such as \"10s\"",
        ));
    }
}

pub(crate) fn is_method_token(m: &str) -> bool {
    !m.is_empty()
        && m.bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'-' || b == b'_')
}

fn server(cfg: &Config, out: &mut Vec<Pending>) {
    let s = &cfg.server;
    if s.max_connections == 0 {
        out.push(Pending::new(
            "server.max_connections",
            "must be at least 1",
            "the global cap on open client connections",
        ));
    }
    if s.max_connections_per_ip == 0 || s.max_connections_per_ip > s.max_connections {
        out.push(Pending::new(
            "server.max_connections_per_ip",
            "must be between 1 and server.max_connections",
            "a per-IP cap above the global cap can never apply",
        ));
    }
    positive(out, "server.handshake_timeout", s.handshake_timeout);
    positive(out, "server.header_read_timeout", s.header_read_timeout);
    positive(out, "server.body_timeout", s.body_timeout);
    positive(out, "server.drain_timeout", s.drain_timeout);
    positive(out, "server.stream_timeout", s.stream_timeout);
    if s.max_uri_bytes < 64 {
        out.push(Pending::new(
            "server.max_uri_bytes",
            "must be at least 64",
            "typical values are 8192 to 65536",
        ));
    }
    if s.max_header_count < 8 {
        out.push(Pending::new(
            "server.max_header_count",
            "must be at least 8",
            "typical value: 100",
        ));
    }
    if s.max_header_bytes.as_u64() < 1024 {
        out.push(Pending::new(
            "server.max_header_bytes",
            "must be at least 1KiB",
            "typical value: \"64KiB\"",
        ));
    }
    if s.h2_max_concurrent_streams == 0 {
        out.push(Pending::new(
            "server.h2_max_concurrent_streams",
            "must be at least 1",
            "typical value: 128",
        ));
    }
    if s.allowed_methods.is_empty() {
        out.push(Pending::new(
            "server.allowed_methods",
            "must name at least one method",
            "e.g. [\"GET\", \"POST\"]",
        ));
    }
    for (i, m) in s.allowed_methods.iter().enumerate() {
        if !is_method_token(m) {
            out.push(Pending::new(
                format!("server.allowed_methods[{i}]"),
                format!("`{m}` is not an upper-case method name"),
                "methods are case-sensitive tokens such as \"GET\"",
            ));
        }
    }
}

fn listeners(cfg: &Config, out: &mut Vec<Pending>) {
    if cfg.listeners.is_empty() {
        out.push(Pending::new(
            "listener",
            "no [[listener]] is configured",
            "add at least one [[listener]] with a name and an address",
        ));
    }
    let mut names = HashSet::new();
    let mut addrs = HashSet::new();
    for (i, l) in cfg.listeners.iter().enumerate() {
        if l.name.is_empty() || !names.insert(l.name.as_str()) {
            out.push(Pending::new(
                format!("listener[{i}].name"),
                format!("listener name `{}` is empty or used twice", l.name),
                "give each listener a unique name",
            ));
        }
        if !addrs.insert(l.address) {
            out.push(Pending::new(
                format!("listener[{i}].address"),
                format!("address {} is used by another listener", l.address),
                "each listener needs its own address",
            ));
        }
        if let Some(tls) = &l.tls
            && tls.certificates.is_empty()
        {
            out.push(Pending::new(
                format!("listener[{i}].tls.certificates"),
                "a TLS listener needs at least one certificate",
                "add { cert = \"...\", key = \"...\" }",
            ));
        }
    }
}

fn upstreams(cfg: &Config, out: &mut Vec<Pending>) {
    for (name, u) in &cfg.upstreams {
        let key = format!("upstream.{name}");
        if u.targets.is_empty() {
            out.push(Pending::new(
                format!("{key}.targets"),
                "an upstream needs at least one target",
                "e.g. targets = [\"127.0.0.1:9000\"]",
            ));
        }
        for (i, t) in u.targets.iter().enumerate() {
            if crate::upstream::parse_target(t).is_none() {
                out.push(Pending::new(
                    format!("{key}.targets[{i}]"),
                    format!("`{t}` is not host:port"),
                    "write targets as \"10.0.0.5:8080\" or \"app.internal:443\" (no scheme)",
                ));
            }
        }
        positive(out, &format!("{key}.connect_timeout"), u.connect_timeout);
        positive(out, &format!("{key}.response_timeout"), u.response_timeout);
        if u.health.max_failures == 0 {
            out.push(Pending::new(
                format!("{key}.health.max_failures"),
                "must be at least 1",
                "consecutive failures before a target is taken out",
            ));
        }
    }
}

fn routes(cfg: &Config, out: &mut Vec<Pending>) {
    let allowed: BTreeSet<&str> = cfg
        .server
        .allowed_methods
        .iter()
        .map(String::as_str)
        .collect();
    let mut names = HashSet::new();
    for (i, r) in cfg.routes.iter().enumerate() {
        let key = format!("route[{i}]");
        if r.name.is_empty() || !names.insert(r.name.as_str()) {
            out.push(Pending::new(
                format!("{key}.name"),
                format!("route name `{}` is empty or used twice", r.name),
                "give each route a unique name",
            ));
        }
        if !cfg.upstreams.contains_key(&r.upstream) {
            out.push(Pending::new(
                format!("{key}.upstream"),
                format!("upstream `{}` is not defined", r.upstream),
                "define it as [upstream.NAME] or fix the name",
            ));
        }
        if let Some(p) = &r.waf
            && !cfg.waf.profile.contains_key(p)
        {
            out.push(Pending::new(
                format!("{key}.waf"),
                format!("WAF profile `{p}` is not defined"),
                "define it as [waf.profile.NAME] or fix the name",
            ));
        }
        if !r.path.starts_with('/') {
            out.push(Pending::new(
                format!("{key}.path"),
                "a route path must start with `/`",
                "e.g. path = \"/api/{*rest}\"",
            ));
        }
        let literal = r.path.split('{').next().unwrap_or("");
        if INTERNAL_PATHS.iter().any(|p| {
            *p == r.path
                || (literal.len() > 1 && p.starts_with(literal) && literal.starts_with("/_rampart"))
        }) || r.path.starts_with("/_rampart/")
        {
            out.push(Pending::new(
                format!("{key}.path"),
                format!("`{}` claims an internal endpoint path", r.path),
                "/healthz, /readyz, /metrics and /_rampart/* are reserved for the gateway",
            ));
        }
        if let Some(host) = &r.host
            && (host.is_empty() || host.contains('/') || host.contains(char::is_whitespace))
        {
            out.push(Pending::new(
                format!("{key}.host"),
                format!("`{host}` is not a host name"),
                "a bare host such as \"api.example.com\"",
            ));
        }
        if let Some(ms) = &r.methods {
            if ms.is_empty() {
                out.push(Pending::new(
                    format!("{key}.methods"),
                    "an empty method list would refuse every request",
                    "remove `methods` to allow every server method",
                ));
            }
            for (j, m) in ms.iter().enumerate() {
                if !allowed.contains(m.as_str()) {
                    out.push(Pending::new(
                        format!("{key}.methods[{j}]"),
                        format!("method `{m}` is not in server.allowed_methods, so this route could never receive it"),
                        "add it to server.allowed_methods or remove it here",
                    ));
                }
            }
        }
        if let Some(ls) = &r.listeners {
            if ls.is_empty() {
                out.push(Pending::new(
                    format!("{key}.listeners"),
                    "an empty listener list would serve this route nowhere",
                    "remove `listeners` to serve it on every listener",
                ));
            }
            for (j, l) in ls.iter().enumerate() {
                if !cfg.listeners.iter().any(|x| &x.name == l) {
                    out.push(Pending::new(
                        format!("{key}.listeners[{j}]"),
                        format!("listener `{l}` is not defined"),
                        "name a [[listener]] of this file",
                    ));
                }
            }
        }
        if let Some(d) = r.stream_timeout {
            positive(out, &format!("{key}.stream_timeout"), d);
        }
    }
}
