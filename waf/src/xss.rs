//! Cross-site scripting: a small HTML tag tokeniser (tag name, attribute names and
//! values, as a browser would split them, tolerating `/` separators and missing
//! quotes) plus JavaScript sink / string-breakout shapes outside tags. Benign rich
//! text (`<p>`, `<a href="https://…">`, `<table>`) scores nothing: only script-
//! capable tags, event handlers, script URIs and sink calls do. Linear time.

use std::borrow::Cow;

use crate::detect::{Field, Hits};
use crate::verdict::Class;

mod dom;
mod js;
use dom::dom_obfuscation;
use js::js_shapes;
#[cfg(test)]
use js::{MIN_DOM_WORD, has_long_word};
#[cfg(test)]
use js::{SINK_OBJECTS, SINKS, has_dom_root};

const SCRIPT_TAGS: &[&str] = &[
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
];
const ACTIVE_TAGS: &[&str] = &[
    "svg",
    "math",
    "meta",
    "link",
    "style",
    "form",
    "isindex",
    "template",
    "xml",
    "import",
    "animate",
    "set",
    "handler",
    "listener",
    "vmlframe",
    "xss",
    "video",
    "audio",
    "marquee",
    "body",
    "img",
    "image",
    "input",
    "button",
    "details",
    "select",
    "textarea",
    "keygen",
    "source",
    "bgsound",
    "layer",
    "ilayer",
    "portal",
    "noscript",
    "title",
    "plaintext",
    "xmp",
    "comment",
    "noembed",
    "animatetransform",
    "foreignobject",
];
const URI_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "lowsrc",
    "dynsrc",
    "xlink:href",
    "poster",
    "code",
    "codebase",
    "values",
    "to",
    "from",
    "by",
    "content",
    "srcdoc",
    "url",
];

/// Tags that shape or restyle a whole document, or pull in foreign content;
/// rich-text editors never emit them inside a field.
const DOCUMENT_TAGS: &[&str] = &[
    "image",
    "feimage",
    "html",
    "head",
    "body",
    "meta",
    "link",
    "style",
    "base",
    "xml",
    "layer",
    "ilayer",
    "bgsound",
    "frameset",
    "import",
    "vmlframe",
    "svg",
    "math",
    "form",
    "stylesheet",
    "xss",
    "plaintext",
    "xmp",
    "noembed",
    "isindex",
];

fn eq(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

fn in_list(a: &[u8], l: &[&str]) -> bool {
    l.iter().any(|x| eq(a, x))
}

/// True when `v` (an attribute value or a bare value) starts with a script URI
/// scheme, ignoring whitespace and control characters browsers skip.
pub(crate) fn script_uri(v: &[u8]) -> bool {
    // sound: every scheme below starts with `j`, `v`, `l` or `d`, and the
    // first byte of `s` is the first byte of `v` above a space (not DEL),
    // lowercased: any other first byte makes every test below false
    let first = v.iter().find(|&&b| b > b' ' && b != 0x7f);
    if !first.is_some_and(|b| matches!(b.to_ascii_lowercase(), b'j' | b'v' | b'l' | b'd')) {
        return false;
    }
    script_uri_scheme(v)
}

/// A script URI as a whole value, not a title that starts with a language's
/// name: the scheme is followed by code, not by two or more plain words
/// (`JavaScript: a first course`). Words of letters and spaces alone
/// are not a script that does anything: a call, an assignment, a string or
/// a property access all need a byte other than a letter or a space.
pub(crate) fn script_uri_value(v: &[u8]) -> bool {
    script_uri(v) && !prose_after_scheme(v)
}

fn prose_after_scheme(v: &[u8]) -> bool {
    let Some(colon) = v.iter().position(|&b| b == b':') else {
        return false;
    };
    let rest = v[colon + 1..].trim_ascii();
    // words joined by blanks, or by `+` where a form-encoded title was
    // never form-decoded (a multipart part): words alone call nothing
    let blank = |b: u8| b == b' ' || b == b'+';
    rest.iter().any(|&b| blank(b)) && rest.iter().all(|&b| b.is_ascii_alphabetic() || blank(b))
}

/// `script_uri` without the first-letter check.
fn script_uri_scheme(v: &[u8]) -> bool {
    let mut buf = [0u8; 16];
    let mut n = 0;
    for &b in v {
        if b <= b' ' || b == 0x7f {
            continue;
        }
        if n == buf.len() {
            break;
        }
        buf[n] = b.to_ascii_lowercase();
        n += 1;
        if b == b':' {
            break;
        }
    }
    let s = &buf[..n];
    s.starts_with(b"javascript:")
        || s.starts_with(b"vbscript:")
        || s.starts_with(b"livescript:")
        || s.starts_with(b"data:text/html")
        || (s.starts_with(b"data:") && contains_ci(v, b"base64") && contains_ci(v, b"text/html"))
}

fn contains_ci(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Byte classes the checks below key on, collected in one pass (`seen`).
const LT: u16 = 1; // `<`: tags
const COLON: u16 = 1 << 1; // `:`: every script URI scheme ends in one
const CALL: u16 = 1 << 2; // `(` or `` ` ``: a call in `js_shapes`
const EQ: u16 = 1 << 3; // `=`: loose handler attributes
const SINK_BEFORE: u16 = 1 << 4; // `(` or `=`: before a sink used as a value
const AMP: u16 = 1 << 5; // `&`: numeric character references
const DOM: u16 = 1 << 6; // `[`, `.` or `` ` ``: obfuscated DOM access
const INDEX: u16 = 1 << 7; // `[` or `` ` ``: DOM access other than `document . cookie`
const STAR: u16 = 1 << 8; // `*`: a block comment that may split `document.cookie`
const K: u16 = 1 << 9; // `k`: the rarest letter of `cookie`

/// The class of each byte.
const BYTE_CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
    t[b'<' as usize] = LT;
    t[b':' as usize] = COLON;
    t[b'(' as usize] = CALL | SINK_BEFORE;
    t[b'`' as usize] = CALL | DOM | INDEX;
    t[b'=' as usize] = EQ | SINK_BEFORE;
    t[b'&' as usize] = AMP;
    t[b'[' as usize] = DOM | INDEX;
    t[b'.' as usize] = DOM;
    t[b'*' as usize] = STAR;
    t[b'k' as usize] = K;
    t
};

/// The union of the byte classes of `s`. Four bytes a step into four
/// accumulators: the lookups do not wait for one another (a plain fold
/// costs about a cycle a byte, the table lookups do not vectorise).
fn seen(s: &[u8]) -> u16 {
    let class = |b: &u8| BYTE_CLASS[usize::from(*b)];
    let mut acc = [0u16; 4];
    let mut quads = s.chunks_exact(4);
    for q in &mut quads {
        for (a, b) in acc.iter_mut().zip(q) {
            *a |= class(b);
        }
    }
    let tail = quads.remainder().iter().fold(0, |m, b| m | class(b));
    acc[0] | acc[1] | acc[2] | acc[3] | tail
}

/// True unless `dom_obfuscation` returns before its first check: it needs `[`
/// or a backtick, or else a `.` with `cookie` or `/*` (both case-sensitive,
/// as there). Found from the rare `k` and `*` instead of two substring searches.
fn may_obfuscate_dom(s: &[u8], seen: u16) -> bool {
    if seen & DOM == 0 {
        return false;
    }
    if seen & INDEX != 0 {
        return true;
    }
    let cookie = seen & K != 0
        && memchr::memchr_iter(b'k', s).any(|p| p >= 3 && s[p - 3..].starts_with(b"cookie"));
    let comment =
        seen & STAR != 0 && memchr::memchr_iter(b'*', s).any(|p| p >= 1 && s[p - 1] == b'/');
    cookie || comment
}

/// Scores `s` for XSS.
///
/// Each check runs only when `s` holds a byte it cannot match without (the
/// reason is on each gate); a check that is skipped would have bumped
/// nothing, so the order of the bumps, and with it the id kept on a tie, is
/// the order of the ungated checks.
pub(crate) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    let seen = seen(s);
    let mut best = (0u32, "xss");
    let mut bump = |w: u32, id: &'static str| {
        if w > best.0 {
            best = (w, id);
        }
    };
    // the tag loop starts at a `<` and finds none
    if seen & LT != 0 {
        if attribute_breakout(s) {
            bump(5, "xss-tag");
        }
        let mut i = 0;
        while let Some(p) = memchr::memchr(b'<', &s[i..]) {
            let at = i + p;
            i = at + 1 + tag(s, at, &mut bump);
        }
    }
    js_shapes(s, field, seen, &mut bump);
    sink_reference(s, seen, &mut bump);
    // a character reference starts with `&#`
    if seen & AMP != 0 {
        entity_bracket(s, &mut bump);
    }
    // a loose handler bumps only when an `=` follows its name
    if seen & EQ != 0 {
        loose_handler(s, &mut bump);
    }
    if may_obfuscate_dom(s, seen) {
        dom_obfuscation(s, &mut bump);
    }
    if best.0 > 0 {
        hits.add(Class::Xss, best.1, best.0);
    }
}

/// A value that opens by closing an attribute and its tag, then starts a tag
/// of its own (`"><b>`, `'"`><div …>`, `x"><img …>`): written to leave the
/// attribute a page reflects it into. Prose does not open with a quote and
/// `>`, and pasted markup opens with its own tag.
fn attribute_breakout(s: &[u8]) -> bool {
    // at most a probe's short dummy value before the quotes (`x"`, `test'`):
    // a longer token there is the tail of markup cut inside an attribute
    let lead = s
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        .count();
    let rest = &s[lead..];
    let quotes = rest
        .iter()
        .take_while(|b| matches!(b, b'"' | b'\'' | b'`'))
        .count();
    if quotes == 0 {
        return false;
    }
    let rest = rest[quotes..].trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b"/>").or_else(|| rest.strip_prefix(b">")) else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    rest.first() == Some(&b'<')
        && rest
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!'))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'/')
}

/// Parses a tag starting at `s[at] == '<'`; returns bytes consumed after `<`.
fn tag(s: &[u8], at: usize, bump: &mut impl FnMut(u32, &'static str)) -> usize {
    let mut i = at + 1;
    if s.get(i) == Some(&b'/') {
        i += 1;
    }
    if s.get(i) == Some(&b'!') && s.get(i + 1) == Some(&b'[') {
        bump(3, "xss-tag");
    }
    if s.get(i) == Some(&b'!') && s[i..].starts_with(b"!--[if") {
        bump(5, "xss-tag"); // IE conditional comment
    }
    if s.get(i) == Some(&b'?') {
        // `<?import implementation=`, `<?xml-stylesheet`, `<?xml:namespace`
        let pi = &s[i + 1..s.len().min(i + 20)];
        if pi.len() >= 6
            && (pi[..6].eq_ignore_ascii_case(b"import")
                || (pi.len() >= 4 && pi[..4].eq_ignore_ascii_case(b"xml-"))
                || (pi.len() >= 4 && pi[..4].eq_ignore_ascii_case(b"xml:")))
        {
            bump(6, "xss-tag");
        }
        // an XML declaration is only valid as the first bytes of a document:
        // after other markup it is a processing instruction smuggled into HTML
        if pi.len() >= 4
            && pi[..3].eq_ignore_ascii_case(b"xml")
            && pi[3].is_ascii_whitespace()
            && s[..at].trim_ascii_end().ends_with(b">")
        {
            bump(5, "xss-tag");
        }
    }
    spaced_tag(s, i, bump);
    let name_start = i;
    while i < s.len()
        && (s[i].is_ascii_alphanumeric() || s[i] == b':' || s[i] == b'-' || s[i] == b'_')
    {
        i += 1;
    }
    let name = &s[name_start..i];
    if name.is_empty() || !name[0].is_ascii_alphabetic() {
        return 0;
    }
    let namespaced = name.contains(&b':');
    let name = match name.iter().position(|&b| b == b':') {
        Some(p) if p + 1 < name.len() => &name[p + 1..],
        _ => name,
    };
    // a namespaced name is a tag when the tag goes on (blank, `/`, `>`):
    // `<x:script>`, `<svg:svg onload=…>`; random text (`<Ab:Cd^e`, a
    // generated password) has other bytes after it
    let tag_goes_on = s
        .get(i)
        .is_some_and(|&b| is_space(b) || matches!(b, b'/' | b'>'));
    if in_list(name, DOCUMENT_TAGS) || (namespaced && name.len() > 1 && tag_goes_on) {
        bump(5, "xss-tag");
    }
    let script_tag = in_list(name, SCRIPT_TAGS);
    if script_tag {
        bump(7, "xss-script-tag");
    }
    let active = in_list(name, ACTIVE_TAGS);
    if eq(name, "svg") || eq(name, "math") {
        bump(4, "xss-tag");
    }
    // attributes until '>' or end; at most 64 of them
    let mut attrs = 0;
    while i < s.len() && attrs < 64 {
        while i < s.len() && (is_space(s[i]) || s[i] == b'"' || s[i] == b'\'') {
            i += 1;
        }
        if i >= s.len() || s[i] == b'>' || s[i] == b'<' {
            break;
        }
        let an_start = i;
        while i < s.len() && !is_space(s[i]) && !matches!(s[i], b'=' | b'>' | b'<') {
            i += 1;
        }
        let an = &s[an_start..i];
        let mut j = i;
        while j < s.len() && matches!(s[j], b' ' | b'\t' | b'\n' | b'\r') {
            j += 1;
        }
        let mut value: &[u8] = &[];
        let has_eq = s.get(j) == Some(&b'=');
        if has_eq {
            j += 1;
            while j < s.len() && matches!(s[j], b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            match s.get(j) {
                Some(&q @ (b'"' | b'\'' | b'`')) => {
                    let end = memchr::memchr(q, &s[j + 1..]).map_or(s.len(), |p| j + 1 + p);
                    value = &s[j + 1..end];
                    j = (end + 1).min(s.len());
                }
                _ => {
                    let st = j;
                    while j < s.len() && !matches!(s[j], b' ' | b'\t' | b'\n' | b'\r' | b'>') {
                        j += 1;
                    }
                    value = &s[st..j];
                }
            }
            i = j;
        }
        attrs += 1;
        if an.len() >= 5
            && an[..2].eq_ignore_ascii_case(b"on")
            && an[2..].iter().all(u8::is_ascii_alphabetic)
            && has_eq
        {
            bump(
                if active || script_tag { 8 } else { 7 },
                "xss-event-handler",
            );
        } else if in_list(an, URI_ATTRS) && script_uri(value) {
            bump(8, "xss-uri");
        } else if eq(an, "style") && {
            let css = css_text(value);
            contains_ci(&css, b"expression(")
                || contains_ci(&css, b"javascript:")
                || contains_ci(&css, b"behavior:")
                || contains_ci(&css, b"-moz-binding")
        } {
            bump(6, "xss-style");
        } else if (eq(an, "http-equiv") && eq(value, "refresh")) || eq(an, "srcdoc") {
            bump(5, "xss-tag");
        } else if eq(an, "attributename") && eq(name, "set") || eq(an, "implementation") {
            bump(6, "xss-tag");
        } else if eq(an, "datasrc") || eq(an, "dataformatas") || eq(an, "datafld") {
            // IE data binding pulls markup from another element or URL
            bump(5, "xss-tag");
        } else if eq(an, "style") && {
            let css = css_text(value);
            contains_ci(&css, b"url(") || css.contains(&b'}')
        } {
            // a style attribute that loads a resource or breaks out of its rule
            bump(5, "xss-style");
        }
    }
    if eq(name, "style")
        || eq(name, "link")
        || eq(name, "meta")
        || eq(name, "form")
        || eq(name, "base")
    {
        bump(3, "xss-tag");
    }
    i - at - 1
}

/// A style attribute's text as the CSS parser reads it: escapes decoded
/// (`\65` or `\000065 ` is `e`, `\(` is `(`, an escaped newline is
/// nothing), comments dropped (`expr/**/ession(`), and NULs dropped, as
/// the engines that ran `expression(` and `-moz-binding` did
/// (`-m\0o\0z…`). Borrowed when there is nothing to decode.
fn css_text(v: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr2(b'\\', b'/', v).is_none() && memchr::memchr(0, v).is_none() {
        return Cow::Borrowed(v);
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        match v[i] {
            b'\\' => {
                let hex = v[i + 1..]
                    .iter()
                    .take(6)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                if hex > 0 {
                    let digits = &v[i + 1..i + 1 + hex];
                    let cp = digits
                        .iter()
                        .fold(0u32, |n, &d| n * 16 + (d as char).to_digit(16).unwrap_or(0));
                    i += 1 + hex;
                    // one blank after a hex escape ends it and is not text
                    if matches!(v.get(i), Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')) {
                        i += 1;
                    }
                    match u8::try_from(cp) {
                        Ok(0) => {}
                        Ok(b) if b.is_ascii() => out.push(b),
                        _ => out.push(b'?'),
                    }
                } else {
                    match v.get(i + 1) {
                        Some(b'\n' | b'\r' | b'\x0c') => {}
                        Some(&c) => out.push(c),
                        None => {}
                    }
                    i += 2;
                }
            }
            b'/' if v.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&v[i + 2..], b"*/").map_or(v.len(), |p| i + 2 + p + 2);
            }
            0 => i += 1,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// `<f o r m`, `< x: script`: a tag name spelled with single spaces, which
/// some parsers and filters collapse.
fn spaced_tag(s: &[u8], mut i: usize, bump: &mut impl FnMut(u32, &'static str)) {
    let mut name = [0u8; 12];
    let mut n = 0;
    let mut spaces = 0;
    while i < s.len() && n < name.len() {
        match s[i] {
            b' ' if n > 0 || spaces == 0 => {
                if s.get(i + 1) == Some(&b' ') {
                    break;
                }
                spaces += 1;
            }
            b':' if n > 0 => n = 0, // namespace prefix: restart the name
            c if c.is_ascii_alphabetic() => {
                name[n] = c.to_ascii_lowercase();
                n += 1;
            }
            _ => break,
        }
        i += 1;
    }
    let name = &name[..n];
    if spaces >= 1
        && n >= 4
        && (in_list(name, SCRIPT_TAGS) || in_list(name, DOCUMENT_TAGS) || name == b"dialog")
    {
        bump(6, "xss-tag");
    }
}

const VALUE_SINKS: &[&[u8]] = &[b"alert", b"prompt", b"confirm", b"eval"];

/// A sink function used as a value rather than called by name
/// (`(alert)(1)`, `a=alert,a(1)`), or `location` assigned outright.
fn sink_reference(s: &[u8], seen: u16, bump: &mut impl FnMut(u32, &'static str)) {
    // the sink sits right after `(` or `=` and right before `)`, `,` or `;`:
    // bytes that are not alphanumeric, so no word boundary check is needed
    if seen & SINK_BEFORE != 0 {
        let mut k = 0;
        while let Some(p) = memchr::memchr2(b'(', b'=', &s[k..]) {
            k += p + 1;
            let rest = &s[k..];
            for sink in VALUE_SINKS {
                if rest.len() > sink.len()
                    && rest[..sink.len()].eq_ignore_ascii_case(sink)
                    && matches!(rest[sink.len()], b')' | b',' | b';')
                {
                    bump(6, "xss-js");
                    return;
                }
            }
        }
    }
    let t = s.trim_ascii_start();
    if t.len() > 9 && t[..8].eq_ignore_ascii_case(b"location") {
        let rest = t[8..].trim_ascii_start();
        if rest.first() == Some(&b'=') && rest.get(1) != Some(&b'=') {
            bump(6, "xss-dom");
        }
    }
}

/// A numeric character reference for `<` or `>` (`&#60;`, `&#x00003c`): the
/// raw value spells a bracket that ordinary text would just type.
fn entity_bracket(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    let mut k = 0;
    while let Some(p) = find_amp_hash(&s[k..]) {
        let at = k + p + 2;
        k = at;
        let hex = matches!(s.get(at), Some(b'x' | b'X'));
        let d0 = at + usize::from(hex);
        let digits = s[d0..]
            .iter()
            .take(12)
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        let Ok(txt) = std::str::from_utf8(&s[d0..d0 + digits]) else {
            continue;
        };
        let v = u32::from_str_radix(txt, if hex { 16 } else { 10 }).unwrap_or(0);
        if matches!(v, 60 | 62) {
            bump(5, "xss-tag");
            return;
        }
    }
}

/// The first `&#` in `h`.
fn find_amp_hash(h: &[u8]) -> Option<usize> {
    let mut k = 0;
    while let Some(p) = memchr::memchr(b'&', &h[k..]) {
        let at = k + p;
        if h.get(at + 1) == Some(&b'#') {
            return Some(at);
        }
        k = at + 1;
    }
    None
}

/// An event-handler attribute outside any tag, right after a quote or slash
/// (`" onzoom=`, `'formaction=`), or after whitespace that opens the value
/// (`  onload= `, the attribute separator of an unquoted attribute): the value
/// is meant to land inside a tag.
fn loose_handler(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    let mut i = 0;
    let opens_blank = matches!(s.first(), Some(b' ' | b'\t'));
    let anchors = std::iter::once(opens_blank.then_some(0))
        .flatten()
        .chain(std::iter::from_fn(|| {
            let p = memchr::memchr3(b'"', b'\'', b'/', &s[i..])?;
            let at = i + p;
            i = at + 1;
            Some(at + 1)
        }));
    for start in anchors {
        let mut j = start;
        while matches!(s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        let st = j;
        while j < s.len() && s[j].is_ascii_alphabetic() && j - st < 40 {
            j += 1;
        }
        let an = &s[st..j];
        let handler = an.len() >= 5 && an[..2].eq_ignore_ascii_case(b"on");
        let action = eq(an, "formaction") || eq(an, "srcdoc");
        while matches!(s.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if (handler || action) && s.get(j) == Some(&b'=') && s.get(j + 1) != Some(&b'=') {
            bump(6, "xss-event-handler");
            return;
        }
    }
}

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
