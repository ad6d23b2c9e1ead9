//! Wiring: the one call the daemon makes. Builds the tree
//! `root(one_for_one) -> [extra_children..., metrics_collector, config_watcher,
//! listener_supervisor -> listener/<addr>...]`, hands back the handles and the
//! escalation receiver, and stops the tree in reverse start order. Nothing here is on
//! the request path.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::FutureExt;
use ractor::rpc::CallResult;
use ractor::{Actor, ActorCell, ActorRef, SpawnErr};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::task::JoinHandle;

use crate::config_watcher::{
    CONFIG_WATCHER, ConfigWatcher, ConfigWatcherArgs, ConfigWatcherHandle, Reloader,
};
use crate::listener::{
    Acceptor, LISTENER_SUPERVISOR, ListenerHandle, ListenerSupervisor, ListenerSupervisorArgs,
    SocketTable,
};
use crate::metrics_collector::{
    METRICS_COLLECTOR, MetricsCollector, MetricsCollectorArgs, QueueProbe,
};
use crate::supervision::policy::{Backoff, Intensity, Restart};
use crate::supervision::spec::{ChildSpec, Escalation, OnRestart, StartFn, SupervisionContext};
use crate::supervision::supervisor::{EscalationTarget, Supervisor, SupervisorArgs, SupervisorMsg};
use crate::{ControlMetrics, Instance, TreeStatus};

/// Short name of the root supervisor.
pub const ROOT: &str = "root";

/// Everything the daemon passes to [`ControlPlane::start`].
pub struct ControlPlaneOptions {
    /// Unique within the process.
    pub instance: Instance,
    /// The daemon's socket table (outlives the tree).
    pub sockets: SocketTable,
    /// Data plane entry for accepted connections.
    pub acceptor: Arc<dyn Acceptor>,
    /// The reload transaction.
    pub reloader: Arc<dyn Reloader>,
    /// Config file, its `.sig`, certificate files...
    pub watch_paths: Vec<PathBuf>,
    /// Debounce window for file changes (default 200 ms).
    pub debounce: Duration,
    /// Metrics (registered by the daemon).
    pub metrics: ControlMetrics,
    /// Tree status the data plane reads.
    pub status: TreeStatus,
    /// Intensity for the built-in children and for each listener.
    pub intensity: Intensity,
    /// Backoff for the built-in children and for each listener.
    pub backoff: Backoff,
    /// Called on every restart attempt with (actor, reason).
    pub on_restart: Option<OnRestart>,
    /// Queue-depth probes sampled by the MetricsCollector.
    pub queue_probes: Vec<QueueProbe>,
    /// Sampling period of the MetricsCollector (default 5 s).
    pub metrics_tick: Duration,
    /// Extra permanent children (the AuditWriter): first in start order, last in stop order.
    pub extra_children: Vec<ChildSpec>,
}

impl ControlPlaneOptions {
    /// Options with defaults: no watched paths, 200 ms debounce, default intensity and
    /// backoff, no hook, no probes, 5 s metrics tick, no extra children, empty status.
    pub fn new(
        instance: Instance,
        sockets: SocketTable,
        acceptor: Arc<dyn Acceptor>,
        reloader: Arc<dyn Reloader>,
        metrics: ControlMetrics,
    ) -> Self {
        Self {
            instance,
            sockets,
            acceptor,
            reloader,
            watch_paths: Vec::new(),
            debounce: Duration::from_millis(200),
            metrics,
            status: TreeStatus::new(),
            intensity: Intensity::default(),
            backoff: Backoff::default(),
            on_restart: None,
            queue_probes: Vec::new(),
            metrics_tick: Duration::from_secs(5),
            extra_children: Vec::new(),
        }
    }
}

/// Why the control plane did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The root (or one of its children, see the source chain) failed to start.
    #[error("control plane failed to start: {source}")]
    Spawn {
        /// ractor's error; its source is the failing child's error.
        #[source]
        source: SpawnErr,
    },
}

/// A running control plane.
pub struct ControlPlane {
    /// Prepare / Commit / Abort / List / Drain.
    pub listeners: ListenerHandle,
    /// Reloads and change notifications.
    pub config: ConfigWatcherHandle,
    /// Escalations from the root: on receipt, shut down in order and exit 70.
    pub escalations: UnboundedReceiver<Escalation>,
    /// The tree status (same as the one passed in).
    pub status: TreeStatus,
    instance: Instance,
    root: ActorRef<SupervisorMsg>,
    root_task: JoinHandle<()>,
    stopping: Arc<AtomicBool>,
}

// === impl ControlPlane ===

impl ControlPlane {
    /// Starts the tree; every child is up when this returns.
    pub async fn start(opts: ControlPlaneOptions) -> Result<ControlPlane, StartError> {
        let (esc_tx, esc_rx) = unbounded_channel();
        let ctx = SupervisionContext {
            instance: opts.instance.clone(),
            status: opts.status.clone(),
            metrics: Some(opts.metrics.clone()),
            on_restart: opts.on_restart.clone(),
        };
        let mut children = opts.extra_children;
        children.push(builtin(
            METRICS_COLLECTOR,
            &opts.intensity,
            &opts.backoff,
            metrics_factory(
                &opts.instance,
                MetricsCollectorArgsSrc {
                    metrics: opts.metrics.clone(),
                    status: opts.status.clone(),
                    tick: opts.metrics_tick,
                    queue_probes: opts.queue_probes,
                },
            ),
        ));
        children.push(builtin(
            CONFIG_WATCHER,
            &opts.intensity,
            &opts.backoff,
            watcher_factory(
                &opts.instance,
                WatcherArgsSrc {
                    reloader: opts.reloader,
                    watch_paths: opts.watch_paths,
                    debounce: opts.debounce,
                    reload_lock: Arc::new(tokio::sync::Mutex::new(())),
                },
            ),
        ));
        children.push(builtin(
            LISTENER_SUPERVISOR,
            &opts.intensity,
            &opts.backoff,
            listeners_factory(ListenerArgsSrc {
                ctx: ctx.clone(),
                sockets: opts.sockets,
                acceptor: opts.acceptor,
                intensity: opts.intensity,
                backoff: opts.backoff,
            }),
        ));
        let args = SupervisorArgs {
            ctx,
            name: ROOT.to_string(),
            parent: None,
            children,
            escalation: EscalationTarget::Channel(esc_tx.clone()),
        };
        let (root, root_task) =
            Actor::spawn(Some(opts.instance.actor_name(ROOT)), Supervisor, args)
                .await
                .map_err(|source| StartError::Spawn { source })?;
        let stopping = Arc::new(AtomicBool::new(false));
        let (watch_cell, watch_stopping) = (root.get_cell(), stopping.clone());
        tokio::spawn(async move {
            let _ = watch_cell.wait(None).await;
            if !watch_stopping.load(Ordering::SeqCst) {
                tracing::error!("root supervisor exited unexpectedly");
                let _ = esc_tx.send(Escalation::RootExited {
                    reason: "root supervisor exited unexpectedly".into(),
                });
            }
        });
        Ok(ControlPlane {
            listeners: ListenerHandle::new(&opts.instance),
            config: ConfigWatcherHandle::new(&opts.instance),
            escalations: esc_rx,
            status: opts.status,
            instance: opts.instance,
            root,
            root_task,
            stopping,
        })
    }

    /// The instance this tree runs under.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// Orderly stop: children in reverse start order (each gets 10 s, then is killed),
    /// then the root. Does not drain listeners: call `listeners.drain()` first.
    pub async fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        let per_child = Duration::from_secs(10);
        let reply = self
            .root
            .call(
                |reply| SupervisorMsg::Shutdown { per_child, reply },
                Some(Duration::from_secs(60)),
            )
            .await;
        if !matches!(reply, Ok(CallResult::Success(()))) {
            tracing::warn!("root did not confirm shutdown; killing the tree");
            self.root.kill();
        }
        let _ = self.root_task.await;
    }
}

fn builtin(name: &str, intensity: &Intensity, backoff: &Backoff, start: StartFn) -> ChildSpec {
    ChildSpec {
        name: name.to_string(),
        restart: Restart::Permanent,
        intensity: *intensity,
        backoff: *backoff,
        start,
    }
}

/// Turns a spawn result into the factory's output.
fn cell_of<M>(r: Result<(ActorRef<M>, JoinHandle<()>), SpawnErr>) -> Result<ActorCell, SpawnErr> {
    r.map(|(a, _)| a.get_cell())
}

struct MetricsCollectorArgsSrc {
    metrics: ControlMetrics,
    status: TreeStatus,
    tick: Duration,
    queue_probes: Vec<QueueProbe>,
}

fn metrics_factory(instance: &Instance, src: MetricsCollectorArgsSrc) -> StartFn {
    let name = instance.actor_name(METRICS_COLLECTOR);
    let src = Arc::new(src);
    Arc::new(move |sup: ActorCell| {
        let args = MetricsCollectorArgs {
            metrics: src.metrics.clone(),
            status: src.status.clone(),
            tick: src.tick,
            queue_probes: src.queue_probes.clone(),
        };
        let name = name.clone();
        async move { cell_of(Actor::spawn_linked(Some(name), MetricsCollector, args, sup).await) }
            .boxed()
    })
}

struct WatcherArgsSrc {
    reloader: Arc<dyn Reloader>,
    watch_paths: Vec<PathBuf>,
    debounce: Duration,
    reload_lock: Arc<tokio::sync::Mutex<()>>,
}

fn watcher_factory(instance: &Instance, src: WatcherArgsSrc) -> StartFn {
    let name = instance.actor_name(CONFIG_WATCHER);
    let src = Arc::new(src);
    Arc::new(move |sup: ActorCell| {
        let args = ConfigWatcherArgs {
            reloader: src.reloader.clone(),
            watch_paths: src.watch_paths.clone(),
            debounce: src.debounce,
            reload_lock: src.reload_lock.clone(),
        };
        let name = name.clone();
        async move { cell_of(Actor::spawn_linked(Some(name), ConfigWatcher, args, sup).await) }
            .boxed()
    })
}

struct ListenerArgsSrc {
    ctx: SupervisionContext,
    sockets: SocketTable,
    acceptor: Arc<dyn Acceptor>,
    intensity: Intensity,
    backoff: Backoff,
}

fn listeners_factory(src: ListenerArgsSrc) -> StartFn {
    let name = src.ctx.instance.actor_name(LISTENER_SUPERVISOR);
    let src = Arc::new(src);
    Arc::new(move |sup: ActorCell| {
        let args = ListenerSupervisorArgs {
            ctx: src.ctx.clone(),
            sockets: src.sockets.clone(),
            acceptor: src.acceptor.clone(),
            intensity: src.intensity,
            backoff: src.backoff,
        };
        let name = name.clone();
        async move { cell_of(Actor::spawn_linked(Some(name), ListenerSupervisor, args, sup).await) }
            .boxed()
    })
}
