//! Helpers shared by the integration tests (each test file that needs them
//! declares `mod common;`).
#![allow(dead_code)]

use http::{HeaderMap, HeaderValue, Method};
use rampart_waf::{Profile, RequestHead, Verdict, inspect_head};

/// Percent-encodes every byte but the unreserved ones, as a browser's form
/// encoding of an arbitrary value would.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The verdict on `GET /search?q=<value>` with an ordinary browser head.
pub fn query(p: &Profile, value: &str) -> Verdict {
    let mut h = HeaderMap::new();
    h.append("host", HeaderValue::from_static("shop.example"));
    h.append("user-agent", HeaderValue::from_static("Mozilla/5.0"));
    let q = format!("q={}", urlencode(value));
    inspect_head(
        p,
        &RequestHead {
            method: &Method::GET,
            path: "/search",
            query: Some(&q),
            headers: &h,
            route: "r",
        },
    )
}
