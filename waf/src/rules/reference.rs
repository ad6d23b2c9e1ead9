//! The scan as it was before the single-pass rewrite (contiguous-NFA
//! overlapping iterator, per-check `contains` gates), kept for the
//! equivalence proptests. Test-only.
#![allow(clippy::expect_used)]

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::literals::LITERALS;
use super::php::{php_calls, php_serialized};
use super::structural::{crlf, log4j, nosql_name, shellshock, template, xxe};
use crate::detect::{Field, Hits};

pub(crate) struct Reference {
    ac: AhoCorasick,
}

impl Reference {
    pub(crate) fn build() -> Reference {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(LITERALS.iter().map(|l| l.0))
            .expect("literal automaton");
        Reference { ac }
    }

    /// The old `Rules::scan` without its final `code::scan` call.
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
            super::php::xml_short_tag(s, hits);
        }
        if !matches!(field, Field::Body) {
            crlf(s, hits);
        }
        if s.contains(&b'{') || s.contains(&b'%') {
            template(s, hits);
        }
    }
}
