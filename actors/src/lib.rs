//! Rampart's control plane: OTP-style supervision written on top of ractor (which
//! restarts nothing by itself) and the control-plane actors: ListenerSupervisor with
//! one Listener per address, ConfigWatcher, MetricsCollector, under one root.
//!
//! What it must not do: import HTTP or data-plane types (the daemon plugs in through
//! [`Acceptor`] and [`Reloader`]), own a connection (connection tasks are the
//! daemon's, so no actor restart closes one), or make the data plane await an actor
//! ([`TreeStatus`] and [`SocketTable::list`] are read without awaiting).
//!
//! Actor names are global per process in ractor, so every actor is registered as
//! `"{instance}/{short name}"` (see [`Instance`]).

pub mod config_watcher;
pub mod control_plane;
pub mod instance;
pub mod listener;
mod lookup;
pub mod metrics;
pub mod metrics_collector;
pub mod process_stats;
pub mod status;
pub mod supervision;

#[cfg(feature = "chaos")]
pub mod chaos;

pub use config_watcher::{
    CONFIG_WATCHER, ConfigWatcher, ConfigWatcherArgs, ConfigWatcherHandle, ConfigWatcherMsg,
    ReloadCause, Reloader, WatchError,
};
pub use control_plane::{ControlPlane, ControlPlaneOptions, ROOT, StartError};
pub use instance::Instance;
pub use listener::{
    AcceptedConn, Acceptor, BindError, LISTENER_SUPERVISOR, ListenerCallError, ListenerHandle,
    ListenerInfo, ListenerMsg, ListenerSpec, ListenerSupervisor, ListenerSupervisorArgs,
    PrepareToken, SocketTable, UnknownToken,
};
pub use metrics::ControlMetrics;
pub use metrics_collector::{
    METRICS_COLLECTOR, MetricsCollector, MetricsCollectorArgs, MetricsCollectorMsg, QueueProbe,
};
pub use status::{ActorStatus, TreeStatus};
pub use supervision::policy::{Backoff, Decision, Intensity, Restart, RestartPolicy};
pub use supervision::spec::{ChildSpec, Escalation, OnRestart, StartFn, SupervisionContext};
pub use supervision::supervisor::{
    EscalationTarget, Supervisor, SupervisorArgs, SupervisorError, SupervisorMsg,
};
