//! The verifier behind `rampart audit verify`: checks segments as bytes, stops at the
//! first bad record and says where and why.
//!
//! Checks, per record: framing (`malformed`), a final newline (`torn`), the MAC with the
//! HMAC key (`mac`), seq contiguity (`gap`: deletions, duplicates, reordering), the
//! `prev` link (`bad_link`, also genesis and rotation links), non-decreasing time
//! (`reordered_time`), checkpoint signatures (`bad_checkpoint`); at the end, an
//! expected head known from elsewhere (`truncated`). With only a public key, MACs are
//! not recomputed: structure, links and checkpoints still are.
//!
//! Must not: panic or allocate without bound on any input (lines are capped at
//! [`MAX_RECORD`]), or use a JSON parser on the per-record hot path.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use crate::key::{AuditKey, HmacSha256};
use crate::record::{self, CHECKPOINT_DOMAIN, Framed, MAX_RECORD, TS_LEN};

/// Why a record is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The line is not a version-1 record.
    Malformed,
    /// The last line has no newline: an incomplete write.
    Torn,
    /// The MAC does not match the record bytes.
    Mac,
    /// The seq is not the previous seq + 1 (or a segment is missing).
    Gap,
    /// `prev` is not the previous MAC / genesis / last MAC of the previous segment.
    BadLink,
    /// The timestamp is earlier than the previous record's.
    ReorderedTime,
    /// A checkpoint is inconsistent or its signature does not verify.
    BadCheckpoint,
    /// The log ends before, or differs at, a head known from elsewhere.
    Truncated,
    /// The file could not be read.
    Io,
}

/// The first bad record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The segment file.
    pub file: PathBuf,
    /// 1-based line number in that file.
    pub line: u64,
    /// The record's seq when it could be read.
    pub seq: Option<u64>,
    /// The reason id.
    pub reason: Reason,
    /// Human detail.
    pub detail: String,
}

/// Result of a verification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Files read.
    pub files: usize,
    /// Good records before the first bad one (all of them when ok).
    pub records: u64,
    /// Whether MACs were recomputed (an HMAC key was given).
    pub macs_checked: bool,
    /// Whether checkpoint keys were compared to a pinned public key.
    pub pubkey_pinned: bool,
    /// Valid checkpoints seen.
    pub checkpoints: u64,
    /// Seq covered by the last valid checkpoint.
    pub anchored_through: Option<u64>,
    /// Records after the last valid checkpoint of each log (not covered by a signature).
    pub unanchored: u64,
    /// Seq and MAC of the last good record.
    pub head: Option<(u64, String)>,
    /// The first bad record, if any.
    pub first_bad: Option<Finding>,
    /// Things worth knowing that are not failures (recoveries, partial chains).
    pub notes: Vec<String>,
}

/// What to verify with.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// The HMAC key: recompute every MAC and the genesis value.
    pub key: Option<&'a AuditKey>,
    /// Pinned node public key: checkpoints must be signed by it.
    pub pubkey: Option<&'a VerifyingKey>,
    /// A head `(seq, mac hex)` known from elsewhere (a gossiped checkpoint, a monitor):
    /// the log must contain record `seq` with that MAC.
    pub expect_head: Option<(u64, &'a str)>,
}

/// Verifies segment files in order of file name (segment names sort in chain order).
pub fn verify_segments(
    paths: &[PathBuf],
    key: Option<&AuditKey>,
    pubkey: Option<&VerifyingKey>,
) -> Report {
    verify_segments_with(
        paths,
        &VerifyOptions {
            key,
            pubkey,
            expect_head: None,
        },
    )
}

/// [`verify_segments`] with all options.
pub fn verify_segments_with(paths: &[PathBuf], opts: &VerifyOptions<'_>) -> Report {
    let mut sorted: Vec<&PathBuf> = paths.iter().collect();
    sorted.sort_by(|a, b| (a.file_name(), a).cmp(&(b.file_name(), b)));
    let mut v = Verifier::new(opts);
    for path in sorted {
        match File::open(path) {
            Ok(file) => v.file(path, BufReader::with_capacity(1 << 20, file)),
            Err(e) => v.fail(path, 0, None, Reason::Io, e.to_string()),
        }
        if v.report.first_bad.is_some() {
            break;
        }
    }
    v.finish()
}

/// Verifies one segment given as bytes (fuzzing, tests, stdin).
pub fn verify_bytes(name: &str, bytes: &[u8], opts: &VerifyOptions<'_>) -> Report {
    let mut v = Verifier::new(opts);
    v.file(Path::new(name), bytes);
    v.finish()
}

#[derive(Deserialize)]
struct SegmentStart {
    log: String,
    segment: u64,
}

#[derive(Deserialize)]
struct Checkpoint {
    log: String,
    head_seq: u64,
    head: String,
    pubkey: String,
    sig: String,
}

struct Verifier<'a> {
    opts: VerifyOptions<'a>,
    hmac: Option<HmacSha256>,
    report: Report,
    log: Option<String>,
    segment: u64,
    prev_mac: [u8; 64],
    next_seq: u64,
    last_ts: [u8; TS_LEN],
    log_unanchored: u64,
    expect_seen: bool,
    /// Seq of the last good record; its MAC is `prev_mac` (no allocation per record).
    head_seq: Option<u64>,
    file: PathBuf,
    line: u64,
}

// === impl Verifier ===

impl<'a> Verifier<'a> {
    fn new(opts: &VerifyOptions<'a>) -> Verifier<'a> {
        Verifier {
            opts: *opts,
            hmac: opts.key.map(AuditKey::hmac),
            report: Report {
                macs_checked: opts.key.is_some(),
                pubkey_pinned: opts.pubkey.is_some(),
                ..Report::default()
            },
            log: None,
            segment: 0,
            prev_mac: [0; 64],
            next_seq: 0,
            last_ts: [0; TS_LEN],
            log_unanchored: 0,
            expect_seen: false,
            head_seq: None,
            file: PathBuf::new(),
            line: 0,
        }
    }

    fn fail(&mut self, file: &Path, line: u64, seq: Option<u64>, reason: Reason, detail: String) {
        if self.report.first_bad.is_none() {
            self.report.first_bad = Some(Finding {
                file: file.to_path_buf(),
                line,
                seq,
                reason,
                detail,
            });
        }
    }

    /// Splits a file into lines (capped at MAX_RECORD) and checks each.
    fn file(&mut self, path: &Path, mut reader: impl BufRead) {
        self.report.files += 1;
        self.file = path.to_path_buf();
        self.line = 0;
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let buf = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) => return self.fail(path, self.line + 1, None, Reason::Io, e.to_string()),
            };
            if buf.is_empty() {
                break;
            }
            let mut start = 0;
            while let Some(i) = memchr::memchr(b'\n', &buf[start..]) {
                let end = start + i;
                let ok = if carry.is_empty() {
                    self.line(&buf[start..end], true)
                } else {
                    carry.extend_from_slice(&buf[start..end]);
                    let line = std::mem::take(&mut carry);
                    self.line(&line, true)
                };
                if !ok {
                    return;
                }
                start = end + 1;
            }
            if carry.len() + (buf.len() - start) > MAX_RECORD {
                let line = self.line + 1;
                return self.fail(
                    path,
                    line,
                    None,
                    Reason::Malformed,
                    "record longer than 1 MiB".into(),
                );
            }
            carry.extend_from_slice(&buf[start..]);
            let n = buf.len();
            reader.consume(n);
        }
        if !carry.is_empty() {
            self.line(&carry, false);
        }
    }

    /// A finding at the current line.
    fn fail_here(&mut self, seq: Option<u64>, reason: Reason, detail: String) {
        let file = self.file.clone();
        self.fail(&file, self.line, seq, reason, detail);
    }

    /// Checks one line; false once a finding is recorded.
    fn line(&mut self, line: &[u8], terminated: bool) -> bool {
        self.line += 1;
        let f = match record::parse_line(line) {
            Ok(f) => f,
            Err(why) if !terminated => {
                self.fail_here(
                    None,
                    Reason::Torn,
                    format!("incomplete last record ({why})"),
                );
                return false;
            }
            Err(why) => {
                self.fail_here(None, Reason::Malformed, why.to_string());
                return false;
            }
        };
        match self.check(&f, terminated) {
            Ok(()) => {
                self.report.records += 1;
                self.prev_mac.copy_from_slice(f.mac);
                self.next_seq = f.seq.wrapping_add(1);
                self.last_ts.copy_from_slice(f.ts);
                self.head_seq = Some(f.seq);
                true
            }
            Err((reason, detail)) => {
                self.fail_here(Some(f.seq), reason, detail);
                false
            }
        }
    }

    fn check(&mut self, f: &Framed<'_>, terminated: bool) -> Result<(), (Reason, String)> {
        if !terminated {
            return Err((Reason::Torn, "last record has no final newline".into()));
        }
        if let Some(hmac) = &self.hmac
            && record::mac_hex(hmac, f.signed)[..] != *f.mac
        {
            return Err((Reason::Mac, "MAC does not match the record bytes".into()));
        }
        let is_start = f.kind == b"segment_start";
        match (self.line == 1, is_start) {
            (true, true) => self.segment_start(f)?,
            (true, false) => {
                return Err((
                    Reason::BadLink,
                    "segment does not begin with segment_start".into(),
                ));
            }
            (false, true) => {
                return Err((Reason::BadLink, "segment_start inside a segment".into()));
            }
            (false, false) => self.link(f)?,
        }
        if f.ts < &self.last_ts[..] {
            return Err((
                Reason::ReorderedTime,
                "timestamp earlier than the previous record's".into(),
            ));
        }
        if let Some((seq, head)) = self.opts.expect_head
            && seq == f.seq
        {
            if head.as_bytes() != f.mac {
                return Err((
                    Reason::Truncated,
                    format!("record {seq} differs from the expected head {head}"),
                ));
            }
            self.expect_seen = true;
        }
        match f.kind {
            b"checkpoint" => self.checkpoint(f)?,
            b"audit_recovered" => {
                let note = format!(
                    "{} line {}: the writer cut a torn tail here ({})",
                    self.file.display(),
                    self.line,
                    String::from_utf8_lossy(f.body)
                );
                self.report.notes.push(note);
                self.log_unanchored += 1;
            }
            _ => self.log_unanchored += 1,
        }
        Ok(())
    }

    fn link(&self, f: &Framed<'_>) -> Result<(), (Reason, String)> {
        if f.seq != self.next_seq {
            return Err((
                Reason::Gap,
                format!("expected seq {}, found {}", self.next_seq, f.seq),
            ));
        }
        if f.prev != self.prev_mac {
            return Err((
                Reason::BadLink,
                "prev is not the previous record's mac".into(),
            ));
        }
        Ok(())
    }

    /// First record of a file: continues the previous file's chain or starts a log.
    fn segment_start(&mut self, f: &Framed<'_>) -> Result<(), (Reason, String)> {
        let start: SegmentStart =
            parse_body(f.body).map_err(|e| (Reason::Malformed, format!("segment_start: {e}")))?;
        let same_log = self.log.as_deref() == Some(start.log.as_str());
        if same_log {
            let expected = self.segment.saturating_add(1);
            if start.segment < expected {
                return Err((
                    Reason::BadLink,
                    format!("segment {} repeated or out of order", start.segment),
                ));
            }
            if start.segment > expected {
                return Err((Reason::Gap, format!("segment {expected} is missing")));
            }
            self.link(f)?;
        } else {
            self.begin_log(&start, f)?;
        }
        self.segment = start.segment;
        Ok(())
    }

    fn begin_log(&mut self, start: &SegmentStart, f: &Framed<'_>) -> Result<(), (Reason, String)> {
        if let Some(old) = self.log.take()
            && self.log_unanchored > 0
        {
            self.report.notes.push(format!(
                "log {old}: last {} records unanchored",
                self.log_unanchored
            ));
        }
        self.report.unanchored += std::mem::take(&mut self.log_unanchored);
        self.last_ts = [0; TS_LEN];
        if start.segment == 0 {
            if f.seq != 0 {
                return Err((Reason::Gap, format!("log starts at seq {}, not 0", f.seq)));
            }
            if let Some(hmac) = &self.hmac
                && record::genesis(hmac, &start.log)[..] != *f.prev
            {
                return Err((
                    Reason::BadLink,
                    "prev is not the genesis value of this log".into(),
                ));
            }
        } else {
            self.report.notes.push(format!(
                "log {} starts at segment {} here: its link to segment {} was not checked",
                start.log,
                start.segment,
                start.segment - 1
            ));
        }
        self.log = Some(start.log.clone());
        Ok(())
    }

    fn checkpoint(&mut self, f: &Framed<'_>) -> Result<(), (Reason, String)> {
        let bad = |why: &str| (Reason::BadCheckpoint, why.to_string());
        let cp: Checkpoint = parse_body(f.body).map_err(|e| bad(&format!("unreadable: {e}")))?;
        if Some(cp.log.as_str()) != self.log.as_deref() {
            return Err(bad("names another log"));
        }
        if cp.head_seq.checked_add(1) != Some(f.seq) || cp.head.as_bytes() != f.prev {
            return Err(bad("head is not the previous record"));
        }
        let key = cp
            .pubkey
            .parse::<rampart_protocol::NodeId>()
            .ok()
            .and_then(|id| id.verifying_key());
        let Some(key) = key else {
            return Err(bad("pubkey is not an Ed25519 public key"));
        };
        if let Some(pinned) = self.opts.pubkey
            && *pinned != key
        {
            return Err(bad("signed by a key other than --pubkey"));
        }
        let mut sig = [0u8; 64];
        hex::decode_to_slice(&cp.sig, &mut sig).map_err(|_| bad("sig is not 128 hex digits"))?;
        let msg = record::checkpoint_message(&cp.log, cp.head_seq, &cp.head);
        rampart_protocol::verify(&key, CHECKPOINT_DOMAIN, &msg, &sig)
            .map_err(|_| bad("signature does not verify"))?;
        self.report.checkpoints += 1;
        self.report.anchored_through = Some(cp.head_seq);
        self.log_unanchored = 0;
        Ok(())
    }

    fn finish(mut self) -> Report {
        self.report.unanchored += self.log_unanchored;
        self.report.head = self
            .head_seq
            .map(|seq| (seq, String::from_utf8_lossy(&self.prev_mac).into_owned()));
        if self.report.first_bad.is_none()
            && let Some((seq, head)) = self.opts.expect_head
            && !self.expect_seen
        {
            let last = self.report.head.as_ref().map(|h| h.0);
            let file = self.file.clone();
            let line = self.line + 1;
            self.fail(
                &file,
                line,
                last.map(|s| s.wrapping_add(1)),
                Reason::Truncated,
                format!("log ends before seq {seq} of the expected head {head}"),
            );
        }
        self.report
    }
}

/// Parses `"kind":...,fields` as the JSON object it is inside braces (rare records only).
fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, serde_json::Error> {
    let mut obj = Vec::with_capacity(body.len() + 2);
    obj.push(b'{');
    obj.extend_from_slice(body);
    obj.push(b'}');
    serde_json::from_slice(&obj)
}

// === impl Report ===

impl Report {
    /// No bad record found.
    pub fn is_ok(&self) -> bool {
        self.first_bad.is_none()
    }

    /// Human-readable summary, several lines, ending in a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        match &self.first_bad {
            None => out.push_str(&format!(
                "OK: {} file(s), {} records",
                self.files, self.records
            )),
            Some(b) => {
                let seq = b.seq.map(|s| format!(" seq {s}")).unwrap_or_default();
                out.push_str(&format!(
                    "BAD: {} line {}{}: {} ({})\n",
                    b.file.display(),
                    b.line,
                    seq,
                    reason_id(b.reason),
                    b.detail
                ));
                out.push_str(&format!("{} good records before it", self.records));
            }
        }
        out.push_str(match self.macs_checked {
            true => "; MACs checked\n",
            false => "; MACs NOT checked (no HMAC key): structure, links and checkpoints only\n",
        });
        if let Some((seq, mac)) = &self.head {
            out.push_str(&format!("head: seq {seq} mac {mac}\n"));
        }
        let pinned = if self.pubkey_pinned {
            "pinned key"
        } else {
            "key NOT pinned (no --pubkey)"
        };
        match self.anchored_through {
            Some(s) => out.push_str(&format!(
                "checkpoints: {} valid ({pinned}), last covers seq {s}\n",
                self.checkpoints
            )),
            None => out.push_str("checkpoints: none\n"),
        }
        out.push_str(&format!(
            "unanchored: {} record(s) after the last checkpoint\n",
            self.unanchored
        ));
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        out
    }
}

/// The stable id of a reason (`mac`, `gap`, ...), as in the JSON output.
pub fn reason_id(reason: Reason) -> &'static str {
    match reason {
        Reason::Malformed => "malformed",
        Reason::Torn => "torn",
        Reason::Mac => "mac",
        Reason::Gap => "gap",
        Reason::BadLink => "bad_link",
        Reason::ReorderedTime => "reordered_time",
        Reason::BadCheckpoint => "bad_checkpoint",
        Reason::Truncated => "truncated",
        Reason::Io => "io",
    }
}
