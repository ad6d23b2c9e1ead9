//! Body and query syntaxes that carry name/value pairs: `application/x-www-form-
//! urlencoded` (and query strings) and `multipart/form-data` (RFC 7578). Parsing
//! only, callbacks receive decoded names and values; no detection here. Malformed
//! input never panics: it yields what could be parsed.

use crate::normalise::url_decode;

/// Calls `f(name, value)` for every `&`-separated pair, both percent-decoded with
/// `+` as space. A pair without `=` has an empty name and the whole text as value.
/// `f` returns false to stop.
pub fn for_each_urlencoded_pair(s: &[u8], f: &mut dyn FnMut(&[u8], &[u8]) -> bool) {
    let mut name = Vec::new();
    let mut value = Vec::new();
    for pair in s.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        name.clear();
        value.clear();
        match memchr::memchr(b'=', pair) {
            Some(p) => {
                url_decode(&pair[..p], true, &mut name);
                url_decode(&pair[p + 1..], true, &mut value);
            }
            None => url_decode(pair, true, &mut value),
        }
        if !f(&name, &value) {
            return;
        }
    }
}

/// The name to scan for a pair [`for_each_urlencoded_pair`] hands over: a
/// pair without `=` (`?debug`, `&%0d%0aX-Injected:…`) comes as a value with
/// an empty name, and PHP and Rails take it as a name. It is read both ways.
pub(crate) fn name_of_pair<'a>(name: &'a [u8], value: &'a [u8]) -> &'a [u8] {
    if name.is_empty() { value } else { name }
}

/// The whole pair, `name=value`, when its name is not one a form or a query
/// string writes (`parameter_name_like`): a payload sent as the whole query
/// (`?admin' AND '1'='1`) is cut at its own `=`, and neither half shows what
/// the application reads when it takes the query string as one value
/// (`$_SERVER['QUERY_STRING']`, `request.query_string`). `None` otherwise.
pub(crate) fn whole_pair(name: &[u8], value: &[u8]) -> Option<Vec<u8>> {
    if name.is_empty() || crate::detect::parameter_name_like(name) {
        return None;
    }
    let mut whole = Vec::with_capacity(name.len() + 1 + value.len());
    whole.extend_from_slice(name);
    whole.push(b'=');
    whole.extend_from_slice(value);
    Some(whole)
}

/// One part of a multipart body.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// `name` from Content-Disposition.
    pub name: Vec<u8>,
    /// `filename` from Content-Disposition.
    pub filename: Option<Vec<u8>>,
    /// The part's Content-Type, lowercase.
    pub content_type: Option<Vec<u8>>,
    /// The part's Content-Transfer-Encoding, lowercase (RFC 7578 deprecates
    /// it, but some parsers still decode `base64` and `quoted-printable`).
    pub transfer_encoding: Option<Vec<u8>>,
    /// Every part header line (for scanning).
    pub headers: Vec<&'a [u8]>,
    /// The content.
    pub body: &'a [u8],
}

/// What a multipart part's content is, judged from its declared type and its
/// first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartContent {
    /// Text: scanned like any other value.
    Text,
    /// Declared and shaped as an image, audio or video file: only an embedded
    /// PHP open tag is looked for (a polyglot that an include runs).
    Media,
    /// Other binary content (archives, PDF, `application/octet-stream`): not
    /// scanned.
    Opaque,
}

impl Part<'_> {
    /// Declared media whose bytes are plain text are text: `x.php.jpg` sent as
    /// `image/jpeg` but holding a script is what an upload filter that trusts
    /// the declared type lets through. Real images, sounds and videos start
    /// with binary headers (JPEG `FF D8`, PNG `89 50`, GIF's and MP4's size
    /// fields with zero bytes), so their first bytes are never plain UTF-8
    /// text. SVG is XML text and stays out of the sniff: its markup is what
    /// the file is.
    pub fn content(&self) -> PartContent {
        let Some(ct) = self.content_type.as_deref() else {
            return PartContent::Text;
        };
        let media =
            ct.starts_with(b"image/") || ct.starts_with(b"video/") || ct.starts_with(b"audio/");
        if media && !ct.starts_with(b"image/svg") {
            return if looks_like_text(self.body) {
                PartContent::Text
            } else {
                PartContent::Media
            };
        }
        if media
            || ct.starts_with(b"application/octet-stream")
            || ct.starts_with(b"application/zip")
            || ct.starts_with(b"application/pdf")
        {
            PartContent::Opaque
        } else {
            PartContent::Text
        }
    }
}

/// True when the first bytes of `b` are plain text: UTF-8 (a sequence cut at
/// the sample's end allowed) without control bytes other than tab, CR and LF.
/// An empty body is not text (nothing to scan).
fn looks_like_text(b: &[u8]) -> bool {
    const SAMPLE: usize = 512;
    let s = &b[..b.len().min(SAMPLE)];
    if s.is_empty()
        || s.iter()
            .any(|&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r') || c == 0x7f)
    {
        return false;
    }
    match std::str::from_utf8(s) {
        Ok(_) => true,
        // only an incomplete sequence at the end of a cut sample
        Err(e) => e.error_len().is_none() && b.len() > SAMPLE,
    }
}

/// Why a multipart body could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MultipartError {
    /// The boundary parameter is empty or longer than 70 bytes (RFC 2046).
    #[error("invalid boundary")]
    Boundary,
    /// No opening delimiter.
    #[error("no opening delimiter")]
    NoDelimiter,
    /// A part's header block is not terminated.
    #[error("unterminated part headers")]
    Headers,
}

/// Calls `f` for every part. Tolerates LF-only line ends. Returns an error when the
/// body is not multipart at all (what was parsed before the error was delivered).
pub fn for_each_multipart_field(
    body: &[u8],
    boundary: &[u8],
    f: &mut dyn FnMut(&Part<'_>) -> bool,
) -> Result<(), MultipartError> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(MultipartError::Boundary);
    }
    let mut delim = Vec::with_capacity(boundary.len() + 2);
    delim.extend_from_slice(b"--");
    delim.extend_from_slice(boundary);
    let finder = memchr::memmem::Finder::new(&delim);
    let Some(first) = finder.find(body) else {
        return Err(MultipartError::NoDelimiter);
    };
    let mut pos = first + delim.len();
    let mut parts = 0;
    loop {
        if body[pos..].starts_with(b"--") || parts > 10_000 {
            return Ok(());
        }
        // skip to end of the delimiter line
        let Some(nl) = memchr::memchr(b'\n', &body[pos..]) else {
            return Ok(());
        };
        let hstart = pos + nl + 1;
        let rest = &body[hstart..];
        let (hend, bstart) = match memchr::memmem::find(rest, b"\r\n\r\n") {
            Some(p) => (p, p + 4),
            None => match memchr::memmem::find(rest, b"\n\n") {
                Some(p) => (p, p + 2),
                None => return Err(MultipartError::Headers),
            },
        };
        let head = &rest[..hend];
        let content = &rest[bstart..];
        let end = finder.find(content).unwrap_or(content.len());
        let mut data = &content[..end];
        if data.ends_with(b"\r\n") {
            data = &data[..data.len() - 2];
        } else if data.ends_with(b"\n") {
            data = &data[..data.len() - 1];
        }
        let mut part = Part {
            body: data,
            ..Part::default()
        };
        for line in head.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            part.headers.push(line);
            let Some(colon) = memchr::memchr(b':', line) else {
                continue;
            };
            let hname = &line[..colon];
            let hval = &line[colon + 1..];
            if hname.eq_ignore_ascii_case(b"content-disposition") {
                part.name = disposition_param(hval, b"name").unwrap_or_default();
                part.filename = disposition_param(hval, b"filename");
            } else if hname.eq_ignore_ascii_case(b"content-type") {
                part.content_type = Some(crate::head::trim(hval).to_ascii_lowercase());
            } else if hname.eq_ignore_ascii_case(b"content-transfer-encoding") {
                part.transfer_encoding = Some(crate::head::trim(hval).to_ascii_lowercase());
            }
        }
        parts += 1;
        if !f(&part) {
            return Ok(());
        }
        if end >= content.len() {
            return Ok(());
        }
        pos = hstart + bstart + end + delim.len();
        if pos >= body.len() {
            return Ok(());
        }
    }
}

/// A part's content as the application reads it when its parser honours the
/// part's Content-Transfer-Encoding: `base64` (blanks and line breaks
/// skipped) or `quoted-printable` (`=XX` escapes, soft line breaks). `None`
/// for any other encoding, and for base64 that is not base64 (the content
/// is then scanned as it is).
pub(crate) fn decode_transfer_encoding(encoding: &[u8], content: &[u8]) -> Option<Vec<u8>> {
    match encoding {
        b"base64" => crate::base64::decode(content, true),
        b"quoted-printable" => {
            let hex = |b: u8| (b as char).to_digit(16);
            let mut out = Vec::with_capacity(content.len());
            let mut i = 0;
            while i < content.len() {
                match content[i] {
                    b'=' if content[i + 1..].starts_with(b"\r\n") => i += 3,
                    b'=' if content.get(i + 1) == Some(&b'\n') => i += 2,
                    b'=' => match (
                        content.get(i + 1).and_then(|&b| hex(b)),
                        content.get(i + 2).and_then(|&b| hex(b)),
                    ) {
                        (Some(h), Some(l)) => {
                            // two hex digits: at most 0xff
                            out.push((h * 16 + l) as u8);
                            i += 3;
                        }
                        _ => {
                            out.push(b'=');
                            i += 1;
                        }
                    },
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn disposition_param(v: &[u8], key: &[u8]) -> Option<Vec<u8>> {
    for item in v.split(|&b| b == b';') {
        let item = crate::head::trim(item);
        let Some(eq) = memchr::memchr(b'=', item) else {
            continue;
        };
        if !crate::head::trim(&item[..eq]).eq_ignore_ascii_case(key) {
            continue;
        }
        let val = crate::head::trim(&item[eq + 1..]);
        let val = val
            .strip_prefix(b"\"")
            .map_or(val, |x| x.strip_suffix(b"\"").unwrap_or(x));
        return Some(val.to_vec());
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn form_urlencoded_pairs_decode_plus_and_percent() {
        let mut got = Vec::new();
        for_each_urlencoded_pair(b"a=1+2&b=%27x%27&flag", &mut |n, v| {
            got.push((n.to_vec(), v.to_vec()));
            true
        });
        assert_eq!(
            got,
            vec![
                (b"a".to_vec(), b"1 2".to_vec()),
                (b"b".to_vec(), b"'x'".to_vec()),
                (vec![], b"flag".to_vec())
            ]
        );
    }

    #[test]
    fn form_multipart_parts_parsed() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"..\\\\x.7z\"\r\nContent-Type: application/octet-stream\r\n\r\nBIN\r\n--XX--\r\n";
        let mut got = Vec::new();
        for_each_multipart_field(body, b"XX", &mut |p| {
            got.push((p.name.clone(), p.filename.clone(), p.body.to_vec()));
            true
        })
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].2, b"hello");
        assert_eq!(got[1].1.as_deref(), Some(b"..\\\\x.7z".as_slice()));
    }

    #[test]
    fn form_transfer_encodings_decode_as_a_parser_would() {
        assert_eq!(
            decode_transfer_encoding(b"base64", b"PHNjcmlw\r\ndD4=").as_deref(),
            Some(b"<script>".as_slice())
        );
        assert_eq!(decode_transfer_encoding(b"base64", b"not base64!"), None);
        assert_eq!(
            decode_transfer_encoding(b"quoted-printable", b"=3Cscr=\r\nipt=3E a=b =4").as_deref(),
            Some(b"<script> a=b =4".as_slice())
        );
        assert_eq!(decode_transfer_encoding(b"8bit", b"x"), None);
    }

    #[test]
    fn form_multipart_without_delimiter_is_error() {
        assert_eq!(
            for_each_multipart_field(b"junk", b"XX", &mut |_| true),
            Err(MultipartError::NoDelimiter)
        );
    }
}
