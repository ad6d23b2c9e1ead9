//! SQL injection signals added in the third tuning pass, through the public API
//! (a query parameter of a balanced profile): each signal has payloads that
//! must be denied and benign look-alikes that must pass.
#![allow(clippy::expect_used)]

use http::{HeaderMap, HeaderValue, Method};
use rampart_waf::{Class, Profile, ProfileConfig, RequestHead, Verdict, inspect_head};

fn profile() -> Profile {
    Profile::compile("sqli", &ProfileConfig::default()).expect("profile compiles")
}

fn urlencode(s: &str) -> String {
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

fn query(p: &Profile, value: &str) -> Verdict {
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

fn assert_sqli(values: &[&str]) {
    let p = profile();
    for v in values {
        let verdict = query(&p, v);
        assert_eq!(
            verdict.detection().map(|d| d.class),
            Some(Class::Sqli),
            "{v:?} => {verdict:?}"
        );
    }
}

fn assert_allowed(values: &[&str]) {
    let p = profile();
    for v in values {
        assert_eq!(query(&p, v), Verdict::Allow, "{v:?}");
    }
}

#[test]
fn sqli_plain_operator_words_denied() {
    assert_sqli(&[
        "XOR",
        "RLIKE",
        "is null",
        "9999 or true",
        "or 88",
        "42 like 42",
    ]);
}

#[test]
fn sqli_plain_prose_with_logic_words_allowed() {
    assert_allowed(&[
        "black and white",
        "two or three apples",
        "it is what it is",
        "order 2 or more and save",
        "xorg",
    ]);
}

#[test]
fn sqli_glued_quote_logic_quote_denied() {
    assert_sqli(&["a'or'a", "foo'OR'oof", "\\'or'1", "\\\"or\"1", "x`and`1"]);
}

#[test]
fn sqli_quoted_logic_word_in_prose_allowed() {
    assert_allowed(&[
        "the 'or' operator",
        "say \"and\" twice",
        "rock'n'roll",
        "\"this\" or \"that\"",
    ]);
}
