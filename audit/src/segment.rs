//! Segment files on disk: naming, listing, and reading a segment's tail on open.
//!
//! A segment is `audit-<log_id>-<n>.ndjson` (log id: 16 lowercase hex digits; n: eight
//! or more decimal digits, so a shell glob lists segments in order).
//!
//! Must not: delete or rewrite anything. Cutting a torn tail is the writer's decision
//! and only ever removes bytes after the last newline.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::record::MAX_RECORD;

/// Length of a log id in hex digits.
pub(crate) const LOG_ID_LEN: usize = 16;
const CHUNK: u64 = 64 * 1024;

/// One of our segment files found in the directory.
#[derive(Debug, Clone)]
pub(crate) struct SegmentFile {
    pub path: PathBuf,
    pub log: String,
    pub n: u64,
    pub modified: SystemTime,
}

/// What the tail of a segment looks like.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    /// Length up to and including the last newline: what to keep.
    pub keep_len: u64,
    /// Bytes after the last newline (a torn record).
    pub dropped: u64,
    /// The last complete line (without newline), `None` when there is none or it is
    /// longer than a record may be.
    pub last_line: Option<Vec<u8>>,
}

/// File name of segment `n` of log `log`.
pub(crate) fn segment_name(log: &str, n: u64) -> String {
    format!("audit-{log}-{n:08}.ndjson")
}

/// `(log, n)` when `name` is one of our segment names.
pub(crate) fn parse_segment_name(name: &str) -> Option<(String, u64)> {
    let rest = name.strip_prefix("audit-")?.strip_suffix(".ndjson")?;
    let (log, n) = rest.split_once('-')?;
    let log_ok =
        log.len() == LOG_ID_LEN && log.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let n_ok = n.len() >= 8 && n.bytes().all(|b| b.is_ascii_digit());
    if !(log_ok && n_ok) {
        return None;
    }
    Some((log.to_string(), n.parse().ok()?))
}

/// Our segment files in `dir` (anything else there is ignored, never touched).
pub(crate) fn list_segments(dir: &Path) -> io::Result<Vec<SegmentFile>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some((log, n)) = name.to_str().and_then(parse_segment_name) else {
            continue;
        };
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        out.push(SegmentFile {
            path: entry.path(),
            log,
            n,
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        });
    }
    out.sort_by(|a, b| (&a.log, a.n).cmp(&(&b.log, b.n)));
    Ok(out)
}

/// The newest segment: the highest-numbered segment of the log written last.
pub(crate) fn newest(segments: &[SegmentFile]) -> Option<&SegmentFile> {
    segments
        .iter()
        .max_by(|a, b| (a.modified, &a.log, a.n).cmp(&(b.modified, &b.log, b.n)))
        .and_then(|s| {
            segments
                .iter()
                .filter(|t| t.log == s.log)
                .max_by_key(|t| t.n)
        })
}

/// Reads the tail of `file` (of length `len`): where the last complete line ends and
/// what it is. Bounded work: scans back at most the torn part plus one record.
pub(crate) fn read_tail(file: &File, len: u64) -> io::Result<Tail> {
    let Some(last_nl) = rfind_newline(file, len, 0)? else {
        return Ok(Tail {
            keep_len: 0,
            dropped: len,
            last_line: None,
        });
    };
    let keep_len = last_nl + 1;
    let floor = last_nl.saturating_sub(MAX_RECORD as u64 + 1);
    let line_start = match rfind_newline(file, last_nl, floor)? {
        Some(p) => p + 1,
        None if floor == 0 => 0,
        None => {
            return Ok(Tail {
                keep_len,
                dropped: len - keep_len,
                last_line: None,
            });
        }
    };
    let mut line = vec![0u8; usize::try_from(last_nl - line_start).unwrap_or(0)];
    file.read_exact_at(&mut line, line_start)?;
    Ok(Tail {
        keep_len,
        dropped: len - keep_len,
        last_line: Some(line),
    })
}

/// Position of the last `\n` in `[floor, end)`, reading backwards in chunks.
fn rfind_newline(file: &File, end: u64, floor: u64) -> io::Result<Option<u64>> {
    let mut hi = end;
    let mut buf = vec![0u8; CHUNK as usize];
    while hi > floor {
        let lo = hi.saturating_sub(CHUNK).max(floor);
        let chunk = &mut buf[..(hi - lo) as usize];
        file.read_exact_at(chunk, lo)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(Some(lo + i as u64));
        }
        hi = lo;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_name_round_trips_and_foreign_names_are_ignored() {
        let name = segment_name("0123456789abcdef", 7);
        assert_eq!(name, "audit-0123456789abcdef-00000007.ndjson");
        assert_eq!(
            parse_segment_name(&name),
            Some(("0123456789abcdef".into(), 7))
        );
        for foreign in [
            "audit-0123456789abcdef-7.ndjson",
            "audit-0123456789ABCDEF-00000007.ndjson",
            "audit-xyz-00000007.ndjson",
            "audit-0123456789abcdef-00000007.ndjson.gz",
            "notes.txt",
        ] {
            assert_eq!(parse_segment_name(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn read_tail_finds_last_line_and_torn_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, b"first\nsecond\nthird-torn").unwrap();
        let file = File::open(&path).unwrap();
        let tail = read_tail(&file, 23).unwrap();
        assert_eq!(tail.keep_len, 13);
        assert_eq!(tail.dropped, 10);
        assert_eq!(tail.last_line.as_deref(), Some(&b"second"[..]));

        std::fs::write(&path, b"only\n").unwrap();
        let file = File::open(&path).unwrap();
        let tail = read_tail(&file, 5).unwrap();
        assert_eq!((tail.keep_len, tail.dropped), (5, 0));
        assert_eq!(tail.last_line.as_deref(), Some(&b"only"[..]));

        std::fs::write(&path, vec![0u8; 200_000]).unwrap();
        let file = File::open(&path).unwrap();
        let tail = read_tail(&file, 200_000).unwrap();
        assert_eq!((tail.keep_len, tail.dropped), (0, 200_000));
        assert!(tail.last_line.is_none());
    }
}
