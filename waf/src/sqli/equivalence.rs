//! Proof that the speed-ups change no output: the allocation-free leaf
//! checks against their earlier allocating bodies, and every early exit
//! against the path it skips, over strings built from SQL trigger bytes and
//! keywords with random bytes mixed in.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::fragments::{literal_tautology, open_call_fragment, operator_only, pg_cast};
use super::tokens::{FuncRisk, Kind, Kw, Stmt, Toks, func_risk, tokenise};
use super::{score, score_stream};

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
    //! The bodies as they were before the speed-up (allocating), verbatim.
    use super::{FuncRisk, func_risk};

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
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn leaf_checks_answer_as_before(v in sqlish(8)) {
        prop_assert_eq!(open_call_fragment(&v), before::open_call_fragment(&v));
        prop_assert_eq!(operator_only(&v), before::operator_only(&v));
        prop_assert_eq!(literal_tautology(&v), before::literal_tautology(&v));
        prop_assert_eq!(pg_cast(&v), before::pg_cast(&v));
    }
}

#[test]
fn leaf_checks_answer_as_before_on_known_hits() {
    for v in [
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

    /// The gate in `score` turns a stream away only when the full scoring
    /// would have found nothing, for any stream of kinds.
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
        prop_assert_eq!(score(&t, quoted, empty_break), score_stream(&t, quoted, empty_break));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// The same over what the tokeniser makes of SQL-ish text in each context.
    #[test]
    fn score_gate_skips_only_tokenised_values_that_score_nothing(v in sqlish(12)) {
        let mut toks = Toks::new(Kind::Other);
        for q in [None, Some(b'\''), Some(b'"'), Some(b'`')] {
            toks.clear();
            tokenise(&v, q, &mut toks);
            let t = toks.as_slice();
            let empty_break = q.is_some() && v.first() == q.as_ref();
            prop_assert_eq!(
                score(t, q.is_some(), empty_break),
                score_stream(t, q.is_some(), empty_break)
            );
        }
    }
}

/// Every kind `may_score` does not treat as a trigger on sight.
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
                assert_eq!(
                    score(&t, quoted, empty_break),
                    score_stream(&t, quoted, empty_break),
                    "{t:?} quoted={quoted} empty_break={empty_break}"
                );
            }
        }
    }
}

#[test]
fn score_gate_passes_the_quiet_quoted_shapes() {
    let mut toks = Toks::new(Kind::Other);
    for v in ["x',1)", "x';", "abc'+1", "x')) ;", "a',null)"] {
        toks.clear();
        tokenise(v.as_bytes(), Some(b'\''), &mut toks);
        let t = toks.as_slice();
        let full = score_stream(t, true, false);
        assert!(full.0 > 0, "{v}: {full:?}");
        assert_eq!(score(t, true, false), full, "{v}");
    }
}
