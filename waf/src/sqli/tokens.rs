//! The SQL tokeniser: token kinds, keyword and function classification, and
//! one linear pass that turns a value (optionally starting inside a quoted
//! literal) into tokens. No scoring here.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Str {
        closed: bool,
        /// Nothing between the quotes (or after an unclosed quote).
        empty: bool,
    },
    Num,
    Var {
        system: bool,
    },
    Word,
    /// UNION
    Union,
    /// A statement keyword (select, insert, drop, exec, ...).
    Stmt(Stmt),
    /// Other SQL keyword (from, where, order, by, ...).
    Kw(Kw),
    /// Logic operator: and, or, xor, not, &&, ||.
    Logic,
    /// Comparison: = <> != < > <= >= like rlike regexp in is between sounds
    /// (`word`: spelled as a keyword, which prose quotes too).
    Cmp {
        word: bool,
    },
    /// Arithmetic / bit operator.
    Op,
    /// PostgreSQL cast `::` (binds to the operand before it).
    Cast,
    /// A word directly followed by `(`.
    Func(FuncRisk),
    LParen,
    RParen,
    Comma,
    Semi,
    Comment {
        block: bool,
        versioned: bool,
    },
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stmt {
    Select,
    Modify,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kw {
    From,
    Where,
    Order,
    Group,
    By,
    Having,
    Into,
    Limit,
    Other,
    Procedure,
    Waitfor,
    Null,
    /// A schema object named by DDL: table, database, view, index, trigger ...
    Object,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FuncRisk {
    Plain,
    /// A SQL builtin whose name is common in other languages too (`round`,
    /// `format`, `time`): evidence only when the call is the whole value.
    Builtin,
    Sql,
    Danger,
}

/// The token list of one value: 64 tokens inline cover names, sentences and
/// most payloads without an allocation.
/// A value's tokens: inline up to 64 (a name, a sentence), so tokenising
/// allocates nothing for typical values; a long body spills to the heap once.
pub(super) type Toks = smallvec::SmallVec<[Kind; 64]>;

/// The kind of a word: a SQL keyword's (any case), else `Kind::Word`. One
/// hash probe (`keywords.rs`) instead of a comparison per keyword.
pub(super) fn classify_word(w: &[u8]) -> Kind {
    super::keywords::kind_of(w)
}

pub(super) fn func_risk(name: &[u8]) -> FuncRisk {
    let mut buf = [0u8; 24];
    if name.len() > buf.len() {
        return FuncRisk::Plain;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    let n = &buf[..name.len()];
    // strip a schema prefix like dbms_lock.sleep
    let base = match n.iter().rposition(|&b| b == b'.') {
        Some(p) => &n[p + 1..],
        None => n,
    };
    match base {
        b"sleep"
        | b"benchmark"
        | b"pg_sleep"
        | b"load_file"
        | b"extractvalue"
        | b"updatexml"
        | b"name_const"
        | b"receive_message"
        | b"get_host_address"
        | b"randomblob"
        | b"xp_cmdshell"
        | b"make_set"
        | b"exp"
        | b"geometrycollection"
        | b"polygon"
        | b"multipoint"
        | b"linestring"
        | b"utl_inaddr"
        | b"dbms_pipe"
        | b"pg_read_file"
        | b"lo_import"
        | b"json_keys"
        | b"gtid_subset" => FuncRisk::Danger,
        b"char" | b"chr" | b"nchar" | b"concat" | b"concat_ws" | b"group_concat" | b"substring"
        | b"substr" | b"mid" | b"ascii" | b"ord" | b"hex" | b"unhex" | b"version" | b"database"
        | b"user" | b"current_user" | b"system_user" | b"session_user" | b"schema" | b"cast"
        | b"convert" | b"ifnull" | b"isnull" | b"nullif" | b"coalesce" | b"if" | b"iif"
        | b"count" | b"length" | b"rtrim" | b"ltrim" | b"md5" | b"sha1" | b"elt" | b"rand"
        | b"floor" | b"row_count" | b"found_rows" | b"left" | b"right" | b"instr" | b"locate"
        | b"position" | b"reverse" | b"strcmp" | b"bin" | b"conv" | b"oct" | b"char_length"
        | b"db_name" | b"user_name" | b"suser_name" | b"is_srvrolemember" | b"quotename"
        | b"replace" | b"repeat" | b"space" | b"lpad" | b"rpad" | b"table_name"
        | b"column_name" | b"object_id" | b"exists" | b"last_insert_id" | b"connection_id"
        | b"uuid" | b"current_database" | b"pg_user" | b"to_char" | b"chartorowid"
        | b"utl_http" | b"sys_context" | b"now" | b"sysdate" => FuncRisk::Sql,
        b"round" | b"format" | b"time" | b"date" | b"day" | b"minute" | b"hour" | b"month"
        | b"year" | b"quarter" | b"log" | b"ln" | b"pi" | b"pow" | b"power" | b"cos" | b"sin"
        | b"tan" | b"sqrt" | b"abs" | b"trim" | b"values" | b"compress" | b"uncompress"
        | b"decode" | b"encode" | b"xmltype" | b"password" | b"local" | b"localtime"
        | b"unix_timestamp" | b"json_extract" | b"lo_get" | b"div" | b"overlay" | b"unistr"
        | b"find_in_set" | b"starts_with" | b"jsonb_pretty" | b"json_build_object"
        | b"schema_name" | b"upper" | b"lower" | b"soundex" | b"weight_string" | b"get_lock"
        | b"release_lock" | b"master_pos_wait" => FuncRisk::Builtin,
        _ => FuncRisk::Plain,
    }
}

/// Bytes of a word: ASCII letters and digits, `_`, `$` and every non-ASCII byte.
const WORD_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
        b += 1;
    }
    t
};

#[inline]
pub(super) fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[b as usize]
}

/// Tokenises `s`. With `quote = Some(q)`, the input is taken to start inside a
/// `q`-quoted literal (the first token is that literal, closed by the first `q`).
pub(super) fn tokenise(s: &[u8], quote: Option<u8>, out: &mut Toks) {
    let mut i = 0;
    if let Some(q) = quote {
        let (end, closed) = scan_string(s, 0, q);
        out.push(Kind::Str {
            closed,
            empty: end == 0,
        });
        i = if closed { end + 1 } else { s.len() };
    }
    while i < s.len() {
        let b = s[i];
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0 => {
                i += 1;
                continue;
            }
            b'\'' | b'"' => {
                let (end, closed) = scan_string(s, i + 1, b);
                let empty = end == i + 1;
                i = if closed { end + 1 } else { s.len() };
                Kind::Str { closed, empty }
            }
            b'`' => {
                let (end, closed) = scan_string(s, i + 1, b'`');
                i = if closed { end + 1 } else { s.len() };
                Kind::Word
            }
            b'0'..=b'9' => {
                i = number_end(s, i);
                Kind::Num
            }
            b'.' if s.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(s, i + 1);
                Kind::Num
            }
            b'@' if s.get(i + 1) == Some(&b'>') => {
                // PostgreSQL containment `@>`
                i += 2;
                Kind::Cmp { word: false }
            }
            b'-' if s.get(i + 1) == Some(&b'>') => {
                // JSON arrows `->` / `->>`
                i += 2;
                if s.get(i) == Some(&b'>') {
                    i += 1;
                }
                Kind::Cmp { word: false }
            }
            b'#' if s.get(i + 1) == Some(&b'>') => {
                // JSON path `#>` / `#>>`
                i += 2;
                if s.get(i) == Some(&b'>') {
                    i += 1;
                }
                Kind::Cmp { word: false }
            }
            b'?' => {
                // JSON key tests `?`, `?|`, `?&`
                i += 1;
                if matches!(s.get(i), Some(b'|' | b'&')) {
                    i += 1;
                    Kind::Cmp { word: false }
                } else if question_mark(s, start) {
                    Kind::Other
                } else {
                    Kind::Cmp { word: false }
                }
            }
            b'@' if let Some(end) = at_inside_word(s, i) => {
                i = end;
                Kind::Word
            }
            b'@' => {
                let at2 = s.get(i + 1) == Some(&b'@');
                i += if at2 { 2 } else { 1 };
                let name = i;
                while i < s.len() && (is_word_byte(s[i]) || s[i] == b'.') {
                    i += 1;
                }
                Kind::Var {
                    system: at2 && system_variable(&s[name..i]),
                }
            }
            b'-' if s.get(i + 1) == Some(&b'-')
                && (!s.get(i + 2).is_some_and(u8::is_ascii_alphanumeric)
                    || glued_line_comment(s, i + 2)) =>
            {
                i = line_end(s, i);
                Kind::Comment {
                    block: false,
                    versioned: false,
                }
            }
            b'#' if hash_opens_comment(&s[i + 1..])
                || (i > 0
                    && is_word_byte(s[i - 1])
                    && matches!(
                        out.last().copied(),
                        Some(Kind::Union | Kind::Stmt(_) | Kind::Kw(_))
                    )) =>
            {
                // `union#foo`: a MySQL comment glued to a keyword (a hashtag
                // follows a space or a plain word)
                i = line_end(s, i);
                Kind::Comment {
                    block: false,
                    versioned: false,
                }
            }
            b'/' if s.get(i + 1) == Some(&b'*') => {
                if s.get(i + 2) == Some(&b'!') {
                    // MySQL versioned comment: its body is code
                    i += 3;
                    while i < s.len() && s[i].is_ascii_digit() {
                        i += 1;
                    }
                    out.push(Kind::Comment {
                        block: true,
                        versioned: true,
                    });
                    continue;
                }
                i = match comment_close(&s[i + 2..]) {
                    Some(p) => i + 2 + p + 2,
                    None => s.len(),
                };
                Kind::Comment {
                    block: true,
                    versioned: false,
                }
            }
            b'*' if s.get(i + 1) == Some(&b'/') => {
                i += 2;
                continue;
            }
            b'(' => {
                i += 1;
                Kind::LParen
            }
            b')' => {
                i += 1;
                Kind::RParen
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            b';' => {
                i += 1;
                Kind::Semi
            }
            b'<' if s[i + 1..].starts_with(b"!--") => {
                // an HTML comment opener: no SQL dialect reads `<!--`, and
                // read as `<`, `!` and a `--` comment it looked like a
                // condition cut off by one (`<!-- note -->` in prose)
                i += 4;
                Kind::Other
            }
            b'=' | b'<' | b'>' | b'!' => {
                i += 1;
                while i < s.len() && matches!(s[i], b'=' | b'<' | b'>' | b'@') && i - start < 3 {
                    i += 1;
                }
                if &s[start..i] == b"!" {
                    if bang_is_not(s, start) {
                        Kind::Logic
                    } else {
                        Kind::Op
                    }
                } else {
                    Kind::Cmp { word: false }
                }
            }
            b'|' | b'&' => {
                i += 1;
                if s.get(i) == Some(&b) {
                    i += 1;
                    Kind::Logic
                } else {
                    Kind::Op
                }
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'~' => {
                i += 1;
                Kind::Op
            }
            b':' if s.get(i + 1) == Some(&b':') => {
                i += 2;
                Kind::Cast
            }
            b':' if s.get(i + 1) == Some(&b'=') => {
                i += 2;
                Kind::Op
            }
            _ if is_word_byte(b) => {
                while i < s.len()
                    && (is_word_byte(s[i])
                        || (s[i] == b'.' && s.get(i + 1).is_some_and(|&c| is_word_byte(c))))
                {
                    i += 1;
                }
                let mut k = classify_word(&s[start..i]);
                // `select(…)` stays a statement: a parenthesised select list
                // `div(23, -2)` is the function, `7 div 2` the operator;
                // `into outfile ('/x')` names a file, not a routine
                if matches!(
                    k,
                    Kind::Word | Kind::Kw(_) | Kind::Stmt(Stmt::Modify) | Kind::Op
                ) && !matches!(k, Kind::Kw(Kw::Having | Kw::Where))
                    && !file_target(&s[start..i])
                    && next_is_paren(s, i)
                {
                    k = Kind::Func(func_risk(&s[start..i]));
                } else if k == Kind::Word
                    && matches!(out.last().copied(), Some(Kind::Stmt(Stmt::Select)))
                    && func_risk(&s[start..i]) == FuncRisk::Danger
                {
                    // `select pg_sleep`: a time / file routine selected bare
                    k = Kind::Func(FuncRisk::Danger);
                }
                k
            }
            _ => {
                i += 1;
                Kind::Other
            }
        };
        out.push(kind);
    }
}

/// End of a numeric literal at `i`: digits with a fraction and exponent, or a
/// `0x` / `0b` literal. Letters after it start a new token (`1union`).
pub(super) fn number_end(s: &[u8], mut i: usize) -> usize {
    if s[i] == b'0' && matches!(s.get(i + 1), Some(b'x' | b'X' | b'b' | b'B')) {
        i += 2;
        while i < s.len() && s[i].is_ascii_hexdigit() {
            i += 1;
        }
        return i;
    }
    while i < s.len() && (s[i].is_ascii_digit() || s[i] == b'.') {
        i += 1;
    }
    if matches!(s.get(i), Some(b'e' | b'E'))
        && s.get(i + 1)
            .is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'+')
    {
        i += 2;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
    }
    i
}

/// `--word` followed by a line break, no space in between: a comment whose
/// text is a random marker (`1--PTTm\nAND--cWf\n9=9`); CLI flags in prose
/// (`--force the`) have a space after them.
pub(super) fn glued_line_comment(s: &[u8], i: usize) -> bool {
    let rest = &s[i..];
    match memchr::memchr(b'\n', rest) {
        Some(p) => rest[..p].iter().all(|b| is_word_byte(*b) || *b == b'\r') && p + 1 < rest.len(),
        None => false,
    }
}

/// Offset of the first `*/` (as `memmem::find` would give), without building
/// a searcher per call.
fn comment_close(s: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'*', s).find(|&p| s.get(p + 1) == Some(&b'/'))
}

pub(super) fn line_end(s: &[u8], i: usize) -> usize {
    match memchr::memchr(b'\n', &s[i..]) {
        Some(p) => i + p,
        None => s.len(),
    }
}

pub(super) fn next_is_paren(s: &[u8], mut i: usize) -> bool {
    while i < s.len() {
        match s[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'/' if s.get(i + 1) == Some(&b'*') => match comment_close(&s[i + 2..]) {
                Some(p) => i += 2 + p + 2,
                None => return false,
            },
            b'(' => return true,
            _ => return false,
        }
    }
    false
}

/// Returns (index of the closing quote or len, closed).
pub(super) fn scan_string(s: &[u8], mut i: usize, q: u8) -> (usize, bool) {
    while i < s.len() {
        if s[i] == b'\\' {
            i += 2;
            continue;
        }
        if s[i] == q {
            if s.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return (i, true);
        }
        i += 1;
    }
    (s.len(), false)
}

/// `t[i]` is a UNION whose SELECT ends the value, right after an operand
/// (`1 union select`, `@a union select`): the probe that stops where its
/// select list would start. `first` is the token after SELECT.
pub(super) fn union_cut_after_operand(t: &[Kind], i: usize, first: Option<Kind>) -> bool {
    first.is_none()
        && i > 0
        && matches!(
            t[i - 1],
            Kind::Num | Kind::Var { .. } | Kind::Str { closed: true, .. } | Kind::RParen
        )
}

/// `outfile` / `dumpfile`: the file an `INTO` writes, also when a bracket
/// follows (`into outfile ('/x')`), so never a routine call.
pub(super) fn file_target(w: &[u8]) -> bool {
    w.eq_ignore_ascii_case(b"outfile") || w.eq_ignore_ascii_case(b"dumpfile")
}

/// The statement at `t[i]` runs under control flow written after a stack:
/// `;IF 1=1 DROP …`, `;WHILE 1=1 SHUTDOWN` (MSSQL), the condition comparing
/// two literals, so the statement runs whatever the data.
pub(super) fn controlled_after_stack(t: &[Kind], i: usize) -> bool {
    let literal = |k: Kind| matches!(k, Kind::Num | Kind::Str { closed: true, .. });
    i >= 5
        && t[i - 5] == Kind::Semi
        && t[i - 4] == Kind::Word
        && literal(t[i - 3])
        && matches!(t[i - 2], Kind::Cmp { word: false })
        && literal(t[i - 1])
}

pub(super) fn is_operand(k: Kind) -> bool {
    matches!(
        k,
        Kind::Str { .. }
            | Kind::Num
            | Kind::Var { .. }
            | Kind::Word
            | Kind::Kw(Kw::Null)
            | Kind::Func(_)
    )
}

/// Whether `name` (after `@@`) is a server variable an injection reads:
/// MySQL's and SQL Server's version, paths, host and session state (any
/// case; `global.` / `session.` scopes and the families by prefix). Other
/// `@@` runs are plain variables: generated passwords hold `@@` too.
pub(super) fn system_variable(name: &[u8]) -> bool {
    const NAMES: &[&[u8]] = &[
        b"datadir",
        b"basedir",
        b"tmpdir",
        b"plugin_dir",
        b"secure_file_priv",
        b"hostname",
        b"port",
        b"socket",
        b"servername",
        b"servicename",
        b"language",
        b"spid",
        b"identity",
        b"rowcount",
        b"error",
        b"trancount",
        b"microsoftversion",
        b"connections",
        b"max_connections",
        b"cpu_busy",
        b"server_id",
        b"autocommit",
        b"general_log",
        b"general_log_file",
        b"log_error",
        b"sql_mode",
        b"lc_time_names",
        b"license",
        b"have_ssl",
        b"have_openssl",
        b"old_passwords",
        b"innodb_version",
        b"warning_count",
        b"error_count",
    ];
    const PREFIXES: &[&[u8]] = &[
        b"version",
        b"global.",
        b"session.",
        b"local.",
        b"character_set",
        b"collation",
        b"log_",
        b"sql_",
    ];
    let mut buf = [0u8; 40];
    if name.len() > buf.len() {
        return false;
    }
    let lower = &mut buf[..name.len()];
    for (d, c) in lower.iter_mut().zip(name) {
        *d = c.to_ascii_lowercase();
    }
    NAMES.contains(&&*lower) || PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// The end of the word part after an `@` at `i` inside a word (`p@ssw0rd`,
/// `user@host`): no variable, since SQL puts an operator or a blank before
/// one. `None` when the `@` does not sit inside a word.
pub(super) fn at_inside_word(s: &[u8], i: usize) -> Option<usize> {
    if i == 0
        || !s[i - 1].is_ascii_alphanumeric()
        || !s.get(i + 1).is_some_and(|&c| is_word_byte(c))
    {
        return None;
    }
    let mut j = i + 1;
    while j < s.len() && (is_word_byte(s[j]) || s[j] == b'.') {
        j += 1;
    }
    Some(j)
}

/// Whether a `#` followed by `rest` opens a MySQL comment that cuts the
/// query: the end, a blank, a line break, `--`, `#` or `+` come after one,
/// or the line goes on to a line break (`#abc` + LF + `AND 1=1`: the comment
/// hides the blank between two keywords). `#&`, `#$`, `#_` … on a line of
/// their own are other text (a generated password), `#tag` is a hashtag.
pub(super) fn hash_opens_comment(rest: &[u8]) -> bool {
    rest.first()
        .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'-' | b'#' | b'+'))
        || memchr::memchr2(b'\n', b'\r', rest).is_some()
}

/// Whether the lone `?` at `s[at]` is glued to a quoted word and followed by
/// a blank and the next word (`or 'whom'? e.g.`): a question mark, not
/// PostgreSQL's JSON key test.
pub(super) fn question_mark(s: &[u8], at: usize) -> bool {
    at >= 2
        && matches!(s[at - 1], b'\'' | b'"')
        && s[at - 2].is_ascii_alphabetic()
        && s.get(at + 1).is_some_and(u8::is_ascii_whitespace)
        && s.get(at + 2).is_some_and(u8::is_ascii_alphabetic)
}

/// Whether the lone `!` at `s[at]` is MySQL's NOT: before an operand it can
/// negate (`!1`, `!(…)`, `!'a'`, `!!`) or a blank. Before a name it is
/// punctuation far more often (`Great!Thanks`, `x!Yz` in a password), and so
/// it is right after a word and before a blank or the end (`Oh! no`).
pub(super) fn bang_is_not(s: &[u8], at: usize) -> bool {
    let next = s.get(at + 1).copied();
    let exclaims =
        at > 0 && s[at - 1].is_ascii_alphabetic() && next.is_none_or(|c| c.is_ascii_whitespace());
    !exclaims
        && next.is_none_or(|c| {
            c.is_ascii_digit() || matches!(c, b'(' | b'!' | b'\'' | b'"' | b' ' | b'\t' | b'\n')
        })
}
