//! Strict media-type parsing (RFC 9110 §8.3.1): `type "/" subtype *( OWS ";" OWS
//! parameter )`, tokens and quoted strings only. Anything else is an error, so
//! `application/json/x-bypass` or `application/json;;` is never taken for JSON.
//! No allow-list policy here (that is the profile's).

use std::borrow::Cow;

use thiserror::Error;

/// A parsed media type. `type_` and `subtype` are lowercase; parameter names are
/// lowercase, values as sent (quoted strings unescaped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaType {
    /// Top-level type, e.g. `application`.
    pub type_: String,
    /// Subtype, e.g. `json` or `vnd.api+json`.
    pub subtype: String,
    /// Parameters in order.
    pub params: Vec<(String, String)>,
}

/// Why a media type was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MediaTypeError {
    /// The header value is not visible ASCII.
    #[error("media type is not ASCII")]
    NotAscii,
    /// `type/subtype` is malformed.
    #[error("malformed type/subtype")]
    BadType,
    /// A parameter is malformed.
    #[error("malformed parameter")]
    BadParameter,
    /// A parameter appears twice (ambiguous: parsers disagree which one wins).
    #[error("duplicate parameter {0}")]
    DuplicateParameter(String),
}

/// What the body parsers make of a media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Json,
    UrlEncoded,
    Multipart,
    Xml,
    Text,
}

impl MediaType {
    /// `type/subtype` without parameters.
    pub fn essence(&self) -> String {
        format!("{}/{}", self.type_, self.subtype)
    }

    /// The value of a parameter (name compared case-insensitively).
    pub fn param(&self, name: &str) -> Option<&str> {
        find_param(&self.params, name)
    }
}

/// The value of the parameter named `name` (compared case-insensitively).
fn find_param<'a>(params: &'a [(impl AsRef<str>, impl AsRef<str>)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn take_token(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_tchar(s[i]) {
        i += 1;
    }
    i
}

fn skip_ows(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && (s[i] == b' ' || s[i] == b'\t') {
        i += 1;
    }
    i
}

/// A media type borrowed from the header value it was parsed from, for the
/// request path (no allocation for a value without quoted parameters): type,
/// subtype and parameter names as sent, compared case-insensitively.
#[derive(Debug)]
pub(crate) struct MediaTypeRef<'a> {
    pub(crate) type_: &'a str,
    pub(crate) subtype: &'a str,
    params: Vec<(&'a str, Cow<'a, str>)>,
}

impl MediaTypeRef<'_> {
    /// The value of a parameter (name compared case-insensitively).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        find_param(&self.params, name)
    }

    /// A parameter whose value is itself a media type (`application/x-www-
    /// form-urlencoded;boundary="application/json"`): a parser that looks
    /// for `application/json` anywhere in the header reads the body as JSON
    /// while this gate reads it as a form, so the two disagree on what to
    /// inspect. Only multipart/related's `type` and `start-info` (RFC 2387)
    /// name a media type in a parameter.
    pub(crate) fn media_type_in_parameter(&self) -> bool {
        const TOP: &[&str] = &[
            "application",
            "audio",
            "font",
            "image",
            "message",
            "model",
            "multipart",
            "text",
            "video",
        ];
        self.params.iter().any(|(name, value)| {
            !name.eq_ignore_ascii_case("type")
                && !name.eq_ignore_ascii_case("start-info")
                && value.split_once('/').is_some_and(|(t, rest)| {
                    TOP.iter().any(|top| t.trim().eq_ignore_ascii_case(top))
                        && rest.bytes().next().is_some_and(is_tchar)
                })
        })
    }

    pub(crate) fn body_kind(&self) -> BodyKind {
        let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let (t, s) = (self.type_, self.subtype);
        let ends_with =
            |suffix: &str| s.len() >= suffix.len() && is(&s[s.len() - suffix.len()..], suffix);
        if is(t, "application") && is(s, "json") {
            BodyKind::Json
        } else if is(t, "application") && is(s, "x-www-form-urlencoded") {
            BodyKind::UrlEncoded
        } else if is(t, "multipart") {
            BodyKind::Multipart
        } else if (is(t, "application") || is(t, "text")) && is(s, "xml") {
            BodyKind::Xml
        } else if ends_with("+json") {
            BodyKind::Json
        } else if ends_with("+xml") {
            BodyKind::Xml
        } else {
            BodyKind::Text
        }
    }
}

/// Parses a `Content-Type` value strictly.
pub fn parse_media_type(value: &[u8]) -> Result<MediaType, MediaTypeError> {
    let m = parse_media_type_ref(value)?;
    Ok(MediaType {
        type_: m.type_.to_ascii_lowercase(),
        subtype: m.subtype.to_ascii_lowercase(),
        params: m
            .params
            .into_iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.into_owned()))
            .collect(),
    })
}

/// [`parse_media_type`] without copying: the same grammar and errors.
pub(crate) fn parse_media_type_ref(value: &[u8]) -> Result<MediaTypeRef<'_>, MediaTypeError> {
    if value
        .iter()
        .any(|&b| !(b == b'\t' || (0x20..0x7f).contains(&b)))
    {
        return Err(MediaTypeError::NotAscii);
    }
    // visible ASCII and tabs: every index below is a char boundary
    let Ok(text) = std::str::from_utf8(value) else {
        return Err(MediaTypeError::NotAscii);
    };
    let s = value;
    let mut i = skip_ows(s, 0);
    let t_end = take_token(s, i);
    if t_end == i || t_end >= s.len() || s[t_end] != b'/' {
        return Err(MediaTypeError::BadType);
    }
    let type_ = &text[i..t_end];
    i = t_end + 1;
    let st_end = take_token(s, i);
    if st_end == i {
        return Err(MediaTypeError::BadType);
    }
    let subtype = &text[i..st_end];
    i = skip_ows(s, st_end);
    let mut params: Vec<(&str, Cow<'_, str>)> = Vec::new();
    while i < s.len() {
        if s[i] != b';' {
            // e.g. "application/json/x-bypass" or "text/plain garbage"
            return Err(MediaTypeError::BadType);
        }
        i = skip_ows(s, i + 1);
        if i == s.len() {
            break; // a trailing ";" is tolerated by RFC 9110's grammar (empty parameter)
        }
        if s[i] == b';' {
            continue;
        }
        let n_end = take_token(s, i);
        if n_end == i || n_end >= s.len() || s[n_end] != b'=' {
            return Err(MediaTypeError::BadParameter);
        }
        let name = &text[i..n_end];
        i = n_end + 1;
        let (val, next) = if i < s.len() && s[i] == b'"' {
            parse_quoted(text, i + 1)?
        } else {
            let v_end = take_token(s, i);
            if v_end == i {
                return Err(MediaTypeError::BadParameter);
            }
            (Cow::Borrowed(&text[i..v_end]), v_end)
        };
        if params.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Err(MediaTypeError::DuplicateParameter(
                name.to_ascii_lowercase(),
            ));
        }
        params.push((name, val));
        i = skip_ows(s, next);
    }
    Ok(MediaTypeRef {
        type_,
        subtype,
        params,
    })
}

/// A quoted string's content from just after its opening quote, and the index
/// after its closing one; borrowed unless it holds a `\\` escape.
fn parse_quoted(text: &str, from: usize) -> Result<(Cow<'_, str>, usize), MediaTypeError> {
    let s = text.as_bytes();
    let mut out: Option<String> = None;
    let mut i = from;
    while i < s.len() {
        match s[i] {
            b'"' => {
                let v = out.map_or(Cow::Borrowed(&text[from..i]), Cow::Owned);
                return Ok((v, i + 1));
            }
            b'\\' if i + 1 < s.len() => {
                out.get_or_insert_with(|| text[from..i].to_owned())
                    .push(char::from(s[i + 1]));
                i += 2;
            }
            b => {
                if let Some(o) = out.as_mut() {
                    o.push(char::from(b));
                }
                i += 1;
            }
        }
    }
    Err(MediaTypeError::BadParameter)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn content_type_parses_charset_parameter() {
        let m = parse_media_type(b"Application/JSON; charset=\"utf-8\"").unwrap();
        assert_eq!(m.essence(), "application/json");
        assert_eq!(m.param("Charset"), Some("utf-8"));
        let r = parse_media_type_ref(b"Application/JSON; charset=\"utf-8\"").unwrap();
        assert_eq!((r.type_, r.subtype), ("Application", "JSON"));
        assert_eq!(r.param("Charset"), Some("utf-8"));
        assert_eq!(r.body_kind(), BodyKind::Json);
    }

    #[test]
    fn media_type_named_in_a_parameter_is_found() {
        for v in [
            &b"application/x-www-form-urlencoded;boundary=\"application/json\""[..],
            b"text/plain; x=\"text/xml\"",
            b"multipart/form-data; boundary=\"image/png\"",
        ] {
            let m = parse_media_type_ref(v).unwrap();
            assert!(
                m.media_type_in_parameter(),
                "{}",
                String::from_utf8_lossy(v)
            );
        }
        for v in [
            &b"multipart/related; type=\"application/xop+xml\"; start-info=\"text/xml\"; boundary=b1"[..],
            b"application/json; charset=utf-8",
            b"application/vnd.api+json; profile=\"https://example.org/p\"",
            b"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxk",
            b"multipart/form-data; boundary=\"a/b\"",
        ] {
            let m = parse_media_type_ref(v).unwrap();
            assert!(!m.media_type_in_parameter(), "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn content_type_rejects_json_suffix_bypass() {
        assert!(parse_media_type(b"application/json/x-bypass").is_err());
        assert!(parse_media_type(b"application/json x").is_err());
        assert!(parse_media_type(b"application/json;charset").is_err());
        assert!(parse_media_type(b"application/").is_err());
        assert!(parse_media_type(b"json").is_err());
    }

    #[test]
    fn content_type_rejects_duplicate_boundary() {
        let r = parse_media_type(b"multipart/form-data; boundary=a; boundary=b");
        assert_eq!(
            r,
            Err(MediaTypeError::DuplicateParameter("boundary".into()))
        );
    }

    #[test]
    fn content_type_plus_json_is_json() {
        for v in ["application/problem+json", "Application/Problem+JSON"] {
            let m = parse_media_type_ref(v.as_bytes()).unwrap();
            assert_eq!(m.body_kind(), BodyKind::Json, "{v}");
        }
    }

    #[test]
    fn body_kind_ignores_case() {
        for (v, kind) in [
            ("application/json", BodyKind::Json),
            ("APPLICATION/JSON", BodyKind::Json),
            ("Application/X-WWW-Form-URLEncoded", BodyKind::UrlEncoded),
            ("MULTIPART/Form-Data; boundary=x", BodyKind::Multipart),
            ("Text/XML", BodyKind::Xml),
            ("application/ATOM+XML", BodyKind::Xml),
            ("application/jsonx", BodyKind::Text),
            ("text/plain", BodyKind::Text),
            ("json/application", BodyKind::Text),
        ] {
            assert_eq!(
                parse_media_type_ref(v.as_bytes()).unwrap().body_kind(),
                kind,
                "{v}"
            );
        }
    }

    #[test]
    fn quoted_parameters_are_unescaped() {
        let m = parse_media_type_ref(br#"multipart/form-data; boundary="a\"b c""#).unwrap();
        assert_eq!(m.param("boundary"), Some(r#"a"b c"#));
        let m = parse_media_type_ref(br#"multipart/form-data; boundary="plain""#).unwrap();
        assert!(matches!(m.params[0].1, Cow::Borrowed("plain")));
        assert_eq!(
            parse_media_type_ref(b"text/plain; A=1; a=2").unwrap_err(),
            MediaTypeError::DuplicateParameter("a".into())
        );
    }

    #[test]
    fn content_type_unterminated_quote_is_error() {
        assert!(parse_media_type(b"text/plain; a=\"x").is_err());
    }
}
