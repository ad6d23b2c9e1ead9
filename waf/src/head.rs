//! Inspection of what the gateway knows before the body: path, query names and
//! values, header values and cookies. Decides which detector field each part is
//! and which headers are structurally safe to skip. No body handling here.

use http::HeaderMap;

use crate::detect::{Field, Hits, scan_memo, scan_memo_with, scan_path, scan_value};
use crate::form::for_each_urlencoded_pair;
use crate::normalise::url_decode;
use crate::profile::Profile;
use crate::verdict::{Class, Location, Verdict};

/// What the gateway knows before reading the body. Raw bytes as received; the
/// engine normalises. `route` is the route name (exclusions may name a route).
#[derive(Clone, Copy, Debug)]
pub struct RequestHead<'a> {
    /// Request method.
    pub method: &'a http::Method,
    /// Raw path, still percent-encoded.
    pub path: &'a str,
    /// Raw query string without `?`.
    pub query: Option<&'a str>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Route name.
    pub route: &'a str,
}

/// Headers whose values are structurally constrained (negotiation, caching,
/// framing, credentials) and carry no application data worth scanning; scanning
/// them mostly produces false positives (`Accept: */*;q=0.8`). They are only
/// checked for payload markers none of their values holds (log4j lookups,
/// shellshock: `Rules::header_markers`).
const SKIP_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "accept-language",
    "accept-charset",
    "accept-datetime",
    "content-length",
    "content-type",
    "connection",
    "keep-alive",
    "cache-control",
    "pragma",
    "upgrade-insecure-requests",
    "if-none-match",
    "if-match",
    "if-modified-since",
    "if-unmodified-since",
    "if-range",
    "dnt",
    "te",
    "authorization",
    "proxy-authorization",
    "proxy-connection",
    "priority",
    "host",
    "range",
    "etag",
    "sec-ch-ua",
    "sec-ch-ua-mobile",
    "sec-ch-ua-platform",
    "sec-fetch-dest",
    "sec-fetch-mode",
    "sec-fetch-site",
    "sec-fetch-user",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "upgrade",
    "content-encoding",
    "x-request-id",
    "traceparent",
    "tracestate",
    "x-csrf-token",
    "x-xsrf-token",
    "access-control-request-method",
    "access-control-request-headers",
];

/// Inspects path, query, headers and cookies.
pub fn inspect_head(profile: &Profile, head: &RequestHead<'_>) -> Verdict {
    match inspect(profile, head) {
        Some(v) => v,
        None => Verdict::Allow,
    }
}

fn inspect(profile: &Profile, head: &RequestHead<'_>) -> Option<Verdict> {
    let ins = profile.inspect();
    let rules = profile.rules();
    let route = head.route;
    let judge = |hits: &Hits, loc: &dyn Fn() -> Location| {
        profile.judge(route, hits, loc).map(|d| profile.verdict(d))
    };
    if ins.path {
        let mut once = Vec::with_capacity(head.path.len());
        url_decode(head.path.as_bytes(), false, &mut once);
        // an API's paths repeat request after request: a path this profile
        // already scanned clean is not scanned again (memo.rs)
        if let Some(hits) = scan_memo_with(profile, Field::Path, &once, |r| scan_path(r, &once))
            && let Some(v) = judge(&hits, &|| Location::Path)
        {
            return Some(v);
        }
    }
    if ins.query
        && let Some(q) = head.query
    {
        let mut found = None;
        let offsite = crate::session::offsite_referer(head.headers);
        for_each_urlencoded_pair(q.as_bytes(), &mut |name, value| {
            let name = crate::form::name_of_pair(name, value);
            let mut n = scan_value(rules, Field::Name, name);
            crate::session::check(name, offsite, &mut n);
            if let Some(v) = judge(&n, &|| Location::QueryName) {
                found = Some(v);
                return false;
            }
            let mut h = scan_value(rules, Field::Value, value);
            crate::paths::remote_include(name, value, &mut h);
            if let Some(v) = judge(&h, &|| {
                Location::QueryValue(String::from_utf8_lossy(name).into_owned())
            }) {
                found = Some(v);
                return false;
            }
            if let Some(whole) = crate::form::whole_pair(name, value)
                && let Some(v) = judge(&scan_value(rules, Field::Value, &whole), &|| {
                    Location::QueryName
                })
            {
                found = Some(v);
                return false;
            }
            true
        });
        if found.is_some() {
            return found;
        }
    }
    if ins.headers {
        if let Some(v) = framing(profile, head) {
            return Some(v);
        }
        for (name, value) in head.headers {
            let n = name.as_str();
            if n == "cookie" {
                continue;
            }
            if SKIP_HEADERS.contains(&n) {
                // not scanned as text, but no value of these holds a lookup
                let mut hits = Hits::default();
                crate::rules::Rules::header_markers(value.as_bytes(), &mut hits);
                if n.ends_with("authorization") {
                    // `Bearer <token>` with an unsigned token
                    crate::session::check_token(value.as_bytes(), &mut hits);
                }
                if let Some(v) = judge(&hits, &|| Location::Header(n.to_owned())) {
                    return Some(v);
                }
                continue;
            }
            if n == "referer" {
                if let Some(v) = referer(profile, route, value.as_bytes()) {
                    return Some(v);
                }
                continue;
            }
            let field = match n {
                "origin" => Field::UrlHeader,
                "user-agent" => Field::UserAgent,
                "x-file-name" | "x-filename" | "x_filename" | "x.filename" | "x-file" => {
                    Field::FileName
                }
                _ => Field::Header,
            };
            // a client sends the same User-Agent (or Referer) on every request
            if let Some(hits) = scan_memo(profile, field, value.as_bytes())
                && let Some(v) = judge(&hits, &|| Location::Header(n.to_owned()))
            {
                return Some(v);
            }
        }
    }
    if ins.cookies {
        for value in head.headers.get_all(http::header::COOKIE) {
            for pair in value.as_bytes().split(|&b| b == b';') {
                let pair = trim(pair);
                if pair.is_empty() {
                    continue;
                }
                let (name, val) = match memchr::memchr(b'=', pair) {
                    Some(p) => (&pair[..p], &pair[p + 1..]),
                    None => (&pair[..0], pair),
                };
                let mut n = Vec::new();
                url_decode(name, false, &mut n);
                let mut v = Vec::new();
                url_decode(val, false, &mut v);
                // and the same cookies
                let cookie = || Location::Cookie(String::from_utf8_lossy(&n).into_owned());
                // a session token as sent: an unsigned one is forged
                if val.starts_with(b"eyJ") {
                    let mut token = Hits::default();
                    crate::session::check_token(val, &mut token);
                    if let Some(v) = judge(&token, &cookie) {
                        return Some(v);
                    }
                }
                for (field, part) in [(Field::Name, &n), (Field::Value, &v)] {
                    if let Some(hits) = scan_memo(profile, field, part)
                        && let Some(v) = judge(&hits, &cookie)
                    {
                        return Some(v);
                    }
                }
                let mut include = Hits::default();
                crate::paths::remote_include(&n, &v, &mut include);
                if let Some(v) = judge(&include, &cookie) {
                    return Some(v);
                }
            }
        }
    }
    None
}

/// A Referer is the URL of the page the client came from, with the query
/// string that page received: its parameters are scanned one by one, as the
/// request's own are (a payload in `?q=` is as much a payload in a Referer, and
/// the Referer ends up in logs and analytics). Values skip the URL-host checks
/// (`?service=http://10.0.0.12/` is how single sign-on sends users back), so they
/// are scanned as a URL header is. The rest of the URL (and a fragment, which
/// browsers never send) is scanned whole. Each part goes through the memo: a
/// client sends the same Referer request after request.
fn referer(profile: &Profile, route: &str, value: &[u8]) -> Option<Verdict> {
    let at = || Location::Header("referer".to_owned());
    let check = |field: Field, part: &[u8]| {
        let hits = scan_memo(profile, field, part)?;
        profile.judge(route, &hits, &at).map(|d| profile.verdict(d))
    };
    let Some(q) = memchr::memchr(b'?', value) else {
        return check(Field::UrlHeader, value);
    };
    let (query, fragment) = match memchr::memchr(b'#', &value[q + 1..]) {
        Some(h) => (&value[q + 1..q + 1 + h], &value[q + 2 + h..]),
        None => (&value[q + 1..], &value[..0]),
    };
    let mut found = check(Field::UrlHeader, &value[..q]);
    if found.is_none() && !fragment.is_empty() {
        found = check(Field::UrlHeader, fragment);
    }
    if found.is_none() {
        for_each_urlencoded_pair(query, &mut |name, v| {
            found = check(Field::Name, name).or_else(|| check(Field::UrlHeader, v));
            found.is_none()
        });
    }
    found
}

/// Request framing that only smuggling needs: a Transfer-Encoding other than a
/// plain `chunked`, or a non-numeric Content-Length; and a Content-Type built
/// to be read two ways (a media type inside a parameter:
/// [`MediaTypeRef::media_type_in_parameter`]), refused as an attack whether
/// or not a body follows.
///
/// [`MediaTypeRef::media_type_in_parameter`]: crate::content_type::MediaTypeRef::media_type_in_parameter
fn framing(profile: &Profile, head: &RequestHead<'_>) -> Option<Verdict> {
    let mut hits = Hits::default();
    for ct in head.headers.get_all(http::header::CONTENT_TYPE) {
        let ct = ct.as_bytes();
        // only a `/` after a `;` can be a media type in a parameter
        let slash_in_params =
            memchr::memchr(b';', ct).is_some_and(|p| memchr::memchr(b'/', &ct[p..]).is_some());
        if slash_in_params
            && crate::content_type::parse_media_type_ref(ct)
                .is_ok_and(|m| m.media_type_in_parameter())
        {
            hits.add(Class::Protocol, "content-type-confusion", 7);
        }
    }
    if let Some(d) = profile.judge(head.route, &hits, &|| {
        Location::Header("content-type".into())
    }) {
        return Some(profile.verdict(d));
    }
    let mut hits = Hits::default();
    for te in head.headers.get_all(http::header::TRANSFER_ENCODING) {
        if !te.as_bytes().eq_ignore_ascii_case(b"chunked") {
            hits.add(Class::Protocol, "protocol-smuggling", 7);
        }
    }
    for cl in head.headers.get_all(http::header::CONTENT_LENGTH) {
        let b = cl.as_bytes();
        if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
            hits.add(Class::Protocol, "protocol-smuggling", 7);
        }
    }
    if head.headers.contains_key(http::header::TRANSFER_ENCODING)
        && head.headers.contains_key(http::header::CONTENT_LENGTH)
    {
        hits.add(Class::Protocol, "protocol-smuggling", 7);
    }
    profile
        .judge(head.route, &hits, &|| {
            Location::Header("transfer-encoding".into())
        })
        .map(|d| profile.verdict(d))
}

pub(crate) fn trim(s: &[u8]) -> &[u8] {
    let st = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let en = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(st, |p| p + 1);
    &s[st..en.max(st)]
}
