//! `[audit]` and `[redact]` config tables as the operator writes them.
//!
//! Owns: serde structs with defaults, human units (`"64MiB"`, `"60s"`), and
//! [`AuditConfig::validate`], which reports every problem at once with a dotted key and
//! a hint. Must not: read keys or touch the file system (that is [`crate::key`] and the
//! writer); validation is pure so `rampart check` can run it anywhere.

use std::path::PathBuf;
use std::time::Duration;

use bytesize::ByteSize;
use serde::{Deserialize, Serialize};

/// When the writer calls `fdatasync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fsync {
    /// After every record: no acknowledged record is ever lost; slowest.
    Always,
    /// Group commit: after at most `batch_max` records or when the writer's queue is
    /// momentarily empty (the actor calls `commit`).
    Batch,
    /// Never; the kernel writes back when it likes. A crash may lose recent records
    /// (the chain still verifies: the torn tail is cut on open).
    Never,
}

/// The `[audit]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// A present `[audit]` table means auditing is on unless it says `enabled = false`.
    pub enabled: bool,
    /// Directory of the segments (`audit-<log_id>-<n>.ndjson`).
    pub dir: PathBuf,
    /// Environment variable holding the HMAC key (hex, or raw bytes; see docs/audit.md).
    pub key_env: Option<String>,
    /// File holding the HMAC key (raw bytes, e.g. a systemd credential).
    pub key_file: Option<PathBuf>,
    /// Ed25519 node key that signs checkpoints. Without it there are no checkpoints and a
    /// truncated tail cannot be detected.
    pub node_key: Option<PathBuf>,
    /// Capacity of the bounded queue between the data plane and the writer.
    pub queue_depth: usize,
    /// Durability policy.
    pub fsync: Fsync,
    /// Group commit size (records per `fdatasync`) with `fsync = "batch"`.
    pub batch_max: usize,
    /// Rotate to a new segment once the current one reaches this size.
    pub rotate_bytes: ByteSize,
    /// Keep at most this many segments of the current log (0 = keep all). Only files the
    /// writer created (its own naming, its own log id) are ever deleted.
    pub retain: usize,
    /// Write a signed checkpoint after this many records...
    pub checkpoint_every: u64,
    /// ...or after this long with unanchored records, whichever comes first.
    #[serde(with = "duration_text")]
    pub checkpoint_interval: Duration,
}

/// The `[redact]` table: names whose values never reach the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedactConfig {
    /// Query parameter names (case-insensitive) whose values are replaced.
    pub query_params: Vec<String>,
    /// Header names (case-insensitive) whose values are replaced.
    pub headers: Vec<String>,
}

/// One problem found by [`AuditConfig::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// Dotted key inside `[audit]`, e.g. `key_env`.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

// === impl AuditConfig ===

impl Default for AuditConfig {
    fn default() -> AuditConfig {
        AuditConfig {
            enabled: true,
            dir: PathBuf::from("/var/lib/rampart/audit"),
            key_env: None,
            key_file: None,
            node_key: None,
            queue_depth: 4096,
            fsync: Fsync::Batch,
            batch_max: 256,
            rotate_bytes: ByteSize::mib(64),
            retain: 16,
            checkpoint_every: 1000,
            checkpoint_interval: Duration::from_secs(60),
        }
    }
}

impl AuditConfig {
    /// Checks everything that can be checked without I/O; returns all issues at once.
    /// A disabled config is always valid.
    pub fn validate(&self) -> Result<(), Vec<ConfigIssue>> {
        let mut issues = Vec::new();
        if !self.enabled {
            return Ok(());
        }
        let mut issue = |key: &str, message: String, hint: &str| {
            issues.push(ConfigIssue {
                key: key.to_string(),
                message,
                hint: hint.to_string(),
            });
        };
        match (&self.key_env, &self.key_file) {
            (None, None) => issue(
                "key_env",
                "audit is enabled but no HMAC key is configured".into(),
                "set key_env = \"RAMPART_AUDIT_KEY\" or key_file = \"/run/credentials/rampart.service/audit-key\" (>= 32 bytes), or enabled = false",
            ),
            (Some(_), Some(_)) => issue(
                "key_file",
                "both key_env and key_file are set".into(),
                "keep exactly one of key_env / key_file",
            ),
            (Some(name), None) if name.is_empty() || name.contains('=') || name.contains('\0') => {
                issue(
                    "key_env",
                    format!("{name:?} is not a valid environment variable name"),
                    "use a name like RAMPART_AUDIT_KEY",
                )
            }
            _ => {}
        }
        if self.dir.as_os_str().is_empty() {
            issue(
                "dir",
                "dir is empty".into(),
                "dir = \"/var/lib/rampart/audit\"",
            );
        }
        if !(1..=1 << 20).contains(&self.queue_depth) {
            issue(
                "queue_depth",
                format!("queue_depth = {} is out of range", self.queue_depth),
                "use 1..=1048576 (default 4096)",
            );
        }
        if !(1..=65536).contains(&self.batch_max) {
            issue(
                "batch_max",
                format!("batch_max = {} is out of range", self.batch_max),
                "use 1..=65536 (default 256)",
            );
        }
        if self.rotate_bytes.as_u64() < 64 * 1024 {
            issue(
                "rotate_bytes",
                format!("rotate_bytes = {} is below 64 KiB", self.rotate_bytes),
                "use e.g. \"64MiB\"",
            );
        }
        if self.checkpoint_every == 0 {
            issue(
                "checkpoint_every",
                "checkpoint_every must be at least 1".into(),
                "default 1000",
            );
        }
        if self.checkpoint_interval < Duration::from_secs(1) {
            issue(
                "checkpoint_interval",
                format!(
                    "checkpoint_interval = {} is below 1s",
                    humantime::format_duration(self.checkpoint_interval)
                ),
                "use e.g. \"60s\"",
            );
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(issues)
        }
    }
}

impl Default for RedactConfig {
    fn default() -> RedactConfig {
        let strings = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
        RedactConfig {
            query_params: strings(&["token", "access_token", "password", "api_key", "secret"]),
            headers: strings(&[
                "authorization",
                "proxy-authorization",
                "cookie",
                "set-cookie",
                "x-api-key",
            ]),
        }
    }
}

/// `"60s"`-style durations through `humantime`.
mod duration_text {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(|e| {
            serde::de::Error::custom(format!("{text:?} is not a duration like \"60s\": {e}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        audit: AuditConfig,
        redact: RedactConfig,
    }

    fn parse(text: &str) -> Result<Doc, serde_json::Error> {
        // The lead parses TOML; JSON exercises the same serde impls without a toml dep.
        serde_json::from_str(text)
    }

    #[test]
    fn audit_config_parses_human_units() {
        let doc = parse(
            r#"{"audit":{"dir":"/tmp/a","key_env":"K","rotate_bytes":"1MiB","checkpoint_interval":"90s","fsync":"always"},
               "redact":{"query_params":["token"],"headers":["cookie"]}}"#,
        )
        .unwrap();
        assert_eq!(doc.audit.rotate_bytes.as_u64(), 1024 * 1024);
        assert_eq!(doc.audit.checkpoint_interval, Duration::from_secs(90));
        assert_eq!(doc.audit.fsync, Fsync::Always);
        assert!(doc.audit.enabled);
        assert_eq!(doc.redact.headers, vec!["cookie".to_string()]);
        assert_eq!(doc.audit.validate(), Ok(()));
    }

    #[test]
    fn audit_config_rejects_unknown_field_and_bad_duration() {
        assert!(parse(r#"{"audit":{"dri":"/x"},"redact":{}}"#).is_err());
        let err = parse(r#"{"audit":{"checkpoint_interval":"soon"},"redact":{}}"#)
            .err()
            .unwrap();
        assert!(err.to_string().contains("duration"), "{err}");
    }

    #[test]
    fn validate_reports_missing_key_and_all_ranges_at_once() {
        let cfg = AuditConfig {
            batch_max: 0,
            checkpoint_every: 0,
            rotate_bytes: ByteSize::kib(1),
            ..AuditConfig::default()
        };
        let issues = cfg.validate().unwrap_err();
        let keys: Vec<&str> = issues.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["key_env", "batch_max", "rotate_bytes", "checkpoint_every"]
        );
        assert!(issues.iter().all(|i| !i.hint.is_empty()));
    }

    #[test]
    fn validate_rejects_both_key_sources_but_accepts_disabled() {
        let cfg = AuditConfig {
            key_env: Some("K".into()),
            key_file: Some("/k".into()),
            ..AuditConfig::default()
        };
        assert_eq!(cfg.validate().unwrap_err()[0].key, "key_file");
        let off = AuditConfig {
            enabled: false,
            ..AuditConfig::default()
        };
        assert_eq!(off.validate(), Ok(()));
    }
}
