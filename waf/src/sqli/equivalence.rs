//! Proof that the speed-ups change no output: the allocation-free leaf
//! checks against their earlier allocating bodies, and every early exit
//! against the path it skips, over strings built from SQL trigger bytes and
//! keywords with random bytes mixed in.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::fragments::{literal_tautology, open_call_fragment, operator_only, pg_cast};
use super::tokens::{
    FuncRisk, Kind, Kw, Stmt, Toks, classify_word, func_risk, is_word_byte, tokenise,
};
use super::{plain_may_match, score, score_stream};

/// Pieces the SQL detector reacts to, plus plain text around them.
const PIECES: &[&str] = &[
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "'",
    "'",
    "\"",
    "`",
    "\\",
    "(",
    ")",
    ",",
    ";",
    "=",
    "<",
    ">",
    "!",
    "<=>",
    "<>",
    "!=",
    "==",
    "|",
    "||",
    "&",
    "&&",
    "+",
    "-",
    "--",
    "*",
    "/",
    "/*",
    "*/",
    "/*!",
    "#",
    "%",
    "^",
    "~",
    ":",
    "::",
    ":=",
    "@",
    "@@",
    ".",
    "?",
    "0",
    "1",
    "12",
    "42",
    "0x1f",
    ".5",
    "1e5",
    "a",
    "x",
    "id",
    "qty",
    "o",
    "users",
    "name",
    "the",
    "of",
    "honey",
    "union",
    "select",
    "from",
    "where",
    "and",
    "or",
    "xor",
    "not",
    "like",
    "rlike",
    "regexp",
    "is",
    "in",
    "null",
    "true",
    "false",
    "notnull",
    "isnull",
    "between",
    "sounds",
    "glob",
    "order",
    "group",
    "by",
    "having",
    "into",
    "limit",
    "procedure",
    "waitfor",
    "delay",
    "exec",
    "execute",
    "drop",
    "insert",
    "declare",
    "create",
    "table",
    "identified",
    "set",
    "all",
    "as",
    "case",
    "when",
    "then",
    "sleep",
    "concat",
    "char",
    "round",
    "max",
    "version",
    "if",
    "int",
    "jsonb",
    "text",
    "outfile",
    "values",
    "\u{a0}",
];

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => proptest::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        2 => proptest::sample::select(PIECES).prop_map(|p| p.to_ascii_uppercase().into_bytes()),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ]
}

/// A value assembled from up to `max` pieces.
pub(super) fn sqlish(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(piece(), 0..max).prop_map(|v| v.concat())
}

mod before {
    //! The bodies as they were before the speed-up (allocating), verbatim
    //! but for the token wrapper `Tok { kind }` that became `Kind`.
    use super::super::fragments::{account_or_declare, ddl, fragments};
    use super::super::shapes::{break_shape, order_by_tail, select_shape, tautology};
    use super::super::tokens::{
        Kw, Stmt, controlled_after_stack, is_operand, union_cut_after_operand,
    };
    use super::{FuncRisk, Kind, func_risk};

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
        let t = &t[..t.len() - junk];
        let n = t
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let word = &t[t.len() - n..];
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

    fn is_literal(w: &[u8]) -> bool {
        (!w.is_empty() && w.iter().all(u8::is_ascii_digit))
            || matches!(w, b"true" | b"false" | b"null")
    }

    pub(super) fn plain_may_match(s: &[u8]) -> bool {
        if memchr::memchr_iter(b':', s).any(|p| s.get(p + 1) == Some(&b':')) {
            return true;
        }
        if memchr::memchr(b'@', s).is_some()
            && (memchr::memmem::find(s, b"@@").is_some()
                || memchr::memmem::find(s, b"declare").is_some())
        {
            return true;
        }
        let mut prev: &[u8] = b"";
        let mut first = true;
        for w in s
            .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .filter(|w| !w.is_empty())
        {
            match w {
                b"xor" | b"rlike" | b"regexp" | b"notnull" | b"isnull" => return true,
                b"when" | b"then" if prev == b"case" || prev == b"when" || first => return true,
                b"or" | b"and" | b"like" | b"is" if is_literal(prev) || first => return true,
                _ if is_literal(w) && matches!(prev, b"or" | b"and" | b"like" | b"is" | b"not") => {
                    return true;
                }
                b"null" if matches!(prev, b"is" | b"like" | b"not") => return true,
                b"true" | b"false" | b"null" if !prev.is_empty() && is_literal(prev) => {
                    return true;
                }
                _ => {}
            }
            prev = w;
            first = false;
        }
        false
    }

    pub(super) fn operator_only(s: &[u8]) -> bool {
        let t = s.trim_ascii();
        let (t, quoted) = match t {
            [q @ (b'\'' | b'"'), inner @ .., e] if q == e && !inner.is_empty() => {
                (inner.trim_ascii(), true)
            }
            _ => (t, false),
        };
        if quoted
            && matches!(
                t.to_ascii_lowercase().as_slice(),
                b"like" | b"between" | b"glob"
            )
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

    pub(super) fn literal_tautology(s: &[u8]) -> bool {
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
                let numeric = l.iter().chain(&r).all(u8::is_ascii_digit);
                return if *equal { l == r } else { numeric && l != r };
            }
        }
        false
    }

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
        memchr::memmem::find_iter(s, b"::").any(|p| {
            let rest = &s[p + 2..];
            let n = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            let word = rest[..n].to_ascii_lowercase();
            let before = p > 0
                && (s[p - 1].is_ascii_alphanumeric() || matches!(s[p - 1], b')' | b'\'' | b'_'));
            before && TYPES.contains(&word.as_slice()) && rest.get(n).is_none_or(|b| *b != b':')
        })
    }

    /// Scores a token stream; `quoted`: the first token is the broken-out literal.
    pub(super) fn score(all: &[Kind], quoted: bool, empty_break: bool) -> (u32, &'static str) {
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
            match *tok {
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
        // `1 /*`, `1/*'*/`: a lone literal followed by a block comment
        if n == 1
            && matches!(t[0], Kind::Num)
            && all
                .iter()
                .any(|k| matches!(k, Kind::Comment { block: true, .. }))
        {
            bump(5, "sqli-comment");
        }
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
                            && matches!(
                                kw_idx(j + 2),
                                None | Some(Kind::Comma | Kind::Kw(Kw::From))
                            ))
                            || comment_after.get(j).copied().unwrap_or(false);
                        let cut_after_operand = union_cut_after_operand(&t, i, first);
                        bump(
                            if listy {
                                8
                            } else if cut_after_operand {
                                6
                            } else {
                                3
                            },
                            "sqli-union",
                        );
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
                            && prev3.len() >= 2
                            && prev3.iter().all(|k| {
                                matches!(k, Kind::Word | Kind::Kw(Kw::Other) | Kind::Other)
                            })
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
                    // `;if 1=1 drop …`: control flow after the stack, on literals alone
                    if st == Stmt::Modify && controlled_after_stack(&t, i) {
                        bump(7, "sqli-stacked");
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
                            && next3.iter().all(|k| {
                                matches!(k, Kind::Word | Kind::Stmt(_) | Kind::Kw(Kw::Other))
                            })
                            && next3.iter().filter(|k| matches!(k, Kind::Word)).count() >= 2;
                        if !sentence
                            && matches!(kw_idx(i + 1), Some(k) if is_operand(k) || matches!(k, Kind::Kw(_) | Kind::Op | Kind::LParen))
                        {
                            bump(7, "sqli-stacked");
                        }
                    }
                }
                Kind::Logic | Kind::Kw(Kw::Having | Kw::Where) => {
                    tautology(&t, i, broke, &mut bump)
                }
                Kind::Func(FuncRisk::Danger) => bump(7, "sqli-function"),
                Kind::Func(FuncRisk::Sql) => sql_funcs += 1,
                Kind::Var { system: true } => bump(5, "sqli-variable"),
                Kind::Kw(Kw::Waitfor) if matches!(kw_idx(i + 1), Some(Kind::Kw(Kw::Other))) => {
                    bump(7, "sqli-function")
                }
                Kind::Kw(Kw::Order | Kw::Group)
                    if matches!(kw_idx(i + 1), Some(Kind::Kw(Kw::By))) =>
                {
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
                    } else if broke && i == 1 && order_by_tail(&t, i, &comment_after) {
                        bump(6, "sqli-orderby");
                    }
                }
                Kind::Kw(Kw::Procedure) if broke && i == 1 => bump(6, "sqli-break"),
                // `procedure analyse(`: a procedure clause calling a routine
                Kind::Kw(Kw::Procedure) if matches!(kw_idx(i + 1), Some(Kind::Func(_))) => {
                    bump(5, "sqli-procedure")
                }
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
        account_or_declare(&t, &mut bump);
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
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn leaf_checks_answer_as_before(v in sqlish(8)) {
        prop_assert_eq!(open_call_fragment(&v), before::open_call_fragment(&v));
        prop_assert_eq!(operator_only(&v), before::operator_only(&v));
        prop_assert_eq!(literal_tautology(&v), before::literal_tautology(&v));
        prop_assert_eq!(pg_cast(&v), before::pg_cast(&v));
        // the plain gate sees canonical (lowercased) values
        prop_assert_eq!(plain_may_match(&v), before::plain_may_match(&v));
        let lower = v.to_ascii_lowercase();
        prop_assert_eq!(plain_may_match(&lower), before::plain_may_match(&lower));
    }
}

/// The words `plain_may_match` reads, and some it does not.
const PLAIN_WORDS: &[&str] = &[
    "xor", "rlike", "regexp", "notnull", "isnull", "when", "then", "case", "or", "and", "like",
    "is", "not", "null", "true", "false", "1", "42", "0042", "a", "the", "tea", "nothing", "or1",
    "_", "declare",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn plain_gate_answers_as_before_on_word_runs(
        words in proptest::collection::vec(
            (
                proptest::sample::select(PLAIN_WORDS),
                proptest::sample::select(vec![" ", " ", "  ", "-", ".", ", ", "@", ":", "::", "@@"]),
            ),
            0..8,
        ),
    ) {
        let v: String = words.iter().flat_map(|(w, sep)| [*w, *sep]).collect();
        prop_assert_eq!(plain_may_match(v.as_bytes()), before::plain_may_match(v.as_bytes()));
    }
}

#[test]
fn leaf_checks_answer_as_before_on_known_hits() {
    for v in [
        "xor",
        "is null",
        "9999 or  true",
        "or 88",
        "1 is not 2",
        "case when 1",
        "1-false",
        "a@@b",
        "x@y declare",
        "x when then",
        "x when when",
        "m.o@example.org",
        "black and white",
        "not 7",
        "two or three",
        "1=1",
        "'a'='a'",
        "42 LIKE 42",
        "42<=>42",
        "11!=1",
        "1 is not 2",
        "x not like y",
        "password::INT",
        "a:::int",
        "(x)::jsonb",
        "std::string",
        "LIKE",
        "'Between'",
        "Is Not Null",
        "<=>",
        "--",
        "MAX(",
        "version=(",
        "Concat (",
        "call me (",
    ] {
        let v = v.as_bytes();
        assert_eq!(open_call_fragment(v), before::open_call_fragment(v));
        assert_eq!(operator_only(v), before::operator_only(v));
        assert_eq!(literal_tautology(v), before::literal_tautology(v));
        assert_eq!(pg_cast(v), before::pg_cast(v));
        let lower = v.to_ascii_lowercase();
        assert_eq!(plain_may_match(&lower), before::plain_may_match(&lower));
    }
}

/// Any token kind, for streams the tokeniser may never build: the gate must
/// hold for those too.
fn kind() -> impl Strategy<Value = Kind> {
    let kw = proptest::sample::select(vec![
        Kw::From,
        Kw::Where,
        Kw::Order,
        Kw::Group,
        Kw::By,
        Kw::Having,
        Kw::Into,
        Kw::Limit,
        Kw::Other,
        Kw::Procedure,
        Kw::Waitfor,
        Kw::Null,
        Kw::Object,
    ]);
    let risk = proptest::sample::select(vec![
        FuncRisk::Plain,
        FuncRisk::Builtin,
        FuncRisk::Sql,
        FuncRisk::Danger,
    ]);
    prop_oneof![
        (any::<bool>(), any::<bool>()).prop_map(|(closed, empty)| Kind::Str { closed, empty }),
        Just(Kind::Num),
        any::<bool>().prop_map(|system| Kind::Var { system }),
        Just(Kind::Word),
        Just(Kind::Union),
        prop_oneof![Just(Stmt::Select), Just(Stmt::Modify)].prop_map(Kind::Stmt),
        kw.prop_map(Kind::Kw),
        Just(Kind::Logic),
        any::<bool>().prop_map(|word| Kind::Cmp { word }),
        Just(Kind::Op),
        Just(Kind::Cast),
        risk.prop_map(Kind::Func),
        Just(Kind::LParen),
        Just(Kind::RParen),
        Just(Kind::Comma),
        Just(Kind::Semi),
        (any::<bool>(), any::<bool>())
            .prop_map(|(block, versioned)| Kind::Comment { block, versioned }),
        Just(Kind::Other),
    ]
}

/// Plain kinds weighted up: the streams the gate turns away.
fn quiet_kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        12 => proptest::sample::select(QUIET.to_vec()),
        1 => kind(),
    ]
}

fn stream() -> impl Strategy<Value = Vec<Kind>> {
    proptest::collection::vec(quiet_kind(), 0..16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// `score` (gate, comment-free fast path) answers as the earlier scoring
    /// and as its own ungated path, for any stream of kinds.
    #[test]
    fn score_gate_skips_only_streams_that_score_nothing(
        t in stream(),
        quoted in any::<bool>(),
        empty_break in any::<bool>(),
    ) {
        let t = if quoted && !matches!(t.first(), Some(Kind::Str { .. })) {
            // a quoted stream always opens with the broken-out literal
            let mut q = vec![Kind::Str { closed: true, empty: empty_break }];
            q.extend(t);
            q
        } else {
            t
        };
        let was = before::score(&t, quoted, empty_break);
        prop_assert_eq!(score(&t, quoted, empty_break), was);
        prop_assert_eq!(score_stream(&t, quoted, empty_break), was);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The same for streams of any kinds, comments included, short and past
    /// the 64 inline tokens.
    #[test]
    fn score_answers_as_before_on_any_stream(
        t in prop_oneof![
            proptest::collection::vec(kind(), 0..12),
            proptest::collection::vec(kind(), 60..80),
        ],
        quoted in any::<bool>(),
        empty_break in any::<bool>(),
    ) {
        prop_assert_eq!(score(&t, quoted, empty_break), before::score(&t, quoted, empty_break));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// The same over what the tokeniser makes of SQL-ish text in each context.
    #[test]
    fn score_gate_skips_only_tokenised_values_that_score_nothing(v in sqlish(12)) {
        let mut toks = Toks::new();
        for q in [None, Some(b'\''), Some(b'"'), Some(b'`')] {
            toks.clear();
            tokenise(&v, q, &mut toks);
            let t = toks.as_slice();
            let empty_break = q.is_some() && v.first() == q.as_ref();
            let was = before::score(t, q.is_some(), empty_break);
            prop_assert_eq!(score(t, q.is_some(), empty_break), was);
            prop_assert_eq!(score_stream(t, q.is_some(), empty_break), was);
        }
    }
}

/// Every kind `triggers` does not treat as a trigger on sight.
const QUIET: [Kind; 16] = [
    Kind::Str {
        closed: true,
        empty: true,
    },
    Kind::Str {
        closed: true,
        empty: false,
    },
    Kind::Str {
        closed: false,
        empty: true,
    },
    Kind::Str {
        closed: false,
        empty: false,
    },
    Kind::Num,
    Kind::Var { system: false },
    Kind::Word,
    Kind::Cmp { word: true },
    Kind::Op,
    Kind::Cast,
    Kind::Func(FuncRisk::Plain),
    Kind::LParen,
    Kind::RParen,
    Kind::Comma,
    Kind::Semi,
    Kind::Other,
];

/// Exhaustive over every stream of up to five quiet kinds, in every context:
/// the streams the gate can turn away (any other kind passes it on sight).
#[test]
fn score_gate_skips_only_short_streams_that_score_nothing() {
    let mut t = Vec::with_capacity(5);
    for len in 0..=5u32 {
        for code in 0..QUIET.len().pow(len) {
            t.clear();
            let mut c = code;
            for _ in 0..len {
                t.push(QUIET[c % QUIET.len()]);
                c /= QUIET.len();
            }
            for (quoted, empty_break) in [(false, false), (true, false), (true, true)] {
                if quoted && !matches!(t.first(), Some(Kind::Str { .. })) {
                    continue;
                }
                let was = before::score(&t, quoted, empty_break);
                assert_eq!(
                    score(&t, quoted, empty_break),
                    was,
                    "{t:?} quoted={quoted} empty_break={empty_break}"
                );
            }
        }
    }
}

#[test]
fn score_gate_passes_the_quiet_quoted_shapes() {
    let mut toks = Toks::new();
    for v in ["x',1)", "x';", "abc'+1", "x')) ;", "a',null)"] {
        toks.clear();
        tokenise(v.as_bytes(), Some(b'\''), &mut toks);
        let t = toks.as_slice();
        let full = score_stream(t, true, false);
        assert!(full.0 > 0, "{v}: {full:?}");
        assert_eq!(score(t, true, false), full, "{v}");
    }
}

#[test]
fn word_byte_table_matches_its_definition() {
    for b in 0..=255u8 {
        let was = b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
        assert_eq!(is_word_byte(b), was, "{b:#x}");
    }
}

/// Quiet kinds with logic operators and word comparisons mixed in: the
/// unquoted streams `score` hands to `logic_only`, and their neighbours.
fn prose_kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        10 => proptest::sample::select(QUIET.to_vec()),
        3 => Just(Kind::Logic),
        1 => Just(Kind::Cmp { word: true }),
        1 => kind(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// The logic-only shortcut answers as the full scoring and as the
    /// earlier one, unquoted and quoted, short streams and past 64 tokens.
    #[test]
    fn logic_only_streams_score_as_before(
        t in prop_oneof![
            4 => proptest::collection::vec(prose_kind(), 0..24),
            1 => proptest::collection::vec(prose_kind(), 60..72),
        ],
        quoted in any::<bool>(),
        empty_break in any::<bool>(),
    ) {
        let was = before::score(&t, quoted, empty_break);
        prop_assert_eq!(score(&t, quoted, empty_break), was);
        prop_assert_eq!(score_stream(&t, quoted, empty_break), was);
    }
}

/// Exhaustive over every unquoted stream of up to four kinds drawn from the
/// quiet ones and the logic operator.
#[test]
fn logic_only_short_streams_score_as_before() {
    let mut kinds = QUIET.to_vec();
    kinds.push(Kind::Logic);
    let mut t = Vec::with_capacity(4);
    for len in 0..=4u32 {
        for code in 0..kinds.len().pow(len) {
            t.clear();
            let mut c = code;
            for _ in 0..len {
                t.push(kinds[c % kinds.len()]);
                c /= kinds.len();
            }
            assert_eq!(
                score(&t, false, false),
                before::score(&t, false, false),
                "{t:?}"
            );
        }
    }
}

/// Prose pieces: the benign values the round-2 work speeds up, cut into
/// words and punctuation, to be reassembled with SQL pieces in between.
const PROSE: &[&str] = &[
    "hannah",
    "ó",
    "briain",
    "o'connell",
    "it's",
    "mum's",
    "19th",
    "-",
    " - ",
    "please.",
    "(code 82)",
    "gift",
    "saying:",
    "happy",
    "birthday,",
    "us!",
    "164",
    "quay",
    "+353",
    "84",
    "7432",
    "e-mail",
    "x.y@example.org",
    "10:41:07z",
    "2026-11-22t",
    "exec",
    "executed",
    "selection",
    "unions",
    "or",
    "and",
    "is",
    "like",
    "in",
    "not",
];

fn prose_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => proptest::sample::select(PROSE).prop_map(|p| p.as_bytes().to_vec()),
        4 => proptest::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        1 => proptest::sample::select(PIECES).prop_map(|p| p.to_ascii_uppercase().into_bytes()),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ]
}

/// Prose and SQL pieces, joined by spaces or glued.
fn prose(max: usize) -> impl Strategy<Value = Vec<u8>> {
    joined(prose_piece(), max)
}

/// Up to `max` pieces, each followed by a space or glued to the next.
fn joined(piece: impl Strategy<Value = Vec<u8>>, max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((piece, any::<bool>()), 0..max).prop_map(|v| {
        let mut out = Vec::new();
        for (p, space) in v {
            out.extend_from_slice(&p);
            if space {
                out.push(b' ');
            }
        }
        out
    })
}

/// What one SQL scan function adds to empty `Hits`, printed for comparison.
fn hits_of(scan: fn(&[u8], &mut crate::detect::Hits), s: &[u8]) -> String {
    let mut h = crate::detect::Hits::default();
    scan(s, &mut h);
    format!("{h:?}")
}

fn scan_hits(s: &[u8]) -> String {
    hits_of(super::scan, s)
}

fn reference_scan_hits(s: &[u8]) -> String {
    hits_of(super::reference::scan, s)
}

/// Inputs the proptest below found once, kept so that every run checks them.
#[test]
fn scan_answers_as_before_on_found_inputs() {
    // `outfile(` is the file an INTO writes in both tokenisers, not a call
    for v in ["'outfile(--", "1 into outfile ('x')", "'; dumpfile(1)"] {
        assert_eq!(
            scan_hits(v.as_bytes()),
            reference_scan_hits(v.as_bytes()),
            "{v}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// The whole scan and the plain gate answer as their round-1 bodies, on
    /// SQL-ish text and on prose with SQL pieces in it.
    #[test]
    fn scan_answers_as_before(v in prop_oneof![sqlish(16), prose(16)]) {
        prop_assert_eq!(scan_hits(&v), reference_scan_hits(&v));
        prop_assert_eq!(
            super::fragments::glued_quote_logic(&v),
            super::reference::glued_quote_logic(&v)
        );
        prop_assert_eq!(literal_tautology(&v), before::literal_tautology(&v));
        let lower = v.to_ascii_lowercase();
        prop_assert_eq!(scan_hits(&lower), reference_scan_hits(&lower));
        prop_assert_eq!(
            plain_may_match(&lower),
            super::reference::plain::plain_may_match(&lower)
        );
    }
}

/// Weak keywords, trigger bytes and prose glue: the values the quiet gate
/// decides on, and their near misses.
const QUIET_PIECES: &[&str] = &[
    "and",
    "or",
    "not",
    "all",
    "as",
    "set",
    "from",
    "in",
    "is",
    "view",
    "table",
    "by",
    "null",
    "true",
    "end",
    "like",
    "select",
    "union",
    "order",
    "limit",
    "values",
    "sleep",
    "max",
    "exec",
    "isnull",
    "x",
    "tea",
    "unit",
    "week",
    "o'connell",
    "don't",
    "it's",
    "12",
    "50th",
    "0xab",
    "1e+",
    ".5",
    "(",
    ")",
    "(pack of 12)",
    "!",
    "!!",
    " ",
    " ",
    " ",
    ", ",
    ". ",
    ": ",
    ";",
    "-",
    "+",
    "&",
    "|",
    "*",
    "*/",
    "#4",
    "#",
    "@",
    "@x",
    "'",
    "\"",
    "`",
    "\\",
    "_",
    "$",
    "\u{a0}",
];

fn quiet_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        10 => proptest::sample::select(QUIET_PIECES).prop_map(|p| p.as_bytes().to_vec()),
        2 => proptest::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        1 => proptest::sample::select(QUIET_PIECES).prop_map(|p| p.to_ascii_uppercase().into_bytes()),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ]
}

/// Quiet pieces, joined by spaces or glued.
fn quietish(max: usize) -> impl Strategy<Value = Vec<u8>> {
    joined(quiet_piece(), max)
}

fn ungated_scan_hits(s: &[u8]) -> String {
    hits_of(super::scan_contexts, s)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8192))]

    /// Every value the quiet gate turns away scores nothing in the ungated
    /// scan and in the round-1 scan; the gated scan answers as both.
    #[test]
    fn quiet_values_score_nothing(v in prop_oneof![quietish(14), prose(16), sqlish(12)]) {
        let none = format!("{:?}", crate::detect::Hits::default());
        for v in [v.clone(), v.to_ascii_lowercase()] {
            if super::quiet::quiet(&v) {
                prop_assert_eq!(&ungated_scan_hits(&v), &none, "{:?}", String::from_utf8_lossy(&v));
                prop_assert_eq!(&reference_scan_hits(&v), &none);
            }
            prop_assert_eq!(scan_hits(&v), reference_scan_hits(&v));
        }
    }
}

#[test]
fn quiet_gate_passes_benign_values_and_stops_known_hits() {
    for v in [
        "gift wrap please, and include a note saying: happy birthday, love from all of us!",
        "it's a present for my mum's 50th birthday - no receipt in the box, please.",
        "don't leave it outside: it rained all week. try unit 7 instead!",
        "ring the bell twice; flat 12 is at the back of the building.",
        "leave with the neighbour at number 16 if nobody is home.",
        "oat and honey biscuits (pack of 12)",
        "margaret o'connell",
        "+353 1 555 0142",
        "m.oconnell@example.org",
        "2026-11-22t10:41:07z",
        "14 harbour view road",
        "earl grey loose leaf tea, 250 g",
        "it's for my mum and dad, thanks",
        "hi! how are you today",
    ] {
        assert!(super::quiet::quiet(v.as_bytes()), "{v}");
        assert_eq!(
            scan_hits(v.as_bytes()),
            reference_scan_hits(v.as_bytes()),
            "{v}"
        );
    }
    for v in [
        "1 and 2",
        "x' and 1=1",
        "black and white is good",
        "cats like cats",
        "1-false",
        "sum. (",
        "o'!",
        "x' and y - 1",
        "it's 5 and y is z",
        "' or xyz 5",
        "a',1)",
        "all @x",
        "5 all dogs from here",
        "0xabunion select",
        "1e+ and 5",
        "!!",
        "in (1,2)",
    ] {
        assert!(!super::quiet::quiet(v.as_bytes()), "{v}");
    }
}

/// The keyword table holds every word the round-1 `classify_word` reads
/// (its source is the list), each with the kind it gave, and nothing it
/// called a plain word but `isnull`; the table-driven one answers as it.
#[test]
fn keyword_table_matches_classify_word() {
    let src = include_str!("reference.rs");
    let body = &src[src.find("fn classify_word").unwrap()..src.find("fn tokenise").unwrap()];
    let mut seen = 0;
    // each literal opens with ` b"` or `(b"` and holds letters only
    for (p, _) in body
        .match_indices("b\"")
        .filter(|(p, _)| !body.as_bytes()[p - 1].is_ascii_alphanumeric())
    {
        let lit = &body[p + 2..];
        let w = &lit[..lit.find('"').unwrap()];
        assert!(super::keywords::lookup(w.as_bytes()).is_some(), "{w}");
        seen += 1;
    }
    assert_eq!(seen + 1, super::keywords::KEYWORDS.len());
    for (w, kind, _) in super::keywords::KEYWORDS {
        let upper = w.to_ascii_uppercase();
        assert!(super::keywords::lookup(&upper).is_some());
        let was = super::reference::classify_word(w);
        assert_eq!(was, kind, "{:?}", String::from_utf8_lossy(w));
        assert_eq!(was == Kind::Word, w == b"isnull");
        assert_eq!(classify_word(w), was);
        assert_eq!(
            classify_word(&upper),
            super::reference::classify_word(&upper)
        );
    }
}

/// The routine list behind `may_be_routine` is `func_risk`'s (its source is
/// the list), and the filter passes every name on it in any case.
#[test]
fn routine_filter_passes_every_routine_name() {
    let src = include_str!("tokens.rs");
    let body = &src[src.find("fn func_risk").unwrap()..src.find("/// Bytes of a word").unwrap()];
    let names = &super::keywords::FUNC_NAMES;
    let mut seen = 0;
    for (p, _) in body
        .match_indices("b\"")
        .filter(|(p, _)| !body.as_bytes()[p - 1].is_ascii_alphanumeric())
    {
        let lit = &body[p + 2..];
        let w = &lit[..lit.find('"').unwrap()];
        assert!(names.contains(&w.as_bytes()), "{w}");
        seen += 1;
    }
    assert_eq!(seen, names.len());
    for w in names {
        assert_ne!(func_risk(w), FuncRisk::Plain);
        assert!(super::keywords::may_be_routine(w));
        assert!(super::keywords::may_be_routine(&w.to_ascii_uppercase()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// The table-driven `classify_word` answers as the round-1 one on
    /// keywords, their case variants and near misses, and any bytes.
    #[test]
    fn classify_word_answers_as_before(
        w in prop_oneof![
            proptest::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
            proptest::sample::select(PIECES).prop_map(|p| p.to_ascii_uppercase().into_bytes()),
            (proptest::sample::select(PIECES), any::<u8>(), any::<prop::sample::Index>()).prop_map(
                |(p, b, at)| {
                    let mut v = p.as_bytes().to_vec();
                    let i = at.index(v.len() + 1);
                    v.insert(i, b);
                    v
                }
            ),
            proptest::collection::vec(any::<u8>(), 0..12),
        ]
    ) {
        prop_assert_eq!(classify_word(&w), super::reference::classify_word(&w));
    }
}
