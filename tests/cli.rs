//! The real binary: `check` exit codes and positioned errors, `keygen`, `config sign`,
//! `run` with SIGHUP reload and SIGTERM drain (exit 0), and `demo`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

#[test]
fn check_reports_ok_warnings_errors_and_usage_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.toml",
        &basic_config("127.0.0.1:9".parse().unwrap(), ""),
    );
    let out = Command::new(BIN)
        .args(["check", good.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("route `app` has no WAF profile"),
        "{stdout}"
    );

    let bad = write(
        dir.path(),
        "bad.toml",
        "[[listener]]\nname = \"a\"\naddress = \"127.0.0.1:1\"\n\n[[route]]\nname = \"r\"\npath = \"/\"\nupstream = \"ghost\"\n",
    );
    let out = Command::new(BIN)
        .args(["check", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.toml:8:1: `route[0].upstream`: upstream `ghost` is not defined"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");

    let out = Command::new(BIN).args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN)
        .args(["check", dir.path().join("missing.toml").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn keygen_writes_0600_key_and_never_overwrites_then_sign_writes_sig() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("node.key");
    let out = Command::new(BIN)
        .args(["keygen", "--out", key.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(dir.path().join("node.key.pub").exists());
    let before = std::fs::read(&key).unwrap();
    let again = Command::new(BIN)
        .args(["keygen", "--out", key.to_str().unwrap()])
        .output()
        .unwrap();
    assert_ne!(again.status.code(), Some(0));
    assert_eq!(
        std::fs::read(&key).unwrap(),
        before,
        "an existing key is never overwritten"
    );

    let cfg = write(
        dir.path(),
        "rampart.toml",
        &basic_config("127.0.0.1:9".parse().unwrap(), ""),
    );
    let out = Command::new(BIN)
        .args([
            "config",
            "sign",
            cfg.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sig = std::fs::read_to_string(dir.path().join("rampart.toml.sig")).unwrap();
    let pk = rampart_protocol::parse_public_key(dir.path().join("node.key.pub").to_str().unwrap())
        .unwrap();
    let pubfile = dir.path().join("node.key.pub");
    let ok = Command::new(BIN)
        .args([
            "check",
            cfg.to_str().unwrap(),
            "--config-pubkey",
            pubfile.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    std::fs::write(
        &cfg,
        format!("{}\n# tampered\n", std::fs::read_to_string(&cfg).unwrap()),
    )
    .unwrap();
    let bad = Command::new(BIN)
        .args([
            "check",
            cfg.to_str().unwrap(),
            "--config-pubkey",
            pubfile.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(1),
        "a tampered file fails check with the key"
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("signature"));
    let signed_bytes = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("\n# tampered\n", "");
    rampart_protocol::verify_config(&pk, signed_bytes.as_bytes(), &sig)
        .expect("signature verifies");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_reloads_on_sighup_and_drains_in_flight_requests_on_sigterm() {
    let slow = MockUpstream::with_delay(echo_handler(), Duration::from_millis(700)).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut p, addr, cfg) = spawn_daemon(dir.path(), &basic_config(slow.addr, ""), &[]).await;
    let cfg_text = std::fs::read_to_string(&cfg).unwrap();

    // SIGHUP: reload.
    std::fs::write(
        &cfg,
        cfg_text.replace(
            "[[route]]\nname = \"root\"",
            "[server]\nreferrer_policy = \"origin\"\n\n[[route]]\nname = \"root\"",
        ),
    )
    .unwrap();
    p.signal("HUP");
    eventually(
        "generation 2 after SIGHUP",
        Duration::from_secs(10),
        || async move {
            let Ok(r) = client()
                .get(format!("http://{addr}/_rampart/snapshot.json"))
                .send()
                .await
            else {
                return false;
            };
            r.json::<serde_json::Value>()
                .await
                .map(|v| v["generation"].as_u64() >= Some(2))
                .unwrap_or(false)
        },
    )
    .await;

    // SIGTERM while a request is in flight: it completes, then exit 0.
    let inflight = tokio::spawn(async move {
        client()
            .get(format!("http://{addr}/slow"))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    let s = &slow;
    eventually(
        "request reached the upstream",
        Duration::from_secs(10),
        || async move { s.hits() >= 1 },
    )
    .await;
    p.signal("TERM");
    assert_eq!(
        inflight
            .await
            .unwrap()
            .expect("in-flight request completes"),
        200
    );
    assert_eq!(p.wait_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_blocks_sqli_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (http, https) = (free_port(), free_port());
    let mut p = Proc(
        Command::new(BIN)
            .args([
                "demo",
                "--http",
                &format!("127.0.0.1:{http}"),
                "--https",
                &format!("127.0.0.1:{https}"),
                "--state-dir",
                dir.path().to_str().unwrap(),
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let addr: SocketAddr = format!("127.0.0.1:{http}").parse().unwrap();
    wait_healthy(addr).await;
    let c = client();
    assert_eq!(
        c.get(format!("http://{addr}/hello"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.get(format!("http://{addr}/?id=1%27%20OR%201=1--"))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    let tls = reqwest::Client::builder()
        .no_proxy()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert_eq!(
        tls.get(format!("https://127.0.0.1:{https}/hello"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(dir.path().join("rampart.toml").exists());
    p.signal("INT");
    assert_eq!(p.wait_exit().await, 0);
    // The audit log the demo wrote verifies with the command the banner prints.
    let d = dir.path();
    let mut args = vec![
        "audit".to_string(),
        "verify".into(),
        "--key-file".into(),
        d.join("audit.key").display().to_string(),
        "--pubkey".into(),
        d.join("node.pub").display().to_string(),
    ];
    for e in std::fs::read_dir(d.join("audit")).unwrap() {
        args.push(e.unwrap().path().display().to_string());
    }
    let out = Command::new(BIN).args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let log: String = std::fs::read_dir(d.join("audit"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        log.contains("\"kind\":\"request_blocked\"") && log.contains("waf:sqli"),
        "the refused request is in the audit log"
    );
    let mut banner = String::new();
    let mut out = BufReader::new(p.0.stdout.take().unwrap());
    while out.read_line(&mut banner).unwrap_or(0) > 0 {}
    assert!(
        banner.contains("curl"),
        "the demo prints what to try: {banner}"
    );
}

#[test]
fn shipped_minimal_example_passes_check() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/minimal.toml");
    let out = Command::new(BIN).args(["check", example]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
