//! `rampart demo`: a built-in upstream plus the gateway on loopback, from an embedded
//! configuration written to `STATE_DIR/rampart.toml` and run exactly as `rampart run`
//! would (hot reload included), so a newcomer can edit that file and watch it apply.
//!
//! Everything the demo makes (certificate, key, configuration, audit log and keys) lives
//! in the state directory: `--state-dir DIR`, or a fresh temporary directory that is
//! printed at start. An existing `rampart.toml` there is never overwritten: the built-in
//! upstream then listens where that file's `[upstream.demo]` points.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::daemon::{Gateway, GatewayOptions};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Plain HTTP listener address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,
    /// HTTPS listener address (self-signed certificate made at start).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub https: SocketAddr,
    /// Where the demo keeps what it makes (default: a fresh temporary directory).
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
}

/// Runs the demo until Ctrl-C / SIGTERM.
pub fn main(args: DemoArgs) -> i32 {
    crate::cli::init_tracing(crate::cli::LogFormat::Text);
    crate::panic_hook::install();
    let dir = match &args.state_dir {
        Some(d) => std::fs::create_dir_all(d)
            .map(|()| d.clone())
            .map_err(|e| format!("cannot create {}: {e}", d.display())),
        // Kept after exit (not deleted) so the audit log can still be verified afterwards.
        None => tempfile::Builder::new()
            .prefix("rampart-demo-")
            .tempdir()
            .map(|t| t.keep())
            .map_err(|e| format!("cannot create a temporary directory: {e}")),
    };
    let dir = match dir {
        Ok(d) => d,
        Err(e) => {
            eprintln!("rampart demo: {e}");
            return 1;
        }
    };
    let Some(rt) = crate::cli::runtime() else {
        return 1;
    };
    rt.block_on(run(args, dir))
}

async fn run(args: DemoArgs, dir: PathBuf) -> i32 {
    let config_path = dir.join("rampart.toml");
    let upstream_addr = if config_path.exists() {
        existing_upstream(&config_path)
    } else {
        None
    };
    let upstream = match tokio::net::TcpListener::bind(
        upstream_addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("rampart demo: cannot start the built-in upstream: {e}");
            return 1;
        }
    };
    let Ok(up_addr) = upstream.local_addr() else {
        return 1;
    };
    tokio::spawn(serve_upstream(upstream));
    if !config_path.exists()
        && let Err(e) = prepare_state(&dir, &args, up_addr)
    {
        eprintln!("rampart demo: cannot prepare {}: {e}", dir.display());
        return 1;
    }
    let mut opts = GatewayOptions::new(&config_path);
    opts.instance = Some("demo".into());
    let gw = match Gateway::start(opts).await {
        Ok(gw) => gw,
        Err(e) => {
            eprintln!("rampart demo: cannot start:\n{e}");
            return 1;
        }
    };
    print_banner(&gw, &dir, up_addr);
    gw.run_until_signal().await.code()
}

fn existing_upstream(path: &Path) -> Option<SocketAddr> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: toml::Table = toml::from_str(&text).ok()?;
    let target = v
        .get("upstream")?
        .get("demo")?
        .get("targets")?
        .as_array()?
        .first()?
        .as_str()?;
    target.parse().ok()
}

fn prepare_state(dir: &Path, args: &DemoArgs, upstream: SocketAddr) -> std::io::Result<()> {
    let leaf = rampart_tls::pki::self_signed(&["localhost", "127.0.0.1", "::1"])
        .map_err(std::io::Error::other)?;
    let spec = leaf.write(dir, "demo").map_err(std::io::Error::other)?;
    crate::audit::demo_keys(dir).map_err(std::io::Error::other)?;
    std::fs::write(
        dir.join("rampart.toml"),
        demo_config(args, upstream, &spec.cert, &spec.key, dir),
    )
}

fn demo_config(
    args: &DemoArgs,
    upstream: SocketAddr,
    cert: &Path,
    key: &Path,
    dir: &Path,
) -> String {
    format!(
        r#"# Rampart demo configuration. Edit and save: the gateway reloads it live.
# Reference: docs/configuration.md

[server]
max_body_bytes = "1MiB"
drain_timeout = "5s"

[network]
internal_networks = ["127.0.0.0/8", "::1/128"]

[rate_limit]
requests_per_second = 200.0
burst = 400

[[listener]]
name = "http"
address = "{http}"

[[listener]]
name = "https"
address = "{https}"
[listener.tls]
certificates = [{{ cert = "{cert}", key = "{key}" }}]

[upstream.demo]
targets = ["{upstream}"]

[waf.profile.balanced]
mode = "balanced"

[[route]]
name = "root"
path = "/"
upstream = "demo"
waf = "balanced"

[[route]]
name = "app"
path = "/{{*rest}}"
upstream = "demo"
waf = "balanced"
{audit}"#,
        http = args.http,
        https = args.https,
        cert = cert.display(),
        key = key.display(),
        upstream = upstream,
        audit = crate::audit::demo_section(dir),
    )
}

fn print_banner(gw: &Gateway, dir: &Path, upstream: SocketAddr) {
    let http = gw.addr("http").map(|a| a.to_string()).unwrap_or_default();
    let https = gw.addr("https").map(|a| a.to_string()).unwrap_or_default();
    println!(
        r#"Rampart demo is running.
  built-in upstream  http://{upstream}
  gateway (HTTP)     http://{http}
  gateway (HTTPS)    https://{https}   (self-signed certificate)
  state directory    {dir}   (edit rampart.toml there: it reloads live)

Try:
  curl -i http://{http}/hello
  curl -i 'http://{http}/?id=1%27%20OR%201=1--'          # refused by the WAF (400)
  curl -ik https://{https}/hello                          # TLS 1.3
  curl -s http://{http}/_rampart/snapshot.json            # internal: generation, routes, actors
  curl -s http://{http}/metrics | grep rampart_
{audit}
Stop with Ctrl-C."#,
        dir = dir.display(),
        audit = crate::audit::demo_hint(dir),
    );
}

async fn serve_upstream(listener: tokio::net::TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let svc = service_fn(echo);
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// The built-in upstream: answers with a JSON description of what it received.
async fn echo(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let len = body
        .collect()
        .await
        .map(|b| b.to_bytes().len())
        .unwrap_or(0);
    let headers: serde_json::Map<String, serde_json::Value> = parts
        .headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("x-") || *n == "traceparent" || *n == "host")
        .map(|(n, v)| {
            (
                n.to_string(),
                serde_json::Value::from(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect();
    let body = serde_json::json!({
        "upstream": "rampart demo",
        "method": parts.method.as_str(),
        "uri": parts.uri.to_string(),
        "body_bytes": len,
        "headers": headers,
    });
    let mut resp = Response::new(Full::new(Bytes::from(format!("{body}\n"))));
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}
