//! DOM access written to dodge word matching (split by comments, computed
//! or quoted property names on window globals, JSFuck, tagged templates).
//! Weights only, no verdicts.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// Window globals whose computed or quoted properties are checked.
const GLOBALS: [&[u8]; 7] = [
    b"document",
    b"window",
    b"self",
    b"top",
    b"parent",
    b"frames",
    b"globalthis",
];

/// Searchers built once: `memmem::find` builds one per call.
struct Finders {
    cookie: Finder<'static>,
    comment_open: Finder<'static>,
    comment_close: Finder<'static>,
    document_cookie: Finder<'static>,
    globals: [Finder<'static>; GLOBALS.len()],
    jsfuck: [Finder<'static>; 3],
    template_call: [Finder<'static>; 2],
}

static FINDERS: LazyLock<Finders> = LazyLock::new(|| Finders {
    cookie: Finder::new(b"cookie"),
    comment_open: Finder::new(b"/*"),
    comment_close: Finder::new(b"*/"),
    document_cookie: Finder::new(b"document.cookie"),
    globals: GLOBALS.map(Finder::new),
    jsfuck: [b"![]".as_slice(), b"[][", b"+[]"].map(Finder::new),
    template_call: [b".call`".as_slice(), b".apply`"].map(Finder::new),
});

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
    let f = &*FINDERS;
    if !s.iter().any(|b| matches!(b, b'[' | b'`'))
        && f.cookie.find(s).is_none()
        && f.comment_open.find(s).is_none()
    {
        return;
    }
    // whitespace, grouping parentheses and block comments removed
    let mut compact: Vec<u8> = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'/' && s.get(i + 1) == Some(&b'*') {
            i = f
                .comment_close
                .find(&s[i + 2..])
                .map_or(s.len(), |p| i + 2 + p + 2);
            continue;
        }
        if !s[i].is_ascii_whitespace() && !matches!(s[i], b'(' | b')') {
            compact.push(s[i].to_ascii_lowercase());
        }
        i += 1;
    }
    for (obj, finder) in GLOBALS.iter().zip(&f.globals) {
        let obj: &[u8] = obj;
        let mut k = 0;
        while let Some(p) = finder.find(&compact[k..]) {
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
            if computed_property(rest) {
                bump(6, "xss-dom");
                return;
            }
            if obj == b"document"
                && rest.starts_with(b".cookie")
                && f.document_cookie.find(s).is_none()
            {
                bump(6, "xss-dom");
                return;
            }
        }
    }
    let has = |finders: &[Finder<'static>]| finders.iter().any(|n| n.find(&compact).is_some());
    if has(&f.jsfuck) {
        bump(5, "xss-js");
    }
    if has(&f.template_call) {
        bump(6, "xss-js");
    }
}

/// `rest` (after a window global) opens a subscript whose property name is
/// computed by an expression: `[/al/.source+/ert/.source]`,
/// `[8680439..toString(30)]`, `[['pro'][0]+'mpt']` (the whole bracket, nested
/// ones included, up to 256 bytes). Array indexes and plain variables
/// (`[i]`, `[key]`) are not.
pub(super) fn computed_property(rest: &[u8]) -> bool {
    let Some(inner) = rest.strip_prefix(b"[") else {
        return false;
    };
    let mut depth = 0u32;
    for &b in inner.iter().take(256) {
        match b {
            b'[' => depth += 1,
            b']' if depth == 0 => return false,
            b']' => depth -= 1,
            b'+' | b'.' | b'/' | b'\\' | b'$' => return true,
            _ => {}
        }
    }
    false
}
