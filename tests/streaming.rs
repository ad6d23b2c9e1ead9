//! End-to-end: WebSocket upgrades and server-sent events pass through, bounded by the
//! route's stream_timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// A WebSocket echo server (tokio-tungstenite does the HTTP upgrade itself).
async fn ws_upstream() -> std::net::SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..16 {
            let Ok((s, _)) = l.accept().await else { return };
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(s).await else {
                    return;
                };
                while let Some(Ok(msg)) = ws.next().await {
                    if msg.is_text() && ws.send(msg).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// An SSE server: one event every 50 ms, `count` events.
async fn sse_upstream(count: usize) -> std::net::SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..16 {
            let Ok((s, _)) = l.accept().await else { return };
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |_req| async move {
                    let (tx, rx) =
                        tokio::sync::mpsc::channel::<Result<Frame<Bytes>, Infallible>>(4);
                    tokio::spawn(async move {
                        for i in 0..count {
                            if tx
                                .send(Ok(Frame::data(Bytes::from(format!("data: {i}\n\n")))))
                                .await
                                .is_err()
                            {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    });
                    let body = StreamBody::new(tokio_stream_from(rx));
                    let mut r = http::Response::new(BodyExt::boxed(body));
                    r.headers_mut()
                        .insert("content-type", "text/event-stream".parse().unwrap());
                    Ok::<_, Infallible>(r)
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(s), svc)
                    .await;
            });
        }
    });
    addr
}

fn tokio_stream_from<T: Send + 'static>(
    mut rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_upgrade_passes_through() {
    let up = ws_upstream().await;
    let gw = TestGateway::start(&basic_config(up, "")).await;
    let (mut ws, resp) = tokio_tungstenite::connect_async(format!("ws://{}/chat", gw.addr("main")))
        .await
        .expect("upgrade through the gateway");
    assert_eq!(resp.status(), 101);
    for i in 0..3 {
        ws.send(tokio_tungstenite::tungstenite::Message::text(format!(
            "hello {i}"
        )))
        .await
        .unwrap();
        let echo = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(echo.into_text().unwrap().as_str(), format!("hello {i}"));
    }
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_streams_events_as_they_come() {
    let up = sse_upstream(5).await;
    let gw = TestGateway::start(&basic_config(up, "")).await;
    let mut resp = client()
        .get(gw.url("main", "/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let first = resp.chunk().await.unwrap().unwrap();
    assert_eq!(
        &first[..],
        b"data: 0\n\n",
        "first event arrives on its own, not after the whole stream"
    );
    let mut rest = Vec::new();
    while let Some(c) = resp.chunk().await.unwrap() {
        rest.extend_from_slice(&c);
    }
    assert!(String::from_utf8_lossy(&rest).contains("data: 4"));
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_timeout_ends_an_endless_stream() {
    let up = sse_upstream(10_000).await;
    let cfg = basic_config(up, "").replacen(
        "upstream = \"app\"",
        "upstream = \"app\"\nstream_timeout = \"400ms\"",
        1,
    );
    let gw = TestGateway::start(&cfg).await;
    let mut resp = client()
        .get(gw.url("main", "/events"))
        .send()
        .await
        .unwrap();
    let mut events = 0;
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => events += String::from_utf8_lossy(&c).matches("data:").count(),
                _ => return,
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the gateway must end the stream at its ceiling"
    );
    assert!(
        events > 0 && events < 10_000,
        "stream cut short by stream_timeout ({events} events)"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgraded_websocket_still_counts_against_connection_caps() {
    let up = ws_upstream().await;
    let gw = TestGateway::start(&basic_config(up, "[server]\nmax_connections_per_ip = 2\n")).await;
    let url = format!("ws://{}/chat", gw.addr("main"));
    let (mut a, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let (mut b, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    // Both upgraded streams are live; a third connection from the same IP is refused at accept.
    assert!(
        tokio_tungstenite::connect_async(&url).await.is_err(),
        "third connection over the per-IP cap"
    );
    a.send(tokio_tungstenite::tungstenite::Message::text("still here"))
        .await
        .unwrap();
    assert!(a.next().await.unwrap().is_ok());
    let _ = a.close(None).await;
    let _ = b.close(None).await;
    drop((a, b));
    let g = &gw;
    eventually(
        "caps released when the streams end",
        Duration::from_secs(10),
        || async move {
            tokio_tungstenite::connect_async(format!("ws://{}/chat", g.addr("main")))
                .await
                .is_ok()
        },
    )
    .await;
    gw.stop().await;
}
