//! Multipart parsing: arbitrary bodies and boundaries never panic, and every part
//! handed out lies inside the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_waf::fuzzing::for_each_multipart_field;

fuzz_target!(|data: &[u8]| {
    let (boundary, body) = match data.iter().position(|&b| b == b'\n') {
        Some(p) => (&data[..p], &data[p + 1..]),
        None => (&b"B"[..], data),
    };
    let _ = for_each_multipart_field(body, boundary, &mut |part| {
        assert!(part.body.len() <= body.len());
        true
    });
});
