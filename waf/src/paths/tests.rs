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
    ] {
        assert!(scores(p, Field::Value).2 >= 5, "{p}");
    }
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
