//! Typed audit events: what the data plane and the actors send, and the records only the
//! writer itself produces.
//!
//! Each variant serialises (serde, internally tagged) to `"kind":"<snake_case>"` followed
//! by its fields in declaration order; the writer splices that between the record
//! header and the chain fields (see [`crate::record`]). Adding a field is a compatible
//! change; renaming or removing one needs a new record version.
//!
//! Must not: carry secrets. `RequestBlocked::path` is redacted by the writer (with the
//! `[redact]` table) before the MAC is computed, so callers may pass the raw target;
//! `detail` is written as given and must never hold header or body values.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// An event for the audit log (record format version 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditEvent {
    /// A request was refused by a gate.
    RequestBlocked {
        /// Resolved client address (after trusted proxies).
        client_ip: IpAddr,
        /// HTTP method.
        method: String,
        /// Path and query; the writer redacts `[redact] query_params` values.
        path: String,
        /// The `X-Request-ID` the gateway assigned or accepted.
        request_id: String,
        /// W3C trace id, when the request carried one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trace_id: Option<String>,
        /// Stable reason id: `waf:sqli`, `rate_limit`, `client_cert`, `internal_endpoint`...
        reason: String,
        /// Extra detail for investigators (rule id, limit); never header or body values.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// Route name, when routing happened before the refusal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        route: Option<String>,
        /// Status code sent to the client.
        status: u16,
    },
    /// A new config generation is live.
    ConfigApplied {
        /// The new generation.
        generation: u64,
        /// SHA-256 (hex) of the exact config file bytes.
        sha256: String,
    },
    /// A reload was refused; the running generation is unchanged.
    ConfigRejected {
        /// The current (unchanged) generation.
        generation: u64,
        /// SHA-256 (hex) of the rejected file, when it could be read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
        /// Why it was refused.
        reason: String,
    },
    /// Binding a new listener failed; the old one keeps serving.
    ListenerRebindFailed {
        /// The address that could not be bound.
        address: String,
        /// The bind error.
        reason: String,
    },
    /// A supervised actor was restarted.
    ActorRestarted {
        /// Actor name.
        actor: String,
        /// Panic message or error.
        reason: String,
    },
    /// Orderly shutdown began.
    Shutdown {
        /// Why (signal, escalation).
        reason: String,
    },
}

/// Records only the writer produces; their kinds never collide with [`AuditEvent`]'s.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum WriterRecord<'a> {
    /// First record of every segment: names the log and the segment number; its `prev`
    /// is the genesis value (segment 0) or the last MAC of segment n-1.
    SegmentStart {
        log: &'a str,
        segment: u64,
        /// Set when this log was started because the previous one could not be continued
        /// (its tail did not verify with the current key).
        #[serde(skip_serializing_if = "Option::is_none")]
        prev_log: Option<&'a str>,
    },
    /// Bytes were cut from a torn tail when the writer opened the log.
    AuditRecovered {
        segment: &'a str,
        bytes_dropped: u64,
    },
    /// Signed statement that record `head_seq` of log `log` has MAC `head`.
    Checkpoint {
        log: &'a str,
        head_seq: u64,
        head: &'a str,
        pubkey: &'a str,
        sig: &'a str,
    },
}

impl AuditEvent {
    /// The record kind (`request_blocked`, ...), e.g. for metric labels.
    pub fn kind(&self) -> &'static str {
        match self {
            AuditEvent::RequestBlocked { .. } => "request_blocked",
            AuditEvent::ConfigApplied { .. } => "config_applied",
            AuditEvent::ConfigRejected { .. } => "config_rejected",
            AuditEvent::ListenerRebindFailed { .. } => "listener_rebind_failed",
            AuditEvent::ActorRestarted { .. } => "actor_restarted",
            AuditEvent::Shutdown { .. } => "shutdown",
        }
    }
}
