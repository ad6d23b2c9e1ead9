//! End-to-end: the reload transaction. Invalid configs and unbindable addresses are
//! rejected whole while the old snapshot and listeners keep serving; good reloads swap
//! atomically, bind before they unbind, and bump the generation by exactly one; file
//! saves (rename) trigger reloads; signed configs are enforced.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::*;

fn listener_at(addr: &str) -> String {
    format!("[[listener]]\nname = \"main\"\naddress = \"{addr}\"\n")
}

fn config_with(listeners: &str, upstream: std::net::SocketAddr, header_marker: &str) -> String {
    format!(
        r#"{listeners}
[server]
referrer_policy = "{header_marker}"
[upstream.app]
targets = ["{upstream}"]
[[route]]
name = "app"
path = "/{{*rest}}"
upstream = "app"
"#
    )
}

async fn metric(url: &str, name: &str) -> Option<f64> {
    let text = client().get(url).send().await.ok()?.text().await.ok()?;
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_under_load_has_zero_failed_requests_and_exact_generations() {
    let up = MockUpstream::start().await;
    // A fixed port for the life of the test: taken from the OS, then configured.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    // Reloads are driven explicitly here; a day-long debounce keeps the file watcher from
    // adding reloads of its own, so the generation count is exact.
    let gw = TestGateway::start_in(
        tempfile::tempdir().unwrap(),
        &config_with(&listener_at(&addr), up.addr, "no-referrer"),
        |o| o.debounce = Duration::from_secs(86_400),
    )
    .await
    .unwrap();
    let url = format!("http://{addr}/load");

    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut clients = Vec::new();
    for _ in 0..2 {
        let (stop, ok, failed, url) = (stop.clone(), ok.clone(), failed.clone(), url.clone());
        clients.push(tokio::spawn(async move {
            let c = client();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 20_000 {
                n += 1;
                match c.get(&url).send().await {
                    Ok(r) if r.status() == 200 => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }

    // A port someone else holds, for the unbindable reload.
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let blocked = blocker.local_addr().unwrap().to_string();
    let mut good = 0u64;
    for i in 0..20 {
        let text = match i % 5 {
            1 => "this is [not toml".to_string(),
            3 => config_with(&listener_at(&addr), up.addr, "bad\u{7f}value")
                .replace("[upstream.app]", "[upstream.missing_ref]"),
            4 if i == 9 => config_with(
                &format!(
                    "{}{}",
                    listener_at(&addr),
                    listener_at(&blocked).replace("\"main\"", "\"second\"")
                ),
                up.addr,
                "origin",
            ),
            _ => {
                good += 1;
                config_with(
                    &listener_at(&addr),
                    up.addr,
                    if i % 2 == 0 { "origin" } else { "no-referrer" },
                )
            }
        };
        gw.write_config(&text);
        let _ = gw.gw().reload().await;
    }
    // Let the clients overlap the last reload a little.
    eventually("clients made progress", Duration::from_secs(10), || {
        let ok = ok.clone();
        async move { ok.load(Ordering::Relaxed) > 200 }
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "no request may fail during reloads ({} ok)",
        ok.load(Ordering::Relaxed)
    );
    assert_eq!(
        gw.gw().generation(),
        1 + good,
        "generation rises exactly by the good reloads"
    );
    let m = format!("http://{addr}/metrics");
    assert_eq!(
        metric(&m, "rampart_config_generation").await,
        Some((1 + good) as f64)
    );
    assert_eq!(
        metric(&m, "rampart_config_reloads_total{result=\"rejected\"}").await,
        Some((20 - good) as f64)
    );
    drop(blocker);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebind_failure_keeps_old_listener_and_applies_nothing_from_the_file() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&config_with(
        &listener_at("127.0.0.1:0"),
        up.addr,
        "no-referrer",
    ))
    .await;
    let old = gw.addr("main");
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = blocker.local_addr().unwrap();
    // Same file moves the listener to an occupied port AND changes a header.
    gw.write_config(&config_with(
        &listener_at(&taken.to_string()),
        up.addr,
        "origin",
    ));
    let err = gw.gw().reload().await.expect_err("bind must fail");
    assert!(err.to_string().contains(&taken.to_string()), "{err}");
    assert_eq!(gw.gw().generation(), 1);
    let r = client()
        .get(format!("http://{old}/still"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "old address still serves");
    assert_eq!(
        r.headers()["referrer-policy"],
        "no-referrer",
        "nothing else from the rejected file applied"
    );
    drop(blocker);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_address_is_bound_before_the_old_one_stops_and_old_drains() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&config_with(
        &listener_at("127.0.0.1:0"),
        up.addr,
        "no-referrer",
    ))
    .await;
    let old = gw.addr("main");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // An idle keep-alive connection opened on the old listener before the move.
    let c = client();
    assert_eq!(
        c.get(format!("http://{old}/a"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    gw.write_config(&config_with(
        &listener_at(&format!("127.0.0.1:{port}")),
        up.addr,
        "origin",
    ));
    assert_eq!(gw.gw().reload().await.unwrap(), 2);
    let r = client()
        .get(format!("http://127.0.0.1:{port}/b"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["referrer-policy"], "origin");
    eventually(
        "old listener stops accepting",
        Duration::from_secs(5),
        || async move { tokio::net::TcpStream::connect(old).await.is_err() },
    )
    .await;
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_the_file_by_rename_triggers_a_reload() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&config_with(
        &listener_at("127.0.0.1:0"),
        up.addr,
        "no-referrer",
    ))
    .await;
    let tmp = gw.path("rampart.toml.tmp");
    std::fs::write(
        &tmp,
        config_with(&listener_at("127.0.0.1:0"), up.addr, "origin"),
    )
    .unwrap();
    std::fs::rename(&tmp, &gw.config_path).unwrap();
    let g = &gw;
    eventually(
        "watcher applied generation 2",
        Duration::from_secs(10),
        || async move { g.gw().generation() == 2 },
    )
    .await;
    let r = client().get(gw.url("main", "/x")).send().await.unwrap();
    assert_eq!(r.headers()["referrer-policy"], "origin");
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_request_finishes_under_its_generation() {
    let slow = MockUpstream::with_delay(echo_handler(), Duration::from_millis(800)).await;
    let gw = TestGateway::start(&config_with(
        &listener_at("127.0.0.1:0"),
        slow.addr,
        "no-referrer",
    ))
    .await;
    let url = gw.url("main", "/slow");
    let pending = tokio::spawn(async move { client().get(url).send().await.unwrap() });
    let s = &slow;
    eventually(
        "request reached upstream",
        Duration::from_secs(5),
        || async move { s.hits() == 1 },
    )
    .await;
    gw.write_config(&config_with(
        &listener_at("127.0.0.1:0"),
        slow.addr,
        "origin",
    ));
    assert_eq!(gw.gw().reload().await.unwrap(), 2);
    let r = pending.await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["referrer-policy"],
        "no-referrer",
        "admitted under generation 1, answered under 1"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_config_is_required_when_a_public_key_is_given() {
    let up = MockUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let key = rampart_protocol::NodeKey::generate();
    let text = config_with(&listener_at("127.0.0.1:0"), up.addr, "no-referrer");
    let cfg = dir.path().join("rampart.toml");
    std::fs::write(&cfg, &text).unwrap();
    std::fs::write(
        dir.path().join("rampart.toml.sig"),
        rampart_protocol::sign_config(&key, text.as_bytes()),
    )
    .unwrap();
    let vk = key.verifying_key();
    let gw = TestGateway::start_in(dir, &text, |o| o.config_pubkey = Some(vk))
        .await
        .expect("signed config starts");
    // Changed without re-signing: refused.
    let changed = config_with(&listener_at("127.0.0.1:0"), up.addr, "origin");
    gw.write_config(&changed);
    let err = gw.gw().reload().await.expect_err("unsigned change refused");
    assert!(err.to_string().contains("signature"), "{err}");
    assert_eq!(gw.gw().generation(), 1);
    // Re-signed: applied.
    std::fs::write(
        gw.path("rampart.toml.sig"),
        rampart_protocol::sign_config(&key, changed.as_bytes()),
    )
    .unwrap();
    assert_eq!(gw.gw().reload().await.unwrap(), 2);
    gw.stop().await;

    // Missing signature at start: refused.
    let dir = tempfile::tempdir().unwrap();
    let other = rampart_protocol::NodeKey::generate().verifying_key();
    assert!(
        TestGateway::start_in(dir, &text, |o| o.config_pubkey = Some(other))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_only_settings_are_refused_on_reload_not_ignored() {
    let up = MockUpstream::start().await;
    let base = config_with(&listener_at("127.0.0.1:0"), up.addr, "no-referrer");
    let gw = TestGateway::start(&base).await;
    for change in [
        "[redact]\nquery_params = [\"token\"]\n",
        "[supervision]\nmax_restarts = 9\n",
        "[rate_limit]\nrequests_per_second = 10.0\nburst = 10\nmax_clients = 4096\n",
    ] {
        gw.write_config(&format!("{base}\n{change}"));
        let err = gw
            .gw()
            .reload()
            .await
            .expect_err("start-only change must be refused");
        assert!(err.to_string().contains("cannot change on reload"), "{err}");
    }
    assert_eq!(gw.gw().generation(), 1);
    // Adding a rate limit with the default table size is reloadable.
    gw.write_config(&format!(
        "{base}\n[rate_limit]\nrequests_per_second = 10.0\nburst = 10\n"
    ));
    assert_eq!(gw.gw().reload().await.unwrap(), 2);
    gw.stop().await;
}
