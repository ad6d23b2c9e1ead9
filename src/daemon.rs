//! Starting, running and stopping one gateway instance: the initial load (the same
//! transaction a reload runs), the control plane, signals, and the orderly shutdown
//! (stop accepting, drain in-flight requests up to `drain_timeout`, flush audit, exit).
//!
//! `Gateway` is what `rampart run`, `rampart demo` and the end-to-end tests all start,
//! so tests exercise the real daemon.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use rampart_actors::{
    ControlMetrics, ControlPlane, ControlPlaneOptions, Escalation, Instance, ListenerHandle,
    SocketTable, TreeStatus,
};
use tokio_util::sync::CancellationToken;

use crate::conn_limit::ConnLimiter;
use crate::metrics::DataMetrics;
use crate::rate_limit::RateLimiter;
use crate::reload::{self, ReloadCtx, ReloadError, WatcherReloader};
use crate::server::DataPlane;
use crate::state::{AuditSink, Shared};

/// Exit code on supervision escalation (EX_SOFTWARE): the init system restarts us.
pub const EXIT_ESCALATION: i32 = 70;

/// How to start a gateway.
#[derive(Debug, Clone)]
pub struct GatewayOptions {
    pub config_path: PathBuf,
    /// With a key, every load and reload requires a valid `FILE.sig`.
    pub config_pubkey: Option<ed25519_dalek::VerifyingKey>,
    /// Unique per process (tests run several gateways in one process).
    pub instance: Option<String>,
    /// Debounce of config file changes.
    pub debounce: Duration,
}

impl GatewayOptions {
    pub fn new(config_path: impl Into<PathBuf>) -> Self {
        Self {
            config_path: config_path.into(),
            config_pubkey: None,
            instance: None,
            debounce: Duration::from_millis(200),
        }
    }
}

/// Why a gateway did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] ReloadError),
    #[error("metrics registry: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("{0}")]
    Control(#[from] rampart_actors::StartError),
    #[error("audit: {0}")]
    Audit(String),
}

/// A running gateway.
pub struct Gateway {
    pub shared: Arc<Shared>,
    pub reload: Arc<ReloadCtx>,
    control: Option<ControlPlane>,
    audit: Option<crate::audit::AuditRuntime>,
}

/// How the gateway ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Signal,
    Escalation,
}

impl Exit {
    pub fn code(self) -> i32 {
        match self {
            Exit::Signal => 0,
            Exit::Escalation => EXIT_ESCALATION,
        }
    }
}

fn next_instance() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("gw{}", N.fetch_add(1, Ordering::Relaxed))
}

impl Gateway {
    /// Loads the configuration, starts the control plane and binds every listener.
    pub async fn start(opts: GatewayOptions) -> Result<Gateway, StartError> {
        let registry = prometheus::Registry::new();
        let metrics = DataMetrics::register(&registry)?;
        let control_metrics = ControlMetrics::register(&registry)?;
        let instance = Instance::new(opts.instance.clone().unwrap_or_else(next_instance));

        // Initial compile: the same code path as a reload.
        let path = opts.config_path.clone();
        let pubkey = opts.config_pubkey;
        let m = metrics.clone();
        let mut snap = tokio::task::spawn_blocking(move || {
            let (src, bytes) = reload::read_verified(&path, pubkey.as_ref())?;
            reload::compile_source(&src, &bytes, None, &m).map_err(ReloadError::Invalid)
        })
        .await
        .map_err(|e| StartError::Config(ReloadError::Control(e.to_string())))??;
        snap.generation = 1;
        crate::panic_hook::set_last_gasp_file(snap.config.server.last_gasp_file.clone());

        let tree = TreeStatus::new();
        let audit = match &snap.config.audit {
            Some(cfg) if cfg.enabled => Some(
                crate::audit::AuditRuntime::open(cfg, &snap.config.redact, &instance, &metrics)
                    .map_err(StartError::Audit)?,
            ),
            _ => None,
        };
        let sink = match &audit {
            Some(a) => a.sink.clone(),
            None => AuditSink::new(None, metrics.audit_dropped.clone()),
        };
        let max_clients = snap
            .config
            .rate_limit
            .as_ref()
            .map(|r| r.max_clients)
            .unwrap_or_else(crate::config::default_max_clients);
        let watch_paths = snap.watch_paths.clone();
        let first_sha = snap.sha256.clone();
        let shared = Arc::new(Shared {
            instance: instance.clone(),
            rate: RateLimiter::new(max_clients),
            snapshot: ArcSwap::from_pointee(snap),
            metrics,
            registry,
            conns: Arc::new(ConnLimiter::default()),
            tree: tree.clone(),
            bound: ArcSwap::from_pointee(Vec::new()),
            ready: AtomicBool::new(false),
            started: Instant::now(),
            audit: sink.clone(),
            audit_failing: audit
                .as_ref()
                .map(|a| a.failing.clone())
                .unwrap_or_default(),
            shutdown: CancellationToken::new(),
        });

        let listeners = ListenerHandle::new(&instance);
        let reload = Arc::new(ReloadCtx::new(
            shared.clone(),
            opts.config_path.clone(),
            opts.config_pubkey,
            listeners.clone(),
            control_metrics.clone(),
        ));
        let mut co = ControlPlaneOptions::new(
            instance.clone(),
            SocketTable::default(),
            Arc::new(DataPlane {
                shared: shared.clone(),
            }),
            Arc::new(WatcherReloader(reload.clone())),
            control_metrics.clone(),
        );
        co.status = tree;
        let sv = &shared.snapshot.load().config.supervision;
        co.intensity = rampart_actors::Intensity {
            max_restarts: sv.max_restarts,
            within: sv.within,
        };
        co.backoff = rampart_actors::Backoff {
            min: sv.backoff_min,
            max: sv.backoff_max,
            ..Default::default()
        };
        co.debounce = opts.debounce;
        co.watch_paths = std::iter::once(opts.config_path.clone())
            .chain(std::iter::once(reload::sig_path(&opts.config_path)))
            .chain(watch_paths)
            .collect();
        let audit_sink = sink.clone();
        co.on_restart = Some(Arc::new(move |actor: &str, reason: &str| {
            audit_sink.send(rampart_audit::AuditEvent::ActorRestarted {
                actor: actor.to_string(),
                reason: reason.to_string(),
            });
        }));
        let probe_sink = sink.clone();
        co.queue_probes = vec![(
            "audit".to_string(),
            Arc::new(move || probe_sink.queued() as i64),
        )];
        if let Some(a) = &audit {
            // The writer restarts under the same [supervision] rules as every other actor.
            let mut spec = a.child_spec();
            spec.intensity = co.intensity;
            spec.backoff = co.backoff;
            co.extra_children = vec![spec];
        }
        let control = ControlPlane::start(co).await?;

        // Bind the initial listeners; a failure here is a start-up failure.
        let specs = reload::listener_specs(&shared.snapshot.load());
        let token = listeners
            .prepare(specs)
            .await
            .map_err(|e| StartError::Config(ReloadError::Bind(e.to_string())))?;
        let infos = listeners
            .commit(token)
            .await
            .map_err(|e| StartError::Config(ReloadError::Control(e.to_string())))?;
        shared.bound.store(Arc::new(infos));
        control_metrics.config_generation.set(1);
        control_metrics
            .config_reloads
            .with_label_values(&["applied"])
            .inc();
        shared.ready.store(true, Ordering::Release);
        sink.send(rampart_audit::AuditEvent::ConfigApplied {
            generation: 1,
            sha256: first_sha,
        });
        tracing::info!(instance = instance.as_str(), "gateway started");
        Ok(Gateway {
            shared,
            reload,
            control: Some(control),
            audit,
        })
    }

    /// Bound addresses by listener name (port 0 resolved).
    pub fn local_addrs(&self) -> Vec<(String, SocketAddr)> {
        self.shared
            .bound
            .load()
            .iter()
            .map(|l| (l.name.clone(), l.local))
            .collect()
    }

    /// The bound address of a listener.
    pub fn addr(&self, name: &str) -> Option<SocketAddr> {
        self.local_addrs()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a)
    }

    pub fn generation(&self) -> u64 {
        self.shared.snapshot.load().generation
    }

    /// Runs a reload transaction now (what SIGHUP does).
    pub async fn reload(&self) -> Result<u64, ReloadError> {
        self.reload.reload("api").await
    }

    /// Waits for SIGTERM / SIGINT (drain, exit 0), SIGHUP (reload) or an escalation
    /// (drain, exit 70), then shuts down in order.
    pub async fn run_until_signal(mut self) -> Exit {
        let exit = self.wait().await;
        self.shutdown(exit).await;
        exit
    }

    async fn wait(&mut self) -> Exit {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) else {
            tracing::error!("cannot install signal handlers");
            return Exit::Signal;
        };
        let Some(control) = self.control.as_mut() else {
            return Exit::Signal;
        };
        loop {
            tokio::select! {
                _ = term.recv() => return Exit::Signal,
                _ = int.recv() => return Exit::Signal,
                _ = hup.recv() => {
                    let _ = control.config.reload(rampart_actors::ReloadCause::Signal).await;
                }
                esc = control.escalations.recv() => {
                    match esc {
                        Some(Escalation::IntensityExceeded { actor, reason }) => {
                            tracing::error!(actor, reason, "supervision intensity exceeded: shutting down");
                        }
                        Some(Escalation::RootExited { reason }) => {
                            tracing::error!(reason, "control plane root exited: shutting down");
                        }
                        None => tracing::error!("control plane root ended: shutting down"),
                    }
                    return Exit::Escalation;
                }
            }
        }
    }

    /// Orderly shutdown: not ready, stop accepting, drain up to `drain_timeout`, stop the
    /// actor tree (the audit writer last, after flushing).
    pub async fn shutdown(&mut self, exit: Exit) {
        self.shared.ready.store(false, Ordering::Release);
        let drain = self.shared.snapshot.load().config.server.drain_timeout;
        if let Some(control) = &self.control {
            let _ = control.listeners.drain().await;
        }
        self.shared.shutdown.cancel();
        let deadline = Instant::now() + drain;
        while self.shared.conns.active() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let reason = match exit {
            Exit::Signal => "signal",
            Exit::Escalation => "escalation",
        };
        self.shared.audit.send(rampart_audit::AuditEvent::Shutdown {
            reason: reason.to_string(),
        });
        if let Some(control) = self.control.take() {
            control.stop().await;
        }
        // The AuditWriter stopped last with the tree and drained its queue on the way out;
        // if it was down at that moment, whatever it left is written here.
        if let Some(audit) = self.audit.take() {
            audit.finish();
        }
        tracing::info!(
            remaining_connections = self.shared.conns.active(),
            "gateway stopped"
        );
    }
}
