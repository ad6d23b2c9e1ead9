//! OS command injection (unix shells and Windows cmd / PowerShell). The value is
//! first shell-unquoted the way a shell would read it (`c'a't`, `c\at`, `$@`,
//! `${IFS}`, `{cat,/etc/passwd}`), then split at command separators (`;` `|` `&`
//! newline, `` ` ``, `$(`); the first word of each segment (path prefix and `.exe`
//! stripped) is looked up in two command tiers. Weights depend on the separator and
//! on whether arguments look like flags, paths or URLs, so prose with "&" or a
//! single English word after a pipe stays below the threshold. Linear time.

mod commands;
#[cfg(test)]
pub(crate) mod reference;
mod shapes;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use crate::detect::{Field, Hits};
use crate::verdict::Class;
use commands::{Glob, glob_command, is_wrapper, lookup, rare};
use shapes::{batch, brace_command, expansions, fork_bomb, glob_path};

/// Reads `s` the way a shell would join a word: quotes and backslashes removed,
/// `$@` / `$*` / empty `${}` dropped, `${IFS}` / `$IFS` to a space, brace lists
/// `{a,b}` to `a b`. Borrows `s` when reading changes nothing (most values).
pub(crate) fn unquote(s: &[u8]) -> Cow<'_, [u8]> {
    if Present::of(s).any(UNQUOTE_KEYS) {
        let mut buf = SmallBytes::new();
        Cow::Owned(unquote_keys(s, &mut buf).to_vec())
    } else {
        Cow::Borrowed(s)
    }
}

/// The length of a variable reference after a `$` (`u`, `{x}`, `HOME_2`):
/// a name of a letter or `_` then word bytes, at most 16, braced or not.
pub(super) fn glued_variable(rest: &[u8]) -> Option<usize> {
    let (braced, name) = match rest.strip_prefix(b"{") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if !name
        .first()
        .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
    {
        return None;
    }
    let n = name
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
        .count();
    if n > 16 {
        return None;
    }
    match braced {
        false => Some(n),
        true if name.get(n) == Some(&b'}') => Some(n + 2),
        true => None,
    }
}

/// The bytes [`unquote`] acts on: every other byte takes the last arm of
/// its match, which copies it as is, so without them the output is the input.
const UNQUOTE_KEYS: &[u8] = b"\\'\"$`<>{^";

/// True for the bytes of [`UNQUOTE_KEYS`].
const UNQUOTE_KEY: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < UNQUOTE_KEYS.len() {
        t[UNQUOTE_KEYS[i] as usize] = true;
        i += 1;
    }
    t
};

/// [`unquote`] for a value that holds one of [`UNQUOTE_KEYS`]; `buf` holds
/// the output when it is not a prefix of `s`.
fn unquote_keys<'a>(s: &'a [u8], buf: &'a mut SmallBytes) -> &'a [u8] {
    let mut out = Joined::new(s, buf);
    let mut i = 0;
    while i < s.len() {
        // the bytes up to the next key take the last arm of the match below
        // one by one (copied as they are): copy them as one run
        let run = s[i..]
            .iter()
            .position(|&b| UNQUOTE_KEY[usize::from(b)])
            .unwrap_or(s.len() - i);
        out.push_run(&s[i..i + run], i);
        i += run;
        if i >= s.len() {
            break;
        }
        let b = s[i];
        match b {
            b'\\'
                if s.get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'/')
                    && out.last_alnum() =>
            {
                i += 1
            }
            // cmd.exe's escape: `^` makes the next byte literal, so
            // `w^h^o^a^m^i` and `^whoami` run `whoami`
            b'^' if s.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) => i += 1,
            b'\'' | b'"'
                if out.last_alnum()
                    && s.get(i + 1).is_some_and(|c| {
                        c.is_ascii_alphanumeric() || *c == b'\'' || *c == b'"'
                    }) =>
            {
                i += 1
            }
            b'$' => {
                let rest = &s[i + 1..];
                let in_word = out.last_alnum();
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
                if out.last_alnum()
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
                        brace_words(&s[i + 1..i + 1 + e], |c| out.push(c));
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
    out.finish()
}

/// The words of a brace list (`{cat,/etc/passwd}`) as the shell expands
/// them: `,` separates, quotes are dropped and a backslash keeps the next
/// byte (`{\c''a""t,/e''tc/passwd}` is `cat /etc/passwd`).
pub(crate) fn brace_words(inner: &[u8], mut push: impl FnMut(u8)) {
    let mut i = 0;
    while i < inner.len() {
        match inner[i] {
            b',' => push(b' '),
            b'\'' | b'"' => {}
            b'\\' if i + 1 < inner.len() => {
                i += 1;
                push(inner[i]);
            }
            c => push(c),
        }
        i += 1;
    }
}

/// The bytes the checks of [`scan`] need one of (see the gates there).
const KEYS: &[u8] = b"\\'\"$`<>{(%/?~;\n\r&|^";

/// One bit per byte of [`KEYS`], 0 for every other byte.
const KEY_BIT: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < KEYS.len() {
        t[KEYS[i] as usize] = 1 << i;
        i += 1;
    }
    t
};

/// Which bytes of [`KEYS`] occur in a value, found in one pass: on the
/// short values of real traffic a `memchr` call per check costs more than
/// the search itself.
#[derive(Clone, Copy)]
struct Present(u32);

// === impl Present ===

impl Present {
    fn of(s: &[u8]) -> Self {
        Present(s.iter().fold(0, |m, &b| m | KEY_BIT[usize::from(b)]))
    }

    /// Whether any byte of `bytes` (all from [`KEYS`]) occurs.
    fn any(self, bytes: &[u8]) -> bool {
        bytes.iter().any(|&b| {
            debug_assert!(KEY_BIT[usize::from(b)] != 0, "{b} is not a key");
            self.0 & KEY_BIT[usize::from(b)] != 0
        })
    }
}

/// Where [`unquote_keys`] copies its output when it differs from the input:
/// on the caller's stack up to 128 bytes (a name with an apostrophe, a
/// sentence with `it's` in it: no allocation per value).
type SmallBytes = smallvec::SmallVec<[u8; 128]>;

/// The output of [`unquote`]: a prefix of the input while every byte pushed is
/// the input's next byte, copied into a buffer at the first byte that differs.
/// Bytes the reader skips shorten the prefix the same way.
struct Joined<'a> {
    src: &'a [u8],
    /// `src[..len]` is the output so far while `copied` is false.
    len: usize,
    /// The output so far once `copied` is true (empty before).
    buf: &'a mut SmallBytes,
    copied: bool,
}

// === impl Joined ===

impl<'a> Joined<'a> {
    fn new(src: &'a [u8], buf: &'a mut SmallBytes) -> Self {
        buf.clear();
        Joined {
            src,
            len: 0,
            buf,
            copied: false,
        }
    }

    #[inline]
    fn push(&mut self, b: u8) {
        if self.copied {
            self.buf.push(b);
        } else if self.src.get(self.len) == Some(&b) {
            self.len += 1;
        } else {
            self.diverge(b);
        }
    }

    /// Pushes `run`, which is `src[at..at + run.len()]`: the same as
    /// pushing its bytes one by one.
    #[inline]
    fn push_run(&mut self, run: &[u8], at: usize) {
        if self.copied {
            self.buf.extend_from_slice(run);
        } else if self.len == at {
            // the output is `src[..at]`: the run is its next bytes
            self.len += run.len();
        } else {
            run.iter().for_each(|&b| self.push(b));
        }
    }

    /// The first byte that differs from the input: copy the prefix.
    #[cold]
    fn diverge(&mut self, b: u8) {
        self.buf.reserve(self.src.len() + 2);
        self.buf.extend_from_slice(&self.src[..self.len]);
        self.buf.push(b);
        self.copied = true;
    }

    #[inline]
    fn last_alnum(&self) -> bool {
        let last = if self.copied {
            self.buf.last()
        } else {
            self.len.checked_sub(1).map(|i| &self.src[i])
        };
        last.is_some_and(u8::is_ascii_alphanumeric)
    }

    fn finish(self) -> &'a [u8] {
        if self.copied {
            self.buf
        } else {
            &self.src[..self.len]
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Start,
    /// `;` `&&` `||` newline
    Strong,
    /// `|` `&` `(` `{`
    Weak,
    /// backtick, `$(`
    Subst,
}

/// Whether `u[start..end]` is a line of text rather than a command: it
/// follows a line break, its first word is capitalised as a sentence's is
/// (`Cat food is expensive`, `Ping me tomorrow`, `Id card attached`; the
/// Unix shells do not find `Cat` or `Id`), and at least two plain words
/// follow, with no option, path, number or symbol among them. A lone
/// `Whoami`, `Net user /add` or `Ping -n 3 …` still reads as a command
/// (cmd.exe ignores case).
pub(super) fn prose_line(u: &[u8], start: usize, end: usize) -> bool {
    if start == 0 || !matches!(u[start - 1], b'\n' | b'\r') {
        return false;
    }
    let mut words = u[start..end]
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|w| !w.is_empty());
    let capitalised = words.next().is_some_and(|w| {
        w.len() >= 2 && w[0].is_ascii_uppercase() && w[1..].iter().all(u8::is_ascii_lowercase)
    });
    if !capitalised {
        return false;
    }
    let mut plain = 0;
    for w in words.take(6) {
        let w = w.strip_suffix(b",").unwrap_or(w);
        let w = w
            .strip_suffix(b".")
            .or_else(|| w.strip_suffix(b"!"))
            .or_else(|| w.strip_suffix(b"?"))
            .unwrap_or(w);
        let word = !w.is_empty()
            && w.iter()
                .all(|&b| b.is_ascii_alphabetic() || b == b'\'' || b >= 0x80);
        if !word {
            return false;
        }
        plain += 1;
    }
    plain >= 2
}

/// Whether the `(` at `j` is read as opening a command. It is, except for
/// a bare word in brackets after a blank that follows a word: the way text
/// adds a code or an abbreviation after a name ("Roma (RM)", "Asti (AT)",
/// "Terni (TR)": Italian provinces after a town), where no shell starts a
/// command. Calls and quoted or spaced contents keep reading as one
/// (`spawn("id")`, `(system)(whoami)`, `IN ('ECHO foo')`, `x (id -u)`).
pub(super) fn opens_subshell(u: &[u8], j: usize) -> bool {
    let blanks = u[..j]
        .iter()
        .rev()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let after_word = blanks > 0 && j > blanks && u[j - blanks - 1].is_ascii_alphanumeric();
    let inner = &u[j + 1..];
    let word = inner.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let bare_word = (1..=16).contains(&word) && inner.get(word) == Some(&b')');
    !(after_word && bare_word)
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

/// How many of the (at most four) words after a command word are weighed as
/// its arguments. In a value's first segment, an ordinary verb that is also
/// a command (`copy`, `move`, `find`, `type`, `set`, `make`, `test`) followed
/// by an English function word is an instruction in a sentence: "Copy it to
/// /home/me/backup", "Move the file to C:\Users\me", "Find the log in
/// /var/log/app". The path after the function word is what the sentence is
/// about, not an argument; no shell command puts `it`, `the` or `to` before
/// its path. Commands that are rarely English (`curl`, `wget`, `chmod`) and
/// every segment after a separator keep all four.
pub(super) fn argument_words(rest: &[&[u8]], at_start: bool, rarely_english: bool) -> usize {
    let n = rest.len().min(4);
    if !at_start || rarely_english {
        return n;
    }
    const FUNCTION_WORDS: &[&[u8]] = &[
        b"a", b"an", b"the", b"it", b"its", b"to", b"in", b"into", b"on", b"at", b"of", b"for",
        b"with", b"from", b"my", b"your", b"our", b"their", b"this", b"that", b"these", b"those",
        b"them", b"me", b"us", b"please", b"sure",
    ];
    rest[..n]
        .iter()
        .position(|w| FUNCTION_WORDS.iter().any(|f| w.eq_ignore_ascii_case(f)))
        .unwrap_or(n)
}

/// `which nc`, `whereis gcc`, `type curl`: a whole value that asks where a
/// program is, the first probe of a shell injection (is there a client to
/// call out with?). Two words only, the second a command name that is rarely
/// English (`which date`, `which python` can be a terse question); a
/// question in text ("which curl flag follows redirects") has more.
pub(super) fn locate_probe(cmd: &[u8], rest: &[&[u8]], at_start: bool) -> bool {
    let locator = |w: &[u8]| {
        [&b"which"[..], b"whereis", b"whence", b"type"]
            .iter()
            .any(|l| w.eq_ignore_ascii_case(l))
    };
    at_start && rest.len() == 1 && locator(cmd) && lookup(strip_path(rest[0])) == Some(true)
}

/// Where the command a wrapper runs stands among the words after it: the
/// first word that is no option, when it names a command (`time sh -c id`,
/// `nohup ifconfig`); or, past the values of the wrapper's own options, one
/// of the next two such words when it names a command that is rarely English
/// (`flock -u / whoami`, `timeout -s KILL 5 nc …`).
pub(super) fn wrapped_command_at(rest: &[&[u8]]) -> Option<usize> {
    let mut plain = rest
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.starts_with(b"-"));
    let (first, w) = plain.next()?;
    if lookup(strip_path(w)).is_some() {
        return Some(first);
    }
    plain
        .take(2)
        .find(|(_, a)| lookup(strip_path(a)) == Some(true))
        .map(|(p, _)| p)
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
    let prefix = |p: &[u8]| a.len() >= p.len() && a[..p.len()].eq_ignore_ascii_case(p);
    let strong = a[0] == b'/'
        || a[0] == b'~'
        || a[0] == b'$'
        || a[0] == b'>'
        || a[0] == b'<'
        || a.starts_with(b"./")
        || a.starts_with(b"..")
        || a.starts_with(b"\\\\")
        || (a.len() >= 3 && a[1] == b':' && (a[2] == b'\\' || a[2] == b'/'))
        || prefix(b"http:")
        || prefix(b"https:")
        || prefix(b"ftp:")
        // a registry hive (`reg query HKLM\…`)
        || prefix(b"hklm")
        || prefix(b"hkcu")
        || prefix(b"hkcr")
        || prefix(b"hku\\")
        || prefix(b"hkey_")
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
/// only a command word first, a wrapper first with an option after it
/// (`flock -u / whoami`), a batch statement or a `/dev/` path can score.
pub(crate) fn plain_may_match(s: &[u8]) -> bool {
    let lead = s.iter().take_while(|&&b| b == b' ').count();
    let len = s[lead..].iter().take_while(|&&b| b != b' ').count();
    let first = &s[lead..lead + len];
    // one first-byte scan for `for `, `/dev/` and `{`: this runs on every
    // plain value, where building a substring searcher per call costs more
    // than the search
    lookup(strip_path(first)).is_some()
        || for_dev_or_brace(s)
        || glob_command(first).is_some()
        || (s[lead + len..].trim_ascii_start().first() == Some(&b'-')
            && is_wrapper(strip_path(first)))
}

/// `s` holds `for `, `/dev/` or `{`.
fn for_dev_or_brace(s: &[u8]) -> bool {
    let at = |p: usize| match s[p] {
        b'f' => s[p + 1..].starts_with(b"or "),
        b'/' => s[p + 1..].starts_with(b"dev/"),
        _ => true,
    };
    // under 16 bytes a byte loop costs less than the vector search's set-up
    // and its short-input path
    if s.len() < 16 {
        const KEYS: [bool; 256] = {
            let mut t = [false; 256];
            t[b'f' as usize] = true;
            t[b'/' as usize] = true;
            t[b'{' as usize] = true;
            t
        };
        (0..s.len()).any(|p| KEYS[usize::from(s[p])] && at(p))
    } else {
        memchr::memchr3_iter(b'f', b'/', b'{', s).any(at)
    }
}

/// Every key but the quotes.
const NOT_QUOTES: &[u8] = b"\\$`<>{(%/?~;\n\r&|^";

/// For a value whose only keys (if any) are quotes: whether the first word
/// may be a command. When not, `scan` adds nothing, because:
/// - every check of `scan` and `scan_view` is gated on a key other than a
///   quote, except the final `segment(u, Sep::Start, ..)` (no byte that
///   ends a segment is present);
/// - at `Sep::Start`, `segment` bumps only after `may_start_command` holds
///   for its command word (the first word not holding `=` and not `!` or
///   `@`: a first word of those kinds is left to the full scan);
/// - `unquote` of such a value only removes quotes, each kept or dropped by
///   the bytes right before (in the output) and after it, and words are
///   split at bytes it never removes: the first word of `unquote(s)` is
///   `unquote` of the first word of `s` (the bytes around a word are
///   separators, which read like the value's ends).
fn quoted_first_word_may_command(s: &[u8]) -> bool {
    let Some(first) = s
        .split(|&b| matches!(b, b' ' | b'\t' | b'<' | 0x0b))
        .find(|w| !w.is_empty())
    else {
        return false;
    };
    let mut buf = SmallBytes::new();
    let word = if Present::of(first).any(UNQUOTE_KEYS) {
        unquote_keys(first, &mut buf)
    } else {
        first
    };
    word.contains(&b'=') || word == b"!" || word == b"@" || may_start_command(word)
}

/// A word whose letters a pair of quotes splits (`'c'url`, `"w"hoami`,
/// `p""y""thon3`) and that names a command once the shell drops the
/// quotes: quoting inside a word does nothing but dodge word matching. A
/// contraction has one quote (`I'd` is not `id`), a quoted word has its
/// quotes at its ends, and `rock'n'roll` names no command.
/// Words longer than 32 bytes are skipped.
pub(crate) fn quote_split_command(s: &[u8]) -> bool {
    // two quotes in one word of at most 32 bytes, found from the quotes
    // alone (most values hold one apostrophe, or none)
    let sep = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b';' | b'|' | b'&');
    let mut prev: Option<usize> = None;
    let two_in_a_word = memchr::memchr2_iter(b'\'', b'"', s).any(|q| {
        let near = prev.is_some_and(|p| q - p < 32 && !s[p..q].iter().any(sep));
        prev = Some(q);
        near
    });
    if !two_in_a_word {
        return false;
    }
    s.split(sep).any(|w| {
        if w.len() > 32 {
            return false;
        }
        let quotes = w.iter().filter(|&&b| matches!(b, b'\'' | b'"')).count();
        // a run of quotes with a letter or digit on each side: the split
        let split = w.iter().enumerate().any(|(k, &b)| {
            let run = w[k + 1..]
                .iter()
                .take_while(|c| matches!(c, b'\'' | b'"'))
                .count();
            b.is_ascii_alphanumeric()
                && run > 0
                && w.get(k + 1 + run).is_some_and(u8::is_ascii_alphanumeric)
        });
        if quotes < 2 || quotes % 2 != 0 || !split {
            return false;
        }
        let mut name = [0u8; 32];
        let mut n = 0;
        for &b in w.iter().filter(|&&b| !matches!(b, b'\'' | b'"')) {
            name[n] = b.to_ascii_lowercase();
            n += 1;
        }
        // (three letters at least: text escaped for SQL doubles its
        // apostrophes, and `I''d` is no `id`)
        let name = strip_path(&name[..n]);
        name.len() >= 3 && lookup(name).is_some()
    })
}

/// Scores `s` for command injection.
pub(crate) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    // Each check below is skipped when a byte it needs is absent (the
    // pattern it looks for holds that byte). `present` is taken from `s`;
    // the `unquote`d view holds only bytes of `s` and spaces (not a key), so
    // it is a superset of the view's keys.
    let present = Present::of(s);
    let mut best = if present.any(b"'\"") && quote_split_command(s) {
        (5u32, "cmdi-evasion")
    } else {
        (0u32, "cmdi")
    };
    'checks: {
        let mut bump = |w: u32, id: &'static str| {
            if w > best.0 {
                best = (w, id);
            }
        };
        if !present.any(NOT_QUOTES) && !quoted_first_word_may_command(s) {
            break 'checks;
        }
        let mut buf = SmallBytes::new();
        let u = if present.any(UNQUOTE_KEYS) {
            unquote_keys(s, &mut buf)
        } else {
            s
        };
        scan_view(u, s, present, field, &mut bump);
        if present.any(b"\\")
            && memchr::memchr_iter(b'\\', s).any(|p| matches!(s.get(p + 1), Some(b'n' | b'r')))
        {
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
            // this view has newlines `s` may lack: its own keys
            let lfu = unquote(&lf);
            scan_view(&lfu, s, Present::of(&lfu), field, &mut bump);
        }
        if present.any(b"(%") {
            batch(s, present.any(b"("), present.any(b"%"), &mut bump);
        }
        if present.any(b"(") {
            fork_bomb(s, &mut bump);
        }
        if present.any(b"$") {
            glued_parameter_command(s, &mut bump);
        }
        if present.any(b"<") && has_literal(s, b"<!--#exec") {
            bump(8, "cmdi-command");
        }
        if present.any(b"{") {
            brace_command(s, &mut bump);
        }
        if present.any(b"$<>~") {
            expansions(s, &mut bump);
        }
    }
    if best.0 > 0 {
        hits.add(Class::Cmdi, best.1, best.0);
    }
}

/// `present`: the keys of `s`, a superset of those of `u`.
fn scan_view(
    u: &[u8],
    s: &[u8],
    present: Present,
    field: Field,
    bump: &mut impl FnMut(u32, &'static str),
) {
    if u.len() != s.len()
        && present.any(b"$")
        && (has_literal(s, b"${ifs")
            || has_literal(s, b"$ifs")
            || has_literal(s, b"${IFS")
            || has_literal(s, b"$IFS"))
    {
        bump(6, "cmdi-evasion");
    }
    if present.any(b"/")
        && memchr::memchr_iter(b'/', u)
            .any(|p| u[p..].starts_with(b"/dev/tcp/") || u[p..].starts_with(b"/dev/udp/"))
    {
        bump(8, "cmdi-reverse-shell");
    }
    if present.any(b"?") {
        glob_path(u, bump);
    }
    if !present.any(b";\n\r&|`(") {
        // none of the bytes that end a segment (`$(` needs a `(`): the loop
        // below would make one segment of all of `u`, at the start
        let mut globs = GLOB_BUDGET;
        segment(u, Sep::Start, false, false, field, &mut globs, bump);
        return;
    }
    let mut globs = GLOB_BUDGET;
    let mut i = 0;
    let mut sep = Sep::Start;
    let mut adjacent = false;
    while i <= u.len() {
        let seg_start = i;
        let mut j = i;
        let mut next_sep = Sep::Strong;
        while j < u.len() {
            // jump to the next byte the match below acts on (the others take
            // its last arm)
            const SEG_BYTES: [bool; 256] = {
                let mut t = [false; 256];
                let bytes = b";\n\r&|`$(";
                let mut i = 0;
                while i < bytes.len() {
                    t[bytes[i] as usize] = true;
                    i += 1;
                }
                t
            };
            match u[j..].iter().position(|&b| SEG_BYTES[usize::from(b)]) {
                Some(p) => j += p,
                None => {
                    j = u.len();
                    break;
                }
            }
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
                b'(' if field != Field::UserAgent && opens_subshell(u, j) => {
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
        if !prose_line(u, seg_start, j) {
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

/// `~+`, `~-`, `~+2`, `~-1`: bash's directory-stack expansions (the
/// working directory, the previous one, an entry of `dirs`) as the first
/// word glued to a separator (`ls;~+2`, `id|~-`) or opening a
/// substitution (`` `~-` ``, `$(~+1)`), where the shell runs what they
/// expand to. Text writes `~+1` as an estimate after a blank, never glued
/// to `;`, `|` or `&`.
pub(crate) fn dir_stack_word(first: &[u8]) -> bool {
    let w = first
        .iter()
        .rposition(|b| !matches!(b, b'`' | b')' | b'\'' | b'"'))
        .map_or(&first[..0], |e| &first[..=e]);
    match w {
        [b'~', b'+' | b'-', digits @ ..] => digits.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// Where `n` first occurs in `h`, found by its first byte: for the short
/// literals here, on values that mostly lack that byte, cheaper than building
/// a substring searcher per call (`memmem::find`).
pub(super) fn find_literal(h: &[u8], n: &[u8]) -> Option<usize> {
    let &f = n.first()?;
    memchr::memchr_iter(f, h).find(|&p| h[p..].starts_with(n))
}

pub(super) fn has_literal(h: &[u8], n: &[u8]) -> bool {
    find_literal(h, n).is_some()
}

/// The command word of `first`, a segment's first word: a leading `@`
/// (batch echo off), opening brackets and quotes, closing ones and `;` `,`
/// taken off.
fn trim_word(first: &[u8]) -> &[u8] {
    let trimmed = first.strip_prefix(b"@").unwrap_or(first);
    let st = trimmed
        .iter()
        .position(|b| !matches!(b, b'(' | b'\'' | b'"'))
        .unwrap_or(trimmed.len());
    let en = trimmed
        .iter()
        .rposition(|b| !matches!(b, b')' | b'\'' | b'"' | b';' | b','))
        .map_or(st, |p| p + 1);
    &trimmed[st..en.max(st)]
}

/// Whether `segment` reads past the command word of a segment whose first
/// word is `first` (the only way it can bump at `Sep::Start`).
fn may_start_command(first: &[u8]) -> bool {
    let trimmed = trim_word(first);
    let cmd = strip_path(trimmed);
    is_wrapper(cmd) || lookup(cmd).is_some() || glob_command(trimmed).is_some()
}

/// How many globbed command words (see `Glob::of_word`) the segments of one
/// view are matched against the command lists. Each search tries up to a
/// few hundred names, so an unbounded number of them would let a value of
/// `;?ab;?ab…` cost far more per byte than any other text; no command line
/// needs more than a few. A view with more is itself evidence, so padding
/// cannot push the real command past the budget.
const GLOB_BUDGET: u32 = 64;

/// The command a globbed command word expands to, while `left` lasts.
pub(super) fn expand_glob(
    trimmed: &[u8],
    left: &mut u32,
    bump: &mut impl FnMut(u32, &'static str),
) -> Option<&'static [u8]> {
    let glob = Glob::of_word(trimmed)?;
    if *left == 0 {
        bump(5, "cmdi-evasion");
        return None;
    }
    *left -= 1;
    glob.command()
}

/// `leading`: the separator before this segment is the first thing in the
/// value (`; dir`, `&& net view`), which ordinary text never starts with.
/// `globs`: what is left of the view's [`GLOB_BUDGET`].
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
    let trimmed = trim_word(first);
    if sep != Sep::Start && (adjacent || sep == Sep::Subst) && dir_stack_word(first) {
        bump(5, "cmdi-evasion");
    }
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
        // the longest word compared below has 9 letters: a longer one
        // matches nothing, and it is cut to 10 so that it stays longer
        let mut dot_buf = [0u8; 10];
        let mut dot_len = 0;
        for &b in trimmed.strip_prefix(b".").unwrap_or(b"") {
            if matches!(b, b'\\' | b'"' | b'\'') {
                continue;
            }
            if dot_len == dot_buf.len() {
                break;
            }
            dot_buf[dot_len] = b.to_ascii_lowercase();
            dot_len += 1;
        }
        let dot = &dot_buf[..dot_len];
        if dot.len() >= 2 && (b"shell".starts_with(dot) || b"system".starts_with(dot)) {
            bump(7, "cmdi-command");
        } else if sep == Sep::Strong
            && matches!(
                dot,
                b"databases" | b"tables" | b"dump" | b"import" | b"output" | b"once" | b"load"
            )
        {
            // `;\n.databases`: a sqlite3 shell command that reads or writes files
            bump(5, "cmdi-command");
        }
    }
    let mut cmd = strip_path(trimmed);
    let had_path = written_with_dir(trimmed, cmd.len(), field);
    let mut wrapper = is_wrapper(cmd);
    // the test of `may_start_command`
    if !wrapper && lookup(cmd).is_none() {
        // `c?t`, `/b??/n?`: the command the glob expands to
        match expand_glob(trimmed, globs, bump) {
            Some(name) => {
                cmd = name;
                wrapper = is_wrapper(cmd);
                if sep != Sep::Start {
                    bump(6, "cmdi-evasion");
                }
            }
            // `cmd` stays the command and the lookup below returns: most
            // segments end here, before their words are split
            None => return,
        }
    }
    // the next six words, on the stack
    let mut rest_buf: [&[u8]; 6] = [b""; 6];
    let mut rest_len = 0;
    for (slot, w) in rest_buf.iter_mut().zip(words) {
        *slot = w;
        rest_len += 1;
    }
    let mut rest: &[&[u8]] = &rest_buf[..rest_len];
    let mut wrapped = false;
    // `time sh -c id`, `nohup ifconfig`: the wrapped word is the command
    if wrapper && let Some(pos) = wrapped_command_at(rest) {
        cmd = strip_path(rest[pos]);
        rest = &rest[pos + 1..];
        wrapped = true;
    }
    let Some(tier_a) = lookup(cmd) else { return };
    // strongest of the first few arguments (`nc -lvp 4444 -e /bin/sh`)
    let args_w = rest
        .iter()
        .take(argument_words(rest, sep == Sep::Start, tier_a))
        .map(|a| arg_strength(a))
        .max()
        .unwrap_or(0);
    command_weight(
        cmd,
        rest,
        args_w,
        Segment {
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

/// Whether `word`, whose last `name_len` bytes are the command's name, names
/// it with a directory from the root or a drive (`/bin/cat`, `c:\x\y.exe`).
/// In a URL path only a directory of programs counts (`/bin/`, `/usr/sbin/`,
/// `…/system32/`): `/api/v1/ping` and `/users/find` are routes, not commands.
fn written_with_dir(word: &[u8], name_len: usize, field: Field) -> bool {
    let rooted = word.starts_with(b"/") || word.len() > 2 && word[1] == b':';
    if name_len == word.len() || !rooted {
        return false;
    }
    if field != Field::Path {
        return true;
    }
    let dir = &word[..word.len() - name_len - 1];
    let last = dir
        .iter()
        .rposition(|&b| b == b'/' || b == b'\\')
        .map_or(dir, |p| &dir[p + 1..]);
    [&b"bin"[..], b"sbin", b"system32"]
        .iter()
        .any(|d| last.eq_ignore_ascii_case(d))
}

/// Where a segment's command stands, for [`command_weight`].
#[derive(Clone, Copy)]
struct Segment {
    sep: Sep,
    adjacent: bool,
    leading: bool,
    field: Field,
    /// the command was written with a directory (`/bin/cat`, `c:\x\y`)
    had_path: bool,
    /// the command follows a wrapper (`nohup`, `time`)
    wrapped: bool,
    /// the command is one of the names that are rarely anything else
    tier_a: bool,
}

/// Scores command `cmd` of a segment whose next words are `rest`, given the
/// strongest of its first arguments (`args_w`, see [`arg_strength`]). The
/// tests' reference (`reference.rs`) shares this part as written: what it
/// checks is how the live scanner finds commands and words without
/// allocating, not how they are weighed.
fn command_weight(
    cmd: &[u8],
    rest: &[&[u8]],
    args_w: u32,
    at: Segment,
    bump: &mut impl FnMut(u32, &'static str),
) {
    let Segment {
        sep,
        adjacent,
        leading,
        field,
        had_path,
        wrapped,
        tier_a,
    } = at;
    let arg = rest.first().copied();
    let end = arg.is_none()
        || arg.is_some_and(|a| a.starts_with(b"#") || a.starts_with(b"`") || a == b")");
    let arg_w = if had_path {
        3
    } else {
        args_w.max(if end { 1 } else { 0 })
    };
    let lc = cmd.to_ascii_lowercase();
    let unversioned = {
        let e = lc
            .iter()
            .rposition(|b| !b.is_ascii_digit() && *b != b'.')
            .map_or(0, |p| p + 1);
        &lc[..e]
    };
    let interp = matches!(
        unversioned,
        b"sh"
            | b"bash"
            | b"zsh"
            | b"ksh"
            | b"dash"
            | b"perl"
            | b"python"
            | b"python2"
            | b"python3"
            | b"ruby"
            | b"php"
            | b"node"
            | b"lua"
            | b"busybox"
            | b"$shell"
            | b"${shell}"
            | b"pwsh"
            | b"powershell"
            | b"cmd"
    );
    if interp
        && rest.len() >= 2
        && matches!(
            rest[0].to_ascii_lowercase().as_slice(),
            b"-c" | b"-e" | b"-r" | b"/c" | b"-command"
        )
    {
        bump(6, "cmdi-command");
    }
    if lc == b"alias" && arg.is_some_and(|a| a.contains(&b'=') || a.starts_with(b"-")) {
        bump(if sep == Sep::Start { 5 } else { 6 }, "cmdi-command");
    }
    if rare(cmd) || wrapped && tier_a {
        // a command name that is not a word, first in a value or after a wrapper
        let w = match sep {
            Sep::Start if field == Field::Path => 0,
            _ => 5,
        };
        if w > 0 {
            bump(w, "cmdi-command");
        }
    }
    if locate_probe(cmd, rest, sep == Sep::Start) {
        bump(5, "cmdi-command");
    }
    let tier_w = if tier_a { 3 } else { 1 };
    let w = match sep {
        Sep::Subst => 3 + tier_w + arg_w.max(1),
        Sep::Strong => 2 + tier_w + arg_w + u32::from(adjacent),
        Sep::Weak => 1 + tier_w + arg_w + u32::from(adjacent),
        Sep::Start => {
            let ua_cmd = field == Field::UserAgent && tier_a && args_w >= 1;
            if ua_cmd {
                5
            } else if field == Field::UserAgent
                || arg_w == 0
                || (field == Field::Path && !had_path)
                // a parameter name that happens to be a command (`id`, `type`)
                || (field == Field::Name && rest.is_empty())
            {
                0
            } else {
                match (tier_a, arg_w) {
                    (_, 3) | (true, 2) => 5,
                    (true, _) => 4,
                    (false, _) => 2,
                }
            }
        }
    };
    if w > 0 {
        bump(w + u32::from(leading && sep != Sep::Start), "cmdi-command");
    }
}
