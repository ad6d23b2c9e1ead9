//! Shared test helpers: unique instances, a bounded `eventually`, a scriptable test
//! actor, an echo acceptor and a counting reloader.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, RpcReplyPort};
use rampart_actors::{
    AcceptedConn, Acceptor, ChildSpec, ControlMetrics, ControlPlane, ControlPlaneOptions, Instance,
    ReloadCause, Reloader, Restart, SocketTable, StartFn,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

static NEXT: AtomicU32 = AtomicU32::new(0);

/// An instance name no other test in this process uses.
pub fn instance(prefix: &str) -> Instance {
    Instance::new(format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Polls `cond` until true, panicking with `what` after 20 s (virtual time when paused).
pub async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition never became true: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Like `eventually` for an async condition.
pub async fn eventually_async<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !cond().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition never became true: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

// ---- a scriptable child actor ----

/// How a given start (1-based) of the probe actor behaves in `pre_start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartFault {
    Panic,
    Error,
}

/// Shared observation / script of one child across its incarnations.
#[derive(Default)]
pub struct Probe {
    pub starts: AtomicU32,
    pub faults: Mutex<Vec<(u32, StartFault)>>,
    pub stops: Mutex<Vec<String>>,
    /// Registered actor names at each `post_stop`, in stop order.
    pub registered_at_stop: Mutex<Vec<Vec<String>>>,
    /// The next `post_stop` fails this way (then the flag clears).
    pub post_stop_fault: Mutex<Option<StartFault>>,
}

impl Probe {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Start number `n` (1-based, counting every attempt) fails with `fault`.
    pub fn fail_start(&self, n: u32, fault: StartFault) {
        self.faults.lock().expect("lock").push((n, fault));
    }

    pub fn starts(&self) -> u32 {
        self.starts.load(Ordering::SeqCst)
    }
}

#[derive(Debug)]
pub enum ProbeMsg {
    Panic,
    Error,
    StopNormal,
    Ping(RpcReplyPort<u32>),
}

pub struct ProbeActor;

pub struct ProbeArgs {
    pub name: String,
    pub probe: Arc<Probe>,
}

pub struct ProbeState {
    name: String,
    probe: Arc<Probe>,
    start: u32,
}

impl Actor for ProbeActor {
    type Msg = ProbeMsg;
    type State = ProbeState;
    type Arguments = ProbeArgs;

    async fn pre_start(
        &self,
        _me: ActorRef<ProbeMsg>,
        args: ProbeArgs,
    ) -> Result<ProbeState, ActorProcessingErr> {
        let n = args.probe.starts.fetch_add(1, Ordering::SeqCst) + 1;
        let fault = args
            .probe
            .faults
            .lock()
            .expect("lock")
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, f)| *f);
        match fault {
            Some(StartFault::Panic) => panic!("probe {} panics in pre_start #{n}", args.name),
            Some(StartFault::Error) => {
                Err(format!("probe {} fails pre_start #{n}", args.name).into())
            }
            None => Ok(ProbeState {
                name: args.name,
                probe: args.probe,
                start: n,
            }),
        }
    }

    async fn handle(
        &self,
        me: ActorRef<ProbeMsg>,
        msg: ProbeMsg,
        st: &mut ProbeState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            ProbeMsg::Panic => panic!("probe {} panics in handle", st.name),
            ProbeMsg::Error => return Err(format!("probe {} errors in handle", st.name).into()),
            ProbeMsg::StopNormal => me.stop(None),
            ProbeMsg::Ping(reply) => {
                let _ = reply.send(st.start);
            }
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _me: ActorRef<ProbeMsg>,
        st: &mut ProbeState,
    ) -> Result<(), ActorProcessingErr> {
        st.probe.stops.lock().expect("lock").push(st.name.clone());
        st.probe
            .registered_at_stop
            .lock()
            .expect("lock")
            .push(ractor::registry::registered());
        let fault = st.probe.post_stop_fault.lock().expect("lock").take();
        match fault {
            Some(StartFault::Panic) => panic!("probe {} panics in post_stop", st.name),
            Some(StartFault::Error) => Err(format!("probe {} fails post_stop", st.name).into()),
            None => Ok(()),
        }
    }
}

/// A factory spawning a `ProbeActor` registered as `{instance}/{name}`.
pub fn probe_factory(instance: &Instance, name: &str, probe: Arc<Probe>) -> StartFn {
    let reg = instance.actor_name(name);
    let name = name.to_string();
    Arc::new(move |sup: ActorCell| {
        let args = ProbeArgs {
            name: name.clone(),
            probe: probe.clone(),
        };
        let reg = reg.clone();
        async move {
            Actor::spawn_linked(Some(reg), ProbeActor, args, sup)
                .await
                .map(|(a, _)| a.get_cell())
        }
        .boxed()
    })
}

pub fn probe_child(
    instance: &Instance,
    name: &str,
    restart: Restart,
    probe: Arc<Probe>,
) -> ChildSpec {
    let mut spec = ChildSpec::permanent(name, probe_factory(instance, name, probe));
    spec.restart = restart;
    spec
}

/// Sends `msg` to the probe registered as `{instance}/{name}`.
pub fn send_probe(instance: &Instance, name: &str, msg: ProbeMsg) {
    let cell = ractor::registry::where_is(instance.actor_name(name)).expect("probe registered");
    cell.send_message(msg).expect("probe alive");
}

// ---- acceptor and reloader ----

/// Echoes every byte back; counts accepted connections per listener name.
#[derive(Clone, Default)]
pub struct EchoAcceptor {
    pub accepted: Arc<AtomicUsize>,
    pub listeners: Arc<Mutex<BTreeSet<String>>>,
}

impl Acceptor for EchoAcceptor {
    fn accept(&self, conn: AcceptedConn) {
        self.accepted.fetch_add(1, Ordering::SeqCst);
        self.listeners
            .lock()
            .expect("lock")
            .insert(conn.listener.name.clone());
        let AcceptedConn { mut stream, .. } = conn;
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if stream.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
    }
}

/// Writes `msg` and expects it echoed back.
pub async fn echo(stream: &mut TcpStream, msg: &[u8]) -> bool {
    if stream.write_all(msg).await.is_err() {
        return false;
    }
    let mut buf = vec![0u8; msg.len()];
    matches!(
        tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut buf)).await,
        Ok(Ok(_))
    ) && buf == msg
}

/// Connects and round-trips one message.
pub async fn connect_echo(addr: std::net::SocketAddr) -> Option<TcpStream> {
    let mut s = TcpStream::connect(addr).await.ok()?;
    echo(&mut s, b"ping").await.then_some(s)
}

/// Counts calls; returns the call number as generation. Optionally blocks the first
/// call until `release` is notified. Tracks the highest concurrency seen.
#[derive(Default)]
pub struct ReloaderInner {
    pub calls: AtomicU64,
    pub running: AtomicU32,
    pub max_running: AtomicU32,
    pub hold_first: std::sync::atomic::AtomicBool,
    pub entered: tokio::sync::Notify,
    pub release: tokio::sync::Notify,
    pub reject: std::sync::atomic::AtomicBool,
}

#[derive(Clone, Default)]
pub struct CountingReloader(pub Arc<ReloaderInner>);

impl CountingReloader {
    pub fn calls(&self) -> u64 {
        self.0.calls.load(Ordering::SeqCst)
    }
}

impl Reloader for CountingReloader {
    fn reload(&self, _cause: ReloadCause) -> BoxFuture<'static, Result<u64, String>> {
        let inner = self.0.clone();
        async move {
            let now = inner.running.fetch_add(1, Ordering::SeqCst) + 1;
            inner.max_running.fetch_max(now, Ordering::SeqCst);
            let n = inner.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if n == 1 && inner.hold_first.load(Ordering::SeqCst) {
                inner.entered.notify_one();
                inner.release.notified().await;
            }
            inner.running.fetch_sub(1, Ordering::SeqCst);
            if inner.reject.load(Ordering::SeqCst) {
                Err(format!("rejected #{n}"))
            } else {
                Ok(n)
            }
        }
        .boxed()
    }
}

/// A control plane on `instance` with an echo acceptor and a counting reloader.
pub struct Harness {
    pub cp: ControlPlane,
    pub instance: Instance,
    pub sockets: SocketTable,
    pub acceptor: EchoAcceptor,
    pub reloader: CountingReloader,
    pub metrics: ControlMetrics,
}

pub async fn start_harness(
    instance: Instance,
    tweak: impl FnOnce(&mut ControlPlaneOptions),
) -> Harness {
    let sockets = SocketTable::new();
    let acceptor = EchoAcceptor::default();
    let reloader = CountingReloader::default();
    let metrics = ControlMetrics::unregistered().expect("metrics");
    let mut opts = ControlPlaneOptions::new(
        instance.clone(),
        sockets.clone(),
        Arc::new(acceptor.clone()),
        Arc::new(reloader.clone()),
        metrics.clone(),
    );
    opts.metrics_tick = Duration::from_millis(50);
    tweak(&mut opts);
    let cp = ControlPlane::start(opts)
        .await
        .expect("control plane starts");
    Harness {
        cp,
        instance,
        sockets,
        acceptor,
        reloader,
        metrics,
    }
}
