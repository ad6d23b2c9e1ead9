//! One request, start to finish (docs/request-lifecycle.md draws these phases):
//! 1. pin the snapshot; request id; client IP through trusted proxies
//! 2. hygiene gates (405/414/431/400/413); canonical path (400)
//! 3. per-IP rate limit (429); internal endpoints (internal networks only, else 403)
//! 4. route (404 / 405 + Allow)
//! 5. WAF: head, then the body as it streams in (400 / 413 / 415; shadow: count only)
//! 6. forward (502 / 504), WebSocket upgrade bridged, streams bounded by stream_timeout
//! 7. response headers; metrics; one audit event per refusal (try_send, never awaited)

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use hyper::body::{Body, Incoming};
use tracing::Instrument;

use super::body::{self, Buffered, Deadline, Limited};
use crate::gates::{Reject, client_ip, headers, hygiene, path};
use crate::internal;
use crate::rescue::{self, RespBody};
use crate::router::RouteMatch;
use crate::snapshot::{Route, Snapshot};
use crate::state::Shared;
use crate::upstream::{self, ForwardBody, UpstreamError};

/// What the connection knows about itself.
pub struct ConnInfo {
    pub peer: SocketAddr,
    pub tls: bool,
    /// `sha256:HEX` of a verified client certificate.
    pub client_cert: Option<HeaderValue>,
    /// Held for the connection's whole life, including an upgraded (WebSocket) stream
    /// that outlives the HTTP connection: the caps and `rampart_connections_active` keep
    /// counting it until it ends.
    pub guard: Arc<super::ConnGuard>,
    /// Cancelled when this connection's listener is removed or drained.
    pub closing: tokio_util::sync::CancellationToken,
    /// Name of the listener the connection arrived on (routes may be limited to some).
    pub listener: Arc<str>,
}

/// Facts about a request gathered on the way, for logs and audit.
struct Ctx<'a> {
    shared: &'a Arc<Shared>,
    snap: &'a Snapshot,
    conn: &'a ConnInfo,
    client: IpAddr,
    request_id: HeaderValue,
    trace_id: Option<String>,
    method: http::Method,
    /// The request target as received (a cheap, shared clone).
    uri: http::Uri,
    route: Option<&'a Arc<Route>>,
}

impl Ctx<'_> {
    /// Records a refusal: counter, log line, audit event.
    fn refused(&self, status: StatusCode, reason: &str, detail: Option<String>) {
        tracing::info!(request_id = ?self.request_id, client = %self.client, status = status.as_u16(), reason, detail = detail.as_deref().unwrap_or(""), "request refused");
        if !self.shared.audit.enabled() {
            return;
        }
        // The writer redacts `[redact]` query values before the MAC is computed.
        self.shared
            .audit
            .send(rampart_audit::AuditEvent::RequestBlocked {
                client_ip: self.client,
                method: self.method.to_string(),
                path: self
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/")
                    .to_string(),
                request_id: String::from_utf8_lossy(self.request_id.as_bytes()).into_owned(),
                trace_id: self.trace_id.clone(),
                reason: reason.to_string(),
                detail,
                route: self.route.map(|r| r.name.clone()),
                status: status.as_u16(),
            });
    }

    fn reject(&self, r: Reject) -> Response<RespBody> {
        self.shared
            .metrics
            .rejected
            .with_label_values(&[r.reason])
            .inc();
        // Every refusal that is a policy decision is audited; plain 404/405 are not.
        self.refused(r.status, r.reason, None);
        rescue::error(r.status)
    }
}

/// The service function hyper calls for every request on a connection.
pub async fn handle(
    shared: Arc<Shared>,
    conn: Arc<ConnInfo>,
    req: Request<Incoming>,
) -> Result<Response<RespBody>, std::convert::Infallible> {
    let started = Instant::now();
    let snap = shared.snapshot.load_full();
    let (mut parts, body) = req.into_parts();
    let request_id = headers::request_id(&mut parts.headers);
    let client = client_ip::resolve(
        conn.peer.ip(),
        &parts.headers,
        &snap.network.trusted_proxies,
    );
    let mut ctx = Ctx {
        shared: &shared,
        snap: &snap,
        conn: &conn,
        client,
        request_id: request_id.clone(),
        trace_id: None,
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        route: None,
    };
    let span = tracing::debug_span!("req", id = ?request_id, route = tracing::field::Empty);
    let mut resp = pipeline(&mut ctx, parts, body).instrument(span).await;
    let status = resp.status().as_u16();
    let metrics = ctx
        .route
        .and_then(|r| r.metrics.as_ref())
        .unwrap_or(&snap.unrouted);
    metrics.count(status);
    metrics.duration.observe(started.elapsed().as_secs_f64());
    let h = resp.headers_mut();
    headers::strip_hop_by_hop(h, status == 101);
    snap.security.apply(h, conn.tls);
    h.insert(headers::X_REQUEST_ID, request_id);
    Ok(resp)
}

async fn pipeline<'a>(
    ctx: &mut Ctx<'a>,
    mut parts: http::request::Parts,
    body: Incoming,
) -> Response<RespBody> {
    let snap = ctx.snap;
    if let Err(r) = hygiene::check(&snap.limits, &parts.method, &parts.uri, &parts.headers) {
        let mut resp = ctx.reject(r);
        if r.status == StatusCode::METHOD_NOT_ALLOWED {
            resp.headers_mut()
                .insert(header::ALLOW, snap.limits.allow.clone());
        }
        return resp;
    }
    let uri = parts.uri.clone();
    let canonical = match path::canonicalize(uri.path()) {
        Ok(p) => p,
        Err(why) => return ctx.reject(Reject::new(StatusCode::BAD_REQUEST, why.as_str())),
    };
    let internal_client = client_ip::is_in(&snap.network.internal_networks, ctx.client);
    if let Some(rate) = snap.rate
        && (!internal_client || snap.rate_limit_internal)
        && !ctx.shared.rate.check(ctx.client, rate)
    {
        ctx.shared.metrics.rate_limited.inc();
        ctx.refused(StatusCode::TOO_MANY_REQUESTS, "rate_limit", None);
        return rescue::too_many_requests();
    }
    if internal::is_internal(&canonical) {
        if !internal_client {
            return ctx.reject(Reject::new(StatusCode::FORBIDDEN, "internal_endpoint"));
        }
        return internal::serve(ctx.shared, snap, &parts.method, &canonical);
    }

    let host = request_host(&parts);
    let route = match snap
        .router
        .lookup(host.as_deref(), &canonical, &parts.method)
    {
        RouteMatch::Found(r) => r,
        RouteMatch::MethodNotAllowed(allow) => return rescue::method_not_allowed(allow),
        RouteMatch::NotFound => return rescue::error(StatusCode::NOT_FOUND),
    };
    tracing::Span::current().record("route", route.name.as_str());
    if !route.serves_listener(&ctx.conn.listener) {
        return rescue::error(StatusCode::NOT_FOUND);
    }
    ctx.route = Some(route);

    let (trace_id, replaced) = headers::traceparent(&mut parts.headers);
    if replaced {
        ctx.shared.metrics.traceparent_replaced.inc();
    }
    ctx.trace_id = trace_id;

    // WAF over the head, then the body.
    let fwd_body = match &route.waf {
        Some(waf) => {
            let head = rampart_waf::RequestHead {
                method: &parts.method,
                path: parts.uri.path(),
                query: parts.uri.query(),
                headers: &parts.headers,
                route: &route.name,
            };
            if let Some(resp) =
                waf_verdict(ctx, waf, rampart_waf::inspect_head(&waf.profile, &head))
            {
                return resp;
            }
            if body.is_end_stream() {
                ForwardBody::Empty
            } else {
                let mut scanner = match rampart_waf::BodyScanner::new(&waf.profile, &head) {
                    Ok(s) => s,
                    Err(v) => {
                        if let Some(resp) = waf_verdict(ctx, waf, v) {
                            return resp;
                        }
                        // Shadow mode: a body the profile would refuse before reading it
                        // (a content coding it cannot decode, or a refused content type on
                        // a profile that does not inspect bodies) is counted as
                        // would_block and passed through uninspected.
                        let (limited, tripped) = Limited::new(body, route.body_limit);
                        let body = ForwardBody::Stream(limited.boxed_unsync());
                        return forward(ctx, route, parts, body, &canonical, Some(tripped)).await;
                    }
                };
                let timeout = snap.config.server.body_timeout;
                match body::buffer_scanned(body, route.body_limit, timeout, &mut scanner).await {
                    Buffered::Reject(r) => return ctx.reject(r),
                    Buffered::Verdict(v) => {
                        return waf_verdict(ctx, waf, v)
                            .unwrap_or_else(|| rescue::error(StatusCode::BAD_REQUEST));
                    }
                    Buffered::Done(bytes, shadow) => {
                        if let Some(v) = shadow {
                            let _ = waf_verdict(ctx, waf, v);
                        }
                        if let Some(resp) = waf_verdict(ctx, waf, scanner.finish(&bytes)) {
                            return resp;
                        }
                        ForwardBody::Full(bytes)
                    }
                }
            }
        }
        None if body.is_end_stream() => ForwardBody::Empty,
        None => {
            let (limited, tripped) = Limited::new(body, route.body_limit);
            return forward(
                ctx,
                route,
                parts,
                ForwardBody::Stream(limited.boxed_unsync()),
                &canonical,
                Some(tripped),
            )
            .await;
        }
    };
    forward(ctx, route, parts, fwd_body, &canonical, None).await
}

/// Applies a WAF verdict: `Some(response)` when the request must stop here.
fn waf_verdict(
    ctx: &Ctx<'_>,
    waf: &crate::snapshot::WafRuntime,
    v: rampart_waf::Verdict,
) -> Option<Response<RespBody>> {
    match v {
        rampart_waf::Verdict::Allow => None,
        rampart_waf::Verdict::WouldBlock(d) => {
            waf.count(d.class.as_str(), true);
            tracing::warn!(request_id = ?ctx.request_id, profile = waf.profile.name(), id = d.id, class = d.class.as_str(), location = ?d.location, "waf would_block");
            None
        }
        rampart_waf::Verdict::Deny(d) => {
            waf.count(d.class.as_str(), false);
            let status = StatusCode::from_u16(d.status).unwrap_or(StatusCode::BAD_REQUEST);
            ctx.shared.metrics.rejected_waf.inc();
            ctx.refused(
                status,
                &format!("waf:{}", d.class.as_str()),
                Some(format!("{} at {:?}", d.id, d.location)),
            );
            Some(rescue::error(status))
        }
    }
}

/// Lower-cased host without port, from `Host` (HTTP/1.1) or the URI authority (HTTP/2).
/// Borrowed unless the client sent upper case.
fn request_host(parts: &http::request::Parts) -> Option<std::borrow::Cow<'_, str>> {
    let raw = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))?;
    let host = match raw.rfind(':') {
        Some(i) if !raw.ends_with(']') && !raw[..i].contains(':') => &raw[..i],
        _ => raw,
    };
    let host = host.trim_end_matches('.');
    Some(if host.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(host.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(host)
    })
}

fn is_websocket(parts: &http::request::Parts) -> bool {
    let has = |name: header::HeaderName, token: &str| {
        parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    has(header::CONNECTION, "upgrade") && has(header::UPGRADE, "websocket")
}

async fn forward(
    ctx: &Ctx<'_>,
    route: &Arc<Route>,
    mut parts: http::request::Parts,
    body: ForwardBody,
    canonical: &str,
    tripped: Option<Arc<std::sync::atomic::AtomicBool>>,
) -> Response<RespBody> {
    let snap = ctx.snap;
    let Some(up) = snap.upstreams.get(route.upstream) else {
        return rescue::error(StatusCode::BAD_GATEWAY);
    };
    let websocket = is_websocket(&parts);
    let client_upgrade = if websocket {
        parts.extensions.remove::<hyper::upgrade::OnUpgrade>()
    } else {
        None
    };
    let h = &mut parts.headers;
    headers::strip_hop_by_hop(h, websocket);
    headers::forwarded_for(h, snap.network.xff_mode, ctx.conn.peer.ip(), ctx.client);
    h.insert(
        headers::X_FORWARDED_PROTO,
        HeaderValue::from_static(if ctx.conn.tls { "https" } else { "http" }),
    );
    h.remove(headers::CLIENT_CERT_FP);
    if let Some(fp) = &ctx.conn.client_cert {
        h.insert(headers::CLIENT_CERT_FP, fp.clone());
    }
    // The canonical path goes upstream; when it is what the client sent, the original
    // (shared) path-and-query is reused without copying.
    let pq = match (parts.uri.path() == canonical, parts.uri.path_and_query()) {
        (true, Some(pq)) => pq.clone(),
        _ => {
            let joined = match parts.uri.query() {
                Some(q) => format!("{canonical}?{q}"),
                None => canonical.to_string(),
            };
            match http::uri::PathAndQuery::try_from(joined) {
                Ok(pq) => pq,
                Err(_) => return rescue::error(StatusCode::BAD_REQUEST),
            }
        }
    };
    let result = upstream::forward(up, parts, body, pq).await;
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            if tripped.as_ref().is_some_and(|t| t.load(Ordering::Relaxed)) {
                return ctx.reject(Reject::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"));
            }
            return upstream_failure(ctx, &e);
        }
    };
    if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
        if let Some(client_upgrade) = client_upgrade {
            let upstream_upgrade = hyper::upgrade::on(&mut resp);
            let ceiling = route.stream_timeout;
            let guard = ctx.conn.guard.clone();
            let closing = ctx.conn.closing.clone();
            let shutdown = ctx.shared.shutdown.clone();
            tokio::spawn(async move {
                let _guard = guard;
                let (Ok(c), Ok(u)) = (client_upgrade.await, upstream_upgrade.await) else {
                    return;
                };
                let mut c = hyper_util::rt::TokioIo::new(c);
                let mut u = hyper_util::rt::TokioIo::new(u);
                // Ends at the stream ceiling, on shutdown, or when the listener goes away.
                tokio::select! {
                    _ = tokio::time::timeout(ceiling, tokio::io::copy_bidirectional(&mut c, &mut u)) => {}
                    _ = shutdown.cancelled() => {}
                    _ = closing.cancelled() => {}
                }
            });
            let (p, _) = resp.into_parts();
            return Response::from_parts(p, rescue::full(bytes::Bytes::new()));
        }
        return rescue::error(StatusCode::BAD_GATEWAY);
    }
    let (p, b) = resp.into_parts();
    Response::from_parts(p, Deadline::new(b, route.stream_timeout).boxed_unsync())
}

fn upstream_failure(ctx: &Ctx<'_>, e: &UpstreamError) -> Response<RespBody> {
    tracing::warn!(request_id = ?ctx.request_id, error = %e, "upstream failure");
    if e.is_timeout() {
        rescue::error(StatusCode::GATEWAY_TIMEOUT)
    } else {
        rescue::error(StatusCode::BAD_GATEWAY)
    }
}
