//! The detector as it was before its allocations were removed (commit
//! af91961), kept for tests only: the live `scan`, `classify_host` and
//! `parse_loose_ipv4` must give exactly what these give, for every input.
//! Unchanged helpers (host tables, `dotfile`, `strip_port`, IP ranges) are
//! shared.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{
    HostKind, INTERNAL_NAMES, INTERNAL_SUFFIXES, RFI_SCHEMES, data_uri_syntax, dotfile,
    is_prefix_length, strip_port, v4_internal, v6_internal, wrapped_ipv4,
};
use crate::detect::{Field, Hits};
use crate::verdict::Class;

/// Scores `s` for lfi / rfi / ssrf.
pub(crate) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    // every check needs a dot, a slash, a colon or a backslash, except a bare
    // host (`localhost`, a decimal IPv4 such as `2130706433`)
    let shaped = s.iter().any(|b| matches!(b, b'.' | b'/' | b':' | b'\\'));
    let bare_host = s.len() >= 9
        && (s[..9].eq_ignore_ascii_case(b"localhost") || s.iter().all(u8::is_ascii_digit));
    if !shaped && !bare_host {
        return;
    }
    traversal(s, field, hits);
    if field == Field::Path {
        dotfile(s, hits);
    }
    if field != Field::UrlHeader && field != Field::UserAgent {
        urls(s, field, hits);
    }
}

/// Maps `0x2e`/`0x2f`/`0x5c` spelled-out bytes to `.` `/` `\` (a traversal
/// spelling some decoders accept).
fn hexword_fold(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'0'
            && s.get(i + 1).is_some_and(|&c| c == b'x' || c == b'X')
            && i + 3 < s.len() + 1
        {
            let pair = s.get(i + 2..i + 4).map(|p| p.to_ascii_lowercase());
            let m = match pair.as_deref() {
                Some(b"2e") => Some(b'.'),
                Some(b"2f") => Some(b'/'),
                Some(b"5c") => Some(b'\\'),
                _ => None,
            };
            if let Some(c) = m {
                out.push(c);
                i += 4;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

fn traversal(s: &[u8], field: Field, hits: &mut Hits) {
    if memchr::memmem::find(s, b"..").is_none()
        && memchr::memmem::find(s, b"0x2e").is_none()
        && memchr::memmem::find(s, b"0x2E").is_none()
    {
        return;
    }
    let f = hexword_fold(s);
    let mut steps = 0u32;
    let mut i = 0;
    while let Some(p) = memchr::memmem::find(&f[i..], b"..") {
        let at = i + p;
        let mut j = at + 2;
        while j < f.len() && f[j] == b'.' {
            j += 1;
        }
        // a step ends at a separator, `;` (tomcat), a null, or the end
        let sep_follows = j >= f.len() || matches!(f[j], b'/' | b'\\' | b';' | 0);
        let sep_before = at == 0
            || matches!(
                f[at - 1],
                b'/' | b'\\' | b'=' | b' ' | b'.' | b'"' | b'\'' | 0
            );
        if sep_follows && sep_before {
            steps += 1;
        }
        i = j;
    }
    let into_hidden = memchr::memmem::rfind(&f, b"../")
        .or_else(|| memchr::memmem::rfind(&f, b"..\\"))
        .is_some_and(|p| {
            f.get(p + 3) == Some(&b'.') && f.get(p + 4).is_some_and(u8::is_ascii_alphabetic)
        });
    let w = match steps {
        0 => 0,
        1 => {
            if field == Field::Path || field == Field::FileName || into_hidden {
                6
            } else {
                4
            }
        }
        2 => 6,
        _ => 8,
    };
    if w > 0 {
        hits.add(Class::Lfi, "lfi-traversal", w);
    }
}

/// Parses an IPv4 host the way `inet_aton` does (1-4 parts, hex/octal/decimal).
pub(crate) fn parse_loose_ipv4(h: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = h.split('.').collect();
    if parts.is_empty() || parts.len() > 4 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut nums = Vec::with_capacity(4);
    for p in &parts {
        let v = if let Some(x) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            u64::from_str_radix(x, 16).ok()?
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(&p[1..], 8).ok()?
        } else {
            p.parse::<u64>().ok()?
        };
        nums.push(v);
    }
    let (last, head) = nums.split_last()?;
    let mut v: u64 = 0;
    for (i, &n) in head.iter().enumerate() {
        if n > 255 {
            return None;
        }
        v |= n << (24 - 8 * i);
    }
    let room = 32 - 8 * head.len() as u32;
    if room < 64 && *last >= (1u64 << room) {
        return None;
    }
    v |= last;
    u32::try_from(v).ok().map(Ipv4Addr::from)
}

pub(crate) fn classify_host(host: &str) -> HostKind {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if let Some(inner) = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let inner = inner.split('%').next().unwrap_or(inner);
        return match inner.parse::<Ipv6Addr>() {
            Ok(ip) if v6_internal(ip) => HostKind::Internal,
            Ok(_) => HostKind::Ip,
            Err(_) => HostKind::Name,
        };
    }
    if let Some(ip) = parse_loose_ipv4(&h) {
        return if v4_internal(ip) {
            HostKind::Internal
        } else {
            HostKind::Ip
        };
    }
    if let Some(ip) = wrapped_ipv4(&h) {
        // `7147006462`: one number past 32 bits, which parsers that keep
        // only the low 32 bits turn into `169.254.169.254`
        return if v4_internal(ip) {
            HostKind::Internal
        } else {
            HostKind::Ip
        };
    }
    if h.bytes().filter(|&c| c == b':').count() >= 2
        && let Ok(ip) = h.parse::<Ipv6Addr>()
    {
        // an IPv6 literal without its brackets
        return if v6_internal(ip) {
            HostKind::Internal
        } else {
            HostKind::Ip
        };
    }
    if INTERNAL_NAMES.contains(&h.as_str()) || INTERNAL_SUFFIXES.iter().any(|s| h.ends_with(s)) {
        return HostKind::Internal;
    }
    HostKind::Name
}

fn urls(s: &[u8], field: Field, hits: &mut Hits) {
    let text = String::from_utf8_lossy(s);
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    // scheme-less internal host at the start of a value: "localhost/", "169.254.169.254/latest"
    if matches!(field, Field::Value | Field::Name) {
        let first = lower
            .trim_start()
            .split(['/', '?', '#', ' ', '\\'])
            .next()
            .unwrap_or("");
        let host = first.rsplit('@').next().unwrap_or(first);
        let host_np = strip_port(host);
        if !host_np.is_empty()
            && (host_np.contains('.')
                || host_np.starts_with('[')
                || INTERNAL_NAMES.contains(&host_np))
            && classify_host(host_np) == HostKind::Internal
            // `get`, as in the live code since it stopped panicking on
            // multibyte text before an `@`: a panic here is no score to
            // compare with (the one change to this copy)
            && lower
                .trim_start()
                .get(host.len()..)
                .is_some_and(|t| t.starts_with(['/', ':']) && !is_prefix_length(t))
        {
            hits.add(Class::Ssrf, "ssrf-internal-host", 5);
        }
        super::addressed_without_scheme(lower.trim_start(), hits);
    }
    let mut from = 0;
    let mut seen = 0;
    while let Some(p) = memchr::memchr(b':', &b[from..]) {
        let colon = from + p;
        from = colon + 1;
        seen += 1;
        if seen > 64 {
            break;
        }
        let mut st = colon;
        while st > 0
            && (b[st - 1].is_ascii_alphanumeric()
                || b[st - 1] == b'+'
                || b[st - 1] == b'.'
                || b[st - 1] == b'-')
        {
            st -= 1;
        }
        let scheme = &lower[st..colon];
        if scheme.is_empty() || !scheme.as_bytes()[0].is_ascii_alphabetic() {
            continue;
        }
        let rest = &lower[colon + 1..];
        let slashes = rest
            .bytes()
            .take_while(|&c| c == b'/' || c == b'\\')
            .count();
        let at_start = lower[..st].trim_start().is_empty()
            || lower[..st].ends_with(['=', '"', '\'', '>', '(', ' ', '\n', '[']);
        if super::ssrf_scheme_used(scheme, rest, slashes, at_start) {
            hits.add(
                Class::Ssrf,
                "ssrf-scheme",
                if scheme == "mailto" { 2 } else { 6 },
            );
            continue;
        }
        if scheme == "data" && at_start && !rest.starts_with("image/") && data_uri_syntax(rest) {
            hits.add(Class::Php, "php-wrapper", 5);
            continue;
        }
        if !RFI_SCHEMES.contains(&scheme) {
            // any other `scheme://host` that names an internal host still
            // makes a server-side client connect inward (ssh://, rtmp://, acap://)
            if slashes >= 2 {
                let after = &rest[slashes..];
                let end = after.find(['/', '?', '#', ' ']).unwrap_or(after.len());
                let host = strip_port(after[..end].rsplit('@').next().unwrap_or(""));
                if classify_host(host) == HostKind::Internal {
                    hits.add(Class::Ssrf, "ssrf-internal-host", 6);
                }
            }
            continue;
        }
        if scheme == "file" && (slashes >= 2 || at_start) {
            hits.add(Class::Rfi, "rfi-file-scheme", 6);
            continue;
        }
        if slashes < 2 {
            // "http:2130706433", "http:/2852039166", "http:[::1]" without both
            // slashes still reach a host in many parsers
            let r = &rest[slashes..];
            let hostish = r
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == b'[');
            if at_start && slashes <= 1 && hostish {
                let h = r.split(['/', '?', '#']).next().unwrap_or("");
                if classify_host(strip_port(h)) != HostKind::Name {
                    hits.add(Class::Ssrf, "ssrf-internal-host", 6);
                }
            }
            continue;
        }
        let unescaped;
        let mut after = &rest[slashes..];
        let end = after.find(['/', '?', '#', ' ']).unwrap_or(after.len());
        if after[..end].contains('\\') {
            // `http://\\l\\o\\c\\a\\l\\h\\o\\s\\t/`: escapes a parser drops inside the host
            unescaped = format!("{}{}", after[..end].replace('\\', ""), &after[end..]);
            after = &unescaped;
        }
        let auth_end = after
            .find(['/', '?', '#', '\\', ' ', '"', '\'', '<', '>', '\0'])
            .unwrap_or(after.len());
        // since the host-cut change: a NUL or `%00` ends the host too
        let auth_end = after[..auth_end].find("%00").unwrap_or(auth_end);
        let authority = &after[..auth_end];
        let tail = &after[auth_end..];
        let userinfo = authority.contains('@');
        let host = strip_port(authority.rsplit('@').next().unwrap_or(authority));
        match classify_host(host) {
            HostKind::Internal => hits.add(Class::Ssrf, "ssrf-internal-host", 7),
            HostKind::Ip => hits.add(Class::Rfi, "rfi-ip-host", 5),
            HostKind::Name => {}
        }
        if userinfo {
            hits.add(Class::Rfi, "rfi-userinfo", 4);
            if super::userinfo_is_internal_host(authority) {
                hits.add(Class::Ssrf, "ssrf-internal-host", 6);
            }
        }
        confused_authority(tail, hits);
        let t = tail.trim_end();
        if t.ends_with('?')
            || t.ends_with("%00")
            || t.ends_with('\0')
            || (t.contains('?') && t.ends_with('#'))
        {
            hits.add(Class::Rfi, "rfi-trailing", 6);
        } else if [
            ".php", ".txt", ".jsp", ".asp", ".aspx", ".pl", ".cgi", ".sh", ".py", ".gif?", ".jpg?",
        ]
        .iter()
        .any(|x| t.ends_with(x))
            && at_start
        {
            hits.add(Class::Rfi, "rfi-script-url", 3);
        }
        if field == Field::Path {
            hits.add(Class::Rfi, "rfi-url-in-path", 3);
        }
    }
}

/// After the authority: a further `@host` that another parser reads as the
/// real host (`http://a.com:80 &@10.0.0.1:22/`, `http://a.com/:x@evil.com/`
/// once `%2f` is decoded): an internal host there is SSRF, a `:`-credential
/// in the first path segment is the userinfo confusion.
fn confused_authority(tail: &str, hits: &mut Hits) {
    for (i, _) in tail.match_indices('@').take(4) {
        let after = &tail[i + 1..];
        let end = after
            .find(['/', '?', '#', ' ', '\\'])
            .unwrap_or(after.len());
        if classify_host(strip_port(&after[..end])) == HostKind::Internal {
            hits.add(Class::Ssrf, "ssrf-internal-host", 6);
        }
        let seg_start = tail[..i].rfind('/').map_or(0, |p| p + 1);
        // (a URL has no blank or quote in it: past one, the `@` belongs to
        // the text after the URL, such as an e-mail address)
        if tail[..i].matches('/').count() == 1
            && tail[seg_start..i].contains(':')
            && !tail[seg_start..i].contains([' ', '\t', '\n', '"', '\'', '<', '>'])
            && after[..end].contains('.')
        {
            hits.add(Class::Rfi, "rfi-userinfo", 5);
        }
    }
}
