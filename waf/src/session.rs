//! Session fixation: a session identifier passed as a request parameter on a
//! request whose `Referer` points at another site. A victim who follows such a
//! link logs in under an identifier the attacker chose. Knows only header and
//! parameter names; never looks at parameter values.

use http::HeaderMap;

use crate::detect::Hits;
use crate::verdict::Class;

/// True when `name` (a query / form parameter or JSON key) names a session
/// identifier of a common web framework (`jsessionid`, `phpsessid`,
/// `laravel_session`, `connect.sid`, `cftoken` ...).
pub(crate) fn session_param(name: &[u8]) -> bool {
    if name.len() > 64 {
        return false;
    }
    let l = name.to_ascii_lowercase();
    let has = |n: &[u8]| memchr::memmem::find(&l, n).is_some();
    has(b"sess")
        || l.ends_with(b".sid")
        || l.ends_with(b"_sid")
        || has(b"login_token")
        || has(b"shiny-token")
        || matches!(
            l.as_slice(),
            b"sid" | b"cfid" | b"cftoken" | b"cakephp" | b"session-token"
        )
}

/// True when the request carries a `Referer` whose host differs from `Host`
/// (a missing or unparsable Referer is not off-site).
pub(crate) fn offsite_referer(headers: &HeaderMap) -> bool {
    let Some(referer) = headers.get(http::header::REFERER) else {
        return false;
    };
    let Some(host) = headers.get(http::header::HOST) else {
        return false;
    };
    let r = referer.as_bytes().to_ascii_lowercase();
    let Some(p) = memchr::memmem::find(&r, b"://") else {
        return false;
    };
    let authority = r[p + 3..]
        .split(|&b| matches!(b, b'/' | b'?' | b'#'))
        .next()
        .unwrap_or(b"");
    let rhost = authority.rsplit(|&b| b == b'@').next().unwrap_or(b"");
    let strip = |h: &[u8]| -> Vec<u8> {
        match h.iter().rposition(|&b| b == b':') {
            Some(c) if !h.contains(&b']') || h.ends_with(b"]") => {
                if h[c + 1..].iter().all(u8::is_ascii_digit) {
                    h[..c].to_vec()
                } else {
                    h.to_vec()
                }
            }
            _ => h.to_vec(),
        }
    };
    let own = host.as_bytes().to_ascii_lowercase();
    !rhost.is_empty() && strip(rhost) != strip(&own)
}

/// Adds the fixation signal when a session parameter meets an off-site Referer.
pub(crate) fn check(name: &[u8], offsite: bool, hits: &mut Hits) {
    if offsite && session_param(name) {
        hits.add(Class::Generic, "generic-session-fixation", 5);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(host: &'static str, referer: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::HOST, HeaderValue::from_static(host));
        if let Some(r) = referer {
            h.insert(http::header::REFERER, HeaderValue::from_static(r));
        }
        h
    }

    #[test]
    fn session_param_names_recognised() {
        for n in [
            "jsessionid",
            "PHPSESSID",
            "connect.sid",
            "cftoken",
            "laravel_session",
        ] {
            assert!(session_param(n.as_bytes()), "{n}");
        }
        for n in ["q", "page", "token", "consider"] {
            assert!(!session_param(n.as_bytes()), "{n}");
        }
    }

    #[test]
    fn session_offsite_referer_detected() {
        assert!(offsite_referer(&headers(
            "shop.example",
            Some("https://evil.example/x")
        )));
    }

    #[test]
    fn session_same_site_or_missing_referer_allowed() {
        assert!(!offsite_referer(&headers(
            "shop.example",
            Some("https://shop.example/a")
        )));
        assert!(!offsite_referer(&headers(
            "shop.example:8443",
            Some("https://shop.example:8443/")
        )));
        assert!(!offsite_referer(&headers("shop.example", None)));
    }
}
