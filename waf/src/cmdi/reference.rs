//! The detector as it was before it was made allocation-free (commit
//! af91961), kept for tests only: the live `scan` and `plain_may_match` must
//! add exactly what these add, for every input. Unchanged helpers
//! (`fork_bomb`, `brace_command`, the command lists) are shared; `commands`
//! has its own test against a plain scan of the lists.

use super::commands::{WRAPPERS, glob_command, lookup};
use super::shapes::{brace_command, fork_bomb};
use super::{Sep, glued_variable};
use crate::detect::{Field, Hits};
use crate::verdict::Class;

/// Reads `s` the way a shell would join a word: quotes and backslashes removed,
/// `$@` / `$*` / empty `${}` dropped, `${IFS}` / `$IFS` to a space, brace lists
/// `{a,b}` to `a b`.
pub(crate) fn unquote(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        match b {
            b'\\'
                if s.get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'/')
                    && out.last().is_some_and(|c: &u8| c.is_ascii_alphanumeric()) =>
            {
                i += 1
            }
            b'^' if s.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) => i += 1,
            b'\'' | b'"'
                if out.last().is_some_and(|c: &u8| c.is_ascii_alphanumeric())
                    && s.get(i + 1).is_some_and(|c| {
                        c.is_ascii_alphanumeric() || *c == b'\'' || *c == b'"'
                    }) =>
            {
                i += 1
            }
            b'$' => {
                let rest = &s[i + 1..];
                let in_word = out.last().is_some_and(|c: &u8| c.is_ascii_alphanumeric());
                if rest.starts_with(b"@") || rest.starts_with(b"*") {
                    i += 2;
                } else if in_word
                    && rest.len() >= 2
                    && matches!(
                        rest[0],
                        b'!' | b'-' | b'$' | b'_' | b'?' | b'#' | b'0'..=b'9'
                    )
                    && rest[1].is_ascii_alphanumeric()
                {
                    // special parameters expand to nothing useful inside a word: c$_at
                    i += 2;
                } else if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"{ifs}") {
                    out.push(b' ');
                    i += 6;
                } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"ifs") {
                    out.push(b' ');
                    i += 4;
                    if s.get(i) == Some(&b'$') && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
                        i += 2;
                    }
                } else if rest.starts_with(b"{}") || rest.starts_with(b"()") {
                    i += 3;
                } else if let Some(n) = glued_variable(rest).filter(|_| in_word) {
                    // `cat$u /etc$u/passwd`, `c${x}at`: a variable glued to a
                    // word; an unset one expands to nothing
                    i += 1 + n;
                } else {
                    out.push(b);
                    i += 1;
                }
            }
            b'`' | b'<' | b'>'
                if out.last().is_some_and(|c: &u8| c.is_ascii_alphanumeric())
                    && (s[i..].starts_with(b"``")
                        || s[i..].starts_with(b"<()")
                        || s[i..].starts_with(b">()")) =>
            {
                // empty substitutions glued inside a word: pi``ng, pi<()ng
                i += if b == b'`' { 2 } else { 3 };
            }
            b'{' => {
                // brace expansion {cmd,arg}: only when no spaces inside
                let end = s[i + 1..]
                    .iter()
                    .take(256)
                    .position(|&c| c == b'}' || c == b' ');
                match end {
                    Some(e) if s[i + 1 + e] == b'}' && s[i + 1..i + 1 + e].contains(&b',') => {
                        out.push(b' ');
                        super::brace_words(&s[i + 1..i + 1 + e], |c| out.push(c));
                        out.push(b' ');
                        i += e + 2;
                    }
                    _ => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `cu$@rl host`, `wh$*oami`: `$@` / `$*` glued inside a word expand to
/// nothing, so the shell runs the command the letters around them spell;
/// text never writes a word that way.
fn glued_parameter_command(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    for w in s
        .split(|b| b.is_ascii_whitespace() || matches!(b, b';' | b'|' | b'&'))
        .take(16)
    {
        let glued = w
            .windows(3)
            .any(|x| x[0].is_ascii_alphanumeric() && x[1] == b'$' && matches!(x[2], b'@' | b'*'));
        if glued && lookup(strip_path(&unquote(w))).is_some() {
            bump(6, "cmdi-evasion");
            return;
        }
    }
}

fn strip_path(word: &[u8]) -> &[u8] {
    let p = word.iter().rposition(|&b| b == b'/' || b == b'\\');
    match p {
        Some(p) if p + 1 < word.len() => &word[p + 1..],
        _ => word,
    }
}

/// 3: a path, drive, variable or URL; 1: a flag or number; 0: anything else.
fn arg_strength(a: &[u8]) -> u32 {
    if a.is_empty() {
        return 0;
    }
    let lower = a.to_ascii_lowercase();
    let strong = a[0] == b'/'
        || a[0] == b'~'
        || a[0] == b'$'
        || a[0] == b'>'
        || a[0] == b'<'
        || a.starts_with(b"./")
        || a.starts_with(b"..")
        || a.starts_with(b"\\\\")
        || (a.len() >= 3 && a[1] == b':' && (a[2] == b'\\' || a[2] == b'/'))
        || lower.starts_with(b"http:")
        || lower.starts_with(b"https:")
        || lower.starts_with(b"ftp:")
        || [&b"hklm"[..], b"hkcu", b"hkcr", b"hku\\", b"hkey_"]
            .iter()
            .any(|p| lower.starts_with(p))
        || (a.iter().filter(|&&b| b == b'.').count() == 3 && a[0].is_ascii_digit())
        || (a.len() >= 3 && a[0] == b'%' && a[1].is_ascii_alphabetic() && a[1..].contains(&b'%'));
    if strong {
        3
    } else if a.len() > 3 && a.starts_with(b"--") && a[2].is_ascii_alphabetic() {
        // GNU long option (`--version`, `--list`)
        2
    } else if a[0] == b'-' || a.iter().all(u8::is_ascii_digit) {
        1
    } else {
        0
    }
}

/// Cheap pre-check for values without shell syntax (see `detect::plain`):
/// only a command word first, a batch statement or a `/dev/` path can score.
pub(crate) fn plain_may_match(s: &[u8]) -> bool {
    let first = s
        .split(|&b| b == b' ')
        .find(|w| !w.is_empty())
        .unwrap_or(b"");
    // first-byte scans: this runs on every plain value, where building a
    // substring searcher per call costs more than the search
    let has = |first: u8, rest: &[u8]| {
        memchr::memchr_iter(first, s).any(|p| s[p + 1..].starts_with(rest))
    };
    lookup(strip_path(first)).is_some()
        || glob_command(first).is_some()
        || has(b'f', b"or ")
        || has(b'/', b"dev/")
        || s.contains(&b'{')
}

/// Scores `s` for command injection.
pub(crate) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    let mut best = if super::quote_split_command(s) {
        (5u32, "cmdi-evasion")
    } else {
        (0u32, "cmdi")
    };
    {
        let mut bump = |w: u32, id: &'static str| {
            if w > best.0 {
                best = (w, id);
            }
        };
        scan_view(&unquote(s), s, field, &mut bump);
        if memchr::memmem::find(s, b"\\n").is_some() || memchr::memmem::find(s, b"\\r").is_some() {
            // payload lists write newlines as the two characters `\n`
            let lf: Vec<u8> = s
                .iter()
                .enumerate()
                .map(|(i, &b)| {
                    if b == b'\\' && matches!(s.get(i + 1), Some(b'n' | b'r')) {
                        b'\n'
                    } else {
                        b
                    }
                })
                .collect();
            let lf: Vec<u8> = lf
                .iter()
                .enumerate()
                .filter(|&(i, &b)| {
                    !(i > 0
                        && lf[i - 1] == b'\n'
                        && matches!(b, b'n' | b'r')
                        && s.get(i - 1) == Some(&b'\\'))
                })
                .map(|(_, &b)| b)
                .collect();
            scan_view(&unquote(&lf), s, field, &mut bump);
        }
        batch(s, &mut bump);
        fork_bomb(s, &mut bump);
        if memchr::memchr(b'$', s).is_some() {
            glued_parameter_command(s, &mut bump);
        }
        if contains(s, b"<!--#exec") {
            bump(8, "cmdi-command");
        }
        brace_command(s, &mut bump);
        expansions(s, &mut bump);
    }
    if best.0 > 0 {
        hits.add(Class::Cmdi, best.1, best.0);
    }
}

fn scan_view(u: &[u8], s: &[u8], field: Field, bump: &mut impl FnMut(u32, &'static str)) {
    if u.len() != s.len()
        && (contains(s, b"${ifs")
            || contains(s, b"$ifs")
            || contains(s, b"${IFS")
            || contains(s, b"$IFS"))
    {
        bump(6, "cmdi-evasion");
    }
    if contains(u, b"/dev/tcp/") || contains(u, b"/dev/udp/") {
        bump(8, "cmdi-reverse-shell");
    }
    glob_path(u, bump);
    let mut globs = super::GLOB_BUDGET;
    let mut i = 0;
    let mut sep = Sep::Start;
    let mut adjacent = false;
    while i <= u.len() {
        let seg_start = i;
        let mut j = i;
        let mut next_sep = Sep::Strong;
        while j < u.len() {
            match u[j] {
                b';' | b'\n' | b'\r' => break,
                b'&' => {
                    next_sep = if u.get(j + 1) == Some(&b'&') {
                        Sep::Strong
                    } else {
                        Sep::Weak
                    };
                    break;
                }
                b'|' => {
                    next_sep = if u.get(j + 1) == Some(&b'|') {
                        Sep::Strong
                    } else {
                        Sep::Weak
                    };
                    break;
                }
                b'`' => {
                    next_sep = Sep::Subst;
                    break;
                }
                b'$' if u.get(j + 1) == Some(&b'(') => {
                    next_sep = Sep::Subst;
                    break;
                }
                b'(' if field != Field::UserAgent && super::opens_subshell(u, j) => {
                    next_sep = Sep::Weak;
                    break;
                }
                _ => j += 1,
            }
        }
        let leading = seg_start > 0
            && u[..seg_start]
                .iter()
                .all(|b| b.is_ascii_whitespace() || matches!(b, b';' | b'|' | b'&' | b'\'' | b'"'));
        if !super::prose_line(u, seg_start, j) {
            segment(
                &u[seg_start..j],
                sep,
                adjacent,
                leading,
                field,
                &mut globs,
                bump,
            );
        }
        if j >= u.len() {
            break;
        }
        let mut k = j;
        while k < u.len()
            && matches!(
                u[k],
                b';' | b'\n' | b'\r' | b'&' | b'|' | b'`' | b'$' | b'(' | b'{'
            )
        {
            if u[k] == b'$' && u.get(k + 1) != Some(&b'(') {
                break;
            }
            k += 1;
        }
        adjacent = u.get(k).is_some_and(|b| !b.is_ascii_whitespace());
        sep = next_sep;
        i = k.max(j + 1);
    }
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    memchr::memmem::find(h, n).is_some()
}

/// `leading`: the separator before this segment is the first thing in the
/// value (`; dir`, `&& net view`), which ordinary text never starts with.
fn segment(
    seg: &[u8],
    sep: Sep,
    adjacent: bool,
    leading: bool,
    field: Field,
    globs: &mut u32,
    bump: &mut impl FnMut(u32, &'static str),
) {
    let mut words = seg
        .split(|&b| b == b' ' || b == b'\t' || b == b'<' || b == b'>' || b == 0x0b)
        .filter(|w| !w.is_empty());
    let Some(mut first) = words.next() else {
        return;
    };
    let mut guard = 0;
    while (first.contains(&b'=') && !first.starts_with(b"=")) || first == b"!" || first == b"@" {
        guard += 1;
        match words.next() {
            Some(w) if guard < 4 => first = w,
            _ => return,
        }
    }
    if sep != Sep::Start && (adjacent || sep == Sep::Subst) && super::dir_stack_word(first) {
        bump(5, "cmdi-evasion");
    }
    let trimmed = first.strip_prefix(b"@").unwrap_or(first);
    let trimmed: &[u8] = {
        let st = trimmed
            .iter()
            .position(|b| !matches!(b, b'(' | b'\'' | b'"'))
            .unwrap_or(trimmed.len());
        let en = trimmed
            .iter()
            .rposition(|b| !matches!(b, b')' | b'\'' | b'"' | b';' | b','))
            .map_or(st, |p| p + 1);
        &trimmed[st..en.max(st)]
    };
    if sep != Sep::Start {
        // `;$c $a$b`: a variable run as the command
        if sep == Sep::Strong
            && trimmed.len() >= 2
            && trimmed[0] == b'$'
            && (trimmed[1].is_ascii_alphabetic() || trimmed[1] == b'{')
        {
            bump(5, "cmdi-evasion");
        }
        // sqlite3 shell escapes: `.shell cmd`, `.system cmd`, and any unique
        // prefix the sqlite3 shell accepts for them (`.sh`, `.sys`), quotes
        // read the way the shell joins them (`.\"shell`)
        let dot: Vec<u8> = trimmed
            .strip_prefix(b".")
            .unwrap_or(b"")
            .iter()
            .filter(|b| !matches!(b, b'\\' | b'"' | b'\''))
            .map(u8::to_ascii_lowercase)
            .collect();
        if dot.len() >= 2 && (b"shell".starts_with(&dot) || b"system".starts_with(&dot)) {
            bump(7, "cmdi-command");
        } else if sep == Sep::Strong
            && matches!(
                dot.as_slice(),
                b"databases" | b"tables" | b"dump" | b"import" | b"output" | b"once" | b"load"
            )
        {
            // `;\n.databases`: a sqlite3 shell command that reads or writes files
            bump(5, "cmdi-command");
        }
    }
    let mut cmd = strip_path(trimmed);
    let had_path = super::written_with_dir(trimmed, cmd.len(), field);
    if lookup(cmd).is_none()
        && let Some(name) = super::expand_glob(trimmed, globs, bump)
    {
        cmd = name;
        if sep != Sep::Start {
            bump(6, "cmdi-evasion");
        }
    }
    let mut rest: Vec<&[u8]> = words.take(6).collect();
    let mut wrapped = false;
    // `time sh -c id`, `nohup ifconfig`: the wrapped word is the command
    if let Some(pos) = WRAPPERS
        .iter()
        .position(|w| w.as_bytes().eq_ignore_ascii_case(cmd))
        .and(super::wrapped_command_at(&rest))
    {
        cmd = strip_path(rest[pos]);
        rest.drain(..=pos);
        wrapped = true;
    }
    let Some(tier_a) = lookup(cmd) else { return };
    // strongest of the first few arguments (`nc -lvp 4444 -e /bin/sh`)
    let args_w = rest
        .iter()
        .take(super::argument_words(&rest, sep == Sep::Start, tier_a))
        .map(|a| arg_strength(a))
        .max()
        .unwrap_or(0);
    super::command_weight(
        cmd,
        &rest,
        args_w,
        super::Segment {
            sep,
            adjacent,
            leading,
            field,
            had_path,
            wrapped,
            tier_a,
        },
        bump,
    );
}

/// Shell expansions that only a shell reads: arithmetic `$((…))` / `$[…]`,
/// process substitution `>(cmd)` / `<(cmd)`, tilde-stack references (`~+`,
/// `~-2`) as the whole value, and `$var` run as a command after a separator.
fn expansions(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    if contains(s, b"$((") || super::shapes::bracket_arithmetic(s) {
        bump(5, "cmdi-evasion");
    }
    for op in [b">(".as_slice(), b"<("] {
        if let Some(p) = memchr::memmem::find(s, op) {
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
fn batch(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    let l = s.to_ascii_lowercase();
    let has = |n: &[u8]| memchr::memmem::find(&l, n);
    if super::shapes::batch_for_loop(&l) {
        bump(6, "cmdi-batch");
    }
    if has(b"%errorlevel%").is_some()
        || has(b"%comspec%").is_some()
        || has(b"%systemroot%").is_some()
    {
        bump(5, "cmdi-batch");
    }
}

/// `/???/c?t`, `/bin/ca*`: path segments made of glob characters.
fn glob_path(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
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
