//! With the `chaos` feature (on for the workspace test run through rampart-chaos): a named
//! actor made to panic more often than the restart intensity allows escalates to the root,
//! which shuts down in order and exits 70; every panic left one JSON record in the
//! last-gasp file named by RAMPART_LAST_GASP.

#![cfg(feature = "chaos")]

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_actor_panics_exit_70_with_last_gasp_records() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let cfg = write(
        dir.path(),
        "rampart.toml",
        &basic_config(up.addr, "").replace("127.0.0.1:0", &addr.to_string()),
    );
    let gasp = dir.path().join("last-gasp.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["run", "-c", cfg.to_str().unwrap()])
        .env("RAMPART_LAST_GASP", &gasp)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("daemon up", Duration::from_secs(30), || async move {
        client()
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .is_ok()
    })
    .await;
    let c = client();
    let mut code = None;
    for _ in 0..400 {
        if let Some(s) = child.try_wait().unwrap() {
            code = s.code();
            break;
        }
        let _ = c
            .post(format!("http://{addr}/_rampart/chaos/panic/config_watcher"))
            .send()
            .await;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    if code.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(code, Some(70), "intensity exceeded must exit 70");
    let records = std::fs::read_to_string(&gasp).unwrap();
    let lines: Vec<serde_json::Value> = records
        .lines()
        .map(|l| serde_json::from_str(l).expect("each record is one JSON object"))
        .collect();
    assert!(lines.len() >= 6, "one record per panic: {}", lines.len());
    assert!(
        lines
            .iter()
            .all(|l| l["kind"] == "panic" && l["message"].is_string())
    );
}
