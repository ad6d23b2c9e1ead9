//! Whole-value SQL fragments that carry no full statement: bare operators,
//! always-true literal comparisons, casts, open builtin calls, DDL at a statement
//! start and short token patterns (`IN (1,2)`, `) AS x FROM`, `SET @x =`).
//! Each check is one bounded pass; scoring weights only, no verdicts.

use super::tokens::{FuncRisk, Kind, Kw, Stmt, func_risk};

/// The value ends in a SQL builtin name, a little punctuation and an opening
/// parenthesis (`version=(`, `length||(`, `MAX(`, `day. (`): probing which
/// function calls survive the filter.
pub(super) fn open_call_fragment(s: &[u8]) -> bool {
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
    let (before, word) = split_last_word(&t[..t.len() - junk]);
    // the fragment is the whole value, or follows a `name=` prefix
    if !(before.is_empty() || before.ends_with(b"=")) || word.is_empty() {
        return false;
    }
    // func_risk lowercases on its own; the list below is compared without
    // case, so no lowercase copy is needed
    const OPENERS: &[&[u8]] = &[
        b"max", b"min", b"avg", b"sum", b"default", b"length", b"month", b"year", b"in", b"exists",
        b"values", b"insert",
    ];
    matches!(
        func_risk(word),
        FuncRisk::Sql | FuncRisk::Builtin | FuncRisk::Danger
    ) || OPENERS.iter().any(|o| o.eq_ignore_ascii_case(word))
}

/// The whole value is a bare SQL operator (`<=>`, `||`, `!=`, `XOR`, `RLIKE`,
/// `IS NULL`): a probe for which operators reach the query unescaped.
pub(super) fn operator_only(s: &[u8]) -> bool {
    let t = s.trim_ascii();
    // `'LIKE'`, `'<='`: the operator quoted on its own
    let (t, quoted) = match t {
        [q @ (b'\'' | b'"'), inner @ .., e] if q == e && !inner.is_empty() => {
            (inner.trim_ascii(), true)
        }
        _ => (t, false),
    };
    // `'LIKE'`: quoted on its own, the comparison words prose also uses
    if quoted
        && [b"like".as_slice(), b"between", b"glob"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(t))
    {
        return true;
    }
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
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(t))
}

/// The whole value is a comparison that is always true between two literals:
/// `1=1`, `'a'='a'`, `42 like 42`, `42<=>42`, `11!=1`, `1 is not 2`.
pub(super) fn literal_tautology(s: &[u8]) -> bool {
    let s = s.trim_ascii();
    if s.len() > 48 {
        return false;
    }
    // each operator below holds a comparison symbol or is one of the spelled
    // ones: `words` is set only where one of those occurs (any case), so the
    // spelled operators it skips are the ones `find` would not find anyway
    let (mut symbols, mut words) = (false, false);
    for (i, b) in s.iter().enumerate() {
        match b {
            b'<' | b'>' | b'=' | b'!' => symbols = true,
            b' ' if !words
                && matches!(s.get(i + 1).map(|c| c | 0x20), Some(b'i' | b'n' | b'l')) =>
            {
                let rest = &s[i + 1..];
                words = [b"is not ".as_slice(), b"not like ", b"like "]
                    .iter()
                    .any(|w| {
                        rest.get(..w.len())
                            .is_some_and(|h| h.eq_ignore_ascii_case(w))
                    });
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

/// A PostgreSQL cast to a SQL type (`password::int`, `(…)::jsonb`); C++ / Ruby
/// scope operators (`std::string`, `Foo::Bar`) name no SQL type.
pub(super) fn pg_cast(s: &[u8]) -> bool {
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
    // every `::` position, overlapping ones included: an extra position inside
    // a run of colons has a `:` before it and fails `before`, so `any` answers
    // as over the non-overlapping matches
    memchr::memchr_iter(b':', s)
        .filter(|&p| s.get(p + 1) == Some(&b':'))
        .any(|p| {
            let rest = &s[p + 2..];
            let n = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            let word = &rest[..n];
            let before = p > 0
                && (s[p - 1].is_ascii_alphanumeric() || matches!(s[p - 1], b')' | b'\'' | b'_'));
            before
                && TYPES.iter().any(|t| t.eq_ignore_ascii_case(word))
                && rest.get(n).is_none_or(|b| *b != b':')
        })
}

/// `create table x (…)`, `drop table users;`, `create user x identified by`:
/// data-definition statements with their object keyword and a name.
pub(super) fn ddl(t: &[Kind], bump: &mut impl FnMut(u32, &'static str)) {
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

/// `create user x identified by …`, `declare @b`: account statements and
/// variable declarations at a statement start.
pub(super) fn account_or_declare(t: &[Kind], bump: &mut impl FnMut(u32, &'static str)) {
    for i in 0..t.len() {
        let at_start = i == 0 || matches!(t[i - 1], Kind::Semi | Kind::Str { closed: true, .. });
        if !at_start || t[i] != Kind::Stmt(Stmt::Modify) {
            continue;
        }
        match &t[i + 1..] {
            [Kind::Var { .. }, ..] => bump(5, "sqli-variable"),
            [
                Kind::Word | Kind::Func(_),
                Kind::Word | Kind::Str { .. },
                Kind::Kw(Kw::Other),
                Kind::Kw(Kw::By),
                ..,
            ] => bump(6, "sqli-stacked"),
            _ => {}
        }
    }
}

/// The whole value is a stored-procedure call: `exec`/`execute` and one
/// routine name (`exec master.xp_x`, `execute immediate "`, `Execute(`), the
/// MSSQL / Oracle / prepared-statement call form.
pub(super) fn procedure_call(s: &[u8]) -> bool {
    let t = s.trim_ascii();
    if t.len() > 48 || t.len() < 5 || !t[..4].eq_ignore_ascii_case(b"exec") {
        return false;
    }
    let rest = &t[4..];
    let (rest, full) = match rest.get(..3) {
        Some(u) if u.eq_ignore_ascii_case(b"ute") => (&rest[3..], true),
        _ => (rest, false),
    };
    if rest.first() == Some(&b'(') {
        return rest.len() == 1 || rest[1..].iter().all(|b| b.is_ascii_alphanumeric());
    }
    let Some(name) = rest.strip_prefix(b" ") else {
        return false;
    };
    let n = name
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'#'))
        .count();
    let tail = name[n..].trim_ascii();
    // `exec` is also English shorthand (`exec chair`, `exec summary`): after
    // it the name must be one a database calls (`xp_cmdshell`, `master..x`,
    // `@q`, `#t`, `sp2`, or MSSQL's system families `sp` and `xp` alone);
    // `execute` and one word is the keyword's own form
    let word = &name[..n];
    let routine = full
        || word
            .iter()
            .any(|b| b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'@' | b'#'))
        || word.eq_ignore_ascii_case(b"sp")
        || word.eq_ignore_ascii_case(b"xp");
    n > 0 && ((tail.is_empty() && routine) || matches!(tail, b"\"" | b"'" | b"(" | b"`"))
}

/// The whole value is `HAVING` or `WHERE` and a condition made of literals
/// alone (`HAVING 3-2`, `where 7 div 7`, `HAVING '5'=5`, `HAVING true<>0`):
/// the clause the application's query continues, computed from constants
/// the attacker chose. At least two literal operands and one operator, and
/// no name: "having 2 kids", "where 2 roads meet" hold words.
fn clause_over_literals(t: &[Kind]) -> bool {
    let [Kind::Kw(Kw::Having | Kw::Where), rest @ ..] = t else {
        return false;
    };
    let (mut operands, mut operators) = (0, 0);
    for k in rest {
        match k {
            Kind::Num | Kind::Str { .. } | Kind::Kw(Kw::Null) => operands += 1,
            Kind::Op | Kind::Cmp { .. } | Kind::Logic => operators += 1,
            Kind::LParen | Kind::RParen => {}
            _ => return false,
        }
    }
    operands >= 2 && operators >= 1
}

/// Short SQL fragments that are whole values: an unclosed builtin call
/// (`concat(`), a select-list tail (`) AS total FROM`), or an expression made
/// only of SQL syntax that ends in a comment (`( @a OR 'b') --`).
pub(super) fn fragments(
    t: &[Kind],
    comment_after: &[bool],
    quoted: bool,
    bump: &mut impl FnMut(u32, &'static str),
) {
    if !quoted && clause_over_literals(t) {
        bump(5, "sqli-tautology");
    }
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
    subquery_operand(t, quoted, bump);
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
        // the statement's object keyword and one name at most before the `;`
        // (`drop table users;`): prose that opens with the word
        // (`Update: still broken; tried again`, `delete still fails; why`)
        // has a `:` or several words there
        let semi = rest
            .iter()
            .take(4)
            .position(|k| *k == Kind::Semi)
            .is_some_and(|p| {
                let head = &rest[..p];
                !head.contains(&Kind::Other)
                    && head.iter().filter(|k| **k == Kind::Word).count() <= 1
            });
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
    match t {
        // `) like (`, `)like(`: a comparison between two parenthesised groups
        [Kind::RParen, Kind::Cmp { .. }, Kind::LParen]
        // `something LIKE '`: a comparison left open on a quote at the end
        | [.., Kind::Cmp { .. }, Kind::Str { closed: false, empty: true }]
        // `1-false`: arithmetic on a boolean / NULL literal
        | [Kind::Num, Kind::Op, Kind::Kw(Kw::Null)]
        | [Kind::Kw(Kw::Null), Kind::Op, Kind::Num]
            if !quoted && t.len() <= 4 =>
        {
            bump(5, "sqli-operator")
        }
        // `',NULL) …`: a column-count probe closing the app's call
        [Kind::Str { closed: true, .. }, Kind::Comma, Kind::Kw(Kw::Null) | Kind::Num, Kind::RParen, ..]
            if quoted =>
        {
            bump(5, "sqli-break")
        }
        _ => {}
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
            Kind::LParen
                | Kind::Logic
                | Kind::Cmp { .. }
                | Kind::Var { system: true }
                | Kind::Union
        )
    });
    if syntax && structure && words <= 1 {
        bump(5, "sqli-comment");
    }
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
        // every word below opens with `o`, `a`, `x`, `|` or `&` (any case)
        if !rest
            .first()
            .is_some_and(|b| matches!(b | 0x20, b'o' | b'a' | b'x' | b'|' | b'&'))
        {
            continue;
        }
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

/// A scalar subquery used as an operand: `' RLIKE (SELECT 1)`,
/// `1 AND (SELECT (CASE WHEN …))`, `(SELECT (CASE …))` as the whole value.
/// Blind injection compares against such a subquery and needs no `FROM`, so
/// `select_shape` does not see it. Prose opens brackets with "select" too
/// ("(select one)", "pick two (select 2)"), so the bracket must follow an
/// operator, a comparison, a logic word, WHERE / HAVING or the broken
/// literal, and what follows SELECT must be an expression, not a word; as
/// the whole value's start it must open a call, a bracket or a variable.
fn subquery_operand(t: &[Kind], quoted: bool, bump: &mut impl FnMut(u32, &'static str)) {
    for i in 1..t.len() {
        if t[i] != Kind::Stmt(Stmt::Select) || t[i - 1] != Kind::LParen {
            continue;
        }
        let next = t.get(i + 1).copied();
        let fired = if i == 1 {
            // not a keyword: "(select all that apply)"
            matches!(next, Some(Kind::LParen | Kind::Func(_) | Kind::Var { .. }))
        } else {
            let operator =
                matches!(
                    t[i - 2],
                    Kind::Cmp { .. } | Kind::Op | Kind::Logic | Kind::Kw(Kw::Where | Kw::Having)
                ) || (quoted && i == 2 && matches!(t[0], Kind::Str { closed: true, .. }));
            operator
                && matches!(
                    next,
                    Some(
                        Kind::Num
                            | Kind::Str { .. }
                            | Kind::LParen
                            | Kind::Func(_)
                            | Kind::Var { .. }
                            | Kind::Kw(Kw::Other | Kw::Null)
                            | Kind::Op
                    )
                )
        };
        if fired {
            bump(5, "sqli-select");
            return;
        }
    }
}

/// `A' && 'B`, `A' DIV 'B`, `aa' or col!='1`, `1'*null or '1`, and a value
/// that is only `' = '` or `'DIV'` (empty literals on both sides): read in the
/// apostrophe context, a broken literal, a short run of SQL, and a literal
/// left open for the query's own closing quote. The injected SQL sits
/// between the two quotes; MySQL's implicit conversions make any operator
/// there a condition the attacker picks. What the run needs:
/// - an operator right after the break and one right before the reopened
///   literal (the condition starts and ends on them; the quiet gate sends
///   every value with an operator after a broken literal to this scan);
/// - nothing but operators, names (two at most, keywords such as `column`
///   or `binary` among them), numbers, variables, calls and brackets.
///
/// Quoted search terms are typed with double quotes (`SMALL "&" SIGN`,
/// `"NOT"`): the apostrophe context keeps them out. Exactly two apostrophes,
/// the first right after the literal's text: a run of quotes is not two
/// literals, a possessive (`parents' and yours`) opens no second literal,
/// a word quoted in prose (`the 'or' operator`) has a blank before its
/// first quote, and `\'` is an escaped quote, no literal. Contractions
/// (`I'm here or 'there`) have a name, not an operator, after the break.
pub(super) fn implicit_operator(s: &[u8], t: &[Kind]) -> bool {
    let n = t.len();
    let operator = |k: &Kind| matches!(k, Kind::Logic | Kind::Op | Kind::Cmp { .. });
    let mut quotes = memchr::memchr_iter(b'\'', s);
    let (Some(first), Some(second), None) = (quotes.next(), quotes.next(), quotes.next()) else {
        return false;
    };
    // `' = '`, `'DIV'`, `' - '`: the whole value is one operator between
    // the two quotes, which the query's own quotes make a comparison of two
    // empty literals (`'' = ''`)
    let lone_operator = n == 3
        && first == 0
        && second + 1 == s.len()
        && matches!(
            t[0],
            Kind::Str {
                closed: true,
                empty: true
            }
        )
        && operator(&t[1])
        && matches!(
            t[2],
            Kind::Str {
                closed: false,
                empty: true
            }
        );
    if lone_operator {
        return true;
    }
    // the first quote right after the literal's text, the second no escaped
    // quote (`\'` opens nothing; the canonical view spells `\` as `/`)
    if !(3..=8).contains(&n)
        || first == 0
        || s[first - 1].is_ascii_whitespace()
        || matches!(s[second - 1], b'\\' | b'/')
    {
        return false;
    }
    let middle = &t[1..n - 1];
    matches!(
        t[0],
        Kind::Str {
            closed: true,
            empty: false
        }
    ) && matches!(
        t[n - 1],
        Kind::Str {
            closed: false,
            empty: false
        }
    ) && operator(&t[1])
        && operator(&t[n - 2])
        && middle
            .iter()
            .filter(|k| matches!(k, Kind::Word | Kind::Kw(Kw::Object | Kw::Other)))
            .count()
            <= 2
        && middle.iter().all(|k| {
            operator(k)
                || matches!(
                    k,
                    Kind::Word
                        | Kind::Kw(Kw::Object | Kw::Other)
                        | Kind::Num
                        | Kind::Var { .. }
                        | Kind::Func(_)
                        | Kind::LParen
                        | Kind::RParen
                        | Kind::Kw(Kw::Null)
                )
        })
}

/// A SQL conditional over a comparison: `CASE WHEN 5=5 THEN … ELSE|END`,
/// or a conditional builtin whose condition compares two literals
/// (`IF(5=5,…`, `IIF(7=7,…`, `ELT(3=3,…`). Blind injection asks the
/// database one yes/no question at a time in exactly these forms, wrapped
/// in whatever surrounds the injection point (`1 OR …`, `',(…)`, `||(…)||`),
/// which the statement shapes need not recognise. Prose has "in case when
/// … then" but no comparison symbol between WHEN and THEN and no ELSE or
/// END after it; a comparison symbol (`=` `<` `>`) is required in either
/// form, which also keeps this out of values the quiet gate passes.
pub(super) fn conditional(s: &[u8]) -> bool {
    if memchr::memchr3(b'=', b'<', b'>', s).is_none() {
        return false;
    }
    let words = SqlWords::new(s);
    case_when(words.clone()) || literal_condition_call(s, words)
}

/// ASCII-case-insensitive words (runs of letters, digits, `_`) of a value,
/// with their byte ranges.
#[derive(Clone)]
struct SqlWords<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> SqlWords<'a> {
    fn new(s: &'a [u8]) -> Self {
        SqlWords { s, at: 0 }
    }
}

impl Iterator for SqlWords<'_> {
    type Item = (usize, usize);
    fn next(&mut self) -> Option<(usize, usize)> {
        let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
        let start = self.at + self.s[self.at..].iter().position(word)?;
        let end = start
            + self.s[start..]
                .iter()
                .position(|b| !word(b))
                .unwrap_or(self.s.len() - start);
        self.at = end;
        Some((start, end))
    }
}

/// `CASE [operand] WHEN … <cmp> … THEN … ELSE|END`, the words at most a few
/// words apart and a comparison symbol between WHEN and THEN.
fn case_when(words: SqlWords<'_>) -> bool {
    let s = words.s;
    let is = |(a, b): (usize, usize), w: &[u8]| s[a..b].eq_ignore_ascii_case(w);
    // 0: looking for CASE; 1: CASE seen; 2: WHEN seen; 3: THEN seen
    let (mut state, mut since, mut when_end) = (0u8, 0u32, 0usize);
    for w in words {
        since += 1;
        match state {
            0 if is(w, b"case") => (state, since) = (1, 0),
            // `CASE WHEN`, or `CASE 5 WHEN` (one operand word)
            1 if is(w, b"when") => (state, since, when_end) = (2, 0, w.1),
            1 if since > 2 => state = u8::from(is(w, b"case")),
            2 if is(w, b"then") => {
                // no comparison between WHEN and THEN: prose, look for another CASE
                let cond = &s[when_end..w.0];
                state = if cond.iter().any(|b| matches!(b, b'=' | b'<' | b'>')) {
                    3
                } else {
                    0
                };
                since = 0;
            }
            2 if since > 8 => state = u8::from(is(w, b"case")),
            3 if is(w, b"else") || is(w, b"end") => return true,
            3 if since > 8 => state = u8::from(is(w, b"case")),
            _ => {}
        }
    }
    false
}

/// `IF(` / `IIF(` / `ELT(` whose first argument compares two numbers or one
/// literal with itself and is followed by `,` or `)`.
fn literal_condition_call(s: &[u8], words: SqlWords<'_>) -> bool {
    for (a, b) in words {
        let name = &s[a..b];
        if !(name.eq_ignore_ascii_case(b"if")
            || name.eq_ignore_ascii_case(b"iif")
            || name.eq_ignore_ascii_case(b"elt"))
        {
            continue;
        }
        let rest = s[b..].trim_ascii_start();
        let Some(args) = rest.strip_prefix(b"(") else {
            continue;
        };
        let end = args.iter().take(40).position(|&c| c == b',' || c == b')');
        let Some(end) = end else {
            continue;
        };
        let cond = &args[..end];
        let Some(op) = cond.iter().position(|c| matches!(c, b'=' | b'<' | b'>')) else {
            continue;
        };
        let op_end = op
            + cond[op..]
                .iter()
                .take_while(|c| matches!(c, b'=' | b'<' | b'>' | b'!'))
                .count();
        let lhs = cond[..op].strip_suffix(b"!").unwrap_or(&cond[..op]);
        // two numbers, or the same literal on both sides: a question whose
        // answer the attacker chose (`IF(A1=B1,…` in a spreadsheet formula
        // or `if(age>18,…` compare a name)
        if let (Some(l), Some(r)) = (literal_operand(lhs), literal_operand(&cond[op_end..]))
            && (l == r || l.iter().chain(r).all(u8::is_ascii_digit))
        {
            return true;
        }
    }
    false
}

/// Dynamic SQL run from a variable: `EXEC(@q)`, `EXECUTE (@sql)`. The
/// statement text sits in the variable (often set from a hex literal,
/// `SET @q=0x…`), so nothing else in the value need read as SQL. The call
/// must open a statement (not follow a word: "the exec (@anna)"); a bare
/// `exec @x` is left to the other shapes. `exec` is a statement word, so the quiet gate never hides it.
pub(super) fn dynamic_exec(s: &[u8]) -> bool {
    memchr::memchr_iter(b'@', s).any(|at| {
        let named = s
            .get(at + 1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        let Some(before) = s[..at].trim_ascii_end().strip_suffix(b"(") else {
            return false;
        };
        let (before, word) = split_last_word(before.trim_ascii_end());
        // a statement starts there: the value's start, `;`, a literal
        // (`0x… exec(@q)`); after a word it is a sentence ("the exec (@anna)")
        let after_word = before
            .trim_ascii_end()
            .last()
            .is_some_and(u8::is_ascii_alphabetic);
        named
            && !after_word
            && (word.eq_ignore_ascii_case(b"exec") || word.eq_ignore_ascii_case(b"execute"))
    })
}

/// `t` split before its trailing word (ASCII letters, digits, `_`; empty
/// when `t` does not end in one).
fn split_last_word(t: &[u8]) -> (&[u8], &[u8]) {
    let n = t
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    t.split_at(t.len() - n)
}
