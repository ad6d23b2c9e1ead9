//! XML bodies: a forgiving scanner that yields text nodes, CDATA sections, comments
//! and attribute values (everything an application might read), skipping markup.
//! The DOCTYPE / entity declarations are judged on the whole body by `rules.rs`.
//! No entity expansion, ever. Linear time.

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
}
