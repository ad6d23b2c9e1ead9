//! End-to-end: forwarding, header handling, hygiene gates, routing, internal endpoints,
//! client IP resolution and the rate limit, against the real gateway on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::time::Duration;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_forwards_with_request_id_xff_traceparent_and_security_headers() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&basic_config(up.addr, "")).await;
    let resp = client()
        .get(gw.url("main", "/hello?x=1"))
        .header("x-request-id", "client-id-1")
        .header("traceparent", "00-zz-bad")
        .header("x-client-cert-fingerprint", "sha256:forged")
        .header("connection", "x-drop-me")
        .header("x-drop-me", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-request-id"], "client-id-1");
    assert!(
        resp.headers().get("server").is_none(),
        "Server header must be removed"
    );
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert!(
        resp.headers().get("strict-transport-security").is_none(),
        "no HSTS on plain HTTP"
    );
    let echo: serde_json::Value = resp.json().await.unwrap();
    let h = &echo["headers"];
    assert_eq!(echo["uri"], "/hello?x=1");
    assert_eq!(h["x-forwarded-for"], "127.0.0.1");
    assert_eq!(h["x-forwarded-proto"], "http");
    assert_eq!(h["x-request-id"], "client-id-1");
    let tp = h["traceparent"].as_str().unwrap();
    assert!(
        tp.starts_with("00-") && tp.len() == 55,
        "invalid traceparent replaced: {tp}"
    );
    assert!(
        h.get("x-client-cert-fingerprint").is_none(),
        "inbound fingerprint must be stripped"
    );
    assert!(
        h.get("x-drop-me").is_none(),
        "headers named in Connection are hop-by-hop"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_id_generated_when_absent() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&basic_config(up.addr, "")).await;
    let resp = client().get(gw.url("main", "/")).send().await.unwrap();
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    let echo: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(echo["headers"]["x-request-id"], id.as_str());
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hygiene_limits_return_their_status() {
    let up = MockUpstream::start().await;
    let extra = r#"
[server]
max_uri_bytes = 100
max_header_count = 20
max_header_bytes = "2KiB"
max_body_bytes = "1KiB"
allowed_methods = ["GET", "POST", "HEAD"]
"#;
    let gw = TestGateway::start(&basic_config(up.addr, extra)).await;
    let addr = gw.addr("main");
    let c = client();
    assert_eq!(
        c.get(gw.url("main", &format!("/{}", "a".repeat(200))))
            .send()
            .await
            .unwrap()
            .status(),
        414
    );
    let mut req = c.get(gw.url("main", "/"));
    for i in 0..30 {
        req = req.header(format!("x-h{i}"), "v");
    }
    assert_eq!(req.send().await.unwrap().status(), 431);
    assert_eq!(
        c.get(gw.url("main", "/"))
            .header("x-big", "v".repeat(3000))
            .send()
            .await
            .unwrap()
            .status(),
        431
    );
    assert_eq!(
        c.delete(gw.url("main", "/")).send().await.unwrap().status(),
        405
    );
    assert_eq!(
        c.post(gw.url("main", "/"))
            .body(vec![b'a'; 4096])
            .send()
            .await
            .unwrap()
            .status(),
        413
    );
    assert_eq!(
        raw_status(addr, b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").await,
        400
    );
    assert_eq!(
        raw_status(
            addr,
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx"
        )
        .await,
        400
    );
    // Chunked body over the limit, no Content-Length: refused while streaming.
    let chunk = format!("{:x}\r\n{}\r\n", 2000, "b".repeat(2000));
    let raw =
        format!("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n{chunk}0\r\n\r\n");
    assert_eq!(raw_status(addr, raw.as_bytes()).await, 413);
    assert_eq!(
        c.get(gw.url("main", "/fine"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_canonical_paths_are_refused_or_normalised() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&basic_config(up.addr, "")).await;
    let addr = gw.addr("main");
    for bad in [
        "/a/../etc/passwd",
        "/a/%2e%2e/b",
        "/a%2fb",
        "/a%00b",
        "/./x",
        "/a/..;/WEB-INF/web.xml",
    ] {
        let req = format!("GET {bad} HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(raw_status(addr, req.as_bytes()).await, 400, "{bad}");
    }
    let resp = client()
        .get(gw.url("main", "//x//%61b?q=1"))
        .send()
        .await
        .unwrap();
    let echo: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        echo["uri"], "/x/ab?q=1",
        "upstream sees the canonical path the router used"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_gives_404_and_405_with_allow() {
    let up = MockUpstream::start().await;
    let config = format!(
        r#"
[[listener]]
name = "main"
address = "127.0.0.1:0"
[upstream.app]
targets = ["{}"]
[[route]]
name = "items"
path = "/items/{{id}}"
methods = ["GET", "PUT"]
upstream = "app"
[[route]]
name = "other-host"
host = "api.example.com"
path = "/only-here"
upstream = "app"
"#,
        up.addr
    );
    let gw = TestGateway::start(&config).await;
    let c = client();
    assert_eq!(
        c.get(gw.url("main", "/items/7"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r = c.post(gw.url("main", "/items/7")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, PUT");
    assert_eq!(
        c.get(gw.url("main", "/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.get(gw.url("main", "/only-here"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.get(gw.url("main", "/only-here"))
            .header("host", "API.example.com:8080")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_endpoints_serve_internal_clients_only() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&basic_config(up.addr, "")).await;
    let c = client();
    assert_eq!(
        c.get(gw.url("main", "/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok\n"
    );
    assert_eq!(
        c.get(gw.url("main", "/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let metrics = c
        .get(gw.url("main", "/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("rampart_config_generation 1"), "{metrics}");
    assert!(metrics.contains("rampart_requests_total"));
    let snap: serde_json::Value = c
        .get(gw.url("main", "/_rampart/snapshot.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(snap["generation"], 1);
    assert_eq!(snap["routes"].as_array().unwrap().len(), 2);
    assert_eq!(snap["listeners"][0]["name"], "main");
    let actors = snap["actors"].as_array().unwrap();
    assert!(
        actors
            .iter()
            .any(|a| a["name"].as_str().unwrap_or("").contains("listener")),
        "actor tree listed: {actors:?}"
    );
    assert!(snap["uptime_seconds"].is_u64());
    assert_eq!(up.hits(), 0, "internal endpoints never reach the upstream");
    gw.stop().await;

    // The same endpoints from a client outside internal_networks: 403.
    let gw = TestGateway::start(&basic_config(
        up.addr,
        "[network]\ninternal_networks = [\"10.0.0.0/8\"]\n",
    ))
    .await;
    for p in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/_rampart/snapshot.json",
        "/_rampart/other",
    ] {
        assert_eq!(
            c.get(gw.url("main", p)).send().await.unwrap().status(),
            403,
            "{p}"
        );
    }
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xff_from_untrusted_client_does_not_change_resolved_ip() {
    let up = MockUpstream::start().await;
    let c = client();
    // Untrusted peer (no trusted proxies): its XFF claim of an internal address is ignored.
    let gw = TestGateway::start(&basic_config(
        up.addr,
        "[network]\ninternal_networks = [\"10.0.0.0/8\"]\n",
    ))
    .await;
    let r = c
        .get(gw.url("main", "/healthz"))
        .header("x-forwarded-for", "10.1.2.3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    gw.stop().await;
    // Loopback as a trusted proxy: the rightmost untrusted hop is believed.
    let gw = TestGateway::start(&basic_config(up.addr, "[network]\ninternal_networks = [\"10.0.0.0/8\"]\ntrusted_proxies = [\"127.0.0.0/8\"]\nxff_mode = \"rewrite\"\n")).await;
    let r = c
        .get(gw.url("main", "/healthz"))
        .header("x-forwarded-for", "10.1.2.3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(gw.url("main", "/healthz"))
        .header("x-forwarded-for", "10.1.2.3, 203.0.113.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "leftmost hops are the client's own claim");
    let echo: serde_json::Value = c
        .get(gw.url("main", "/x"))
        .header("x-forwarded-for", "6.6.6.6, 198.51.100.7")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        echo["headers"]["x-forwarded-for"], "198.51.100.7",
        "rewrite sends the resolved client only"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_returns_429_then_recovers() {
    let up = MockUpstream::start().await;
    let extra = "[rate_limit]\nrequests_per_second = 5.0\nburst = 3\nlimit_internal = true\n";
    let gw = TestGateway::start(&basic_config(up.addr, extra)).await;
    let c = client();
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(
            c.get(gw.url("main", "/"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert!(codes.contains(&429), "burst of 3 exceeded: {codes:?}");
    let r = c.get(gw.url("main", "/")).send().await.unwrap();
    if r.status() == 429 {
        assert_eq!(r.headers()["retry-after"], "1");
    }
    eventually("rate limit recovers", Duration::from_secs(5), || {
        let c = c.clone();
        let url = gw.url("main", "/");
        async move {
            c.get(url)
                .send()
                .await
                .map(|r| r.status() == 200)
                .unwrap_or(false)
        }
    })
    .await;
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_down_is_502_and_slow_is_504() {
    // A port with nothing listening: bind, take the port, drop.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let gw = TestGateway::start(&basic_config(dead, "")).await;
    let r = client().get(gw.url("main", "/")).send().await.unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(
        r.text().await.unwrap(),
        "bad gateway\n",
        "fixed body, no internal detail"
    );
    gw.stop().await;

    let slow = MockUpstream::with_delay(echo_handler(), Duration::from_secs(5)).await;
    let cfg = basic_config(slow.addr, "").replace(
        "[upstream.app]",
        "[upstream.app]\nresponse_timeout = \"300ms\"",
    );
    let gw = TestGateway::start(&cfg).await;
    assert_eq!(
        client()
            .get(gw.url("main", "/"))
            .send()
            .await
            .unwrap()
            .status(),
        504
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_target_is_ejected_and_traffic_goes_to_healthy_one() {
    let up = MockUpstream::start().await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let cfg = format!(
        r#"
[[listener]]
name = "main"
address = "127.0.0.1:0"
[upstream.app]
targets = ["{dead}", "{}"]
health = {{ max_failures = 1, ejection = "60s" }}
[[route]]
name = "app"
path = "/{{*rest}}"
upstream = "app"
"#,
        up.addr
    );
    let gw = TestGateway::start(&cfg).await;
    let c = client();
    for i in 0..10 {
        let r = c
            .get(gw.url("main", &format!("/r{i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "request {i}: bodiless requests retry on a connect failure and the dead target is ejected"
        );
    }
    let snap: serde_json::Value = c
        .get(gw.url("main", "/_rampart/snapshot.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(snap["upstreams"][0]["healthy_targets"], 1);
    gw.stop().await;
}

/// Request smuggling shapes. hyper's HTTP/1 parser resolves them before any gate runs
/// (RFC 9112 §6.3 / RFC 9110 §8.6): differing Content-Lengths are a 400, identical ones
/// collapse to one, and with Content-Length + Transfer-Encoding the chunked framing wins,
/// Content-Length is dropped and the connection is closed after the response. The gateway
/// re-frames every body towards the upstream, so the upstream can never see a second,
/// smuggled request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smuggling_shapes_never_reach_the_upstream_as_two_requests() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&basic_config(up.addr, "")).await;
    let mut s = tokio::net::TcpStream::connect(gw.addr("main"))
        .await
        .unwrap();
    let attack = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    s.write_all(attack).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("connection closed by the gateway")
        .unwrap();
    let text = String::from_utf8_lossy(&out);
    assert_eq!(
        text.matches("HTTP/1.1 ").count(),
        1,
        "exactly one response: {text}"
    );
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    assert!(!text.contains("/smuggled"), "{text}");
    assert_eq!(
        up.hits(),
        1,
        "the smuggled request never reached the upstream"
    );
    // Identical duplicate Content-Length: one request with one length upstream.
    let resp_status = raw_status(
        gw.addr("main"),
        b"POST /dup HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
    )
    .await;
    assert_eq!(resp_status, 200);
    assert_eq!(up.hits(), 2);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_upstream_is_verified_against_its_ca_and_used() {
    use rampart_tls::pki::Ca;
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("upstream CA").unwrap();
    let leaf = ca.issue_server(&["app.internal"]).unwrap();
    let spec = leaf.write(dir.path(), "up").unwrap();
    let ca_path = ca.write_cert(dir.path(), "ca").unwrap();
    let server = rampart_tls::server_config(&rampart_tls::ServerTlsSpec {
        certs: vec![spec],
        client_auth: None,
        alpn: vec![b"http/1.1".to_vec()],
    })
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(server);
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let up = l.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..16 {
            let Ok((s, _)) = l.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(s).await else {
                    return;
                };
                let svc = hyper::service::service_fn(|_req| async {
                    Ok::<_, std::convert::Infallible>(http::Response::new(
                        http_body_util::Full::new(bytes::Bytes::from_static(b"over tls")),
                    ))
                });
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                .await;
            });
        }
    });
    let tls = format!(
        "tls = {{ ca = \"{}\", server_name = \"app.internal\" }}",
        ca_path.display()
    );
    let cfg = basic_config(up, "").replace("[upstream.app]", &format!("[upstream.app]\n{tls}"));
    let gw = TestGateway::start(&cfg).await;
    let r = client().get(gw.url("main", "/x")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "over tls");
    gw.stop().await;

    // A CA that did not sign the upstream's certificate: 502, never a plaintext fallback.
    let other = Ca::new("other")
        .unwrap()
        .write_cert(dir.path(), "other")
        .unwrap();
    let cfg = basic_config(up, "").replace(
        "[upstream.app]",
        &format!(
            "[upstream.app]\ntls = {{ ca = \"{}\", server_name = \"app.internal\" }}",
            other.display()
        ),
    );
    let gw = TestGateway::start(&cfg).await;
    assert_eq!(
        client()
            .get(gw.url("main", "/x"))
            .send()
            .await
            .unwrap()
            .status(),
        502
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_connection_cap_closes_extra_connections_at_accept() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&basic_config(
        up.addr,
        "[server]\nmax_connections = 2\nmax_connections_per_ip = 2\n",
    ))
    .await;
    let addr = gw.addr("main");
    let _a = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _b = tokio::net::TcpStream::connect(addr).await.unwrap();
    let g = &gw;
    eventually(
        "both connections admitted",
        Duration::from_secs(5),
        || async move {
            let m = g.gw().shared.metrics.connections_active.get();
            m == 2
        },
    )
    .await;
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = third.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").await;
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(10), third.read(&mut buf))
        .await
        .expect("closed, not left hanging");
    assert!(
        matches!(n, Ok(0) | Err(_)),
        "over the cap: closed at accept without an answer"
    );
    assert!(
        gw.gw()
            .shared
            .metrics
            .connections_refused
            .with_label_values(&["global_cap"])
            .get()
            >= 1
    );
    drop((_a, _b));
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_request_head_is_cut_off_by_header_read_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&basic_config(
        up.addr,
        "[server]\nheader_read_timeout = \"300ms\"\n",
    ))
    .await;
    let mut s = tokio::net::TcpStream::connect(gw.addr("main"))
        .await
        .unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ")
        .await
        .unwrap();
    let mut buf = Vec::new();
    // Bounded: the gateway must give up on the head well before this outer limit.
    let r = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .expect("gateway closed the slow connection");
    let _ = r;
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "closed (or 408), never forwarded: {text}"
    );
    assert_eq!(up.hits(), 0);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_endpoints_are_read_only() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&basic_config(up.addr, "")).await;
    for p in ["/healthz", "/readyz", "/metrics", "/_rampart/snapshot.json"] {
        let r = client()
            .post(gw.url("main", p))
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{p}");
        assert_eq!(r.headers()["allow"], "GET, HEAD");
    }
    assert_eq!(up.hits(), 0);
    gw.stop().await;
}
