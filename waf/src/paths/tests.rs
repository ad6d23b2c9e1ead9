//! Path, URL and host checks: payloads that must score and look-alikes that must not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn paths_remote_url_in_file_parameter_detected() {
    let mut h = Hits::default();
    remote_include(b"mosConfig_absolute_path", b"https://foo.bar", &mut h);
    assert!(h.score(Class::Rfi) >= 5);
}

#[test]
fn paths_remote_url_in_url_parameter_allowed() {
    let mut h = Hits::default();
    remote_include(b"redirect_uri", b"https://app.example.io/cb", &mut h);
    remote_include(b"url", b"https://example.org/", &mut h);
    assert_eq!(h.score(Class::Rfi), 0);
}

#[test]
fn paths_remote_include_reads_glued_names_and_unc_paths() {
    for (name, value) in [
        ("basepath", "http://evil.example/shell.txt"),
        ("admindir", "https://198.51.100.23/c99.txt"),
        ("phpdns_basedir", "ftp://files.example/x.php"),
        ("rootBase", "//evil.example/inc.php"),
        ("PathNews", "\\\\198.51.100.4\\share\\shell.php"),
        ("path_prefix", "\\\\fileserver\\share\\x.php"),
    ] {
        let mut h = Hits::default();
        remote_include(name.as_bytes(), value.as_bytes(), &mut h);
        assert!(h.score(Class::Rfi) >= 5, "{name}={value}");
    }
    for (name, value) in [
        // names that say the parameter holds a URL
        ("file_url", "https://cdn.example.com/report.pdf"),
        ("rootUrl", "https://grafana.example.com/"),
        ("template_uri", "https://example.com/t.html"),
        ("autoredir", "https://example.com/"),
        // a file-selecting name with a local value
        ("template_dir", "themes/default"),
    ] {
        let mut h = Hits::default();
        remote_include(name.as_bytes(), value.as_bytes(), &mut h);
        assert_eq!(h.score(Class::Rfi), 0, "{name}={value}");
    }
}

#[test]
fn paths_address_without_scheme_at_the_start_scores_as_with_one() {
    assert_eq!(
        scores("\\\\198.51.100.4\\share\\shell.php", Field::Value).1,
        5
    );
    assert_eq!(scores("//198.51.100.4/x.php", Field::Value).1, 5);
    let mut h = Hits::default();
    scan(b"\\\\10.0.0.5\\c\\x", Field::Value, &mut h);
    assert!(h.score(Class::Ssrf) >= 5);
    for v in [
        "\\\\fileserver\\share\\doc.txt",
        "// 192.168.1.1 is the router",
        "//cdn.example.com/app.js",
    ] {
        let mut h = Hits::default();
        scan(v.as_bytes(), Field::Value, &mut h);
        assert_eq!((h.score(Class::Rfi), h.score(Class::Ssrf)), (0, 0), "{v}");
    }
}

use proptest::prelude::*;

use super::*;

fn scores(v: &str, f: Field) -> (u32, u32, u32) {
    let mut h = Hits::default();
    scan(v.as_bytes(), f, &mut h);
    (
        h.score(Class::Lfi),
        h.score(Class::Rfi),
        h.score(Class::Ssrf),
    )
}

#[test]
fn paths_traversal_variants_detected() {
    for p in [
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "0x2e0x2e/0x2e0x2e/etc",
        "....//....//etc/passwd",
        "..;/..;/admin",
    ] {
        assert!(scores(p, Field::Value).0 >= 5, "{p}");
    }
}

#[test]
fn paths_ssrf_hosts_detected() {
    for p in [
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",
        "http://[::ffff:a9fe:a9fe]/",
        "gopher://127.0.0.1:6379/_",
        "http://0x7f.1/",
        "http://metadata.google.internal/",
        // a NUL ends the host for a client written in C
        "http://127.0.0.1\0example.com",
        "http://127.0.0.1%00.example.com/x",
        // the distributions' loopback aliases and other clouds' metadata names
        "localhost4.localdomain4/",
        "ipv6-localhost/",
        "http://ip6-loopback:8080/admin",
        "https://metadata.packet.net/userdata",
        "http://metadata.tencentyun.com/latest/meta-data/",
    ] {
        assert!(scores(p, Field::Value).2 >= 5, "{p}");
    }
    assert_eq!(scores("http://example.com/a%00b", Field::Value).2, 0);
}

#[test]
fn paths_an_address_after_a_url_is_no_userinfo_confusion() {
    let profile = r#"{"website": ["http://shop.example.com/"], "mail": "anna@example.org"}"#;
    assert!(scores(profile, Field::Value).1 < 5, "{profile}");
    assert!(scores("http://a.example/:x@evil.example/", Field::Value).1 >= 5);
}

#[test]
fn paths_public_urls_pass() {
    for p in [
        "https://news.example.co.uk/world/europe/article-123456",
        "https://cdn.example.com/assets/img/logo@2x.png",
        "/dashboard/reports?range=last_30_days",
    ] {
        let (l, r, s) = scores(p, Field::Value);
        assert!(l < 5 && r < 5 && s < 5, "{p}");
    }
}

#[test]
fn paths_loose_ipv4_parses_like_inet_aton() {
    assert_eq!(
        parse_loose_ipv4("2130706433"),
        Some(Ipv4Addr::new(127, 0, 0, 1))
    );
    assert_eq!(
        parse_loose_ipv4("0177.0.0.1"),
        Some(Ipv4Addr::new(127, 0, 0, 1))
    );
    assert_eq!(
        parse_loose_ipv4("0x7f.1"),
        Some(Ipv4Addr::new(127, 0, 0, 1))
    );
    assert_eq!(parse_loose_ipv4("example"), None);
}

#[test]
fn paths_wrapped_numeric_and_bare_ipv6_hosts_detected() {
    // low 32 bits = 169.254.169.254
    assert!(scores("http://7147006462/", Field::Value).2 >= 5);
    assert!(scores("http://0x41414141A9FEA9FE/", Field::Value).2 >= 5);
    assert!(scores("https://2001:41d0:701:1100::29c8/gecko.php", Field::Value).1 >= 5);
}

#[test]
fn paths_confused_authority_detected() {
    assert!(
        scores(
            "http://google.com:80 &@127.88.23.245:22/# @google.com:80/",
            Field::Value
        )
        .2 >= 5
    );
    assert!(scores("http://example.com/:asd@evil.com/", Field::Value).1 >= 5);
    assert!(scores("http://\\l\\o\\c\\a\\l\\h\\o\\s\\t/", Field::Value).2 >= 5);
}

#[test]
fn paths_at_signs_and_big_numbers_in_public_urls_allowed() {
    for v in [
        "https://medium.com/@john.doe/post-1",
        "https://example.com/orders/71470064620123",
        "https://maps.example.com/@52.37,4.89,12z",
        "https://example.com/u/me@example.org",
    ] {
        assert_eq!(scores(v, Field::Value), (0, 0, 0), "{v}");
    }
}

// === equivalence with the reference detector ===
//
// `scan` borrows instead of copying (lowercase and `0x2e` views, host
// names) and finds its literals by first byte; these tests hold it to the
// code it replaced, kept in `reference`.

/// Traversal, URL and host pieces the detector keys on.
const PIECES: &[&str] = &[
    ".",
    "..",
    "../",
    "..\\",
    "..;/",
    "...",
    "/",
    "\\",
    "//",
    ":",
    "://",
    ":/",
    "?",
    "#",
    "@",
    "=",
    " ",
    "\"",
    "'",
    "(",
    "[",
    "]",
    "%00",
    "\0",
    "0x2e",
    "0X2E",
    "0x2E",
    "0x2f",
    "0x5c",
    "0x",
    "http",
    "HTTP",
    "https",
    "ftp",
    "file",
    "gopher",
    "dict",
    "mailto",
    "data:",
    "image/",
    "jar",
    "smb",
    "compress.zlib",
    "localhost",
    "LocalHost",
    "metadata",
    ".internal",
    ".nip.io",
    "127.0.0.1",
    "10.0.0.1",
    "169.254.169.254",
    "0177.0.0.1",
    "0x7f.1",
    "2130706433",
    "7147006462",
    "8.8.8.8",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "::1",
    "fe80::1",
    "example.com",
    "a.b",
    ":80",
    ":8080",
    ".php",
    ".txt",
    ".sh",
    ".gif?",
    "?",
    ".git",
    ".env",
    ".well-known",
    "etc",
    "passwd",
    "user",
    "é",
    "ÿ",
    "1",
    "00",
    "+",
    // colons in text, and the shapes `may_hold_url` lets through
    "saying:",
    "10:41",
    ":\\\\",
    "\\/",
    "DATA:",
    "Gopher:",
    "x@",
    "2026-11-22t10:41:07z",
];

fn pathish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        8 => proptest::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        2 => "[a-zA-Z0-9]{1,6}".prop_map(String::into_bytes),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
    ];
    proptest::collection::vec(piece, 0..20).prop_map(|v| v.concat())
}

fn assert_same_as_reference(v: &[u8]) {
    for field in Field::ALL {
        assert_eq!(
            crate::detect::signals(scan, v, field),
            crate::detect::signals(reference::scan, v, field),
            "{:?} {field:?}",
            String::from_utf8_lossy(v)
        );
    }
    let text = String::from_utf8_lossy(v);
    assert_eq!(classify_host(&text), reference::classify_host(&text));
    assert_eq!(parse_loose_ipv4(&text), reference::parse_loose_ipv4(&text));
}

#[test]
fn paths_examples_match_reference() {
    for p in PIECES {
        assert_same_as_reference(p.as_bytes());
    }
    for p in [
        "gift wrap please, and include a note saying: happy birthday, love from all of us!",
        "m.oconnell@example.org",
        "2026-11-22t10:41:07z",
        "leave with the neighbour at number 16 if nobody is home.",
        "localhost",
        "localhost/x",
        "10.0.0.1:80",
        "a@127.0.0.1/",
        "127.0.0.1 /x",
        "+353 1 555 0142",
        "https://shop.example.com/p/tea?x=1",
        "../../etc/passwd",
        "0x2e0x2e/0x2e0x2e/etc",
        "http://\\l\\o\\c\\a\\l\\h\\o\\s\\t/",
        "http://google.com:80 &@127.88.23.245:22/# @google.com:80/",
        "1.2.3.4.5",
        "0x+1.2",
        // a `0.` is not a `..`: the upper-case `0X2E` spelling is not folded
        // unless a `..` or a lower-case `0x2e`/`0x2E` occurs
        "0X2E0X2E//127.0.0.1.php:80",
    ] {
        assert_same_as_reference(p.as_bytes());
    }
}

#[test]
fn paths_cidr_prefix_is_no_path_on_an_internal_host() {
    for v in [
        "10.0.0.0/8 is a private range",
        "192.168.0.0/16",
        "fd00::/8, 10.0.0.0/8",
    ] {
        assert_eq!(scores(v, Field::Value).2, 0, "{v}");
    }
    for v in [
        "10.0.0.1/admin",
        "169.254.169.254/latest/meta-data/",
        "127.0.0.1/8080x",
    ] {
        assert!(scores(v, Field::Value).2 >= 5, "{v}");
    }
}

/// A scheme name a blank follows ends a clause (`For MySQL: SHOW …`); no URL
/// has a blank after its scheme. The same names with a URL's next byte still
/// send a server-side client to a back end.
#[test]
fn paths_scheme_names_before_a_blank_are_words() {
    for v in [
        "For MySQL: SHOW VARIABLES LIKE 'max_connections'",
        "We use Redis: SET session:123 \"data\" EX 3600",
        "LDAP: the directory",
    ] {
        assert_eq!(scores(v, Field::Value).2, 0, "{v}");
    }
    for v in [
        "gopher:_x",
        "dict:/x",
        "ldap:x",
        "redis:localhost",
        "mysql:x",
    ] {
        assert!(scores(v, Field::Value).2 >= 5, "{v}");
    }
}

#[test]
fn paths_data_uri_needs_its_syntax() {
    let php = |v: &str| {
        let mut h = Hits::default();
        scan(v.as_bytes(), Field::Value, &mut h);
        h.score(Class::Php)
    };
    for v in [
        "data: plan upgrade",
        "data: plan, upgrade",
        "data: 5 GB left",
    ] {
        assert_eq!(php(v), 0, "{v}");
    }
    for v in [
        "data:text/plain",
        "data:,<x>",
        " data: , <x> ",
        "data://text/plain;base64,PD9waHA=",
        "data:;base64,PD9waHA=",
    ] {
        assert!(php(v) >= 5, "{v}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn paths_scan_matches_reference_on_url_text(v in pathish()) {
        assert_same_as_reference(&v);
    }

    #[test]
    fn paths_scan_matches_reference_on_any_bytes(v in proptest::collection::vec(any::<u8>(), 0..64)) {
        assert_same_as_reference(&v);
    }
}

#[test]
fn paths_multibyte_before_at_sign_does_not_panic() {
    // the host found after `@` is shorter than the first word's bytes up to it
    let rules = crate::rules::Rules::build().unwrap();
    for v in [
        "aéééé@10.0.0.1/",
        "aéééé@169.254.169.254:80",
        "ééé@localhost/",
    ] {
        let _ = crate::detect::scan_value(&rules, crate::detect::Field::Value, v.as_bytes());
        let mut h = crate::detect::Hits::default();
        super::scan(v.as_bytes(), crate::detect::Field::Value, &mut h);
    }
}

/// URL pieces without `/` (values with one go to `urls` ungated): schemes
/// in any case, colons, backslashes, hosts, `@`.
fn colonish() -> impl Strategy<Value = Vec<u8>> {
    const SCHEMELESS: &[&str] = &[
        "http",
        "HTTP",
        "https",
        "file",
        "File",
        "data",
        "gopher",
        "mailto",
        "ftp",
        "ssh",
        "compress.zlib",
        "x",
        "saying",
        "10",
        ":",
        ":",
        ":",
        "\\",
        "\\\\",
        "127.0.0.1",
        "localhost",
        "2130706433",
        "[::1]",
        "10.0.0.1",
        "example.com",
        " ",
        "?",
        "#",
        "%00",
        ".php",
        "image",
        "é",
        ":\\\\",
        ":\\\\127.0.0.1",
        "ssh:\\\\",
        "@",
        "a@",
        "@127.0.0.1:",
        "@localhost:",
        "m.oconnell@example.org",
    ];
    let piece = prop_oneof![
        6 => proptest::sample::select(SCHEMELESS).prop_map(|p| p.as_bytes().to_vec()),
        1 => "[a-zA-Z0-9.+-]{1,6}".prop_map(String::into_bytes),
        1 => any::<u8>().prop_filter("no /", |b| *b != b'/').prop_map(|b| vec![b]),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

#[test]
fn paths_url_gate_lets_url_shapes_through() {
    for v in [
        "http:2130706433",
        "HTTP:[::1]",
        "file:x",
        "ssh:\\\\localhost",
        "gopher:x",
        "data:text",
        "a@127.0.0.1:80",
    ] {
        assert!(may_hold_url(v.as_bytes()), "{v}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn paths_urls_add_nothing_where_the_gate_says_so(v in colonish()) {
        if !may_hold_url(&v) {
            for field in Field::ALL {
                let mut h = Hits::default();
                urls(&v, field, &mut h);
                prop_assert_eq!(format!("{h:?}"), format!("{:?}", Hits::default()));
            }
        }
        assert_same_as_reference(&v);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The (first letter, length) check in `known_scheme` only rules out
    /// words that are in neither list.
    #[test]
    fn paths_known_scheme_shape_check_is_exact(
        pick in any::<proptest::sample::Index>(),
        cut in 0usize..3,
        tail in "[a-zA-Z0-9+.-]{0,3}",
        upper in any::<bool>(),
        other in "[a-zA-Z][a-zA-Z0-9+.-]{0,16}",
        listed in any::<bool>(),
    ) {
        let all: Vec<&str> = SSRF_SCHEMES.iter().chain(RFI_SCHEMES).copied().collect();
        let w = if listed {
            let k = all[pick.index(all.len())];
            let mut w = k.as_bytes()[..k.len() - cut.min(k.len() - 1)].to_vec();
            w.extend_from_slice(tail.as_bytes());
            if upper {
                w.make_ascii_uppercase();
            }
            w
        } else {
            other.into_bytes()
        };
        prop_assert_eq!(known_scheme(&w), known_scheme_in_lists(&w), "{:?}", String::from_utf8_lossy(&w));
    }
}
