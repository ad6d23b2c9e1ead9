//! Session attacks. Fixation: a session identifier passed as a request
//! parameter on a request whose `Referer` points at another site; a victim who
//! follows such a link logs in under an identifier the attacker chose (this
//! check knows only header and parameter names). Forgery: a JSON Web Token
//! whose header declares no signature (`"alg":"none"`), read from the
//! `Authorization` header or a cookie's value.

use std::sync::LazyLock;

use http::HeaderMap;
use memchr::memmem::Finder;

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

/// True when `raw` holds a JSON Web Token whose header declares the `none`
/// algorithm (RFC 7519 §6, an "unsecured JWT"): a verifier that honours the
/// header accepts any claims without a signature, which is what a client
/// sending one is trying. Tokens start with `eyJ` (base64url of `{"`); the
/// header segment is decoded and read with blanks and case ignored.
pub(crate) fn unsigned_jwt(raw: &[u8]) -> bool {
    static TOKEN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"eyJ"));
    TOKEN.find_iter(raw).take(4).any(|at| {
        let seg = &raw[at..];
        let len = seg
            .iter()
            .take(2048)
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
            .count();
        if seg.get(len) != Some(&b'.') {
            return false;
        }
        let Some(header) = crate::base64::decode(&seg[..len], false) else {
            return false;
        };
        let squeezed: Vec<u8> = header
            .iter()
            .filter(|b| !b.is_ascii_whitespace())
            .map(u8::to_ascii_lowercase)
            .collect();
        memchr::memmem::find(&squeezed, br#""alg":"none""#).is_some()
    })
}

/// Adds the unsigned-token signal for `raw` to `hits`.
pub(crate) fn check_token(raw: &[u8], hits: &mut Hits) {
    if unsigned_jwt(raw) {
        hits.add(Class::Generic, "generic-jwt-none", 7);
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

    /// Unsigned tokens (`"alg":"none"` in any case or spacing) are found in a
    /// bearer header or a cookie; signed ones and look-alikes are not.
    #[test]
    fn unsigned_jwt_found() {
        // {"alg":"none","typ":"JWT"} / {"typ":"JWT", "alg" : "None"}, claims, no signature
        for v in [
            "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VyIjoiYWRtaW4ifQ.",
            "sid=eyJ0eXAiOiJKV1QiLCAiYWxnIiA6ICJOb25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.x",
        ] {
            assert!(unsigned_jwt(v.as_bytes()), "{v}");
        }
        // {"alg":"HS256","typ":"JWT"}, a base64 JSON document, no token at all
        for v in [
            "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyIjoiYWRtaW4ifQ.c2ln",
            "eyJub3RlIjoibm9uZSJ9",
            "Basic dXNlcjpwYXNz",
        ] {
            assert!(!unsigned_jwt(v.as_bytes()), "{v}");
        }
    }
}
