//! The data plane's connection side: admission at accept (caps before TLS), the TLS
//! handshake under a timeout, and one hyper-util auto (HTTP/1.1 + HTTP/2) connection per
//! socket, drained gracefully when its listener is removed or the gateway shuts down.
//!
//! Connection tasks are plain tokio tasks, never children of an actor: no actor restart
//! can close one. A panic inside one ends that connection only (tokio catches it; the
//! panic hook counts it).

pub mod body;
pub mod service;

use std::sync::Arc;

use http::HeaderValue;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rampart_actors::{AcceptedConn, Acceptor};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::conn_limit::{ConnPermit, Refused};
use crate::gates::client_ip;
use crate::state::Shared;
use service::ConnInfo;

/// The [`Acceptor`] the ListenerSupervisor hands accepted sockets to.
pub struct DataPlane {
    pub shared: Arc<Shared>,
}

impl Acceptor for DataPlane {
    fn accept(&self, conn: AcceptedConn) {
        let snap = self.shared.snapshot.load();
        let server = &snap.config.server;
        let ip = client_ip::canonical(conn.peer.ip());
        match self
            .shared
            .conns
            .admit(ip, server.max_connections, server.max_connections_per_ip)
        {
            Ok(permit) => {
                let shared = self.shared.clone();
                let span =
                    tracing::debug_span!("conn", peer = %conn.peer, listener = %conn.listener.name);
                tokio::spawn(serve(shared, conn, permit).instrument(span));
            }
            Err(why) => {
                let (reason, counter) = match why {
                    Refused::Global => ("global_cap", &self.shared.metrics.refused_global_cap),
                    Refused::PerIp => ("per_ip_cap", &self.shared.metrics.refused_per_ip_cap),
                };
                counter.inc();
                tracing::debug!(peer = %conn.peer, reason, "connection refused at accept");
                drop(conn);
            }
        }
    }
}

/// One admitted connection's accounting: the cap permit and the active gauge, released
/// together when the last holder (the HTTP connection or an upgraded stream) drops it.
pub struct ConnGuard {
    _permit: ConnPermit,
    active: prometheus::IntGauge,
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        self.active.dec();
    }
}

async fn serve(shared: Arc<Shared>, conn: AcceptedConn, permit: ConnPermit) {
    shared.metrics.connections_active.inc();
    let guard = Arc::new(ConnGuard {
        _permit: permit,
        active: shared.metrics.connections_active.clone(),
    });
    let snap = shared.snapshot.load_full();
    let Some(listener) = snap.listener(conn.listener.configured) else {
        // The listener was removed by a reload an instant ago.
        return;
    };
    let closing = conn.listener.closing.clone();
    let _ = conn.stream.set_nodelay(true);
    match &listener.tls {
        None => {
            let info = Arc::new(ConnInfo {
                peer: conn.peer,
                tls: false,
                client_cert: None,
                guard,
                closing: closing.clone(),
                listener: listener.name.as_str().into(),
            });
            serve_http(shared.clone(), info, TokioIo::new(conn.stream), closing).await;
        }
        Some(acceptor) => {
            let handshake = tokio::time::timeout(
                snap.config.server.handshake_timeout,
                acceptor.accept(conn.stream),
            )
            .await;
            let stream = match handshake {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    shared.metrics.tls_handshake_failures.inc();
                    tracing::debug!(error = %e, "tls handshake failed");
                    if listener.mtls.is_some() && is_certificate_refusal(&e) {
                        audit_client_cert(&shared, conn.peer, &e);
                    }
                    return;
                }
                Err(_) => {
                    shared.metrics.tls_handshake_failures.inc();
                    tracing::debug!("tls handshake timed out");
                    return;
                }
            };
            let client_cert = rampart_tls::client_cert_fingerprint(stream.get_ref().1)
                .and_then(|fp| HeaderValue::from_str(&fp).ok());
            let info = Arc::new(ConnInfo {
                peer: conn.peer,
                tls: true,
                client_cert,
                guard,
                closing: closing.clone(),
                listener: listener.name.as_str().into(),
            });
            serve_http(shared.clone(), info, TokioIo::new(stream), closing).await;
        }
    }
}

async fn serve_http<I>(
    shared: Arc<Shared>,
    info: Arc<ConnInfo>,
    io: TokioIo<I>,
    closing: CancellationToken,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let snap = shared.snapshot.load_full();
    let s = &snap.config.server;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(s.header_read_timeout)
        .keep_alive(true)
        // hyper answers 431 itself above this; our own gate enforces the exact limit.
        .max_buf_size((s.max_header_bytes.as_u64() as usize + s.max_uri_bytes + 4096).max(8192))
        .max_headers(s.max_header_count + 1);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(s.h2_max_concurrent_streams)
        .max_header_list_size(s.max_header_bytes.as_u64().min(u32::MAX as u64) as u32)
        .keep_alive_interval(Some(std::time::Duration::from_secs(30)))
        .keep_alive_timeout(std::time::Duration::from_secs(20));
    let drain = s.drain_timeout;
    drop(snap);
    let svc_shared = shared.clone();
    let service = service_fn(move |req| service::handle(svc_shared.clone(), info.clone(), req));
    let conn = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(conn);
    tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!(error = %e, "connection ended with error");
            }
        }
        _ = closing.cancelled() => {
            // Listener removed by a reload: finish in-flight requests, bounded by drain_timeout.
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(drain, conn).await;
        }
        _ = shared.shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(drain, conn).await;
        }
    }
}

/// True when rustls refused the client's certificate (or its absence), as opposed to a
/// client that simply went away mid-handshake.
fn is_certificate_refusal(e: &std::io::Error) -> bool {
    matches!(
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
    )
}

/// One audit record per refused client certificate (no HTTP exchange happened: method
/// and path are `-`, status 0 = closed during the TLS handshake).
fn audit_client_cert(shared: &Shared, peer: std::net::SocketAddr, e: &std::io::Error) {
    shared
        .audit
        .send(rampart_audit::AuditEvent::RequestBlocked {
            client_ip: client_ip::canonical(peer.ip()),
            method: "-".into(),
            path: "-".into(),
            request_id: "-".into(),
            trace_id: None,
            reason: "client_cert".into(),
            detail: Some(e.to_string()),
            route: None,
            status: 0,
        });
}
