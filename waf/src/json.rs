//! JSON bodies: a single-pass pre-scan that enforces depth, element count and
//! string length limits before simd-json sees the document (so the parser is never
//! pushed into pathological time or memory), then a walk over simd-json's tape that
//! hands every key and string value (with its path) to a callback. No detection.

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
        && (s.len() <= l.max_depth as usize || openings(s) <= l.max_depth as usize)
}

/// How many `{` and `[` bytes `s` holds: a branch-free count the compiler
/// vectorises (a search stopping at each bracket cost more on a typical body).
fn openings(s: &[u8]) -> usize {
    // byte-wide sums over chunks short enough not to overflow a byte: sixteen
    // lanes per SSE2 instruction
    s.chunks(255)
        .map(|c| {
            let n = c
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from((b | 0x20) == b'{')));
            usize::from(n)
        })
        .sum()
}

/// What the walker reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonItem<'a> {
    /// An object key.
    Key(&'a str),
    /// A string value.
    Str(&'a str),
}

/// Where a key or string sits in the document: its place on the parser's tape,
/// rendered (`items[2].sku`) only when a detection needs a location. Building a
/// path for every value cost more than scanning most of them, so the walk keeps
/// none; `render` finds the item again from the top of the tape.
#[derive(Debug, Clone, Copy)]
pub struct JsonPath<'a> {
    nodes: &'a [Node<'a>],
    at: usize,
}

#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

impl JsonPath<'_> {
    /// Keys longer than this many bytes are cut (at a character boundary) when
    /// rendered: a location is for logs, not a copy of the request.
    pub const KEY_BYTES: usize = 64;

    /// The rendered path of a value: `.`-joined keys, `[i]` for array
    /// elements; empty at the top level. A key is rendered as the path of the
    /// object it belongs to.
    pub fn render(&self) -> String {
        let segs = self.segments();
        let mut out = String::new();
        for seg in &segs {
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

impl<'a> JsonPath<'a> {
    /// The key a value sits under, if its container is an object.
    pub fn key(&self) -> Option<&'a str> {
        match self.segments().last() {
            Some(Seg::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// The way from the top of the document to the item, found again on
    /// the tape.
    fn segments(&self) -> Vec<Seg<'a>> {
        let mut segs = Vec::new();
        let _ = locate(self.nodes, 0, self.at, &mut segs);
        segs
    }
}

impl std::fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// Walks the value at `i` towards tape index `target`, with the segments of the
/// way in `segs`. `None`: found (`segs` is its path); `Some(next)`: not inside
/// this value, `next` is the index after it. The same traversal as
/// [`walk_node`], so the same depth bound holds.
fn locate<'a>(
    nodes: &[Node<'a>],
    i: usize,
    target: usize,
    segs: &mut Vec<Seg<'a>>,
) -> Option<usize> {
    if i == target {
        return None;
    }
    match nodes.get(i) {
        Some(Node::Array { len, .. }) => {
            let mut j = i + 1;
            for k in 0..*len {
                segs.push(Seg::Index(k));
                j = locate(nodes, j, target, segs)?;
                segs.pop();
            }
            Some(j)
        }
        Some(Node::Object { len, .. }) => {
            let mut j = i + 1;
            for _ in 0..*len {
                let Some(Node::String(key)) = nodes.get(j) else {
                    return Some(nodes.len());
                };
                if j == target {
                    return None;
                }
                segs.push(Seg::Key(key));
                j = locate(nodes, j + 1, target, segs)?;
                segs.pop();
            }
            Some(j)
        }
        Some(_) => Some(i + 1),
        None => Some(nodes.len()),
    }
}

/// A gateway worker parses one body after another: simd-json's working buffers,
/// the padded copy of the input and the tape's allocation are kept per thread
/// between documents. Buffers grown past this many bytes of input are dropped
/// after use rather than kept for the life of the thread.
const KEEP_BUFFERS_FOR: usize = 64 * 1024;
/// A tape grown past this many nodes (24 bytes each) is dropped after use: a
/// 64 KiB document of one-digit numbers would otherwise leave ~750 KiB per
/// worker thread behind.
const KEEP_TAPE_NODES: usize = 8 * 1024;

struct Scratch {
    buffers: simd_json::Buffers,
    input: Vec<u8>,
    tape: simd_json::Tape<'static>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Option<Scratch>> =
        const { std::cell::RefCell::new(None) };
}

/// Parses `body` with simd-json (after `prescan_json`, unless its size alone
/// proves every limit holds) and calls `f(item, path)` for keys and string
/// values in document order; `f` returns false to stop. Recursion depth is
/// bounded by `max_depth`.
pub fn walk_json<F>(body: &[u8], l: &JsonLimits, f: &mut F) -> Result<(), JsonError>
where
    F: FnMut(JsonItem<'_>, &JsonPath<'_>) -> bool,
{
    if !within_limits_by_size(body, l) {
        prescan_json(body, l)?;
    }
    let len = body.len();
    let mut s = SCRATCH
        .with(|c| c.borrow_mut().take())
        .unwrap_or_else(|| Scratch {
            buffers: simd_json::Buffers::new(len),
            input: Vec::new(),
            tape: simd_json::Tape::null(),
        });
    // one copy of the body, followed by the padding simd-json reads past its
    // end (it unescapes strings in place, so the caller's bytes stay intact)
    s.input.clear();
    s.input.reserve(len + simd_json::INPUT_PADDING);
    s.input.extend_from_slice(body);
    s.input.resize(len + simd_json::INPUT_PADDING, 0);
    let mut tape = std::mem::replace(&mut s.tape, simd_json::Tape::null()).reset();
    let out = match simd_json::fill_tape_padded(&mut s.input, len, &mut s.buffers, &mut tape) {
        Ok(()) => {
            let _ = walk_node(&tape.0, 0, f);
            Ok(())
        }
        Err(e) => Err(JsonError::Invalid(e.to_string())),
    };
    let tape = tape.reset();
    if len <= KEEP_BUFFERS_FOR {
        if tape.0.capacity() <= KEEP_TAPE_NODES {
            s.tape = tape;
        }
        SCRATCH.with(|c| *c.borrow_mut() = Some(s));
    }
    out
}

/// Walks the value at `i`; returns the index after it, or `None` when stopped.
fn walk_node<'a, F>(nodes: &'a [Node<'a>], i: usize, f: &mut F) -> Option<usize>
where
    F: FnMut(JsonItem<'_>, &JsonPath<'_>) -> bool,
{
    match nodes.get(i)? {
        Node::String(s) => f(JsonItem::Str(s), &JsonPath { nodes, at: i }).then_some(i + 1),
        Node::Static(_) => Some(i + 1),
        Node::Array { len, .. } => {
            let mut j = i + 1;
            for _ in 0..*len {
                j = walk_child(nodes, j, f)?;
            }
            Some(j)
        }
        Node::Object { len, .. } => {
            let mut j = i + 1;
            for _ in 0..*len {
                let Some(Node::String(key)) = nodes.get(j) else {
                    return Some(nodes.len());
                };
                if !f(JsonItem::Key(key), &JsonPath { nodes, at: j }) {
                    return None;
                }
                j = walk_child(nodes, j + 1, f)?;
            }
            Some(j)
        }
    }
}

/// [`walk_node`] for an element or member value, with leaves handled in place
/// (most values are strings or numbers: no call per leaf).
#[inline(always)]
fn walk_child<'a, F>(nodes: &'a [Node<'a>], j: usize, f: &mut F) -> Option<usize>
where
    F: FnMut(JsonItem<'_>, &JsonPath<'_>) -> bool,
{
    match nodes.get(j)? {
        Node::String(s) => f(JsonItem::Str(s), &JsonPath { nodes, at: j }).then_some(j + 1),
        Node::Static(_) => Some(j + 1),
        _ => walk_node(nodes, j, f),
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
        walk_with(s, &L)
    }

    fn walk_with(s: &str, l: &JsonLimits) -> Result<Vec<(String, String)>, JsonError> {
        let mut out = Vec::new();
        walk_json(s.as_bytes(), l, &mut |item, path| {
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
    fn json_walk_renders_paths_through_arrays_objects_and_escapes() {
        let l = JsonLimits {
            max_depth: 8,
            max_string_bytes: 64,
            max_elements: 100,
        };
        let doc = r#"{"id":7,"items":[{"sku":"a"},{"sku":"b","tags":["x\"y",null,"z"]}],"n\u0041me":"q","e":{}}"#;
        let got = walk_with(doc, &l).unwrap();
        let want: Vec<(String, String)> = [
            ("key:id", ""),
            ("key:items", ""),
            ("key:sku", "items[0]"),
            ("str:a", "items[0].sku"),
            ("key:sku", "items[1]"),
            ("str:b", "items[1].sku"),
            ("key:tags", "items[1]"),
            ("str:x\"y", "items[1].tags[0]"),
            ("str:z", "items[1].tags[2]"),
            ("key:nAme", ""),
            ("str:q", "nAme"),
            ("key:e", ""),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);
        // a top-level string has the empty path
        assert_eq!(
            walk_with(r#""t""#, &l).unwrap(),
            [("str:t".into(), String::new())]
        );
    }

    #[test]
    fn json_walk_reuses_its_buffers_across_documents_of_any_size() {
        let l = JsonLimits {
            max_depth: 8,
            max_string_bytes: 1 << 20,
            max_elements: 1 << 20,
        };
        let big = format!(
            r#"{{"k":"{}","v":["{}"]}}"#,
            "a".repeat(KEEP_BUFFERS_FOR),
            "b".repeat(300)
        );
        for doc in [r#"{"a":"1"}"#, big.as_str(), r#"["x\ny"]"#, r#"{"a":"1"}"#] {
            let expected: serde_json::Value = serde_json::from_str(doc).unwrap();
            let got = walk_with(doc, &l).unwrap();
            let mut strings = Vec::new();
            collect(&expected, &mut strings);
            let walked: Vec<String> = got.into_iter().map(|(item, _)| item).collect();
            assert_eq!(walked, strings, "{doc:.40}");
        }
        // many nodes in few bytes: walked, but that tape is not kept
        let numbers = format!("[{}1]", "1,".repeat(20_000));
        assert!(numbers.len() <= KEEP_BUFFERS_FOR);
        assert!(walk_with(&numbers, &l).unwrap().is_empty());
        let kept = SCRATCH.with(|c| c.borrow().as_ref().map(|s| s.tape.0.capacity()));
        assert!(kept.is_some_and(|n| n <= KEEP_TAPE_NODES), "{kept:?}");
        assert_eq!(
            walk_with(r#"["ok"]"#, &l).unwrap(),
            [("str:ok".into(), "[0]".into())]
        );
        // a refused document leaves the next one unaffected
        assert!(walk_with("[\"unterminated", &l).is_err());
        assert_eq!(
            walk_with(r#"["ok"]"#, &l).unwrap(),
            [("str:ok".into(), "[0]".into())]
        );
    }

    fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(format!("str:{s}")),
            serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    out.push(format!("key:{k}"));
                    collect(x, out);
                }
            }
            _ => {}
        }
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
        assert!(matches!(
            walk_json(b"{\"a\":[}", &L, &mut |_, _| true),
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

    /// Every key and string of `v` with its rendered path, by plain recursion
    /// over serde_json's value (the oracle for the tape walk).
    fn reference(v: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::String(s) => out.push((format!("str:{s}"), path.to_owned())),
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    reference(x, &format!("{path}[{i}]"), out);
                }
            }
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    out.push((format!("key:{k}"), path.to_owned()));
                    let cut = &k[..floor_char_boundary(k, JsonPath::KEY_BYTES)];
                    let sub = if path.is_empty() {
                        cut.to_owned()
                    } else {
                        format!("{path}.{cut}")
                    };
                    reference(x, &sub, out);
                }
            }
            _ => {}
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i32>().prop_map(serde_json::Value::from),
            "[a-c\"\\/é\n]{0,6}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(5, 48, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
                proptest::collection::btree_map("[a-d]{0,3}", inner, 0..5)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// The walk over simd-json's tape reports exactly the keys and
        /// strings, in document order and with the paths (rendered by finding
        /// the item again), that serde_json's value of the same document holds.
        #[test]
        fn json_walk_matches_serde_json(v in json_value()) {
            let doc = serde_json::to_string(&v).unwrap();
            let l = JsonLimits { max_depth: 16, max_string_bytes: 1 << 16, max_elements: 1 << 16 };
            let mut want = Vec::new();
            reference(&v, "", &mut want);
            proptest::prop_assert_eq!(walk_with(&doc, &l).unwrap(), want);
        }

        /// The size-only shortcut counts exactly the opening brackets.
        #[test]
        fn json_openings_counts_brackets(s in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let naive = s.iter().filter(|&&b| b == b'{' || b == b'[').count();
            proptest::prop_assert_eq!(openings(&s), naive);
        }
    }

    #[test]
    fn json_unbalanced_is_error() {
        assert_eq!(prescan_json(b"{\"a\":[}", &L), Err(JsonError::Unbalanced));
    }
}
