//! The scan as it was before the single-pass rewrite (contiguous-NFA
//! overlapping iterator, per-check `contains` gates), kept for the
//! equivalence proptests. Test-only.
#![allow(clippy::expect_used)]

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::literals::LITERALS;
use super::php::php_serialized;
use super::structural::{
    crlf, freemarker_new, ldap_filter, log4j, mongo_shell, nosql_name, nosql_text,
    razor_expression, shellshock, template, xml_declared_utf7, xpath_union, xxe,
};
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

    /// Any literal occurs in `s` (as the automaton matches: ASCII case folded).
    pub(crate) fn has_literal(&self, s: &[u8]) -> bool {
        self.ac.find_overlapping_iter(s).next().is_some()
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
            if !super::literal_holds(id, s, m.start(), m.end()) {
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
        // the structural checks added since the rewrite run here ungated,
        // in `structural`'s order, so the comparison holds its gates too
        let paren = s.contains(&b'(');
        if paren {
            php_calls(s, hits);
            mongo_shell(s, hits);
            shellshock(s, hits);
            ldap_filter(s, hits);
            razor_expression(s, hits);
            freemarker_new(s, hits);
        }
        xpath_union(s, hits);
        if s.contains(&b':') {
            php_serialized(s, hits);
        }
        if s.contains(&b'$') {
            log4j(s, hits);
        }
        nosql_name(s, field, hits);
        nosql_text(s, true, true, hits);
        if s.contains(&b'<') {
            xxe(s, hits);
            super::php::xml_short_tag(s, hits);
            xml_declared_utf7(s, hits);
        }
        if !matches!(field, Field::Body) {
            crlf(s, field, hits);
        }
        if s.contains(&b'{') || s.contains(&b'%') {
            template(s, hits);
        }
    }
}

/// The old `php::php_calls`: linear name and family searches.
fn php_calls(s: &[u8], hits: &mut Hits) {
    let mut best = 0;
    let mut count = 0;
    for (i, _) in s.iter().enumerate().filter(|(_, b)| **b == b'(') {
        let e = super::php::skip_gap_back(s, i);
        // `"system"(x)`: a quoted name is called like a variable function
        let quoted = e >= 2 && matches!(s[e - 1], b'"' | b'\'');
        let e = if quoted { e - 1 } else { e };
        let w = super::php::word_before(s, e);
        if w.is_empty() {
            continue;
        }
        let st = e - w.len();
        if quoted && (st == 0 || s[st - 1] != s[e]) {
            continue;
        }
        let st = if quoted { st - 1 } else { st };
        // method calls (`obj.exec(`, `$db->query(`) are not PHP builtins
        if st > 0 && (s[st - 1] == b'.' || s[st - 1] == b'>' || s[st - 1] == b':') {
            continue;
        }
        if st > 0 && s[st - 1] == b'$' {
            best = best.max(4);
            count += 1;
            continue;
        }
        // call evidence: `@name(` error suppression, a variable or string
        // argument, the call being the whole value
        let at_sign = st > 0 && s[st - 1] == b'@';
        let arg = s[i + 1..]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'$' | b'"' | b'\''));
        // the call is the whole value, or the last segment of a path
        // (`/index.php/substr()`)
        let whole = s[..st]
            .iter()
            .all(|b| b.is_ascii_whitespace() || *b == b'@')
            || (st > 0 && s[st - 1] == b'/' && s[0] == b'/');
        let bonus = u32::from(at_sign || quoted) + u32::from(arg);
        if let Some((_, wt)) = super::php::PHP_FUNCS
            .iter()
            .find(|(n, _)| n.as_bytes() == w)
        {
            let mut v = *wt + bonus;
            if whole {
                v = v.max(5);
            }
            best = best.max(v);
            count += 1;
        } else if super::php::PHP_PREFIXES
            .iter()
            .any(|p| w.starts_with(p.as_bytes()) && w.len() > p.len() + 1)
        {
            // builtin naming families; a bare call as the whole value is stronger
            best = best.max(if whole { 5 } else { 3 } + bonus);
            count += 1;
        }
    }
    if best > 0 {
        hits.add(
            crate::verdict::Class::Php,
            "php-function",
            best + if count > 1 { 1 } else { 0 },
        );
    }
}
