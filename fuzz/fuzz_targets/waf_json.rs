//! JSON pre-scan + simd-json walk: never panics on arbitrary bytes under tight
//! limits, and whatever the walker reports fits in the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_waf::fuzzing::{JsonLimits, walk_json};

fuzz_target!(|data: &[u8]| {
    let limits = JsonLimits {
        max_depth: 16,
        max_string_bytes: 4096,
        max_elements: 1000,
    };
    let len = data.len();
    let _ = walk_json(data, &limits, &mut |item, path| {
        let s = match item {
            rampart_waf::fuzzing::JsonItem::Key(s) | rampart_waf::fuzzing::JsonItem::Str(s) => s,
        };
        assert!(s.len() <= len);
        assert!(path.render().len() <= 64 * 17 + 16 * 24);
        true
    });
});
