//! Strict media-type parsing (RFC 9110 §8.3.1): `type "/" subtype *( OWS ";" OWS
//! parameter )`, tokens and quoted strings only. Anything else is an error, so
//! `application/json/x-bypass` or `application/json;;` is never taken for JSON.
//! No allow-list policy here (that is the profile's).

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
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn body_kind(&self) -> BodyKind {
        let t = self.type_.as_str();
        let s = self.subtype.as_str();
        match (t, s) {
            ("application", "json") => BodyKind::Json,
            ("application", "x-www-form-urlencoded") => BodyKind::UrlEncoded,
            ("multipart", _) => BodyKind::Multipart,
            ("application" | "text", "xml") => BodyKind::Xml,
            _ if s.ends_with("+json") => BodyKind::Json,
            _ if s.ends_with("+xml") => BodyKind::Xml,
            _ => BodyKind::Text,
        }
    }
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

/// Parses a `Content-Type` value strictly.
pub fn parse_media_type(value: &[u8]) -> Result<MediaType, MediaTypeError> {
    if value
        .iter()
        .any(|&b| !(b == b'\t' || (0x20..0x7f).contains(&b)))
    {
        return Err(MediaTypeError::NotAscii);
    }
    let s = value;
    let mut i = skip_ows(s, 0);
    let t_end = take_token(s, i);
    if t_end == i || t_end >= s.len() || s[t_end] != b'/' {
        return Err(MediaTypeError::BadType);
    }
    let type_ = ascii_lower(&s[i..t_end]);
    i = t_end + 1;
    let st_end = take_token(s, i);
    if st_end == i {
        return Err(MediaTypeError::BadType);
    }
    let subtype = ascii_lower(&s[i..st_end]);
    i = skip_ows(s, st_end);
    let mut params: Vec<(String, String)> = Vec::new();
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
        let name = ascii_lower(&s[i..n_end]);
        i = n_end + 1;
        let (val, next) = if i < s.len() && s[i] == b'"' {
            parse_quoted(s, i + 1)?
        } else {
            let v_end = take_token(s, i);
            if v_end == i {
                return Err(MediaTypeError::BadParameter);
            }
            (s[i..v_end].iter().map(|&c| char::from(c)).collect(), v_end)
        };
        if params.iter().any(|(n, _)| *n == name) {
            return Err(MediaTypeError::DuplicateParameter(name));
        }
        params.push((name, val));
        i = skip_ows(s, next);
    }
    Ok(MediaType {
        type_,
        subtype,
        params,
    })
}

fn parse_quoted(s: &[u8], mut i: usize) -> Result<(String, usize), MediaTypeError> {
    let mut out = Vec::new();
    while i < s.len() {
        match s[i] {
            b'"' => return Ok((String::from_utf8_lossy(&out).into_owned(), i + 1)),
            b'\\' if i + 1 < s.len() => {
                out.push(s[i + 1]);
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Err(MediaTypeError::BadParameter)
}

/// Lowercases a token `parse_media_type` has already checked is ASCII (one
/// allocation, no UTF-8 validation).
fn ascii_lower(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c.to_ascii_lowercase())).collect()
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
        assert_eq!(m.body_kind(), BodyKind::Json);
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
        let m = parse_media_type(b"application/problem+json").unwrap();
        assert_eq!(m.body_kind(), BodyKind::Json);
    }

    #[test]
    fn content_type_unterminated_quote_is_error() {
        assert!(parse_media_type(b"text/plain; a=\"x").is_err());
    }
}
