//! End-to-end audit log: refusals, reloads and restarts are recorded; the log verifies
//! with the HMAC key and the node's public key; redaction happens before the MAC; a
//! writer panic under load loses nothing (feature `chaos`); `kill -9` then restart keeps
//! one verifiable chain; audit without a usable key refuses to start.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;

fn audit_config(upstream: std::net::SocketAddr, dir: &Path, extra: &str) -> String {
    let d = dir.display();
    basic_config(
        upstream,
        &format!(
            r#"
[network]
internal_networks = ["10.0.0.0/8"]
[audit]
dir = "{d}/audit"
key_file = "{d}/audit.key"
node_key = "{d}/node.key"
checkpoint_every = 50
{extra}
[redact]
query_params = ["token"]
"#
        ),
    )
}

fn keys(dir: &Path) -> (rampart_audit::AuditKey, ed25519_dalek::VerifyingKey) {
    let k = rampart_audit::AuditKey::generate();
    k.write_new(&dir.join("audit.key")).unwrap();
    let n = rampart_protocol::NodeKey::generate();
    n.write_new(&dir.join("node.key")).unwrap();
    (k, n.verifying_key())
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("audit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn records(dir: &Path) -> Vec<serde_json::Value> {
    segments(dir)
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_reloads_are_audited_redacted_and_verify() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (key, pubkey) = keys(dir.path());
    let cfg = audit_config(up.addr, dir.path(), "");
    let gw = TestGateway::start_in(dir, &cfg, |_| {}).await.unwrap();
    let c = client();
    // Internal endpoint from a non-internal client: refused and audited.
    assert_eq!(
        c.get(gw.url("main", "/metrics?token=s3cr3t&x=1"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    gw.write_config("not toml [");
    assert!(gw.gw().reload().await.is_err());
    // A reload whose new address is taken: rejected, and the failed bind is audited.
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = blocker.local_addr().unwrap().to_string();
    gw.write_config(&cfg.replace("127.0.0.1:0", &taken));
    assert!(gw.gw().reload().await.is_err());
    let dirpath = gw.dir.path().to_path_buf();
    let mut gw = gw;
    let inner = gw.gw.take().unwrap();
    let mut inner = inner;
    inner.shutdown(Exit::Signal).await;

    let recs = records(&dirpath);
    let kinds: Vec<&str> = recs.iter().filter_map(|r| r["kind"].as_str()).collect();
    let rebind = recs
        .iter()
        .find(|r| r["kind"] == "listener_rebind_failed")
        .expect("rebind failure audited");
    assert_eq!(rebind["address"], taken.as_str());
    for k in [
        "config_applied",
        "request_blocked",
        "config_rejected",
        "shutdown",
    ] {
        assert!(kinds.contains(&k), "missing {k} in {kinds:?}");
    }
    let blocked = recs
        .iter()
        .find(|r| r["kind"] == "request_blocked")
        .unwrap();
    assert_eq!(blocked["reason"], "internal_endpoint");
    assert_eq!(blocked["status"], 403);
    let path = blocked["path"].as_str().unwrap();
    assert!(
        path.contains("token=<redacted:6>") && !path.contains("s3cr3t"),
        "{path}"
    );
    let report =
        rampart_audit::verify::verify_segments(&segments(&dirpath), Some(&key), Some(&pubkey));
    assert!(report.is_ok(), "{}", report.render());
    assert!(report.checkpoints >= 1, "close writes a final checkpoint");
    drop(gw);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_without_usable_key_refuses_to_start() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("audit.key"), b"too short").unwrap();
    let cfg = audit_config(up.addr, dir.path(), "").replace("node_key = ", "# node_key = ");
    let err = TestGateway::start_in(dir, &cfg, |_| {})
        .await
        .err()
        .expect("must refuse");
    assert!(err.contains("no usable key"), "{err}");
}

#[cfg(feature = "chaos")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writer_panic_under_load_loses_no_queued_event() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (key, pubkey) = keys(dir.path());
    // Loopback stays internal (it drives the chaos endpoint) and is a trusted proxy, so the
    // load requests can claim an external client through X-Forwarded-For and be refused.
    let cfg = audit_config(up.addr, dir.path(), "queue_depth = 100000").replace(
        "internal_networks = [\"10.0.0.0/8\"]",
        "internal_networks = [\"127.0.0.0/8\"]\ntrusted_proxies = [\"127.0.0.0/8\"]",
    );
    let gw = TestGateway::start_in(dir, &cfg, |_| {}).await.unwrap();
    let addr = gw.addr("main");
    const N: usize = 300;
    let sender = tokio::spawn(async move {
        let c = client();
        for i in 0..N {
            let r = c
                .get(format!("http://{addr}/healthz?n={i}"))
                .header("x-forwarded-for", "203.0.113.9")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403);
        }
    });
    let mut panicked = 0;
    for _ in 0..200 {
        if panicked >= 3 || sender.is_finished() {
            break;
        }
        if client()
            .post(format!("http://{addr}/_rampart/chaos/panic/audit_writer"))
            .send()
            .await
            .map(|r| r.status() == 202)
            .unwrap_or(false)
        {
            panicked += 1;
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    sender.await.unwrap();
    assert!(panicked >= 1, "the writer was made to panic at least once");
    eventually(
        "audit writer restarted",
        Duration::from_secs(10),
        || async move {
            let Ok(r) = client()
                .get(format!("http://{addr}/_rampart/snapshot.json"))
                .send()
                .await
            else {
                return false;
            };
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            v["actors"].as_array().into_iter().flatten().any(|a| {
                a["name"]
                    .as_str()
                    .is_some_and(|n| n.ends_with("audit_writer"))
                    && a["running"] == true
                    && a["restarts"].as_u64() >= Some(1)
            })
        },
    )
    .await;
    let dirpath = gw.dir.path().to_path_buf();
    let mut gw = gw;
    let mut inner = gw.gw.take().unwrap();
    inner.shutdown(Exit::Signal).await;
    let recs = records(&dirpath);
    let health = recs
        .iter()
        .filter(|r| {
            r["kind"] == "request_blocked"
                && r["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/healthz"))
        })
        .count();
    assert_eq!(
        health, N,
        "every refused request is in the log despite {panicked} writer panics"
    );
    let report =
        rampart_audit::verify::verify_segments(&segments(&dirpath), Some(&key), Some(&pubkey));
    assert!(report.is_ok(), "{}", report.render());
    drop(gw);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_then_restart_keeps_one_verifiable_chain() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (key, pubkey) = keys(dir.path());
    let cfg = audit_config(up.addr, dir.path(), "fsync = \"batch\"");
    let (child, addr, _) = spawn_daemon(dir.path(), &cfg, &[]).await;
    // Heavy writing: many refused requests from several tasks, then kill -9 mid-stream.
    let mut load = Vec::new();
    for t in 0..4 {
        load.push(tokio::spawn(async move {
            let c = client();
            for i in 0..400 {
                if c.get(format!("http://{addr}/metrics?t={t}&i={i}"))
                    .send()
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.signal("9");
    drop(child);
    for l in load {
        let _ = l.await;
    }
    // Restart on the same log: the writer recovers the tail and continues the chain;
    // then a clean stop.
    let (mut child, _, _) = spawn_daemon(dir.path(), &cfg, &[]).await;
    child.signal("TERM");
    assert_eq!(child.wait_exit().await, 0);
    let report =
        rampart_audit::verify::verify_segments(&segments(dir.path()), Some(&key), Some(&pubkey));
    assert!(report.is_ok(), "{}", report.render());
    assert!(report.records > 10, "{}", report.render());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_client_certificate_is_audited() {
    use rampart_tls::pki::Ca;
    use rustls_pki_types::pem::PemObject;
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (key, pubkey) = keys(dir.path());
    let ca = Ca::new("clients").unwrap();
    let server = ca
        .issue_server(&["localhost"])
        .unwrap()
        .write(dir.path(), "server")
        .unwrap();
    let ca_path = ca.write_cert(dir.path(), "ca").unwrap();
    let tls = format!(
        "[listener.tls]\ncertificates = [{{ cert = \"{}\", key = \"{}\" }}]\n[listener.tls.client_auth]\nca = \"{}\"\nmode = \"required\"\n",
        server.cert.display(),
        server.key.display(),
        ca_path.display()
    );
    let cfg = audit_config(up.addr, dir.path(), "").replacen(
        "address = \"127.0.0.1:0\"\n",
        &format!("address = \"127.0.0.1:0\"\n{tls}"),
        1,
    );
    let gw = TestGateway::start_in(dir, &cfg, |_| {}).await.unwrap();
    let intruder = Ca::new("foreign")
        .unwrap()
        .issue_client("intruder")
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls_pki_types::CertificateDer::from(
            ca.cert_der().to_vec(),
        ))
        .unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(rampart_tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(
            vec![rustls_pki_types::CertificateDer::from(intruder.der.clone())],
            rustls_pki_types::PrivateKeyDer::from_pem_slice(intruder.key_pem.as_bytes()).unwrap(),
        )
        .unwrap();
    let c = reqwest::Client::builder()
        .no_proxy()
        .resolve("localhost", gw.addr("main"))
        .tls_backend_preconfigured(cfg)
        .build()
        .unwrap();
    assert!(
        c.get(format!("https://localhost:{}/", gw.addr("main").port()))
            .send()
            .await
            .is_err()
    );
    let dirpath = gw.dir.path().to_path_buf();
    let mut gw = gw;
    let mut inner = gw.gw.take().unwrap();
    inner.shutdown(Exit::Signal).await;
    let recs = records(&dirpath);
    let refused = recs
        .iter()
        .find(|r| r["kind"] == "request_blocked" && r["reason"] == "client_cert")
        .expect("client_cert refusal audited");
    assert_eq!(refused["client_ip"], "127.0.0.1");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("certificate"),
        "{refused}"
    );
    let report =
        rampart_audit::verify::verify_segments(&segments(&dirpath), Some(&key), Some(&pubkey));
    assert!(report.is_ok(), "{}", report.render());
    drop(gw);
}

/// Disk full: the daemon runs in a private mount namespace (`unshare -m`, nothing leaks
/// to the host) with its audit directory on a 256 KiB tmpfs. Once the log fills it,
/// writes fail: they are counted and retried, /readyz says so, and requests keep flowing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_disk_full_is_counted_retried_and_visible_while_serving() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    keys(dir.path());
    std::fs::create_dir(dir.path().join("audit")).unwrap();
    let port = free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let cfg = audit_config(up.addr, dir.path(), "queue_depth = 100000")
        .replace(
            "internal_networks = [\"10.0.0.0/8\"]",
            "internal_networks = [\"127.0.0.0/8\"]\ntrusted_proxies = [\"127.0.0.0/8\"]",
        )
        .replace("127.0.0.1:0", &addr.to_string());
    let cfg_path = write(dir.path(), "rampart.toml", &cfg);
    let script = format!(
        "mount -t tmpfs -o size=256k tmpfs '{}' && exec '{}' run -c '{}'",
        dir.path().join("audit").display(),
        BIN,
        cfg_path.display()
    );
    let child = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("unshare (util-linux) runs the daemon in its own mount namespace");
    let mut child = Proc(child);
    wait_healthy(addr).await;
    let c = client();
    // Fill the log: refused requests (an external client via XFF) with long paths.
    let pad = "p".repeat(1500);
    for i in 0..400 {
        let r = c
            .get(format!("http://{addr}/metrics?i={i}&{pad}"))
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    let metric = |text: &str, name: &str| -> u64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let c2 = c.clone();
    eventually(
        "readyz reports failing audit writes",
        Duration::from_secs(20),
        || {
            let c = c2.clone();
            async move {
                let Ok(r) = c.get(format!("http://{addr}/readyz")).send().await else {
                    return false;
                };
                r.status() == 503
                    && r.text()
                        .await
                        .unwrap_or_default()
                        .contains("audit log writes are failing")
            }
        },
    )
    .await;
    let first = metric(
        &c.get(format!("http://{addr}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "rampart_audit_write_errors_total",
    );
    assert!(first >= 1);
    let c3 = c.clone();
    eventually(
        "failed commits are retried",
        Duration::from_secs(20),
        || {
            let c = c3.clone();
            async move {
                let Ok(r) = c.get(format!("http://{addr}/metrics")).send().await else {
                    return false;
                };
                metric(
                    &r.text().await.unwrap_or_default(),
                    "rampart_audit_write_errors_total",
                ) > first
            }
        },
    )
    .await;
    assert_eq!(
        c.get(format!("http://{addr}/served"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "the data plane keeps serving"
    );
    assert!(child.exited().is_none());
    child.signal("KILL");
}
