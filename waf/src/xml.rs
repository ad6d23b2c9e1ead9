//! XML bodies: a forgiving scanner that yields text nodes, CDATA sections, comments
//! and attribute values (everything an application might read), skipping markup.
//! The DOCTYPE / entity declarations are judged on the whole body by `rules.rs`.
//! No entity expansion, ever (only the five predefined entities and character
//! references are decoded, once, as any XML parser does). Linear time.

use std::borrow::Cow;

/// Calls `f` with every text run and attribute value (raw, entities undecoded);
/// `f` returns false to stop.
pub(crate) fn for_each_text(s: &[u8], f: &mut dyn FnMut(&[u8]) -> bool) {
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'<' {
            let end = memchr::memchr(b'<', &s[i..]).map_or(s.len(), |p| i + p);
            let t = crate::head::trim(&s[i..end]);
            if !t.is_empty() && !f(t) {
                return;
            }
            i = end;
            continue;
        }
        let rest = &s[i..];
        if rest.starts_with(b"<![CDATA[") {
            let end = memchr::memmem::find(&rest[9..], b"]]>").map_or(s.len(), |p| i + 9 + p);
            if !f(&s[i + 9..end]) {
                return;
            }
            i = end + 3;
            continue;
        }
        if rest.starts_with(b"<!--") {
            let end = memchr::memmem::find(&rest[4..], b"-->").map_or(s.len(), |p| i + 4 + p);
            if !f(&s[i + 4..end]) {
                return;
            }
            i = end + 3;
            continue;
        }
        // a tag: report quoted attribute values
        let mut j = i + 1;
        while j < s.len() && s[j] != b'>' {
            if s[j] == b'"' || s[j] == b'\'' {
                let q = s[j];
                let end = memchr::memchr(q, &s[j + 1..]).map_or(s.len(), |p| j + 1 + p);
                if !f(&s[j + 1..end]) {
                    return;
                }
                j = end + 1;
            } else {
                j += 1;
            }
        }
        i = j + 1;
    }
}

/// `t` as the application's XML parser hands it over: the predefined entities
/// (`&lt;` `&gt;` `&amp;` `&quot;` `&apos;`) and character references (`&#60;`,
/// `&#x3c;`) decoded once. This is the XML layer's own encoding, as percent
/// escapes are a query string's: `&amp;#60;` reaches the application as `&#60;`,
/// which the normaliser then reads as any other value's. Anything else (an
/// unknown or unterminated entity, a reference to a code point XML forbids) is
/// left as it is. Borrowed when there is no `&`.
pub(crate) fn decode_text(t: &[u8]) -> Cow<'_, [u8]> {
    let Some(first) = memchr::memchr(b'&', t) else {
        return Cow::Borrowed(t);
    };
    let mut out = Vec::with_capacity(t.len());
    out.extend_from_slice(&t[..first]);
    let mut i = first;
    while i < t.len() {
        if t[i] != b'&' {
            let next = memchr::memchr(b'&', &t[i..]).map_or(t.len(), |p| i + p);
            out.extend_from_slice(&t[i..next]);
            i = next;
            continue;
        }
        // the longest reference decoded is `&#x10FFFF;` / `&#1114111;` (10 bytes)
        let end = t[i + 1..]
            .iter()
            .take(10)
            .position(|&b| b == b';')
            .map(|p| i + 1 + p);
        let decoded = end.and_then(|e| reference(&t[i + 1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i = e + 1;
            }
            None => {
                out.push(b'&');
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// The character an entity or character reference (between `&` and `;`) stands
/// for; `None` for anything else.
fn reference(name: &[u8]) -> Option<char> {
    let code = match name {
        b"lt" => return Some('<'),
        b"gt" => return Some('>'),
        b"amp" => return Some('&'),
        b"quot" => return Some('"'),
        b"apos" => return Some('\''),
        [b'#', b'x' | b'X', hex @ ..] if (1..=6).contains(&hex.len()) => hex
            .iter()
            .try_fold(0u32, |n, &b| Some(n * 16 + char::from(b).to_digit(16)?))?,
        [b'#', dec @ ..] if (1..=7).contains(&dec.len()) => dec
            .iter()
            .try_fold(0u32, |n, &b| Some(n * 10 + char::from(b).to_digit(10)?))?,
        _ => return None,
    };
    // XML 1.0 `Char`: no NUL, no surrogates, nothing past U+10FFFF
    (code != 0).then(|| char::from_u32(code)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_texts_and_attributes_reported() {
        let mut got = Vec::new();
        for_each_text(
            b"<?xml version=\"1.0\"?><r><a p=\"v1\">t1</a><![CDATA[c1]]><!--m--></r>",
            &mut |t| {
                got.push(String::from_utf8_lossy(t).into_owned());
                true
            },
        );
        assert_eq!(got, vec!["1.0", "v1", "t1", "c1", "m"]);
    }

    #[test]
    fn xml_text_is_entity_decoded_once() {
        let d = |t: &str| String::from_utf8_lossy(&decode_text(t.as_bytes())).into_owned();
        assert_eq!(
            d("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"),
            "a <b> & \"c\" 'd'"
        );
        assert_eq!(d("&#60;&#x3C;&#x3c;&#233;&#x1F600;"), "<<<é😀");
        // once: what the application receives still holds the inner reference
        assert_eq!(d("&amp;#60;"), "&#60;");
        assert_eq!(d("&amp;lt;"), "&lt;");
        // left alone: unknown names, no `;`, forbidden or out-of-range code
        // points, signs and spaces in numbers
        for t in [
            "Smith & Sons",
            "&nbsp;",
            "&lt",
            "&#0;",
            "&#xD800;",
            "&#x110000;",
            "&#+60;",
            "&#x 3c;",
            "&#;",
            "&#x;",
            "&",
            "a&",
            "&&lt;",
        ] {
            let want = if t == "&&lt;" { "&<" } else { t };
            assert_eq!(d(t), want, "{t}");
        }
        assert!(matches!(decode_text(b"no entity"), Cow::Borrowed(_)));
    }

    proptest::proptest! {
        /// Any bytes decode without a panic, never to more bytes than they are
        /// (every reference is longer than what it stands for), and text
        /// without `&` is returned as it is.
        #[test]
        fn xml_decoding_never_grows_the_text(
            t in proptest::collection::vec(proptest::sample::select(
                b"&#x;ltgampquos0123456789aAfF<>\"' \xc3\xa9".to_vec()), 0..64),
        ) {
            let d = decode_text(&t);
            proptest::prop_assert!(d.len() <= t.len());
            if !t.contains(&b'&') {
                proptest::prop_assert_eq!(&d[..], &t[..]);
            }
        }
    }
}
