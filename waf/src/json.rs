//! JSON bodies: a single-pass pre-scan that enforces depth, element count and
//! string length limits before simd-json sees the document (so the parser is never
//! pushed into pathological time or memory), then a walk over simd-json's tape that
//! hands every key and string value (with its path) to a callback. No detection.

use simd_json::StaticNode;
use simd_json::value::tape::Node;

/// Structure limits (compiled from `JsonLimitsConfig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonLimits {
    /// Maximum nesting depth.
    pub max_depth: u32,
    /// Maximum raw bytes of one string literal.
    pub max_string_bytes: usize,
    /// Maximum number of values.
    pub max_elements: u32,
}

/// Which limit a document broke, or why it is not JSON.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JsonError {
    /// Nesting deeper than `max_depth`.
    #[error("nesting deeper than {0}")]
    Depth(u32),
    /// More than `max_elements` values.
    #[error("more than {0} elements")]
    Elements(u32),
    /// A string literal longer than `max_string_bytes`.
    #[error("string literal longer than {0} bytes")]
    StringLength(usize),
    /// Unbalanced brackets or an unterminated string.
    #[error("unbalanced structure")]
    Unbalanced,
    /// simd-json refused the document.
    #[error("invalid JSON: {0}")]
    Invalid(String),
}

/// One linear pass: brackets, strings (with escapes), commas. Cheap enough to run
/// on every body; catches the inputs that would make any parser work hard.
pub fn prescan_json(s: &[u8], l: &JsonLimits) -> Result<(), JsonError> {
    let mut depth: u32 = 0;
    let mut elements: u32 = 0;
    let mut i = 0;
    let mut stack: Vec<u8> = Vec::new();
    while i < s.len() {
        match s[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &s[i..]) {
                        Some(p) if s[i + p] == b'\\' => i += p + 2,
                        Some(p) => {
                            i += p;
                            break;
                        }
                        None => return Err(JsonError::Unbalanced),
                    }
                    if i >= s.len() {
                        return Err(JsonError::Unbalanced);
                    }
                }
                if i - start > l.max_string_bytes {
                    return Err(JsonError::StringLength(l.max_string_bytes));
                }
                elements = elements.saturating_add(1);
            }
            b @ (b'{' | b'[') => {
                depth += 1;
                if depth > l.max_depth {
                    return Err(JsonError::Depth(l.max_depth));
                }
                stack.push(if b == b'{' { b'}' } else { b']' });
                elements = elements.saturating_add(1);
            }
            b @ (b'}' | b']') => {
                if stack.pop() != Some(b) {
                    return Err(JsonError::Unbalanced);
                }
                depth -= 1;
            }
            b',' => elements = elements.saturating_add(1),
            _ => {}
        }
        if elements > l.max_elements.saturating_mul(2).saturating_add(1) {
            // keys count as strings too, hence the factor 2
            return Err(JsonError::Elements(l.max_elements));
        }
        i += 1;
    }
    if !stack.is_empty() {
        return Err(JsonError::Unbalanced);
    }
    Ok(())
}

/// What the walker reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonItem<'a> {
    /// An object key.
    Key(&'a str),
    /// A string value.
    Str(&'a str),
}

/// Parses `buf` in place with simd-json (after `prescan_json`) and calls
/// `f(item, path)` for keys and string values; `f` returns false to stop.
/// Recursion depth is bounded by the pre-scan's `max_depth`.
pub fn walk_json(
    buf: &mut [u8],
    l: &JsonLimits,
    f: &mut dyn FnMut(JsonItem<'_>, &str) -> bool,
) -> Result<(), JsonError> {
    prescan_json(buf, l)?;
    let tape = simd_json::to_tape(buf).map_err(|e| JsonError::Invalid(e.to_string()))?;
    let mut path = String::new();
    let _ = walk_node(&tape.0, 0, &mut path, f);
    Ok(())
}

/// Walks the value at `i`; returns the index after it, or `None` when stopped.
fn walk_node(
    nodes: &[Node<'_>],
    i: usize,
    path: &mut String,
    f: &mut dyn FnMut(JsonItem<'_>, &str) -> bool,
) -> Option<usize> {
    match nodes.get(i)? {
        Node::String(s) => f(JsonItem::Str(s), path).then_some(i + 1),
        Node::Static(StaticNode::Null) | Node::Static(_) => Some(i + 1),
        Node::Array { len, .. } => {
            let mut j = i + 1;
            for k in 0..*len {
                let keep = path.len();
                path.push('[');
                path.push_str(&k.to_string());
                path.push(']');
                j = walk_node(nodes, j, path, f)?;
                path.truncate(keep);
            }
            Some(j)
        }
        Node::Object { len, .. } => {
            let mut j = i + 1;
            for _ in 0..*len {
                let Some(Node::String(key)) = nodes.get(j) else {
                    return Some(nodes.len());
                };
                if !f(JsonItem::Key(key), path) {
                    return None;
                }
                j += 1;
                let keep = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key[..floor_char_boundary(key, 64)]);
                j = walk_node(nodes, j, path, f)?;
                path.truncate(keep);
            }
            Some(j)
        }
    }
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const L: JsonLimits = JsonLimits {
        max_depth: 4,
        max_string_bytes: 16,
        max_elements: 10,
    };

    fn walk(s: &str) -> Result<Vec<(String, String)>, JsonError> {
        let mut buf = s.as_bytes().to_vec();
        let mut out = Vec::new();
        walk_json(&mut buf, &L, &mut |item, path| {
            out.push(match item {
                JsonItem::Key(k) => (format!("key:{k}"), path.to_owned()),
                JsonItem::Str(v) => (format!("str:{v}"), path.to_owned()),
            });
            true
        })?;
        Ok(out)
    }

    #[test]
    fn json_walk_reports_keys_and_values() {
        let got = walk(r#"{"a":"x","b":{"c":["y",1]}}"#).unwrap();
        assert!(got.contains(&("str:x".into(), "a".into())));
        assert!(got.contains(&("str:y".into(), "b.c[0]".into())));
        assert!(got.contains(&("key:c".into(), "b".into())));
    }

    #[test]
    fn json_prescan_enforces_depth() {
        assert_eq!(prescan_json(b"[[[[[1]]]]]", &L), Err(JsonError::Depth(4)));
    }

    #[test]
    fn json_prescan_enforces_string_length() {
        assert_eq!(
            prescan_json(b"[\"aaaaaaaaaaaaaaaaaaaaaaaa\"]", &L),
            Err(JsonError::StringLength(16))
        );
    }

    #[test]
    fn json_prescan_enforces_elements() {
        assert!(matches!(
            prescan_json(b"[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", &L),
            Err(JsonError::Elements(_))
        ));
    }

    #[test]
    fn json_unbalanced_is_error() {
        assert_eq!(prescan_json(b"{\"a\":[}", &L), Err(JsonError::Unbalanced));
    }
}
