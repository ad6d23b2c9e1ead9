//! Redaction of secrets before they reach an audit record (and therefore its MAC).
//!
//! A redacted value becomes `<redacted:N>`, N being the byte length of the original
//! (still percent-encoded) value, so an investigator sees that a value was there and how
//! long it was, never what it was. Redaction is idempotent: a value already of the form
//! `<redacted:N>` is left alone, so redacting in the data plane and again in the writer
//! gives the same bytes.
//!
//! Must not: change any byte but the values of configured names (the path, the other
//! parameters, their order and separators are kept as they came).

use crate::config::RedactConfig;

/// Compiled `[redact]` table (names lowercased once).
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    query_params: Vec<String>,
    headers: Vec<String>,
}

// === impl Redactor ===

impl Redactor {
    /// Compiles the config table.
    pub fn new(cfg: &RedactConfig) -> Redactor {
        let lower = |names: &[String]| names.iter().map(|n| n.to_ascii_lowercase()).collect();
        Redactor {
            query_params: lower(&cfg.query_params),
            headers: lower(&cfg.headers),
        }
    }

    /// Redacts the values of configured query parameters in a request target
    /// (`/path?a=1&token=abc` → `/path?a=1&token=<redacted:3>`). Parameter names are
    /// compared case-insensitively after percent-decoding; the path, the other
    /// parameters, their order and separators are kept byte for byte.
    pub fn path_and_query(&self, pq: &str) -> String {
        let Some((path, rest)) = pq.split_once('?') else {
            return pq.to_string();
        };
        let (query, fragment) = match rest.split_once('#') {
            Some((q, f)) => (q, Some(f)),
            None => (rest, None),
        };
        let mut out = String::with_capacity(pq.len() + 16);
        out.push_str(path);
        out.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((name, value)) if self.is_secret_param(name) => {
                    out.push_str(name);
                    out.push('=');
                    push_redacted(&mut out, value);
                }
                _ => out.push_str(pair),
            }
        }
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }

    /// The value to record for header `name`: `<redacted:N>` for configured names
    /// (case-insensitive), the value itself otherwise.
    pub fn header_value(&self, name: &str, value: &str) -> String {
        if self.headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            let mut out = String::new();
            push_redacted(&mut out, value);
            out
        } else {
            value.to_string()
        }
    }

    fn is_secret_param(&self, raw_name: &str) -> bool {
        if self.query_params.is_empty() {
            return false;
        }
        let name = percent_decode_lower(raw_name);
        self.query_params.contains(&name)
    }
}

fn push_redacted(out: &mut String, value: &str) {
    if value.is_empty() || is_redaction_marker(value) {
        out.push_str(value);
    } else {
        out.push_str("<redacted:");
        out.push_str(&value.len().to_string());
        out.push('>');
    }
}

fn is_redaction_marker(value: &str) -> bool {
    value
        .strip_prefix("<redacted:")
        .and_then(|v| v.strip_suffix('>'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `%XX` and `+` decoded, ASCII lowercased; undecodable bytes kept as they are.
fn percent_decode_lower(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let decoded = match b {
            b'%' => bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok()),
            _ => None,
        };
        match (b, decoded) {
            (_, Some(d)) => {
                out.push(d.to_ascii_lowercase());
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b.to_ascii_lowercase());
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn redactor() -> Redactor {
        Redactor::new(&RedactConfig {
            query_params: vec!["token".into(), "Password".into()],
            headers: vec!["Authorization".into()],
        })
    }

    #[test]
    fn path_and_query_redacts_configured_params_case_insensitively() {
        let r = redactor();
        assert_eq!(
            r.path_and_query("/a/b?x=1&TOKEN=abc&password=hunter2&y"),
            "/a/b?x=1&TOKEN=<redacted:3>&password=<redacted:7>&y"
        );
        assert_eq!(
            r.path_and_query("/p?%74oken=abcd"),
            "/p?%74oken=<redacted:4>"
        );
        assert_eq!(r.path_and_query("/no/query"), "/no/query");
        assert_eq!(
            r.path_and_query("/p?token=s3#frag"),
            "/p?token=<redacted:2>#frag"
        );
        assert_eq!(r.path_and_query("/p?token="), "/p?token=");
    }

    #[test]
    fn header_value_redacts_configured_names_only() {
        let r = redactor();
        assert_eq!(
            r.header_value("authorization", "Bearer xyz"),
            "<redacted:10>"
        );
        assert_eq!(r.header_value("accept", "text/html"), "text/html");
    }

    proptest! {
        #[test]
        fn path_and_query_is_idempotent_and_hides_values(path in "/[a-z/]{0,10}", value in "[A-Za-z0-9%._-]{1,20}", other in "[a-z]{1,5}=[a-z0-9]{0,5}") {
            let r = redactor();
            let pq = format!("{path}?{other}&token={value}");
            let once = r.path_and_query(&pq);
            prop_assert_eq!(r.path_and_query(&once), once.clone());
            let expected = format!("{path}?{other}&token=<redacted:{}>", value.len());
            prop_assert_eq!(once, expected);
        }

        #[test]
        fn path_and_query_never_panics(s in "\\PC{0,64}") {
            let _ = redactor().path_and_query(&s);
        }
    }
}
