//! Chaos scenarios against the real gateway (feature `chaos` of the daemon): actors are
//! made to panic while clients send requests; no request may fail, no listening socket
//! may close, restarts are counted, and the control plane still works afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rampart::{Exit, Gateway, GatewayOptions};
use rampart_chaos::{Outcome, Scenario, Step};

async fn upstream() -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..100_000 {
            let Ok((s, _)) = l.accept().await else { return };
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(|_req| async {
                    Ok::<_, std::convert::Infallible>(http::Response::new(
                        http_body_util::Full::new(bytes::Bytes::from_static(b"ok")),
                    ))
                });
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(s), svc)
                .await;
            });
        }
    });
    addr
}

/// A config whose upstream is `{upstream}` until the harness fills it in.
fn config(marker: &str) -> String {
    format!(
        "[server]\nreferrer_policy = \"{marker}\"\n[[listener]]\nname = \"main\"\naddress = \"127.0.0.1:0\"\n[upstream.app]\ntargets = [\"{{upstream}}\"]\n[[route]]\nname = \"app\"\npath = \"/{{*rest}}\"\nupstream = \"app\"\n"
    )
}

async fn restarts(addr: SocketAddr, actor: &str) -> u64 {
    let Ok(r) = reqwest::get(format!("http://{addr}/_rampart/snapshot.json")).await else {
        return 0;
    };
    let Ok(v) = r.json::<serde_json::Value>().await else {
        return 0;
    };
    v["actors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["name"].as_str().is_some_and(|n| n.ends_with(actor)))
        .filter_map(|a| a["restarts"].as_u64())
        .sum()
}

async fn panic_actor(addr: SocketAddr, actor: &str) -> bool {
    let c = reqwest::Client::new();
    c.post(format!("http://{addr}/_rampart/chaos/panic/{actor}"))
        .send()
        .await
        .map(|r| r.status() == 202)
        .unwrap_or(false)
}

/// Runs a scenario while two clients loop: one on a keep-alive connection, one opening a
/// fresh connection per request (so accept keeps being exercised).
async fn run(s: Scenario) -> (Outcome, Gateway, tempfile::TempDir) {
    rampart_tls::install_default_provider();
    let up = upstream().await.to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.toml");
    std::fs::write(&path, config("no-referrer").replace("{upstream}", &up)).unwrap();
    let mut opts = GatewayOptions::new(&path);
    opts.debounce = Duration::from_secs(86_400);
    let gw = Gateway::start(opts).await.unwrap();
    let addr = gw.addr("main").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut load = Vec::new();
    for fresh in [false, true] {
        let (stop, ok, failed) = (stop.clone(), ok.clone(), failed.clone());
        load.push(tokio::spawn(async move {
            let keep = reqwest::Client::new();
            for _ in 0..50_000 {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let c = if fresh {
                    reqwest::Client::builder()
                        .pool_max_idle_per_host(0)
                        .build()
                        .unwrap()
                } else {
                    keep.clone()
                };
                match c.get(format!("http://{addr}/x")).send().await {
                    Ok(r) if r.status() == 200 => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    for step in &s.steps {
        match step {
            Step::KillActor(name) => {
                let mut done = false;
                for _ in 0..200 {
                    if panic_actor(addr, name).await {
                        done = true;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                assert!(
                    done,
                    "{}: actor {name} never accepted a panic request",
                    s.name
                );
            }
            Step::Reload {
                config: text,
                expect_ok,
            } => {
                std::fs::write(&path, text.replace("{upstream}", &up)).unwrap();
                assert_eq!(
                    gw.reload().await.is_ok(),
                    *expect_ok,
                    "{}: reload outcome",
                    s.name
                );
            }
            Step::ExpectRestarts { actor, at_least } => {
                let mut seen = 0;
                for _ in 0..400 {
                    seen = restarts(addr, actor).await;
                    if seen >= *at_least {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                assert!(
                    seen >= *at_least,
                    "{}: {actor} restarted {seen} times, expected {at_least}",
                    s.name
                );
            }
            Step::Pause(d) => tokio::time::sleep(*d).await,
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let out = Outcome {
        requests_ok: ok.load(Ordering::Relaxed),
        requests_failed: failed.load(Ordering::Relaxed),
        generation: gw.generation(),
    };
    (out, gw, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actor_panics_under_load_fail_no_request_and_keep_the_socket() {
    let scenario = Scenario {
        name: "panic every control-plane actor under load",
        steps: vec![
            Step::KillActor("config_watcher"),
            Step::ExpectRestarts {
                actor: "config_watcher",
                at_least: 1,
            },
            Step::KillActor("metrics_collector"),
            Step::ExpectRestarts {
                actor: "metrics_collector",
                at_least: 1,
            },
            Step::KillActor("listener_supervisor"),
            Step::ExpectRestarts {
                actor: "listener_supervisor",
                at_least: 1,
            },
            Step::KillActor("listener/127.0.0.1:0"),
            Step::ExpectRestarts {
                actor: "listener/127.0.0.1:0",
                at_least: 1,
            },
            // The control plane still works after the restarts.
            Step::Reload {
                config: config("origin"),
                expect_ok: true,
            },
        ],
    };
    let (out, mut gw, _dir) = run(scenario).await;
    assert_eq!(
        out.requests_failed, 0,
        "no request may fail while actors restart ({} ok)",
        out.requests_ok
    );
    assert!(out.requests_ok > 0);
    assert_eq!(out.generation, 2);
    let metrics = reqwest::get(format!("http://{}/metrics", gw.addr("main").unwrap()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("rampart_actor_restarts_total{actor=\"config_watcher\"} 1"),
        "{metrics}"
    );
    gw.shutdown(Exit::Signal).await;
}
