//! Helpers shared by the integration tests (each test file that needs them
//! declares `mod common;`).
#![allow(dead_code)]

use http::{HeaderMap, HeaderValue, Method};
use rampart_waf::{BodyScanner, Profile, RequestHead, Verdict, inspect_head};

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

/// A header map of `pairs` (valid header values only).
pub fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, HeaderValue::from_str(v).expect("valid header value"));
    }
    h
}

/// The verdict on `POST /api` with `body` of type `ct`: the head first,
/// then the body in one frame.
pub fn post(p: &Profile, ct: &str, body: &str) -> Verdict {
    post_with(p, ct, body, &[])
}

/// [`post`] with `extra` header pairs after Content-Type and Content-Length.
pub fn post_with(p: &Profile, ct: &str, body: &str, extra: &[(&'static str, &str)]) -> Verdict {
    post_bytes(p, ct, body.as_bytes(), extra)
}

/// [`post_with`] for a body of any bytes (a compressed one).
pub fn post_bytes(p: &Profile, ct: &str, body: &[u8], extra: &[(&'static str, &str)]) -> Verdict {
    let len = body.len().to_string();
    let mut pairs = vec![("content-type", ct), ("content-length", len.as_str())];
    pairs.extend_from_slice(extra);
    let h = headers(&pairs);
    let head = RequestHead {
        method: &Method::POST,
        path: "/api",
        query: None,
        headers: &h,
        route: "r",
    };
    let v = inspect_head(p, &head);
    if v != Verdict::Allow {
        return v;
    }
    let mut s = match BodyScanner::new(p, &head) {
        Ok(s) => s,
        Err(v) => return v,
    };
    if let Some(v) = s.feed(body) {
        return v;
    }
    s.finish(body)
}

/// The verdict on `GET /` with the value in a cookie (percent-encoded).
pub fn cookie(p: &Profile, value: &str) -> Verdict {
    let c = format!("pref={}", urlencode(value));
    get_with_headers(p, &[("host", "shop.example"), ("cookie", &c)])
}

/// The verdict on the head of `GET /` with `pairs` as its headers.
pub fn get_with_headers(p: &Profile, pairs: &[(&'static str, &str)]) -> Verdict {
    let h = headers(pairs);
    inspect_head(
        p,
        &RequestHead {
            method: &Method::GET,
            path: "/",
            query: None,
            headers: &h,
            route: "r",
        },
    )
}
