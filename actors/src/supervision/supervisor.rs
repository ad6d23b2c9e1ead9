//! The generic one_for_one supervisor (the root of the tree, and any static subtree).
//! ractor restarts nothing by itself: this actor receives its children's exit events,
//! applies restart type, intensity and backoff, and escalates when a child keeps
//! failing. It never blocks its mailbox on a backoff (a timer task casts `RestartDue`).

use std::time::Duration;

use ractor::{
    Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent,
};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use super::policy::{Decision, RestartPolicy};
use super::spec::{ChildSpec, Escalation, Exit, SupervisionContext, exit_of, wants_restart};

/// Where a supervisor sends a failure it cannot handle.
#[derive(Clone, Debug)]
pub enum EscalationTarget {
    /// The root: send the escalation to the daemon and leave the child down.
    Channel(UnboundedSender<Escalation>),
    /// A nested supervisor: fail, so the parent's policy decides.
    Parent,
}

/// Arguments of [`Supervisor`].
#[derive(Debug)]
pub struct SupervisorArgs {
    /// Shared status / metrics / hook.
    pub ctx: SupervisionContext,
    /// Short name of this supervisor (`root`).
    pub name: String,
    /// Short name of its parent, `None` for the root.
    pub parent: Option<String>,
    /// Children in start order (stopped in reverse).
    pub children: Vec<ChildSpec>,
    /// Where failures beyond intensity go.
    pub escalation: EscalationTarget,
}

/// Mailbox of [`Supervisor`].
#[derive(Debug)]
pub enum SupervisorMsg {
    /// Internal: a backoff elapsed for child `index` (ignored unless `epoch` is current).
    RestartDue {
        /// Position of the child in start order.
        index: usize,
        /// Restart epoch of the slot when the timer was armed.
        epoch: u64,
    },
    /// Stops the children in reverse start order (each gets `per_child` to stop, then
    /// is killed), replies, then stops the supervisor. No restarts happen after this.
    Shutdown {
        /// Grace per child.
        per_child: Duration,
        /// Sent once every child is down.
        reply: RpcReplyPort<()>,
    },
    /// Chaos: panic inside the handler.
    #[cfg(feature = "chaos")]
    Panic,
}

/// Failures a supervisor reports to its own supervisor (or spawner).
#[derive(Debug, thiserror::Error)]
pub enum SupervisorError {
    /// A child failed to start while the supervisor itself was starting.
    #[error("child {child} failed to start: {source}")]
    ChildStart {
        /// Short name of the child.
        child: String,
        /// ractor's error.
        #[source]
        source: ractor::SpawnErr,
    },
    /// A child exceeded its restart intensity and this supervisor escalates.
    #[error("child {child} exceeded its restart intensity; last exit: {reason}")]
    IntensityExceeded {
        /// Short name of the child.
        child: String,
        /// Reason of its last exit.
        reason: String,
    },
}

/// OTP one_for_one supervisor over a static list of [`ChildSpec`]s.
#[derive(Debug, Default)]
pub struct Supervisor;

/// State of [`Supervisor`].
pub struct SupervisorState {
    ctx: SupervisionContext,
    name: String,
    slots: Vec<Slot>,
    escalation: EscalationTarget,
    shutting_down: bool,
}

struct Slot {
    spec: ChildSpec,
    cell: Option<ActorCell>,
    policy: RestartPolicy,
    epoch: u64,
    last_reason: String,
}

// === impl Supervisor ===

impl Actor for Supervisor {
    type Msg = SupervisorMsg;
    type State = SupervisorState;
    type Arguments = SupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: SupervisorArgs,
    ) -> Result<SupervisorState, ActorProcessingErr> {
        let mut state = SupervisorState {
            ctx: args.ctx,
            name: args.name,
            slots: Vec::with_capacity(args.children.len()),
            escalation: args.escalation,
            shutting_down: false,
        };
        state
            .ctx
            .status
            .set_running(&state.name, args.parent.as_deref());
        for spec in args.children {
            match (spec.start)(myself.get_cell()).await {
                Ok(cell) => {
                    state.ctx.status.set_running(&spec.name, Some(&state.name));
                    let mut policy = RestartPolicy::new(spec.intensity, spec.backoff);
                    policy.started(Instant::now());
                    state.slots.push(Slot {
                        spec,
                        cell: Some(cell),
                        policy,
                        epoch: 0,
                        last_reason: String::new(),
                    });
                }
                Err(source) => {
                    // OTP: a child that cannot start fails the supervisor's own start.
                    state.stop_children(Duration::from_secs(5)).await;
                    state
                        .ctx
                        .status
                        .set_stopped(&state.name, Some("child failed to start"));
                    return Err(SupervisorError::ChildStart {
                        child: spec.name,
                        source,
                    }
                    .into());
                }
            }
        }
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: SupervisorMsg,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            SupervisorMsg::RestartDue { index, epoch } => {
                state.restart_due(&myself, index, epoch).await
            }
            SupervisorMsg::Shutdown { per_child, reply } => {
                state.shutting_down = true;
                state.stop_children(per_child).await;
                state.ctx.status.set_stopped(&state.name, None);
                let _ = reply.send(());
                myself.stop(Some("shutdown".to_string()));
                Ok(())
            }
            #[cfg(feature = "chaos")]
            SupervisorMsg::Panic => panic!("chaos: injected panic in supervisor {}", state.name),
        }
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        evt: SupervisionEvent,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        let Some((cell, exit)) = exit_of(&evt) else {
            return Ok(());
        };
        let Some(index) = state.index_of(cell.get_id()) else {
            // An exit of a previous incarnation (or of a child we stopped on purpose).
            tracing::debug!(supervisor = %state.name, id = %cell.get_id(), "stale supervision event ignored");
            return Ok(());
        };
        let slot = &mut state.slots[index];
        slot.cell = None;
        slot.last_reason = exit.reason();
        let failure = exit.is_abnormal().then(|| exit.reason());
        state
            .ctx
            .status
            .set_stopped(&slot.spec.name, failure.as_deref());
        if state.shutting_down || !wants_restart(slot.spec.restart, &exit) {
            if let Exit::Abnormal(reason) = &exit {
                tracing::warn!(actor = %slot.spec.name, reason, "child exited, not restarted");
            }
            return Ok(());
        }
        state.schedule_or_escalate(&myself, index)
    }
}

// === impl SupervisorState ===

impl SupervisorState {
    fn index_of(&self, id: ActorId) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.cell.as_ref().is_some_and(|c| c.get_id() == id))
    }

    fn schedule_or_escalate(
        &mut self,
        myself: &ActorRef<SupervisorMsg>,
        index: usize,
    ) -> Result<(), ActorProcessingErr> {
        let slot = &mut self.slots[index];
        match slot.policy.exited(Instant::now()) {
            Decision::RestartAfter(delay) => {
                slot.epoch += 1;
                let (me, epoch) = (myself.clone(), slot.epoch);
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    // The supervisor may be gone by now; then nothing is left to restart.
                    let _ = me.cast(SupervisorMsg::RestartDue { index, epoch });
                });
                Ok(())
            }
            Decision::Escalate => {
                let (child, reason) = (slot.spec.name.clone(), slot.last_reason.clone());
                tracing::error!(supervisor = %self.name, actor = %child, reason, "restart intensity exceeded");
                self.ctx.status.set_stopped(
                    &child,
                    Some(&format!("restart intensity exceeded: {reason}")),
                );
                match &self.escalation {
                    EscalationTarget::Channel(tx) => {
                        // The receiver gone means the daemon is already shutting down.
                        let _ = tx.send(Escalation::IntensityExceeded {
                            actor: child,
                            reason,
                        });
                        Ok(())
                    }
                    EscalationTarget::Parent => {
                        Err(SupervisorError::IntensityExceeded { child, reason }.into())
                    }
                }
            }
        }
    }

    async fn restart_due(
        &mut self,
        myself: &ActorRef<SupervisorMsg>,
        index: usize,
        epoch: u64,
    ) -> Result<(), ActorProcessingErr> {
        let Some(slot) = self.slots.get_mut(index) else {
            return Ok(());
        };
        if self.shutting_down || slot.epoch != epoch || slot.cell.is_some() {
            return Ok(());
        }
        self.ctx
            .record_restart(&slot.spec.name, &slot.spec.name, &slot.last_reason);
        match (slot.spec.start)(myself.get_cell()).await {
            Ok(cell) => {
                slot.cell = Some(cell);
                slot.policy.started(Instant::now());
                self.ctx
                    .status
                    .set_running(&slot.spec.name, Some(&self.name));
                Ok(())
            }
            Err(err) => {
                // ractor reports a failed pre_start only to us, the spawner: it counts
                // as one more attempt in the intensity window.
                slot.last_reason = format!("restart failed: {err}");
                self.ctx
                    .status
                    .set_stopped(&slot.spec.name, Some(&slot.last_reason));
                self.schedule_or_escalate(myself, index)
            }
        }
    }

    async fn stop_children(&mut self, per_child: Duration) {
        for slot in self.slots.iter_mut().rev() {
            slot.epoch += 1;
            if let Some(cell) = slot.cell.take() {
                if cell
                    .stop_and_wait(Some("shutdown".to_string()), Some(per_child))
                    .await
                    .is_err()
                {
                    tracing::warn!(actor = %slot.spec.name, "child did not stop in time, killing");
                    cell.kill();
                }
                self.ctx.status.set_stopped(&slot.spec.name, None);
            }
        }
    }
}
