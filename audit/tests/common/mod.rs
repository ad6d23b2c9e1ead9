//! Shared helpers for the audit integration tests: a writer in a temp dir, sample
//! events, and segment listing.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rampart_audit::{
    AuditEvent, AuditKey, Fsync, RedactConfig, Redactor, SegmentWriter, WriterOptions,
};
use rampart_protocol::NodeKey;

pub fn key() -> AuditKey {
    AuditKey::from_bytes(vec![0x5a; 32], "test").unwrap()
}

pub fn node_key() -> NodeKey {
    NodeKey::from_seed(&[0x42; 32])
}

pub fn opts(dir: &Path) -> WriterOptions {
    WriterOptions {
        dir: dir.to_path_buf(),
        node: "node-a".into(),
        fsync: Fsync::Batch,
        batch_max: 16,
        rotate_bytes: 64 * 1024 * 1024,
        retain: 0,
        checkpoint_every: 1000,
        checkpoint_interval: Duration::from_secs(3600),
        redactor: Redactor::new(&RedactConfig::default()),
    }
}

/// A fixed clock: `t(n)` is n milliseconds after 2026-01-01.
pub fn t(n: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600) + Duration::from_millis(n)
}

pub fn blocked(i: u64) -> AuditEvent {
    AuditEvent::RequestBlocked {
        client_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, (i % 250) as u8)),
        method: "GET".into(),
        path: format!("/search?q={i}&token=secret{i}"),
        request_id: format!("req-{i}"),
        trace_id: None,
        reason: "waf:sqli".into(),
        detail: Some("rule 942100".into()),
        route: Some("api".into()),
        status: 400,
    }
}

pub fn open(dir: &Path, node: bool) -> SegmentWriter {
    SegmentWriter::open(opts(dir), key(), node.then(node_key)).unwrap()
}

/// Writes `n` request_blocked events, then closes (checkpoint + commit).
pub fn write_log(dir: &Path, n: u64, node: bool) -> Vec<PathBuf> {
    let mut w = open(dir, node);
    for i in 0..n {
        w.append(&blocked(i), t(i)).unwrap();
    }
    w.close(t(n)).unwrap();
    drop(w);
    segments(dir)
}

/// Our segment files in `dir`, sorted by name.
pub fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("audit-") && name.ends_with(".ndjson")
        })
        .collect();
    out.sort();
    out
}

pub fn lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

pub fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    std::fs::write(path, lines.concat()).unwrap();
}
