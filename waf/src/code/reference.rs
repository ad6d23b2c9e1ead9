//! The code-injection checks as they were before the speed-up (gates on byte
//! pairs, prebuilt searchers, no allocation), kept verbatim so the tests can
//! assert that `scan` scores every input exactly as this does. Test-only.

use super::{
    Field, Hits, is_ident, java_names, php_variable_calls, system_path, system_path_may_start,
};
use crate::verdict::Class;

/// `super::scan` before the speed-up.
pub(super) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    // one pass over the bytes decides which checks can match at all
    let (mut dot, mut dots, mut dollar, mut paren, mut junk, mut iff) =
        (false, false, false, false, false, false);
    let mut prev = 0u8;
    for &b in s {
        match b {
            b'.' => {
                dots |= prev == b'.';
                dot = true;
            }
            b'$' => dollar = true,
            b'(' => paren = true,
            b'f' => iff |= prev == b'i',
            _ => {}
        }
        junk |= !b.is_ascii_alphanumeric() && !b.is_ascii_whitespace();
        prev = b;
    }
    if dot {
        java_names(s, hits);
    }
    if dollar {
        php_variable_calls(s, hits);
    }
    if paren {
        js_runtime(s, hits);
    }
    if junk && s.len() >= 9 {
        sensitive_words(s, hits);
    }
    if dots {
        dot_steps(s, hits);
    }
    if system_path_may_start(s) {
        system_path(s, hits);
    }
    if iff {
        batch_if(s, hits);
    }
    if field == Field::Name {
        orm_lookup(s, hits);
    }
}

/// Server-side JavaScript shapes that are not plain literals (those are in the
/// literal automaton, `rules.rs`): anonymous function bodies, console calls as
/// a whole value, busy loops that pin a worker (`while(true)`, `while(!0)`).
pub(super) fn js_runtime(s: &[u8], hits: &mut Hits) {
    let mut best = 0;
    // an anonymous function body opened in a value: weak on its own
    if memchr::memmem::find(s, b"function(){").is_some()
        || memchr::memmem::find(s, b"function() {").is_some()
    {
        best = best.max(3);
    }
    // `console.info(1)`: a console call as a whole value probes for eval
    if s.starts_with(b"console.") && s.contains(&b'(') {
        best = best.max(5);
    }
    if busy_loop(s) {
        best = best.max(6);
    }
    if best > 0 {
        hits.add(Class::Generic, "generic-node", best);
    }
}

/// `while(<constant truthy expression>)`: no variable that could ever change.
pub(super) fn busy_loop(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = memchr::memmem::find(&s[i..], b"while(") {
        let at = i + p;
        i = at + 6;
        if at > 0 && is_ident(s[at - 1]) {
            continue;
        }
        let inner_start = at + 6;
        let Some(e) = s[inner_start..].iter().take(24).position(|&c| c == b')') else {
            continue;
        };
        let inner: Vec<u8> = s[inner_start..inner_start + e]
            .iter()
            .copied()
            .filter(|b| !matches!(b, b'!' | b'+' | b'-' | b'(' | b' '))
            .collect();
        const TRUTHY: &[&[u8]] = &[
            b"",
            b"true",
            b"false",
            b"0",
            b"1",
            b"infinity",
            b"this",
            b"string",
            b"newdate",
            b"new date",
            b"{}",
            b"[]",
            b"\"\"",
            b"''",
            b"``",
            b"null",
            b"undefined",
            b"nan",
        ];
        if TRUTHY.contains(&inner.as_slice()) {
            return true;
        }
    }
    false
}

/// Dot-dot steps glued by junk instead of a slash (`..%bg%qf..`, `..\xc1%pc..`,
/// `..2f..2f`): a target decoder that maps the junk to a separator walks up the
/// tree. Counts `..` runs whose gap to the next run is 1-8 bytes with no
/// whitespace and at least one byte that is not a letter or digit (or exactly a
/// bare hex `2f` / `5c`), so version ranges (`1..2..3`) and prose ellipses stay out.
pub(super) fn dot_steps(s: &[u8], hits: &mut Hits) {
    let mut steps = 0u32;
    let mut best = 0u32;
    let mut i = 0;
    let mut last_end: Option<usize> = None;
    while let Some(p) = memchr::memmem::find(&s[i..], b"..") {
        let at = i + p;
        let mut e = at + 2;
        while s.get(e) == Some(&b'.') {
            e += 1;
        }
        if let Some(le) = last_end {
            let gap = &s[le..at];
            let sep_like = (1..=8).contains(&gap.len())
                && !gap.iter().any(u8::is_ascii_whitespace)
                && (gap.iter().any(|b| !b.is_ascii_alphanumeric()) || gap == b"2f" || gap == b"5c");
            steps = if sep_like { steps + 1 } else { 0 };
            best = best.max(steps);
        }
        last_end = Some(e);
        i = e;
    }
    if best >= 2 {
        hits.add(Class::Lfi, "lfi-traversal", if best >= 3 { 6 } else { 5 });
    }
}

/// Windows batch `if` statements: `if [/i] [not] exist|defined|errorlevel X cmd`
/// and `if A ==|equ|neq|lss|leq|gtr|geq B cmd`, at the start of a command.
pub(super) fn batch_if(s: &[u8], hits: &mut Hits) {
    let mut i = 0;
    while let Some(p) = memchr::memmem::find(&s[i..], b"if") {
        let at = i + p;
        i = at + 2;
        let starts = at == 0 || matches!(s[at - 1], b' ' | b'&' | b'|' | b';' | b'\n' | b'(');
        let before_ok = s[..at]
            .iter()
            .rev()
            .find(|b| **b != b' ')
            .is_none_or(|b| matches!(b, b'&' | b'|' | b';' | b'\n' | b'('));
        if !starts || !before_ok {
            continue;
        }
        let rest = &s[at + 2..];
        if !matches!(rest.first(), Some(b' ' | b'/')) {
            continue;
        }
        let w = super::batch_if_weight(rest);
        if w > 0 {
            hits.add(Class::Cmdi, "cmdi-batch", w);
            return;
        }
    }
}

/// Django-style ORM lookups in a parameter name (`user__password__startswith`):
/// lets a client filter on fields it should not see.
pub(super) fn orm_lookup(s: &[u8], hits: &mut Hits) {
    const LOOKUPS: &[&[u8]] = &[
        b"startswith",
        b"istartswith",
        b"endswith",
        b"iendswith",
        b"contains",
        b"icontains",
        b"regex",
        b"iregex",
        b"exact",
        b"iexact",
        b"has_key",
        b"has_keys",
        b"has_any_keys",
        b"in",
        b"gt",
        b"gte",
        b"lt",
        b"lte",
        b"isnull",
        b"range",
    ];
    let parts = memchr::memmem::find_iter(s, b"__").count();
    if parts < 2 || s.starts_with(b"__") {
        return;
    }
    let last = s.rsplit(|&b| b == b'_').next().unwrap_or(b"");
    let tail_ok = LOOKUPS.iter().any(|l| {
        s.ends_with(l) && s.len() > l.len() + 2 && {
            let cut = s.len() - l.len();
            &s[cut - 2..cut] == b"__"
        }
    });
    if tail_ok && !last.is_empty() {
        hits.add(Class::Generic, "generic-orm-lookup", 6);
    }
}

/// Sensitive system paths spelled with arbitrary separators between their
/// words (`etc%bg%qfpasswd`, `windows∕system32`): decoders on the target may
/// read the junk as a separator. Needs two adjacent words of a known pair joined
/// by 1-8 non-space, non-alphanumeric bytes that are not a plain `/` or `\`
/// (those are covered by the literal list).
pub(super) fn sensitive_words(s: &[u8], hits: &mut Hits) {
    const PAIRS: &[(&[u8], &[u8])] = &[
        (b"etc", b"passwd"),
        (b"etc", b"shadow"),
        (b"etc", b"issue"),
        (b"etc", b"hosts"),
        (b"etc", b"group"),
        (b"windows", b"system32"),
        (b"system32", b"drivers"),
        (b"drivers", b"etc"),
        (b"boot", b"ini"),
        (b"win", b"ini"),
    ];
    let mut prev: Option<&[u8]> = None;
    let mut sep_ok = false;
    let mut i = 0;
    while i < s.len() {
        if !s[i].is_ascii_alphanumeric() {
            let st = i;
            while i < s.len() && !s[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let sep = &s[st..i];
            sep_ok = sep.len() <= 8
                && !sep.iter().any(u8::is_ascii_whitespace)
                && sep != b"/"
                && sep != b"\\"
                && sep != b".";
            continue;
        }
        let st = i;
        while i < s.len() && s[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let w = &s[st..i];
        if let Some(p) = prev
            && sep_ok
            && PAIRS.iter().any(|(a, b)| *a == p && *b == w)
        {
            hits.add(Class::Lfi, "lfi-sensitive-file", 6);
            return;
        }
        prev = Some(w);
    }
}
