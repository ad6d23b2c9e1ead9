//! Request-level signals added in the second tuning pass, through the public
//! API: decoded layers (base64, `name=value` inside one parameter), session
//! fixation, remote file inclusion by parameter name, and the per-request cache
//! of clean JSON values (a repeated clean value must never hide a later attack).
#![allow(clippy::expect_used)]

mod common;

use common::{headers, post_with, urlencode};
use http::Method;
use rampart_waf::{Class, Mode, Profile, ProfileConfig, RequestHead, Verdict, inspect_head};

fn profile(mode: Mode) -> Profile {
    let cfg = ProfileConfig {
        mode,
        ..ProfileConfig::default()
    };
    Profile::compile("signals", &cfg).expect("profile compiles")
}

fn get_with(p: &Profile, query: &str, extra: &[(&'static str, &str)]) -> Verdict {
    let mut pairs = vec![("host", "shop.example"), ("user-agent", "Mozilla/5.0")];
    pairs.extend_from_slice(extra);
    let h = headers(&pairs);
    inspect_head(
        p,
        &RequestHead {
            method: &Method::GET,
            path: "/login",
            query: Some(query),
            headers: &h,
            route: "r",
        },
    )
}

fn post(p: &Profile, ct: &str, body: &str, extra: &[(&'static str, &str)]) -> Verdict {
    let mut pairs = vec![("host", "shop.example")];
    pairs.extend_from_slice(extra);
    post_with(p, ct, body, &pairs)
}

fn class_of(v: &Verdict) -> Option<Class> {
    v.detection().map(|d| d.class)
}

#[test]
fn waf_denies_base64_encoded_node_payload_in_cookie() {
    // base64 of `require("child_process").exec('whoami')`
    let v = get_with(
        &profile(Mode::Balanced),
        "a=1",
        &[(
            "cookie",
            "c=cmVxdWlyZSgiY2hpbGRfcHJvY2VzcyIpLmV4ZWMoJ3dob2FtaScpCg==",
        )],
    );
    assert_eq!(class_of(&v), Some(Class::Generic), "{v:?}");
}

/// Text decoded from base64 is a value of its own, with its own encodings:
/// base64 of base64, and base64 of a percent-encoded payload whose MySQL
/// versioned comment only the value's raw view keeps, are read through both
/// layers.
#[test]
fn waf_reads_base64_text_as_a_value_with_its_own_layers() {
    let p = profile(Mode::Balanced);
    // base64 of base64 of `<svg onload=alert(document.domain)>`
    let v = get_with(
        &p,
        "q=UEhOMlp5QnZibXh2WVdROVlXeGxjblFvWkc5amRXMWxiblF1Wkc5dFlXbHVLVDQ9",
        &[],
    );
    assert_eq!(class_of(&v), Some(Class::Xss), "{v:?}");
    // `%27%20union%2B%2F%2A%21select%2A%2F%20%281%29%2C%282%29%2C%283%29--`
    let v = get_with(
        &p,
        "q=JTI3JTIwdW5pb24lMkIlMkYlMkElMjFzZWxlY3QlMkElMkYlMjAlMjgxJTI5JTJDJTI4MiUyOSUyQyUyODMlMjktLQ%3D%3D",
        &[],
    );
    assert_eq!(class_of(&v), Some(Class::Sqli), "{v:?}");
}

#[test]
fn waf_allows_base64_tokens_that_decode_to_binary_or_plain_text() {
    let p = profile(Mode::Balanced);
    // a session token and base64 of "hello world, see you tomorrow"
    for tok in [
        "c2Vzc2lvbi1pZC0xMjM0NTY3ODkw",
        "aGVsbG8gd29ybGQsIHNlZSB5b3UgdG9tb3Jyb3c=",
    ] {
        assert_eq!(
            get_with(&p, &format!("t={tok}"), &[]),
            Verdict::Allow,
            "{tok}"
        );
    }
}

#[test]
fn waf_denies_traversal_with_invalid_escapes_as_separators() {
    let v = get_with(
        &profile(Mode::Balanced),
        "q=..%25bg%25qf..%25bg%25qfetc%25bg%25qfpasswd",
        &[],
    );
    assert_eq!(class_of(&v), Some(Class::Lfi), "{v:?}");
}

#[test]
fn waf_allows_percent_signs_in_prose() {
    let v = get_with(
        &profile(Mode::Balanced),
        "q=100%25+cotton%2C+50%25off+etc.+passwd+reset+help",
        &[],
    );
    assert_eq!(v, Verdict::Allow);
}

#[test]
fn waf_denies_parameter_hidden_in_encoded_name() {
    // `pay%3DAND+1%3D1` decodes to one name holding `pay=AND 1=1`
    let v = post(
        &profile(Mode::Balanced),
        "application/x-www-form-urlencoded",
        "pay%3DAND+7639%3D%28SELECT+1%29",
        &[],
    );
    assert_eq!(class_of(&v), Some(Class::Sqli), "{v:?}");
}

#[test]
fn waf_allows_equals_signs_in_ordinary_values() {
    let v = post(
        &profile(Mode::Balanced),
        "application/x-www-form-urlencoded",
        "q=2%2B2%3D4&note=a%3Db+is+fine",
        &[],
    );
    assert_eq!(v, Verdict::Allow);
}

#[test]
fn waf_denies_session_id_parameter_with_offsite_referer() {
    let v = get_with(
        &profile(Mode::Balanced),
        "jsessionid=74B0CB414BD77D17",
        &[("referer", "https://attacker.example/x")],
    );
    assert_eq!(class_of(&v), Some(Class::Generic), "{v:?}");
}

#[test]
fn waf_allows_session_id_parameter_from_same_site() {
    let p = profile(Mode::Balanced);
    let same = get_with(
        &p,
        "jsessionid=74B0CB414BD77D17",
        &[("referer", "https://shop.example/cart")],
    );
    assert_eq!(same, Verdict::Allow);
    assert_eq!(
        get_with(&p, "jsessionid=74B0CB414BD77D17", &[]),
        Verdict::Allow
    );
}

#[test]
fn waf_judges_a_json_session_key_by_the_referer_even_when_the_document_repeats() {
    // the same document from the same site is remembered clean; sent from
    // another site, its session-id key is still judged
    let p = profile(Mode::Balanced);
    let body = r#"{"jsessionid":"74B0CB414BD77D17","item":"tea"}"#;
    let from = |referer: &str| post(&p, "application/json", body, &[("referer", referer)]);
    for _ in 0..3 {
        assert_eq!(from("https://shop.example/cart"), Verdict::Allow);
    }
    let v = from("https://attacker.example/x");
    assert_eq!(class_of(&v), Some(Class::Generic), "{v:?}");
    assert_eq!(from("https://shop.example/cart"), Verdict::Allow);
}

#[test]
fn waf_denies_remote_url_in_include_parameter() {
    let v = get_with(
        &profile(Mode::Balanced),
        "mosConfig_absolute_path=https://foo.bar/x",
        &[],
    );
    assert_eq!(class_of(&v), Some(Class::Rfi), "{v:?}");
}

#[test]
fn waf_allows_remote_url_in_redirect_parameter() {
    let v = get_with(
        &profile(Mode::Balanced),
        "redirect_uri=https%3A%2F%2Fapp.example.io%2Fcb&url=https://example.org/",
        &[],
    );
    assert_eq!(v, Verdict::Allow);
}

#[test]
fn waf_clean_value_cache_never_hides_a_later_attack() {
    // many identical clean items, then the same key with an attack value
    let mut body = String::from("{\"items\":[");
    for _ in 0..40 {
        body.push_str("{\"note\":\"gift wrap, please\"},");
    }
    body.push_str("{\"note\":\"1' UNION SELECT password FROM users--\"}]}");
    let v = post(&profile(Mode::Balanced), "application/json", &body, &[]);
    assert_eq!(class_of(&v), Some(Class::Sqli), "{v:?}");
}

#[test]
fn waf_strict_denies_whatever_balanced_denies() {
    let payloads = [
        "time sh -c whoami",
        "${'ff'}",
        "</head>",
        "OR '{\"b\":2}'::jsonb <@ '{\"a\":1}'::jsonb",
        "..%bg%qf..%bg%qf..%bg%qfetc",
    ];
    let (b, s) = (profile(Mode::Balanced), profile(Mode::Strict));
    for p in payloads {
        let q = format!("q={}", urlencode(p));
        let vb = get_with(&b, &q, &[]);
        assert_ne!(vb, Verdict::Allow, "balanced allows {p}");
        assert_ne!(get_with(&s, &q, &[]), Verdict::Allow, "strict allows {p}");
    }
}

#[test]
fn waf_denies_unpadded_alphanumeric_base64_payload() {
    // base64 of `_$$ND_FUNC$$_function()` + newline: no padding, no `+` `/`
    let p = profile(Mode::Balanced);
    let v = get_with(&p, "c=XyQkTkRfRlVOQyQkX2Z1bmN0aW9uKCkK", &[]);
    assert_ne!(v, Verdict::Allow);
}

#[test]
fn waf_allows_alphanumeric_tokens_that_are_not_text() {
    let p = profile(Mode::Balanced);
    for q in [
        "t=Q7kX9vLmP2sT8wYz4RbN",
        "t=aGVsbG8gd29ybGQgaG93IGFyZSB5b3U",
        "sid=74B0CB414BD77D17B5680A6386EF1666",
    ] {
        assert_eq!(get_with(&p, q, &[]), Verdict::Allow, "{q}");
    }
}

#[test]
fn waf_denies_php_short_tag_spelled_as_xml_declaration() {
    let p = profile(Mode::Balanced);
    let v = get_with(&p, &format!("foo={}", urlencode("<?xml :echo 1;")), &[]);
    assert_eq!(class_of(&v), Some(Class::Php), "{v:?}");
}

#[test]
fn waf_allows_xml_declarations_and_processing_instructions() {
    let p = profile(Mode::Balanced);
    for x in [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>1</a>",
        "<?xml-stylesheet type=\"text/xsl\" href=\"s.xsl\"?>",
    ] {
        let v = post(&p, "application/xml", x, &[]);
        assert_eq!(v, Verdict::Allow, "{x}");
    }
}

#[test]
fn waf_denies_dom_sink_split_by_block_comments() {
    let p = profile(Mode::Balanced);
    let q = format!("a={}", urlencode("document /*foo*/ .     cookie"));
    assert_eq!(class_of(&get_with(&p, &q, &[])), Some(Class::Xss));
}

#[test]
fn waf_allows_block_comment_in_plain_text() {
    let p = profile(Mode::Balanced);
    let q = format!("a={}", urlencode("see the note /* draft */ below"));
    assert_eq!(get_with(&p, &q, &[]), Verdict::Allow);
}
