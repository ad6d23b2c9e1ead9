//! Shell shapes that are not "command after a separator": fork bombs, brace
//! expansion, arithmetic / process substitution, tilde stacks, Windows batch
//! control flow and globbed paths.

use std::borrow::Cow;

use super::commands::lookup;
use super::{find_literal, has_literal};

/// A shell function that calls itself in the background (`:(){ :|:& };:`,
/// `f(){ f & f; }`).
pub(super) fn fork_bomb(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'(', &s[i..]) {
        let at = i + p;
        i = at + 1;
        let mut j = at + 1;
        if s.get(j) != Some(&b')') {
            continue;
        }
        j += 1;
        while s.get(j) == Some(&b' ') {
            j += 1;
        }
        if s.get(j) != Some(&b'{') {
            continue;
        }
        let name_len = s[..at]
            .iter()
            .rev()
            .take(32)
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(**b, b'_' | b':' | b'.'))
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &s[at - name_len..at];
        let body_end = s[j..]
            .iter()
            .take(64)
            .position(|&b| b == b'}')
            .map_or(s.len(), |e| j + e);
        let body = &s[j + 1..body_end];
        let calls = memchr::memmem::find_iter(body, name).count();
        if calls >= 2 && (body.contains(&b'&') || body.contains(&b'|')) {
            bump(8, "cmdi-fork-bomb");
            return;
        }
    }
}

/// Brace expansion with an empty element around a command (`{,ifconfig}`,
/// `{id,}`): the empty word makes the shell run the other one.
pub(super) fn brace_command(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'{', &s[i..]) {
        let at = i + p;
        i = at + 1;
        let Some(e) = s[at + 1..].iter().take(64).position(|&b| b == b'}') else {
            continue;
        };
        let inner = &s[at + 1..at + 1 + e];
        if !inner.contains(&b',') || inner.contains(&b' ') {
            continue;
        }
        // letters glued around the braces take part in the word: c{a,oun}t
        let pre_len = s[..at]
            .iter()
            .rev()
            .take(16)
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let prefix = &s[at - pre_len..at];
        let rest = &s[at + 2 + e..];
        let suffix = &rest[..rest
            .iter()
            .take(16)
            .take_while(|b| b.is_ascii_alphabetic())
            .count()];
        let glued = !prefix.is_empty() || !suffix.is_empty();
        let empty_elem = inner.starts_with(b",") || inner.ends_with(b",");
        if !glued && !empty_elem {
            continue;
        }
        let first = inner.split(|&b| b == b',').find(|w| !w.is_empty());
        if first.is_some_and(|w| {
            let mut word: Vec<u8> = prefix.to_vec();
            word.extend(
                w.iter()
                    .copied()
                    .filter(|b| !matches!(b, b'$' | b'"' | b'\'')),
            );
            word.extend_from_slice(suffix);
            lookup(&word).is_some()
        }) {
            bump(6, "cmdi-evasion");
            return;
        }
    }
}

/// Shell expansions that only a shell reads: arithmetic `$((…))` / `$[…]`,
/// process substitution `>(cmd)` / `<(cmd)`, tilde-stack references (`~+`,
/// `~-2`) as the whole value, and `$var` run as a command after a separator.
pub(super) fn expansions(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    if has_literal(s, b"$((") || bracket_arithmetic(s) {
        bump(5, "cmdi-evasion");
    }
    for op in [b'>', b'<'] {
        // the first `>(` / `<(`, as a substring search would find it
        let first = memchr::memchr_iter(op, s).find(|&p| s.get(p + 1) == Some(&b'('));
        if let Some(p) = first {
            let w: &[u8] = s[p + 2..]
                .split(|&b| b == b' ' || b == b')')
                .next()
                .unwrap_or(b"");
            if lookup(w).is_some() {
                bump(6, "cmdi-evasion");
            }
        }
    }
    let t = s.trim_ascii();
    if t.len() >= 2
        && t[0] == b'~'
        && matches!(t[1], b'+' | b'-')
        && t[2..].iter().all(u8::is_ascii_digit)
    {
        bump(5, "cmdi-evasion");
    }
}

/// Windows batch control flow: `for /f ... in (...) do`, `if %errorlevel%`.
/// `paren` / `percent`: whether `s` holds a `(` / a `%`, which the `for`
/// form / the variables need (lowercasing leaves both alone).
pub(super) fn batch(
    s: &[u8],
    paren: bool,
    percent: bool,
    bump: &mut impl FnMut(u32, &'static str),
) {
    // a fold without early exit: the compiler vectorises it
    let upper = s.iter().fold(false, |up, b| up | b.is_ascii_uppercase());
    let l: Cow<'_, [u8]> = if upper {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    };
    let has = |n: &[u8]| find_literal(&l, n);
    if paren && batch_for_loop(&l) {
        bump(6, "cmdi-batch");
    }
    if percent
        && (has(b"%errorlevel%").is_some()
            || has(b"%comspec%").is_some()
            || has(b"%systemroot%").is_some())
    {
        bump(5, "cmdi-batch");
    }
}

/// cmd's `for … in (…) do …` in lowercased text: `for ` then ` in`, blanks
/// and `(`, then `)`, blanks and `do` before a blank, `@`, `(` or the end.
/// cmd needs no blank between `)` and `do` (`IN (a,b)DO cmd`), and a form's
/// `+` spaces can leave several (`IN   ("x") DO`).
pub(super) fn batch_for_loop(l: &[u8]) -> bool {
    let blanks = |s: &[u8]| s.iter().take_while(|&&b| b == b' ').count();
    let Some(f) = find_literal(l, b"for ") else {
        return false;
    };
    let mut from = f + 4;
    while let Some(p) = find_literal(&l[from..], b" in") {
        let after_in = from + p + 3;
        from = after_in;
        let rest = &l[after_in..];
        if rest.get(blanks(rest)) != Some(&b'(') {
            continue;
        }
        return memchr::memchr_iter(b')', rest).any(|c| {
            let tail = &rest[c + 1..];
            let tail = &tail[blanks(tail)..];
            tail.starts_with(b"do") && matches!(tail.get(2), None | Some(b' ' | b'@' | b'('))
        });
    }
    false
}

/// `/???/c?t`, `/bin/ca*`: path segments made of glob characters.
pub(super) fn glob_path(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    // callers skip values without `?`: the signal needs one (last condition)
    let mut segs = 0;
    let mut globby = 0;
    for part in s.split(|&b| b == b'/') {
        if part.is_empty() {
            continue;
        }
        segs += 1;
        let g = part.iter().filter(|&&b| b == b'?' || b == b'*').count();
        if g > 0
            && g * 2 >= part.len()
            && part
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'?' || *b == b'*')
        {
            globby += 1;
        }
    }
    if globby >= 2 && segs >= 2 && s.contains(&b'?') {
        bump(7, "cmdi-glob");
    }
}

/// `$[1+1]`, `$[x*2]`, `$[]`: the old arithmetic expansion, closed within
/// 256 bytes by a `]` around an expression (names, digits, operators,
/// brackets, blanks) or nothing. A generated password holds `$[` as two random symbols, rarely
/// followed by an expression and its `]`.
pub(super) fn bracket_arithmetic(s: &[u8]) -> bool {
    memchr::memchr_iter(b'$', s).any(|p| {
        if s.get(p + 1) != Some(&b'[') {
            return false;
        }
        let body = &s[p + 2..];
        let Some(e) = body.iter().take(256).position(|&b| b == b']') else {
            return false;
        };
        body[..e].iter().all(|&b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'$' | b'+' | b'-' | b'*' | b'/' | b'%' | b'(' | b')' | b' '
                )
        })
    })
}
