//! Writer behaviour: chain continuity across restarts and rotations, torn-tail
//! recovery, retention, redaction before the MAC, checkpoints.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rampart_audit::verify::{Reason, VerifyOptions, verify_segments, verify_segments_with};
use rampart_audit::{AuditEvent, AuditKey, Fsync, SegmentWriter};

#[test]
fn chain_continues_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 10, false);
    let mut w = open(dir.path(), false);
    let (seq, _) = w.head();
    assert_eq!(seq, 10, "segment_start + 10 events = seqs 0..=10");
    assert_eq!(w.append(&blocked(99), t(99)).unwrap(), 11);
    drop(w);
    let files = segments(dir.path());
    assert_eq!(files.len(), 1, "a restart continues the same segment");
    let report = verify_segments(&files, Some(&key()), None);
    assert!(report.is_ok(), "{}", report.render());
    assert_eq!(report.records, 12);
}

#[test]
fn chain_continues_across_rotation_and_links_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.rotate_bytes = 4096;
    let mut w = SegmentWriter::open(o, key(), Some(node_key())).unwrap();
    for i in 0..100 {
        w.append(&blocked(i), t(i)).unwrap();
    }
    w.close(t(100)).unwrap();
    drop(w);
    let files = segments(dir.path());
    assert!(files.len() > 3, "rotated into {} segments", files.len());
    let pubkey = node_key().verifying_key();
    let report = verify_segments(&files, Some(&key()), Some(&pubkey));
    assert!(report.is_ok(), "{}", report.render());
    assert_eq!(report.unanchored, 0, "{}", report.render());
    // Each rotated segment ends with a checkpoint, so there is one per segment at least.
    assert!(report.checkpoints >= files.len() as u64 - 1);

    // Removing a middle segment is a gap.
    let mut missing = files.clone();
    missing.remove(1);
    let report = verify_segments(&missing, Some(&key()), None);
    assert_eq!(report.first_bad.unwrap().reason, Reason::Gap);
}

#[test]
fn reopen_after_rotation_continues_in_newest_segment() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = open(dir.path(), false);
    w.append(&blocked(0), t(0)).unwrap();
    w.rotate().unwrap();
    w.append(&blocked(1), t(1)).unwrap();
    let second = w.current_path().to_path_buf();
    drop(w);
    let w = open(dir.path(), false);
    assert_eq!(w.current_path(), second);
    drop(w);
    let report = verify_segments(&segments(dir.path()), Some(&key()), None);
    assert!(report.is_ok(), "{}", report.render());
}

#[test]
fn torn_tail_is_cut_on_open_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_log(dir.path(), 5, false);
    let path = &files[0];
    let mut bytes = std::fs::read(path).unwrap();
    let good_len = bytes.len();
    let torn = br#"{"v":1,"seq":7,"ts":"2026-01-01T00:00:"#;
    bytes.extend_from_slice(torn);
    std::fs::write(path, &bytes).unwrap();

    let before = verify_segments(&files, Some(&key()), None);
    assert_eq!(before.first_bad.unwrap().reason, Reason::Torn);

    let mut w = open(dir.path(), false);
    w.append(&blocked(6), t(6)).unwrap();
    drop(w);
    let after = std::fs::read(path).unwrap();
    assert_eq!(
        &after[..good_len],
        &bytes[..good_len],
        "nothing before the tear changes"
    );
    let text = String::from_utf8_lossy(&after[good_len..]).into_owned();
    assert!(text.contains(r#""kind":"audit_recovered""#), "{text}");
    let dropped = format!(r#""bytes_dropped":{}"#, torn.len());
    assert!(text.contains(&dropped), "{text}");
    let report = verify_segments(&files, Some(&key()), None);
    assert!(report.is_ok(), "{}", report.render());
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
}

#[test]
fn retention_never_deletes_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = [
        "notes.txt",
        "audit-0000000000000000-00000000.ndjson", // another log (older key)
        "audit-backup.ndjson",
    ];
    for name in foreign {
        std::fs::write(dir.path().join(name), b"keep me\n").unwrap();
    }
    // The foreign log must not be mistaken for ours: make it old.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1);
    let f = std::fs::File::options()
        .write(true)
        .open(dir.path().join(foreign[1]))
        .unwrap();
    f.set_modified(old).unwrap();
    drop(f);
    let mut o = opts(dir.path());
    o.retain = 2;
    let mut w = SegmentWriter::open(o, key(), None).unwrap();
    for i in 0..6 {
        w.append(&blocked(i), t(i)).unwrap();
        w.rotate().unwrap();
    }
    let log = w.log_id().to_string();
    drop(w);
    for name in foreign {
        assert_eq!(
            std::fs::read(dir.path().join(name)).unwrap(),
            b"keep me\n",
            "{name}"
        );
    }
    let ours: Vec<_> = segments(dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&log))
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    // The kept tail still verifies (its start is noted as not linked back).
    let report = verify_segments(&ours, Some(&key()), None);
    assert!(report.is_ok(), "{}", report.render());
}

#[test]
fn redaction_is_applied_before_the_mac() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_log(dir.path(), 3, false);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!text.contains("secret1"), "{text}");
    assert!(text.contains("token=<redacted:7>"), "{text}");
    // The MAC covers the redacted bytes: the file verifies as written.
    assert!(verify_segments(&files, Some(&key()), None).is_ok());
}

#[test]
fn reopen_with_other_key_starts_new_log_and_keeps_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let old_files = write_log(dir.path(), 3, false);
    let old_bytes = std::fs::read(&old_files[0]).unwrap();
    let other = AuditKey::from_bytes(vec![0x77; 32], "t").unwrap();
    let mut w = SegmentWriter::open(opts(dir.path()), other.clone(), None).unwrap();
    w.append(&blocked(9), t(9)).unwrap();
    let new_path = w.current_path().to_path_buf();
    drop(w);
    assert_eq!(std::fs::read(&old_files[0]).unwrap(), old_bytes);
    let text = std::fs::read_to_string(&new_path).unwrap();
    assert!(text.contains(r#""prev_log":""#), "{text}");
    assert!(verify_segments(&[new_path], Some(&other), None).is_ok());
    assert!(verify_segments(&old_files, Some(&key()), None).is_ok());
}

#[test]
fn checkpoints_follow_count_and_verify_with_pubkey_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.checkpoint_every = 10;
    let mut w = SegmentWriter::open(o, key(), Some(node_key())).unwrap();
    for i in 0..35 {
        w.append(&blocked(i), t(i)).unwrap();
    }
    w.commit().unwrap();
    assert_eq!(w.stats().checkpoints, 3);
    drop(w);
    let files = segments(dir.path());
    let pubkey = node_key().verifying_key();
    let report = verify_segments(&files, None, Some(&pubkey));
    assert!(report.is_ok(), "{}", report.render());
    assert!(!report.macs_checked);
    assert_eq!(report.checkpoints, 3);
    // seq 0 segment_start, checkpoints at seqs 10, 21, 32, then events 33..=38.
    assert_eq!(report.anchored_through, Some(31));
    assert_eq!(report.unanchored, 6, "{}", report.render());

    let stranger = rampart_protocol::NodeKey::from_seed(&[1; 32]).verifying_key();
    let report = verify_segments(&files, None, Some(&stranger));
    assert_eq!(report.first_bad.unwrap().reason, Reason::BadCheckpoint);
}

#[test]
fn checkpoint_interval_anchors_idle_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.checkpoint_interval = std::time::Duration::from_secs(60);
    let mut w = SegmentWriter::open(o, key(), Some(node_key())).unwrap();
    w.append(&blocked(0), std::time::SystemTime::now()).unwrap();
    w.maybe_checkpoint(std::time::SystemTime::now()).unwrap();
    assert_eq!(w.stats().checkpoints, 0, "not due yet");
    w.maybe_checkpoint(std::time::SystemTime::now() + std::time::Duration::from_secs(61))
        .unwrap();
    assert_eq!(w.stats().checkpoints, 1);
}

#[test]
fn fsync_always_puts_each_record_on_disk_before_returning() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.fsync = Fsync::Always;
    let mut w = SegmentWriter::open(o, key(), None).unwrap();
    w.append(&blocked(0), t(0)).unwrap();
    let path = w.current_path().to_path_buf();
    // Not dropped: what is in the file is what a kill -9 now would leave.
    let report = verify_segments(std::slice::from_ref(&path), Some(&key()), None);
    assert_eq!(report.records, 2, "{}", report.render());
    drop(w);
}

#[test]
fn time_going_backwards_is_clamped_to_keep_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = open(dir.path(), false);
    w.append(&blocked(0), t(5000)).unwrap();
    w.append(&blocked(1), t(1000)).unwrap();
    drop(w);
    let report = verify_segments(&segments(dir.path()), Some(&key()), None);
    assert!(report.is_ok(), "{}", report.render());
}

#[test]
fn expected_head_detects_truncation_after_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_log(dir.path(), 20, true);
    let full = verify_segments(&files, Some(&key()), None);
    let (seq, mac) = full.head.clone().unwrap();
    // Cut the last 5 lines (the checkpoint included).
    let mut l = lines(&files[0]);
    l.truncate(l.len() - 5);
    write_lines(&files[0], &l);
    let opts = VerifyOptions {
        key: Some(&key()),
        pubkey: None,
        expect_head: Some((seq, &mac)),
    };
    let report = verify_segments_with(&files, &opts);
    assert_eq!(report.first_bad.unwrap().reason, Reason::Truncated);
    // Without the witness the cut shows as unanchored records.
    let report = verify_segments(&files, Some(&key()), None);
    assert!(report.is_ok());
    assert!(report.unanchored > 0);
}

#[test]
fn too_large_event_is_refused_and_chain_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = open(dir.path(), false);
    let head = w.head();
    let huge = AuditEvent::Shutdown {
        reason: "x".repeat(2 << 20),
    };
    assert!(w.append(&huge, t(0)).is_err());
    assert_eq!(w.head(), head);
    w.append(&blocked(1), t(1)).unwrap();
    drop(w);
    assert!(verify_segments(&segments(dir.path()), Some(&key()), None).is_ok());
}

#[test]
fn batch_sync_waits_for_background_fsync_and_drop_lands_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = open(dir.path(), false); // batch, batch_max 16
    for i in 0..40 {
        w.append(&blocked(i), t(i)).unwrap();
    }
    w.sync().unwrap();
    assert_eq!(w.stats().write_errors, 0);
    for i in 40..45 {
        w.append(&blocked(i), t(i)).unwrap(); // 5 records below batch_max: buffered
    }
    drop(w); // as when a panicking actor's state is dropped
    let report = verify_segments(&segments(dir.path()), Some(&key()), None);
    assert!(report.is_ok(), "{}", report.render());
    assert_eq!(report.records, 46);
}
