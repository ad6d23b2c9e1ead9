//! Tampering is detected at the record where it happened: byte edits, deleted,
//! duplicated and reordered records, moved segments; and the verifier never panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::*;
use proptest::prelude::*;
use rampart_audit::verify::{Reason, VerifyOptions, verify_bytes, verify_segments};

/// One log of 40 events with checkpoints, written once and edited in memory.
fn sample() -> &'static Vec<Vec<u8>> {
    static SAMPLE: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut o = opts(dir.path());
        o.checkpoint_every = 7;
        let mut w = rampart_audit::SegmentWriter::open(o, key(), Some(node_key())).unwrap();
        for i in 0..40 {
            w.append(&blocked(i), t(i)).unwrap();
        }
        w.close(t(40)).unwrap();
        drop(w);
        lines(&segments(dir.path())[0])
    })
}

fn check(lines: &[Vec<u8>]) -> rampart_audit::verify::Report {
    let key = key();
    let pubkey = node_key().verifying_key();
    let opts = VerifyOptions {
        key: Some(&key),
        pubkey: Some(&pubkey),
        expect_head: None,
    };
    verify_bytes("seg", &lines.concat(), &opts)
}

#[test]
fn sample_log_verifies() {
    let report = check(sample());
    assert!(report.is_ok(), "{}", report.render());
    assert_eq!(report.unanchored, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_byte_edit_is_reported_at_that_record(line in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let mut l = sample().clone();
        let li = line.index(l.len());
        let bi = at.index(l[li].len());
        l[li][bi] ^= xor;
        let report = check(&l);
        let bad = report.first_bad.clone();
        prop_assert!(bad.is_some(), "edit at line {} byte {} undetected", li + 1, bi);
        prop_assert_eq!(bad.unwrap().line, li as u64 + 1, "{}", report.render());
    }

    #[test]
    fn verifier_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = check(&[bytes]);
    }

    #[test]
    fn verifier_never_panics_on_spliced_records(cut in any::<prop::sample::Index>(), len in 0usize..600, junk in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut bytes = sample().concat();
        let at = cut.index(bytes.len());
        let end = (at + len).min(bytes.len());
        bytes.splice(at..end, junk);
        let _ = check(&[bytes]);
    }
}

#[test]
fn deleted_record_is_a_gap_at_its_place() {
    let mut l = sample().clone();
    l.remove(5);
    let bad = check(&l).first_bad.unwrap();
    assert_eq!((bad.reason, bad.line), (Reason::Gap, 6));
}

#[test]
fn duplicated_record_is_a_gap_at_the_copy() {
    let mut l = sample().clone();
    let copy = l[5].clone();
    l.insert(6, copy);
    let bad = check(&l).first_bad.unwrap();
    assert_eq!((bad.reason, bad.line), (Reason::Gap, 7));
}

#[test]
fn reordered_records_are_a_gap() {
    let mut l = sample().clone();
    l.swap(10, 11);
    let bad = check(&l).first_bad.unwrap();
    assert_eq!((bad.reason, bad.line), (Reason::Gap, 11));
}

#[test]
fn truncated_mid_record_is_torn() {
    let mut bytes = sample().concat();
    bytes.truncate(bytes.len() - 10);
    let report = check(&[bytes]);
    assert_eq!(report.first_bad.unwrap().reason, Reason::Torn);
}

#[test]
fn truncated_whole_records_leave_unanchored_tail() {
    let mut l = sample().clone();
    l.truncate(l.len() - 3); // the final checkpoint and two events
    let report = check(&l);
    assert!(report.is_ok());
    assert!(report.unanchored >= 2, "{}", report.render());
}

#[test]
fn pubkey_only_still_checks_links_and_order() {
    let pubkey = node_key().verifying_key();
    let opts = VerifyOptions {
        key: None,
        pubkey: Some(&pubkey),
        expect_head: None,
    };
    let mut l = sample().clone();
    l.remove(3);
    let bad = verify_bytes("seg", &l.concat(), &opts).first_bad.unwrap();
    assert_eq!(bad.reason, Reason::Gap);
}

#[test]
fn segments_swapped_on_disk_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = open(dir.path(), false);
    for i in 0..3 {
        w.append(&blocked(i), t(i)).unwrap();
        w.rotate().unwrap();
    }
    drop(w);
    let files: Vec<PathBuf> = segments(dir.path());
    assert_eq!(files.len(), 4);
    let a = std::fs::read(&files[1]).unwrap();
    let b = std::fs::read(&files[2]).unwrap();
    std::fs::write(&files[1], &b).unwrap();
    std::fs::write(&files[2], &a).unwrap();
    let report = verify_segments(&files, Some(&key()), None);
    let bad = report.first_bad.unwrap();
    assert_eq!(bad.file, files[1]);
    assert_eq!(bad.reason, Reason::Gap);
}

#[test]
fn wrong_key_fails_at_first_record() {
    let other = rampart_audit::AuditKey::from_bytes(vec![1; 32], "t").unwrap();
    let report = verify_bytes(
        "seg",
        &sample().concat(),
        &VerifyOptions {
            key: Some(&other),
            pubkey: None,
            expect_head: None,
        },
    );
    let bad = report.first_bad.unwrap();
    assert_eq!((bad.reason, bad.line), (Reason::Mac, 1));
}
