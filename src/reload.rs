//! The reload transaction (DESIGN §4). One at a time; all or nothing:
//! 1. read the bytes; with `--config-pubkey`, verify the detached signature `FILE.sig`
//!    over exactly those bytes;
//! 2. parse, validate and compile off the async threads (`spawn_blocking`);
//! 3. ListenerSupervisor.Prepare binds every new address first (make before break);
//! 4. any failure: Abort, keep the old snapshot and listeners, generation unchanged,
//!    count `rejected`, log, audit `config_rejected` (and `listener_rebind_failed`);
//! 5. success: store the snapshot (generation n+1), Commit (old listeners stop accepting
//!    and drain), count `applied`, audit `config_applied{generation, sha256}`.
//!
//! The same function performs the initial load, so start-up and reload cannot disagree.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_util::future::BoxFuture;
use rampart_actors::{ControlMetrics, ListenerHandle, ListenerSpec, ReloadCause, Reloader};
use sha2::{Digest, Sha256};

use crate::config::{Config, IssueList, Source};
use crate::snapshot::{self, Snapshot};
use crate::state::Shared;

/// Everything a reload needs; shared by the ConfigWatcher and the daemon.
pub struct ReloadCtx {
    pub shared: Arc<Shared>,
    pub path: PathBuf,
    pub pubkey: Option<ed25519_dalek::VerifyingKey>,
    pub listeners: ListenerHandle,
    pub control: ControlMetrics,
    lock: tokio::sync::Mutex<()>,
}

/// Why a reload was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error("{0}")]
    Invalid(IssueList),
    #[error("configuration signature: {0}")]
    Signature(String),
    #[error("{0}")]
    NotReloadable(String),
    #[error("listener bind failed: {0}")]
    Bind(String),
    #[error("control plane: {0}")]
    Control(String),
}

/// Reads the file and, when a public key is configured, checks `FILE.sig`.
pub fn read_verified(
    path: &Path,
    pubkey: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<(Source, Vec<u8>), ReloadError> {
    let (src, bytes) = Source::read(path).map_err(ReloadError::Invalid)?;
    if let Some(pk) = pubkey {
        let sig_path = sig_path(path);
        let sig = std::fs::read_to_string(&sig_path).map_err(|e| {
            ReloadError::Signature(format!("cannot read {}: {e}", sig_path.display()))
        })?;
        rampart_protocol::verify_config(pk, &bytes, &sig).map_err(|e| {
            ReloadError::Signature(format!(
                "{} does not match {}: {e}",
                sig_path.display(),
                path.display()
            ))
        })?;
    }
    Ok((src, bytes))
}

/// `FILE.sig` next to `FILE`.
pub fn sig_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".sig");
    PathBuf::from(s)
}

/// Parses and compiles without binding anything (`rampart check` and every reload).
pub fn compile_source(
    src: &Source,
    bytes: &[u8],
    prev: Option<&Snapshot>,
    metrics: &crate::metrics::DataMetrics,
) -> Result<Snapshot, IssueList> {
    let cfg = Config::parse(src)?;
    let sha = hex::encode(Sha256::digest(bytes));
    snapshot::compile(cfg, sha, prev, metrics).map_err(|p| Config::issues(src, p))
}

impl ReloadCtx {
    pub fn new(
        shared: Arc<Shared>,
        path: PathBuf,
        pubkey: Option<ed25519_dalek::VerifyingKey>,
        listeners: ListenerHandle,
        control: ControlMetrics,
    ) -> Self {
        Self {
            shared,
            path,
            pubkey,
            listeners,
            control,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Runs one reload transaction.
    pub async fn reload(self: &Arc<Self>, cause: &str) -> Result<u64, ReloadError> {
        let _one_at_a_time = self.lock.lock().await;
        let current = self.shared.snapshot.load_full();
        let result = self.attempt(&current).await;
        match &result {
            Ok(generation) => {
                self.control
                    .config_reloads
                    .with_label_values(&["applied"])
                    .inc();
                self.control.config_generation.set(*generation as i64);
                tracing::info!(generation, cause, "configuration applied");
            }
            Err(e) => {
                self.control
                    .config_reloads
                    .with_label_values(&["rejected"])
                    .inc();
                tracing::warn!(generation = current.generation, cause, reason = %e, "configuration rejected");
                self.shared
                    .audit
                    .send(rampart_audit::AuditEvent::ConfigRejected {
                        generation: current.generation,
                        sha256: None,
                        reason: e.to_string(),
                    });
            }
        }
        result
    }

    async fn attempt(self: &Arc<Self>, current: &Arc<Snapshot>) -> Result<u64, ReloadError> {
        let this = self.clone();
        let prev = current.clone();
        let mut snap = tokio::task::spawn_blocking(move || {
            let (src, bytes) = read_verified(&this.path, this.pubkey.as_ref())?;
            compile_source(&src, &bytes, Some(&prev), &this.shared.metrics)
                .map_err(ReloadError::Invalid)
        })
        .await
        .map_err(|e| ReloadError::Control(format!("compile task failed: {e}")))??;
        if let Some(table) = current.config.start_only_change(&snap.config) {
            return Err(ReloadError::NotReloadable(format!(
                "{table} cannot change on reload; restart the daemon to apply it"
            )));
        }
        let specs = listener_specs(&snap);
        let token = match self.listeners.prepare(specs).await {
            Ok(t) => t,
            Err(e) => {
                let msg = e.to_string();
                self.shared
                    .audit
                    .send(rampart_audit::AuditEvent::ListenerRebindFailed {
                        address: match &e {
                            rampart_actors::ListenerCallError::Bind(b) => {
                                b.addr().map(|a| a.to_string()).unwrap_or_default()
                            }
                            _ => String::new(),
                        },
                        reason: msg.clone(),
                    });
                return Err(ReloadError::Bind(msg));
            }
        };
        snap.generation = current.generation + 1;
        let generation = snap.generation;
        let sha = snap.sha256.clone();
        crate::panic_hook::set_last_gasp_file(snap.config.server.last_gasp_file.clone());
        self.shared.snapshot.store(Arc::new(snap));
        match self.listeners.commit(token).await {
            Ok(infos) => self.shared.bound.store(Arc::new(infos)),
            Err(e) => {
                tracing::error!(error = %e, "listener commit failed after the snapshot was stored")
            }
        }
        self.shared.ready.store(true, Ordering::Release);
        self.shared
            .audit
            .send(rampart_audit::AuditEvent::ConfigApplied {
                generation,
                sha256: sha,
            });
        Ok(generation)
    }
}

/// The listener set a snapshot wants bound.
pub fn listener_specs(snap: &Snapshot) -> Vec<ListenerSpec> {
    snap.listeners
        .iter()
        .map(|l| ListenerSpec {
            name: l.name.clone(),
            addr: l.address,
        })
        .collect()
}

/// The ConfigWatcher's view of the transaction.
pub struct WatcherReloader(pub Arc<ReloadCtx>);

impl Reloader for WatcherReloader {
    fn reload(&self, cause: ReloadCause) -> BoxFuture<'static, Result<u64, String>> {
        let ctx = self.0.clone();
        Box::pin(async move {
            let cause = match cause {
                ReloadCause::FileChanged => "file_changed",
                ReloadCause::Signal => "signal",
                ReloadCause::Api => "api",
            };
            ctx.reload(cause).await.map_err(|e| e.to_string())
        })
    }
}
