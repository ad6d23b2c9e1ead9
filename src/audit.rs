//! Wiring of the audit log into the daemon: loads the HMAC key and node key (refusing to
//! start without a usable key), proves the log directory is writable before anything
//! listens, builds the bounded queue whose sender the data plane holds, and the
//! supervised AuditWriter child (first to start, last to stop).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use rampart_actors::{
    AuditQueue, AuditWriterArgs, AuditWriterReport, ChildSpec, Instance, audit_writer_child,
};
use rampart_audit::{AuditConfig, AuditKey, RedactConfig, SegmentWriter, WriterOptions};
use rampart_protocol::NodeKey;

use crate::metrics::DataMetrics;
use crate::state::AuditSink;

/// The audit pieces of one running gateway.
pub struct AuditRuntime {
    pub sink: AuditSink,
    pub failing: Arc<AtomicBool>,
    args: AuditWriterArgs,
    instance: Instance,
}

/// The `node` field of records: the node id when a node key is configured, else the host
/// name reduced to the characters records allow.
fn node_name(node_key: Option<&NodeKey>) -> String {
    if let Some(k) = node_key {
        return k.id().to_string();
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let clean: String = host
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._:-".contains(*c))
        .take(128)
        .collect();
    if clean.is_empty() {
        "rampart".into()
    } else {
        clean
    }
}

impl AuditRuntime {
    /// Loads keys and opens the log once (then closes it) so every start-up problem is a
    /// clear error before any listener is bound.
    pub fn open(
        cfg: &AuditConfig,
        redact: &RedactConfig,
        instance: &Instance,
        metrics: &DataMetrics,
    ) -> Result<Self, String> {
        let key = AuditKey::load(cfg)
            .map_err(|e| format!("audit is enabled but has no usable key: {e}"))?;
        let node_key = match &cfg.node_key {
            Some(p) => Some(NodeKey::load(p).map_err(|e| format!("audit node key: {e}"))?),
            None => None,
        };
        let options = WriterOptions::from_config(cfg, redact, node_name(node_key.as_ref()));
        let mut probe = SegmentWriter::open(options.clone(), key.clone(), node_key.clone())
            .map_err(|e| format!("cannot open the audit log in {}: {e}", cfg.dir.display()))?;
        probe
            .sync()
            .map_err(|e| format!("cannot write the audit log in {}: {e}", cfg.dir.display()))?;
        drop(probe);
        let queue = AuditQueue::new(cfg.queue_depth);
        let failing = Arc::new(AtomicBool::new(false));
        let report = AuditWriterReport {
            written: metrics.audit_records.clone(),
            write_errors: metrics.audit_write_errors.clone(),
            dropped: metrics.audit_dropped.clone(),
            failing: failing.clone(),
        };
        let sink = AuditSink::new(Some(queue.sender()), metrics.audit_dropped.clone());
        let args = AuditWriterArgs {
            options,
            key,
            node_key,
            queue,
            report,
            tick: Duration::from_millis(500),
        };
        Ok(Self {
            sink,
            failing,
            args,
            instance: instance.clone(),
        })
    }

    pub fn child_spec(&self) -> ChildSpec {
        audit_writer_child(&self.instance, self.args.clone())
    }

    /// After the actor tree stopped: writes any event the (possibly crashed) writer left
    /// in the queue.
    pub fn finish(&self) {
        match self.args.drain_remaining() {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                events = n,
                "audit writer was down at shutdown; wrote its queued events"
            ),
            Err(e) => {
                tracing::error!(error = %e, "queued audit events could not be written at shutdown")
            }
        }
    }
}

/// The `[audit]` section the demo writes (keys made by [`demo_keys`]).
pub fn demo_section(dir: &Path) -> String {
    format!(
        r#"
# Tamper-evident audit log: verify it with
#   rampart audit verify --key-file {d}/audit.key --pubkey {d}/node.pub {d}/audit/*
[audit]
dir = "{d}/audit"
key_file = "{d}/audit.key"
node_key = "{d}/node.key"
checkpoint_every = 100
checkpoint_interval = "10s"

[redact]
query_params = ["token", "password"]
headers = ["authorization", "cookie"]
"#,
        d = dir.display()
    )
}

/// Makes the demo's audit key, node key and `node.pub` (never overwriting existing ones).
pub fn demo_keys(dir: &Path) -> Result<(), String> {
    let audit_key = dir.join("audit.key");
    if !audit_key.exists() {
        AuditKey::generate()
            .write_new(&audit_key)
            .map_err(|e| e.to_string())?;
    }
    let node_key = dir.join("node.key");
    if !node_key.exists() {
        let k = NodeKey::generate();
        k.write_new(&node_key).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("node.pub"), format!("{}\n", k.id())).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// What the demo banner says about the audit log.
pub fn demo_hint(dir: &Path) -> String {
    format!(
        "  # after a refused request, verify the audit log:\n  rampart audit verify --key-file {d}/audit.key --pubkey {d}/node.pub {d}/audit/*\n",
        d = dir.display()
    )
}
