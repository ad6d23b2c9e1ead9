//! Control-plane metrics: the prometheus handles the supervisors and actors update.
//! The registry itself belongs to the daemon; this module only registers into it.
//! Label values come from fixed sets: actor short names (every listener child is
//! `listener`), reload results, queue names chosen by the daemon. Never addresses.

use prometheus::{Counter, Gauge, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

/// Every metric the control plane writes. Cheap to clone (handles are `Arc`s).
#[derive(Clone, Debug)]
pub struct ControlMetrics {
    /// `rampart_actor_restarts_total{actor}`: restart attempts per actor short name.
    pub actor_restarts: IntCounterVec,
    /// `rampart_config_reloads_total{result="applied"|"rejected"}`, written by the daemon's
    /// [`Reloader`](crate::Reloader) (the transaction owner), not by ConfigWatcher.
    pub config_reloads: IntCounterVec,
    /// `rampart_config_generation`: generation in service, written by the daemon's Reloader.
    pub config_generation: IntGauge,
    /// `rampart_process_resident_memory_bytes` (from /proc/self/status).
    pub process_resident_memory_bytes: IntGauge,
    /// `rampart_process_open_fds` (entries of /proc/self/fd).
    pub process_open_fds: IntGauge,
    /// `rampart_process_cpu_seconds_total` (user + system, from /proc/self/stat).
    pub process_cpu_seconds_total: Counter,
    /// `rampart_uptime_seconds`: seconds since the process started.
    pub uptime_seconds: Gauge,
    /// `rampart_queue_depth{queue}`: sampled from the daemon's queue probes.
    pub queue_depth: IntGaugeVec,
    /// `rampart_actors_running`: actors the tree status reports as up.
    pub actors_running: IntGauge,
}

// === impl ControlMetrics ===

impl ControlMetrics {
    /// Creates every metric and registers it in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let m = Self::unregistered()?;
        registry.register(Box::new(m.actor_restarts.clone()))?;
        registry.register(Box::new(m.config_reloads.clone()))?;
        registry.register(Box::new(m.config_generation.clone()))?;
        registry.register(Box::new(m.process_resident_memory_bytes.clone()))?;
        registry.register(Box::new(m.process_open_fds.clone()))?;
        registry.register(Box::new(m.process_cpu_seconds_total.clone()))?;
        registry.register(Box::new(m.uptime_seconds.clone()))?;
        registry.register(Box::new(m.queue_depth.clone()))?;
        registry.register(Box::new(m.actors_running.clone()))?;
        Ok(m)
    }

    /// Creates every metric without registering it (tests, or a daemon without /metrics).
    pub fn unregistered() -> Result<Self, prometheus::Error> {
        let m = Self {
            actor_restarts: IntCounterVec::new(
                Opts::new(
                    "rampart_actor_restarts_total",
                    "Restart attempts of a control-plane actor by its supervisor",
                ),
                &["actor"],
            )?,
            config_reloads: IntCounterVec::new(
                Opts::new(
                    "rampart_config_reloads_total",
                    "Configuration reload transactions by result",
                ),
                &["result"],
            )?,
            config_generation: IntGauge::new(
                "rampart_config_generation",
                "Generation of the configuration snapshot in service",
            )?,
            process_resident_memory_bytes: IntGauge::new(
                "rampart_process_resident_memory_bytes",
                "Resident set size of the process",
            )?,
            process_open_fds: IntGauge::new(
                "rampart_process_open_fds",
                "Open file descriptors of the process",
            )?,
            process_cpu_seconds_total: Counter::new(
                "rampart_process_cpu_seconds_total",
                "User and system CPU time consumed by the process",
            )?,
            uptime_seconds: Gauge::new(
                "rampart_uptime_seconds",
                "Seconds since the process started",
            )?,
            queue_depth: IntGaugeVec::new(
                Opts::new(
                    "rampart_queue_depth",
                    "Items waiting in a bounded control-plane queue",
                ),
                &["queue"],
            )?,
            actors_running: IntGauge::new(
                "rampart_actors_running",
                "Control-plane actors currently running",
            )?,
        };
        // Both results exist from the start so dashboards see 0, not absence.
        m.config_reloads.with_label_values(&["applied"]);
        m.config_reloads.with_label_values(&["rejected"]);
        Ok(m)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn control_metrics_register_exposes_names() {
        let registry = Registry::new();
        let m = ControlMetrics::register(&registry).expect("register");
        m.actor_restarts
            .with_label_values(&["config_watcher"])
            .inc();
        m.queue_depth.with_label_values(&["audit"]).set(3);
        let names: Vec<String> = registry
            .gather()
            .iter()
            .map(|f| f.name().to_string())
            .collect();
        for want in [
            "rampart_actor_restarts_total",
            "rampart_config_reloads_total",
            "rampart_config_generation",
            "rampart_process_resident_memory_bytes",
            "rampart_process_open_fds",
            "rampart_process_cpu_seconds_total",
            "rampart_uptime_seconds",
            "rampart_queue_depth",
            "rampart_actors_running",
        ] {
            assert!(
                names.iter().any(|n| n == want),
                "{want} missing from {names:?}"
            );
        }
        // A second registration in the same registry is refused, not silently doubled.
        assert!(ControlMetrics::register(&registry).is_err());
    }
}
