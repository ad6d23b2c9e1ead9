//! Rampart's tamper-evident audit log (DESIGN §6).
//!
//! Owns: the record format and HMAC chain ([`record`]), the audit key ([`key`]),
//! redaction ([`redact`]), typed events ([`event`]), segment files and the
//! [`SegmentWriter`], signed checkpoints, the verifier ([`verify`]) and the
//! `rampart audit verify` command ([`cli`]); plus the `[audit]` / `[redact]` config
//! tables ([`config`]).
//!
//! Must not: use tokio or any async runtime (the AuditWriter actor in `actors/` owns a
//! [`SegmentWriter`] and does the scheduling), log secrets, or panic on any bytes read
//! from a file. Specification for third parties: docs/audit.md.

// Tests may unwrap: a panic there is a failed assertion, not a daemon crash.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod config;
pub mod event;
pub mod key;
pub mod record;
pub mod redact;
mod segment;
mod sync;
pub mod verify;
mod writer;

pub use config::{AuditConfig, ConfigIssue, Fsync, RedactConfig};
pub use event::AuditEvent;
pub use key::{AuditKey, KeyError};
pub use redact::Redactor;
pub use writer::{AuditError, SegmentWriter, WriterOptions, WriterStats};
