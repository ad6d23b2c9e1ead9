//! SQL injection: a small SQL tokeniser (strings, numbers, words, operators,
//! comments, variables) run in three contexts — as-is, and as if the value were
//! inserted inside a `'...'` or `"..."` literal — followed by scoring over token
//! shapes: UNION queries, SELECT..FROM, tautologies after a logic operator, string
//! breaks followed by SQL syntax, stacked statements, time/file functions,
//! comment obfuscation. The approach follows libinjection's idea (tokenise, look at
//! the shape) with our own token classes and weights. No I/O, linear in the input.

use crate::detect::Hits;
use crate::verdict::Class;

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

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub kind: Kind,
}

fn classify_word(w: &[u8]) -> Kind {
    let mut buf = [0u8; 16];
    if w.len() > buf.len() {
        return Kind::Word;
    }
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    match &buf[..w.len()] {
        b"union" => Kind::Union,
        b"select" => Kind::Stmt(Stmt::Select),
        b"insert" | b"update" | b"delete" | b"drop" | b"create" | b"alter" | b"exec"
        | b"execute" | b"declare" | b"truncate" | b"shutdown" | b"grant" | b"revoke"
        | b"rename" | b"handler" | b"load" | b"backup" | b"restore" => Kind::Stmt(Stmt::Modify),
        b"and" | b"or" | b"xor" | b"not" => Kind::Logic,
        b"like" | b"rlike" | b"regexp" | b"between" | b"in" | b"is" | b"sounds" | b"glob" => {
            Kind::Cmp { word: true }
        }
        b"from" => Kind::Kw(Kw::From),
        b"where" => Kind::Kw(Kw::Where),
        b"order" => Kind::Kw(Kw::Order),
        b"group" => Kind::Kw(Kw::Group),
        b"by" => Kind::Kw(Kw::By),
        b"having" => Kind::Kw(Kw::Having),
        b"into" => Kind::Kw(Kw::Into),
        b"limit" | b"offset" => Kind::Kw(Kw::Limit),
        b"procedure" => Kind::Kw(Kw::Procedure),
        b"waitfor" => Kind::Kw(Kw::Waitfor),
        b"null" | b"true" | b"false" => Kind::Kw(Kw::Null),
        b"table" | b"database" | b"view" | b"index" | b"trigger" | b"login" | b"schema"
        | b"tablespace" | b"column" => Kind::Kw(Kw::Object),
        b"values" | b"join" | b"distinct" | b"all" | b"top" | b"as" | b"case" | b"when"
        | b"then" | b"else" | b"end" | b"delay" | b"outfile" | b"dumpfile" | b"collate"
        | b"asc" | b"desc" | b"exists" | b"set" | b"begin" | b"binary" | b"escape" => {
            Kind::Kw(Kw::Other)
        }
        _ => Kind::Word,
    }
}

fn func_risk(name: &[u8]) -> FuncRisk {
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

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Tokenises `s`. With `quote = Some(q)`, the input is taken to start inside a
/// `q`-quoted literal (the first token is that literal, closed by the first `q`).
pub(crate) fn tokenise(s: &[u8], quote: Option<u8>, out: &mut Vec<Tok>) {
    let mut i = 0;
    if let Some(q) = quote {
        let (end, closed) = scan_string(s, 0, q);
        out.push(Tok {
            kind: Kind::Str {
                closed,
                empty: end == 0,
            },
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
                }
                Kind::Cmp { word: false }
            }
            b'@' => {
                let system = s.get(i + 1) == Some(&b'@');
                i += if system { 2 } else { 1 };
                while i < s.len() && (is_word_byte(s[i]) || s[i] == b'.') {
                    i += 1;
                }
                Kind::Var { system }
            }
            b'-' if s.get(i + 1) == Some(&b'-')
                && !s.get(i + 2).is_some_and(u8::is_ascii_alphanumeric) =>
            {
                i = line_end(s, i);
                Kind::Comment {
                    block: false,
                    versioned: false,
                }
            }
            b'#' if !s.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) => {
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
                    out.push(Tok {
                        kind: Kind::Comment {
                            block: true,
                            versioned: true,
                        },
                    });
                    continue;
                }
                i = match memchr::memmem::find(&s[i + 2..], b"*/") {
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
            b'=' | b'<' | b'>' | b'!' => {
                i += 1;
                while i < s.len() && matches!(s[i], b'=' | b'<' | b'>' | b'@') && i - start < 3 {
                    i += 1;
                }
                if &s[start..i] == b"!" {
                    Kind::Logic
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
                if matches!(k, Kind::Word | Kind::Kw(_) | Kind::Stmt(Stmt::Modify))
                    && next_is_paren(s, i)
                {
                    k = Kind::Func(func_risk(&s[start..i]));
                }
                k
            }
            _ => {
                i += 1;
                Kind::Other
            }
        };
        out.push(Tok { kind });
    }
}

/// End of a numeric literal at `i`: digits with a fraction and exponent, or a
/// `0x` / `0b` literal. Letters after it start a new token (`1union`).
fn number_end(s: &[u8], mut i: usize) -> usize {
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

fn line_end(s: &[u8], i: usize) -> usize {
    match memchr::memchr(b'\n', &s[i..]) {
        Some(p) => i + p,
        None => s.len(),
    }
}

fn next_is_paren(s: &[u8], mut i: usize) -> bool {
    while i < s.len() {
        match s[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'/' if s.get(i + 1) == Some(&b'*') => match memchr::memmem::find(&s[i + 2..], b"*/") {
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
fn scan_string(s: &[u8], mut i: usize, q: u8) -> (usize, bool) {
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

fn is_operand(k: Kind) -> bool {
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

/// Scores one value in all three contexts and records the best into `hits`.
pub(crate) fn scan(s: &[u8], hits: &mut Hits) {
    let mut toks = Vec::new();
    let mut best = (0u32, "sqli");
    let quotes: [Option<u8>; 3] = [None, Some(b'\''), Some(b'"')];
    for q in quotes {
        if let Some(qc) = q
            && memchr::memchr(qc, s).is_none()
        {
            continue;
        }
        toks.clear();
        tokenise(s, q, &mut toks);
        let r = score(&toks, q.is_some(), q.is_some() && s.first() == q.as_ref());
        if r.0 > best.0 {
            best = r;
        }
    }
    if best.0 < 5 && pg_cast(s) {
        best = (5, "sqli-function");
    }
    if best.0 < 5 && literal_tautology(s) {
        best = (5, "sqli-tautology");
    }
    if best.0 < 5 && operator_only(s) {
        best = (5, "sqli-operator");
    }
    if best.0 < 5 && open_call_fragment(s) {
        best = (5, "sqli-function");
    }
    if best.0 > 0 {
        hits.add(Class::Sqli, best.1, best.0);
    }
}

/// The value ends in a SQL builtin name, a little punctuation and an opening
/// parenthesis (`version=(`, `length||(`, `MAX(`, `day. (`): probing which
/// function calls survive the filter.
fn open_call_fragment(s: &[u8]) -> bool {
    let t = s.trim_ascii_end();
    let Some(t) = t.strip_suffix(b"(") else {
        return false;
    };
    let junk = t
        .iter()
        .rev()
        .take_while(|b| !b.is_ascii_alphanumeric() && **b != b'_')
        .count();
    if junk > 5 {
        return false;
    }
    let t = &t[..t.len() - junk];
    let n = t
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let word = &t[t.len() - n..];
    // the fragment is the whole value, or follows a `name=` prefix
    let before = &t[..t.len() - n];
    if !(before.is_empty() || before.ends_with(b"=")) || word.is_empty() {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    matches!(
        func_risk(&lower),
        FuncRisk::Sql | FuncRisk::Builtin | FuncRisk::Danger
    ) || matches!(
        lower.as_slice(),
        b"max"
            | b"min"
            | b"avg"
            | b"sum"
            | b"default"
            | b"length"
            | b"month"
            | b"year"
            | b"in"
            | b"exists"
            | b"values"
            | b"insert"
    )
}

/// The whole value is a bare SQL operator (`<=>`, `||`, `!=`, `XOR`, `RLIKE`,
/// `IS NULL`): a probe for which operators reach the query unescaped.
fn operator_only(s: &[u8]) -> bool {
    let t = s.trim_ascii();
    // `'LIKE'`, `'<='`: the operator quoted on its own
    let t = match t {
        [q @ (b'\'' | b'"'), inner @ .., e] if q == e && !inner.is_empty() => inner.trim_ascii(),
        _ => t,
    };
    if t.len() < 2 || t.len() > 16 {
        return false;
    }
    if t.len() <= 3
        && t.iter().all(|b| {
            matches!(
                b,
                b'<' | b'>' | b'=' | b'!' | b'|' | b'&' | b'^' | b'~' | b'-'
            )
        })
    {
        // symbol runs; a lone `--` is a comment marker in prose, not an operator
        return t != b"--";
    }
    let l = t.to_ascii_lowercase();
    const WORDS: &[&[u8]] = &[
        b"xor",
        b"rlike",
        b"regexp",
        b"like null",
        b"is null",
        b"is not null",
        b"not like",
        b"sounds like",
        b"notnull",
        b"isnull",
        b"not regexp",
        b"not rlike",
    ];
    WORDS.contains(&l.as_slice())
}

/// The whole value is a comparison that is always true between two literals:
/// `1=1`, `'a'='a'`, `42 like 42`, `42<=>42`, `11!=1`, `1 is not 2`.
fn literal_tautology(s: &[u8]) -> bool {
    let s = s.trim_ascii();
    if s.len() > 48 {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    const OPS: &[(&[u8], bool)] = &[
        (b"<=>", true),
        (b"!=", false),
        (b"<>", false),
        (b" is not ", false),
        (b" not like ", false),
        (b" like ", true),
        (b"==", true),
        (b"=", true),
    ];
    let lit = |v: &[u8]| -> Option<Vec<u8>> {
        let v = v.trim_ascii();
        let v = match v {
            [q @ (b'\'' | b'"'), inner @ .., e] if q == e => inner,
            _ => v,
        };
        (!v.is_empty() && v.len() <= 16 && v.iter().all(|b| b.is_ascii_alphanumeric()))
            .then(|| v.to_vec())
    };
    for (op, equal) in OPS {
        if let Some(p) = memchr::memmem::find(&lower, op) {
            let (Some(l), Some(r)) = (lit(&lower[..p]), lit(&lower[p + op.len()..])) else {
                return false;
            };
            // unequal literals only count when both are numbers (`11!=1`); a
            // password like `s3cr3t<>pass` is not a condition
            let numeric = l.iter().chain(&r).all(u8::is_ascii_digit);
            return if *equal { l == r } else { numeric && l != r };
        }
    }
    false
}

/// A PostgreSQL cast to a SQL type (`password::int`, `(…)::jsonb`); C++ / Ruby
/// scope operators (`std::string`, `Foo::Bar`) name no SQL type.
fn pg_cast(s: &[u8]) -> bool {
    const TYPES: &[&[u8]] = &[
        b"int",
        b"int4",
        b"int8",
        b"integer",
        b"bigint",
        b"smallint",
        b"text",
        b"bool",
        b"boolean",
        b"jsonb",
        b"json",
        b"varchar",
        b"numeric",
        b"float",
        b"float8",
        b"real",
        b"double",
        b"regclass",
        b"oid",
        b"bytea",
        b"inet",
        b"timestamp",
    ];
    memchr::memmem::find_iter(s, b"::").any(|p| {
        let rest = &s[p + 2..];
        let n = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let word = rest[..n].to_ascii_lowercase();
        let before =
            p > 0 && (s[p - 1].is_ascii_alphanumeric() || matches!(s[p - 1], b')' | b'\'' | b'_'));
        before && TYPES.contains(&word.as_slice()) && rest.get(n).is_none_or(|b| *b != b':')
    })
}

/// Scores a token stream; `quoted`: the first token is the broken-out literal.
pub(crate) fn score(all: &[Tok], quoted: bool, empty_break: bool) -> (u32, &'static str) {
    let mut best = (0u32, "sqli");
    let mut bump = |w: u32, id: &'static str| {
        if w > best.0 {
            best = (w, id);
        }
    };
    // comments are dropped for shape matching, but remembered
    let mut t: Vec<Kind> = Vec::with_capacity(all.len());
    let mut comment_after: Vec<bool> = Vec::with_capacity(all.len());
    let mut inline_comments = 0u32;
    for (idx, tok) in all.iter().enumerate() {
        match tok.kind {
            Kind::Comment { block, versioned } => {
                if versioned {
                    bump(5, "sqli-comment");
                }
                if let Some(last) = comment_after.last_mut() {
                    *last = true;
                }
                if block && idx + 1 < all.len() && !t.is_empty() {
                    inline_comments += 1;
                }
            }
            k => {
                t.push(k);
                comment_after.push(false);
            }
        }
    }
    let n = t.len();
    let broke = quoted && matches!(t.first(), Some(Kind::Str { closed: true, .. }));
    let kw_idx = |i: usize| t.get(i).copied();
    let mut sql_funcs = 0u32;
    for i in 0..n {
        match t[i] {
            Kind::Union => {
                let mut j = i + 1;
                if matches!(kw_idx(j), Some(Kind::Kw(Kw::Other))) {
                    j += 1;
                }
                if matches!(kw_idx(j), Some(Kind::LParen | Kind::Func(_))) {
                    bump(8, "sqli-union");
                } else if matches!(kw_idx(j), Some(Kind::Stmt(Stmt::Select))) {
                    let first = kw_idx(j + 1);
                    let listy = matches!(
                        first,
                        Some(
                            Kind::Num
                                | Kind::Kw(Kw::Null)
                                | Kind::Func(_)
                                | Kind::Var { .. }
                                | Kind::Str { .. }
                                | Kind::LParen
                                | Kind::Op
                                | Kind::Kw(Kw::Other)
                        )
                    ) || (matches!(first, Some(Kind::Word))
                        && matches!(kw_idx(j + 2), None | Some(Kind::Comma | Kind::Kw(Kw::From))))
                        || comment_after.get(j).copied().unwrap_or(false);
                    bump(if listy { 8 } else { 3 }, "sqli-union");
                }
            }
            Kind::Stmt(st) => {
                let at_start = i == 0
                    || matches!(t[i - 1], Kind::Semi | Kind::LParen | Kind::Union)
                    || (broke && i == 1);
                let stacked = i > 0 && t[i - 1] == Kind::Semi;
                if st == Stmt::Select
                    && let Some(w) = select_shape(&t[i + 1..])
                {
                    // a SELECT in the middle of a sentence (plain
                    // words and punctuation before it, no break) is quoted SQL in prose:
                    // it needs another signal to reach the threshold
                    let prev3 = &t[i.saturating_sub(4)..i];
                    let prose = !broke
                        && prev3.len() >= 3
                        && prev3
                            .iter()
                            .all(|k| matches!(k, Kind::Word | Kind::Kw(Kw::Other) | Kind::Other))
                        && prev3.iter().filter(|k| matches!(k, Kind::Word)).count() >= 2;
                    let w = if at_start {
                        w + 2
                    } else if prose {
                        w - 1
                    } else {
                        w
                    };
                    bump(w, "sqli-select");
                }
                if stacked
                    && (broke
                        || i == 1
                        || matches!(
                            kw_idx(i - 2),
                            Some(Kind::Num | Kind::Str { .. } | Kind::RParen)
                        ))
                {
                    // `1; exec will create …`: a run of plain words after the
                    // statement keyword is a sentence, not a statement
                    let next3 = &t[(i + 1).min(n)..(i + 4).min(n)];
                    let sentence = next3.len() == 3
                        && next3
                            .iter()
                            .all(|k| matches!(k, Kind::Word | Kind::Stmt(_) | Kind::Kw(Kw::Other)))
                        && next3.iter().filter(|k| matches!(k, Kind::Word)).count() >= 2;
                    if !sentence
                        && matches!(kw_idx(i + 1), Some(k) if is_operand(k) || matches!(k, Kind::Kw(_) | Kind::Op | Kind::LParen))
                    {
                        bump(7, "sqli-stacked");
                    }
                }
            }
            Kind::Logic | Kind::Kw(Kw::Having | Kw::Where) => tautology(&t, i, broke, &mut bump),
            Kind::Func(FuncRisk::Danger) => bump(7, "sqli-function"),
            Kind::Func(FuncRisk::Sql) => sql_funcs += 1,
            Kind::Var { system: true } => bump(5, "sqli-variable"),
            Kind::Kw(Kw::Waitfor) if matches!(kw_idx(i + 1), Some(Kind::Kw(Kw::Other))) => {
                bump(7, "sqli-function")
            }
            Kind::Kw(Kw::Order | Kw::Group) if matches!(kw_idx(i + 1), Some(Kind::Kw(Kw::By))) => {
                let nxt = kw_idx(i + 2);
                let end_ish = matches!(
                    kw_idx(i + 3),
                    None | Some(Kind::Kw(_) | Kind::Comma | Kind::RParen | Kind::Semi)
                );
                if matches!(nxt, Some(Kind::Num)) && (end_ish || comment_after[i + 2]) {
                    bump(
                        if broke || i == 0 || comment_after[(i + 2).min(n - 1)] {
                            6
                        } else {
                            4
                        },
                        "sqli-orderby",
                    );
                } else if broke && i == 1 {
                    bump(6, "sqli-orderby");
                }
            }
            Kind::Kw(Kw::Procedure) if broke && i == 1 => bump(6, "sqli-break"),
            Kind::Kw(Kw::Into) if matches!(kw_idx(i + 1), Some(Kind::Kw(Kw::Other))) => {
                // into outfile / dumpfile
                bump(6, "sqli-file");
            }
            _ => {}
        }
    }
    if sql_funcs > 0 {
        bump(2 + 2 * sql_funcs.min(2), "sqli-function");
    }
    if inline_comments > 0 && n > 1 {
        bump(3 + inline_comments.min(2), "sqli-comment");
    }
    fragments(&t, &comment_after, quoted, &mut bump);
    ddl(&t, &mut bump);
    if broke {
        break_shape(&t, &comment_after, empty_break, &mut bump);
    }
    // a SQL shape that is cut off by a trailing comment: the rest of the
    // original query is being discarded
    if best.0 == 4 && (2..=8).contains(&n) && comment_after[n - 1] {
        best.0 = 5;
    }
    best
}

/// `create table x (…)`, `drop table users;`, `create user x identified by`:
/// data-definition statements with their object keyword and a name.
fn ddl(t: &[Kind], bump: &mut impl FnMut(u32, &'static str)) {
    for (i, w) in t.windows(3).enumerate() {
        let at_start = i == 0 || matches!(t[i - 1], Kind::Semi | Kind::Str { closed: true, .. });
        if !at_start
            || !matches!(w[0], Kind::Stmt(Stmt::Modify))
            || w[1] != Kind::Kw(Kw::Object)
            || !matches!(w[2], Kind::Word | Kind::Func(_) | Kind::Str { .. })
        {
            continue;
        }
        let after = t.get(i + 3);
        if matches!(after, None | Some(Kind::LParen | Kind::Semi)) {
            bump(if after.is_some() { 6 } else { 5 }, "sqli-stacked");
        }
    }
}

/// Short SQL fragments that are whole values: an unclosed builtin call
/// (`concat(`), a select-list tail (`) AS total FROM`), or an expression made
/// only of SQL syntax that ends in a comment (`( @a OR 'b') --`).
fn fragments(
    t: &[Kind],
    comment_after: &[bool],
    quoted: bool,
    bump: &mut impl FnMut(u32, &'static str),
) {
    match t {
        [
            Kind::Func(FuncRisk::Sql | FuncRisk::Builtin | FuncRisk::Danger),
            Kind::LParen,
        ]
        | [Kind::Cmp { .. }, Kind::LParen] => bump(5, "sqli-function"),
        // ORDER BY / GROUP BY alone
        [Kind::Kw(Kw::Order | Kw::Group), Kind::Kw(Kw::By)] => bump(5, "sqli-orderby"),
        // `UNION SELECT` with nothing after it (or only a comment)
        [Kind::Union, Kind::Stmt(Stmt::Select)]
        | [Kind::Union, Kind::Kw(Kw::Other), Kind::Stmt(Stmt::Select)]
        | [Kind::Str { .. }, Kind::Union, Kind::Stmt(Stmt::Select)]
        | [
            Kind::Str { .. },
            Kind::Union,
            Kind::Kw(Kw::Other),
            Kind::Stmt(Stmt::Select),
        ] => bump(6, "sqli-union"),
        _ => {}
    }
    // `SET @OLD_SQL_MODE`: a MySQL user-variable assignment
    let assigned = |i: usize| {
        matches!(
            t.get(i),
            None | Some(Kind::Cmp { word: false } | Kind::Op | Kind::Semi | Kind::Comma)
        )
    };
    if t.windows(2).enumerate().any(|(i, w)| {
        w[0] == Kind::Kw(Kw::Other) && matches!(w[1], Kind::Var { .. }) && assigned(i + 2)
    }) {
        bump(5, "sqli-variable");
    }
    // `;drop`, `(select` closing the value: a statement opened at the end
    match t {
        [Kind::Semi, Kind::Stmt(_)] => bump(5, "sqli-stacked"),
        [.., Kind::LParen, Kind::Stmt(Stmt::Select)] => bump(5, "sqli-select"),
        _ => {}
    }
    // `IN (1, 2, 3)` as the whole value: a value list for an injected condition
    if let [Kind::Cmp { word: true }, Kind::LParen, rest @ ..] = t {
        let list = rest.len() >= 2
            && rest.last() == Some(&Kind::RParen)
            && rest.iter().any(|k| matches!(k, Kind::Num | Kind::Comma))
            && rest[..rest.len() - 1].iter().all(|k| {
                matches!(
                    k,
                    Kind::Num | Kind::Comma | Kind::Op | Kind::Word | Kind::Logic
                )
            });
        if list {
            bump(5, "sqli-tautology");
        }
    }
    // `if(2=`: a builtin call left open around a comparison
    if let [
        Kind::Func(FuncRisk::Sql | FuncRisk::Builtin | FuncRisk::Danger),
        Kind::LParen,
        rest @ ..,
    ] = t
    {
        let depth: i32 = rest
            .iter()
            .map(|k| match k {
                Kind::LParen => 1,
                Kind::RParen => -1,
                _ => 0,
            })
            .sum();
        if depth >= 0 && rest.len() <= 4 && rest.iter().any(|k| matches!(k, Kind::Cmp { .. })) {
            bump(5, "sqli-function");
        }
    }
    // `'1'='1'` after a comma or parenthesis (a value list turned condition)
    for w in t.windows(4) {
        if matches!(w[0], Kind::Comma | Kind::LParen)
            && matches!(w[1], Kind::Str { closed: true, .. })
            && w[2] == (Kind::Cmp { word: false })
            && matches!(w[3], Kind::Str { closed: true, .. })
        {
            bump(5, "sqli-tautology");
        }
    }
    // `FROM t WHERE …=`, `from t limit`, `FROM t GROUP BY x`: a query tail
    if let [
        Kind::Kw(Kw::From),
        Kind::Word,
        Kind::Kw(Kw::Where | Kw::Group | Kw::Order | Kw::Limit),
        rest @ ..,
    ] = t
        && (matches!(t[2], Kind::Kw(Kw::Limit))
            || rest
                .iter()
                .any(|k| matches!(k, Kind::Cmp { word: false } | Kind::Kw(Kw::By))))
    {
        bump(5, "sqli-select");
    }
    // `DROP x;--`, `DELETE FROM users;`: a modifying statement that opens the
    // value and is terminated right away
    if let [Kind::Stmt(Stmt::Modify), rest @ ..] = t {
        let semi = rest.iter().take(4).any(|k| *k == Kind::Semi);
        let n = t.len();
        if semi || ((2..=4).contains(&n) && comment_after[n - 1]) {
            bump(5, "sqli-stacked");
        }
    }
    for w in t.windows(4) {
        if matches!(w[0], Kind::RParen | Kind::Str { .. } | Kind::Num)
            && w[1] == Kind::Kw(Kw::Other)
            && matches!(w[2], Kind::Word | Kind::Str { .. })
            && w[3] == Kind::Kw(Kw::From)
        {
            bump(5, "sqli-select");
        }
    }
    let n = t.len();
    if quoted || n < 2 || !comment_after[n - 1] {
        return;
    }
    let words = t.iter().filter(|k| matches!(k, Kind::Word)).count();
    let syntax = t
        .iter()
        .all(|k| !matches!(k, Kind::Other | Kind::Str { closed: false, .. }));
    let structure = t.iter().any(|k| {
        matches!(
            k,
            Kind::LParen | Kind::Logic | Kind::Cmp { .. } | Kind::Var { .. } | Kind::Union
        )
    });
    if syntax && structure && words <= 1 {
        bump(5, "sqli-comment");
    }
}

/// Weight for the tokens after SELECT if they look like a select list + FROM.
fn select_shape(rest: &[Kind]) -> Option<u32> {
    // `select(user(`, `select((1))`: a parenthesised expression as the list
    if rest.first() == Some(&Kind::LParen)
        && matches!(
            rest.get(1),
            Some(Kind::Func(_) | Kind::Var { .. } | Kind::Num | Kind::LParen)
        )
    {
        return Some(4);
    }
    let mut words_run = 0;
    let mut items = 0;
    for (j, k) in rest.iter().enumerate().take(24) {
        match k {
            Kind::Kw(Kw::From) => {
                let target = rest.get(j + 1);
                return if items > 0
                    && matches!(target, Some(Kind::Word | Kind::LParen | Kind::Func(_)))
                {
                    Some(5)
                } else {
                    None
                };
            }
            Kind::Word => {
                words_run += 1;
                if words_run > 2 {
                    return None;
                }
                if j == 0 && matches!(rest.get(1), Some(Kind::Semi)) {
                    return Some(4);
                }
                items += 1;
            }
            Kind::Num
            | Kind::Str { .. }
            | Kind::Var { .. }
            | Kind::Func(_)
            | Kind::Kw(Kw::Null) => {
                words_run = 0;
                items += 1;
                if j == 0 && matches!(k, Kind::Var { .. } | Kind::Func(_)) {
                    return Some(4);
                }
                if j == 0
                    && matches!(k, Kind::Num | Kind::Kw(Kw::Null))
                    && matches!(rest.get(1), None | Some(Kind::Comma | Kind::Semi))
                {
                    return Some(4);
                }
            }
            Kind::Op if j == 0 => {
                // `select *`
                words_run = 0;
                items += 1;
            }
            Kind::Op
            | Kind::Comma
            | Kind::Cmp { .. }
            | Kind::LParen
            | Kind::RParen
            | Kind::Kw(Kw::Other) => words_run = 0,
            _ => return None,
        }
    }
    None
}

/// Skips PostgreSQL casts after an operand (`'x'::jsonb`, `(…)::int`).
fn skip_casts(t: &[Kind], mut j: usize) -> usize {
    while t.get(j) == Some(&Kind::Cast) && matches!(t.get(j + 1), Some(Kind::Word | Kind::Kw(_))) {
        j += 2;
    }
    j
}

/// Index after the operand starting at `j` (a literal, a word, a function call or
/// a parenthesised group), bounded.
fn skip_operand(t: &[Kind], j: usize) -> Option<usize> {
    let mut j = j;
    while matches!(t.get(j), Some(Kind::Op)) && j < t.len() {
        j += 1; // unary minus, ~, !
    }
    let open_at = match t.get(j)? {
        Kind::Func(_) => j + 1,
        Kind::LParen => j,
        k if is_operand(*k) => return Some(skip_casts(t, j + 1)),
        _ => return None,
    };
    if t.get(open_at) != Some(&Kind::LParen) {
        return Some(open_at);
    }
    let mut depth = 0;
    for (k, tok) in t.iter().enumerate().skip(open_at).take(64) {
        match tok {
            Kind::LParen => depth += 1,
            Kind::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(skip_casts(t, k + 1));
                }
            }
            _ => {}
        }
    }
    Some(t.len())
}

fn tautology(t: &[Kind], i: usize, broke: bool, bump: &mut impl FnMut(u32, &'static str)) {
    let prev = if i > 0 { Some(t[i - 1]) } else { None };
    let keyword_start = matches!(t[i], Kind::Kw(_));
    // what precedes the operator: prose ("black and white") vs data ("1 and")
    // the value opens with AND / OR / && / || (nothing before it at all)
    let opens = i == 0 && !keyword_start;
    let strong_left = broke
        || matches!(
            prev,
            Some(Kind::Num | Kind::Str { closed: true, .. } | Kind::RParen)
        )
        || prev.is_none();
    let mut j = i + 1;
    while matches!(t.get(j), Some(Kind::Logic)) && j < i + 4 {
        j += 1;
    }
    match t.get(j) {
        Some(Kind::Stmt(Stmt::Select)) => return bump(7, "sqli-tautology"),
        Some(Kind::LParen) if matches!(t.get(j + 1), Some(Kind::Stmt(Stmt::Select))) => {
            return bump(7, "sqli-tautology");
        }
        Some(Kind::Func(FuncRisk::Danger)) => return bump(7, "sqli-tautology"),
        Some(Kind::Func(FuncRisk::Sql)) if strong_left => bump(6, "sqli-tautology"),
        _ => {}
    }
    let Some(x) = t.get(j).copied() else { return };
    let Some(after) = skip_operand(t, j) else {
        return;
    };
    let op = t.get(after).copied();
    let c = t.get(after + 1).copied();
    let rhs_ok =
        c.is_some_and(|k| is_operand(k) || matches!(k, Kind::LParen | Kind::Op | Kind::Kw(_)));
    match op {
        Some(Kind::Cmp { .. }) if rhs_ok => {
            let same_kind = matches!(
                (x, c),
                (Kind::Num, Some(Kind::Num)) | (Kind::Str { .. }, Some(Kind::Str { .. }))
            );
            let opened = matches!(c, Some(Kind::Str { closed: false, .. } | Kind::LParen))
                && after + 2 >= t.len();
            let closes_group =
                t.get(after + 2) == Some(&Kind::RParen) && !t[..i].contains(&Kind::LParen);
            let w = match (strong_left, same_kind) {
                _ if strong_left && !keyword_start && (opened || closes_group) => 5,
                (true, false) if opens && !broke && matches!(x, Kind::Word) => 5,
                _ if keyword_start && !same_kind => 3,
                (true, true) => 7,
                (true, false) if !broke && matches!(x, Kind::Word) => 4,
                (true, false) => 6,
                (false, true) => 5,
                (false, false) => {
                    if matches!(x, Kind::LParen | Kind::Func(_) | Kind::Num)
                        && matches!(c, Some(Kind::Num | Kind::Str { closed: true, .. }))
                    {
                        5
                    } else if matches!(
                        x,
                        Kind::Num | Kind::Str { .. } | Kind::LParen | Kind::Func(_)
                    ) {
                        4
                    } else {
                        2
                    }
                }
            };
            bump(w, "sqli-tautology");
        }
        Some(Kind::Cmp { .. }) if strong_left && c.is_none() => bump(5, "sqli-tautology"),
        Some(Kind::Op) if rhs_ok && broke => bump(6, "sqli-tautology"),
        Some(Kind::Op)
            if rhs_ok
                && strong_left
                && matches!(
                    x,
                    Kind::Num | Kind::Str { .. } | Kind::LParen | Kind::Func(_)
                ) =>
        {
            bump(4, "sqli-tautology")
        }
        None if strong_left
            && !keyword_start
            && matches!(
                x,
                Kind::Kw(Kw::Null) | Kind::Var { .. } | Kind::LParen | Kind::Func(_)
            ) =>
        {
            bump(if broke { 6 } else { 5 }, "sqli-tautology")
        }
        None if broke && !keyword_start && x == Kind::Num => bump(5, "sqli-tautology"),
        Some(Kind::Semi | Kind::RParen)
            if strong_left
                && !keyword_start
                && matches!(
                    x,
                    Kind::Num | Kind::Kw(Kw::Null) | Kind::Var { .. } | Kind::Func(_)
                ) =>
        {
            bump(if broke { 6 } else { 5 }, "sqli-tautology")
        }
        _ => {}
    }
}

fn break_shape(
    t: &[Kind],
    comment_after: &[bool],
    empty_break: bool,
    bump: &mut impl FnMut(u32, &'static str),
) {
    let mut j = 1;
    while matches!(t.get(j), Some(Kind::RParen)) {
        j += 1;
    }
    // value ended right after the broken literal with a comment: admin'--
    if comment_after[j - 1] {
        bump(if j == t.len() { 6 } else { 5 }, "sqli-comment");
    }
    if empty_break
        && t.get(j) == Some(&Kind::Logic)
        && matches!(
            t.get(j + 1),
            Some(Kind::Str { closed: false, .. } | Kind::Num)
        )
        && t.len() <= j + 4
    {
        // the value opens with `' or …`: nothing but a break and a condition
        bump(5, "sqli-break");
    }
    if empty_break
        && matches!(t.get(j), Some(Kind::Union | Kind::Stmt(_)))
        && t.len() <= j + 2
        && t[j + 1..]
            .iter()
            .all(|k| matches!(k, Kind::Word | Kind::Op))
    {
        // `'UNION A`, `' alter/`: a quote, a statement keyword and a stub
        bump(5, "sqli-break");
    }
    if t.get(j) == Some(&Kind::Logic)
        && matches!(t.get(j + 1), Some(Kind::Str { closed: true, .. }))
        && matches!(t.get(j + 2), Some(Kind::Logic | Kind::Op))
    {
        // 1'||'asd'||': concatenation chained out of the broken literal
        bump(5, "sqli-break");
    }
    // A' = 'B, A' ^ 'B: an operator between two literals of the broken context
    if !empty_break
        && matches!(t.get(j), Some(Kind::Cmp { word: false }))
        && matches!(
            t.get(j + 1),
            Some(Kind::Str {
                closed: false,
                empty: false
            })
        )
        && j + 2 >= t.len()
    {
        bump(5, "sqli-break");
    }
    match t.get(j) {
        Some(Kind::Semi)
            if matches!(t.get(j + 1), None | Some(Kind::Stmt(_) | Kind::Kw(_)))
                || comment_after[j] =>
        {
            bump(6, "sqli-stacked")
        }
        _ if empty_break => {}
        Some(Kind::Cmp { .. })
            if matches!(
                t.get(j + 1),
                Some(Kind::Num | Kind::Str { closed: true, .. } | Kind::Func(_) | Kind::Var { .. })
            ) =>
        {
            bump(5, "sqli-break")
        }
        Some(Kind::Op)
            if matches!(
                t.get(j + 1),
                Some(Kind::Num | Kind::Str { .. } | Kind::Func(_))
            ) && j + 2 >= t.len() =>
        {
            bump(4, "sqli-break")
        }
        Some(Kind::Cmp { .. } | Kind::Op | Kind::Logic)
            if j + 2 == t.len()
                && comment_after[j + 1]
                && t.get(j + 1).is_some_and(|k| is_operand(*k)) =>
        {
            // x'-email--, id'is not-id--
            bump(6, "sqli-break")
        }

        Some(Kind::Logic) => bump(4, "sqli-break"),
        Some(Kind::Stmt(_))
            if comment_after.iter().skip(j).any(|&c| c) || t[j..].contains(&Kind::Semi) =>
        {
            bump(6, "sqli-stacked")
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn s(v: &str) -> u32 {
        let mut h = Hits::default();
        scan(v.as_bytes(), &mut h);
        h.score(Class::Sqli)
    }

    #[test]
    fn sqli_classic_payloads_score_high() {
        for p in [
            "1' OR '1'='1",
            "1 UNION SELECT username, password FROM users",
            "admin'--",
            "1; DROP TABLE users",
            "1' AND SLEEP(5)#",
            "' or 1=1 --",
            "1) or (1=1",
            "x' union/**/select 1,2,3-- -",
        ] {
            assert!(s(p) >= 5, "{p} scored {}", s(p));
        }
    }

    #[test]
    fn sqli_fragments_and_dialect_operators_score_high() {
        for p in [
            "concat(",
            ") AS total FROM",
            "( COS ( @a OR 'b') )  --",
            ".1UNION SELECT 2",
            "OR '{\"b\":2}'::jsonb <@ '{\"a\":1}'::jsonb",
            "x'-email--",
            "A' = 'B",
            "HOPE AND (8)=3",
            "select * from sysusers",
            "' OR '1",
            "1'||'asd'||'",
            "create table myfile (input TEXT);",
            " OR x=y#",
            "42 like 42",
            "ORder by",
            "password::int",
            "AND value = '",
            "DROP sampletable;--",
            "FROM t WHERE name=\"x\";",
            "'admin', '1'='1'",
            "if(2=",
            "'UNION A",
            "UnIon seleCt",
            "select(user(",
            "IN (815914, 815913)",
            "<=>",
            "RLIKE",
            "A' = 'B",
            "1; exec xp_cmdshell 'dir'",
            "version=(",
            "'SOUNDS LIKE'",
            " OR x=y",
            "length||(",
            "SET @OLD_SQL_MODE",
            ";drop",
            "@example.com&name=(select",
            "x' UNION SELECT name FROM users--",
        ] {
            assert!(s(p) >= 5, "{p} scored {}", s(p));
        }
    }

    #[test]
    fn sqli_fragment_lookalikes_score_low() {
        for p in [
            "Math.round(x) is fine",
            "necklace 16\" or 18\"",
            "BROWNING \"LIKE\"",
            "PAPER PACK (8.5X11\"-300 DPI) --",
            "(sold out) -- sorry",
            "5kg of flour",
            "drop shipping business ideas",
            "In SQL you can DROP a column with ALTER TABLE invoices DROP COLUMN x; ok",
            "\"NOT FOR SALE\"",
            "1950' AND 60'S WOMEN'S COATS",
            "std::string and Foo::Bar",
            "from home where the heart is",
            "'Union Jack' flag for sale",
            "2+2=4",
            "1=5",
            "GALLERY=1=5",
            "s3cr3t<>pass",
            "order by date",
            "credit union select savings account",
            "--",
            "in (stock)",
            "SMALL \"&\" SIGN",
            "select (the best) one",
            "1; exec will create the case 7",
            "call me (",
            "'like'-worthy posts",
            "and more",
            "set @home for the weekend",
            "the price (",
            "A simple SQL join: SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.id LIMIT 10;",
            "The query was SELECT region, count(*) FROM orders GROUP BY region ORDER BY 2 DESC; -- much faster now",
        ] {
            assert!(s(p) < 5, "{p} scored {}", s(p));
        }
    }

    #[test]
    fn sqli_prose_scores_low() {
        for p in [
            "credit union select savings account",
            "null and void meaning",
            "black and white photography tips",
            "O'Brien",
            "I'd like to cancel at the end of this billing period",
            "how to select the right running shoes from a catalogue",
            "Rue de l'Église 5, 1000 Bruxelles",
        ] {
            assert!(s(p) < 5, "{p} scored {}", s(p));
        }
    }
}
