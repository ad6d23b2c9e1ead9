//! PHP builtin calls (named functions, naming families, call evidence such as
//! `@`, quoted names and variable arguments) and serialized objects.

use std::sync::LazyLock;

use crate::detect::Hits;
use crate::verdict::Class;

/// PHP functions that execute code or commands, read/write files, or decode
/// payloads; scored when called (`name` followed by `(` after optional spaces).
pub(super) const PHP_FUNCS: &[(&str, u32)] = &[
    ("shell_exec", 7),
    ("passthru", 7),
    ("proc_open", 7),
    ("pcntl_exec", 7),
    ("popen", 5),
    ("system", 5),
    ("exec", 4),
    ("eval", 5),
    ("assert", 5),
    ("create_function", 7),
    ("call_user_func", 6),
    ("call_user_func_array", 6),
    ("preg_replace", 4),
    ("base64_decode", 5),
    ("str_rot13", 5),
    ("gzinflate", 6),
    ("gzuncompress", 6),
    ("gzdecode", 5),
    ("file_get_contents", 5),
    ("file_put_contents", 6),
    ("fopen", 4),
    ("fwrite", 4),
    ("fputs", 4),
    ("readfile", 4),
    ("unlink", 4),
    ("move_uploaded_file", 6),
    ("fsockopen", 6),
    ("highlight_file", 6),
    ("show_source", 6),
    ("ini_set", 5),
    ("ini_get", 4),
    ("include", 4),
    ("require", 4),
    ("include_once", 5),
    ("require_once", 5),
    ("array_map", 4),
    ("usort", 4),
    ("array_filter", 4),
    ("var_dump", 4),
    ("print_r", 4),
    ("printf", 3),
    ("echo", 2),
    ("print", 3),
    ("chr", 3),
    ("hex2bin", 5),
    ("convert_uudecode", 6),
    ("get_defined_vars", 6),
    ("getenv", 4),
    ("putenv", 5),
    ("posix_getpwuid", 6),
    ("mail", 3),
    ("escapeshellarg", 4),
    ("escapeshellcmd", 4),
    ("phpinfo", 6),
    ("scandir", 5),
    ("glob", 4),
    ("opendir", 5),
    ("readdir", 5),
    ("file", 3),
    ("curl_exec", 5),
    ("unserialize", 5),
    ("serialize", 3),
    ("extract", 4),
    ("parse_str", 4),
    ("proc_nice", 5),
    ("symlink", 5),
    ("chmod", 4),
    ("mkdir", 3),
    ("rmdir", 4),
    ("copy", 3),
    ("strrev", 4),
    ("pfsockopen", 6),
    ("zlib_decode", 5),
    ("gethostbyname", 4),
    ("substr", 3),
    ("unpack", 4),
    ("strip_tags", 3),
    ("intval", 3),
    ("assert_options", 5),
    ("filegroup", 4),
    ("fileowner", 4),
    ("dl", 4),
    ("mb_ereg_replace", 5),
    ("ob_start", 4),
    ("register_shutdown_function", 6),
    ("register_tick_function", 6),
    ("set_error_handler", 4),
    ("array_walk", 4),
    ("uasort", 4),
    ("uksort", 4),
    ("iterator_apply", 5),
    ("stream_get_contents", 5),
    ("ftp_connect", 5),
    ("mysqli_query", 4),
    ("mysql_query", 4),
    ("pg_query", 4),
];

/// Name families of PHP builtins (`is_array`, `pg_connect`, `file_exists`).
pub(super) const PHP_PREFIXES: &[&str] = &[
    "is_", "file_", "date_", "pg_", "odbc_", "mysql_", "mysqli_", "curl_", "array_", "str_",
    "preg_", "posix_", "proc_", "pcntl_", "stream_", "ftp_", "openssl_", "mb_", "iconv_", "xml_",
    "session_", "ob_", "func_", "get_", "set_", "ini_", "fs", "gz", "bz", "zip_", "ldap_",
    "socket_", "sqlite_", "oci_", "imap_",
];

pub(super) fn word_before(s: &[u8], end: usize) -> &[u8] {
    let mut st = end;
    while st > 0 && (s[st - 1].is_ascii_alphanumeric() || s[st - 1] == b'_') {
        st -= 1;
    }
    &s[st..end]
}

/// `name (` where name is a PHP function; also `$var(` variable functions.
pub(super) fn php_calls(s: &[u8], hits: &mut Hits) {
    let mut best = 0;
    let mut count = 0;
    for i in memchr::memchr_iter(b'(', s) {
        let e = skip_gap_back(s, i);
        // `"system"(x)`: a quoted name is called like a variable function
        let quoted = e >= 2 && matches!(s[e - 1], b'"' | b'\'');
        let e = if quoted { e - 1 } else { e };
        let w = word_before(s, e);
        if w.is_empty() {
            continue;
        }
        let st = e - w.len();
        if quoted && (st == 0 || s[st - 1] != s[e]) {
            continue;
        }
        let st = if quoted { st - 1 } else { st };
        // method calls (`obj.exec(`, `$db->query(`) are not PHP builtins
        if st > 0 && (s[st - 1] == b'.' || s[st - 1] == b'>' || s[st - 1] == b':') {
            continue;
        }
        if st > 0 && s[st - 1] == b'$' {
            best = best.max(4);
            count += 1;
            continue;
        }
        // sound early exit: the code below touches `best` / `count` only for
        // a known function or a family name, so look the name up first
        let func = func_weight(w);
        if func.is_none() && !in_family(w) {
            continue;
        }
        // call evidence: `@name(` error suppression, a variable or string
        // argument, the call being the whole value
        let at_sign = st > 0 && s[st - 1] == b'@';
        let arg = s[i + 1..]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'$' | b'"' | b'\''));
        // the call is the whole value, or the last segment of a path
        // (`/index.php/substr()`)
        let whole = s[..st]
            .iter()
            .all(|b| b.is_ascii_whitespace() || *b == b'@')
            || (st > 0 && s[st - 1] == b'/' && s[0] == b'/');
        let bonus = u32::from(at_sign || quoted) + u32::from(arg);
        if let Some(wt) = func {
            let mut v = wt + bonus;
            if whole {
                v = v.max(5);
            }
            best = best.max(v);
            count += 1;
        } else {
            // builtin naming families; a bare call as the whole value is stronger
            best = best.max(if whole { 5 } else { 3 } + bonus);
            count += 1;
        }
    }
    if best > 0 {
        hits.add(
            Class::Php,
            "php-function",
            best + if count > 1 { 1 } else { 0 },
        );
    }
}

/// [`PHP_FUNCS`] and [`PHP_PREFIXES`] bucketed by first byte, each bucket in
/// table order, so a search in a word's bucket returns what a search of the
/// whole table would.
struct Names {
    funcs: [Vec<(&'static [u8], u32)>; 256],
    families: [Vec<&'static [u8]>; 256],
}

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let mut n = Names {
        funcs: std::array::from_fn(|_| Vec::new()),
        families: std::array::from_fn(|_| Vec::new()),
    };
    for (name, w) in PHP_FUNCS {
        let b = name.as_bytes();
        if let Some(f) = b.first() {
            n.funcs[usize::from(*f)].push((b, *w));
        }
    }
    for p in PHP_PREFIXES {
        let b = p.as_bytes();
        if let Some(f) = b.first() {
            n.families[usize::from(*f)].push(b);
        }
    }
    n
});

/// The weight of the PHP function named `w`.
fn func_weight(w: &[u8]) -> Option<u32> {
    let f = w.first()?;
    NAMES.funcs[usize::from(*f)]
        .iter()
        .find(|(n, _)| *n == w)
        .map(|(_, wt)| *wt)
}

/// `w` extends a builtin naming family by at least two bytes.
fn in_family(w: &[u8]) -> bool {
    w.first().is_some_and(|f| {
        NAMES.families[usize::from(*f)]
            .iter()
            .any(|p| w.starts_with(p) && w.len() > p.len() + 1)
    })
}

/// Start of the gap before `s[i]`: whitespace and `#…`/`//…` line comments
/// between a PHP function name and its `(` (`exec #c\n (x)`), bounded.
pub(super) fn skip_gap_back(s: &[u8], i: usize) -> usize {
    let mut e = i;
    let floor = i.saturating_sub(64);
    loop {
        while e > floor && s[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        // a line comment ends at the newline we just skipped over
        if e < i && s[e..i].contains(&b'\n') {
            let line_start = s[floor..e]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(floor, |p| floor + p + 1);
            let line = &s[line_start..e];
            if let Some(c) = line
                .iter()
                .position(|&b| b == b'#')
                .or_else(|| memchr::memmem::find(line, b"//"))
            {
                let ne = line_start + c;
                if ne < e {
                    e = ne;
                    continue;
                }
            }
        }
        return e;
    }
}

/// PHP serialized object `o:<len>:"<class>":<n>:{`.
pub(super) fn php_serialized(s: &[u8], hits: &mut Hits) {
    let mut i = 0;
    while let Some(p) = memchr::memchr(b':', &s[i..]) {
        let at = i + p;
        i = at + 1;
        if at == 0 || !matches!(s[at - 1], b'o' | b'c' | b'a') {
            continue;
        }
        if at >= 2 && s[at - 2].is_ascii_alphanumeric() {
            continue;
        }
        let rest = &s[at + 1..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || rest.get(digits) != Some(&b':') {
            continue;
        }
        let r2 = &rest[digits + 1..];
        if s[at - 1] == b'a' {
            if r2.first() == Some(&b'{')
                && (memchr::memmem::find(r2, b"s:").is_some()
                    || memchr::memmem::find(r2, b"i:").is_some())
            {
                hits.add(Class::Php, "php-serialized", 5);
            }
        } else if r2.first() == Some(&b'"') {
            hits.add(Class::Php, "php-object-injection", 7);
            return;
        }
    }
}

/// `<?xml :echo 1;`: an XML declaration must name its `version` first, so
/// `<?xml` followed by anything else is a PHP short open tag (PHP with
/// `short_open_tag` runs it as code).
pub(super) fn xml_short_tag(s: &[u8], hits: &mut Hits) {
    for p in memchr::memmem::find_iter(s, b"<?xml").take(8) {
        let rest = &s[p + 5..];
        let ws = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if ws == 0 || rest.len() == ws {
            continue;
        }
        if !rest[ws..].starts_with(b"version") {
            hits.add(Class::Php, "php-open-tag", 6);
            return;
        }
    }
}
