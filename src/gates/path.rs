//! One canonical path, used for routing, WAF policy and forwarding alike, so that the
//! gateway and the upstream can never disagree about which resource is asked for.
//!
//! Policy (documented in docs/request-lifecycle.md):
//! - **refused (400)**: dot segments `.` / `..` (raw or percent-encoded, any case, also
//!   with a path parameter: `..;x`, which Java servers resolve as `..`),
//!   encoded slash or backslash (`%2F`, `%5C`), raw backslash, encoded or raw NUL and
//!   control bytes, malformed percent escapes, a path not starting with `/`.
//! - **normalised**: runs of `/` merged into one; percent-encoded unreserved characters
//!   (RFC 3986 §2.3: `A-Z a-z 0-9 - . _ ~`) decoded; other escapes upper-cased
//!   (RFC 3986 §6.2.2.1). Everything else (e.g. `%20`, UTF-8 escapes) is kept as sent.
//!
//! Pure function; allocates only when the path actually changes.

use std::borrow::Cow;

/// Why a path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRejection {
    NotAbsolute,
    DotSegment,
    EncodedSeparator,
    ControlByte,
    BadEscape,
}

impl PathRejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotAbsolute => "path_not_absolute",
            Self::DotSegment => "path_dot_segment",
            Self::EncodedSeparator => "path_encoded_separator",
            Self::ControlByte => "path_control_byte",
            Self::BadEscape => "path_bad_escape",
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Returns the canonical form of `path` (without query), or why it is refused.
pub fn canonicalize(path: &str) -> Result<Cow<'_, str>, PathRejection> {
    let bytes = path.as_bytes();
    if bytes.first() != Some(&b'/') {
        return Err(PathRejection::NotAbsolute);
    }
    // Fast path: nothing to change and nothing suspicious.
    let needs_work = bytes.windows(2).any(|w| w == b"//") || bytes.contains(&b'%');
    let mut out: Vec<u8> = if needs_work {
        Vec::with_capacity(bytes.len())
    } else {
        Vec::new()
    };
    // Decoded content of the current segment, to spot "." and ".." whatever their encoding.
    let mut seg_decoded: [u8; 2] = [0; 2];
    let mut seg_len = 0usize;
    // Decoded length of the segment before its first ';' (a path parameter), if any:
    // Java servers resolve `..;x` as `..`, so such a segment is a dot segment too.
    let mut seg_param: Option<usize> = None;
    let mut i = 0;
    let check_segment =
        |len: usize, dec: &[u8; 2], param: Option<usize>| -> Result<(), PathRejection> {
            let len = param.unwrap_or(len);
            if (len == 1 && dec[0] == b'.') || (len == 2 && dec == b"..") {
                Err(PathRejection::DotSegment)
            } else {
                Ok(())
            }
        };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'/' => {
                check_segment(seg_len, &seg_decoded, seg_param)?;
                seg_len = 0;
                seg_param = None;
                if needs_work {
                    if out.last() == Some(&b'/') && i > 0 {
                        i += 1;
                        continue;
                    }
                    out.push(b'/');
                }
                i += 1;
            }
            b'%' => {
                let (Some(h), Some(l)) = (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                ) else {
                    return Err(PathRejection::BadEscape);
                };
                let v = h << 4 | l;
                if v == b'/' || v == b'\\' {
                    return Err(PathRejection::EncodedSeparator);
                }
                if v < 0x20 || v == 0x7f {
                    return Err(PathRejection::ControlByte);
                }
                if v == b';' && seg_param.is_none() {
                    seg_param = Some(seg_len);
                }
                if seg_len < 2 {
                    seg_decoded[seg_len] = v;
                }
                seg_len += 1;
                if unreserved(v) {
                    out.push(v);
                } else {
                    out.push(b'%');
                    out.push(bytes[i + 1].to_ascii_uppercase());
                    out.push(bytes[i + 2].to_ascii_uppercase());
                }
                i += 3;
            }
            b'\\' => return Err(PathRejection::EncodedSeparator),
            _ if b < 0x20 || b == 0x7f => return Err(PathRejection::ControlByte),
            _ => {
                if b == b';' && seg_param.is_none() {
                    seg_param = Some(seg_len);
                }
                if seg_len < 2 {
                    seg_decoded[seg_len] = b;
                }
                seg_len += 1;
                if needs_work {
                    out.push(b);
                }
                i += 1;
            }
        }
    }
    check_segment(seg_len, &seg_decoded, seg_param)?;
    if !needs_work {
        return Ok(Cow::Borrowed(path));
    }
    // Only ASCII was pushed or copied from valid UTF-8 input, so this cannot fail; keep the
    // error path anyway rather than unwrap.
    match String::from_utf8(out) {
        Ok(s) if s == path => Ok(Cow::Borrowed(path)),
        Ok(s) => Ok(Cow::Owned(s)),
        Err(_) => Err(PathRejection::BadEscape),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_paths_pass_unchanged() {
        for p in [
            "/",
            "/a/b",
            "/caf%C3%A9/x",
            "/search%20term",
            "/a.b/c..d/.e",
        ] {
            assert!(matches!(canonicalize(p), Ok(Cow::Borrowed(_))), "{p}");
        }
    }

    #[test]
    fn duplicate_slashes_merge_and_unreserved_escapes_decode() {
        assert_eq!(canonicalize("//a///b").as_deref(), Ok("/a/b"));
        assert_eq!(canonicalize("/%61%62c").as_deref(), Ok("/abc"));
        assert_eq!(canonicalize("/x%2a").as_deref(), Ok("/x%2A"));
    }

    #[test]
    fn dot_segments_refused_in_any_encoding() {
        for p in [
            "/a/../b",
            "/a/./b",
            "/..",
            "/a/%2e%2E/b",
            "/%2e/x",
            "/a/.%2e",
        ] {
            assert_eq!(canonicalize(p), Err(PathRejection::DotSegment), "{p}");
        }
    }

    #[test]
    fn encoded_separators_controls_and_bad_escapes_refused() {
        assert_eq!(canonicalize("/a%2fb"), Err(PathRejection::EncodedSeparator));
        assert_eq!(canonicalize("/a%5Cb"), Err(PathRejection::EncodedSeparator));
        assert_eq!(canonicalize("/a\\b"), Err(PathRejection::EncodedSeparator));
        assert_eq!(canonicalize("/a%00b"), Err(PathRejection::ControlByte));
        assert_eq!(canonicalize("/a%zz"), Err(PathRejection::BadEscape));
        assert_eq!(canonicalize("/a%4"), Err(PathRejection::BadEscape));
        assert_eq!(canonicalize("a"), Err(PathRejection::NotAbsolute));
    }

    proptest::proptest! {
        #[test]
        fn canonicalize_is_idempotent_and_never_panics(s in "/[a-zA-Z0-9%./_~-]{0,40}") {
            if let Ok(c) = canonicalize(&s) {
                let again = canonicalize(&c).map(|x| x.into_owned());
                proptest::prop_assert_eq!(again, Ok(c.into_owned()));
            }
        }
    }
}
