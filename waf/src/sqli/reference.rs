//! The bodies of the tokeniser, the plain gate and `scan` as they were
//! before the second round of speed work, verbatim but for their imports:
//! the equivalence tests hold the current ones to these.
#![allow(dead_code)]

use super::fragments::{
    conditional, dynamic_exec, implicit_operator, open_call_fragment, operator_only, pg_cast,
    procedure_call,
};
use super::tokens::{FuncRisk, Kind, Kw, Stmt, Toks, file_target, func_risk};
use crate::detect::Hits;
use crate::verdict::Class;

pub(super) fn classify_word(w: &[u8]) -> Kind {
    let mut buf = [0u8; 16];
    // every keyword below is 2 to 11 bytes long
    if !(2..=11).contains(&w.len()) {
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
        | b"rename" | b"handler" | b"load" | b"backup" | b"restore" | b"attach" => {
            Kind::Stmt(Stmt::Modify)
        }
        b"and" | b"or" | b"xor" | b"not" => Kind::Logic,
        b"mod" | b"div" => Kind::Op,
        // comparison words no sentence uses: they compare like symbols do
        b"rlike" | b"regexp" | b"notnull" => Kind::Cmp { word: false },
        b"like" | b"between" | b"in" | b"is" | b"sounds" | b"glob" | b"similar" => {
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
        b"values" | b"join" | b"distinct" | b"distinctrow" | b"all" | b"top" | b"as" | b"case"
        | b"when" | b"then" | b"else" | b"end" | b"delay" | b"outfile" | b"dumpfile"
        | b"collate" | b"asc" | b"desc" | b"exists" | b"set" | b"begin" | b"binary" | b"escape"
        | b"identified" => Kind::Kw(Kw::Other),
        _ => Kind::Word,
    }
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
                } else if super::tokens::question_mark(s, start) {
                    Kind::Other
                } else {
                    Kind::Cmp { word: false }
                }
            }
            b'@' if let Some(end) = super::tokens::at_inside_word(s, i) => {
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
                    system: at2 && super::tokens::system_variable(&s[name..i]),
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
            b'#' if super::tokens::hash_opens_comment(&s[i + 1..])
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
                i += 4;
                Kind::Other
            }
            b'=' | b'<' | b'>' | b'!' => {
                i += 1;
                while i < s.len() && matches!(s[i], b'=' | b'<' | b'>' | b'@') && i - start < 3 {
                    i += 1;
                }
                if &s[start..i] == b"!" {
                    if super::tokens::bang_is_not(s, start) {
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
                // `div(23, -2)` is the function, `7 div 2` the operator
                if matches!(
                    k,
                    Kind::Word | Kind::Kw(_) | Kind::Stmt(Stmt::Modify) | Kind::Op
                ) && !matches!(k, Kind::Kw(Kw::Having | Kw::Where))
                    // added after the second round, as in the live tokeniser
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

/// `--word` followed by a line break, no space in between: a comment whose
/// text is a random marker (`1--PTTm\nAND--cWf\n9=9`); CLI flags in prose
/// (`--force the`) have a space after them.
fn glued_line_comment(s: &[u8], i: usize) -> bool {
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

/// Bytes of a word: ASCII letters and digits, `_`, `$` and every non-ASCII byte.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Scores one value in all three contexts and records the best into `hits`.
pub(super) fn scan(s: &[u8], hits: &mut Hits) {
    let mut toks = Toks::new();
    let mut best = (0u32, "sqli");
    // one pass tells whether any quote context is worth a second look
    let any_quote = memchr::memchr3(b'\'', b'"', b'`', s).is_some();
    let quotes: [Option<u8>; 4] = [None, Some(b'\''), Some(b'"'), Some(b'`')];
    for q in quotes {
        if let Some(qc) = q
            && (!any_quote || memchr::memchr(qc, s).is_none())
        {
            continue;
        }
        toks.clear();
        tokenise(s, q, &mut toks);
        let mut r = score(
            toks.as_slice(),
            q.is_some(),
            q.is_some() && s.first() == q.as_ref(),
        );
        if r.0 < 5 && q == Some(b'\'') && implicit_operator(s, toks.as_slice()) {
            r = (5, "sqli-break");
        }
        super::contraction_prose(s, q, &mut r);
        if r.0 > best.0 {
            best = r;
        }
    }
    if best.0 < 5
        && let Some(id) = whole_value_shape(s)
    {
        best = (5, id);
    }
    if best.0 < 6 && conditional(s) {
        best = (6, "sqli-conditional");
    }
    if best.0 < 6 && dynamic_exec(s) {
        best = (6, "sqli-procedure");
    }
    if best.0 > 0 {
        hits.add(Class::Sqli, best.1, best.0);
    }
}

/// The whole value is one SQL fragment that carries no statement (a cast, a
/// literal comparison, a bare operator, a procedure call, a glued quote-logic
/// break, an open builtin call): the first that matches names the signal.
fn whole_value_shape(s: &[u8]) -> Option<&'static str> {
    if pg_cast(s) {
        Some("sqli-function")
    } else if literal_tautology(s) {
        Some("sqli-tautology")
    } else if operator_only(s) {
        Some("sqli-operator")
    } else if procedure_call(s) {
        Some("sqli-procedure")
    } else if glued_quote_logic(s) {
        Some("sqli-break")
    } else if open_call_fragment(s) {
        Some("sqli-function")
    } else {
        None
    }
}

/// Scores a token stream; `quoted`: the first token is the broken-out literal.
pub(super) fn score(all: &[Kind], quoted: bool, empty_break: bool) -> (u32, &'static str) {
    if !may_score(all, quoted) {
        return (0, "sqli");
    }
    super::score_stream(all, quoted, empty_break)
}

/// False only when `score_stream` cannot bump anything on `all`: the stream
/// holds none of the kinds its shapes start from. Why each is sound:
/// - UNION, statements, logic operators, keywords, comments, non-plain calls,
///   `@@` variables and symbolic comparisons open shapes of their own: any of
///   them sends the stream to the full scoring;
/// - a comparison spelled as a word (`is`, `in`, `like`) only scores on its own
///   as the first token (`in (1, 2)`), in a stream of at most four tokens
///   (`) like (`, `x like '`) or after a broken literal; elsewhere it needs one
///   of the kinds above (a logic operator, SELECT, WHERE) to be read at all;
/// - with none of these, only two shapes remain and both follow a closed
///   broken literal: `',1)` (a comma right after it) and `';` / `'+1` (a
///   semicolon or operator as the first token after its closing brackets).
///
/// The other kinds (words, numbers, strings, plain calls, brackets, `@x`, `::`)
/// are read only as operands of the shapes above.
fn may_score(all: &[Kind], quoted: bool) -> bool {
    let n = all.len();
    for (i, k) in all.iter().enumerate() {
        match k {
            Kind::Union
            | Kind::Stmt(_)
            | Kind::Logic
            | Kind::Kw(_)
            | Kind::Comment { .. }
            | Kind::Func(FuncRisk::Sql | FuncRisk::Builtin | FuncRisk::Danger)
            | Kind::Var { system: true }
            | Kind::Cmp { word: false } => return true,
            Kind::Cmp { word: true } if i == 0 || n <= 4 || quoted => return true,
            _ => {}
        }
    }
    quoted
        && matches!(all.first(), Some(Kind::Str { closed: true, .. }))
        && (all.get(1) == Some(&Kind::Comma)
            || matches!(
                all.iter().skip(1).find(|k| **k != Kind::RParen),
                Some(Kind::Semi | Kind::Op)
            ))
}

/// The whole value is a comparison that is always true between two literals:
/// `1=1`, `'a'='a'`, `42 like 42`, `42<=>42`, `11!=1`, `1 is not 2`.
fn literal_tautology(s: &[u8]) -> bool {
    let s = s.trim_ascii();
    if s.len() > 48 {
        return false;
    }
    // each operator below holds a comparison symbol, or opens with a space and
    // the first letter of `is` / `not` / `like`: a value with neither finds none
    let (mut symbols, mut words) = (false, false);
    for (i, b) in s.iter().enumerate() {
        match b {
            b'<' | b'>' | b'=' | b'!' => symbols = true,
            b' ' if matches!(s.get(i + 1).map(|c| c | 0x20), Some(b'i' | b'n' | b'l')) => {
                words = true;
            }
            _ => {}
        }
    }
    if !symbols && !words {
        return false;
    }
    // lowercase copy on the stack: the length is bounded just above
    let mut buf = [0u8; 48];
    let lower = &mut buf[..s.len()];
    lower.copy_from_slice(s);
    lower.make_ascii_lowercase();
    let lower = &*lower;
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
    for (op, equal) in OPS {
        if (op[0] == b' ' && !words) || (op[0] != b' ' && !symbols) {
            continue;
        }
        if let Some(p) = find(lower, op) {
            let (Some(l), Some(r)) = (
                literal_operand(&lower[..p]),
                literal_operand(&lower[p + op.len()..]),
            ) else {
                return false;
            };
            // unequal literals only count when both are numbers (`11!=1`); a
            // password like `s3cr3t<>pass` is not a condition
            let numeric = l.iter().chain(r).all(u8::is_ascii_digit);
            return if *equal { l == r } else { numeric && l != r };
        }
    }
    false
}

/// One side of a literal comparison: a short alphanumeric word, optionally quoted.
fn literal_operand(v: &[u8]) -> Option<&[u8]> {
    let v = v.trim_ascii();
    let v = match v {
        [q @ (b'\'' | b'"'), inner @ .., e] if q == e => inner,
        _ => v,
    };
    (!v.is_empty() && v.len() <= 16 && v.iter().all(|b| b.is_ascii_alphanumeric())).then_some(v)
}

/// First occurrence of a short `needle` (as `memmem::find`), without building a
/// searcher per call: the haystacks here are at most 48 bytes.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A logic operator glued between two quotes of the same kind, with the
/// quotes glued to the operands too (`a'or'a`, `\'or'1`, `x"and"1`): the
/// literal is closed, a condition appended and the app's own closing quote
/// completes the last literal. Prose that quotes the word (`the "or" case`)
/// has spaces around it.
pub(super) fn glued_quote_logic(s: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[b"or", b"and", b"xor", b"||", b"&&"];
    for p in memchr::memchr3_iter(b'\'', b'"', b'`', s) {
        let q = s[p];
        let before_ok = p == 0
            || s[p - 1].is_ascii_alphanumeric()
            || matches!(s[p - 1], b'\\' | b'/')
            || s[p - 1] == q;
        if !before_ok {
            continue;
        }
        let rest = &s[p + 1..];
        for w in WORDS {
            let Some(head) = rest.get(..w.len()) else {
                continue;
            };
            if head.eq_ignore_ascii_case(w)
                && rest.get(w.len()) == Some(&q)
                && rest
                    .get(w.len() + 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == q)
            {
                return true;
            }
        }
    }
    false
}

pub(super) mod plain {
    /// True when a plain (already lowercased, canonical) value has a word shape
    /// the SQL scan could score.
    pub(crate) fn plain_may_match(s: &[u8]) -> bool {
        // a PostgreSQL cast (`password::int`) has no byte of the syntax gate
        if memchr::memchr_iter(b':', s).any(|p| s.get(p + 1) == Some(&b':')) {
            return true;
        }
        // `@@version`, `declare @b`: variables (`@` is no syntax byte: e-mail)
        if memchr::memchr(b'@', s).is_some()
            && (memchr::memchr_iter(b'@', s).any(|p| s.get(p + 1) == Some(&b'@'))
                || memchr::memchr_iter(b'd', s).any(|p| s[p..].starts_with(b"declare")))
        {
            return true;
        }
        // the words: runs of letters, digits and `_`
        let mut prev = Word::Other;
        let mut first = true;
        let mut i = 0;
        while i < s.len() {
            if !is_word_byte(s[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < s.len() && is_word_byte(s[i]) {
                i += 1;
            }
            let w = Word::of(&s[start..i]);
            if w.may_match_after(prev, first) {
                return true;
            }
            prev = w;
            first = false;
        }
        false
    }

    /// Bytes of a word here: ASCII letters and digits and `_`.
    const WORD_BYTES: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
            b += 1;
        }
        t
    };

    fn is_word_byte(b: u8) -> bool {
        WORD_BYTES[b as usize]
    }

    /// The words the shapes above are made of; any other word is `Other`.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Word {
        Other,
        /// `xor`, `rlike`, `regexp`, `notnull`, `isnull`: SQL wherever they stand.
        Operator,
        When,
        Then,
        Case,
        /// `or`, `and`, `like`, `is`.
        Logic,
        Not,
        /// Digits only.
        Number,
        /// `true`, `false`, `null`.
        Constant,
    }

    // === impl Word ===

    impl Word {
        fn of(w: &[u8]) -> Self {
            match w.first() {
                Some(b'0'..=b'9') if w.iter().all(u8::is_ascii_digit) => Self::Number,
                // every named word is 2 to 7 bytes long
                _ if !(2..=7).contains(&w.len()) => Self::Other,
                _ => match w {
                    b"xor" | b"rlike" | b"regexp" | b"notnull" | b"isnull" => Self::Operator,
                    b"when" => Self::When,
                    b"then" => Self::Then,
                    b"case" => Self::Case,
                    b"or" | b"and" | b"like" | b"is" => Self::Logic,
                    b"not" => Self::Not,
                    b"true" | b"false" | b"null" => Self::Constant,
                    _ => Self::Other,
                },
            }
        }

        fn is_literal(self) -> bool {
            matches!(self, Self::Number | Self::Constant)
        }

        /// This word after `prev` (`first`: no word before it) opens a shape:
        /// `xor`, `case when`, `9999 or`, `or 88`, `is null`, `1-false`.
        fn may_match_after(self, prev: Self, first: bool) -> bool {
            match self {
                Self::Operator => true,
                Self::When | Self::Then => matches!(prev, Self::Case | Self::When) || first,
                Self::Logic => prev.is_literal() || first,
                Self::Number => matches!(prev, Self::Logic | Self::Not),
                // a literal after a logic word, or a constant next to a literal
                Self::Constant => matches!(prev, Self::Logic | Self::Not) || prev.is_literal(),
                Self::Other | Self::Case | Self::Not => false,
            }
        }
    }
}
