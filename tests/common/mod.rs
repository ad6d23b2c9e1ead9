//! End-to-end harness: the real gateway (`rampart::Gateway`, the same code `rampart run`
//! starts) bound to 127.0.0.1:0, in-process mock upstreams, rcgen certificates made at
//! test time, and `eventually` for state that settles. Everything made lives in a
//! `TempDir` dropped with the test; gateways are shut down explicitly.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

pub use rampart::{Exit, Gateway, GatewayOptions};

/// Polls `cond` until it holds or `within` passes; panics with `what` otherwise.
pub async fn eventually<F, Fut>(what: &str, within: Duration, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if cond().await {
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("condition not reached within {within:?}: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

type Handler = Arc<dyn Fn(Request<Bytes>) -> Response<Full<Bytes>> + Send + Sync>;

/// An in-process upstream on 127.0.0.1:0.
pub struct MockUpstream {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    stop: CancellationToken,
}

impl Drop for MockUpstream {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Default behaviour: 200 with a JSON echo of method, uri and headers.
pub fn echo_handler() -> Handler {
    Arc::new(|req: Request<Bytes>| {
        let headers: serde_json::Map<String, serde_json::Value> = req
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    serde_json::Value::from(String::from_utf8_lossy(v.as_bytes()).into_owned()),
                )
            })
            .collect();
        let body = serde_json::json!({
            "method": req.method().as_str(),
            "uri": req.uri().to_string(),
            "headers": headers,
            "body": String::from_utf8_lossy(req.body()),
        });
        let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
        r.headers_mut()
            .insert("server", "mock-upstream".parse().unwrap());
        r.headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
        r
    })
}

impl MockUpstream {
    pub async fn start() -> Self {
        Self::with(echo_handler()).await
    }

    pub async fn with(handler: Handler) -> Self {
        Self::with_delay(handler, Duration::ZERO).await
    }

    /// Every response waits `delay` first (for timeout tests).
    pub async fn with_delay(handler: Handler, delay: Duration) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let stop = CancellationToken::new();
        let (h2, s2) = (hits.clone(), stop.clone());
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    a = listener.accept() => a,
                    _ = s2.cancelled() => return,
                };
                let Ok((stream, _)) = accepted else { continue };
                let (handler, hits, stop) = (handler.clone(), h2.clone(), s2.clone());
                tokio::spawn(async move {
                    let svc = service_fn(move |req: Request<Incoming>| {
                        let handler = handler.clone();
                        hits.fetch_add(1, Ordering::SeqCst);
                        async move {
                            let (parts, body) = req.into_parts();
                            let bytes = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            if !delay.is_zero() {
                                tokio::time::sleep(delay).await;
                            }
                            Ok::<_, Infallible>(handler(Request::from_parts(parts, bytes)))
                        }
                    });
                    let builder =
                        hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), svc);
                    tokio::select! { _ = conn => {}, _ = stop.cancelled() => {} }
                });
            }
        });
        Self { addr, hits, stop }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// A gateway under test with its temporary directory.
pub struct TestGateway {
    pub gw: Option<Gateway>,
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
}

impl TestGateway {
    /// Writes `config` to a temp dir (`{dir}` in it is replaced by that directory) and starts.
    pub async fn start(config: &str) -> Self {
        Self::try_start(config)
            .await
            .unwrap_or_else(|e| panic!("gateway did not start: {e}"))
    }

    pub async fn try_start(config: &str) -> Result<Self, String> {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, config, |_| {}).await
    }

    pub async fn start_in(
        dir: tempfile::TempDir,
        config: &str,
        tweak: impl FnOnce(&mut GatewayOptions),
    ) -> Result<Self, String> {
        rampart_tls::install_default_provider();
        let config_path = dir.path().join("rampart.toml");
        std::fs::write(
            &config_path,
            config.replace("{dir}", &dir.path().display().to_string()),
        )
        .unwrap();
        let mut opts = GatewayOptions::new(&config_path);
        opts.debounce = Duration::from_millis(50);
        tweak(&mut opts);
        let gw = Gateway::start(opts).await.map_err(|e| e.to_string())?;
        Ok(Self {
            gw: Some(gw),
            dir,
            config_path,
        })
    }

    pub fn gw(&self) -> &Gateway {
        self.gw.as_ref().expect("running")
    }

    pub fn addr(&self, listener: &str) -> SocketAddr {
        self.gw()
            .addr(listener)
            .unwrap_or_else(|| panic!("no listener {listener}"))
    }

    pub fn url(&self, listener: &str, path: &str) -> String {
        format!("http://{}{path}", self.addr(listener))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Rewrites the config file (same `{dir}` substitution) without reloading.
    pub fn write_config(&self, config: &str) {
        std::fs::write(
            &self.config_path,
            config.replace("{dir}", &self.dir.path().display().to_string()),
        )
        .unwrap();
    }

    pub async fn stop(mut self) {
        if let Some(mut gw) = self.gw.take() {
            gw.shutdown(Exit::Signal).await;
        }
    }
}

/// A config with one plain listener `main` on 127.0.0.1:0, one upstream and one route.
pub fn basic_config(upstream: SocketAddr, extra: &str) -> String {
    format!(
        r#"
[[listener]]
name = "main"
address = "127.0.0.1:0"

[upstream.app]
targets = ["{upstream}"]

[[route]]
name = "app"
path = "/{{*rest}}"
upstream = "app"

[[route]]
name = "root"
path = "/"
upstream = "app"
{extra}
"#
    )
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Sends raw bytes and returns the status code of the first response (0 if none).
pub async fn raw_status(addr: SocketAddr, request: &[u8]) -> u16 {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
        .await
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap()
}

pub fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

/// The real `rampart` binary as a child process; killed on drop so a failing test leaves
/// nothing behind.
pub struct Proc(pub std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Proc {
    /// Sends a signal by name (`TERM`, `HUP`, `INT`, `9`).
    pub fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &self.0.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    /// Waits (bounded) for the process to exit and returns its exit code.
    pub async fn wait_exit(&mut self) -> i32 {
        for _ in 0..300 {
            if let Some(s) = self.0.try_wait().unwrap() {
                return s.code().unwrap_or(-1);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("process did not exit");
    }

    pub fn exited(&mut self) -> Option<i32> {
        self.0.try_wait().unwrap().map(|s| s.code().unwrap_or(-1))
    }
}

pub const BIN: &str = env!("CARGO_BIN_EXE_rampart");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (bounded) until the daemon answers HTTP on `addr` (any status: with loopback
/// outside `internal_networks`, `/healthz` answers 403, which still proves it is up).
pub async fn wait_healthy(addr: SocketAddr) {
    eventually(
        "daemon answers HTTP",
        Duration::from_secs(30),
        || async move {
            client()
                .get(format!("http://{addr}/healthz"))
                .send()
                .await
                .is_ok()
        },
    )
    .await;
}

/// Writes `config` (its `127.0.0.1:0` listener moved to a free fixed port) to
/// `dir/rampart.toml`, starts `rampart run` on it with `envs`, and waits until it answers.
pub async fn spawn_daemon(
    dir: &Path,
    config: &str,
    envs: &[(&str, &Path)],
) -> (Proc, SocketAddr, PathBuf) {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let cfg = write(
        dir,
        "rampart.toml",
        &config.replace("127.0.0.1:0", &addr.to_string()),
    );
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["run", "-c", cfg.to_str().unwrap()])
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let p = Proc(cmd.spawn().unwrap());
    wait_healthy(addr).await;
    (p, addr, cfg)
}
