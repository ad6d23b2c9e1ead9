//! Listeners on 127.0.0.1 through the real control plane: make-before-break Prepare /
//! Commit / Abort, bind failures, drain, and (feature `chaos`) restarts that keep the
//! socket accepting and the accepted connections open.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use rampart_actors::{BindError, ListenerCallError, ListenerSpec};

use crate::support::{Harness, connect_echo, echo, eventually_async, instance, start_harness};

fn spec(name: &str, addr: &str) -> ListenerSpec {
    ListenerSpec {
        name: name.into(),
        addr: addr.parse().expect("addr"),
    }
}

/// Prepares + commits `specs`, returning the local address of `name`.
async fn serve(h: &Harness, specs: Vec<ListenerSpec>, name: &str) -> SocketAddr {
    let token = h.cp.listeners.prepare(specs).await.expect("prepare");
    let infos = h.cp.listeners.commit(token).await.expect("commit");
    infos
        .iter()
        .find(|i| i.name == name)
        .expect("listener served")
        .local
}

/// A port that was free a moment ago (bind to :0, read, release).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepare_commit_serves_and_list_reports_it() {
    let h = start_harness(instance("lst-basic"), |_| {}).await;
    let local = serve(&h, vec![spec("main", "127.0.0.1:0")], "main").await;
    assert_ne!(local.port(), 0);
    let mut conn = connect_echo(local)
        .await
        .expect("echo through the listener");
    assert!(echo(&mut conn, b"again").await);
    let listed = h.cp.listeners.list().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        h.sockets.list()[0].local,
        local,
        "table readable without awaiting an actor"
    );
    assert_eq!(h.acceptor.accepted.load(Ordering::SeqCst), 1);
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepare_fails_when_port_in_use_and_keeps_existing() {
    let h = start_harness(instance("lst-inuse"), |_| {}).await;
    let local = serve(&h, vec![spec("main", "127.0.0.1:0")], "main").await;
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let busy = held.local_addr().expect("addr");

    let err =
        h.cp.listeners
            .prepare(vec![
                spec("main", "127.0.0.1:0"),
                spec("extra", "127.0.0.2:0"),
                spec("new", &busy.to_string()),
            ])
            .await
            .expect_err("port in use");
    match err {
        ListenerCallError::Bind(BindError::InUse { addr }) => assert_eq!(addr, busy),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err_display_names(busy).await);
    // The old listener still serves; nothing from the failed prepare was committed.
    let listed = h.cp.listeners.list().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].local, local);
    assert!(!listed[0].closing.is_cancelled());
    assert!(connect_echo(local).await.is_some());
    drop(held);
    h.cp.stop().await;
}

async fn err_display_names(addr: SocketAddr) -> bool {
    BindError::InUse { addr }
        .to_string()
        .contains(&addr.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_removes_old_listener_and_cancels_closing() {
    let h = start_harness(instance("lst-commit"), |_| {}).await;
    let old_local = serve(&h, vec![spec("old", "127.0.0.1:0")], "old").await;
    let old_info = h.cp.listeners.list().await.expect("list").remove(0);
    let mut early = connect_echo(old_local)
        .await
        .expect("connection before the reload");

    let token =
        h.cp.listeners
            .prepare(vec![spec("new", "127.0.0.2:0")])
            .await
            .expect("prepare");
    // Make before break: before Commit, the old one still accepts.
    assert!(connect_echo(old_local).await.is_some());
    let serving = h.cp.listeners.commit(token).await.expect("commit");
    assert_eq!(serving.len(), 1);
    assert_eq!(serving[0].name, "new");
    let new_local = serving[0].local;

    assert!(
        old_info.closing.is_cancelled(),
        "removed listener's closing token cancelled"
    );
    // The removed child's exit comes from a child no longer supervised: ignored, not
    // counted as a restart.
    assert_eq!(
        h.metrics
            .actor_restarts
            .with_label_values(&["listener"])
            .get(),
        0
    );
    assert!(h.cp.status.get("listener/127.0.0.1:0").is_none());
    assert!(!serving[0].closing.is_cancelled());
    // Commit waits for the removed accept loop, so the old socket is closed now.
    assert!(
        tokio::net::TcpStream::connect(old_local).await.is_err(),
        "old address refuses"
    );
    assert!(connect_echo(new_local).await.is_some());
    // A connection accepted before the commit belongs to the data plane and stays open.
    assert!(echo(&mut early, b"still here").await);
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_renaming_listener_keeps_socket_and_uses_new_name() {
    let h = start_harness(instance("lst-rename"), |_| {}).await;
    let local = serve(&h, vec![spec("before", "127.0.0.1:0")], "before").await;
    let mut early = connect_echo(local).await.expect("connect");
    let after = serve(&h, vec![spec("after", "127.0.0.1:0")], "after").await;
    assert_eq!(after, local, "same socket, no rebind");
    assert!(connect_echo(local).await.is_some());
    assert!(
        h.acceptor.listeners.lock().expect("lock").contains("after"),
        "new connections carry the new name"
    );
    assert!(echo(&mut early, b"kept").await);
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_with_stale_token_is_refused() {
    let h = start_harness(instance("lst-stale"), |_| {}).await;
    let t1 =
        h.cp.listeners
            .prepare(vec![spec("a", "127.0.0.1:0")])
            .await
            .expect("prepare");
    h.cp.listeners.abort(t1).await.expect("abort");
    let err = h.cp.listeners.commit(t1).await.expect_err("aborted token");
    assert!(matches!(err, ListenerCallError::UnknownToken(_)), "{err:?}");
    assert!(h.cp.listeners.list().await.expect("list").is_empty());
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_releases_new_sockets() {
    let h = start_harness(instance("lst-abort"), |_| {}).await;
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let token =
        h.cp.listeners
            .prepare(vec![spec("new", &addr.to_string())])
            .await
            .expect("prepare");
    assert!(
        std::net::TcpListener::bind(addr).is_err(),
        "prepared socket holds the port"
    );
    h.cp.listeners.abort(token).await.expect("abort");
    eventually_async("port released after abort", || async {
        std::net::TcpListener::bind(addr).is_ok()
    })
    .await;
    assert!(h.cp.listeners.list().await.expect("list").is_empty());
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_stops_accepting_and_cancels_every_closing_token() {
    let h = start_harness(instance("lst-drain"), |_| {}).await;
    let local = serve(&h, vec![spec("main", "127.0.0.1:0")], "main").await;
    let info = h.cp.listeners.list().await.expect("list").remove(0);
    let mut open = connect_echo(local).await.expect("connect");
    h.cp.listeners.drain().await.expect("drain");
    assert!(info.closing.is_cancelled());
    assert!(
        tokio::net::TcpStream::connect(local).await.is_err(),
        "drained socket closed"
    );
    assert!(
        echo(&mut open, b"in flight").await,
        "drain leaves open connections to the data plane"
    );
    let err =
        h.cp.listeners
            .prepare(vec![spec("late", "127.0.0.1:0")])
            .await
            .expect_err("draining");
    assert!(
        matches!(err, ListenerCallError::Bind(BindError::ShuttingDown)),
        "{err:?}"
    );
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acceptor_panic_drops_one_connection_and_keeps_accepting() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    use rampart_actors::{AcceptedConn, Acceptor};

    /// Panics on the first connection, echoes the rest.
    struct Flaky {
        seen: AtomicUsize,
        echo: crate::support::EchoAcceptor,
    }
    impl Acceptor for Flaky {
        fn accept(&self, conn: AcceptedConn) {
            if self.seen.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("acceptor bug on first connection");
            }
            self.echo.accept(conn);
        }
    }
    let flaky = Arc::new(Flaky {
        seen: AtomicUsize::new(0),
        echo: Default::default(),
    });
    let h = start_harness(instance("lst-flaky"), |o| o.acceptor = flaky.clone()).await;
    let local = serve(&h, vec![spec("main", "127.0.0.1:0")], "main").await;
    let _first = tokio::net::TcpStream::connect(local)
        .await
        .expect("connect");
    eventually_async("second connection served", || async {
        connect_echo(local).await.is_some()
    })
    .await;
    assert_eq!(
        h.cp.status.get("listener/127.0.0.1:0").map(|a| a.restarts),
        Some(0)
    );
    h.cp.stop().await;
}

#[cfg(feature = "chaos")]
mod chaos {
    use super::*;
    use rampart_actors::chaos::panic_actor;

    use crate::support::eventually;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn listener_restart_keeps_socket_accepting() {
        let h = start_harness(instance("lst-chaos"), |_| {}).await;
        let local = serve(&h, vec![spec("main", "127.0.0.1:0")], "main").await;
        let mut early = connect_echo(local).await.expect("connect");
        let child = "listener/127.0.0.1:0";

        assert!(panic_actor(&h.instance, child));
        eventually("listener restarted", || {
            h.cp.status
                .get(child)
                .is_some_and(|a| a.running && a.restarts == 1)
        })
        .await;
        assert_eq!(
            h.metrics
                .actor_restarts
                .with_label_values(&["listener"])
                .get(),
            1
        );
        assert!(
            connect_echo(local).await.is_some(),
            "same port accepts after listener restart"
        );
        assert!(
            echo(&mut early, b"alive").await,
            "accepted connection survives listener restart"
        );

        assert!(panic_actor(&h.instance, "listener_supervisor"));
        eventually("listener supervisor restarted with its child", || {
            h.cp.status
                .get("listener_supervisor")
                .is_some_and(|a| a.running && a.restarts == 1)
                && h.cp.status.get(child).is_some_and(|a| a.running)
        })
        .await;
        assert!(
            connect_echo(local).await.is_some(),
            "same port accepts after supervisor restart"
        );
        assert!(
            echo(&mut early, b"still alive").await,
            "accepted connection survives supervisor restart"
        );
        let listed =
            h.cp.listeners
                .list()
                .await
                .expect("handle works after restart");
        assert_eq!(listed[0].local, local);
        h.cp.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn listener_intensity_exceeded_restarts_listener_supervisor() {
        let h = start_harness(instance("lst-nested"), |o| {
            o.intensity = rampart_actors::Intensity {
                max_restarts: 1,
                within: std::time::Duration::from_secs(60),
            };
        })
        .await;
        let local = serve(&h, vec![spec("main", "127.0.0.1:0")], "main").await;
        let mut early = connect_echo(local).await.expect("connect");
        let child = "listener/127.0.0.1:0";
        assert!(panic_actor(&h.instance, child));
        eventually("first listener restart", || {
            h.cp.status
                .get(child)
                .is_some_and(|a| a.running && a.restarts == 1)
        })
        .await;
        // Second panic within the window: the listener supervisor gives up on its child,
        // fails itself, and the root restarts it (which restarts the listener).
        assert!(panic_actor(&h.instance, child));
        eventually("listener supervisor restarted by the root", || {
            h.cp.status
                .get("listener_supervisor")
                .is_some_and(|a| a.running && a.restarts == 1)
                && h.cp.status.get(child).is_some_and(|a| a.running)
        })
        .await;
        assert!(
            connect_echo(local).await.is_some(),
            "socket kept across the nested restart"
        );
        assert!(echo(&mut early, b"alive").await);
        assert!(
            h.cp.escalations.is_empty(),
            "the root absorbed it: no escalation"
        );
        h.cp.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn handles_survive_actor_restart() {
        let h = start_harness(instance("lst-handles"), |_| {}).await;
        assert_eq!(
            h.cp.config.reload(rampart_actors::ReloadCause::Api).await,
            Ok(1)
        );
        assert!(panic_actor(&h.instance, "config_watcher"));
        assert!(panic_actor(&h.instance, "listener_supervisor"));
        assert!(panic_actor(&h.instance, "metrics_collector"));
        // A call racing the crash may land in the dying mailbox (NoReply); once the
        // supervisor restarted the actors, the same handles reach the new incarnations.
        for name in ["config_watcher", "listener_supervisor", "metrics_collector"] {
            eventually(name, || {
                h.cp.status
                    .get(name)
                    .is_some_and(|a| a.running && a.restarts == 1)
            })
            .await;
        }
        assert_eq!(
            h.cp.config.reload(rampart_actors::ReloadCause::Api).await,
            Ok(2)
        );
        let local = serve(&h, vec![spec("main", "127.0.0.1:0")], "main").await;
        assert!(connect_echo(local).await.is_some());
        h.cp.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn repeated_panics_escalate_from_control_plane() {
        let mut h = start_harness(instance("lst-escalate"), |o| {
            o.intensity = rampart_actors::Intensity {
                max_restarts: 1,
                within: std::time::Duration::from_secs(60),
            };
        })
        .await;
        assert!(panic_actor(&h.instance, "config_watcher"));
        eventually("first restart", || {
            h.cp.status
                .get("config_watcher")
                .is_some_and(|a| a.running && a.restarts == 1)
        })
        .await;
        assert!(panic_actor(&h.instance, "config_watcher"));
        let esc = tokio::time::timeout(std::time::Duration::from_secs(20), h.cp.escalations.recv())
            .await
            .expect("escalation")
            .expect("channel open");
        assert!(
            matches!(&esc, rampart_actors::Escalation::IntensityExceeded { actor, .. } if actor == "config_watcher"),
            "{esc:?}"
        );
        h.cp.stop().await;
    }
}
