//! The quiet gate: one pass over the bytes that proves `scan` would add
//! nothing, so prose, names, e-mails, dates and phone numbers skip the
//! tokeniser (run up to four times) and the shape scoring.
//!
//! The gate over-approximates every token stream `tokenise` can build from
//! the value, in every quote context at once: a keyword token is a run of
//! ASCII letters (or, right after a number, the tail of one), so looking up
//! every letter run, and every tail of a run glued to a digit, finds every
//! keyword any context could read. Symbols that open shapes on their own
//! (`=`, `<`, `>`, `?`, `--`, `/*`, `#`, `@@`, `::`, `||`, `&&`, `->`, `@>`)
//! send the value to the full scan on sight. What is left are words that
//! score only next to something, and each gets the check named where it is
//! read below; `quiet_values_score_nothing` in `equivalence.rs` holds the
//! gate to the ungated scan.

use super::keywords::{Gate, lookup, may_be_routine};
use super::tokens::{FuncRisk, func_risk, hash_opens_comment, is_word_byte, scan_string};

/// True when `scan(s)` cannot add a signal (see the module docs). False
/// says nothing: the full scan decides.
pub(super) fn quiet(s: &[u8]) -> bool {
    let n = s.len();
    // what the pass saw: any ASCII letter or digit so far, alphanumeric runs,
    // the quote bytes (one bit each), `@`, and the weak keyword classes
    let (mut alnum, mut runs, mut quotes, mut at) = (false, 0u32, 0u8, false);
    let (mut other, mut null, mut cmp, mut logic) = (false, false, false, false);
    // a logic operator let through for its left side alone
    let mut logic_left = false;
    let mut i = 0;
    while i < n {
        let b = s[i];
        match CLASS[usize::from(b)] {
            PLAIN => {
                i += 1;
                continue;
            }
            LETTER => {
                let start = i;
                i = run_end(s, i, LETTER);
                let glued = start > 0 && s[start - 1].is_ascii_digit();
                if !glued {
                    runs += 1;
                }
                match lookup(&s[start..i]) {
                    None | Some(Gate::Object | Gate::By) => {}
                    Some(Gate::Strong) => return false,
                    // `[RParen|Str|Num, Kw::Other, Word|Str, From]`: a select
                    // list tail (`fragments`) needs Other before From
                    Some(Gate::Other) => other = true,
                    Some(Gate::From) if other => return false,
                    Some(Gate::From) => {}
                    Some(Gate::Null) => null = true,
                    // a word comparison scores as the stream's first token
                    // (`in (1,2)`): some token holds the letter or digit
                    // before it, so it is not first
                    Some(Gate::CmpWord) if !alnum => return false,
                    Some(Gate::CmpWord) => cmp = true,
                    Some(Gate::Logic) => {
                        logic = true;
                        if !plain_word_after(s, i) {
                            if !left_is_weak(s, start) {
                                return false;
                            }
                            logic_left = true;
                        }
                    }
                }
                // after a number (`0xabunion`, `1union`) a token may start
                // inside the run: any keyword tail goes to the full scan
                if glued && (start + 1..i.saturating_sub(1)).any(|k| lookup(&s[k..i]).is_some()) {
                    return false;
                }
                alnum = true;
                continue;
            }
            DIGIT => {
                let start = i;
                i = run_end(s, i, DIGIT);
                // the run before, if any, is not a digit: a letter run glued to
                // these digits is the same alphanumeric run
                if start == 0 || !s[start - 1].is_ascii_alphabetic() {
                    runs += 1;
                }
                alnum = true;
                continue;
            }
            _ => {}
        }
        match b {
            b'\'' => quotes |= 1,
            b'"' => quotes |= 2,
            b'`' => quotes |= 4,
            b'(' if !plain_call_before(s, i) => return false,
            b'=' | b'<' | b'>' | b'?' => return false,
            b'-' if matches!(s.get(i + 1), Some(b'-' | b'>')) => return false,
            b'/' if s.get(i + 1) == Some(&b'*') => return false,
            b'|' | b'&' if s.get(i + 1) == Some(&b) => return false,
            b':' if s.get(i + 1) == Some(&b':') => return false,
            b'@' if matches!(s.get(i + 1), Some(b'@' | b'>')) => return false,
            b'@' => at = true,
            // a comment (`#` then no letter or digit, or a line break later
            // on, as the tokeniser reads it), or glued to a keyword
            b'#' if !s.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
                || hash_opens_comment(&s[i + 1..])
                || (i > 0 && is_word_byte(s[i - 1])) =>
            {
                return false;
            }
            // `!@` is one comparison token to the tokeniser (as `!=`, `!<`
            // and `!>` are, whose second byte is sent on sight)
            b'!' if s.get(i + 1) == Some(&b'@') => return false,
            // `!` is a logic operator; at the very end (`instead!`) it has
            // no operand after it and `tautology` returns on sight
            b'!' if !s[i..].iter().all(|&c| c == b'!' || is_space(c)) => {
                logic = true;
                if !plain_word_after(s, i + 1) {
                    if !left_is_weak(s, i) {
                        return false;
                    }
                    logic_left = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    alnum
        && !open_call_at_end(s)
        // `1-false`, `is null`, `1 is not 2`: the whole-value fragments and
        // literal comparisons with these words have at most four runs
        && !((null || cmp || logic) && runs <= 4)
        // with a quote, a logic operator follows a broken literal (every left
        // side is strong); next to a word comparison it opens `x and y is z`
        && !(logic_left && (quotes != 0 || cmp))
        // `set @x`: Kw::Other before a variable
        && !(other && at)
        && !(cmp && word_cmp_fragment(s))
        && [b'\'', b'"', b'`']
            .iter()
            .enumerate()
            .all(|(bit, &q)| quotes & (1 << bit) == 0 || quiet_after_break(s, q))
}

/// Byte classes of the pass: bytes that need nothing, letters, digits, and
/// the bytes the `match` in `quiet` reads.
const PLAIN: u8 = 0;
const LETTER: u8 = 1;
const DIGIT: u8 = 2;
const SPECIAL: u8 = 3;

const CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphabetic() {
            LETTER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if matches!(
            c,
            b'\''
                | b'"'
                | b'`'
                | b'('
                | b'='
                | b'<'
                | b'>'
                | b'?'
                | b'-'
                | b'/'
                | b'|'
                | b'&'
                | b':'
                | b'@'
                | b'#'
                | b'!'
        ) {
            SPECIAL
        } else {
            PLAIN
        };
        b += 1;
    }
    t
};

/// End of the run of bytes of class `class` that starts at `i` (a byte of it).
#[inline(always)]
fn run_end(s: &[u8], mut i: usize, class: u8) -> usize {
    i += 1;
    while i < s.len() && CLASS[usize::from(s[i])] == class {
        i += 1;
    }
    i
}

/// Whitespace as the tokeniser skips it between tokens.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0)
}

/// The token before a logic operator at `p` (unquoted: the gate sends
/// quoted values away when it relies on this) is not a number, a closed string
/// or `)`, and there is one: `tautology` then has a weak left side and,
/// with no comparison in the value, bumps nothing.
fn left_is_weak(s: &[u8], p: usize) -> bool {
    let mut k = p;
    while k > 0 && is_space(s[k - 1]) {
        k -= 1;
    }
    if k == 0 {
        return false;
    }
    match s[k - 1] {
        // `)`, a string, `*/` (skipped: the token before it counts)
        b')' | b'/' | b'\'' | b'"' | b'`' => false,
        // `1e+ and`: a number ends on its exponent sign
        b'+' | b'-' => !(k >= 2 && matches!(s[k - 2], b'e' | b'E')),
        c if is_word_byte(c) || c == b'.' => {
            // a word or number ends here: a number holds a digit
            let mut j = k;
            while j > 0 && (is_word_byte(s[j - 1]) || s[j - 1] == b'.') {
                j -= 1;
                if s[j].is_ascii_digit() {
                    return false;
                }
            }
            true
        }
        _ => true,
    }
}

/// The logic operator ending at `e` is followed by a plain word that is
/// neither a call nor followed by an operator, a comparison or a keyword:
/// then `tautology` has a `Word` operand and no operator after it, and
/// bumps nothing whatever stands on its left (a broken literal included).
fn plain_word_after(s: &[u8], e: usize) -> bool {
    let mut k = e;
    while k < s.len() && is_space(s[k]) {
        k += 1;
    }
    // the operand: a word that is no keyword (`and not`, `or null` fail)
    let Some(r) = letter_run_after(s, k) else {
        return false;
    };
    if lookup(&s[k..r]).is_some() {
        return false;
    }
    // the word token runs on over word bytes and inner dots (`m.smith`)
    let mut w = r;
    while w < s.len()
        && (is_word_byte(s[w]) || (s[w] == b'.' && s.get(w + 1).is_some_and(|&c| is_word_byte(c))))
    {
        w += 1;
    }
    while w < s.len() && is_space(s[w]) {
        w += 1;
    }
    match s.get(w) {
        None | Some(b'0'..=b'9' | b',' | b'.') => true,
        Some(c) if c.is_ascii_alphabetic() => {
            letter_run_after(s, w).is_some_and(|r| lookup(&s[w..r]).is_none())
        }
        _ => false,
    }
}

/// End of the run of ASCII letters at `k`, if one starts there.
fn letter_run_after(s: &[u8], k: usize) -> Option<usize> {
    if !s.get(k).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    Some(
        s[k..]
            .iter()
            .position(|c| !c.is_ascii_alphabetic())
            .map_or(s.len(), |p| k + p),
    )
}

/// The `(` at `p` follows no SQL builtin name: the tokeniser makes the word
/// before it (across spaces) a call, and only a non-plain call is read.
fn plain_call_before(s: &[u8], p: usize) -> bool {
    let mut k = p;
    while k > 0 && matches!(s[k - 1], b' ' | b'\t' | b'\n' | b'\r') {
        k -= 1;
    }
    if k == 0 || !is_word_byte(s[k - 1]) {
        return true;
    }
    let mut j = k;
    while j > 0 && is_word_byte(s[j - 1]) {
        j -= 1;
    }
    // `func_risk` reads the part after the last `.`; with no digit in it no
    // number ends inside it, so the call's name ends with all of it
    let base = &s[j..k];
    !base.iter().any(u8::is_ascii_digit)
        && (!may_be_routine(base) || func_risk(base) == FuncRisk::Plain)
}

/// The value ends in `(` (`open_call_fragment` reads the name before it).
fn open_call_at_end(s: &[u8]) -> bool {
    s.iter()
        .rev()
        .find(|&&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        == Some(&b'(')
}

/// A word comparison in a stream of at most four tokens: `) like (` (the
/// value opens with `)`, or `*/` skipped before it) and `x like '` (the
/// value ends in an empty open string).
fn word_cmp_fragment(s: &[u8]) -> bool {
    matches!(s.iter().find(|&&b| !is_space(b)), Some(b')' | b'*'))
        || matches!(s.last(), Some(b'\'' | b'"' | b'`'))
}

/// In the `q` context the broken-out literal is followed by nothing that
/// `triggers` or `break_shape` reads: not `,` `;` an operator, `!`, a
/// comparison or a keyword (after any `)`). Only asked for a `q` in `s`.
fn quiet_after_break(s: &[u8], q: u8) -> bool {
    let (end, closed) = scan_string(s, 0, q);
    if !closed {
        return true;
    }
    let mut i = end + 1;
    loop {
        match s.get(i) {
            Some(&b) if is_space(b) || b == b')' => i += 1,
            Some(b'*') if s.get(i + 1) == Some(&b'/') => i += 2,
            _ => break,
        }
    }
    match s.get(i) {
        Some(b) if b.is_ascii_alphabetic() => {
            let e = s[i..]
                .iter()
                .position(|c| !c.is_ascii_alphabetic())
                .map_or(s.len(), |p| i + p);
            lookup(&s[i..e]).is_none()
        }
        Some(
            b',' | b';' | b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'~' | b'|' | b'&' | b':'
            | b'!' | b'=' | b'<' | b'>' | b'?' | b'@' | b'#',
        ) => false,
        _ => true,
    }
}
