//! The one base64 decoder the engine reads tokens with: a value that is a
//! token, a JSON Web Token's header, a multipart part's transfer encoding,
//! the base64 view of a serialised object. Lenient the way the applications
//! behind the gateway are: both alphabets (`+/` and the URL-safe `-_`), no
//! padding needed, a trailing partial group dropped.

/// Decodes `s` up to its first `=`; blanks and line breaks are skipped when
/// `blanks` is set (MIME wraps its lines). `None` at any other byte outside
/// the two alphabets.
pub(crate) fn decode(s: &[u8], blanks: bool) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    decode_into(s, blanks, &mut out).then_some(out)
}

/// [`decode`] into `out`, which is cleared first (a caller decoding several
/// cuts of one token reuses one buffer); `false` where `decode` is `None`.
pub(crate) fn decode_into(s: &[u8], blanks: bool, out: &mut Vec<u8>) -> bool {
    out.clear();
    out.reserve(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in s {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b' ' | b'\t' | b'\r' | b'\n' if blanks => continue,
            _ => return false,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::decode;

    #[test]
    fn both_alphabets_padding_and_blanks() {
        assert_eq!(decode(b"PHNjcmlwdD4=", false).unwrap(), b"<script>");
        assert_eq!(decode(b"PHNjcmlwdD4", false).unwrap(), b"<script>");
        // `?>` in the standard and the URL-safe alphabet
        assert_eq!(decode(b"Pz4/", false).unwrap(), b"?>?");
        assert_eq!(decode(b"Pz4_", false).unwrap(), b"?>?");
        assert_eq!(decode(b"PHNj\r\ncmlw dD4=", true).unwrap(), b"<script>");
        assert_eq!(decode(b"PHNj\r\ncmlw", false), None);
        assert_eq!(decode(b"not base64!", true), None);
        assert_eq!(decode(b"", false).unwrap(), b"");
    }
}
