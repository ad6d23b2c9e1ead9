//! State shared by every connection task of one gateway instance. Everything here is
//! either immutable, atomic, lock-free, or an `ArcSwap` read without waiting; nothing on
//! the request path awaits an actor.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use arc_swap::ArcSwap;
use rampart_actors::{Instance, ListenerInfo, TreeStatus};
use tokio_util::sync::CancellationToken;

use crate::conn_limit::ConnLimiter;
use crate::metrics::DataMetrics;
use crate::rate_limit::RateLimiter;
use crate::snapshot::Snapshot;

/// Non-blocking hand-off of audit events to the AuditWriter: a full queue drops the
/// event and counts it rather than delaying a request.
#[derive(Clone)]
pub struct AuditSink {
    tx: Option<tokio::sync::mpsc::Sender<rampart_audit::AuditEvent>>,
    dropped: prometheus::IntCounter,
}

impl AuditSink {
    pub fn new(
        tx: Option<tokio::sync::mpsc::Sender<rampart_audit::AuditEvent>>,
        dropped: prometheus::IntCounter,
    ) -> Self {
        Self { tx, dropped }
    }

    pub fn enabled(&self) -> bool {
        self.tx.is_some()
    }

    pub fn send(&self, ev: rampart_audit::AuditEvent) {
        if let Some(tx) = &self.tx
            && tx.try_send(ev).is_err()
        {
            self.dropped.inc();
        }
    }

    /// Events waiting in the queue (a metrics probe).
    pub fn queued(&self) -> usize {
        self.tx
            .as_ref()
            .map(|t| t.max_capacity() - t.capacity())
            .unwrap_or(0)
    }
}

/// One gateway instance's shared state.
pub struct Shared {
    pub instance: Instance,
    pub snapshot: ArcSwap<Snapshot>,
    pub metrics: DataMetrics,
    pub registry: prometheus::Registry,
    pub conns: Arc<ConnLimiter>,
    pub rate: RateLimiter,
    pub tree: TreeStatus,
    pub bound: ArcSwap<Vec<Arc<ListenerInfo>>>,
    pub ready: AtomicBool,
    pub started: Instant,
    pub audit: AuditSink,
    /// Set when an audit write is failing (disk full, I/O error); shown by /readyz.
    pub audit_failing: Arc<AtomicBool>,
    /// Cancelled at shutdown: every connection finishes in-flight work and closes.
    pub shutdown: CancellationToken,
}

impl Shared {
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn full_audit_queue_drops_and_counts_without_waiting() {
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        let dropped = prometheus::IntCounter::new("d", "d").expect("counter");
        let sink = AuditSink::new(Some(tx), dropped.clone());
        let ev = || rampart_audit::AuditEvent::Shutdown { reason: "t".into() };
        sink.send(ev());
        assert_eq!(sink.queued(), 1);
        sink.send(ev());
        sink.send(ev());
        assert_eq!(
            dropped.get(),
            2,
            "a full queue drops and counts, never blocks"
        );
    }
}
