//! Proof that the speed-ups change no output: the allocation-free leaf
//! checks against their earlier allocating bodies, and every early exit
//! against the path it skips, over strings built from SQL trigger bytes and
//! keywords with random bytes mixed in.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::fragments::{literal_tautology, open_call_fragment, operator_only, pg_cast};
use super::tokens::{FuncRisk, func_risk};

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
