//! Normalisation to a fixed point with a bound on passes.
//!
//! `decoded`: percent-decoding (incl. `%uXXXX` and overlong UTF-8), HTML entities,
//! `\uXXXX` / `\u{..}` / `\xHH` escapes, null bytes removed — repeated until nothing
//! changes or [`MAX_DECODE_PASSES`] is reached (case and spacing kept, the
//! tokenisers want them). `canon`: `decoded` further canonicalised — SQL block
//! comments to a space (MySQL `/*! */` keeps its body), whitespace runs folded (a run
//! containing a newline folds to `\n`, shells care), ASCII lowercase, fullwidth and
//! circled letters, typographic quotes and ideographic full stops mapped to ASCII, `\\` to `/` — repeated together with decoding until stable.
//! Every pass is linear and never grows its input, so the total work is bounded by
//! `(MAX_DECODE_PASSES + MAX_CANON_PASSES) * len`. No detection here.

/// Upper bound on decoding passes (each pass peels one encoding layer everywhere).
pub const MAX_DECODE_PASSES: u32 = 8;
/// Upper bound on canonicalisation rounds after decoding.
pub const MAX_CANON_PASSES: u32 = 4;

/// The normalised views of one value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalised {
    /// Fully decoded, case and spacing preserved.
    pub decoded: Vec<u8>,
    /// Decoded and canonicalised (lowercase, folded, comments removed).
    pub canon: Vec<u8>,
    /// Decoding passes that changed something (encoding layers peeled).
    pub layers: u32,
    /// True when both views reached their fixed point within the bounds.
    pub converged: bool,
    /// Bytes processed in total (a work counter for linear-time checks).
    pub work: u64,
}

/// Normalises `input` (already transport-decoded once by the caller where the
/// syntax says so, e.g. a query value).
pub fn normalise(input: &[u8]) -> Normalised {
    if only_lowercasing_applies(input) {
        // no decoder or canonicaliser step applies except ASCII lowercase
        return Normalised {
            decoded: input.to_vec(),
            canon: input.to_ascii_lowercase(),
            layers: 0,
            converged: true,
            work: input.len() as u64,
        };
    }
    normalise_full(input)
}

/// [`normalise`] without the shortcut for values only lowercasing changes.
fn normalise_full(input: &[u8]) -> Normalised {
    let mut n = Normalised::default();
    let mut cur = input.to_vec();
    let mut tmp = Vec::with_capacity(input.len());
    // nothing any decoder reacts to: the value is its own decoded form
    let mut decode_converged = !needs_decode(&cur);
    for _ in 0..MAX_DECODE_PASSES {
        if decode_converged {
            break;
        }
        n.work += cur.len() as u64;
        tmp.clear();
        decode_pass(&cur, &mut tmp);
        if tmp == cur {
            decode_converged = true;
            break;
        }
        n.layers += 1;
        std::mem::swap(&mut cur, &mut tmp);
    }
    n.decoded = cur.clone();
    let mut canon_converged = false;
    for _ in 0..MAX_CANON_PASSES {
        n.work += 2 * cur.len() as u64;
        tmp.clear();
        canon_pass(&cur, &mut tmp);
        let dec = if needs_decode(&tmp) {
            let mut dec = Vec::with_capacity(tmp.len());
            decode_pass(&tmp, &mut dec);
            dec
        } else {
            std::mem::take(&mut tmp)
        };
        if dec == cur {
            canon_converged = true;
            break;
        }
        cur = dec;
    }
    n.canon = cur;
    n.converged = decode_converged && canon_converged;
    n
}

/// True when only lowercasing would change `s`: printable ASCII without the
/// bytes decoders react to, no `/*` comment, no `\\`, no whitespace other
/// than single spaces; two-byte UTF-8 letters allowed (not a no-break space).
/// `&` and `%` are allowed where no decoder could start at them: `&` not
/// followed by `#` or a letter (`Smith & Sons`), `%` not followed by a hex
/// digit or `u` (`50% off`).
pub(crate) fn only_lowercasing_applies(s: &[u8]) -> bool {
    if s.len() < SHORT {
        return only_lowercasing_applies_short(s);
    }
    // folds without early exit over chunks, which the compiler vectorises;
    // a byte-by-byte loop with the previous byte carried costs ~1 ns a byte
    // printable ASCII but `\\` (always changed: to `/`); and the bytes of
    // two-byte UTF-8 letters (`é`, `ü`, `ø`: leads C2-DF, continuations
    // 80-BF), which both passes copy as they are, but not the overlong leads C0
    // and C1 (decoded) nor anything from E0 up (overlong leads E0/F0, and the
    // confusables `canon_pass` folds start at E2)
    let bad_byte = |b: u8| {
        let ascii = matches!(b, b' '..=b'~') & (b != b'\\');
        let two_byte = matches!(b, 0x80..=0xDF) & !matches!(b, 0xC0 | 0xC1);
        !(ascii | two_byte)
    };
    // a space after a space (a run to fold), `/*` (a comment), A0 after C2
    // or after ASCII (a no-break space, folded to a space), AD there too (a
    // soft hyphen, dropped), and an entity or a percent escape that could
    // start
    let bad_pair = |a: u8, b: u8| {
        (a == b' ') & (b == b' ')
            | (a == b'/') & (b == b'*')
            | ((a == 0xC2) | (a < 0x80)) & ((b == 0xA0) | (b == 0xAD))
            | (a == b'&') & opens_entity(b)
            | (a == b'%') & opens_percent_escape(b)
    };
    // a lone A0 first is a Latin-1 no-break space too, and a lone AD first a
    // Latin-1 soft hyphen (as the short path reads them: as if after ASCII)
    if matches!(s.first(), Some(&(0xA0 | 0xAD))) {
        return false;
    }
    // (a chunk holds most values whole: the vector loop's set-up is paid once)
    const CHUNK: usize = 256;
    let mut at = 0;
    while at < s.len() {
        let end = (at + CHUNK).min(s.len());
        let bytes = s[at..end].iter().fold(false, |m, &b| m | bad_byte(b));
        // the pairs ending in this chunk (the first one starts in the last)
        let from = at.saturating_sub(1);
        let pairs = s[from..end]
            .iter()
            .zip(&s[from + 1..end])
            .fold(false, |m, (&a, &b)| m | bad_pair(a, b));
        if bytes | pairs {
            return false;
        }
        at = end;
    }
    true
}

/// After `&`, a byte `decode_entity` could decode from (`&#..`, `&name`).
const fn opens_entity(b: u8) -> bool {
    (b == b'#') | b.is_ascii_alphabetic()
}

/// After `%`, a byte `decode_percent` could decode from (`%2f`, `%u002f`).
const fn opens_percent_escape(b: u8) -> bool {
    b.is_ascii_hexdigit() | (b == b'u') | (b == b'U')
}

/// Whether a `%` followed by `rest` opens no escape but is glued to a letter
/// or digit: classic ASP and IIS drop such a `%` from the value, so
/// `%S%E%L%E%C%T` reaches the application as `SELECT`. Not `%` + two hex
/// digits, not `%u` + four.
fn asp_drops_percent(rest: &[u8]) -> bool {
    let hex = |k: usize| rest.get(k).is_some_and(u8::is_ascii_hexdigit);
    rest.first().is_some_and(u8::is_ascii_alphanumeric)
        && !(hex(0) && hex(1))
        && !(matches!(rest[0], b'u' | b'U') && (1..5).all(hex))
}

/// `canon` with its other control characters (0x01-0x1F but tab, line
/// breaks, VT and FF, which the canonical view folds already) as blanks: SQL
/// Server's parser reads them as blanks (`union%0Fselect`). `None` when there
/// are none. A view of its own: the path checks read them as junk between
/// words (`..%01%25%35..`), which a blank would hide.
pub(crate) fn control_blank_view(canon: &[u8]) -> Option<Vec<u8>> {
    let control = |b: u8| matches!(b, 0x01..=0x08 | 0x0e..=0x1f);
    // (a fold without early exit: vectorised, and most values have none)
    if !canon.iter().fold(false, |m, &b| m | control(b)) {
        return None;
    }
    Some(
        canon
            .iter()
            .map(|&b| if control(b) { b' ' } else { b })
            .collect(),
    )
}

/// `canon` with the empty or short tags that split a word removed
/// (`o<x>nfocus`, `un<>ion`, `alert<x>(1)`, `sel</b>ect`), or `None` when
/// no tag sits between a letter or digit and a letter, digit or `(`. A
/// filter that strips markup (`strip_tags`, a sanitiser that drops unknown
/// tags) hands the application the word whole; text with markup between
/// words (`<b>bold</b> text`) is left as it is.
pub(crate) fn markup_stripped_view(canon: &[u8]) -> Option<Vec<u8>> {
    // the tag's bytes, `<` and `>` included: `<>`, `<x>`, `</b>`, `<br/>`
    fn tag_at(s: &[u8]) -> Option<usize> {
        let end = s.iter().take(12).position(|&b| b == b'>')?;
        s[1..end]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'/')
            .then_some(end + 1)
    }
    let word = |b: u8| b.is_ascii_alphanumeric();
    let splits = |p: usize| -> Option<usize> {
        if p == 0 || !word(canon[p - 1]) {
            return None;
        }
        let n = tag_at(&canon[p..])?;
        canon
            .get(p + n)
            .is_some_and(|&b| word(b) || b == b'(')
            .then_some(n)
    };
    let first = memchr::memchr_iter(b'<', canon).find(|&p| splits(p).is_some())?;
    let mut out = Vec::with_capacity(canon.len());
    out.extend_from_slice(&canon[..first]);
    let mut i = first;
    while i < canon.len() {
        if canon[i] == b'<'
            && let Some(n) = splits(i)
        {
            i += n;
        } else {
            out.push(canon[i]);
            i += 1;
        }
    }
    Some(out)
}

/// `canon` with every `%` that `asp_drops_percent` drops removed, when there
/// are at least two such: the value as classic ASP hands it over. One lone
/// `%` glued to a word is ordinary text (`50%off`) and changes no reading.
pub(crate) fn asp_view(canon: &[u8]) -> Option<Vec<u8>> {
    let drops = memchr::memchr_iter(b'%', canon)
        .filter(|&p| asp_drops_percent(&canon[p + 1..]))
        .count();
    if drops < 2 {
        return None;
    }
    let mut out = Vec::with_capacity(canon.len());
    for (p, &b) in canon.iter().enumerate() {
        if b != b'%' || !asp_drops_percent(&canon[p + 1..]) {
            out.push(b);
        }
    }
    Some(out)
}

/// Values shorter than this are checked by `only_lowercasing_applies_short`:
/// the vector loops below, with their pair fold, cost more on shorter ones
/// (an 80-byte sentence: ~650 instructions against ~600).
const SHORT: usize = 128;

/// `only_lowercasing_applies` for short values: one table entry a byte, the
/// previous byte's entry carried for the pairs.
fn only_lowercasing_applies_short(s: &[u8]) -> bool {
    // as if after ASCII: a lone A0 first is a no-break space
    let (mut prev, mut bad) = (1u16 << (PAIRS + 2), 0u16);
    for &b in s {
        let e = LOWER_ONLY[usize::from(b)];
        // a byte that needs more than lowercasing, or the second byte of a
        // pair whose first byte is `prev` (`prev >> PAIRS` also moves
        // `prev`'s own `LOWER_BAD` onto a first-byte bit: `bad` is then set
        // already)
        bad |= e & (prev >> PAIRS | LOWER_BAD);
        prev = e;
    }
    bad == 0
}

/// Kinds of byte pair `only_lowercasing_applies` refuses.
const PAIRS: u32 = 5;

/// Not lowercase-only on its own (see `only_lowercasing_applies`).
const LOWER_BAD: u16 = 1 << (2 * PAIRS);

/// Per byte for `only_lowercasing_applies_short`: `LOWER_BAD`; bit `k` when it
/// is the second byte of a refused pair of kind `k` and bit `PAIRS + k` when it
/// is the first. Kinds: 0 a space after a space, 1 `/*`, 2 A0 or AD after
/// C2 or after ASCII (a no-break space, a soft hyphen), 3 an entity after
/// `&`, 4 a percent escape after `%`.
const LOWER_ONLY: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let ascii = matches!(c, b' '..=b'~') && c != b'\\';
        let two_byte = matches!(c, 0x80..=0xDF) && !matches!(c, 0xC0 | 0xC1);
        if !(ascii || two_byte) {
            t[b] = LOWER_BAD;
        }
        if opens_entity(c) {
            t[b] |= 1 << 3;
        }
        if opens_percent_escape(c) {
            t[b] |= 1 << 4;
        }
        b += 1;
    }
    t[b' ' as usize] |= 1 | 1 << PAIRS;
    t[b'*' as usize] |= 1 << 1;
    t[b'/' as usize] |= 1 << (PAIRS + 1);
    t[0xA0] |= 1 << 2;
    // a soft hyphen (C2 AD) is dropped; a lone AD after ASCII is refused
    // too, which only sends it the long way
    t[0xAD] |= 1 << 2;
    t[0xC2] |= 1 << (PAIRS + 2);
    let mut a = 0;
    while a < 0x80 {
        t[a] |= 1 << (PAIRS + 2);
        a += 1;
    }
    t[b'&' as usize] |= 1 << (PAIRS + 3);
    t[b'%' as usize] |= 1 << (PAIRS + 4);
    t
};

/// Bytes `decode_pass` reacts to.
const DECODE_TRIGGER: [bool; 256] = {
    let mut t = [false; 256];
    t[0] = true;
    t[b'%' as usize] = true;
    t[b'&' as usize] = true;
    t[b'\\' as usize] = true;
    t[0xC0] = true;
    t[0xC1] = true;
    t[0xE0] = true;
    t[0xF0] = true;
    t
};

/// True when `decode_pass` could change `s` (it only reacts to these bytes).
fn needs_decode(s: &[u8]) -> bool {
    s.iter().any(|&b| DECODE_TRIGGER[usize::from(b)])
}

fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn hex_run(s: &[u8], max: usize) -> (u32, usize) {
    let mut v: u32 = 0;
    let mut n = 0;
    while n < max && n < s.len() {
        match hexval(s[n]) {
            Some(h) => {
                v = (v << 4) | u32::from(h);
                n += 1;
            }
            None => break,
        }
    }
    (v, n)
}

fn push_char(out: &mut Vec<u8>, cp: u32) {
    match char::from_u32(cp) {
        Some(c) => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        None => out.push(b'?'),
    }
}

/// Percent-decodes once (`plus`: `+` means space, as in query strings and forms).
/// Invalid escapes are kept literally. Never grows the input.
pub(crate) fn url_decode(src: &[u8], plus: bool, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < src.len() {
        let b = src[i];
        if b == b'%'
            && i + 2 < src.len()
            && let (Some(h), Some(l)) = (
                src.get(i + 1).and_then(|&c| hexval(c)),
                src.get(i + 2).and_then(|&c| hexval(c)),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(if plus && b == b'+' { b' ' } else { b });
        i += 1;
    }
}

/// One decoding pass over every supported encoding.
fn decode_pass(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        // copy the run up to the next byte a decoder reacts to in one go
        let run = s[i..]
            .iter()
            .position(|&b| DECODE_TRIGGER[usize::from(b)])
            .unwrap_or(s.len() - i);
        out.extend_from_slice(&s[i..i + run]);
        i += run;
        if i >= s.len() {
            break;
        }
        let b = s[i];
        match b {
            0 => i += 1,
            b'%' => i += decode_percent(&s[i..], out),
            b'&' => i += decode_entity(&s[i..], out),
            b'\\' => i += decode_backslash(&s[i..], out),
            0xC0 | 0xC1 | 0xE0 | 0xF0 => i += decode_overlong(&s[i..], out),
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
}

fn decode_percent(s: &[u8], out: &mut Vec<u8>) -> usize {
    if s.len() >= 3
        && let (Some(h), Some(l)) = (hexval(s[1]), hexval(s[2]))
    {
        let v = h << 4 | l;
        if v != 0 {
            out.push(v);
        }
        return 3;
    }
    // IIS-style %uXXXX
    if s.len() >= 6 && (s[1] == b'u' || s[1] == b'U') {
        let (v, n) = hex_run(&s[2..], 4);
        if n == 4 {
            if v != 0 {
                push_fold(out, v);
            }
            return 6;
        }
    }
    out.push(b'%');
    1
}

/// Pushes a code point, mapping fullwidth ASCII (U+FF01..FF5E) back to ASCII.
fn push_fold(out: &mut Vec<u8>, cp: u32) {
    if (0xFF01..=0xFF5E).contains(&cp) {
        out.push((cp - 0xFF01 + 0x21) as u8);
    } else {
        push_char(out, cp);
    }
}

fn decode_backslash(s: &[u8], out: &mut Vec<u8>) -> usize {
    if s.len() >= 2 {
        match s[1] {
            b'u' | b'U' => {
                if s.len() >= 3 && s[2] == b'{' {
                    let (v, n) = hex_run(&s[3..], 6);
                    if n > 0 && s.get(3 + n) == Some(&b'}') {
                        if v != 0 {
                            push_fold(out, v);
                        }
                        return 4 + n;
                    }
                } else {
                    let (v, n) = hex_run(&s[2..], 4);
                    if n == 4 {
                        if v != 0 {
                            push_fold(out, v);
                        }
                        return 6;
                    }
                }
            }
            b'x' | b'X' => {
                let (v, n) = hex_run(&s[2..], 2);
                if n == 2 {
                    if v != 0 {
                        out.push(v as u8);
                    }
                    return 4;
                }
            }
            // an octal escape of a printable ASCII character, as JavaScript,
            // PHP and C strings read it (`\141\154` is `al`, `\50` is `(`);
            // a Windows path's `\2024\` is not one (it would not be ASCII)
            b'0'..=b'7' => match s {
                [_, a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7', ..] => {
                    let v = (a - b'0') << 6 | (b - b'0') << 3 | (c - b'0');
                    if (0x20..0x7f).contains(&v) {
                        out.push(v);
                        return 4;
                    }
                }
                [_, a @ b'4'..=b'7', b @ b'0'..=b'7', rest @ ..]
                    if !rest.first().is_some_and(u8::is_ascii_digit) =>
                {
                    out.push((a - b'0') << 3 | (b - b'0'));
                    return 3;
                }
                _ => {}
            },
            _ => {}
        }
    }
    out.push(b'\\');
    1
}

/// Overlong UTF-8 (`C0 AE` for `.`, `E0 80 AF` for `/`) decodes to what a lax
/// decoder would produce, and a `C0` / `C1` lead before an ASCII byte is
/// dropped as a decoder that skips invalid bytes drops it. Valid sequences
/// are copied unchanged.
fn decode_overlong(s: &[u8], out: &mut Vec<u8>) -> usize {
    let cont = |i: usize| s.get(i).is_some_and(|&b| b & 0xC0 == 0x80);
    match s[0] {
        0xC0 | 0xC1 if cont(1) => {
            let v = (u32::from(s[0] & 0x1F) << 6) | u32::from(s[1] & 0x3F);
            if v != 0 {
                out.push(v as u8);
            }
            2
        }
        // a run of `C0` / `C1` before an ASCII byte (`%c0%2e%c0%2e%c0%2f`):
        // never valid UTF-8, and a decoder that skips invalid bytes reads the
        // ASCII byte alone (the whole run goes in one pass, so a second pass
        // finds nothing left to drop)
        0xC0 | 0xC1 => {
            let run = s.iter().take_while(|&&b| matches!(b, 0xC0 | 0xC1)).count();
            if s.get(run).is_some_and(u8::is_ascii) {
                run
            } else {
                out.push(s[0]);
                1
            }
        }
        0xE0 if cont(1) && cont(2) && s[1] < 0xA0 => {
            let v = (u32::from(s[1] & 0x3F) << 6) | u32::from(s[2] & 0x3F);
            if v != 0 {
                push_char(out, v);
            }
            3
        }
        0xF0 if cont(1) && cont(2) && cont(3) && s[1] < 0x90 => {
            let v = (u32::from(s[1] & 0x3F) << 12)
                | (u32::from(s[2] & 0x3F) << 6)
                | u32::from(s[3] & 0x3F);
            if v != 0 {
                push_char(out, v);
            }
            4
        }
        b => {
            out.push(b);
            1
        }
    }
}

const NAMED_ENTITIES: &[(&str, &str)] = &[
    ("lt", "<"),
    ("gt", ">"),
    ("amp", "&"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", " "),
    ("colon", ":"),
    ("semi", ";"),
    ("comma", ","),
    ("period", "."),
    ("lpar", "("),
    ("rpar", ")"),
    ("lsqb", "["),
    ("rsqb", "]"),
    ("lbrack", "["),
    ("rbrack", "]"),
    ("lcub", "{"),
    ("rcub", "}"),
    ("lbrace", "{"),
    ("rbrace", "}"),
    ("sol", "/"),
    ("bsol", "\\"),
    ("grave", "`"),
    ("tab", "\t"),
    ("newline", "\n"),
    ("excl", "!"),
    ("quest", "?"),
    ("num", "#"),
    ("dollar", "$"),
    ("percnt", "%"),
    ("equals", "="),
    ("plus", "+"),
    ("ast", "*"),
    ("verbar", "|"),
    ("vert", "|"),
    ("lowbar", "_"),
    ("hyphen", "-"),
    ("dash", "-"),
    ("commat", "@"),
    ("hat", "^"),
];

fn decode_entity(s: &[u8], out: &mut Vec<u8>) -> usize {
    if s.len() >= 3 && s[1] == b'#' {
        // browsers read any number of leading zeros (`&#0000000040;` is
        // `(`): they are skipped before the digits are counted
        let hex = s[2] == b'x' || s[2] == b'X';
        let first = if hex { 3 } else { 2 };
        let zeros = s[first..].iter().take_while(|&&b| b == b'0').count();
        let (v, digits) = if hex {
            hex_run(&s[first + zeros..], 7)
        } else {
            let d = &s[first + zeros..];
            let mut v: u32 = 0;
            let mut n = 0;
            while n < 8 && n < d.len() && d[n].is_ascii_digit() {
                v = v.saturating_mul(10).saturating_add(u32::from(d[n] - b'0'));
                n += 1;
            }
            (v, n)
        };
        let (n, start) = (zeros + digits, first);
        if n > 0 {
            let mut used = start + n;
            if s.get(used) == Some(&b';') {
                used += 1;
            }
            if v != 0 {
                push_fold(out, v);
            }
            return used;
        }
    } else {
        let mut n = 1;
        while n < s.len() && n <= 8 && s[n].is_ascii_alphabetic() {
            n += 1;
        }
        let name = &s[1..n];
        if !name.is_empty() {
            for (k, v) in NAMED_ENTITIES {
                if name.eq_ignore_ascii_case(k.as_bytes()) {
                    out.extend_from_slice(v.as_bytes());
                    return if s.get(n) == Some(&b';') { n + 1 } else { n };
                }
            }
        }
    }
    out.push(b'&');
    1
}

/// Maps circled letters/digits (U+24B6..U+24E9, U+2460..U+2468), fullwidth
/// ASCII, typographic quotes, ideographic and leader dots, and the division,
/// fraction and small reverse solidus slashes to ASCII (lowercased); returns
/// bytes consumed when `s` starts with one of them.
fn fold_confusable(s: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let (ascii, n) = confusable_ascii(s)?;
    out.push(ascii.to_ascii_lowercase());
    Some(n)
}

/// The ASCII byte a confusable at the start of `s` stands for (see
/// `fold_confusable`), with its length in bytes.
fn confusable_ascii(s: &[u8]) -> Option<(u8, usize)> {
    if s.len() < 3 {
        return None;
    }
    let cp = match (s[0], s[1], s[2]) {
        (0xE2, b1, b2) | (0xE3, b1, b2) | (0xEF, b1, b2)
            if b1 & 0xC0 == 0x80 && b2 & 0xC0 == 0x80 =>
        {
            (u32::from(s[0] & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F)
        }
        _ => return None,
    };
    let ascii = match cp {
        0x24B6..=0x24CF => b'A' + (cp - 0x24B6) as u8,
        0x24D0..=0x24E9 => b'a' + (cp - 0x24D0) as u8,
        0x2460..=0x2468 => b'1' + (cp - 0x2460) as u8,
        0x24EA => b'0',
        0xFF01..=0xFF5E => (cp - 0xFF01 + 0x21) as u8,
        0x2018 | 0x2019 | 0x2032 => b'\'',
        0x201C | 0x201D | 0x2033 => b'"',
        0x3002 | 0xFF61 | 0x2024 => b'.',
        // the separators Windows' best-fit mapping turns into `/` and `\`
        // (`..%u2215..%u2215`, `..%u2216`)
        0x2215 | 0x2044 => b'/',
        0x2216 | 0xFE68 => b'\\',
        _ => return None,
    };
    Some((ascii, 3))
}

/// `decoded` with its confusables (`fold_confusable`) mapped to the ASCII
/// they stand for and nothing else changed (case, blanks and escapes kept),
/// or `None` when it has none. The shell checks read the decoded view, where
/// case and spacing still mean what a shell makes of them; an application
/// that applies Unicode compatibility folding (NFKC) before it runs a
/// command turns `＄（id）` into `$(id)`.
pub(crate) fn confusable_view(decoded: &[u8]) -> Option<Vec<u8>> {
    // every confusable's UTF-8 starts with E2, E3 or EF; most text with
    // such a byte holds none (`’`, `–`, `€`, CJK) and allocates nothing
    let first = memchr::memchr3_iter(0xE2, 0xE3, 0xEF, decoded)
        .find(|&p| confusable_ascii(&decoded[p..]).is_some())?;
    let mut out = Vec::with_capacity(decoded.len());
    out.extend_from_slice(&decoded[..first]);
    let mut i = first;
    while i < decoded.len() {
        if let Some((b, n)) = confusable_ascii(&decoded[i..]) {
            out.push(b);
            i += n;
        } else {
            out.push(decoded[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The length of an invisible format character at the start of `s`: a
/// soft hyphen (U+00AD), the zero-width space, joiners and direction marks
/// (U+200B-U+200F), the bidirectional embeddings and isolates (U+202A-U+202E,
/// U+2066-U+2069), the word joiner and invisible operators (U+2060-U+2064)
/// and the byte-order mark (U+FEFF). Text renders them as nothing, so
/// `un\u{200b}ion` reads as `union`; they are dropped from the canonical view.
fn invisible_format_char(s: &[u8]) -> Option<usize> {
    match s {
        [0xC2, 0xAD, ..] => Some(2),
        [0xE2, 0x80, 0x8B..=0x8F | 0xAA..=0xAE, ..]
        | [0xE2, 0x81, 0xA0..=0xA4 | 0xA6..=0xA9, ..]
        | [0xEF, 0xBB, 0xBF, ..] => Some(3),
        _ => None,
    }
}

/// One canonicalisation pass (see module docs).
fn canon_pass(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    let mut pending_ws: Option<u8> = None;
    while i < s.len() {
        let b = s[i];
        // whitespace (incl. NBSP as C2 A0 or a lone A0)
        let ws_len = match b {
            b' ' | b'\t' | 0x0b | 0x0c => Some((1, b' ')),
            b'\r' | b'\n' => Some((1, b'\n')),
            0xC2 if s.get(i + 1) == Some(&0xA0) => Some((2, b' ')),
            // a lone A0 after ASCII (not a UTF-8 continuation): Latin-1's
            // no-break space, which MySQL's latin1 parser reads as a blank
            0xA0 if i == 0 || s[i - 1] < 0x80 => Some((1, b' ')),
            _ => None,
        };
        if let Some((n, kind)) = ws_len {
            pending_ws = Some(match pending_ws {
                Some(b'\n') => b'\n',
                _ => kind,
            });
            i += n;
            continue;
        }
        if b == b'/'
            && s.get(i + 1) == Some(&b'*')
            && let Some(end) = memchr::memmem::find(&s[i + 2..], b"*/")
        {
            let body = &s[i + 2..i + 2 + end];
            pending_ws.get_or_insert(b' ');
            if let Some(rest) = body.strip_prefix(b"!") {
                let rest = trim_digits(rest);
                flush_ws(out, &mut pending_ws);
                // versioned comment: MySQL executes the body
                for &c in rest {
                    out.push(if c == b'/' || c == b'*' {
                        b' '
                    } else {
                        c.to_ascii_lowercase()
                    });
                }
                pending_ws = Some(b' ');
            }
            i += 2 + end + 2;
            continue;
        }
        if let Some(n) = invisible_format_char(&s[i..]) {
            i += n;
            continue;
        }
        flush_ws(out, &mut pending_ws);
        if b >= 0xE2
            && let Some(n) = fold_confusable(&s[i..], out)
        {
            i += n;
            continue;
        }
        if b == b'\\' {
            // one path separator for matching (`..\windows\win.ini`)
            out.push(b'/');
        } else if b != 0 {
            out.push(b.to_ascii_lowercase());
        }
        i += 1;
    }
    flush_ws(out, &mut pending_ws);
}

fn trim_digits(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    &s[n..]
}

fn flush_ws(out: &mut Vec<u8>, pending: &mut Option<u8>) {
    if let Some(w) = pending.take() {
        match out.last_mut() {
            Some(last) if *last == b' ' && w == b'\n' => *last = b'\n',
            Some(b' ' | b'\n') => {}
            _ => out.push(w),
        }
    }
}

#[cfg(test)]
mod tests;
