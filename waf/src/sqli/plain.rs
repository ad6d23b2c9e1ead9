//! The cheap gate for values with no SQL syntax bytes at all (no quotes,
//! operators or brackets): only a few word shapes can still be SQL there — a
//! bare operator word (`XOR`, `RLIKE`, `IS NULL`), a logic word next to a
//! literal (`9999 or true`, `or 88`), a literal comparison spelled in words
//! (`42 like 42`, `1 is not 2`), a `CASE WHEN … THEN` expression, a stored
//! procedure call (`exec master.x`). One pass over the words, no allocation;
//! the SQL scan runs only when this says yes.

fn is_literal(w: &[u8]) -> bool {
    (!w.is_empty() && w.iter().all(u8::is_ascii_digit)) || matches!(w, b"true" | b"false" | b"null")
}

/// True when a plain (already lowercased, canonical) value has a word shape
/// the SQL scan could score.
pub(crate) fn plain_may_match(s: &[u8]) -> bool {
    // a PostgreSQL cast (`password::int`) has no byte of the syntax gate
    if memchr::memchr_iter(b':', s).any(|p| s.get(p + 1) == Some(&b':')) {
        return true;
    }
    // `@@version`, `declare @b`: variables (`@` is no syntax byte: e-mail)
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
            // `1-false`: a number next to a boolean / NULL literal
            b"true" | b"false" | b"null" if !prev.is_empty() && is_literal(prev) => return true,
            _ => {}
        }
        prev = w;
        first = false;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::plain_may_match;

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
