//! JavaScript outside tags: sink calls (`alert(1)`, `` alert`1` ``), string
//! breakouts (`";alert(1)//`), script URIs as the whole value, DOM sink
//! objects. Weights only, no verdicts.

use super::{CALL, COLON, contains_ci, eq, in_list, script_uri_value};
use crate::detect::Field;

pub(super) const SINKS: &[&str] = &[
    "alert",
    "prompt",
    "confirm",
    "eval",
    "settimeout",
    "setinterval",
    "fromcharcode",
    "atob",
    "execscript",
    "msgbox",
    "import",
    "fetch",
    // jQuery's loaders of remote script and its eval
    "getscript",
    "globaleval",
];
pub(super) const SINK_OBJECTS: &[&str] = &[
    "document.cookie",
    "document.write",
    "document.domain",
    "document.location",
    "window.location",
    "location.href",
    "innerhtml",
    "outerhtml",
    "window.open",
    "document.body",
    "localstorage",
    "window.name",
    "top.location",
    "self.location",
    "parent.location",
    "location.hash",
    "location.search",
    "document.url",
    "document.referrer",
];

/// Every entry of `SINK_OBJECTS` contains one of these words (a test checks
/// it), so a word holding none of them contains no sink object.
pub(super) const DOM_ROOTS: &[&[u8]] = &[
    b"document",
    b"window",
    b"location",
    b"innerhtml",
    b"outerhtml",
    b"localstorage",
];

/// The shortest entry of `SINK_OBJECTS` (`innerhtml`, `outerhtml`): a word
/// shorter than this is no DOM sink.
pub(super) const MIN_DOM_WORD: usize = 9;

/// True when `w` contains one of `DOM_ROOTS`, ignoring ASCII case: one pass
/// keyed on the first two letters of each root (`do`, `wi`, `lo`, `in`,
/// `ou`), which most positions of prose fail.
pub(super) fn has_dom_root(w: &[u8]) -> bool {
    w.windows(2).enumerate().any(|(p, pair)| {
        // `| 0x20` lowercases a letter; the bytes it maps onto a letter
        // otherwise are only let through to the exact compare below
        let roots: &[&[u8]] = match [pair[0] | 0x20, pair[1] | 0x20] {
            [b'd', b'o'] => &DOM_ROOTS[..1],
            [b'w', b'i'] => &DOM_ROOTS[1..2],
            [b'l', b'o'] => &[DOM_ROOTS[2], DOM_ROOTS[5]],
            [b'i', b'n'] => &DOM_ROOTS[3..4],
            [b'o', b'u'] => &DOM_ROOTS[4..5],
            _ => return false,
        };
        roots
            .iter()
            .any(|r| w.len() - p >= r.len() && w[p..p + r.len()].eq_ignore_ascii_case(r))
    })
}

/// False when no word of `s` can be a sink, `constructor` or `Function` called by the
/// loop of `js_shapes`: there the name checked is `last`, the run of
/// alphanumerics and `_` that ends the word (after its last `.`), and the
/// call is a `(` or backtick after it, past spaces and tabs. So it is the run
/// of those bytes found by going back from a `(` or backtick over spaces
/// and tabs; values with brackets in prose (`biscuits (pack of 12)`) stop
/// here.
fn may_call_sink(s: &[u8]) -> bool {
    let ident_before = |e: usize| {
        let st = s[..e]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .map_or(0, |q| q + 1);
        (st, &s[st..e])
    };
    memchr::memchr2_iter(b'(', b'`', s).any(|p| {
        let mut e = p;
        while e > 0 && matches!(s[e - 1], b' ' | b'\t') {
            e -= 1;
        }
        // `alert?.(1)`: an optional call
        if s[..e].ends_with(b"?.") {
            e -= 2;
        }
        let (st, name) = ident_before(e);
        // `confirm.call(null, 1)`, `alert.apply(null, [1])`: the sink
        // called through its own methods
        let name = if (eq(name, "call") || eq(name, "apply")) && st > 0 && s[st - 1] == b'.' {
            ident_before(st - 1).1
        } else {
            name
        };
        in_list(name, SINKS) || eq(name, "constructor") || eq(name, "function")
    })
}

/// The last byte before a name, blanks skipped, ends a string, a statement
/// or an expression (`";alert(1)`, `'-alert(1)-'`): a breakout.
pub(super) fn breakout_before(before: &[u8]) -> bool {
    before
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| b"\"';)}>-+*/|&=,".contains(b))
}

/// A sink called other than by `name(`: as an optional call (`alert?.(1)`)
/// or through `Function.prototype`'s own `call` and `apply`
/// (`confirm.call(null, 1)`, `alert.apply(null, [1])`). `word` is the dotted
/// name read before `j`, the first byte after it and its blanks.
pub(super) fn indirect_sink_call(word: &[u8], s: &[u8], j: usize) -> bool {
    let mut parts = word.rsplit(|&b| b == b'.');
    let last = parts.next().unwrap_or_default();
    if s[j..].starts_with(b"?.(") {
        return in_list(last, SINKS);
    }
    matches!(s.get(j), Some(b'(' | b'`'))
        && (eq(last, "call") || eq(last, "apply"))
        && parts.next().is_some_and(|sink| in_list(sink, SINKS))
}

/// `Function('ale'+'rt(1)')()`, `new Function("…")`: the Function
/// constructor compiles its string arguments as code, so it is a sink that
/// names no sink. `last` is a word followed at `j` by its call's `(`; a
/// function expression (`function (x) {`) takes names, never a string.
pub(super) fn function_constructor(last: &[u8], s: &[u8], j: usize) -> bool {
    eq(last, "function")
        && s.get(j) == Some(&b'(')
        && s[j + 1..]
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t'))
            .is_some_and(|b| matches!(b, b'\'' | b'"' | b'`'))
}

/// False when no word of `s` can be a DOM sink in `js_shapes`: each of
/// them holds one of `DOM_ROOTS` (a dotted word is checked for one; the
/// undotted names are roots), and each holds `oc`, `tm` or `w.` in any case
/// (a test checks it), a pair most prose lacks and that is cheaper to look
/// for than the roots.
fn may_name_dom_sink(s: &[u8]) -> bool {
    // a fold without early exit, which the compiler vectorises; `| 0x20`
    // lowercases the letters (and maps a few other bytes onto `.`, which
    // only lets more values through)
    let pair = s.iter().zip(s.iter().skip(1)).fold(false, |m, (&a, &b)| {
        let (a, b) = (a | 0x20, b | 0x20);
        m | (a == b'o') & (b == b'c') | (a == b't') & (b == b'm') | (a == b'w') & (b == b'.')
    });
    pair && has_dom_root(s)
}

/// Whether `s` holds a word of `MIN_DOM_WORD` bytes (a run of
/// alphanumerics, `_` and `.`), which every DOM sink of `js_shapes` is.
pub(super) fn has_long_word(s: &[u8]) -> bool {
    s.split(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')))
        .any(|w| w.len() >= MIN_DOM_WORD)
}

/// JavaScript outside tags: sink calls `alert(1)`, `` alert`1` ``, string breakouts
/// `";alert(1)//`, script URIs as the whole value, DOM sinks.
pub(super) fn js_shapes(
    s: &[u8],
    field: Field,
    seen: u16,
    bump: &mut impl FnMut(u32, &'static str),
) {
    // every script URI scheme ends in `:`
    if seen & COLON != 0 {
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
    }
    // a call needs `(` or a backtick after a sink's name
    let may_call = seen & CALL != 0 && may_call_sink(s);
    // without a call only a DOM sink can bump, and it needs a word of
    // `MIN_DOM_WORD` bytes (words are runs of alphanumerics, `_` and `.`)
    // holding one of the DOM roots
    let may_dom = may_name_dom_sink(s) && has_long_word(s);
    if !may_call && !may_dom {
        return;
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
        // without a call only a DOM sink can bump, and it needs a long word
        if !may_call && word.len() < MIN_DOM_WORD {
            continue;
        }
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
            let breakout = breakout_before(&s[..st]);
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
        } else if indirect_sink_call(word, s, j) {
            bump(
                if st == 0 || breakout_before(&s[..st]) {
                    7
                } else {
                    5
                },
                "xss-js",
            );
        }
        // every DOM sink object is dotted except these three property names
        let dom = if word.contains(&b'.') {
            word.len() >= MIN_DOM_WORD
                && has_dom_root(word)
                && SINK_OBJECTS.iter().any(|o| contains_ci(word, o.as_bytes()))
        } else {
            eq(word, "innerhtml") || eq(word, "outerhtml") || eq(word, "localstorage")
        };
        if dom {
            let assign = s.get(j) == Some(&b'=') && s.get(j + 1) != Some(&b'=');
            bump(if assign || call { 6 } else { 3 }, "xss-dom");
        }
        if eq(last, "constructor") && call || function_constructor(last, s, j) {
            bump(6, "xss-js");
        }
    }
}
