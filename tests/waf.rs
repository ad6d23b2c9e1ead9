//! End-to-end WAF wiring: a deny is a fixed 400 with the class only in metrics; shadow
//! mode counts would_block and forwards (including bodies whose content type the profile
//! refuses); a route without a profile is not inspected; bodies are inspected.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use common::*;

fn waf_config(upstream: std::net::SocketAddr, profile: &str) -> String {
    format!(
        r#"
[[listener]]
name = "main"
address = "127.0.0.1:0"
[upstream.app]
targets = ["{upstream}"]
[waf.profile.p]
{profile}
[[route]]
name = "guarded"
path = "/g/{{*rest}}"
upstream = "app"
waf = "p"
[[route]]
name = "open"
path = "/open/{{*rest}}"
upstream = "app"
"#
    )
}

async fn metrics(gw: &TestGateway) -> String {
    client()
        .get(gw.url("main", "/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waf_denies_sqli_with_fixed_body_and_counts_class() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&waf_config(up.addr, "mode = \"balanced\"")).await;
    let c = client();
    let r = c
        .get(gw.url("main", "/g/x?id=1%27%20OR%201=1--"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.text().await.unwrap(),
        "request rejected\n",
        "no rule name on the wire"
    );
    let body = c
        .post(gw.url("main", "/g/form"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .send()
        .await
        .unwrap();
    assert_eq!(body.status(), 400, "bodies are inspected");
    assert_eq!(
        c.get(gw.url("main", "/g/x?name=O%27Brien"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.get(gw.url("main", "/open/x?id=1%27%20OR%201=1--"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "a route without a profile is not inspected"
    );
    assert_eq!(up.hits(), 2);
    let m = metrics(&gw).await;
    assert!(
        m.contains("rampart_waf_denied_total{class=\"sqli\",profile=\"p\"} 1"),
        "{m}"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shadow_mode_counts_would_block_and_forwards() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&waf_config(
        up.addr,
        "shadow = true\nallowed_content_types = [\"application/json\"]",
    ))
    .await;
    let c = client();
    assert_eq!(
        c.get(gw.url("main", "/g/x?id=1%27%20OR%201=1--"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r = c
        .post(gw.url("main", "/g/upload"))
        .header("content-type", "text/plain")
        .body("plain text body")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "shadow: a refused content type is counted, not refused"
    );
    let echo: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        echo["body"], "plain text body",
        "the body reaches the upstream intact"
    );
    let m = metrics(&gw).await;
    assert!(
        m.contains("rampart_waf_would_block_total{class=\"sqli\",profile=\"p\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("rampart_waf_would_block_total{class=\"content_type\",profile=\"p\"} 1"),
        "{m}"
    );
    assert!(!m.contains("rampart_waf_denied_total{class=\"sqli\",profile=\"p\"} 1"));
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_limited_to_a_listener_is_404_elsewhere() {
    let up = MockUpstream::start().await;
    let cfg = format!(
        r#"
[[listener]]
name = "public"
address = "127.0.0.1:0"
[[listener]]
name = "private"
address = "127.0.0.2:0"
[upstream.app]
targets = ["{}"]
[[route]]
name = "admin"
path = "/admin/{{*rest}}"
upstream = "app"
listeners = ["private"]
"#,
        up.addr
    );
    let gw = TestGateway::start(&cfg).await;
    let c = client();
    // Two port-0 listeners need distinct addresses: 127.0.0.2 is loopback too.
    assert_eq!(
        c.get(gw.url("private", "/admin/x"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.get(gw.url("public", "/admin/x"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    gw.stop().await;
    let bad = cfg.replace("listeners = [\"private\"]", "listeners = [\"nope\"]");
    let err = TestGateway::try_start(&bad)
        .await
        .err()
        .expect("unknown listener refused");
    assert!(err.contains("route[0].listeners[0]"), "{err}");
}

/// Sends `parts` as the chunks of one chunked POST, pausing between them so they
/// reach the gateway as separate body frames; returns the raw response.
async fn post_in_frames(addr: std::net::SocketAddr, path: &str, parts: &[&str]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.set_nodelay(true).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    for p in parts {
        s.write_all(format!("{:x}\r\n{p}\r\n", p.len()).as_bytes())
            .await
            .unwrap();
        s.flush().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    s.write_all(b"0\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("response within 10 s")
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_in_one_or_many_frames_are_inspected_whole_and_forwarded_intact() {
    let up = MockUpstream::start().await;
    let gw = TestGateway::start(&waf_config(up.addr, "mode = \"balanced\"")).await;
    let addr = gw.addr("main");
    let doc = r#"{"customer":{"name":"Margaret O'Connell"},"notes":"ring twice"}"#;
    // one frame
    let r = post_in_frames(addr, "/g/orders", &[doc]).await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(r.contains("Margaret O'Connell"), "echoed body: {r}");
    // the same document split across three frames arrives whole
    let (a, rest) = doc.split_at(17);
    let (b, c) = rest.split_at(20);
    let r = post_in_frames(addr, "/g/orders", &[a, b, c]).await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(
        r.contains("ring twice") && r.contains("Margaret O'Connell"),
        "{r}"
    );
    // an attack split across frames is judged on the whole body
    let attack = r#"{"q":"1' UNION SELECT password FROM users--"}"#;
    let (a, rest) = attack.split_at(12);
    let (b, c) = rest.split_at(14);
    let r = post_in_frames(addr, "/g/orders", &[a, b, c]).await;
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    assert_eq!(up.hits(), 2, "the attack never reached the upstream");
    gw.stop().await;
}

/// A compressed body is judged inflated and forwarded exactly as sent (the
/// upstream's framework inflates it); a coding the WAF cannot read is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_bodies_are_judged_inflated_and_forwarded_as_sent() {
    use std::io::Write;
    use std::sync::Arc;
    let gzip = |b: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    // the upstream answers with the bytes it received and their coding
    let up = MockUpstream::with(Arc::new(|req: hyper::Request<bytes::Bytes>| {
        let coding = req
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap_or("?").to_owned())
            .unwrap_or_default();
        let mut r = hyper::Response::new(http_body_util::Full::new(req.body().clone()));
        r.headers_mut()
            .insert("x-seen-encoding", coding.parse().unwrap());
        r
    }))
    .await;
    let gw = TestGateway::start(&waf_config(up.addr, "mode = \"balanced\"")).await;
    let c = client();
    let post = |body: Vec<u8>, coding: &'static str| {
        c.post(gw.url("main", "/g/form"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-encoding", coding)
            .body(body)
            .send()
    };
    let ordinary = gzip(b"name=Ann&note=Leave+it+with+the+neighbour");
    let r = post(ordinary.clone(), "gzip").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-seen-encoding"], "gzip");
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        ordinary.as_slice(),
        "forwarded as sent"
    );
    let r = post(
        gzip(b"id=1%27%20union%20select%20password%20from%20users--"),
        "gzip",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.text().await.unwrap(), "request rejected\n");
    let r = post(b"a=1".to_vec(), "br").await.unwrap();
    assert_eq!(r.status(), 415, "a coding the WAF cannot read is refused");
    assert_eq!(up.hits(), 1, "only the ordinary body reached the upstream");
    let m = metrics(&gw).await;
    assert!(
        m.contains(r#"rampart_waf_denied_total{class="sqli",profile="p"} 1"#),
        "{m}"
    );
    gw.stop().await;
}
