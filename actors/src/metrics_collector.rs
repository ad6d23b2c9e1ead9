//! MetricsCollector: on every tick, samples process statistics, the tree status and
//! the daemon's queue-depth probes into the [`ControlMetrics`] gauges. It owns no
//! registry and renders nothing; the daemon encodes its registry for /metrics.
//! Probes are called on the actor's task: they must be cheap and never block.

use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::process_stats;
use crate::{ControlMetrics, TreeStatus};

/// Short name of the metrics collector actor.
pub const METRICS_COLLECTOR: &str = "metrics_collector";

/// A named queue-depth probe (`rampart_queue_depth{queue=name}`).
pub type QueueProbe = (String, Arc<dyn Fn() -> i64 + Send + Sync>);

/// Arguments of [`MetricsCollector`]; built by its factory on every (re)start.
pub struct MetricsCollectorArgs {
    /// Gauges to write.
    pub metrics: ControlMetrics,
    /// Tree to count running actors from.
    pub status: TreeStatus,
    /// Sampling period.
    pub tick: Duration,
    /// Queue probes.
    pub queue_probes: Vec<QueueProbe>,
}

/// Mailbox of [`MetricsCollector`].
#[derive(Debug)]
pub enum MetricsCollectorMsg {
    /// Sample now (sent by the ticker; tests may send it too).
    Tick,
    /// Chaos: panic inside the handler.
    #[cfg(feature = "chaos")]
    Panic,
}

/// The collector actor.
#[derive(Debug, Default)]
pub struct MetricsCollector;

/// State of [`MetricsCollector`].
pub struct MetricsCollectorState {
    metrics: ControlMetrics,
    status: TreeStatus,
    queue_probes: Vec<QueueProbe>,
    // Stops the ticker however the state goes away.
    _ticker: DropGuard,
}

// === impl MetricsCollector ===

impl Actor for MetricsCollector {
    type Msg = MetricsCollectorMsg;
    type State = MetricsCollectorState;
    type Arguments = MetricsCollectorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: MetricsCollectorArgs,
    ) -> Result<MetricsCollectorState, ActorProcessingErr> {
        let stop = CancellationToken::new();
        let ticker_stop = stop.clone();
        let tick = args.tick.max(Duration::from_millis(10));
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker_stop.cancelled() => return,
                    _ = interval.tick() => {
                        if myself.cast(MetricsCollectorMsg::Tick).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(MetricsCollectorState {
            metrics: args.metrics,
            status: args.status,
            queue_probes: args.queue_probes,
            _ticker: stop.drop_guard(),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: MetricsCollectorMsg,
        state: &mut MetricsCollectorState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            MetricsCollectorMsg::Tick => state.sample(),
            #[cfg(feature = "chaos")]
            MetricsCollectorMsg::Panic => panic!("chaos: injected panic in {METRICS_COLLECTOR}"),
        }
        Ok(())
    }
}

// === impl MetricsCollectorState ===

impl MetricsCollectorState {
    fn sample(&self) {
        let m = &self.metrics;
        let p = process_stats::sample();
        if let Some(v) = p.resident_bytes {
            m.process_resident_memory_bytes
                .set(i64::try_from(v).unwrap_or(i64::MAX));
        }
        if let Some(v) = p.open_fds {
            m.process_open_fds.set(i64::try_from(v).unwrap_or(i64::MAX));
        }
        if let Some(cpu) = p.cpu_seconds {
            // The counter outlives collector restarts, so add only what is new.
            let delta = cpu - m.process_cpu_seconds_total.get();
            if delta > 0.0 {
                m.process_cpu_seconds_total.inc_by(delta);
            }
        }
        if let Some(up) = p.uptime_seconds {
            m.uptime_seconds.set(up);
        }
        let running = self.status.snapshot().iter().filter(|a| a.running).count();
        m.actors_running
            .set(i64::try_from(running).unwrap_or(i64::MAX));
        for (queue, probe) in &self.queue_probes {
            m.queue_depth
                .with_label_values(&[queue.as_str()])
                .set(probe());
        }
    }
}
