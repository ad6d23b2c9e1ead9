//! Opening a log: find the newest segment, cut a torn tail, recover the chain head
//! (seq, MAC, time) from the last record, or start a new log.
//!
//! Must not: modify a segment whose last complete record does not verify with the
//! current key (a new log is started instead), or cut anything before the last newline.

use std::fs::{File, OpenOptions};
use std::time::SystemTime;

use rampart_protocol::NodeKey;

use super::{AuditError, SegmentWriter, WriterOptions, WriterStats, io_err};
use crate::config::Fsync;
use crate::event::WriterRecord;
use crate::key::{AuditKey, HmacSha256};
use crate::record;
use crate::segment::{self, LOG_ID_LEN, SegmentFile};
use crate::sync::Syncer;
use std::path::Path;

/// Where an existing log left off.
struct Resume {
    seq: u64,
    mac: [u8; 64],
    ts: SystemTime,
    anchored: bool,
}

// === impl SegmentWriter (open) ===

impl SegmentWriter {
    /// Opens (or creates) the log in `opts.dir` and recovers the chain head from the
    /// newest segment's tail. A torn final record is cut and an `audit_recovered` record
    /// (bytes dropped) appended. If the tail does not verify with `key` (key rotated,
    /// or tampering), that log is left untouched and a new log is started whose first
    /// record names it (`prev_log`).
    pub fn open(
        opts: WriterOptions,
        key: AuditKey,
        node_key: Option<NodeKey>,
    ) -> Result<SegmentWriter, AuditError> {
        if !record::is_valid_node(&opts.node) {
            return Err(AuditError::InvalidNode(opts.node));
        }
        std::fs::create_dir_all(&opts.dir).map_err(io_err("create", &opts.dir))?;
        let hmac = key.hmac();
        let segments = segment::list_segments(&opts.dir).map_err(io_err("list", &opts.dir))?;
        let now = SystemTime::now();
        let Some(current) = segment::newest(&segments).cloned() else {
            return Self::start_log(opts, hmac, node_key, None, now);
        };
        let file = OpenOptions::new()
            .append(true)
            .read(true)
            .open(&current.path)
            .map_err(io_err("open", &current.path))?;
        let len = file
            .metadata()
            .map_err(io_err("stat", &current.path))?
            .len();
        let tail = segment::read_tail(&file, len).map_err(io_err("read", &current.path))?;
        let resume = match &tail.last_line {
            Some(line) => resume_from(&hmac, line),
            None if current.n == 0 => Some(Resume {
                seq: u64::MAX, // nothing yet: the segment start below gets seq 0
                mac: record::genesis(&hmac, &current.log),
                ts: SystemTime::UNIX_EPOCH,
                anchored: true,
            }),
            None => previous_head(&hmac, &segments, &current),
        };
        let Some(resume) = resume else {
            // Not ours to repair: leave every byte of it for the verifier / investigator.
            return Self::start_log(opts, hmac, node_key, Some(&current.log), now);
        };
        if tail.dropped > 0 {
            // Only bytes after the last newline go: a record that was never complete.
            file.set_len(tail.keep_len)
                .map_err(io_err("truncate", &current.path))?;
            file.sync_all().map_err(io_err("fsync", &current.path))?;
        }
        let mut writer =
            Self::assemble(opts, hmac, node_key, &current, file, tail.keep_len, &resume);
        writer.start_syncer()?;
        if tail.last_line.is_none() {
            // An empty segment (crash right after creating it): write its start record.
            writer.write_segment_start(None, now)?;
        }
        if tail.dropped > 0 {
            let name = file_name(&writer.path);
            writer.append_writer_record(
                &WriterRecord::AuditRecovered {
                    segment: &name,
                    bytes_dropped: tail.dropped,
                },
                now,
            )?;
            writer.commit()?;
        }
        Ok(writer)
    }

    fn assemble(
        opts: WriterOptions,
        hmac: HmacSha256,
        node_key: Option<NodeKey>,
        current: &SegmentFile,
        file: File,
        file_len: u64,
        resume: &Resume,
    ) -> SegmentWriter {
        let pubkey_hex = node_key.as_ref().map(|k| k.id().to_string());
        SegmentWriter {
            opts,
            hmac,
            node_key,
            pubkey_hex,
            log: current.log.clone(),
            segment: current.n,
            path: current.path.clone(),
            file,
            file_len,
            buf: Vec::with_capacity(64 * 1024),
            buffered: 0,
            next_seq: resume.seq.wrapping_add(1),
            head: resume.mac,
            last_ts: resume.ts,
            since_checkpoint: u64::from(!resume.anchored),
            last_checkpoint: SystemTime::now(),
            stats: WriterStats::default(),
            syncer: None,
            write_gen: 0,
        }
    }

    fn start_syncer(&mut self) -> Result<(), AuditError> {
        if self.opts.fsync == Fsync::Batch {
            let dup = self.file.try_clone().map_err(io_err("dup", &self.path))?;
            self.syncer =
                Some(Syncer::spawn(dup).map_err(io_err("spawn fsync thread", &self.path))?);
        }
        Ok(())
    }

    /// A brand-new log: fresh id, segment 0, genesis `prev`.
    fn start_log(
        opts: WriterOptions,
        hmac: HmacSha256,
        node_key: Option<NodeKey>,
        prev_log: Option<&str>,
        now: SystemTime,
    ) -> Result<SegmentWriter, AuditError> {
        let log = new_log_id();
        let path = opts.dir.join(segment::segment_name(&log, 0));
        let file = create_segment(&path, &opts.dir)?;
        let current = SegmentFile {
            path,
            log: log.clone(),
            n: 0,
            modified: now,
        };
        let resume = Resume {
            seq: u64::MAX,
            mac: record::genesis(&hmac, &log),
            ts: SystemTime::UNIX_EPOCH,
            anchored: true,
        };
        let mut writer = Self::assemble(opts, hmac, node_key, &current, file, 0, &resume);
        writer.start_syncer()?;
        writer.write_segment_start(prev_log, now)?;
        Ok(writer)
    }

    pub(super) fn write_segment_start(
        &mut self,
        prev_log: Option<&str>,
        now: SystemTime,
    ) -> Result<(), AuditError> {
        let log = self.log.clone();
        self.append_writer_record(
            &WriterRecord::SegmentStart {
                log: &log,
                segment: self.segment,
                prev_log,
            },
            now,
        )?;
        self.commit()
    }
}

/// Head of the last record in `line` if it frames and its MAC verifies with `hmac`.
fn resume_from(hmac: &HmacSha256, line: &[u8]) -> Option<Resume> {
    let f = record::parse_line(line).ok()?;
    if record::mac_hex(hmac, f.signed)[..] != *f.mac {
        return None;
    }
    let mut mac = [0u8; 64];
    mac.copy_from_slice(f.mac);
    Some(Resume {
        seq: f.seq,
        mac,
        ts: record::parse_ts(f.ts)?,
        anchored: f.kind == b"checkpoint",
    })
}

/// Head at the end of segment n-1 of the same log (for an empty segment n).
fn previous_head(
    hmac: &HmacSha256,
    segments: &[SegmentFile],
    current: &SegmentFile,
) -> Option<Resume> {
    let prev = segments
        .iter()
        .find(|s| s.log == current.log && s.n + 1 == current.n)?;
    let file = File::open(&prev.path).ok()?;
    let len = file.metadata().ok()?.len();
    let tail = segment::read_tail(&file, len).ok()?;
    if tail.dropped > 0 {
        return None;
    }
    resume_from(hmac, tail.last_line.as_deref()?)
}

pub(super) fn create_segment(path: &Path, dir: &Path) -> Result<File, AuditError> {
    let file = OpenOptions::new()
        .append(true)
        .read(true)
        .create_new(true)
        .open(path)
        .map_err(io_err("create", path))?;
    // Make the new directory entry durable, or a crash could lose the whole segment.
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("fsync", dir))?;
    Ok(file)
}

fn new_log_id() -> String {
    let mut bytes = [0u8; LOG_ID_LEN / 2];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
