//! The whole engine on arbitrary input: the bytes become a path, a query, the
//! User-Agent, Referer and Cookie values and a body (as text, form, JSON and XML,
//! and under a `Content-Type` made of the same bytes), so every detector and the media-type gate see them through the
//! same entry points the gateway uses. Nothing may panic.
#![no_main]

use std::sync::LazyLock;

use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;
use rampart_waf::{BodyScanner, Profile, ProfileConfig, RequestHead, inspect_head};

static PROFILE: LazyLock<Option<Profile>> =
    LazyLock::new(|| Profile::compile("fuzz", &ProfileConfig::default()).ok());

fuzz_target!(|data: &[u8]| {
    let Some(profile) = PROFILE.as_ref() else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    let path = format!("/{}", text.replace(['?', '#'], ""));
    let own_type = HeaderValue::from_bytes(data).ok();
    let types = [
        Some(HeaderValue::from_static("text/plain")),
        Some(HeaderValue::from_static(
            "application/x-www-form-urlencoded",
        )),
        Some(HeaderValue::from_static("application/json")),
        Some(HeaderValue::from_static("application/xml")),
        own_type,
    ];
    for ct in types.into_iter().flatten() {
        let mut h = HeaderMap::new();
        h.insert("content-type", ct);
        if let Ok(v) = HeaderValue::from_bytes(data) {
            h.insert("user-agent", v.clone());
            h.insert("referer", v.clone());
            h.insert("cookie", v);
        }
        let head = RequestHead {
            method: &Method::POST,
            path: &path,
            query: Some(&text),
            headers: &h,
            route: "r",
        };
        let _ = inspect_head(profile, &head);
        if let Ok(mut s) = BodyScanner::new(profile, &head) {
            let _ = s.feed(data);
            let _ = s.finish(data);
        }
    }
});
