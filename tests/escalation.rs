//! With the `chaos` feature (on for the workspace test run through rampart-chaos): a named
//! actor made to panic more often than the restart intensity allows escalates to the root,
//! which shuts down in order and exits 70; every panic left one JSON record in the
//! last-gasp file named by RAMPART_LAST_GASP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose
#![cfg(feature = "chaos")]

mod common;

use std::time::Duration;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_actor_panics_exit_70_with_last_gasp_records() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let gasp = dir.path().join("last-gasp.json");
    let (mut child, addr, _) = spawn_daemon(
        dir.path(),
        &basic_config(up.addr, ""),
        &[("RAMPART_LAST_GASP", &gasp)],
    )
    .await;
    let c = client();
    let mut code = None;
    for _ in 0..400 {
        if let Some(c) = child.exited() {
            code = Some(c);
            break;
        }
        let _ = c
            .post(format!("http://{addr}/_rampart/chaos/panic/config_watcher"))
            .send()
            .await;
        tokio::time::sleep(Duration::from_millis(25)).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panic_in_a_request_closes_that_connection_only_and_is_counted() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let gasp = dir.path().join("last-gasp.json");
    let (mut child, addr, _) = spawn_daemon(
        dir.path(),
        &basic_config(up.addr, ""),
        &[("RAMPART_LAST_GASP", &gasp)],
    )
    .await;
    // A second client with an open keep-alive connection, before and after the panic.
    let other = client();
    assert_eq!(
        other
            .get(format!("http://{addr}/before"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let fresh = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    assert!(
        fresh
            .post(format!("http://{addr}/_rampart/chaos/panic-request"))
            .send()
            .await
            .is_err(),
        "the panicking connection is closed"
    );
    assert_eq!(
        other
            .get(format!("http://{addr}/after"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let metrics = other
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("rampart_panics_total 1"), "{metrics}");
    let records = std::fs::read_to_string(&gasp).unwrap();
    assert_eq!(
        records.lines().count(),
        1,
        "one record, control bytes escaped: {records:?}"
    );
    let rec: serde_json::Value = serde_json::from_str(records.trim()).unwrap();
    assert!(
        rec["message"]
            .as_str()
            .unwrap()
            .contains("\u{1b}[31m\nforged"),
        "message preserved inside JSON"
    );
    assert!(child.exited().is_none(), "the daemon keeps running");
}
