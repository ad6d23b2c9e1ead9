//! [`SegmentWriter`]: appends records to the current segment, keeps the chain head,
//! commits per the fsync policy, rotates, prunes and writes signed checkpoints.
//!
//! A plain struct with synchronous `std::fs` I/O, owned by the AuditWriter actor. The
//! chain head lives in the files, not in this struct: after a panic the actor drops
//! it and calls [`SegmentWriter::open`] again, which re-reads the tail and continues
//! the chain. Dropping a writer commits what it buffered (best effort).
//!
//! Must not: share a directory with another writer (one AuditWriter per daemon), delete
//! files it did not create, or rewrite a byte before the last newline of a segment.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rampart_protocol::NodeKey;

use crate::config::{AuditConfig, Fsync, RedactConfig};
use crate::event::{AuditEvent, WriterRecord};
use crate::key::HmacSha256;
use crate::record::{self, CHECKPOINT_DOMAIN, MAX_RECORD};
use crate::redact::Redactor;
use crate::segment;
use crate::sync::Syncer;

mod open;

use open::create_segment;

/// With `fsync = "never"`, write to the file once this much is buffered.
const NEVER_FLUSH_BYTES: usize = 64 * 1024;
/// Refuse new events once this much is buffered and unwritable (disk full, EIO).
const MAX_BACKLOG_BYTES: usize = 64 * 1024 * 1024;

/// Why the writer could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A file system operation failed.
    #[error("audit {op} {path}: {source}")]
    Io {
        /// What was being done (`write`, `fsync`, `open`...).
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The node name cannot be written into records unescaped.
    #[error("audit node name {0:?} must be 1..=128 characters of [A-Za-z0-9._:-]")]
    InvalidNode(String),
    /// The encoded record would exceed the 1 MiB record limit; the event was not written.
    #[error("audit record of {len} bytes exceeds the 1 MiB limit")]
    RecordTooLarge {
        /// Encoded length.
        len: usize,
    },
    /// Commits keep failing and the in-memory backlog is full; the event was not written.
    #[error("audit backlog of {bytes} bytes is full: writes are failing")]
    Backlogged {
        /// Bytes waiting.
        bytes: usize,
    },
    /// The record `seq` is in the chain (buffered) but the commit, checkpoint or
    /// rotation after it failed: it is NOT on disk yet. Do not append the event again;
    /// call [`SegmentWriter::commit`] later to retry.
    #[error("audit record {seq} is buffered but not yet written: {source}")]
    Pending {
        /// The appended record.
        seq: u64,
        /// What failed after appending it.
        source: Box<AuditError>,
    },
    /// An event could not be serialised (should not happen with [`AuditEvent`]).
    #[error("audit event serialisation: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// Runtime settings of a [`SegmentWriter`] (the compiled form of [`AuditConfig`]).
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Directory of the segments (created if missing).
    pub dir: PathBuf,
    /// The `node` field of every record, e.g. the node id in hex.
    pub node: String,
    /// Durability policy.
    pub fsync: Fsync,
    /// Group commit size with [`Fsync::Batch`].
    pub batch_max: usize,
    /// Rotate once a segment reaches this many bytes.
    pub rotate_bytes: u64,
    /// Keep at most this many segments of the current log (0 = all).
    pub retain: usize,
    /// Checkpoint after this many records...
    pub checkpoint_every: u64,
    /// ...or this long after the last checkpoint, when records are unanchored.
    pub checkpoint_interval: Duration,
    /// Applied to `RequestBlocked::path` before the record (and its MAC) is made.
    pub redactor: Redactor,
}

/// Counters for metrics and `/readyz`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Records appended since open (all kinds).
    pub records: u64,
    /// Successful commits.
    pub commits: u64,
    /// Failed writes or fsyncs.
    pub write_errors: u64,
    /// Checkpoints written.
    pub checkpoints: u64,
    /// Bytes waiting in memory for a commit.
    pub backlog_bytes: usize,
}

/// Appends records to the current segment of one log. See the module docs.
pub struct SegmentWriter {
    opts: WriterOptions,
    hmac: HmacSha256,
    node_key: Option<NodeKey>,
    pubkey_hex: Option<String>,
    log: String,
    segment: u64,
    path: PathBuf,
    file: File,
    /// Bytes of the segment on disk (written, maybe not yet synced).
    file_len: u64,
    buf: Vec<u8>,
    buffered: usize,
    next_seq: u64,
    head: [u8; 64],
    last_ts: SystemTime,
    since_checkpoint: u64,
    last_checkpoint: SystemTime,
    stats: WriterStats,
    /// Background fdatasync (`fsync = "batch"` only).
    syncer: Option<Syncer>,
    /// Commits written so far; the syncer reports how many are durable.
    write_gen: u64,
}

impl WriterOptions {
    /// Compiles the config tables; `node` goes into every record's `node` field.
    pub fn from_config(cfg: &AuditConfig, redact: &RedactConfig, node: impl Into<String>) -> Self {
        WriterOptions {
            dir: cfg.dir.clone(),
            node: node.into(),
            fsync: cfg.fsync,
            batch_max: cfg.batch_max.max(1),
            rotate_bytes: cfg.rotate_bytes.as_u64(),
            retain: cfg.retain,
            checkpoint_every: cfg.checkpoint_every.max(1),
            checkpoint_interval: cfg.checkpoint_interval,
            redactor: Redactor::new(redact),
        }
    }
}

fn io_err<'p>(op: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> AuditError + 'p {
    move |source| AuditError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

// === impl SegmentWriter ===

impl SegmentWriter {
    /// Appends one event; returns its seq. Buffered per the fsync policy: with
    /// [`Fsync::Always`] it is on disk when this returns; with [`Fsync::Batch`] after
    /// the next [`commit`](Self::commit) (automatic every `batch_max` records). May
    /// also write a checkpoint (count or interval reached) and rotate (size reached).
    /// Errors: [`AuditError::Pending`] means the record was appended but not yet
    /// written; any other error means it was not appended at all.
    pub fn append(&mut self, ev: &AuditEvent, now: SystemTime) -> Result<u64, AuditError> {
        if self.buf.len() >= MAX_BACKLOG_BYTES {
            return Err(AuditError::Backlogged {
                bytes: self.buf.len(),
            });
        }
        let body = match ev {
            AuditEvent::RequestBlocked { path, .. } => {
                let redacted = self.opts.redactor.path_and_query(path);
                let mut ev = ev.clone();
                if let AuditEvent::RequestBlocked { path, .. } = &mut ev {
                    *path = redacted;
                }
                serde_json::to_vec(&ev)?
            }
            _ => serde_json::to_vec(ev)?,
        };
        let seq = self.append_body(&body, now)?;
        self.after_append(now)
            .map_err(|source| AuditError::Pending {
                seq,
                source: Box::new(source),
            })?;
        Ok(seq)
    }

    fn after_append(&mut self, now: SystemTime) -> Result<(), AuditError> {
        self.maybe_checkpoint(now)?;
        match self.opts.fsync {
            Fsync::Always => self.commit()?,
            Fsync::Batch if self.buffered >= self.opts.batch_max => self.commit()?,
            Fsync::Never if self.buf.len() >= NEVER_FLUSH_BYTES => self.commit()?,
            _ => {}
        }
        if self.file_len + self.buf.len() as u64 >= self.opts.rotate_bytes {
            self.rotate_at(now)?;
        }
        Ok(())
    }

    fn append_writer_record(
        &mut self,
        rec: &WriterRecord<'_>,
        now: SystemTime,
    ) -> Result<u64, AuditError> {
        let body = serde_json::to_vec(rec)?;
        self.append_body(&body, now)
    }

    /// Encodes `{...}` (a serialised tagged enum) as the next record of the chain.
    fn append_body(&mut self, json: &[u8], now: SystemTime) -> Result<u64, AuditError> {
        // serde_json writes `{"kind":...}`; the record splices the inside.
        let inner = json
            .strip_prefix(b"{")
            .and_then(|j| j.strip_suffix(b"}"))
            .unwrap_or(json);
        let ts_time = record::clamp_time(now).max(self.last_ts);
        let ts = record::format_ts(ts_time);
        let start = self.buf.len();
        let seq = self.next_seq;
        let mac = record::encode_record(
            &mut self.buf,
            &self.hmac,
            seq,
            &ts,
            &self.opts.node,
            inner,
            &self.head,
        );
        let len = self.buf.len() - start;
        if len > MAX_RECORD + 1 {
            self.buf.truncate(start);
            return Err(AuditError::RecordTooLarge { len });
        }
        self.head = mac;
        self.next_seq = seq.wrapping_add(1);
        self.last_ts = ts_time;
        self.since_checkpoint += 1;
        self.buffered += 1;
        self.stats.records += 1;
        Ok(seq)
    }

    /// Group commit: writes what is buffered, then syncs per policy: `always` syncs
    /// before returning; `batch` hands the sync to the background thread (see
    /// [`sync`](Self::sync) to wait for it); `never` does not sync. On a write error the
    /// file is cut back to its last good length and the records stay buffered, so
    /// calling `commit` again retries without duplicating bytes. A failed background
    /// sync is reported by the next `commit`.
    pub fn commit(&mut self) -> Result<(), AuditError> {
        if let Some(source) = self.syncer.as_ref().and_then(Syncer::take_error) {
            self.stats.write_errors += 1;
            return Err(AuditError::Io {
                op: "fsync",
                path: self.path.clone(),
                source,
            });
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        if let Err(source) = self.file.write_all(&self.buf) {
            self.stats.write_errors += 1;
            // A partial write would be a torn record in the middle of the file later.
            let _ = self.file.set_len(self.file_len);
            self.stats.backlog_bytes = self.buf.len();
            return Err(AuditError::Io {
                op: "write",
                path: self.path.clone(),
                source,
            });
        }
        self.file_len += self.buf.len() as u64;
        self.buf.clear();
        self.buffered = 0;
        self.stats.backlog_bytes = 0;
        self.write_gen += 1;
        self.stats.commits += 1;
        match (&self.syncer, self.opts.fsync) {
            (Some(syncer), _) => syncer.request(self.write_gen),
            (None, Fsync::Never) => {}
            (None, _) => self.sync_file()?,
        }
        Ok(())
    }

    /// Commits and waits until everything appended so far is on disk, whatever the
    /// policy: the actor's `Flush` and shutdown.
    pub fn sync(&mut self) -> Result<(), AuditError> {
        self.commit()?;
        let result = match &self.syncer {
            Some(syncer) => syncer.wait(self.write_gen),
            None => return self.sync_file(),
        };
        result.map_err(|source| {
            self.stats.write_errors += 1;
            AuditError::Io {
                op: "fsync",
                path: self.path.clone(),
                source,
            }
        })
    }

    fn sync_file(&mut self) -> Result<(), AuditError> {
        self.file.sync_data().map_err(|source| {
            self.stats.write_errors += 1;
            AuditError::Io {
                op: "fsync",
                path: self.path.clone(),
                source,
            }
        })
    }

    /// The chain head: seq and MAC (hex) of the last appended record (maybe buffered).
    pub fn head(&self) -> (u64, String) {
        (
            self.next_seq.wrapping_sub(1),
            String::from_utf8_lossy(&self.head).into_owned(),
        )
    }

    /// The id of the log being written (16 hex digits).
    pub fn log_id(&self) -> &str {
        &self.log
    }

    /// The segment file being written.
    pub fn current_path(&self) -> &Path {
        &self.path
    }

    /// Counters since open.
    pub fn stats(&self) -> WriterStats {
        self.stats.clone()
    }

    /// Closes the current segment (a checkpoint first, when there is a node key) and
    /// continues the chain in segment n+1, then prunes old segments. Also happens
    /// automatically at `rotate_bytes`.
    pub fn rotate(&mut self) -> Result<(), AuditError> {
        self.rotate_at(SystemTime::now())
    }

    fn rotate_at(&mut self, now: SystemTime) -> Result<(), AuditError> {
        if self.node_key.is_some() && self.since_checkpoint > 0 {
            self.checkpoint(now)?;
        }
        self.commit()?;
        if self.opts.fsync != Fsync::Never {
            // The closed segment is complete and durable before the chain moves on.
            self.sync_file()?;
        }
        let next = self.segment + 1;
        let path = self.opts.dir.join(segment::segment_name(&self.log, next));
        let file = create_segment(&path, &self.opts.dir)?;
        if let Some(syncer) = &self.syncer {
            syncer.set_file(file.try_clone().map_err(io_err("dup", &path))?);
        }
        self.file = file;
        self.path = path;
        self.segment = next;
        self.file_len = 0;
        self.write_segment_start(None, now)?;
        self.prune()
    }

    /// Deletes our oldest segments beyond `retain`: only files named after this log.
    fn prune(&mut self) -> Result<(), AuditError> {
        if self.opts.retain == 0 {
            return Ok(());
        }
        let segments =
            segment::list_segments(&self.opts.dir).map_err(io_err("list", &self.opts.dir))?;
        let keep_from = (self.segment + 1).saturating_sub(self.opts.retain as u64);
        for s in segments
            .iter()
            .filter(|s| s.log == self.log && s.n < keep_from)
        {
            std::fs::remove_file(&s.path).map_err(io_err("remove", &s.path))?;
        }
        Ok(())
    }

    /// Writes a signed checkpoint when there is a node key, records are unanchored, and
    /// `checkpoint_every` records or `checkpoint_interval` have passed. Call it on a
    /// timer tick so an idle log still gets anchored.
    pub fn maybe_checkpoint(&mut self, now: SystemTime) -> Result<(), AuditError> {
        if self.node_key.is_none() || self.since_checkpoint == 0 {
            return Ok(());
        }
        let due_by_count = self.since_checkpoint >= self.opts.checkpoint_every;
        let due_by_time = now
            .duration_since(self.last_checkpoint)
            .is_ok_and(|d| d >= self.opts.checkpoint_interval);
        if due_by_count || due_by_time {
            self.checkpoint(now)?;
            if self.opts.fsync == Fsync::Always {
                self.commit()?;
            }
        }
        Ok(())
    }

    /// Writes a checkpoint now (if there is a node key and anything to anchor) and
    /// syncs: what the actor calls on shutdown, after the `shutdown` event.
    pub fn close(&mut self, now: SystemTime) -> Result<(), AuditError> {
        if self.node_key.is_some() && self.since_checkpoint > 0 {
            self.checkpoint(now)?;
        }
        self.sync()
    }

    fn checkpoint(&mut self, now: SystemTime) -> Result<(), AuditError> {
        let (Some(node_key), Some(pubkey)) = (&self.node_key, &self.pubkey_hex) else {
            return Ok(());
        };
        let (head_seq, head) = self.head();
        let msg = record::checkpoint_message(&self.log, head_seq, &head);
        let sig = hex::encode(node_key.sign(CHECKPOINT_DOMAIN, &msg));
        let pubkey = pubkey.clone();
        let log = self.log.clone();
        self.append_writer_record(
            &WriterRecord::Checkpoint {
                log: &log,
                head_seq,
                head: &head,
                pubkey: &pubkey,
                sig: &sig,
            },
            now,
        )?;
        self.since_checkpoint = 0;
        self.last_checkpoint = now;
        self.stats.checkpoints += 1;
        Ok(())
    }
}

impl Drop for SegmentWriter {
    fn drop(&mut self) {
        // Best effort: a writer dropped by a panicking actor still lands its buffer;
        // the syncer (dropped after this) syncs it before its thread exits.
        let _ = self.commit();
    }
}
