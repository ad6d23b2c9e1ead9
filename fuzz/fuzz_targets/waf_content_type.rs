//! Media-type parsing: never panics; whatever parses has token-only type/subtype
//! and re-parses to the same value from its essence.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_waf::parse_media_type;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = parse_media_type(data) {
        assert!(!m.type_.is_empty() && !m.subtype.is_empty());
        assert!(!m.essence()[m.type_.len() + 1..].contains('/'));
        let again = parse_media_type(m.essence().as_bytes()).expect("essence re-parses");
        assert_eq!((again.type_, again.subtype), (m.type_, m.subtype));
    }
});
