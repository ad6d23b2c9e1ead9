//! Structural signals for server-side code injection that a literal list cannot
//! express: Java fully-qualified names that reach a process or class loader,
//! PHP variable-function calls (`$f(…)`, `${'a'}(…)`, `$x['k'](…)`), JavaScript
//! runtime primitives and busy loops, ORM filter lookups in parameter names,
//! separator-agnostic sensitive paths (`etc<junk>passwd`), and Windows batch
//! control flow (`if exist`, `for %v in (…) do`). Runs over the canonical
//! (lowercase, decoded) view; every function is a single bounded pass. No
//! verdicts here, only weighted signals (`detect.rs` adds them up per class).

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::detect::{Field, Hits};
use crate::verdict::Class;

// Byte classes for the one pass in `scan`. A pair check (`..`, `if`, junk
// then alphanumeric, `__`, `n(` or `e(`) puts the class of its first byte on
// an even bit and that of its second byte on the next bit up, so
// `(prev << 1) & cur` lights the odd bit of every pair that occurs.
const DOT_A: u16 = 1; // `.` as the first of `..`
const DOT_B: u16 = 1 << 1; // `.` as the second of `..`
const I: u16 = 1 << 2; // `i` of `if`
const F: u16 = 1 << 3; // `f` of `if`
const JUNK: u16 = 1 << 4; // neither alphanumeric nor whitespace
const WORD2: u16 = 1 << 5; // first byte of a second word of `sensitive_words`
const US_A: u16 = 1 << 6; // `_` as the first of `__`
const US_B: u16 = 1 << 7; // `_` as the second of `__`
const CALLEE_END: u16 = 1 << 8; // `n` of `function(`, `e` of `while(`
const PAREN: u16 = 1 << 9; // `(`
const DOLLAR: u16 = 1 << 10; // `$`
const PAIR_SECONDS: u16 = DOT_B | F | WORD2 | US_B | PAREN;

const BYTE_CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() || c.is_ascii_whitespace() {
            0
        } else {
            JUNK
        };
        b += 1;
    }
    t[b'.' as usize] |= DOT_A | DOT_B;
    t[b'i' as usize] |= I;
    t[b'f' as usize] |= F;
    t[b'_' as usize] |= US_A | US_B;
    t[b'n' as usize] |= CALLEE_END;
    t[b'e' as usize] |= CALLEE_END;
    t[b'(' as usize] |= PAREN;
    t[b'$' as usize] |= DOLLAR;
    let mut i = 0;
    while i < SENSITIVE_PAIRS.len() {
        t[SENSITIVE_PAIRS[i].1[0] as usize] |= WORD2;
        i += 1;
    }
    t
};

/// The byte classes of `s` (`.0`) and the pair checks that occur in it (`.1`).
fn classes(s: &[u8]) -> (u16, u16) {
    let (mut any, mut pairs, mut prev) = (0u16, 0u16, 0u16);
    for &b in s {
        let c = BYTE_CLASS[usize::from(b)];
        any |= c;
        pairs |= (prev << 1) & c;
        prev = c;
    }
    (any, pairs & PAIR_SECONDS)
}

/// Searchers built once: `memmem::find` builds one per call.
struct Finders {
    function_body: [Finder<'static>; 2],
    while_open: Finder<'static>,
    dot_dot: Finder<'static>,
    double_underscore: Finder<'static>,
    if_word: Finder<'static>,
    equals_equals: Finder<'static>,
}

static FINDERS: LazyLock<Finders> = LazyLock::new(|| Finders {
    function_body: [b"function(){".as_slice(), b"function() {"].map(Finder::new),
    while_open: Finder::new(b"while("),
    dot_dot: Finder::new(b".."),
    double_underscore: Finder::new(b"__"),
    if_word: Finder::new(b"if"),
    equals_equals: Finder::new(b"=="),
});

/// Runs every signal of this module over the canonical view `s`.
///
/// One pass over the bytes decides which checks can match at all; each gate
/// names what its check cannot match without. A skipped check adds nothing,
/// so the order of the additions (and the id kept per class) is unchanged.
pub(crate) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    let (any, pairs) = classes(s);
    // a Java name needs a dotted segment naming a dangerous class
    if any & DOT_A != 0 && java_danger_after_dot(s) {
        java_names(s, hits);
    }
    if any & DOLLAR != 0 {
        php_variable_calls(s, hits);
    }
    // `function(){`, `function() {` and `while(` hold `n(` or `e(`; the
    // console shape is a prefix
    if any & PAREN != 0 && (pairs & PAREN != 0 || s.starts_with(b"console.")) {
        js_runtime(s, hits);
    }
    // a junk separator between two words ends in a junk byte right before
    // the second word, which starts with a `WORD2` byte
    if pairs & WORD2 != 0 && s.len() >= 9 {
        sensitive_words(s, hits);
    }
    if pairs & DOT_B != 0 {
        dot_steps(s, hits);
    }
    if system_path_may_start(s) {
        system_path(s, hits);
    }
    if pairs & F != 0 {
        batch_if(s, hits);
    }
    // a lookup path has two `__`
    if field == Field::Name && pairs & US_B != 0 {
        orm_lookup(s, hits);
    }
}

/// A PHP open tag (`<?php` and a blank, any case) inside an image, sound or
/// video upload: the polyglot that a later `include` of the stored file runs
/// (a comment segment of a real JPEG carrying a script). Five fixed bytes and
/// a blank do not occur by chance in media files; a PHP source file uploaded
/// as text is judged by the ordinary scan instead.
pub(crate) fn php_tag_in_media(body: &[u8], hits: &mut Hits) {
    static OPEN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"<?"));
    let found = OPEN.find_iter(body).any(|at| {
        body.get(at + 2..at + 6).is_some_and(|w| {
            w[..3].eq_ignore_ascii_case(b"php") && matches!(w[3], b' ' | b'\t' | b'\n' | b'\r')
        })
    });
    if found {
        hits.add(Class::Php, "php-open-tag", 8);
    }
}

/// True when a `.` in `s` is followed by a name in `JAVA_DANGER`: every later
/// segment of a dotted name follows a `.`, so `java_names` needs this.
fn java_danger_after_dot(s: &[u8]) -> bool {
    let danger_at = |p: usize| {
        let rest = &s[p + 1..];
        JAVA_DANGER.iter().any(|d| rest.starts_with(d))
    };
    // a short value with several dots (`m.smith@example.org`) costs less
    // as a byte loop than as a vector search restarted after each dot; a
    // longer one (a sentence ending in a dot) the other way round
    if s.len() < 24 {
        (0..s.len()).any(|p| s[p] == b'.' && danger_at(p))
    } else {
        memchr::memchr_iter(b'.', s).any(danger_at)
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Class-name segments that reach process execution, class loading or script
/// engines from a Java package path (`java.lang.Runtime`, `java.ProcessBuilder`).
const JAVA_DANGER: &[&[u8]] = &[
    b"runtime",
    b"processbuilder",
    b"processimpl",
    b"unixprocess",
    b"classloader",
    b"urlclassloader",
    b"scriptenginemanager",
    b"methodutils",
    b"invokerhelper",
    b"templatesimpl",
    b"jdbcrowsetimpl",
];

const JAVA_ROOTS: &[&[u8]] = &[b"java", b"javax", b"jdk", b"sun", b"com", b"org"];

/// A dotted identifier rooted at a Java package root whose later segment names a
/// process / class-loading class.
fn java_names(s: &[u8], hits: &mut Hits) {
    let mut i = 0;
    while i < s.len() {
        if !is_ident(s[i]) || (i > 0 && (is_ident(s[i - 1]) || s[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let st = i;
        while i < s.len() && (is_ident(s[i]) || s[i] == b'.') {
            i += 1;
        }
        let name = &s[st..i];
        if !name.contains(&b'.') {
            continue;
        }
        let mut segs = name.split(|&b| b == b'.').filter(|p| !p.is_empty());
        let Some(root) = segs.next() else { continue };
        if JAVA_ROOTS.contains(&root) && segs.any(|seg| JAVA_DANGER.contains(&seg)) {
            hits.add(Class::Java, "java-class", 7);
            return;
        }
    }
}

/// What follows a call's `(` opens PHP arguments: a variable, a string, a
/// number, `)`, `@`, or a function name and its own `(`.
fn php_arguments(rest: &[u8]) -> bool {
    let rest = rest.trim_ascii_start();
    match rest.first() {
        Some(b'$' | b'\'' | b'"' | b')' | b'@' | b'0'..=b'9') => true,
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
            let n = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            rest[n..].trim_ascii_start().first() == Some(&b'(')
        }
        _ => false,
    }
}

/// `$name(…)`, `$name['k'](…)`, `${'a'}(…)`, `$$x(…)`, `@$f(…)`: calling a
/// variable as a function, the core of PHP web shells. jQuery's `$(` and `$.x(`
/// have no identifier after `$` and do not match.
fn php_variable_calls(s: &[u8], hits: &mut Hits) {
    let mut best = 0;
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'$', &s[i..]) {
        let at = i + p;
        i = at + 1;
        let mut j = at + 1;
        while s.get(j) == Some(&b'$') {
            j += 1;
        }
        while s.get(j) == Some(&b' ') {
            j += 1;
        }
        let mut indexed = false;
        let id_start = j;
        // PHP identifiers never start with a digit (`$5 (tax)` is a price)
        if s.get(j).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        while j < s.len() && (s[j].is_ascii_alphanumeric() || s[j] == b'_') {
            j += 1;
        }
        let has_name = j > id_start;
        if !has_name && s.get(j) != Some(&b'{') {
            continue;
        }
        // subscripts / braces, bounded and nesting-aware: ['k'], [$_[1]], {'a'},
        // with spaces or line comments between them
        let mut rounds = 0;
        loop {
            let k = skip_php_gap(s, j);
            if rounds >= 4 || !matches!(s.get(k), Some(b'[' | b'{')) {
                break;
            }
            let Some(e) = matching(s, k) else { break };
            j = e + 1;
            indexed = true;
            rounds += 1;
        }
        if !has_name && !indexed {
            continue;
        }
        j = skip_php_gap(s, j);
        if s.get(j) == Some(&b'(') {
            // a plain `$name(` needs PHP arguments: a variable, a string,
            // a number, nothing, or a call (`$f($x)`, `$a('id')`, `$a(1)`, `$f()`,
            // `$x(base64_decode(…))`); a generated password's `$S(S2)` or
            // `$P(?&` has none
            if !indexed && has_name && !php_arguments(&s[j + 1..]) {
                continue;
            }
            best = best.max(if indexed || !has_name { 6 } else { 5 });
        } else if !has_name && indexed {
            // `${'a'}`, `$ {$x}`: PHP complex variable syntax; a JS template
            // placeholder `${name}` has a bare word and no space
            let inner = &s[at + 1..j.min(s.len())];
            let spaced = inner.first() == Some(&b' ');
            let code = inner.iter().any(|b| matches!(b, b'\'' | b'"' | b'$'));
            if spaced || code {
                best = best.max(5);
            }
        }
    }
    if best > 0 {
        hits.add(Class::Php, "php-function", best);
    }
}

/// Index of the bracket closing the one at `s[k]` (`[` or `{`), within 64 bytes.
fn matching(s: &[u8], k: usize) -> Option<usize> {
    let (open, close) = if s[k] == b'[' {
        (b'[', b']')
    } else {
        (b'{', b'}')
    };
    let mut depth = 0u32;
    for (off, &b) in s[k..].iter().enumerate().take(64) {
        if b == open {
            depth += 1;
        } else if b == close {
            depth -= 1;
            if depth == 0 {
                return Some(k + off);
            }
        }
    }
    None
}

/// Skips whitespace and PHP line comments (`#…`, `//…` up to a newline).
fn skip_php_gap(s: &[u8], mut j: usize) -> usize {
    for _ in 0..8 {
        while s.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        let comment = s.get(j) == Some(&b'#') || s[j.min(s.len())..].starts_with(b"//");
        if !comment {
            break;
        }
        match memchr::memchr(b'\n', &s[j..]) {
            Some(p) => j += p + 1,
            None => return s.len(),
        }
    }
    j
}

/// Server-side JavaScript shapes that are not plain literals (those are in the
/// literal automaton, `rules.rs`): anonymous function bodies, console calls as
/// a whole value, busy loops that pin a worker (`while(true)`, `while(!0)`).
fn js_runtime(s: &[u8], hits: &mut Hits) {
    let mut best = 0;
    // an anonymous function body opened in a value: weak on its own
    if FINDERS.function_body.iter().any(|f| f.find(s).is_some()) {
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
fn busy_loop(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = FINDERS.while_open.find(&s[i..]) {
        let at = i + p;
        i = at + 6;
        if at > 0 && is_ident(s[at - 1]) {
            continue;
        }
        let inner_start = at + 6;
        let Some(e) = s[inner_start..].iter().take(24).position(|&c| c == b')') else {
            continue;
        };
        // at most 23 bytes (`e` is found within 24): a stack buffer
        let mut buf = [0u8; 24];
        let mut n = 0;
        for &b in &s[inner_start..inner_start + e] {
            if !matches!(b, b'!' | b'+' | b'-' | b'(' | b' ') {
                buf[n] = b;
                n += 1;
            }
        }
        let inner = &buf[..n];
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
        if TRUTHY.contains(&inner) {
            return true;
        }
    }
    false
}

/// The word pairs of `sensitive_words`.
const SENSITIVE_PAIRS: &[(&[u8], &[u8])] = &[
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

/// Sensitive system paths spelled with arbitrary separators between their
/// words (`etc%bg%qfpasswd`, `windows∕system32`): decoders on the target may
/// read the junk as a separator. Needs two adjacent words of a known pair joined
/// by 1-8 non-space, non-alphanumeric bytes that are not a plain `/` or `\`
/// (those are covered by the literal list).
///
/// Words are maximal alphanumeric runs and separators the runs between them.
/// Only a word right after a non-space separator byte can be the second of a
/// pair, and only one starting like a second word is looked at: prose
/// (`it's`, `o'connell`) costs one table test per byte.
fn sensitive_words(s: &[u8], hits: &mut Hits) {
    const PAIRS: &[(&[u8], &[u8])] = SENSITIVE_PAIRS;
    for i in 1..s.len() {
        // a `JUNK` byte, then a `WORD2` one
        if BYTE_CLASS[usize::from(s[i])] & WORD2 == 0
            || BYTE_CLASS[usize::from(s[i - 1])] & JUNK == 0
        {
            continue;
        }
        let word_end = s[i..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(s.len(), |n| i + n);
        let w = &s[i..word_end];
        if !PAIRS.iter().any(|(_, b)| *b == w) {
            continue;
        }
        let sep_start = s[..i]
            .iter()
            .rposition(u8::is_ascii_alphanumeric)
            .map_or(0, |n| n + 1);
        let sep = &s[sep_start..i];
        let sep_ok = sep.len() <= 8
            && !sep.iter().any(u8::is_ascii_whitespace)
            && sep != b"/"
            && sep != b"\\"
            && sep != b".";
        // no word before a leading separator
        if !sep_ok || sep_start == 0 {
            continue;
        }
        let prev_start = s[..sep_start]
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
            .map_or(0, |n| n + 1);
        let p = &s[prev_start..sep_start];
        if PAIRS.iter().any(|(a, b)| *a == p && *b == w) {
            hits.add(Class::Lfi, "lfi-sensitive-file", 6);
            return;
        }
    }
}

/// Whether `system_path` can match `s`: it looks at the value's start only
/// (a root, a drive, `file://`, `~` or `.` before a dotfile, or blanks).
fn system_path_may_start(s: &[u8]) -> bool {
    match s.first() {
        Some(b'/' | b'~' | b'.' | b'f') => true,
        Some(b) if b.is_ascii_whitespace() => true,
        Some(b) => b.is_ascii_alphabetic() && s.get(1) == Some(&b':'),
        None => false,
    }
}

/// A value that is an absolute path into a system directory
/// (`/etc/hostname`, `/proc/x`, `/var/log/x`, `/usr/local/…`, `d:/windows/…`),
/// or a path to a shell's or a client's dotfile (`~/.bashrc`, `../.netrc`):
/// applications take file names or relative paths, never these. A drive
/// alone is no system directory: browsers report an upload's name as
/// `C:\fakepath\name`, and desktop clients and support questions send
/// paths to documents and installed programs (user profiles and `Program
/// Files` are left out for that reason). A root followed by a blank is
/// prose about the directory, not a path into it; a dotfile named in a
/// sentence has blanks around it.
fn system_path(s: &[u8], hits: &mut Hits) {
    const ROOTS: &[&[u8]] = &[
        b"/etc/",
        b"/proc/",
        b"/sys/",
        // everything under `/var` (logs, spools, mail, databases, the web
        // root) and `/usr` (programs, libraries, `/usr/etc/`) is the
        // system's, not an application's file
        b"/var/",
        b"/usr/",
        b"/root/",
        b"/boot/",
        b"/dev/",
        b"/bin/",
        b"/sbin/",
        b"/private/etc/",
        b"/private/var/",
    ];
    // after any drive letter and `:/`
    const DRIVE_ROOTS: &[&[u8]] = &[
        b"windows/",
        b"winnt/",
        b"inetpub/",
        b"system volume information",
        b"$recycle.bin",
        // server packages installed at the drive root
        b"mysql/",
        b"xampp/",
        b"wamp/",
        b"wamp64/",
        b"apache",
        b"nginx/",
        b"php/",
        b"tomcat",
        b"postgresql/",
        b"appserv/",
    ];
    // the files that hold a shell's start-up commands, history or a
    // client's credentials
    const DOTFILES: &[&[u8]] = &[
        b".bashrc",
        b".bash_profile",
        b".bash_login",
        b".bash_logout",
        b".profile",
        b".cshrc",
        b".tcshrc",
        b".kshrc",
        b".zshrc",
        b".zprofile",
        b".login",
        b".logout",
        b".netrc",
        b".rhosts",
        b".shosts",
        b".forward",
        b".sh_history",
        b".zsh_history",
        b".mysql_history",
        b".psql_history",
        b".viminfo",
        b".pgpass",
        b".my.cnf",
        b".git-credentials",
        b".npmrc",
        b".pypirc",
        b".dockercfg",
        b".xauthority",
        b".passwd",
        b"master.passwd",
    ];
    let t = s.trim_ascii_start();
    let t = t.strip_prefix(b"file://").unwrap_or(t);
    // a name must follow the root: `/etc/ folder question` names no file
    let named = |r: &[u8], t: &[u8]| {
        t.starts_with(r) && t.get(r.len()).is_some_and(|b| !b.is_ascii_whitespace())
    };
    let on_drive = match t {
        [d, b':', b'/', rest @ ..] if d.is_ascii_alphabetic() => Some(rest),
        _ => None,
    };
    let dotfile = || {
        let t = t.trim_ascii_end();
        let name_at = memchr::memrchr(b'/', t).map_or(0, |p| p + 1);
        name_at > 0
            && !t.iter().any(u8::is_ascii_whitespace)
            && DOTFILES.iter().any(|d| t[name_at..] == **d)
    };
    if ROOTS.iter().any(|r| named(r, t))
        || on_drive.is_some_and(|rest| DRIVE_ROOTS.iter().any(|r| named(r, rest)))
        || dotfile()
    {
        hits.add(Class::Lfi, "lfi-sensitive-file", 5);
    }
}

/// Dot-dot steps glued by junk instead of a slash (`..%bg%qf..`, `..\xc1%pc..`,
/// `..2f..2f`): a target decoder that maps the junk to a separator walks up the
/// tree. Counts `..` runs whose gap to the next run is 1-8 bytes with no
/// whitespace and at least one byte that is not a letter or digit (or exactly a
/// bare hex `2f` / `5c`), so version ranges (`1..2..3`) and prose ellipses stay out.
fn dot_steps(s: &[u8], hits: &mut Hits) {
    let mut steps = 0u32;
    let mut best = 0u32;
    let mut i = 0;
    let mut last_end: Option<usize> = None;
    while let Some(p) = FINDERS.dot_dot.find(&s[i..]) {
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
fn batch_if(s: &[u8], hits: &mut Hits) {
    let mut i = 0;
    while let Some(p) = FINDERS.if_word.find(&s[i..]) {
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
        let w = batch_if_weight(rest);
        if w > 0 {
            hits.add(Class::Cmdi, "cmdi-batch", w);
            return;
        }
    }
}

/// The weight of a batch `if` from what follows the keyword (`rest` starts
/// with a blank or `/`): 6 for `exist`, `defined`, `errorlevel` or
/// `cmdextversion`, or for a comparison (`==`, `equ`, `neq`, `lss`, `leq`,
/// `gtr`, `geq`) followed on the same line by the command it guards or
/// comparing a batch variable (`%1`); 0 otherwise. cmd reads the whole
/// statement on one line, so a line break ends it: Python's
/// `if __name__ == "__main__":` and Ruby's `if n == 1` (a condition, a line
/// break, a block) are code in a post, not batch. An
/// operand that ends with `:` or `{`, or in the command's place `then`, a
/// `{`, a C-like `return` / `break` / `continue` / `throw` or a word ending in
/// `;` (`if (a == b) return;`), belongs to another language.
pub(super) fn batch_if_weight(rest: &[u8]) -> u32 {
    let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
    let mut words = line
        .split(|&b| b == b' ')
        .filter(|w| !w.is_empty())
        .take(8)
        .peekable();
    while words.peek().is_some_and(|w| *w == b"/i" || *w == b"not") {
        words.next();
    }
    let Some(first) = words.next() else { return 0 };
    if matches!(
        first,
        b"exist" | b"defined" | b"errorlevel" | b"cmdextversion"
    ) {
        return 6;
    }
    // `first` and the words after it: at most 8 (`take(8)` above)
    let mut ws: [&[u8]; 8] = [&[]; 8];
    let mut n = 0;
    for w in std::iter::once(first).chain(words) {
        ws[n] = w;
        n += 1;
    }
    // the comparison among the first three words, and where its right-hand
    // operand ends: `a == b`, `a==b`, `a== b`, `a ==b`
    let op = |w: &[u8]| {
        matches!(
            w,
            b"==" | b"equ" | b"neq" | b"lss" | b"leq" | b"gtr" | b"geq"
        )
    };
    let Some(k) = ws[..n.min(3)]
        .iter()
        .position(|w| op(w) || (w.len() > 2 && FINDERS.equals_equals.find(w).is_some()))
    else {
        return 0;
    };
    // `a == b` and `a== b` leave the operand to the next word; `a==b`, `==b`
    // hold it
    let operand_end = if op(ws[k]) || ws[k].ends_with(b"==") {
        k + 1
    } else {
        k
    };
    let opens_block = |w: &[u8]| w.ends_with(b":") || w.ends_with(b"{");
    if ws[..=operand_end.min(n - 1)].iter().any(|w| opens_block(w)) {
        return 0;
    }
    if operand_end + 1 >= n {
        // no command on the line: still batch when a batch variable is
        // compared (`if not {%1} == {}`)
        let batch_var = ws[..n].iter().any(|w| w.contains(&b'%'));
        return if batch_var { 6 } else { 0 };
    }
    let cmd = ws[operand_end + 1];
    let other_language = matches!(cmd, b"then" | b"return" | b"break" | b"continue" | b"throw")
        || cmd.starts_with(b"{")
        || cmd.ends_with(b";");
    if other_language { 0 } else { 6 }
}

/// Django-style ORM lookups in a parameter name (`user__password__startswith`):
/// lets a client filter on fields it should not see.
fn orm_lookup(s: &[u8], hits: &mut Hits) {
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
    let parts = FINDERS.double_underscore.find_iter(s).count();
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

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
