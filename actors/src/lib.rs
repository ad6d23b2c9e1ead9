//! Rampart's control plane: OTP-style supervision written on top of ractor (which
//! restarts nothing by itself) and the control-plane actors, under one root:
//!
//! ```text
//! root (Supervisor, one_for_one)           registered as "{instance}/root"
//!  ├─ extra_children...  (AuditWriter)     started first, stopped last
//!  ├─ metrics_collector  (MetricsCollector)
//!  ├─ config_watcher     (ConfigWatcher)
//!  └─ listener_supervisor (ListenerSupervisor)
//!      └─ listener/<configured addr>        one per serving address
//! ```
//!
//! Supervision: restart types permanent / transient / temporary; per child at most
//! `Intensity::max_restarts` restarts in `Intensity::within` (default 5 in 10 s);
//! backoff 50 ms → 5 s with jitter, reset after 60 s up; a failed `pre_start` during a
//! restart counts as an attempt; beyond the intensity a nested supervisor fails
//! itself and the root sends an [`Escalation`] to the daemon (which shuts down in
//! order and exits 70). Exit events are matched by the `ActorId` of the current child;
//! events of earlier incarnations are ignored. Every restart attempt increments
//! `rampart_actor_restarts_total{actor}`, updates [`TreeStatus`] and calls the optional
//! `on_restart` hook.
//!
//! What it must not do: import HTTP or data-plane types (the daemon plugs in through
//! [`Acceptor`] and [`Reloader`]), own a connection (connection tasks are the
//! daemon's, so no actor restart closes one), own a listening socket (they live in
//! the daemon's [`SocketTable`]), or make the data plane await an actor
//! ([`TreeStatus::snapshot`] and [`SocketTable::list`] never await).
//!
//! Actor names are global per process in ractor, so every actor is registered as
//! `"{instance}/{short name}"` (see [`Instance`]).

pub mod audit_writer;
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

pub use audit_writer::{
    AUDIT_WRITER, AuditQueue, AuditWriter, AuditWriterArgs, AuditWriterMsg, AuditWriterReport,
    audit_writer_child,
};
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
