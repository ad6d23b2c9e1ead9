//! Literal signals (one Aho-Corasick automaton built once per profile compile) and
//! small structural checks that are not worth a tokeniser: PHP function calls and
//! serialized objects, log4j lookup resolution, NoSQL operators, XXE declarations,
//! shellshock, CRLF / header injection, template injection and prototype pollution.
//! All matching runs over the canonical (lowercase, decoded) view. Literals are
//! class markers (package prefixes, wrapper schemes, dangerous function names,
//! sensitive file names), never copies of known payloads.
//!
//! Cost on benign values: one pass over the bytes runs the literal sieve (a
//! few KB of tables proving that no literal occurs) and records which
//! structural trigger bytes occur; the DFA tally and each structural check run
//! only when that pass says they can find something.

mod gate;
mod literals;
mod php;
#[cfg(test)]
pub(crate) mod reference;
mod sieve;
mod structural;
#[cfg(test)]
mod tests;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

use crate::detect::{Field, Hits};
use gate::Gates;
use literals::LITERALS;
use php::{php_calls, php_serialized};
use sieve::Sieve;

/// Values at least this long are walked as two interleaved halves.
const SPLIT_MIN: usize = 64;
use structural::{
    crlf, freemarker_new, ldap_filter, log4j, mongo_shell, nosql_name, nosql_text,
    razor_expression, shellshock, template, xml_declared_utf7, xpath_union, xxe,
};

/// The compiled literal automaton. Immutable, shared by all requests.
pub(crate) struct Rules {
    /// A full DFA (one table lookup per byte, no failure transitions), built
    /// without a prefilter so that only match states are special.
    dfa: DFA,
    /// The prefilter that keeps benign values away from `dfa`.
    sieve: Sieve,
}

#[derive(Debug, thiserror::Error)]
/// The literal automaton could not be built.
#[error("building the literal automaton: {0}")]
pub struct RulesError(#[from] aho_corasick::BuildError);

impl Rules {
    pub(crate) fn build() -> Result<Rules, RulesError> {
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(LITERALS.iter().map(|l| l.0))?;
        let sieve = Sieve::build(LITERALS.iter().map(|l| l.0.as_bytes()));
        Ok(Rules { dfa, sieve })
    }

    /// Payload markers that no value of a structurally constrained header
    /// (`Accept`, `Authorization`, caching and framing headers) ever holds: a
    /// log4j lookup and a shellshock function definition. Log4Shell scanners
    /// spray every header, and applications log these ones too. `raw` is the
    /// header value as sent; it is normalised only when it holds a byte a
    /// marker or an encoding of one needs (`$`, `(`, `%`, `&`, `\\`), which
    /// ordinary values of these headers do not.
    pub(crate) fn header_markers(raw: &[u8], hits: &mut Hits) {
        if memchr::memchr3(b'$', b'(', b'%', raw).is_none()
            && memchr::memchr2(b'&', b'\\', raw).is_none()
        {
            return;
        }
        let n = crate::normalise::normalise(raw);
        log4j(&n.canon, hits);
        shellshock(&n.canon, hits);
    }

    /// Scores the canonical view `s`.
    pub(crate) fn scan(&self, s: &[u8], field: Field, hits: &mut Hits) {
        self.scan_own(s, field, hits);
        crate::code::scan(s, field, hits);
    }

    /// Literals and structural checks: everything [`Rules::scan`] adds except
    /// the code-injection detector.
    pub(crate) fn scan_own(&self, s: &[u8], field: Field, hits: &mut Hits) {
        let (gates, maybe) = self.sieve.scan(s);
        // sound: `maybe == false` proves that no literal occurs in `s`
        // (sieve.rs), and the tally only acts on literal matches; past the
        // sieve, the cheaper walk of the DFA decides as before the sieve
        if maybe && self.any_literal(s) {
            self.literals(s, hits);
        }
        structural(s, field, gates, hits);
    }

    /// Whether the DFA enters a special state anywhere in `s`; without a
    /// prefilter the special states are the match states and the dead state,
    /// so `false` means no literal occurs in `s` and the tally would add
    /// nothing (it only acts on matches).
    fn any_literal(&self, s: &[u8]) -> bool {
        let Ok(start) = self.dfa.start_state(Anchored::No) else {
            // unreachable: the builder's default start kind is unanchored
            return true;
        };
        // Each step waits for the previous one's table load, so a long value
        // is walked as two independent halves. A literal ending at or before
        // `mid` is seen by the first walk (it reads every byte before it); one
        // ending after `mid` starts after `mid - overlap` (no literal is
        // longer than `overlap + 1` bytes) and is seen by the second walk,
        // which starts there. Both walks together read every byte.
        let overlap = self.dfa.max_pattern_len().saturating_sub(1);
        if s.len() < SPLIT_MIN.max(2 * overlap) {
            return self.walk_one(start, s);
        }
        let mid = (s.len() + overlap) / 2;
        let (a, b) = (&s[..mid], &s[mid - overlap..]);
        let (mut sa, mut sb) = (start, start);
        let mut special = false;
        for (&x, &y) in a.iter().zip(b) {
            sa = self.dfa.next_state(Anchored::No, sa, x);
            sb = self.dfa.next_state(Anchored::No, sb, y);
            special |= self.dfa.is_special(sa) | self.dfa.is_special(sb);
        }
        special || self.walk_one(sb, &b[a.len().min(b.len())..])
    }

    fn walk_one(&self, mut sid: StateID, s: &[u8]) -> bool {
        let mut special = false;
        for &b in s {
            sid = self.dfa.next_state(Anchored::No, sid, b);
            special |= self.dfa.is_special(sid);
        }
        special
    }

    /// The literal tally. Matches are visited in the order of an overlapping
    /// search (by end offset, then in the match state's pattern order), which
    /// decides the `seen` aliasing of ids 128 apart and the id kept on ties.
    fn literals(&self, s: &[u8], hits: &mut Hits) {
        let Ok(mut sid) = self.dfa.start_state(Anchored::No) else {
            // unreachable: the builder's default start kind is unanchored
            return;
        };
        let mut seen: u128 = 0;
        let mut best = [0u32; crate::verdict::SCORED_CLASSES];
        let mut count = [0u32; crate::verdict::SCORED_CLASSES];
        let mut ids = [""; crate::verdict::SCORED_CLASSES];
        for (at, &b) in s.iter().enumerate() {
            sid = self.dfa.next_state(Anchored::No, sid, b);
            if !self.dfa.is_match(sid) {
                continue;
            }
            for k in 0..self.dfa.match_len(sid) {
                let pid = self.dfa.match_pattern(sid, k).as_usize();
                let (lit, class, id, w, boundary) = LITERALS[pid];
                let start = at + 1 - lit.len();
                if boundary
                    && start > 0
                    && (s[start - 1].is_ascii_alphanumeric() || s[start - 1] == b'_')
                {
                    continue;
                }
                if !literal_holds(id, s, start, at + 1) {
                    continue;
                }
                let bit = 1u128 << (pid % 128);
                if seen & bit != 0 {
                    continue;
                }
                seen |= bit;
                let Some(ci) = class.score_index() else {
                    continue;
                };
                // several distinct literals of one class add up, capped at +2 beyond the best
                count[ci] += 1;
                if w > best[ci] {
                    best[ci] = w;
                    ids[ci] = id;
                }
            }
        }
        for c in crate::verdict::Class::ALL {
            if let Some(ci) = c.score_index()
                && best[ci] > 0
            {
                hits.add(*c, ids[ci], best[ci] + (count[ci] - 1).min(2));
            }
        }
    }
}

/// Whether the literal with `id` found at `s[start..end]` counts. Most
/// literals always count; a few need their surroundings:
/// - a Java package prefix that only names an exception or a stack frame
///   does not ([`java_name_mentioned`]);
/// - ` http/` counts only as the end of a request line (`get /x http/1.1`):
///   a request written into a value is what a smuggling payload carries;
/// - `unix:` counts only as the start of the `unix:…|scheme://` form with
///   which an Apache `mod_proxy` back end is redirected to any host.
pub(crate) fn literal_holds(id: &str, s: &[u8], start: usize, end: usize) -> bool {
    match id {
        "java-class" => !java_name_mentioned(s, end),
        "protocol-smuggling" if s[start..end].ends_with(b"http/") => {
            request_line_before(s, start, end)
        }
        "ssrf-scheme" if s[start..end].ends_with(b"unix:") => unix_socket_proxy(&s[end..]),
        "lfi-sensitive-file" => {
            let m = &s[start..end];
            let another_name =
                (m.starts_with(b"etc/") || m.ends_with(b"_log")) && name_goes_on(s, end);
            !(another_name || path_in_prose(s, start, end))
        }
        "generic-python" if s[start..end].starts_with(b"os.") => called(&s[end..]),
        _ => true,
    }
}

/// The file name found just before `end` goes on as a longer name: a file
/// of `/etc` named so (`src/etc/passwd_hash.rs`, `etc/hostsfile`) is
/// another file, and a log's name that goes on is a setting's
/// (`access_logs.s3.enabled`, `error_logging`). (Only there: CRS counts an
/// upload named `wp-config_php.txt` as the configuration file it copies.)
fn name_goes_on(s: &[u8], end: usize) -> bool {
    end > 0
        && s[end - 1].is_ascii_alphanumeric()
        && s.get(end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A call follows a function's name (`os.system('id')`, `os.popen2 (x)`):
/// named without one (`os.html#os.system`, a documentation link) it runs
/// nothing.
fn called(rest: &[u8]) -> bool {
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    rest[digits..].trim_ascii_start().starts_with(b"(")
}

/// Whether the file name or path found at `s[start..end]` is mentioned in a
/// sentence (`my config is in /etc/nginx/nginx.conf and it looks fine`,
/// `where is /etc/passwd documented?`) rather than given as a path: the word
/// it stands in is a plain path (letters, digits, `/ . _ - ~`, no `..`, no
/// escapes, no scheme), at most in double quotes, backticks or brackets and
/// followed by a mark that ends a clause, and three or more plain words
/// stand beside it on the same line, separated by single blanks. A file API
/// opens the value as one name, so words around a path make it a name no
/// system has; a command, SQL or a template that reads the file is caught
/// by its own detector (`cat /etc/passwd and ls` is still a command). A path
/// in `'…'` or followed by `;` is left alone: that is SQL's literal and
/// statement end (`copy t from '/etc/passwd';`).
fn path_in_prose(s: &[u8], start: usize, end: usize) -> bool {
    const REACH: usize = 256;
    let from = start.saturating_sub(REACH);
    let word_start = match s[from..start].iter().rposition(|&b| b == b' ') {
        Some(p) => from + p + 1,
        None if from == 0 => 0,
        None => return false,
    };
    let word_end = match s[end..].iter().take(REACH).position(|&b| b == b' ') {
        Some(p) => end + p,
        None if s.len() - end <= REACH => s.len(),
        None => return false,
    };
    let word = &s[word_start..word_end];
    let word = match word.first() {
        Some(b'"' | b'`' | b'(') => &word[1..],
        _ => word,
    };
    let trail = word
        .iter()
        .rev()
        .take(2)
        .take_while(|b| matches!(b, b'.' | b',' | b':' | b'!' | b'?' | b')' | b'"' | b'`'))
        .count();
    let path = &word[..word.len() - trail];
    let plain_path = !path.is_empty()
        && path
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'~'))
        && memchr::memmem::find(path, b"..").is_none();
    if !plain_path {
        return false;
    }
    let before = prose_words(s[..word_start].rsplit(|&b| b == b' ').skip(1));
    let after = prose_words(s[word_end..].split(|&b| b == b' ').skip(1));
    before + after >= 3
}

/// How many of `words` (up to three), in order, are plain words of a sentence:
/// letters with at most one inner apostrophe or hyphen and one closing
/// punctuation mark (`it's`, `well-known`, `fine,`, `documented?`). Counting
/// stops at the first word that is not one, and at a line break.
fn prose_words<'a>(words: impl Iterator<Item = &'a [u8]>) -> usize {
    words
        .take(3)
        .take_while(|w| {
            let w = match w.last() {
                Some(b'.' | b',' | b';' | b':' | b'!' | b'?') => &w[..w.len() - 1],
                _ => w,
            };
            !w.is_empty()
                && w.first().is_some_and(u8::is_ascii_alphabetic)
                && w.last().is_some_and(u8::is_ascii_alphabetic)
                && w.iter()
                    .all(|b| b.is_ascii_alphabetic() || matches!(b, b'\'' | b'-'))
                && w.iter().filter(|b| !b.is_ascii_alphabetic()).count() <= 1
        })
        .count()
}

/// `s[start..end]` (` http/`) follows `METHOD target`, the target shaped as
/// one, and a version digit follows it.
fn request_line_before(s: &[u8], start: usize, end: usize) -> bool {
    const METHODS: &[&[u8]] = &[
        b"get",
        b"post",
        b"head",
        b"put",
        b"delete",
        b"options",
        b"connect",
        b"trace",
        b"patch",
        b"propfind",
        b"proppatch",
        b"mkcol",
        b"copy",
        b"move",
        b"lock",
        b"unlock",
    ];
    if !s.get(end).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    // the line ends after the version (`HTTP/1.1`, `HTTP/2`): a smuggled
    // request's headers start on the next line; a log line quoted in a
    // sentence goes on (`GET /x HTTP/1.1 200 but the page is blank`)
    let version = s[end..]
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    let rest = &s[end + version..];
    let blanks = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    // a line break, raw or written as an escape (`\r\n`), or the value's end
    if !matches!(
        &rest[blanks..],
        [] | [b'\r' | b'\n', ..] | [b'\\', b'r' | b'n', ..]
    ) {
        return false;
    }
    let before = &s[..start];
    let target_start = before
        .iter()
        .rposition(|b| b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    if target_start == start || target_start == 0 {
        return false;
    }
    // a target as RFC 9112 §3.2 has them: origin (`/x`), absolute
    // (`http://h/x`), authority (`h:443`, CONNECT) or asterisk (`*`)
    let target = &before[target_start..];
    let target_shaped = target.starts_with(b"/")
        || memchr::memmem::find(target, b"://").is_some()
        || target == b"*"
        || target.contains(&b':') && target[0].is_ascii_alphanumeric();
    if !target_shaped {
        return false;
    }
    let method_end = target_start - 1;
    let method_start = before[..method_end]
        .iter()
        .rposition(|b| !b.is_ascii_alphabetic())
        .map_or(0, |p| p + 1);
    METHODS.contains(&&before[method_start..method_end])
}

/// After `unix:`: a socket path, then `|` and a URL scheme (`unix:/run/x.sock|http://host/`).
fn unix_socket_proxy(rest: &[u8]) -> bool {
    let Some(bar) = memchr::memchr(b'|', rest) else {
        return false;
    };
    let after = &rest[bar + 1..];
    let scheme = after.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    scheme >= 2 && after[scheme..].starts_with(b"://")
}

/// A Java class named the way a stack trace or an error message names it,
/// not used: `java.lang.NullPointerException`, `java.io.IOException: closed`,
/// or a frame, `at org.hibernate.loader.Loader.doQuery(Loader.java:912)`.
/// `end` is where the package prefix the automaton matched ends. An exception
/// or error class runs no code by being named, and a frame (`(File.java:N)`,
/// `(Native Method)`, `(Unknown Source)`) is no expression a template or
/// deserialiser evaluates; support tickets and bug reports carry both.
pub(crate) fn java_name_mentioned(s: &[u8], end: usize) -> bool {
    let rest = &s[end.min(s.len())..];
    let len = rest
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.'))
        .count();
    let name = rest[..len].trim_ascii_end();
    let name = &name[..name.iter().rposition(|&b| b != b'.').map_or(0, |p| p + 1)];
    let last = name.rsplit(|&b| b == b'.').next().unwrap_or(b"");
    if last.len() > 5 && (last.ends_with(b"exception") || last.ends_with(b"error")) {
        return true;
    }
    // a frame: `.method(` then `File.java:123)` or a JVM marker
    let Some(args) = rest[len..].strip_prefix(b"(") else {
        return false;
    };
    if args.starts_with(b"native method)") || args.starts_with(b"unknown source)") {
        return true;
    }
    let file = args
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$'))
        .count();
    let Some(line) = args[file..].strip_prefix(b".java:") else {
        return false;
    };
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    file > 0 && digits > 0 && line.get(digits) == Some(&b')')
}

/// The structural checks, each behind the bytes it cannot do without. Every
/// gate is sound because the check adds nothing unless it finds a piece that
/// contains all of the gate's bytes (named on each gate).
fn structural(s: &[u8], field: Field, g: Gates, hits: &mut Hits) {
    if g.has(Gates::PAREN) {
        // scores only at a `(`
        php_calls(s, hits);
        // `db.x.find(`: a call
        mongo_shell(s, hits);
        // `() {`, `(){`, `() { :;`, `(){:;`
        if g.has(Gates::CLOSE_PAREN.and(Gates::BRACE)) {
            shellshock(s, hits);
        }
        // scores only at a `(`
        ldap_filter(s, hits);
        // needs `@(` and `)`
        if g.has(Gates::CLOSE_PAREN) {
            razor_expression(s, hits);
        }
        // needs `?new(`
        if g.has(Gates::QUESTION) {
            freemarker_new(s, hits);
        }
    }
    if g.has(Gates::CLOSE_BRACKET) {
        // needs `']` or `"]`
        xpath_union(s, hits);
    }
    if g.has(Gates::COLON) {
        // walks the `:` positions only
        php_serialized(s, hits);
    }
    if g.has(Gates::DOLLAR.and(Gates::BRACE)) {
        // returns at once without a `${`
        log4j(s, hits);
    }
    nosql_name(s, field, hits);
    if g.has(Gates::DOLLAR.and(Gates::COLON)) || g.has(Gates::SEMI) {
        nosql_text(
            s,
            g.has(Gates::DOLLAR.and(Gates::COLON)),
            g.has(Gates::SEMI),
            hits,
        );
    }
    if g.has(Gates::LT.and(Gates::BANG)) {
        // needs `<!doctype`
        xxe(s, hits);
    }
    if g.has(Gates::LT.and(Gates::QUESTION)) {
        // needs `<?xml`
        php::xml_short_tag(s, hits);
        xml_declared_utf7(s, hits);
    }
    if !matches!(field, Field::Body) && g.has(Gates::NEWLINE) {
        // walks the CR and LF positions only
        crlf(s, field, hits);
    }
    if g.has(Gates::BRACE) || g.has(Gates::LT.and(Gates::PERCENT)) {
        // openers `{{`, `${`, `#{`, `{%`, `*{` need a `{`; `<%` needs `<`
        // and `%`
        template(s, hits);
    }
}
