//! Normalisation: never panics, never grows its input, bounded work, and is
//! idempotent whenever it reports a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_waf::normalise;

fuzz_target!(|data: &[u8]| {
    let n = normalise(data);
    assert!(n.decoded.len() <= data.len());
    assert!(n.canon.len() <= data.len());
    assert!(n.work <= 16 * (data.len() as u64 + 1));
    if n.converged {
        assert_eq!(normalise(&n.canon).canon, n.canon);
    }
});
