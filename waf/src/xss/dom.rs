//! DOM access written to dodge word matching (split by comments, computed
//! or quoted property names on window globals, JSFuck, tagged templates).
//! Weights only, no verdicts.

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
            if let Some(inner) = rest.strip_prefix(b"[")
                && let Some(end) = memchr::memchr(b']', inner)
                && inner[..end]
                    .iter()
                    .any(|b| matches!(b, b'+' | b'.' | b'/' | b'\\' | b'$'))
            {
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
