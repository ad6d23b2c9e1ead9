//! Child specifications, escalations and the context every supervisor shares (tree
//! status, restart metric, restart hook). Data only: the behaviour lives in
//! `supervisor.rs` and `listener/supervisor.rs`.

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use ractor::{ActorCell, SpawnErr, SupervisionEvent};

use super::policy::{Backoff, Intensity, Restart};
use crate::{ControlMetrics, Instance, TreeStatus};

/// Factory of one child: spawns a fresh actor linked to the given supervisor cell and
/// returns its cell. Called at start and for every restart, because ractor `Arguments`
/// are not `Clone`. It MUST use `spawn_linked` with the supervisor it receives and
/// should name the actor `instance.actor_name(&spec.name)`.
pub type StartFn =
    Arc<dyn Fn(ActorCell) -> BoxFuture<'static, Result<ActorCell, SpawnErr>> + Send + Sync>;

/// Hook called on every restart attempt with `(actor short name, reason of the exit)`.
/// The daemon uses it to write an audit record. Must not block.
pub type OnRestart = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// How a supervisor starts and restarts one child.
#[derive(Clone)]
pub struct ChildSpec {
    /// Short name: the status entry and the `actor` metric label.
    pub name: String,
    /// Restart type.
    pub restart: Restart,
    /// Restart intensity for this child.
    pub intensity: Intensity,
    /// Backoff between restarts of this child.
    pub backoff: Backoff,
    /// The factory, see [`StartFn`].
    pub start: StartFn,
}

impl ChildSpec {
    /// A permanent child with the default intensity (5 in 10 s) and backoff (50 ms .. 5 s).
    pub fn permanent(name: impl Into<String>, start: StartFn) -> Self {
        Self {
            name: name.into(),
            restart: Restart::Permanent,
            intensity: Intensity::default(),
            backoff: Backoff::default(),
            start,
        }
    }
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("name", &self.name)
            .field("restart", &self.restart)
            .field("intensity", &self.intensity)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

/// What the root supervisor sends the daemon when it gives up. The daemon then shuts
/// down in order and exits with code 70.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Escalation {
    /// A child of the root exceeded its restart intensity.
    IntensityExceeded {
        /// Short name of the child.
        actor: String,
        /// Reason of its last exit.
        reason: String,
    },
    /// The root supervisor itself stopped without `ControlPlane::stop` being called.
    RootExited {
        /// What is known about the exit.
        reason: String,
    },
}

/// Shared by every supervisor of one instance.
#[derive(Clone)]
pub struct SupervisionContext {
    /// Instance whose actors are supervised.
    pub instance: Instance,
    /// Tree status updated on start, exit and restart.
    pub status: TreeStatus,
    /// Metrics (restart counter); `None` in tests that do not care.
    pub metrics: Option<ControlMetrics>,
    /// Optional restart hook.
    pub on_restart: Option<OnRestart>,
}

impl SupervisionContext {
    /// Records one restart attempt of `actor` (status, metric under `label`, hook).
    pub(crate) fn record_restart(&self, actor: &str, label: &str, reason: &str) {
        self.status.record_restart(actor);
        if let Some(m) = &self.metrics {
            m.actor_restarts.with_label_values(&[label]).inc();
        }
        if let Some(hook) = &self.on_restart {
            hook(actor, reason);
        }
        tracing::warn!(actor, reason, "actor restarting");
    }
}

impl fmt::Debug for SupervisionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisionContext")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

/// How a child ended, as far as restart types care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Stopped on purpose (`stop`, returned normally).
    Normal(Option<String>),
    /// Panicked, returned an error, or was killed.
    Abnormal(String),
}

impl Exit {
    pub(crate) fn is_abnormal(&self) -> bool {
        matches!(self, Exit::Abnormal(_))
    }

    pub(crate) fn reason(&self) -> String {
        match self {
            Exit::Normal(r) => r.clone().unwrap_or_else(|| "normal".to_string()),
            Exit::Abnormal(r) => r.clone(),
        }
    }
}

/// The child and how it ended, for exit events; `None` for every other event.
pub(crate) fn exit_of(evt: &SupervisionEvent) -> Option<(ActorCell, Exit)> {
    match evt {
        SupervisionEvent::ActorFailed(cell, err) => {
            Some((cell.clone(), Exit::Abnormal(err.to_string())))
        }
        SupervisionEvent::ActorTerminated(cell, _, reason) => {
            // ractor reports a kill (ours or the runtime cancelling the task) as a
            // termination; OTP counts that as abnormal, so transient children come back.
            let exit = match reason.as_deref() {
                Some("killed") | Some("actor_task_cancelled") => {
                    Exit::Abnormal(reason.clone().unwrap_or_default())
                }
                _ => Exit::Normal(reason.clone()),
            };
            Some((cell.clone(), exit))
        }
        _ => None,
    }
}

/// Should a child of restart type `restart` come back after `exit`?
pub(crate) fn wants_restart(restart: Restart, exit: &Exit) -> bool {
    match restart {
        Restart::Permanent => true,
        Restart::Transient => exit.is_abnormal(),
        Restart::Temporary => false,
    }
}
