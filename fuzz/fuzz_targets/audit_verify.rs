//! Fuzz the audit record parser and verifier: arbitrary bytes as a segment must never
//! panic, whatever the options. Run: `cargo +nightly fuzz run audit_verify`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_audit::AuditKey;
use rampart_audit::verify::{VerifyOptions, verify_bytes};
use rampart_protocol::NodeKey;

fuzz_target!(|data: &[u8]| {
    let Ok(key) = AuditKey::from_bytes(vec![0x5a; 32], "fuzz") else {
        return;
    };
    let pubkey = NodeKey::from_seed(&[0x42; 32]).verifying_key();
    // The first byte picks the options so every verifier path gets exercised.
    let (mode, bytes) = data.split_first().map_or((0, data), |(m, rest)| (*m, rest));
    let opts = VerifyOptions {
        key: (mode & 1 == 0).then_some(&key),
        pubkey: (mode & 2 == 0).then_some(&pubkey),
        expect_head: (mode & 4 == 0).then_some((3, "00")),
    };
    let report = verify_bytes("fuzz.ndjson", bytes, &opts);
    let _ = report.render();
});
