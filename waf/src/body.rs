//! Body gates, in order: declared length (413), content coding and content type
//! (415) when the scanner is created (a body whose type is refused is still read
//! as opaque text, and an attack in it answers as that attack); streamed size
//! (413) and early XML entity declarations while chunks arrive; then, on the
//! whole buffered body, the structured parsers
//! (urlencoded, multipart, JSON with limits checked before parsing, XML text) and
//! JSON string entropy. A body sent with `Content-Encoding: gzip` or `deflate` is
//! inflated first (bounded by the body limit), as the application's framework
//! would; other codings are refused (415). The gateway owns buffering and forwards
//! the body as sent; this type only counts, decodes for itself and judges.

use std::borrow::Cow;

use crate::content_type::{BodyKind, parse_media_type_ref};
use crate::detect::{Field, Hits, scan_memo, scan_value};
use crate::entropy;
use crate::form::{
    PartContent, decode_transfer_encoding, for_each_multipart_field, for_each_urlencoded_pair,
};
use crate::head::RequestHead;
use crate::json::{JsonItem, walk_json};
use crate::memo::DocMemo;
use crate::profile::Profile;
use crate::verdict::{Class, Location, Verdict};
use crate::xml::for_each_text;

/// One per request with a body. Feed chunks as they arrive, then `finish` with
/// the whole buffered body.
#[derive(Debug)]
pub struct BodyScanner<'p> {
    profile: &'p Profile,
    route: &'p str,
    kind: BodyKind,
    boundary: Vec<u8>,
    seen: u64,
    inspect: bool,
    prolog: Vec<u8>,
    /// The request came with a Referer from another site (session fixation).
    offsite: bool,
    /// The body's content coding (`Content-Encoding`).
    coding: Coding,
    /// The content-type gate's verdict on a body whose type the profile
    /// refuses: given by `finish` unless the body holds a detection to deny.
    refused: Option<Verdict>,
}

/// Content codings the scanner reads through (RFC 9110 §8.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Identity,
    Gzip,
    /// `deflate` is the zlib format; some clients send raw deflate instead, which
    /// servers accept too, so both are read.
    Deflate,
}

/// The coding named by the request's `Content-Encoding` header lines: `None` when
/// the scanner cannot read it (an unknown or unsupported coding such as `br` or
/// `zstd`, or codings stacked: no client stacks them, and each layer would
/// multiply the bound on inflated bytes).
fn coding_of(headers: &http::HeaderMap) -> Option<Coding> {
    let mut coding = Coding::Identity;
    for line in headers.get_all(http::header::CONTENT_ENCODING) {
        let Ok(line) = std::str::from_utf8(line.as_bytes()) else {
            return None;
        };
        for name in line.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let c = if name.eq_ignore_ascii_case("identity") {
                continue;
            } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                Coding::Gzip
            } else if name.eq_ignore_ascii_case("deflate") {
                Coding::Deflate
            } else {
                return None;
            };
            if coding != Coding::Identity {
                return None;
            }
            coding = c;
        }
    }
    Some(coding)
}

/// Why a coded body could not be read.
enum Inflate {
    /// More than the limit once inflated.
    TooLarge,
    /// Not valid data of its coding.
    Invalid,
}

/// `body` inflated from `coding`, at most `limit` bytes of it (borrowed as it
/// is when it has no coding).
fn inflate(coding: Coding, body: &[u8], limit: u64) -> Result<Cow<'_, [u8]>, Inflate> {
    use std::io::Read;
    fn read_all(r: impl Read, limit: u64) -> Result<Vec<u8>, Inflate> {
        let mut out = Vec::new();
        // one byte past the limit tells "too large" from "exactly the limit"
        r.take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|_| Inflate::Invalid)?;
        if out.len() as u64 > limit {
            return Err(Inflate::TooLarge);
        }
        Ok(out)
    }
    match coding {
        Coding::Identity => Ok(Cow::Borrowed(body)),
        // every member of a multi-member gzip stream, as `gunzip` reads it
        Coding::Gzip => read_all(flate2::read::MultiGzDecoder::new(body), limit).map(Cow::Owned),
        Coding::Deflate => match read_all(flate2::read::ZlibDecoder::new(body), limit) {
            Err(Inflate::Invalid) => read_all(flate2::read::DeflateDecoder::new(body), limit),
            r => r,
        }
        .map(Cow::Owned),
    }
}

const PROLOG_BYTES: usize = 4096;

impl<'p> BodyScanner<'p> {
    /// Checks the declared Content-Length (over the limit: 413), the content
    /// coding (unreadable: 415) and the media type (strictly parsed, must be
    /// allowed: else 415, given at once without body inspection and by `finish`
    /// otherwise, unless the body holds an attack).
    pub fn new(profile: &'p Profile, head: &RequestHead<'p>) -> Result<Self, Verdict> {
        let deny = |id, class, status| -> Verdict {
            match profile.gate(head.route, id, class, status) {
                Some(d) => profile.verdict(d),
                None => Verdict::Allow,
            }
        };
        if let Some(cl) = head.headers.get(http::header::CONTENT_LENGTH) {
            let declared = std::str::from_utf8(cl.as_bytes())
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok());
            if declared.is_some_and(|n| n > profile.body_limit()) {
                return Err(deny("body-size", Class::BodySize, 413));
            }
        }
        let inspect = profile.inspect().body;
        // a body the scanner cannot decode is one it cannot inspect
        let coding = match coding_of(head.headers) {
            Some(c) => c,
            None if inspect => {
                return Err(deny(
                    "content-encoding-unsupported",
                    Class::ContentType,
                    415,
                ));
            }
            None => Coding::Identity,
        };
        let mut kind = BodyKind::Text;
        let mut boundary = Vec::new();
        let mut types = head.headers.get_all(http::header::CONTENT_TYPE).iter();
        let type_refusal = match (types.next(), types.next()) {
            (Some(_), Some(_)) => Some("content-type-ambiguous"),
            (Some(ct), None) => match parse_media_type_ref(ct.as_bytes()) {
                Ok(m) if !profile.allows_media_type(m.type_, m.subtype) => {
                    Some("content-type-not-allowed")
                }
                Ok(m) => {
                    kind = m.body_kind();
                    match m.param("boundary") {
                        _ if kind != BodyKind::Multipart => None,
                        Some(b) if !b.is_empty() && b.len() <= 70 => {
                            boundary = b.as_bytes().to_vec();
                            None
                        }
                        _ => Some("content-type-malformed"),
                    }
                }
                Err(_) => Some("content-type-malformed"),
            },
            (None, _) if profile.mode() == crate::config::Mode::Strict => {
                Some("content-type-missing")
            }
            (None, _) => None,
        };
        // A body whose type is refused is still read, as opaque text, when the
        // profile inspects bodies: an attack in it is refused as that attack
        // (400 with its class and id, which is what the operator needs in the
        // logs), anything else with the type's 415 (see `finish`).
        let mut refused = None;
        if let Some(id) = type_refusal {
            let v = deny(id, Class::ContentType, 415);
            if !inspect && v != Verdict::Allow {
                return Err(v);
            }
            kind = BodyKind::Text;
            boundary.clear();
            refused = (v != Verdict::Allow).then_some(v);
        }
        Ok(BodyScanner {
            profile,
            route: head.route,
            kind,
            boundary,
            seen: 0,
            inspect,
            prolog: Vec::new(),
            offsite: crate::session::offsite_referer(head.headers),
            coding,
            refused,
        })
    }

    /// Accounts for one chunk. Returns a verdict as soon as the streamed size
    /// passes the limit (413), or an XML body declares external entities.
    pub fn feed(&mut self, chunk: &[u8]) -> Option<Verdict> {
        self.seen = self.seen.saturating_add(chunk.len() as u64);
        if self.seen > self.profile.body_limit() {
            return self.gate("body-size", Class::BodySize, 413);
        }
        // (a coded body's prolog is read once inflated, in `finish`)
        if self.inspect
            && self.coding == Coding::Identity
            && self.kind == BodyKind::Xml
            && self.prolog.len() < PROLOG_BYTES
        {
            let take = chunk.len().min(PROLOG_BYTES - self.prolog.len());
            self.prolog.extend_from_slice(&chunk[..take]);
            let lower = self.prolog.to_ascii_lowercase();
            if memchr::memmem::find(&lower, b"<!entity").is_some()
                && (memchr::memmem::find(&lower, b" system").is_some()
                    || memchr::memmem::find(&lower, b" public").is_some())
            {
                let mut hits = Hits::default();
                hits.add(Class::Xxe, "xxe-external-entity", 9);
                return self
                    .profile
                    .judge(self.route, &hits, &|| Location::Body)
                    .map(|d| self.profile.verdict(d));
            }
        }
        None
    }

    fn gate(&self, id: &'static str, class: Class, status: u16) -> Option<Verdict> {
        self.profile
            .gate(self.route, id, class, status)
            .map(|d| self.profile.verdict(d))
    }

    /// Judges the whole buffered body.
    pub fn finish(mut self, body: &[u8]) -> Verdict {
        let refused = self.refused.take();
        let v = self.judge_body(body);
        match refused {
            // (in shadow mode both are would-block: the detection is reported)
            Some(r) if v == Verdict::Allow => r,
            _ => v,
        }
    }

    fn judge_body(self, body: &[u8]) -> Verdict {
        if body.len() as u64 > self.profile.body_limit() {
            return self
                .gate("body-size", Class::BodySize, 413)
                .unwrap_or(Verdict::Allow);
        }
        if !self.inspect || body.is_empty() {
            return Verdict::Allow;
        }
        // what the application's framework inflates is what it reads: the
        // limit applies to the inflated bytes too (a small compressed body can
        // inflate a thousandfold)
        let verdict = match inflate(self.coding, body, self.profile.body_limit()) {
            Ok(plain) => self.scan(&plain),
            Err(Inflate::TooLarge) => self.gate("body-size", Class::BodySize, 413),
            Err(Inflate::Invalid) => self.gate("content-encoding-invalid", Class::ContentType, 400),
        };
        verdict.unwrap_or(Verdict::Allow)
    }

    fn judge(&self, hits: &Hits, loc: &dyn Fn() -> Location) -> Option<Verdict> {
        self.profile
            .judge(self.route, hits, loc)
            .map(|d| self.profile.verdict(d))
    }

    fn scan(&self, body: &[u8]) -> Option<Verdict> {
        let rules = self.profile.rules();
        match self.kind {
            BodyKind::UrlEncoded => self.scan_form(body),
            BodyKind::Multipart => {
                let mut found = None;
                let r = for_each_multipart_field(body, &self.boundary, &mut |part| {
                    let field =
                        || Location::FormField(String::from_utf8_lossy(&part.name).into_owned());
                    if part.filename.is_none() {
                        let mut h = Hits::default();
                        crate::paths::remote_include(&part.name, part.body, &mut h);
                        found = self.judge(&h, &field);
                        if found.is_some() {
                            return false;
                        }
                    }
                    let mut check = |f: Field, v: &[u8]| {
                        if found.is_none() {
                            found = self.judge(&scan_value(rules, f, v), &field);
                        }
                    };
                    check(Field::Name, &part.name);
                    if let Some(fname) = &part.filename {
                        check(Field::FileName, fname);
                    }
                    for h in &part.headers {
                        check(Field::Header, h);
                    }
                    match part.content() {
                        PartContent::Text => {
                            // an uploaded file's text is a body of its own: its
                            // lines go into no header (`host: 0.0.0.0` in a
                            // YAML file is no header injection)
                            let f = if part.filename.is_some() {
                                Field::Body
                            } else {
                                Field::Value
                            };
                            // the content as a parser that honours the part's
                            // transfer encoding hands it over, and as sent
                            let decoded = part
                                .transfer_encoding
                                .as_deref()
                                .and_then(|te| decode_transfer_encoding(te, part.body));
                            if let Some(d) = &decoded {
                                check(f, d);
                            }
                            check(f, part.body);
                        }
                        PartContent::Media => {
                            if found.is_none() {
                                let mut h = Hits::default();
                                crate::code::php_tag_in_media(part.body, &mut h);
                                found = self.judge(&h, &field);
                            }
                        }
                        PartContent::Opaque => {}
                    }
                    found.is_none()
                });
                if r.is_err() {
                    // not multipart after all: judge it as opaque text
                    return self.judge(&scan_value(rules, Field::Body, body), &|| Location::Body);
                }
                found
            }
            BodyKind::Json => self.scan_json(body),
            BodyKind::Xml => {
                let whole = scan_value(rules, Field::Body, body);
                // whole-body view: only the XML-structural classes
                let mut xh = Hits::default();
                for c in [Class::Xxe, Class::Php, Class::Java] {
                    let s = whole.score(c);
                    if s > 0 {
                        xh.add(c, whole_id(c), s);
                    }
                }
                if let Some(v) = self.judge(&xh, &|| Location::Body) {
                    return Some(v);
                }
                let mut found = None;
                for_each_text(body, &mut |t| {
                    let t = crate::xml::decode_text(t);
                    found = self.judge(&scan_value(rules, Field::Value, &t), &|| Location::XmlText);
                    found.is_none()
                });
                found
            }
            BodyKind::Text => self
                .judge(&scan_value(rules, Field::Body, body), &|| Location::Body)
                .or_else(|| self.scan_form_shaped_text(body)),
        }
    }

    /// A text body shaped as a form (`name=value&…`, on one line) is also read
    /// as one, exactly as `scan_form` reads a form: frameworks that parse a
    /// body whatever its declared type hand the application these pairs, and
    /// sending a form as `text/plain` is how a client keeps it out of a WAF's
    /// form parser.
    fn scan_form_shaped_text(&self, body: &[u8]) -> Option<Verdict> {
        let eq = memchr::memchr(b'=', &body[..body.len().min(64)])?;
        let form_like = crate::detect::parameter_name_like(&body[..eq])
            && memchr::memchr2(b'\n', b'\r', body).is_none();
        if !form_like {
            return None;
        }
        self.scan_form(body)
    }

    /// Every `name=value` pair of an urlencoded body, names and values.
    fn scan_form(&self, body: &[u8]) -> Option<Verdict> {
        let rules = self.profile.rules();
        let mut found = None;
        for_each_urlencoded_pair(body, &mut |name, value| {
            let name = crate::form::name_of_pair(name, value);
            let field = || Location::FormField(String::from_utf8_lossy(name).into_owned());
            let mut n = scan_value(rules, Field::Name, name);
            crate::session::check(name, self.offsite, &mut n);
            found = self.judge(&n, &field);
            if found.is_none() {
                let mut v = scan_value(rules, Field::Value, value);
                crate::paths::remote_include(name, value, &mut v);
                found = self.judge(&v, &field);
            }
            if found.is_none()
                && let Some(whole) = crate::form::whole_pair(name, value)
            {
                found = self.judge(&scan_value(rules, Field::Value, &whole), &field);
            }
            found.is_none()
        });
        found
    }

    fn scan_json(&self, body: &[u8]) -> Option<Verdict> {
        let mut found = None;
        let entropy_on = self.profile.entropy_threshold() > 0.0;
        let mut doc = DocMemo::begin(self.profile.memo_tag(), self.route);
        let r = walk_json(body, &self.profile.json_limits(), &mut |item, path| {
            let (field, v) = match item {
                JsonItem::Key(k) => (Field::Name, k.as_bytes()),
                JsonItem::Str(s) => (Field::Value, s.as_bytes()),
            };
            // the common case, kept small: an item of the previous document
            // that needs nothing else (a cross-site request's key may be a
            // session parameter; a long string also gets the entropy check)
            let simple = match field {
                Field::Name => !self.offsite,
                _ => !(entropy_on && v.len() >= entropy::MIN_LEN),
            };
            if field == Field::Value && crate::paths::may_be_remote(v) {
                // a remote URL under a key that selects a file: the key is
                // found again only for such values (see `remote_include`)
                if let Some(key) = path.key() {
                    let mut h = Hits::default();
                    crate::paths::remote_include(key.as_bytes(), v, &mut h);
                    found = self.judge(&h, &|| Location::JsonValue(path.render()));
                    if found.is_some() {
                        return false;
                    }
                }
            }
            if simple && doc.seen_clean(field, v) {
                return true;
            }
            found = self.judge_item(&mut doc, field, v, path, simple);
            found.is_none()
        });
        if r.is_ok() && found.is_none() {
            doc.finish();
        }
        if let Err(e) = r {
            let id = match e {
                crate::json::JsonError::Depth(_) => "json-depth",
                crate::json::JsonError::Elements(_) => "json-elements",
                crate::json::JsonError::StringLength(_) => "json-string-length",
                crate::json::JsonError::Unbalanced | crate::json::JsonError::Invalid(_) => {
                    "json-invalid"
                }
            };
            return self.gate(id, Class::JsonLimits, 400);
        }
        found
    }

    /// Judges one JSON key or string value that the fast path in
    /// [`Self::scan_json`] did not settle. `checked`: the previous document was
    /// already asked, and did not have it. Out of line, so that the per-item
    /// path for a remembered item stays small.
    #[inline(never)]
    fn judge_item(
        &self,
        doc: &mut DocMemo,
        field: Field,
        v: &[u8],
        path: &crate::json::JsonPath<'_>,
        checked: bool,
    ) -> Option<Verdict> {
        let loc = || match field {
            Field::Name => Location::JsonKey,
            _ => Location::JsonValue(path.render()),
        };
        if field == Field::Name && self.offsite && crate::session::session_param(v) {
            let mut h = scan_value(self.profile.rules(), Field::Name, v);
            crate::session::check(v, true, &mut h);
            return self.judge(&h, &loc);
        }
        if checked || !doc.seen_clean(field, v) {
            // not in the previous document: the memo tables, or a scan; kept
            // for the next document when clean
            let hits = scan_memo(self.profile, field, v);
            match &hits {
                None => doc.keep(field, v),
                Some(h) => {
                    if h.max_score() < self.profile.threshold() {
                        doc.keep(field, v);
                    }
                    if let Some(found) = self.judge(h, &loc) {
                        return Some(found);
                    }
                }
            }
        }
        let threshold = self.profile.entropy_threshold();
        if field == Field::Value
            && threshold > 0.0
            && v.len() >= entropy::MIN_LEN
            && entropy::shannon(v) > threshold
        {
            return self
                .profile
                .gate_at(self.route, "entropy-high", Class::Entropy, 400, loc())
                .map(|d| self.profile.verdict(d));
        }
        None
    }
}

fn whole_id(c: Class) -> &'static str {
    match c {
        Class::Xxe => "xxe-entity",
        Class::Php => "php-function",
        _ => "java-class",
    }
}
