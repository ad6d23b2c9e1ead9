//! The cheap gate for values with no SQL syntax bytes at all (no quotes,
//! operators or brackets): only a few word shapes can still be SQL there — a
//! bare operator word (`XOR`, `RLIKE`, `IS NULL`), a logic word next to a
//! literal (`9999 or true`, `or 88`), a literal comparison spelled in words
//! (`42 like 42`, `1 is not 2`), a `CASE WHEN … THEN` expression, a stored
//! procedure call (`exec master.x`). One pass over the words, no allocation;
//! the SQL scan runs only when this says yes.

/// True when a plain (already lowercased, canonical) value has a word shape
/// the SQL scan could score.
pub(crate) fn plain_may_match(s: &[u8]) -> bool {
    // one pass: the words (runs of letters, digits and `_`), a PostgreSQL
    // cast (`password::int`: no byte of the syntax gate) and `@` (`@@version`
    // answers at once; `declare @b` is looked for after the pass, `@` alone
    // being an e-mail)
    let mut prev = Word::Other;
    let mut first = true;
    let mut at = false;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if is_word_byte(b) {
            let start = i;
            i += 1;
            while i < s.len() && is_word_byte(s[i]) {
                i += 1;
            }
            let w = Word::of(&s[start..i]);
            if w.may_match_after(prev, first) {
                return true;
            }
            prev = w;
            first = false;
            continue;
        }
        match b {
            b':' if s.get(i + 1) == Some(&b':') => return true,
            b'@' if s.get(i + 1) == Some(&b'@') => return true,
            b'@' => at = true,
            _ => {}
        }
        i += 1;
    }
    at && memchr::memchr_iter(b'd', s).any(|p| s[p..].starts_with(b"declare"))
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    #[inline(always)]
    fn of(w: &[u8]) -> Self {
        match w {
            [b'0'..=b'9', ..] if w.iter().all(u8::is_ascii_digit) => Self::Number,
            // every named word is 2 to 7 bytes long, and no two share their
            // first two bytes and length: those pick the one word to compare
            [a, b, ..] if w.len() <= 7 => {
                let (name, word): (&[u8], Self) = match (a, b, w.len()) {
                    (b'x', b'o', 3) => (b"xor", Self::Operator),
                    (b'r', b'l', 5) => (b"rlike", Self::Operator),
                    (b'r', b'e', 6) => (b"regexp", Self::Operator),
                    (b'n', b'o', 7) => (b"notnull", Self::Operator),
                    (b'i', b's', 6) => (b"isnull", Self::Operator),
                    (b'w', b'h', 4) => (b"when", Self::When),
                    (b't', b'h', 4) => (b"then", Self::Then),
                    (b'c', b'a', 4) => (b"case", Self::Case),
                    (b'o', b'r', 2) => (b"or", Self::Logic),
                    (b'a', b'n', 3) => (b"and", Self::Logic),
                    (b'l', b'i', 4) => (b"like", Self::Logic),
                    (b'i', b's', 2) => (b"is", Self::Logic),
                    (b'n', b'o', 3) => (b"not", Self::Not),
                    (b't', b'r', 4) => (b"true", Self::Constant),
                    (b'f', b'a', 5) => (b"false", Self::Constant),
                    (b'n', b'u', 4) => (b"null", Self::Constant),
                    _ => return Self::Other,
                };
                // the first two bytes are equal already
                if w[2..].iter().zip(&name[2..]).all(|(x, y)| x == y) {
                    word
                } else {
                    Self::Other
                }
            }
            _ => Self::Other,
        }
    }

    /// `of` as a plain match on the whole word (the reference for `of`).
    #[cfg(test)]
    fn of_by_match(w: &[u8]) -> Self {
        match w.first() {
            Some(b'0'..=b'9') if w.iter().all(u8::is_ascii_digit) => Self::Number,
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

#[cfg(test)]
mod tests {
    use super::{Word, plain_may_match};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// `Word::of` picks its candidate by the first two bytes and the
        /// length; it must name exactly the words the plain match names.
        #[test]
        fn word_of_matches_the_plain_match(
            w in prop_oneof![
                2 => proptest::sample::select(vec![
                    "xor", "rlike", "regexp", "notnull", "isnull", "when", "then", "case", "or",
                    "and", "like", "is", "not", "true", "false", "null", "nul", "nulls", "xo",
                    "an", "andy", "isn", "isnul", "no", "note", "th", "wh", "ca", "fa", "tr",
                ]).prop_map(String::from),
                2 => "[a-z0-9_]{1,8}",
                1 => "[0-9]{1,4}[a-z]?",
            ]
        ) {
            prop_assert_eq!(Word::of(w.as_bytes()), Word::of_by_match(w.as_bytes()), "{}", w);
        }
    }

    #[test]
    fn plain_may_match_sql_word_shapes_true() {
        for v in [
            "xor",
            "is null",
            "9999 or  true",
            "or 88",
            "42 like 42",
            "1 is not 2",
        ] {
            assert!(plain_may_match(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn named_words_pass_the_first_letter_filter() {
        for w in [
            "xor", "rlike", "regexp", "notnull", "isnull", "when", "then", "case", "or", "and",
            "like", "is", "not", "true", "false", "null",
        ] {
            assert!(super::Word::of(w.as_bytes()) != super::Word::Other, "{w}");
        }
    }

    #[test]
    fn plain_may_match_prose_false() {
        for v in [
            "black and white",
            "this or that",
            "two or three apples",
            "it is what it is",
        ] {
            assert!(!plain_may_match(v.as_bytes()), "{v}");
        }
    }
}
