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
    /// Bytes the pre-scan acts on outside strings; everything else is skipped in
    /// a tight loop.
    const STRUCTURAL: [bool; 256] = {
        let mut t = [false; 256];
        t[b'"' as usize] = true;
        t[b'{' as usize] = true;
        t[b'[' as usize] = true;
        t[b'}' as usize] = true;
        t[b']' as usize] = true;
        t[b',' as usize] = true;
        t
    };
    // keys count as strings too, hence the factor 2
    let max_elements = l.max_elements.saturating_mul(2).saturating_add(1);
    let mut elements: u32 = 0;
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if !STRUCTURAL[usize::from(b)] {
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                let start = i + 1;
                i += 1;
                // a byte loop: JSON strings are mostly short, where a memchr call
                // per string costs more than it saves
                loop {
                    match s.get(i) {
                        Some(b'"') => break,
                        Some(b'\\') => i += 2,
                        Some(_) => i += 1,
                        None => return Err(JsonError::Unbalanced),
                    }
                }
                if i - start > l.max_string_bytes {
                    return Err(JsonError::StringLength(l.max_string_bytes));
                }
            }
            b'{' | b'[' => {
                if stack.len() >= l.max_depth as usize {
                    return Err(JsonError::Depth(l.max_depth));
                }
                stack.push(if b == b'{' { b'}' } else { b']' });
            }
            b'}' | b']' => {
                if stack.pop() != Some(b) {
                    return Err(JsonError::Unbalanced);
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        // a string, an opening bracket or a comma: one more element
        elements = elements.saturating_add(1);
        if elements > max_elements {
            return Err(JsonError::Elements(l.max_elements));
        }
        i += 1;
    }
    if !stack.is_empty() {
        return Err(JsonError::Unbalanced);
    }
    Ok(())
}

/// True when `s` cannot break any limit whatever its structure: no longer than
/// one string may be, no more bytes than elements may number (every element
/// takes at least one byte), and no more opening brackets than the depth allows.
/// The common small body then skips the byte-by-byte pre-scan; a malformed one
/// is still refused by simd-json (`json-invalid`).
fn within_limits_by_size(s: &[u8], l: &JsonLimits) -> bool {
    s.len() <= l.max_string_bytes
        && (s.len() as u64) <= u64::from(l.max_elements)
        && memchr::memchr2_iter(b'{', b'[', s)
            .take(l.max_depth as usize + 1)
            .count()
            <= l.max_depth as usize
}

/// What the walker reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonItem<'a> {
    /// An object key.
    Key(&'a str),
    /// A string value.
    Str(&'a str),
}

/// Where a key or string sits in the document, kept as a stack of segments and
/// rendered (`items[2].sku`) only when a detection needs a location: building the
/// text for every value cost more than scanning most of them.
#[derive(Debug, Default)]
pub struct JsonPath<'a> {
    segs: Vec<Seg<'a>>,
}

#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(u32),
}

impl JsonPath<'_> {
    /// Keys longer than this many bytes are cut (at a character boundary) when
    /// rendered: a location is for logs, not a copy of the request.
    pub const KEY_BYTES: usize = 64;

    /// The rendered path: `.`-joined keys, `[i]` for array elements; empty at the
    /// top level.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for seg in &self.segs {
            match seg {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&k[..floor_char_boundary(k, Self::KEY_BYTES)]);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

impl std::fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// simd-json's working buffers, kept per thread between documents (a gateway worker
/// parses one body after another); a buffer grown past this many bytes of input is
/// dropped after use rather than kept for the life of the thread.
const KEEP_BUFFERS_FOR: usize = 64 * 1024;

thread_local! {
    static BUFFERS: std::cell::RefCell<Option<simd_json::Buffers>> =
        const { std::cell::RefCell::new(None) };
}

/// Parses `buf` in place with simd-json (after `prescan_json`) and calls
/// `f(item, path)` for keys and string values; `f` returns false to stop.
/// Recursion depth is bounded by the pre-scan's `max_depth`.
pub fn walk_json<F>(buf: &mut [u8], l: &JsonLimits, f: &mut F) -> Result<(), JsonError>
where
    F: FnMut(JsonItem<'_>, &JsonPath<'_>) -> bool,
{
    if !within_limits_by_size(buf, l) {
        prescan_json(buf, l)?;
    }
    let len = buf.len();
    let mut buffers = BUFFERS
        .with(|b| b.borrow_mut().take())
        .unwrap_or_else(|| simd_json::Buffers::new(len));
    let tape = simd_json::to_tape_with_buffers(buf, &mut buffers);
    if len <= KEEP_BUFFERS_FOR {
        BUFFERS.with(|b| *b.borrow_mut() = Some(buffers));
    }
    let tape = tape.map_err(|e| JsonError::Invalid(e.to_string()))?;
    let mut path = JsonPath::default();
    let _ = walk_node(&tape.0, 0, &mut path, f);
    Ok(())
}

/// Walks the value at `i`; returns the index after it, or `None` when stopped.
fn walk_node<'a, F>(
    nodes: &[Node<'a>],
    i: usize,
    path: &mut JsonPath<'a>,
    f: &mut F,
) -> Option<usize>
where
    F: FnMut(JsonItem<'_>, &JsonPath<'_>) -> bool,
{
    match nodes.get(i)? {
        Node::String(s) => f(JsonItem::Str(s), path).then_some(i + 1),
        Node::Static(StaticNode::Null) | Node::Static(_) => Some(i + 1),
        Node::Array { len, .. } => {
            let mut j = i + 1;
            for k in 0..*len {
                path.segs
                    .push(Seg::Index(u32::try_from(k).unwrap_or(u32::MAX)));
                let next = walk_child(nodes, j, path, f);
                path.segs.pop();
                j = next?;
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
                path.segs.push(Seg::Key(key));
                let next = walk_child(nodes, j, path, f);
                path.segs.pop();
                j = next?;
            }
            Some(j)
        }
    }
}

/// [`walk_node`] for an element or member value, with leaves handled in place
/// (most values are strings or numbers: no call per leaf).
#[inline(always)]
fn walk_child<'a, F>(
    nodes: &[Node<'a>],
    j: usize,
    path: &mut JsonPath<'a>,
    f: &mut F,
) -> Option<usize>
where
    F: FnMut(JsonItem<'_>, &JsonPath<'_>) -> bool,
{
    match nodes.get(j)? {
        Node::String(s) => f(JsonItem::Str(s), path).then_some(j + 1),
        Node::Static(_) => Some(j + 1),
        _ => walk_node(nodes, j, path, f),
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
                JsonItem::Key(k) => (format!("key:{k}"), path.render()),
                JsonItem::Str(v) => (format!("str:{v}"), path.render()),
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
    fn json_small_documents_skip_the_prescan_but_not_the_limits() {
        // small enough to skip the pre-scan: malformed is still refused
        let mut buf = b"{\"a\":[}".to_vec();
        assert!(matches!(
            walk_json(&mut buf, &L, &mut |_, _| true),
            Err(JsonError::Invalid(_))
        ));
        // over a limit: the pre-scan runs and names it
        assert_eq!(walk(r#"[[[[["x"]]]]]"#), Err(JsonError::Depth(4)));
        assert_eq!(
            walk(r#"["aaaaaaaaaaaaaaaaaaaaaaaaa"]"#),
            Err(JsonError::StringLength(16))
        );
        assert!(matches!(
            walk("[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]"),
            Err(JsonError::Elements(_))
        ));
        assert!(walk(r#"{"k":["v",{"w":"x"}]}"#).is_ok());
    }

    #[test]
    fn json_unbalanced_is_error() {
        assert_eq!(prescan_json(b"{\"a\":[}", &L), Err(JsonError::Unbalanced));
    }
}
