//! Runs every detector over one value and keeps per-class scores. This is the
//! only place that knows which detector applies to which part of a request
//! (`Field`). It neither decides verdicts (profile thresholds, exclusions, shadow:
//! `profile.rs`) nor walks request structure (`head.rs`, `body.rs`).

use std::borrow::Cow;

use crate::normalise::normalise;
use crate::rules::Rules;
use crate::verdict::{Class, SCORED_CLASSES};
use crate::{cmdi, paths, sqli, xss};

/// Per-class scores for one value (or one request part).
#[derive(Clone, Debug, Default)]
pub(crate) struct Hits {
    score: [u32; SCORED_CLASSES],
    best: [u32; SCORED_CLASSES],
    id: [&'static str; SCORED_CLASSES],
    /// Bit `i` set when `score[i] > 0`: most values score nothing, and merging
    /// or ranking empty `Hits` then costs one test.
    nonzero: u16,
}

const _: () = assert!(SCORED_CLASSES <= 16);

impl Hits {
    /// Adds a signal. Scores of different signals of one class add up; the id
    /// reported is the strongest signal's.
    pub(crate) fn add(&mut self, class: Class, id: &'static str, w: u32) {
        if let Some(i) = class.score_index() {
            self.score[i] = self.score[i].saturating_add(w).min(100);
            if self.score[i] > 0 {
                self.nonzero |= 1 << i;
            }
            if w > self.best[i] {
                self.best[i] = w;
                self.id[i] = id;
            }
        }
    }

    /// Keeps, per class, the larger of the two scores (views of the same value).
    pub(crate) fn merge_max(&mut self, o: &Hits) {
        let mut bits = o.nonzero;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if o.score[i] > self.score[i] {
                self.score[i] = o.score[i];
                self.best[i] = o.best[i];
                self.id[i] = o.id[i];
                self.nonzero |= 1 << i;
            }
        }
    }

    /// The highest class score (0 when nothing matched).
    pub(crate) fn max_score(&self) -> u32 {
        if self.nonzero == 0 {
            return 0;
        }
        self.score.iter().copied().max().unwrap_or(0)
    }

    pub(crate) fn score(&self, c: Class) -> u32 {
        c.score_index().map_or(0, |i| self.score[i])
    }

    /// Classes at or above `threshold`, strongest first.
    pub(crate) fn above(
        &self,
        threshold: u32,
    ) -> impl Iterator<Item = (Class, &'static str, u32)> + '_ {
        let mut v: Vec<(Class, &'static str, u32)> = Class::ALL
            .iter()
            .filter_map(|&c| {
                let i = c.score_index()?;
                (self.score[i] >= threshold).then(|| {
                    (
                        c,
                        if self.id[i].is_empty() {
                            c.as_str()
                        } else {
                            self.id[i]
                        },
                        self.score[i],
                    )
                })
            })
            .collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.2));
        v.into_iter()
    }
}

/// Scans `v` as `field` for `profile`, unless this thread already found exactly
/// these bytes clean (below the profile's threshold) for this profile; records
/// them when they are. `None` means "known clean" (see `memo.rs`).
// (kept out of line: inlined into the body walker's per-item closure it
// cost ~2k instructions more per 1 KB order, Hits moves included)
#[inline(never)]
pub(crate) fn scan_memo(profile: &crate::Profile, field: Field, v: &[u8]) -> Option<Hits> {
    scan_memo_with(profile, field, v, |rules| scan_value(rules, field, v))
}

/// `scan_memo` with another scan of `v` than `scan_value`'s (a path's).
#[inline]
pub(crate) fn scan_memo_with(
    profile: &crate::Profile,
    field: Field,
    v: &[u8],
    scan: impl FnOnce(&Rules) -> Hits,
) -> Option<Hits> {
    use crate::memo::{Probe, probe, record_at};
    let tag = profile.memo_tag();
    let slot = match probe(tag, field, v) {
        Probe::Clean => return None,
        Probe::Miss(slot) => Some(slot),
        Probe::NotKept => None,
    };
    let hits = scan(profile.rules());
    if let Some(slot) = slot
        && hits.max_score() < profile.threshold()
    {
        record_at(slot, tag, field, v);
    }
    Some(hits)
}

/// Scans a decoded path as a path, and each of its segments that holds more
/// than a slug's bytes (letters, digits, `.` `_` `-` `~`, non-ASCII) as a
/// parameter value: REST APIs take values from the path (`/users/1' or '1'='1`),
/// and such a segment is as much a value as `?id=` is. Slug segments are left
/// to the path scan: a value that is a lone command name (`whoami`) is
/// suspicious, a path segment that is one (`/api/whoami`) is not.
pub(crate) fn scan_path(rules: &Rules, once: &[u8]) -> Hits {
    let mut hits = scan_value(rules, Field::Path, once);
    let slug =
        |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~' | 0x80..);
    for seg in once.split(|&b| b == b'/') {
        if !seg.iter().all(slug) {
            hits.merge_max(&scan_value(rules, Field::Value, seg));
        } else if seg.len() >= 16 && seg.iter().all(u8::is_ascii_alphanumeric) {
            // a base64 token as a segment (`/files/QzovV0lORE9XUy9waHAuaW5p`)
            // that decodes to text is read as that text, as a value's is;
            // ids and hashes decode to bytes that are not text
            let mut h = Hits::default();
            scan_base64(rules, seg, &mut h);
            hits.merge_max(&h);
        }
    }
    hits
}

/// What kind of request part a value comes from; selects detectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    /// The decoded path.
    Path,
    /// A parameter name (query, form, JSON key).
    Name,
    /// A parameter value (query, form, JSON string, XML text, cookie).
    Value,
    /// A header carrying a URL (Referer, Origin): no RFI/SSRF on the URL itself.
    UrlHeader,
    /// The User-Agent header.
    UserAgent,
    /// Any other inspected header.
    Header,
    /// An opaque text body.
    Body,
    /// An uploaded file name (multipart `filename`, `X-File-Name`).
    FileName,
}

#[cfg(test)]
impl Field {
    /// Every field kind, for tests that compare detectors over all of them.
    pub(crate) const ALL: [Field; 8] = [
        Field::Path,
        Field::Name,
        Field::Value,
        Field::UrlHeader,
        Field::UserAgent,
        Field::Header,
        Field::Body,
        Field::FileName,
    ];
}

/// Every signal `scan_fn` adds to empty `Hits`, or `None` when it panics: the
/// comparison the detectors' equivalence tests make against their references.
#[cfg(test)]
pub(crate) fn signals(
    scan_fn: fn(&[u8], Field, &mut Hits),
    v: &[u8],
    field: Field,
) -> Option<String> {
    std::panic::catch_unwind(|| {
        let mut h = Hits::default();
        scan_fn(v, field, &mut h);
        format!("{h:?}")
    })
    .ok()
}

/// A parameter name as forms and query strings write them (`id`,
/// `user.name`, `items[0]`): the part before a `=` that makes text a pair.
pub(crate) fn parameter_name_like(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']'))
}

/// Scans one value (already transport-decoded once) with every applicable
/// detector over its decoded and canonical views.
pub(crate) fn scan_value(rules: &Rules, field: Field, once: &[u8]) -> Hits {
    let mut hits = Hits::default();
    if once.is_empty() {
        return hits;
    }
    if matches!(field, Field::Name | Field::Value) {
        // `pay%3DAND+1%3D1` decodes to `name=value`: a backend that decodes
        // twice sees a parameter, so the part after `=` is scanned as a value
        if let Some(p) = find_eq(&once[..once.len().min(41)]) {
            let name_like = parameter_name_like(&once[..p]);
            if name_like && p + 1 < once.len() {
                hits.merge_max(&scan_value(rules, Field::Value, &once[p + 1..]));
            }
        }
    }
    if once.iter().all(|b| b.is_ascii_alphanumeric()) && once.len() < 128 {
        rules.scan(once, field, &mut hits);
        sqli::lone_operator(once, &mut hits);
        if once.len() >= 8 {
            // an unpadded base64 token is all alphanumeric too (from 8
            // characters: `base64_text`), and so is a hex literal (16 digits
            // and more: `hex_literal_text`)
            scan_base64(rules, once, &mut hits);
            scan_hex_literals(rules, once, &mut hits);
        }
        // a lone command name (`whoami`, `visudo`)
        if cmdi::plain_may_match(once) {
            cmdi::scan(once, field, &mut hits);
        }
        return hits;
    }
    let mut low = None;
    let n = views(once, &mut low);
    // the raw view only adds information when it is more than a lowercase
    // copy of the canonical one
    let raw_differs = !n.lowered_only
        && (n.layers > 0
            || once.len() != n.canon.len()
            || !once
                .iter()
                .zip(n.canon.iter())
                .all(|(a, b)| a.to_ascii_lowercase() == *b));
    // block comments are gone from the canonical view, but they split words
    // (`document /*x*/ . cookie`) or hide a whole payload (`%2F%2A <tag> */`
    // decodes to one comment): such a value is not plain text (a value
    // normalisation only lowercased has no `/*`: that pair is normalised)
    if plain(&n.canon)
        && (n.lowered_only
            || !(has_block_comment_open(once)
                || (n.layers > 0 && has_block_comment_open(&n.decoded))))
    {
        // nothing a tokeniser could use: literals and URL/path checks only
        merge_scan(&mut hits, |h| {
            scan_plain(rules, field, once, &n.canon, raw_differs, h);
        });
        // a base64 token too long for the alphanumeric branch above is
        // plain text too (`base64_text` gives up at the first byte outside
        // the alphabet, a blank in prose), and so is one whose `+` a form
        // decoder made blanks
        if once.len() >= 128 || (once.len() >= 16 && sparse_blanks(once.trim_ascii())) {
            let mut h = Hits::default();
            scan_base64(rules, once, &mut h);
            hits.merge_max(&h);
        }
        lone_step_bonus(once, &n.decoded, n.layers, &mut hits);
        return hits;
    }
    // the views' signals are kept apart from what the `=` split found and
    // merged into it at the end; with nothing found there they go straight
    // into `hits` (merging into empty `Hits` is a copy)
    let mut apart = None;
    let best: &mut Hits = if hits.nonzero == 0 {
        &mut hits
    } else {
        apart.insert(Hits::default())
    };
    // `+` used as the word separator (three or more `+`-joined words, no
    // spaces): SQL is read from the spaced view only, where `a+b` is not an
    // arithmetic operator (`"not+for+sale` is a quoted phrase)
    // (counted only when there is a `+`: both uses below need one)
    let (plus, spaces) = if memchr::memchr(b'+', &n.canon).is_none() {
        (0, 0)
    } else {
        n.canon.iter().fold((0usize, 0usize), |(p, s), &b| {
            (p + usize::from(b == b'+'), s + usize::from(b == b' '))
        })
    };
    let plus_words = plus >= 2 && spaces == 0;
    let views: [&[u8]; 2] = [once, &n.decoded];
    for (vi, view) in views.iter().enumerate() {
        if vi == 1 && n.layers == 0 {
            break;
        }
        merge_scan(best, |h| {
            // the canonical view below covers SQL and HTML unless this view
            // holds what canonicalisation removes (block comments) or changes
            // (escapes)
            if !plus_words
                && raw_differs
                && (vi == 1 || n.layers > 0 || has_block_comment_open(view))
            {
                sqli::scan(view, h);
            }
            // the canonical view turns `\` into `/`: a CSS escape in a
            // style attribute (`expr\65 ssion(`) is read where it is intact
            if n.layers > 0 || (vi == 0 && memchr::memchr(b'\\', view).is_some()) {
                xss::scan(view, field, h);
            }
            cmdi::scan(view, field, h);
            if raw_differs {
                paths::scan(view, field, h);
            }
        });
    }
    merge_scan(best, |h| {
        rules.scan(&n.canon, field, h);
        xss::scan(&n.canon, field, h);
        if !plus_words {
            sqli::scan(&n.canon, h);
        }
        paths::scan(&n.canon, field, h);
    });
    // `+` used as a space where a form decoder did not turn it into one
    if plus > 0 && plus >= spaces {
        let spaced: Vec<u8> = n
            .canon
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        // every view and every detector: a multipart part or a JSON string
        // that holds a form-encoded payload (`%27,+$or:+[`,
        // `%0ARCPT+TO:`) is never form-decoded by the parser that read it.
        // The spaced view has no `+` left, so this goes one level deep.
        best.merge_max(&scan_value(rules, field, &spaced));
    }
    if field == Field::FileName {
        file_name(&n.canon, best);
    }
    if let Some(v) = junk_escapes_as_slashes(&n.canon) {
        // `..%bg%qf..%bg%qfetc%bg%qfpasswd`: invalid escapes some decoders
        // turn into a separator
        merge_scan(best, |h| {
            rules.scan(&v, field, h);
            paths::scan(&v, field, h);
        });
    }
    if let Some(v) = crate::normalise::asp_view(&n.canon) {
        // `%S%E%L%E%C%T`: classic ASP drops a `%` that opens no escape; a
        // view of its own, since the separator checks above read such `%`
        // runs as junk between words
        scan_rewritten(rules, field, &v, best);
    }
    if let Some(v) = crate::normalise::control_blank_view(&n.canon) {
        merge_scan(best, |h| sqli::scan(&v, h));
    }
    if let Some(v) = crate::normalise::markup_stripped_view(&n.canon) {
        scan_rewritten(rules, field, &v, best);
    }
    if let Some(v) = crate::normalise::confusable_view(&n.decoded) {
        // the canonical view folds them for the other detectors
        merge_scan(best, |h| cmdi::scan(&v, field, h));
    }
    scan_base64(rules, &n.decoded, best);
    if n.decoded.len() >= 18 {
        scan_hex_literals(rules, &n.decoded, best);
    }
    if n.layers >= 3 {
        best.add(Class::Protocol, "protocol-encoding", 3);
    }
    lone_step_bonus(once, &n.decoded, n.layers, best);
    if let Some(apart) = apart {
        hits.merge_max(&apart);
    }
    hits
}

/// One dot-dot step scores 4: a relative link as often as a probe. It
/// becomes 5 when the step is spelled the way no link is:
/// - only decoding shows it (`/%2e%2e%2f`, `/..%252f`, `%c0%ae%c0%ae/`,
///   `/%uff0e%uff0e%u2215`): clients never percent-encode a dot, nor
///   encode a separator twice; a value that already holds the step as
///   received (`../`, `/...` at its end) hid nothing;
/// - it is aimed at a file API: written with a backslash (`..\notes.txt`,
///   `/\..\`: a Windows traversal), or the value holds a NUL, raw or as
///   `%00` (`../index.php%00`: a C string ends there, cutting off the
///   extension the application appends).
///
/// `once` is the value as received, `decoded` its decoded view (the decoder
/// drops NULs, so they are looked for as received too).
fn lone_step_bonus(once: &[u8], decoded: &[u8], layers: u32, hits: &mut Hits) {
    let Some(i) = Class::Lfi.score_index() else {
        return;
    };
    if hits.score[i] != 4 || hits.id[i] != "lfi-traversal" {
        return;
    }
    let hidden = layers > 0 && paths::dot_dot_steps(once).is_none_or(|(n, _)| n == 0);
    let file_api = |v: &[u8]| {
        memchr::memmem::find(v, b"..\\").is_some()
            || memchr::memmem::find(v, b"\\..").is_some()
            || memchr::memchr(0, v).is_some()
            || memchr::memmem::find(v, b"%00").is_some()
    };
    if hidden || file_api(once) || file_api(decoded) {
        hits.add(Class::Lfi, "lfi-traversal", 1);
    }
}

/// Runs `scan` as if into fresh `Hits` then merged into `best` by
/// `merge_max`; into empty `best` that merge is a copy, so `scan` adds there
/// directly.
/// A view the canonical one was rewritten into (`asp_view`,
/// `markup_stripped_view`), read by the literal, SQL, HTML and shell
/// detectors and merged as a view.
fn scan_rewritten(rules: &Rules, field: Field, v: &[u8], best: &mut Hits) {
    merge_scan(best, |h| {
        rules.scan(v, field, h);
        sqli::scan(v, h);
        xss::scan(v, field, h);
        cmdi::scan(v, field, h);
    });
}

fn merge_scan(best: &mut Hits, scan: impl FnOnce(&mut Hits)) {
    if best.nonzero == 0 {
        scan(best);
    } else {
        let mut h = Hits::default();
        scan(&mut h);
        best.merge_max(&h);
    }
}

/// The first `=` in `v`: a byte loop under 16 bytes, where the vector
/// search's set-up and short-input path cost more.
fn find_eq(v: &[u8]) -> Option<usize> {
    if v.len() < 16 {
        v.iter().position(|&b| b == b'=')
    } else {
        memchr::memchr(b'=', v)
    }
}

/// The detectors for a plain value (see `plain`), over its canonical view
/// and, when it differs, its raw one.
fn scan_plain(
    rules: &Rules,
    field: Field,
    once: &[u8],
    canon: &[u8],
    raw_differs: bool,
    best: &mut Hits,
) {
    rules.scan(canon, field, best);
    paths::scan(canon, field, best);
    if cmdi::plain_may_match(canon) {
        cmdi::scan(canon, field, best);
    }
    if sqli::plain_may_match(canon) {
        sqli::scan(canon, best);
    }
    if raw_differs {
        // the view as received, merged as a view (never added to the
        // canonical view's signals: the same step or file read twice)
        let mut raw = Hits::default();
        paths::scan(once, field, &mut raw);
        rules.scan(&once.to_ascii_lowercase(), field, &mut raw);
        best.merge_max(&raw);
    }
    if field == Field::FileName {
        file_name(canon, best);
    }
}

/// True when `v` contains `/*` (first-byte scan: a substring searcher built per
/// call costs more than this on short values).
fn has_block_comment_open(v: &[u8]) -> bool {
    memchr::memchr_iter(b'*', v).any(|p| p > 0 && v[p - 1] == b'/')
}

/// The decoded and canonical views of one value, borrowed from it when
/// normalisation would only copy it (most values: nothing to decode, already
/// lowercase).
struct Views<'a> {
    decoded: Cow<'a, [u8]>,
    canon: Cow<'a, [u8]>,
    layers: u32,
    /// `canon` is `once` lowercased, nothing else (so the raw view adds nothing).
    lowered_only: bool,
}

/// Values up to this long that only need lowercasing are lowercased into a
/// buffer on the scanning thread's stack instead of a new allocation.
const LOWER_ON_STACK: usize = 256;

/// `buf` is filled (and borrowed by the views) only when a short value needs
/// lowercasing: most values do not, and they skip clearing the buffer.
fn views<'a>(once: &'a [u8], buf: &'a mut Option<[u8; LOWER_ON_STACK]>) -> Views<'a> {
    if crate::normalise::only_lowercasing_applies(once) {
        let canon = if !once.iter().any(u8::is_ascii_uppercase) {
            Cow::Borrowed(once)
        } else if once.len() <= LOWER_ON_STACK {
            let low = &mut buf.insert([0u8; LOWER_ON_STACK])[..once.len()];
            low.copy_from_slice(once);
            low.make_ascii_lowercase();
            Cow::Borrowed(&*low)
        } else {
            Cow::Owned(once.to_ascii_lowercase())
        };
        return Views {
            decoded: Cow::Borrowed(once),
            canon,
            layers: 0,
            lowered_only: true,
        };
    }
    let n = normalise(once);
    Views {
        decoded: Cow::Owned(n.decoded),
        canon: Cow::Owned(n.canon),
        layers: n.layers,
        lowered_only: false,
    }
}

/// `v` with every invalid percent escape (`%` + two bytes that are not hex,
/// or a lone `%` + one byte) replaced by `/`; `None` when there is none.
fn junk_escapes_as_slashes(v: &[u8]) -> Option<Vec<u8>> {
    let hex = |b: Option<&u8>| b.is_some_and(u8::is_ascii_hexdigit);
    let junk_at = |i: usize| v[i] == b'%' && !(hex(v.get(i + 1)) && hex(v.get(i + 2)));
    if !memchr::memchr_iter(b'%', v).any(junk_at) {
        return None;
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if junk_at(i) {
            // `%5%c`: the escape is split by another `%`; swallow up to two bytes
            let mut k = i + 1;
            while k < v.len() && k < i + 3 && v[k] != b'.' {
                k += 1;
            }
            out.push(b'/');
            i = k;
            continue;
        }
        out.push(v[i]);
        i += 1;
    }
    Some(out)
}

/// A base64 token that decodes to text, scanned like a decoded layer (an
/// application that base64-decodes a parameter reads the payload).
fn scan_base64(rules: &Rules, v: &[u8], best: &mut Hits) {
    if let Some(text) = base64_text(v) {
        // the decoded text is a value of its own, with its own encodings
        // (`JTI3…` is `%27…`): every view a value gets. Each layer is a
        // quarter shorter, so the nesting ends.
        best.merge_max(&scan_value(rules, Field::Value, &text));
    }
    gadget_in_base64(v, best);
}

/// Class names of the Java deserialisation gadget chains (Apache Commons
/// Collections' functors, the JDK's `TemplatesImpl` and
/// `AnnotationInvocationHandler`, and `ProcessBuilder` / `java.lang.Runtime`,
/// where the chains end), lowercase. A serialised object names its
/// classes in plain bytes, so its base64 (`rO0AB…`, a cookie or a view state)
/// holds these names at one of four offsets; `base64_text` does not decode it
/// because the stream is binary.
const GADGETS: &[&[u8]] = &[
    b"invokertransformer",
    b"chainedtransformer",
    b"constanttransformer",
    b"instantiatetransformer",
    b"clonetransformer",
    b"instantiatefactory",
    b"prototypeclonefactory",
    b"prototypeserializationfactory",
    b"whileclosure",
    b"templatesimpl",
    b"annotationinvocationhandler",
    b"processbuilder",
    b"java.lang.runtime",
];

/// A base64 token that decodes, at any of its four character offsets, to
/// bytes naming a gadget class (`GADGETS`). The token may be a fragment cut
/// anywhere: a cut through a 4-character group loses up to two bytes at
/// each end, so each offset is decoded and searched for the name without its
/// first and last two bytes (at least eight remain).
fn gadget_in_base64(v: &[u8], best: &mut Hits) {
    let v = v.trim_ascii();
    if v.len() > 64 * 1024 {
        return;
    }
    let body = &v[..v.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1)];
    // 16 characters carry the shortest name; a serialised object is far longer
    if body.len() < 16 || v.len() - body.len() > 2 {
        return;
    }
    if !body
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'/' | b'_'))
    {
        return;
    }
    let mut out = Vec::new();
    for skip in 0..4 {
        if !crate::base64::decode_into(&body[skip..], false, &mut out) {
            return;
        }
        out.make_ascii_lowercase();
        if GADGETS
            .iter()
            .any(|g| memchr::memmem::find(&out, &g[2..g.len() - 2]).is_some())
        {
            best.add(Class::Java, "java-deserialisation", 7);
            return;
        }
    }
}

/// SQL hex string literals (`0x77616974666f72…`, often UTF-16 with a zero
/// byte after each character) that decode to printable text: a database
/// reads them as the string they spell (`SET @q=0x… EXEC(@q)`, `SELECT
/// 0x…`), so the text is scanned like a decoded layer. Hashes, colours and
/// addresses in hex decode to bytes that are not text and are left alone.
fn scan_hex_literals(rules: &Rules, v: &[u8], best: &mut Hits) {
    if let Some(text) = hex_literal_text(v) {
        scan_text_layer(rules, &text, best);
    }
}

/// The text of every `0x` literal of at least 16 hex digits in `v` (zero
/// bytes dropped, literals joined by a blank), when all of it is printable;
/// `None` otherwise.
fn hex_literal_text(v: &[u8]) -> Option<Vec<u8>> {
    const MIN_DIGITS: usize = 16;
    // the bound base64 tokens have: a second full scan of a huge value is
    // not worth its time
    if v.len() > 64 * 1024 {
        return None;
    }
    let mut text = Vec::new();
    let mut from = 0;
    // found by their `x`: rarer than `0` in the dates, prices and phone
    // numbers most values are
    while let Some(p) = memchr::memchr2(b'x', b'X', &v[from..]) {
        let x = from + p;
        from = x + 1;
        // `0x` at a word's start
        if x == 0 || v[x - 1] != b'0' || (x >= 2 && v[x - 2].is_ascii_alphanumeric()) {
            continue;
        }
        let at = x - 1;
        let digits = v[at + 2..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if digits < MIN_DIGITS {
            continue;
        }
        let hex = &v[at + 2..at + 2 + digits - digits % 2];
        if !text.is_empty() {
            text.push(b' ');
        }
        for pair in hex.chunks_exact(2) {
            let nib = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            let b = nib(pair[0]) << 4 | nib(pair[1]);
            match b {
                0 => {}
                b'\t' | b'\n' | b'\r' | 0x20..=0x7e => text.push(b),
                _ => return None,
            }
        }
        from = at + 2 + digits;
    }
    (text.len() >= 6).then_some(text)
}

/// Scans the text a database decodes from a hex literal with every detector,
/// after normalising it (the text may carry its own escapes:
/// `\u0077hile(…)`). (Base64 text is scanned as a whole value instead, with
/// all of a value's views: see `scan_base64`.)
fn scan_text_layer(rules: &Rules, text: &[u8], best: &mut Hits) {
    let canon = normalise(text).canon;
    let mut h = Hits::default();
    rules.scan(&canon, Field::Value, &mut h);
    paths::scan(&canon, Field::Value, &mut h);
    cmdi::scan(&canon, Field::Value, &mut h);
    sqli::scan(&canon, &mut h);
    xss::scan(&canon, Field::Value, &mut h);
    best.merge_max(&h);
}

/// Decodes `v` when it is one base64 token (standard or URL alphabet, at least
/// 8 bytes, optional padding) whose decoded bytes are text (`is_text`);
/// `None` otherwise (binary images, hashes, random ids stay undecoded).
/// Eight characters hold six bytes, enough for `${`id`}` or `$(cmd)`; a
/// random token that short decodes to six printable bytes about once in 400
/// times, and to something a detector scores far more rarely. A token whose
/// `+` a form decoder turned into blanks (`sparse_blanks`) is read with them
/// put back.
fn base64_text(v: &[u8]) -> Option<Vec<u8>> {
    let v = v.trim_ascii();
    let body = {
        let e = v.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1);
        &v[..e]
    };
    if body.len() < 8 || v.len() - body.len() > 2 || v.len() > 64 * 1024 {
        return None;
    }
    // most values are not one base64 token: rule them out before allocating
    // (prose at its first punctuation, or by its many blanks)
    let alphabet = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'/' | b'_');
    if !body.iter().all(|&b| b == b' ' || alphabet(b)) {
        return None;
    }
    let out = if memchr::memchr(b' ', body).is_none() {
        crate::base64::decode(body, false)?
    } else if sparse_blanks(body) {
        let plus: Vec<u8> = body
            .iter()
            .map(|&b| if b == b' ' { b'+' } else { b })
            .collect();
        crate::base64::decode(&plus, false)?
    } else {
        return None;
    };
    is_text(&out).then_some(out)
}

/// A token's blanks are few and single, as a base64 token's `+` are once a
/// form decoder made them blanks (one in 64 characters on average; one
/// more allowed in a short token), and unlike prose (a blank every five or
/// six characters). Stops at the first blank over the limit.
fn sparse_blanks(v: &[u8]) -> bool {
    let limit = (v.len() + 12) / 12;
    let mut blanks = 0;
    let mut last = usize::MAX - 1;
    for p in memchr::memchr_iter(b' ', v) {
        blanks += 1;
        if blanks > limit || p == last + 1 {
            return false;
        }
        last = p;
    }
    blanks > 0
}

/// At least nine in ten characters of `b` are printable: ASCII graphic
/// characters and blanks, or, when `b` is UTF-8, any character but a
/// control one (a payload may carry typographic quotes or other scripts).
fn is_text(b: &[u8]) -> bool {
    let ascii = b
        .iter()
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    if ascii * 10 >= b.len() * 9 {
        return true;
    }
    if b.is_ascii() {
        return false;
    }
    let Ok(s) = std::str::from_utf8(b) else {
        return false;
    };
    let (mut chars, mut printable) = (0usize, 0usize);
    for c in s.chars() {
        chars += 1;
        printable += usize::from(!c.is_control() || c.is_ascii_whitespace());
    }
    printable * 10 >= chars * 9
}

/// Server-side script extensions in an uploaded file name (`shell.php`, `a.php.`,
/// `x. phtml`).
fn file_name(canon: &[u8], hits: &mut Hits) {
    let t: Vec<u8> = canon
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let t = {
        let e = t.iter().rposition(|&b| b != b'.').map_or(0, |p| p + 1);
        &t[..e]
    };
    let ext = t.rsplit(|&b| b == b'.').next().unwrap_or(b"");
    const PHP: &[&[u8]] = &[
        b"php", b"php3", b"php4", b"php5", b"php7", b"php8", b"phtml", b"phar", b"pht", b"phps",
        b"pgif", b"inc",
    ];
    const OTHER: &[&[u8]] = &[
        b"jsp",
        b"jspx",
        b"asp",
        b"aspx",
        b"ashx",
        b"asmx",
        b"cer",
        b"shtml",
        b"cgi",
        b"pl",
        b"htaccess",
        b"config",
    ];
    // `php907`: a version-ish digit run after a PHP extension still runs as PHP
    let ext_base = {
        let e = ext
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |p| p + 1);
        &ext[..e]
    };
    let base = t.rsplit(|&b| b == b'/').next().unwrap_or(b"");
    if base.starts_with(b"sess_") && base.len() > 10 {
        // a PHP session file name: uploading one plants session data
        hits.add(Class::Php, "php-upload", 6);
    } else if t.contains(&b'.') && (PHP.contains(&ext) || ext_base == b"php") {
        hits.add(Class::Php, "php-upload", 6);
    } else if t.contains(&b'.') && OTHER.contains(&ext) {
        hits.add(Class::Rfi, "rfi-script-upload", 5);
    }
}

/// True when the canonical view has none of the syntax the SQL, HTML/JS and shell
/// tokenisers key on (quotes, operators, brackets, separators, script schemes,
/// SQL statement words). Such values skip the tokenisers: a large share of real
/// traffic (ids, words, sentences) is plain.
fn plain(canon: &[u8]) -> bool {
    // two passes, each one table load a byte: the syntax bytes first, over
    // chunks without a branch per byte (a value with one is decided there);
    // then the statement words, by the pair of their first two bytes; a
    // short value takes one pass that tests both at each byte
    const CHUNK: usize = 16;
    if canon.len() < CHUNK {
        return plain_bytes(canon);
    }
    if canon.chunks(CHUNK).any(|c| {
        c.iter().fold(0u64, |m, &b| m | PLAIN_TABLE[usize::from(b)]) & u64::from(SYNTAX_BIT) != 0
    }) {
        return false;
    }
    // a byte's own letter bit (low half) against the letters the byte before
    // opens a statement word with (high half of its entry; 0 before the first)
    let mut prev = 0u64;
    for (p, &b) in canon.iter().enumerate() {
        let e = PLAIN_TABLE[usize::from(b)];
        if e & (prev >> 32) != 0
            && statement_word(canon[p - 1], b).is_some_and(|w| canon[p - 1..].starts_with(w))
        {
            return false;
        }
        prev = e;
    }
    true
}

/// `plain` in one pass, a branch a byte: for short values.
fn plain_bytes(canon: &[u8]) -> bool {
    let mut prev = 0u64;
    for (p, &b) in canon.iter().enumerate() {
        let e = PLAIN_TABLE[usize::from(b)];
        if e & (prev >> 32 | u64::from(SYNTAX_BIT)) != 0 {
            if e & u64::from(SYNTAX_BIT) != 0 {
                return false;
            }
            // a letter bit: `prev` is a byte's (`p > 0`) that opens a word with `b`
            if statement_word(canon[p - 1], b).is_some_and(|w| canon[p - 1..].starts_with(w)) {
                return false;
            }
        }
        prev = e;
    }
    true
}

/// Bytes the tokenisers key on: any of them makes a value not plain.
const PLAIN_SYNTAX: &[u8] = b"'\"`;|&<>()=#$*{}[]\n\r%\\+^~!";

/// SQL statement words and script schemes, by their first two bytes (each
/// pair opens one word).
const STATEMENT_WORDS: [&[u8]; 12] = [
    b"union",
    b"select",
    b"exec",
    b"drop",
    b"insert",
    b"script:",
    b"data:",
    b"waitfor",
    b"sleep",
    b"having",
    b"order by",
    b"group by",
];

/// The statement word opened by the pair `a b`, if any.
fn statement_word(a: u8, b: u8) -> Option<&'static [u8]> {
    STATEMENT_WORDS
        .iter()
        .find(|w| w[0] == a && w[1] == b)
        .copied()
}

/// In the low half of a `PLAIN_TABLE` entry: the byte is a syntax byte.
const SYNTAX_BIT: u32 = 1 << 31;

/// Per byte: low half, `SYNTAX_BIT` for a syntax byte and bit `b - b'a'` for
/// a lowercase letter `b`; high half, bit `c - b'a'` for each letter `c` that
/// the byte opens a statement word with.
const PLAIN_TABLE: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < PLAIN_SYNTAX.len() {
        t[PLAIN_SYNTAX[i] as usize] |= SYNTAX_BIT as u64;
        i += 1;
    }
    let mut c = b'a';
    while c <= b'z' {
        t[c as usize] |= 1u64 << (c - b'a');
        c += 1;
    }
    let mut w = 0;
    while w < STATEMENT_WORDS.len() {
        let (a, b) = (STATEMENT_WORDS[w][0], STATEMENT_WORDS[w][1]);
        t[a as usize] |= 1u64 << (32 + (b - b'a'));
        w += 1;
    }
    t
};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_plain_values_raw_and_canonical_views_are_merged_not_added() {
        let rules = Rules::build().unwrap_or_else(|e| panic!("{e}"));
        let lfi = |v: &str| scan_value(&rules, Field::Value, v.as_bytes()).score(Class::Lfi);
        // one relative step read in two views is still one step
        assert_eq!(lfi("a%20b/.."), 4);
        assert_eq!(lfi("notes%20v2/../draft"), 4);
        // a step aimed at a file API: a backslash, a NUL that cuts the name
        for v in ["..\\secrets.txt", "../index.php%00", "/\\..\\x"] {
            assert!(lfi(v) >= 5, "{v}: {}", lfi(v));
        }
    }

    #[test]
    fn path_segments_that_are_base64_text_are_read_as_that_text() {
        let rules = Rules::build().unwrap_or_else(|e| panic!("{e}"));
        // `C:/WINDOWS/php.ini` and `../../etc/passwd` as base64 segments
        for p in [
            "/files/QzovV0lORE9XUy9waHAuaW5p",
            "/d/Li4vLi4vZXRjL3Bhc3N3ZA/x",
        ] {
            assert!(
                scan_path(&rules, p.as_bytes()).score(Class::Lfi) >= 5,
                "{p}"
            );
        }
        // ids and hashes: not text once decoded, or text of no attack
        for p in [
            "/users/3f2a9c4b7d1e4f6a8b0c2d4e6f8a0b1c",
            "/v/dGhlIHF1aWNrIGJyb3duIGZveA",
            "/api/v1/ordersByCustomerAndDate",
        ] {
            assert_eq!(scan_path(&rules, p.as_bytes()).nonzero, 0, "{p}");
        }
    }

    /// Base64 text is read when its `+` became blanks and when it is UTF-8;
    /// prose with long words, binary and short tokens are not decoded.
    #[test]
    fn base64_text_takes_blanks_for_plus_and_utf8_for_text() {
        let t = |s: &str| base64_text(s.as_bytes());
        // `+` made blanks
        assert_eq!(t("PGI+SGk8L2I+").as_deref(), Some(&b"<b>Hi</b>"[..]));
        // (a blank at the end is trimmed with the byte it held)
        assert_eq!(t("PGI SGk8L2I ").as_deref(), Some(&b"<b>Hi</b"[..]));
        // typographic quotes around a word
        assert_eq!(
            t("4oCYcXVvdGVk4oCZ").as_deref(),
            Some("\u{2018}quoted\u{2019}".as_bytes())
        );
        // prose: blanks are not few enough
        assert!(!sparse_blanks(b"Please leave the parcel at the back door"));
        assert_eq!(t("Please leave the parcel at the back door"), None);
        // binary (a PNG's first bytes) and a token under 8 characters
        assert_eq!(t("iVBORw0KGgoAAAANSUhEUgAA"), None);
        assert_eq!(t("aGVsbG8"), None);
    }

    /// A serialised Java object in base64 names its gadget classes in bytes
    /// that are not text: found whole and as a fragment cut mid-group; a
    /// base64 JSON document that mentions `runtime` and binary tokens pass.
    #[test]
    fn gadget_classes_inside_base64_are_found() {
        for v in [
            "rO0ABXNyADpvcmcuYXBhY2hlLmNvbW1vbnMuY29sbGVjdGlvbnMuZnVuY3RvcnMuSW52b2tlclRyYW5zZm9ybWVyh+j/a3t8zjgC",
            "DaGFpbmVkVHJhbnNmb3JtZXIAAQ==",
        ] {
            let mut h = Hits::default();
            gadget_in_base64(v.as_bytes(), &mut h);
            assert!(h.score(Class::Java) >= 7, "{v}");
        }
        for v in [
            "eyJydW50aW1lIjoibm9kZWpzMjAueCIsImhhbmRsZXIiOiJpbmRleC5tYWluIn0=",
            "KCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRkdISUpLTE1OTw==",
            "a plain sentence about an InvokerTransformer",
            // padding longer than the token (found by fuzzing: a cut past the end)
            "====================",
            "ab==============",
        ] {
            let mut h = Hits::default();
            gadget_in_base64(v.as_bytes(), &mut h);
            assert_eq!(h.nonzero, 0, "{v}");
        }
    }

    /// `plain` as a plain substring search per statement word (the pair match
    /// in `plain` must find exactly these).
    fn plain_by_search(canon: &[u8]) -> bool {
        !canon.iter().any(|b| PLAIN_SYNTAX.contains(b))
            && !STATEMENT_WORDS
                .iter()
                .any(|w| canon.windows(w.len()).any(|x| x == *w))
    }

    #[test]
    fn plain_finds_every_statement_word_anywhere() {
        for w in [
            "union", "select", "exec", "drop", "insert", "script:", "data:", "waitfor", "sleep",
            "having", "order by", "group by",
        ] {
            for v in [
                w.to_string(),
                format!("x{w}"),
                format!("a {w} b"),
                format!("{w}z"),
            ] {
                assert!(!plain(v.as_bytes()), "{v}");
            }
            // cut short by one byte: plain
            assert!(plain(&w.as_bytes()[..w.len() - 1]), "{w}");
        }
        assert!(plain(
            b"leave with the neighbour at number 16 if nobody is home."
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn plain_equals_substring_search(
            parts in proptest::collection::vec(
                prop_oneof![
                    4 => "[a-z :.,-]{1,6}".prop_map(String::into_bytes),
                    2 => proptest::sample::select(vec!["union", "selec", "select", "exec", "dro", "drop", "insert", "script", "script:", "data", "data:", "waitfor", "sleep", "having", "order", "order by", "group by", "grou", "un", "se", "sc", "da", "or", "ex", "in", "wa", "sl", "ha", "gr", "dr"]).prop_map(|w| w.as_bytes().to_vec()),
                    1 => "[ -~]{1,3}".prop_map(String::into_bytes),
                    1 => proptest::collection::vec(any::<u8>(), 1..3),
                ],
                0..10,
            )
        ) {
            let v = parts.concat();
            prop_assert_eq!(plain(&v), plain_by_search(&v), "{:?}", v);
        }
    }
}
