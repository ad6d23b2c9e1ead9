//! AuditWriter: the only writer of the audit log. Events arrive on a bounded queue whose
//! sender the data plane holds (`try_send`: a full queue drops and counts, never delays
//! a request). The queue's receiver lives OUTSIDE the actor state, in [`AuditQueue`], so
//! a panic of the writer loses no queued event: the restarted writer re-opens the log
//! (the chain head is re-read from the file tail) and carries on from the queue.
//!
//! The actor pumps itself: each `Pump` waits for the next event or the checkpoint tick,
//! then takes events one at a time (`try_recv` then `append` immediately, so no event is
//! ever held outside both the queue and the writer), up to `batch_max`, and commits.
//! Control messages (`Flush`, `Head`, `Rotate`) are handled between pumps.
//!
//! Write failures (disk full, I/O errors) are counted, flagged for `/readyz` and retried
//! on the next pump; the data plane keeps serving either way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use prometheus::IntCounter;
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, RpcReplyPort};
use rampart_audit::{AuditError, AuditEvent, AuditKey, SegmentWriter, WriterOptions};
use rampart_protocol::NodeKey;
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc};

use crate::Instance;
use crate::supervision::spec::{ChildSpec, StartFn};

/// Registered short name.
pub const AUDIT_WRITER: &str = "audit_writer";

/// The bounded queue between the data plane and the writer.
#[derive(Clone)]
pub struct AuditQueue {
    tx: mpsc::Sender<AuditEvent>,
    rx: Arc<Mutex<mpsc::Receiver<AuditEvent>>>,
}

impl AuditQueue {
    pub fn new(depth: usize) -> Self {
        let (tx, rx) = mpsc::channel(depth.max(1));
        Self {
            tx,
            rx: Arc::new(Mutex::new(rx)),
        }
    }

    /// The sending half the data plane holds.
    pub fn sender(&self) -> mpsc::Sender<AuditEvent> {
        self.tx.clone()
    }
}

/// Counters and flags the writer reports into.
#[derive(Clone)]
pub struct AuditWriterReport {
    pub written: IntCounter,
    pub write_errors: IntCounter,
    pub dropped: IntCounter,
    /// True while writes are failing (shown by `/readyz`).
    pub failing: Arc<AtomicBool>,
}

/// What each (re)start needs. Cloned into every start by the factory.
#[derive(Clone)]
pub struct AuditWriterArgs {
    pub options: WriterOptions,
    pub key: AuditKey,
    pub node_key: Option<NodeKey>,
    pub queue: AuditQueue,
    pub report: AuditWriterReport,
    /// How often an idle writer wakes to write a due checkpoint and retry failed commits.
    pub tick: Duration,
}

/// Mailbox.
pub enum AuditWriterMsg {
    Pump,
    /// Commits and fsyncs everything written so far.
    Flush(RpcReplyPort<Result<(), String>>),
    /// (seq, mac hex) of the last record.
    Head(RpcReplyPort<(u64, String)>),
    Rotate(RpcReplyPort<Result<(), String>>),
    #[cfg(feature = "chaos")]
    Panic,
}

pub struct AuditWriter;

pub struct AuditWriterState {
    writer: SegmentWriter,
    rx: OwnedMutexGuard<mpsc::Receiver<AuditEvent>>,
    args: AuditWriterArgs,
}

impl AuditWriterState {
    fn append(&mut self, ev: &AuditEvent) {
        match self.writer.append(ev, SystemTime::now()) {
            Ok(_) => self.args.report.written.inc(),
            Err(AuditError::Pending { .. }) => {
                // In the chain, not yet on disk: counted as written, commit retried later.
                self.args.report.written.inc();
                self.failed("append commit");
            }
            Err(e) => {
                self.args.report.dropped.inc();
                tracing::error!(error = %e, "audit event could not be written");
                self.failed("append");
            }
        }
    }

    fn failed(&self, op: &str) {
        self.args.report.write_errors.inc();
        if !self.args.report.failing.swap(true, Ordering::Relaxed) {
            tracing::error!(op, "audit log writes are failing; retrying");
        }
    }

    fn commit(&mut self) {
        let r = self
            .writer
            .commit()
            .and_then(|()| self.writer.maybe_checkpoint(SystemTime::now()));
        match r {
            Ok(()) => {
                if self.args.report.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("audit log writes recovered");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "audit commit failed");
                self.failed("commit");
            }
        }
    }

    /// Takes everything left in the queue (shutdown) and closes the log.
    fn drain_and_close(&mut self) {
        while let Ok(ev) = self.rx.try_recv() {
            self.append(&ev);
        }
        if let Err(e) = self.writer.close(SystemTime::now()) {
            tracing::error!(error = %e, "audit log close failed");
            self.failed("close");
        }
    }
}

impl Actor for AuditWriter {
    type Msg = AuditWriterMsg;
    type State = AuditWriterState;
    type Arguments = AuditWriterArgs;

    async fn pre_start(
        &self,
        me: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        // A previous incarnation dropped its guard when it died, so this never waits long.
        let rx = tokio::time::timeout(Duration::from_secs(5), args.queue.rx.clone().lock_owned())
            .await
            .map_err(|_| "audit queue still held by a previous writer")?;
        let writer = SegmentWriter::open(
            args.options.clone(),
            args.key.clone(),
            args.node_key.clone(),
        )?;
        me.send_message(AuditWriterMsg::Pump)?;
        Ok(AuditWriterState { writer, rx, args })
    }

    async fn handle(
        &self,
        me: ActorRef<Self::Msg>,
        msg: Self::Msg,
        st: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            AuditWriterMsg::Pump => {
                let tick = st.args.tick;
                let first = tokio::time::timeout(tick, st.rx.recv()).await;
                match first {
                    Ok(Some(ev)) => {
                        st.append(&ev);
                        for _ in 1..st.args.options.batch_max {
                            let Ok(ev) = st.rx.try_recv() else { break };
                            st.append(&ev);
                        }
                    }
                    // All senders gone: nothing more will come; keep ticking for checkpoints.
                    Ok(None) => tokio::time::sleep(tick).await,
                    Err(_) => {}
                }
                st.commit();
                me.send_message(AuditWriterMsg::Pump)?;
            }
            AuditWriterMsg::Flush(reply) => {
                st.commit();
                let _ = reply.send(st.writer.sync().map_err(|e| e.to_string()));
            }
            AuditWriterMsg::Head(reply) => {
                let _ = reply.send(st.writer.head());
            }
            AuditWriterMsg::Rotate(reply) => {
                let _ = reply.send(st.writer.rotate().map_err(|e| e.to_string()));
            }
            #[cfg(feature = "chaos")]
            AuditWriterMsg::Panic => panic!("chaos: audit_writer asked to panic"),
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _me: ActorRef<Self::Msg>,
        st: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        st.drain_and_close();
        Ok(())
    }
}

impl AuditWriterArgs {
    /// Last resort at shutdown, after the actor tree has stopped: if the writer was down
    /// (crashed and waiting for its restart) when the tree stopped, events may still sit in
    /// the queue. This appends them with a fresh writer and closes the log, so shutdown
    /// never loses a queued event. Returns how many were written.
    pub fn drain_remaining(&self) -> Result<usize, AuditError> {
        let Ok(mut rx) = self.queue.rx.clone().try_lock_owned() else {
            return Ok(0);
        };
        if rx.is_empty() {
            return Ok(0);
        }
        let mut writer = SegmentWriter::open(
            self.options.clone(),
            self.key.clone(),
            self.node_key.clone(),
        )?;
        let mut n = 0;
        while let Ok(ev) = rx.try_recv() {
            writer.append(&ev, SystemTime::now())?;
            self.report.written.inc();
            n += 1;
        }
        writer.close(SystemTime::now())?;
        Ok(n)
    }
}

/// The supervised child spec (permanent; first in start order, last in stop order).
pub fn audit_writer_child(instance: &Instance, args: AuditWriterArgs) -> ChildSpec {
    let name = instance.actor_name(AUDIT_WRITER);
    let start: StartFn = Arc::new(move |sup: ActorCell| {
        let (name, args) = (name.clone(), args.clone());
        Box::pin(async move {
            Actor::spawn_linked(Some(name), AuditWriter, args, sup)
                .await
                .map(|(a, _)| a.get_cell())
        })
    });
    ChildSpec::permanent(AUDIT_WRITER, start)
}
