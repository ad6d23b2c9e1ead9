//! Literal signals (one Aho-Corasick automaton built once per profile compile) and
//! small structural checks that are not worth a tokeniser: PHP function calls and
//! serialized objects, log4j lookup resolution, NoSQL operators, XXE declarations,
//! shellshock, CRLF / header injection, template injection and prototype pollution.
//! All matching runs over the canonical (lowercase, decoded) view. Literals are
//! class markers (package prefixes, wrapper schemes, dangerous function names,
//! sensitive file names), never copies of known payloads.

mod literals;
mod php;
mod structural;
#[cfg(test)]
mod tests;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::detect::{Field, Hits};
use literals::LITERALS;
use php::{php_calls, php_serialized};
use structural::{crlf, log4j, nosql_name, shellshock, template, xxe};

/// The compiled literal automaton. Immutable, shared by all requests.
pub(crate) struct Rules {
    ac: AhoCorasick,
}

#[derive(Debug, thiserror::Error)]
/// The literal automaton could not be built.
#[error("building the literal automaton: {0}")]
pub struct RulesError(#[from] aho_corasick::BuildError);

impl Rules {
    pub(crate) fn build() -> Result<Rules, RulesError> {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(LITERALS.iter().map(|l| l.0))?;
        Ok(Rules { ac })
    }

    /// Scores the canonical view `s`.
    pub(crate) fn scan(&self, s: &[u8], field: Field, hits: &mut Hits) {
        let mut seen: u128 = 0;
        let mut best = [0u32; crate::verdict::SCORED_CLASSES];
        let mut count = [0u32; crate::verdict::SCORED_CLASSES];
        let mut ids = [""; crate::verdict::SCORED_CLASSES];
        for m in self.ac.find_overlapping_iter(s) {
            let (_, class, id, w, boundary) = LITERALS[m.pattern().as_usize()];
            if boundary
                && m.start() > 0
                && (s[m.start() - 1].is_ascii_alphanumeric() || s[m.start() - 1] == b'_')
            {
                continue;
            }
            let bit = 1u128 << (m.pattern().as_usize() % 128);
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
        for c in crate::verdict::Class::ALL {
            if let Some(ci) = c.score_index()
                && best[ci] > 0
            {
                hits.add(*c, ids[ci], best[ci] + (count[ci] - 1).min(2));
            }
        }
        // cheap byte gates: each structural check needs its trigger byte
        let paren = s.contains(&b'(');
        if paren {
            php_calls(s, hits);
            shellshock(s, hits);
        }
        if s.contains(&b':') {
            php_serialized(s, hits);
        }
        if s.contains(&b'$') {
            log4j(s, hits);
        }
        nosql_name(s, field, hits);
        if s.contains(&b'<') {
            xxe(s, hits);
            php::xml_short_tag(s, hits);
        }
        if !matches!(field, Field::Body) {
            crlf(s, hits);
        }
        if s.contains(&b'{') || s.contains(&b'%') {
            template(s, hits);
        }
        crate::code::scan(s, field, hits);
    }
}
