//! The XSS checks as they were before the speed-up (gates, prebuilt
//! searchers, one-pass sink search), kept verbatim so the tests can assert that
//! `scan` scores every input exactly as this does. Test-only.

use super::{
    Field, Hits, SINK_OBJECTS, SINKS, attribute_breakout, contains_ci, eq, in_list, loose_handler,
    script_uri_value, tag,
};
use crate::verdict::Class;

/// `super::scan` before the speed-up.
pub(super) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    let mut best = (0u32, "xss");
    let mut bump = |w: u32, id: &'static str| {
        if w > best.0 {
            best = (w, id);
        }
    };
    // added after the speed-up, ungated here as the live scan gates it on `<`
    if attribute_breakout(s) {
        bump(5, "xss-tag");
    }
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &s[i..]) {
        let at = i + p;
        i = at + 1 + tag(s, at, &mut bump);
    }
    js_shapes(s, field, &mut bump);
    sink_reference(s, &mut bump);
    entity_bracket(s, &mut bump);
    loose_handler(s, &mut bump);
    dom_obfuscation(s, &mut bump);
    if best.0 > 0 {
        hits.add(Class::Xss, best.1, best.0);
    }
}

/// A sink function used as a value rather than called by name
/// (`(alert)(1)`, `a=alert,a(1)`), or `location` assigned outright.
pub(super) fn sink_reference(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    for sink in [b"alert".as_slice(), b"prompt", b"confirm", b"eval"] {
        let mut k = 0;
        while let Some(p) = find_ci(&s[k..], sink) {
            let at = k + p;
            k = at + sink.len();
            let before = at.checked_sub(1).map(|i| s[i]);
            let after = s.get(k).copied();
            if before.is_some_and(|b| b.is_ascii_alphanumeric())
                || after.is_some_and(|b| b.is_ascii_alphanumeric())
            {
                continue;
            }
            if matches!(before, Some(b'(' | b'=')) && matches!(after, Some(b')' | b',' | b';')) {
                bump(6, "xss-js");
                return;
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

fn find_ci(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

/// A numeric character reference for `<` or `>` (`&#60;`, `&#x00003c`): the
/// raw value spells a bracket that ordinary text would just type.
pub(super) fn entity_bracket(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    let mut k = 0;
    while let Some(p) = memchr::memmem::find(&s[k..], b"&#") {
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

/// JavaScript outside tags: sink calls `alert(1)`, `` alert`1` ``, string breakouts
/// `";alert(1)//`, script URIs as the whole value, DOM sinks.
pub(super) fn js_shapes(s: &[u8], field: Field, bump: &mut impl FnMut(u32, &'static str)) {
    let trimmed: &[u8] = {
        let st = s
            .iter()
            .position(|b| !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b'>'))
            .unwrap_or(s.len());
        &s[st..]
    };
    if script_uri_value(trimmed) {
        bump(if field == Field::UrlHeader { 5 } else { 7 }, "xss-uri");
    }
    // sink identifiers followed by ( or `
    let mut i = 0;
    while i < s.len() {
        if !s[i].is_ascii_alphabetic()
            || (i > 0 && (s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_'))
        {
            i += 1;
            continue;
        }
        let st = i;
        while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_' || s[i] == b'.') {
            i += 1;
        }
        let word = &s[st..i];
        let last = match word.iter().rposition(|&b| b == b'.') {
            Some(p) => &word[p + 1..],
            None => word,
        };
        let mut j = i;
        while j < s.len() && matches!(s[j], b' ' | b'\t') {
            j += 1;
        }
        let call = matches!(s.get(j), Some(b'(' | b'`'));
        if call && in_list(last, SINKS) {
            let breakout = super::js::breakout_before(&s[..st]);
            let arg_ok = s.get(j + 1).is_some_and(|&b| b != b')' || last.len() > 4)
                || s.get(j) == Some(&b'`');
            let w = if breakout || st == 0 || word.len() > last.len() {
                7
            } else if arg_ok {
                5
            } else {
                3
            };
            bump(w, "xss-js");
        } else if super::js::indirect_sink_call(word, s, j) {
            let breakout = super::js::breakout_before(&s[..st]);
            bump(if st == 0 || breakout { 7 } else { 5 }, "xss-js");
        }
        // every DOM sink object is dotted except these three property names
        let dom = if word.contains(&b'.') {
            SINK_OBJECTS.iter().any(|o| contains_ci(word, o.as_bytes()))
        } else {
            eq(word, "innerhtml") || eq(word, "outerhtml") || eq(word, "localstorage")
        };
        if dom {
            let assign = s.get(j) == Some(&b'=') && s.get(j + 1) != Some(&b'=');
            bump(if assign || call { 6 } else { 3 }, "xss-dom");
        }
        if eq(last, "constructor") && call || super::js::function_constructor(last, s, j) {
            bump(6, "xss-js");
        }
    }
}

/// DOM access written to dodge word matching: `document /*x*/ . cookie`,
/// `(document)["cookie"]`, `window["alert"](…)`, `self["\x24"]`, JSFuck
/// (`!![]`, `[][…]`), tagged-template calls on builtins (`[].sort.call\`…\``).
pub(super) fn dom_obfuscation(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    if !s.iter().any(|b| matches!(b, b'[' | b'.' | b'`')) {
        return;
    }
    // without `[` or a backtick only the spaced-out `document . cookie` can
    // match, which needs the word (or a comment that may split it): most
    // values with a dot (e-mail addresses, sentences) stop here
    if !s.iter().any(|b| matches!(b, b'[' | b'`'))
        && memchr::memmem::find(s, b"cookie").is_none()
        && memchr::memmem::find(s, b"/*").is_none()
    {
        return;
    }
    // whitespace, grouping parentheses and block comments removed
    let mut compact: Vec<u8> = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'/' && s.get(i + 1) == Some(&b'*') {
            i = memchr::memmem::find(&s[i + 2..], b"*/").map_or(s.len(), |p| i + 2 + p + 2);
            continue;
        }
        if !s[i].is_ascii_whitespace() && !matches!(s[i], b'(' | b')') {
            compact.push(s[i].to_ascii_lowercase());
        }
        i += 1;
    }
    let has = |n: &[u8]| memchr::memmem::find(&compact, n).is_some();
    for obj in [
        b"document".as_slice(),
        b"window",
        b"self",
        b"top",
        b"parent",
        b"frames",
        b"globalthis",
    ] {
        let mut k = 0;
        while let Some(p) = memchr::memmem::find(&compact[k..], obj) {
            let at = k + p;
            k = at + obj.len();
            if at > 0 && compact[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            let rest = &compact[k..];
            if rest.starts_with(b"[\"") || rest.starts_with(b"['") || rest.starts_with(b"[`") {
                bump(6, "xss-dom");
                return;
            }
            // `top[/al/.source+/ert/.source]`, `self[8680439..toString(30)]`:
            // a property name computed by an expression (array indexes and
            // plain variables are not)
            if super::dom::computed_property(rest) {
                bump(6, "xss-dom");
                return;
            }
            if obj == b"document"
                && rest.starts_with(b".cookie")
                && memchr::memmem::find(s, b"document.cookie").is_none()
            {
                bump(6, "xss-dom");
                return;
            }
        }
    }
    if has(b"![]") || has(b"[][") || has(b"+[]") {
        bump(5, "xss-js");
    }
    if has(b".call`") || has(b".apply`") {
        bump(6, "xss-js");
    }
}
