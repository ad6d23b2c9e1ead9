//! The `ListenerSupervisor`: executes Prepare / Commit / Abort / Drain against the
//! [`SocketTable`] and supervises one `Listener` child per serving address, with the
//! same [`RestartPolicy`] as the generic supervisor. Beyond a child's intensity it
//! fails itself, so its own supervisor (the root) decides. On (re)start it spawns a
//! child for every socket in the table: nothing about sockets lives in its state.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, SupervisionEvent};
use tokio::time::Instant;

use super::child::{ListenerChild, ListenerChildArgs, listener_short_name};
use super::socket::{BoundSocket, Committed, SocketTable};
use super::{Acceptor, LISTENER_SUPERVISOR, ListenerMsg};
use crate::supervision::policy::{Backoff, Decision, Intensity, RestartPolicy};
use crate::supervision::spec::{SupervisionContext, exit_of};
use crate::supervision::supervisor::SupervisorError;

/// Metric label shared by every listener child (addresses are not label values).
const LISTENER_LABEL: &str = "listener";
/// Grace for a removed listener child to stop before it is killed.
const CHILD_STOP_GRACE: Duration = Duration::from_secs(5);

/// Arguments of [`ListenerSupervisor`]; built by its factory on every (re)start.
pub struct ListenerSupervisorArgs {
    /// Shared status / metrics / hook.
    pub ctx: SupervisionContext,
    /// The daemon's socket table.
    pub sockets: SocketTable,
    /// The daemon's data plane.
    pub acceptor: Arc<dyn Acceptor>,
    /// Intensity per listener child.
    pub intensity: Intensity,
    /// Backoff per listener child.
    pub backoff: Backoff,
}

/// Supervisor of the listener children; see the module docs.
#[derive(Debug, Default)]
pub struct ListenerSupervisor;

/// State of [`ListenerSupervisor`].
pub struct ListenerSupervisorState {
    ctx: SupervisionContext,
    sockets: SocketTable,
    acceptor: Arc<dyn Acceptor>,
    intensity: Intensity,
    backoff: Backoff,
    children: BTreeMap<SocketAddr, Slot>,
}

struct Slot {
    cell: Option<ActorCell>,
    policy: RestartPolicy,
    epoch: u64,
    last_reason: String,
}

// === impl ListenerSupervisor ===

impl Actor for ListenerSupervisor {
    type Msg = ListenerMsg;
    type State = ListenerSupervisorState;
    type Arguments = ListenerSupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: ListenerSupervisorArgs,
    ) -> Result<ListenerSupervisorState, ActorProcessingErr> {
        let mut state = ListenerSupervisorState {
            ctx: args.ctx,
            sockets: args.sockets,
            acceptor: args.acceptor,
            intensity: args.intensity,
            backoff: args.backoff,
            children: BTreeMap::new(),
        };
        for socket in state.sockets.active() {
            state.start_child(&myself, socket).await?;
        }
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: ListenerMsg,
        state: &mut ListenerSupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            ListenerMsg::Prepare { specs, reply } => {
                let result = state.sockets.prepare(&specs);
                if let Err(err) = &result {
                    tracing::warn!(error = %err, "listener prepare failed; existing listeners kept");
                }
                let _ = reply.send(result);
            }
            ListenerMsg::Commit { token, reply } => {
                let mut escalate = Ok(());
                let result = match state.sockets.commit(token) {
                    Ok(Committed {
                        serving,
                        added,
                        removed,
                        renamed,
                    }) => {
                        for gone in removed {
                            state.stop_child(&gone.info.configured).await;
                            // Dropped before the reply: "Commit replied" implies "closed".
                            drop(gone);
                        }
                        for socket in renamed {
                            // The socket stays in the table (and keeps its backlog)
                            // while the child restarts with the new ListenerInfo.
                            state.stop_child(&socket.info.configured).await;
                            escalate = escalate.and(state.start_child(&myself, socket).await);
                        }
                        for socket in added {
                            escalate = escalate.and(state.start_child(&myself, socket).await);
                        }
                        Ok(serving)
                    }
                    Err(e) => Err(e),
                };
                // The reload committed either way; a child that cannot start is this
                // supervisor's failure, reported after the caller has its answer.
                let _ = reply.send(result);
                escalate?;
            }
            ListenerMsg::Abort { token } => {
                state.sockets.abort(token);
            }
            ListenerMsg::List { reply } => {
                let _ = reply.send(state.sockets.list());
            }
            ListenerMsg::Drain { reply } => {
                let all = state.sockets.drain();
                let count = all.len();
                for socket in all {
                    state.stop_child(&socket.info.configured).await;
                    // Dropped here: with the accept loop gone, this closes the socket.
                    drop(socket);
                }
                tracing::info!(listeners = count, "listeners drained");
                let _ = reply.send(());
            }
            ListenerMsg::RestartDue { addr, epoch } => {
                state.restart_due(&myself, addr, epoch).await?
            }
            #[cfg(feature = "chaos")]
            ListenerMsg::Panic => panic!("chaos: injected panic in {LISTENER_SUPERVISOR}"),
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        evt: SupervisionEvent,
        state: &mut ListenerSupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        let Some((cell, exit)) = exit_of(&evt) else {
            return Ok(());
        };
        let id = cell.get_id();
        let Some(addr) = state
            .children
            .iter()
            .find(|(_, s)| s.cell.as_ref().is_some_and(|c| c.get_id() == id))
            .map(|(a, _)| *a)
        else {
            return Ok(());
        };
        let name = listener_short_name(&addr);
        let failure = exit.is_abnormal().then(|| exit.reason());
        state.ctx.status.set_stopped(&name, failure.as_deref());
        if let Some(slot) = state.children.get_mut(&addr) {
            slot.cell = None;
            slot.last_reason = exit.reason();
        }
        if state.sockets.get(&addr).is_none() {
            // Removed while it was exiting: nothing to restart.
            state.children.remove(&addr);
            state.ctx.status.remove(&name);
            return Ok(());
        }
        // Listeners are permanent: the socket is still configured, so it must accept.
        state.schedule_or_escalate(&myself, addr)
    }
}

// === impl ListenerSupervisorState ===

impl ListenerSupervisorState {
    /// Spawns the child for `socket`; a failure is one restart attempt (retried after
    /// backoff). Err only when that attempt exceeds the intensity: escalate.
    async fn start_child(
        &mut self,
        myself: &ActorRef<ListenerMsg>,
        socket: BoundSocket,
    ) -> Result<(), ActorProcessingErr> {
        let addr = socket.info.configured;
        let (intensity, backoff) = (self.intensity, self.backoff);
        self.children.entry(addr).or_insert_with(|| Slot {
            cell: None,
            policy: RestartPolicy::new(intensity, backoff),
            epoch: 0,
            last_reason: String::new(),
        });
        if let Err(reason) = self.spawn_child(myself, socket).await {
            if let Some(slot) = self.children.get_mut(&addr) {
                slot.last_reason = reason;
            }
            return self.schedule_or_escalate(myself, addr);
        }
        Ok(())
    }

    async fn spawn_child(
        &mut self,
        myself: &ActorRef<ListenerMsg>,
        socket: BoundSocket,
    ) -> Result<(), String> {
        let addr = socket.info.configured;
        let short = listener_short_name(&addr);
        let name = self.ctx.instance.actor_name(&short);
        // The previous incarnation (killed with a previous supervisor) may still hold
        // the registered name for a moment.
        if let Some(old) = ractor::registry::where_is(name.clone()) {
            old.kill();
            let _ = old.wait(Some(Duration::from_secs(2))).await;
        }
        let args = ListenerChildArgs {
            socket,
            acceptor: self.acceptor.clone(),
        };
        match Actor::spawn_linked(Some(name), ListenerChild, args, myself.get_cell()).await {
            Ok((child, _)) => {
                if let Some(slot) = self.children.get_mut(&addr) {
                    slot.cell = Some(child.get_cell());
                    slot.policy.started(Instant::now());
                }
                self.ctx
                    .status
                    .set_running(&short, Some(LISTENER_SUPERVISOR));
                Ok(())
            }
            Err(err) => {
                let reason = format!("listener start failed: {err}");
                self.ctx.status.set_stopped(&short, Some(&reason));
                Err(reason)
            }
        }
    }

    async fn stop_child(&mut self, addr: &SocketAddr) {
        let short = listener_short_name(addr);
        if let Some(cell) = self.children.remove(addr).and_then(|slot| slot.cell)
            && cell
                .stop_and_wait(Some("removed".into()), Some(CHILD_STOP_GRACE))
                .await
                .is_err()
        {
            cell.kill();
        }
        self.ctx.status.remove(&short);
    }

    fn schedule_or_escalate(
        &mut self,
        myself: &ActorRef<ListenerMsg>,
        addr: SocketAddr,
    ) -> Result<(), ActorProcessingErr> {
        let Some(slot) = self.children.get_mut(&addr) else {
            return Ok(());
        };
        match slot.policy.exited(Instant::now()) {
            Decision::RestartAfter(delay) => {
                slot.epoch += 1;
                let (me, epoch) = (myself.clone(), slot.epoch);
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = me.cast(ListenerMsg::RestartDue { addr, epoch });
                });
                Ok(())
            }
            Decision::Escalate => {
                let child = listener_short_name(&addr);
                let reason = slot.last_reason.clone();
                tracing::error!(actor = %child, reason, "listener restart intensity exceeded; escalating");
                Err(SupervisorError::IntensityExceeded { child, reason }.into())
            }
        }
    }

    async fn restart_due(
        &mut self,
        myself: &ActorRef<ListenerMsg>,
        addr: SocketAddr,
        epoch: u64,
    ) -> Result<(), ActorProcessingErr> {
        let Some(slot) = self.children.get(&addr) else {
            return Ok(());
        };
        if slot.epoch != epoch || slot.cell.is_some() {
            return Ok(());
        }
        let Some(socket) = self.sockets.get(&addr) else {
            self.children.remove(&addr);
            return Ok(());
        };
        let short = listener_short_name(&addr);
        self.ctx
            .record_restart(&short, LISTENER_LABEL, &slot.last_reason);
        match self.spawn_child(myself, socket).await {
            Ok(()) => Ok(()),
            Err(reason) => {
                if let Some(slot) = self.children.get_mut(&addr) {
                    slot.last_reason = reason;
                }
                self.schedule_or_escalate(myself, addr)
            }
        }
    }
}
