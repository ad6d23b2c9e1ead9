//! Path traversal / local files (lfi), remote file inclusion (rfi) and SSRF: a
//! traversal counter over dot-dot steps (with `0x2e`-style and `..;` variants),
//! hidden-file segments in the request path, and a small URL parser that classifies
//! the host (loopback, private, link-local, metadata, integer/hex/octal IPv4 forms,
//! IPv4-mapped IPv6, internal names) and the scheme. No literals of files here
//! (those are in `rules.rs`). Linear time.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::detect::{Field, Hits};
use crate::verdict::Class;

/// Scores `s` for lfi / rfi / ssrf.
pub(crate) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    // every check needs a dot, a slash, a colon or a backslash, except a bare
    // host (`localhost`, a decimal IPv4 such as `2130706433`)
    // (a fold without early exit: vectorised, and cheaper than `memchr` calls
    // on the short values that are most of the traffic)
    let shaped = s
        .iter()
        .fold(false, |m, b| m | matches!(b, b'.' | b'/' | b':' | b'\\'));
    let bare_host = s.len() >= 9
        && (s[..9].eq_ignore_ascii_case(b"localhost") || s.iter().all(u8::is_ascii_digit));
    if !shaped && !bare_host {
        return;
    }
    traversal(s, field, hits);
    if field == Field::Path {
        dotfile(s, hits);
    }
    if field != Field::UrlHeader && field != Field::UserAgent && may_hold_url(s) {
        urls(s, field, hits);
    }
}

/// False when `urls` adds nothing to `s`. Its text is `s` lowercased (and
/// invalid UTF-8 replaced): the same ASCII bytes in the same runs. Then:
/// - the scheme-less host needs a `/` or `:` right after the host (at the
///   host's length into the trimmed text): after the whole first word that
///   is the `/` that ends it, else the host is cut at an `@` and a `:` may
///   follow: `s` holds a `/`, or an `@` and a `:`;
/// - the scheme loop acts at a `:` after a scheme that starts with a letter
///   (the run of alphanumerics, `+`, `.`, `-` before the colon), and adds a
///   signal only for a scheme of its lists (in any case) or with two
///   slashes after the colon (`/` or `\\`).
/// - a UNC path (`\\\\host\\share`) at the start of a value names a host
///   with no scheme and no `/` (`addressed_without_scheme`).
///
/// E-mail addresses, dates and times, sentences with a colon stop here.
fn may_hold_url(s: &[u8]) -> bool {
    if memchr::memchr(b'/', s).is_some() || s.trim_ascii_start().starts_with(b"\\\\") {
        return true;
    }
    let mut colons = memchr::memchr_iter(b':', s).peekable();
    if colons.peek().is_none() {
        return false;
    }
    if memchr::memchr(b'@', s).is_some() {
        return true;
    }
    colons.any(|colon| {
        let st = s[..colon]
            .iter()
            .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')))
            .map_or(0, |p| p + 1);
        let scheme = &s[st..colon];
        if !scheme.first().is_some_and(u8::is_ascii_alphabetic) {
            return false;
        }
        let slash = |i: usize| matches!(s.get(i), Some(b'/' | b'\\'));
        slash(colon + 1) && slash(colon + 2)
            || known_scheme(scheme)
            || scheme.eq_ignore_ascii_case(b"data")
    })
}

/// Maps `0x2e`/`0x2f`/`0x5c` spelled-out bytes to `.` `/` `\` (a traversal
/// spelling some decoders accept). Borrows `s` when it holds no `0x` / `0X`,
/// the only start of a change.
fn hexword_fold(s: &[u8]) -> Cow<'_, [u8]> {
    let hex_start = memchr::memchr_iter(b'0', s).any(|p| matches!(s.get(p + 1), Some(b'x' | b'X')));
    if !hex_start {
        return Cow::Borrowed(s);
    }
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
    Cow::Owned(out)
}

/// Where `n` first occurs in `h`, found by its first byte: cheaper than
/// building a substring searcher per call (`memmem::find`) for these short
/// literals.
fn find_literal(h: &[u8], n: &[u8]) -> Option<usize> {
    let &f = n.first()?;
    memchr::memchr_iter(f, h).find(|&p| h[p..].starts_with(n))
}

/// Where `n` last occurs in `h` (`memmem::rfind` without a searcher).
fn rfind_literal(h: &[u8], n: &[u8]) -> Option<usize> {
    let &f = n.first()?;
    memchr::memrchr_iter(f, h).find(|&p| h[p..].starts_with(n))
}

/// The dot-dot steps in `s` (`..` runs between separators, `;`, a null or
/// the ends, after `0x2e`-style hex words are folded), and the folded view
/// they were counted in; `None` when `s` has no `..` and no `0x2e` at all.
pub(crate) fn dot_dot_steps(s: &[u8]) -> Option<(u32, Cow<'_, [u8]>)> {
    // `..`, `0x2e` or `0x2E`, found in one pass over their first bytes,
    // after a vectorised fold for `..` or `0x` (each starts with one) has
    // ruled most values out (dates and prices have many `0`s)
    let pair = s.iter().zip(s.iter().skip(1)).fold(false, |m, (&a, &b)| {
        m | (a == b'.') & (b == b'.') | (a == b'0') & (b == b'x')
    });
    let dots = pair
        && memchr::memchr2_iter(b'.', b'0', s).any(|p| {
            s[p..].starts_with(b"..") || s[p..].starts_with(b"0x2e") || s[p..].starts_with(b"0x2E")
        });
    if !dots {
        return None;
    }
    let f = hexword_fold(s);
    let mut steps = 0u32;
    let mut i = 0;
    while let Some(p) = find_literal(&f[i..], b"..") {
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
    Some((steps, f))
}

fn traversal(s: &[u8], field: Field, hits: &mut Hits) {
    let Some((steps, f)) = dot_dot_steps(s) else {
        return;
    };
    let into_hidden = rfind_literal(&f, b"../")
        .or_else(|| rfind_literal(&f, b"..\\"))
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

/// A path segment naming a hidden file or directory (`/.git/config`, `/.env`).
fn dotfile(s: &[u8], hits: &mut Hits) {
    for seg in s.split(|&b| b == b'/' || b == b'\\') {
        if seg.len() >= 2
            && seg[0] == b'.'
            && seg[1] != b'.'
            && !seg.eq_ignore_ascii_case(b".well-known")
        {
            hits.add(Class::Lfi, "lfi-hidden-file", 6);
            return;
        }
    }
}

/// Names that reach the machine itself or a cloud's instance metadata: the
/// loopback aliases of the distributions' `/etc/hosts` (Red Hat's
/// `localhost4.localdomain4`, Debian's `ip6-localhost`, SUSE's
/// `ipv6-localhost`) and the metadata services' host names.
const INTERNAL_NAMES: &[&str] = &[
    "localhost",
    "localhost4",
    "localhost6",
    "localhost.localdomain",
    "localhost4.localdomain4",
    "localhost6.localdomain6",
    "ip6-localhost",
    "ip6-loopback",
    "ipv6-localhost",
    "ipv6-loopback",
    "metadata",
    "metadata.google.internal",
    "metadata.packet.net",
    "metadata.platformequinix.com",
    "metadata.tencentyun.com",
    "rancher-metadata",
    "instance-data",
    "kubernetes",
    "kubernetes.default",
    "host.docker.internal",
    "gateway.docker.internal",
    "localtest.me",
    "metadata.azure.com",
    "lvh.me",
];
const INTERNAL_SUFFIXES: &[&str] = &[
    ".internal",
    ".localhost",
    ".svc",
    ".cluster.local",
    ".nip.io",
    ".xip.io",
    ".sslip.io",
    ".localtest.me",
    ".lvh.me",
    ".burpcollaborator.net",
    ".oastify.com",
    ".interact.sh",
];
/// `scheme` (starting with an ASCII letter) is one of `SSRF_SCHEMES` or
/// `RFI_SCHEMES`, in any case.
fn known_scheme(scheme: &[u8]) -> bool {
    // sound: a scheme equal to a listed one (ASCII case folded) has its
    // length and its first letter, and `SCHEME_SHAPES` has a bit for each
    // listed (first letter, length); most words before a colon have none
    let shape = usize::from(scheme[0].to_ascii_lowercase().wrapping_sub(b'a'));
    if shape >= 26 || scheme.len() >= 16 || SCHEME_SHAPES[shape] & (1 << scheme.len()) == 0 {
        return false;
    }
    known_scheme_in_lists(scheme)
}

/// `known_scheme` without the shape check.
fn known_scheme_in_lists(scheme: &[u8]) -> bool {
    let known = |list: &[&str]| {
        list.iter()
            .any(|k| k.as_bytes().eq_ignore_ascii_case(scheme))
    };
    known(SSRF_SCHEMES) || known(RFI_SCHEMES)
}

/// Per first letter (`a` = 0), bit `n` for each listed scheme of length `n`.
const SCHEME_SHAPES: [u16; 26] = {
    let mut t = [0u16; 26];
    let lists: [&[&str]; 2] = [SSRF_SCHEMES, RFI_SCHEMES];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let k = lists[l][i].as_bytes();
            assert!(k[0].is_ascii_lowercase() && k.len() < 16);
            t[(k[0] - b'a') as usize] |= 1 << k.len();
            i += 1;
        }
        l += 1;
    }
    t
};

/// `scheme:` followed by `rest` is one of `SSRF_SCHEMES` used as a URL: with
/// `//`, or at a value's or word's start (`expect:id`, `jar:http:…`). Without
/// `//`, a digit after the colon is an image tag or a port (`postgres:16`,
/// `redis:7-alpine`, a compose service's `mysql:3306`), not a URL any client
/// resolves.
fn ssrf_scheme_used(scheme: &str, rest: &str, slashes: usize, at_start: bool) -> bool {
    SSRF_SCHEMES.contains(&scheme)
        && (slashes >= 2
            || (at_start
                && scheme != "mailto"
                // `gopher:_x`, `dict:/h`; no URL has a blank after its scheme
                // (`For MySQL: SHOW …`, `We use Redis: SET …` are sentences)
                && rest
                    .bytes()
                    .next()
                    .is_some_and(|b| !b.is_ascii_digit() && !b.is_ascii_whitespace())))
}

const SSRF_SCHEMES: &[&str] = &[
    "gopher", "dict", "ldap", "ldaps", "tftp", "jar", "netdoc", "sftp", "ssh2", "expect", "rmi",
    "iiop", "mailto", "telnet", "imap", "pop3", "smtp", "irc", "redis", "mysql", "postgres",
];
const RFI_SCHEMES: &[&str] = &[
    "http",
    "https",
    "ftp",
    "ftps",
    "file",
    "smb",
    "webdav",
    "ogg",
    "rar",
    "zlib",
    "compress.zlib",
];

/// Parses an IPv4 host the way `inet_aton` does (1-4 parts, hex/octal/decimal).
pub(crate) fn parse_loose_ipv4(h: &str) -> Option<Ipv4Addr> {
    // every part parses as a number, which starts with a digit or `+` (the
    // parsers below accept a sign): a name fails at its first byte
    if !h
        .as_bytes()
        .first()
        .is_some_and(|&c| c.is_ascii_digit() || c == b'+')
    {
        return None;
    }
    // one to four parts, none empty, each a number: any other shape is `None`
    let mut nums = [0u64; 4];
    let mut count = 0;
    for p in h.split('.') {
        if count == nums.len() || p.is_empty() {
            return None;
        }
        nums[count] = if let Some(x) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            u64::from_str_radix(x, 16).ok()?
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(&p[1..], 8).ok()?
        } else {
            p.parse::<u64>().ok()?
        };
        count += 1;
    }
    let (last, head) = nums[..count].split_last()?;
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

/// A single decimal or hex number too large for IPv4, truncated to its low
/// 32 bits the way a wrapping parser does.
fn wrapped_ipv4(h: &str) -> Option<Ipv4Addr> {
    let v = if let Some(x) = h.strip_prefix("0x") {
        if x.is_empty() || x.len() > 16 {
            return None;
        }
        u64::from_str_radix(x, 16).ok()?
    } else {
        if h.is_empty() || h.len() > 19 || !h.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        h.parse::<u64>().ok()?
    };
    (v > u64::from(u32::MAX)).then(|| Ipv4Addr::from(v as u32))
}

fn v4_internal(ip: Ipv4Addr) -> bool {
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.octets()[0] == 0
        || ip.octets()[..2] == [100, 100]
        || (ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]))
}

fn v6_internal(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_internal(v4);
    }
    let seg = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || (seg[0] & 0xfe00) == 0xfc00
        || (seg[0] & 0xffc0) == 0xfe80
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HostKind {
    Internal,
    Ip,
    Name,
}

pub(crate) fn classify_host(host: &str) -> HostKind {
    let h = host.trim_end_matches('.');
    let h: Cow<'_, str> = if h.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(h.to_ascii_lowercase())
    } else {
        Cow::Borrowed(h)
    };
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
    // last bytes first: most names end in none of the suffixes' last bytes
    let last = h.as_bytes().last();
    if INTERNAL_NAMES.contains(&&*h)
        || INTERNAL_SUFFIXES
            .iter()
            .any(|s| s.as_bytes().last() == last && h.ends_with(s))
    {
        return HostKind::Internal;
    }
    HostKind::Name
}

fn urls(s: &[u8], field: Field, hits: &mut Hits) {
    // `from_utf8` first: its ASCII path is much faster than the lossy
    // decoder, which gives the same text for valid UTF-8
    let text = match std::str::from_utf8(s) {
        Ok(t) => Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(s),
    };
    // the canonical view is lowercase already: copy only when it is not (a
    // fold without early exit, which the compiler vectorises)
    let upper = text
        .bytes()
        .fold(false, |up, c| up | c.is_ascii_uppercase());
    let lower: Cow<'_, str> = if upper {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        text
    };
    let b = lower.as_bytes();
    // scheme-less internal host at the start of a value: "localhost/", "169.254.169.254/latest"
    if matches!(field, Field::Value | Field::Name) {
        // byte searches for these ASCII separators: `str::split` with a set
        // of chars decodes every char
        let t = lower.trim_start();
        let end = t
            .bytes()
            .position(|c| matches!(c, b'/' | b'?' | b'#' | b' ' | b'\\'))
            .unwrap_or(t.len());
        let first = &t[..end];
        let host = match memchr::memrchr(b'@', first.as_bytes()) {
            Some(p) => &first[p + 1..],
            None => first,
        };
        let host_np = strip_port(host);
        // the conditions are pure: the cheap test of the byte after the
        // host first, `classify_host` last (a date, a word: no `/` or `:`
        // there)
        // `get`: with multibyte characters before an `@`, the host's length
        // need not fall on a character boundary of the first word
        if lower
            .trim_start()
            .get(host.len()..)
            .is_some_and(|t| t.starts_with(['/', ':']) && !is_prefix_length(t))
            && !host_np.is_empty()
            && (host_np.contains('.')
                || host_np.starts_with('[')
                || INTERNAL_NAMES.contains(&host_np))
            && classify_host(host_np) == HostKind::Internal
        {
            hits.add(Class::Ssrf, "ssrf-internal-host", 5);
        }
        addressed_without_scheme(t, hits);
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
        if ssrf_scheme_used(scheme, rest, slashes, at_start) {
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
        // a NUL ends the host for a client written in C (`127.0.0.1%00.example.com`
        // resolves as `127.0.0.1`), whatever a validator reads after it
        let auth_end = after
            .find(['/', '?', '#', '\\', ' ', '"', '\'', '<', '>', '\0'])
            .unwrap_or(after.len());
        // (the raw view still spells it `%00`)
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
            if userinfo_is_internal_host(authority) {
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

/// `//198.51.100.4/x.php` and `\\198.51.100.4\share\x.php` (a UNC path,
/// which Windows opens over SMB) at the start of a value: a host given by its
/// address with no scheme, as `http://198.51.100.4/` gives it. (Shared with
/// the tests' reference scan.)
pub(super) fn addressed_without_scheme(t: &str, hits: &mut Hits) {
    let Some(r) = t.strip_prefix("//").or_else(|| t.strip_prefix("\\\\")) else {
        return;
    };
    let end = r
        .bytes()
        .position(|c| matches!(c, b'/' | b'\\' | b'?' | b'#' | b' '))
        .unwrap_or(r.len());
    if end < r.len() && r.as_bytes()[end] != b' ' {
        match classify_host(strip_port(&r[..end])) {
            HostKind::Ip => hits.add(Class::Rfi, "rfi-ip-host", 5),
            HostKind::Internal => hits.add(Class::Ssrf, "ssrf-internal-host", 5),
            HostKind::Name => {}
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

/// `http://127.0.0.1:80@host/`: the userinfo is spelled as an internal
/// host and port, which a validator that stops at the first `:` or `/`
/// reads as the host while the client connects to the one after `@`.
fn userinfo_is_internal_host(authority: &str) -> bool {
    let userinfo = authority.split('@').next().unwrap_or("");
    matches!(classify_host(strip_port(userinfo)), HostKind::Internal)
}

/// After `data:`, what a data URI starts with (RFC 2397,
/// `[//][mediatype][;base64],data`): a comma or nothing at once (`data:,…`), or
/// a media type or parameter as its first word (`text/html`, `;base64`).
/// Prose (`data: plan upgrade`, `data: plan, upgrade`) has neither.
fn data_uri_syntax(rest: &str) -> bool {
    let media = rest.trim_start_matches(['/', '\\']).trim_start();
    if media.is_empty() || media.starts_with(',') {
        return true;
    }
    let word = media
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("");
    word.contains(['/', ';'])
}

/// `/8`, `/24`, `/128` and then the end of the value or a blank, `,`, `;` or
/// `)`: after an address that is a CIDR prefix length (`10.0.0.0/8 is a
/// private range`), not a path on a host.
fn is_prefix_length(after_host: &str) -> bool {
    let Some(t) = after_host.strip_prefix('/') else {
        return false;
    };
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&digits)
        && t[digits..]
            .bytes()
            .next()
            .is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b',' | b';' | b')'))
}

fn strip_port(h: &str) -> &str {
    if h.starts_with('[') {
        return match h.bytes().position(|c| c == b']') {
            Some(p) => &h[..=p],
            None => h,
        };
    }
    // hosts are short: an inlined scan beats a `memrchr` call
    match h.bytes().rposition(|c| c == b':') {
        Some(p) if h[p + 1..].bytes().all(|c| c.is_ascii_digit()) => &h[..p],
        _ => h,
    }
}

/// Whether `v` starts as a remote reference: a URL of a scheme that fetches
/// (`http:`, `ftp:` …), a scheme-relative `//host` or a UNC `\\host`.
/// Cheap enough for every JSON string: most fail on the first byte.
pub(crate) fn may_be_remote(v: &[u8]) -> bool {
    const REMOTE: &[&[u8]] = &[
        b"http://",
        b"https://",
        b"ftp://",
        b"ftps://",
        b"//",
        b"\\\\",
    ];
    let v = v.trim_ascii_start();
    v.len() >= 8
        && matches!(v[0], b'h' | b'H' | b'f' | b'F' | b'/' | b'\\')
        && REMOTE
            .iter()
            .any(|p| v.len() > p.len() && v[..p.len()].eq_ignore_ascii_case(p))
}

/// A remote URL or a UNC path (`\\host\share\x.php`, which PHP on Windows
/// opens over SMB) in a parameter whose name says it selects a local file or
/// directory (`mosConfig_absolute_path=`, `_CONF[path]=`, `include=`,
/// `template_dir=`, glued as `basepath=` or `admindir=`): the
/// remote-file-inclusion shape. Parameters meant for URLs (`url`,
/// `redirect_uri`, `next`, and any name with a part that ends in `url`, `uri`,
/// `link` …: `file_url`, `rootUrl`) are not in the list. Called for query,
/// form, multipart and cookie pairs and for JSON strings under their key.
pub(crate) fn remote_include(name: &[u8], value: &[u8], hits: &mut Hits) {
    const NAMES: &[&[u8]] = &[
        b"path",
        b"dir",
        b"include",
        b"inc",
        b"file",
        b"root",
        b"template",
        b"conf",
        b"module",
        b"lang",
        b"load",
        b"require",
        b"plugin",
        b"theme",
        b"skin",
        b"library",
        b"lib",
    ];
    /// Words that start or end a glued name of the same kind (`basepath`,
    /// `admindir`, `approot`, `rootbase`, `pathnews`).
    const GLUED: &[&[u8]] = &[b"path", b"dir", b"root", b"include", b"template", b"module"];
    /// Parts that say the parameter holds a URL (`file_url`, `template_uri`,
    /// `rootUrl`): a remote URL is what it is for.
    const URLISH: &[&[u8]] = &[b"url", b"uri", b"href", b"link", b"src", b"endpoint"];
    if name.len() > 64 || !may_be_remote(value) {
        return;
    }
    // whole name parts only: `redirect_uri` must not match `dir`
    let n = name.to_ascii_lowercase();
    let mut selects_file = false;
    for part in n.split(|b| !b.is_ascii_alphanumeric()) {
        if URLISH.iter().any(|u| part.ends_with(u)) {
            return;
        }
        selects_file |= NAMES.contains(&part)
            || part.len() > 4
                && GLUED
                    .iter()
                    .any(|g| part.starts_with(g) || part.ends_with(g) && !part.ends_with(b"redir"));
    }
    if selects_file {
        hits.add(Class::Rfi, "rfi-remote-include", 5);
    }
}

#[cfg(test)]
pub(crate) mod reference;
#[cfg(test)]
mod tests;
