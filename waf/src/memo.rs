//! Values a profile has already judged clean, remembered per thread across
//! requests. JSON keys, enum-like values (`"status":"paid"`, `"currency":"EUR"`),
//! form field names and paths repeat on almost every request of an API, and a
//! client's User-Agent and cookies on each of its requests; scanning them again
//! each time was most of the engine's cost on a typical request.
//!
//! Sound by construction: `scan_value` is a pure function of (profile, field,
//! bytes), and an entry is only ever reused for exactly the same profile instance
//! (a unique tag per compiled profile, so a reload starts afresh), the same field
//! kind and the same bytes, compared in full. The hash only picks a slot; a
//! collision (crafted or not) can only evict an entry, never skip a scan. The
//! tables are a fixed size per thread (no growth, no locks): a flood of distinct
//! values only costs the misses the engine would have paid anyway.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::detect::Field;

/// Longest value kept in the main table's fixed-size slots.
pub(crate) const MAX_LEN: usize = 40;
/// Slots per thread (a power of two). 2048 × 56 bytes ≈ 112 KiB per worker thread.
const SLOTS: usize = 2048;
/// Longest value kept at all. Values between `MAX_LEN` and this go to a small
/// second table: a client's User-Agent, Referer or session cookie comes again
/// on each of its requests, and scanning one costs a hundred times a lookup.
pub(crate) const LONG_MAX: usize = 512;
/// Slots of the second table (a power of two): at most 64 × 512 bytes = 32 KiB
/// per worker thread.
const LONG_SLOTS: usize = 64;

#[derive(Clone, Copy)]
struct Slot {
    /// 0 = empty; otherwise the owning profile's tag.
    tag: u64,
    field: Field,
    len: u8,
    bytes: [u8; MAX_LEN],
}

const EMPTY: Slot = Slot {
    tag: 0,
    field: Field::Value,
    len: 0,
    bytes: [0; MAX_LEN],
};

/// A slot of the second table: the bytes are kept in a buffer that is reused
/// (cleared and refilled) when another value takes the slot.
#[derive(Default)]
struct LongSlot {
    /// 0 = empty; otherwise the owning profile's tag.
    tag: u64,
    field: u8,
    bytes: Vec<u8>,
}

/// One thread's tables and hash seed, created on the thread's first use.
struct Table {
    seed: u64,
    slots: Box<[Slot]>,
    long: Box<[LongSlot]>,
}

thread_local! {
    static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// A fresh, never-zero tag for a compiled profile.
pub(crate) fn new_tag() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Per-thread random seed, so which values share a slot is not predictable from
/// outside (it would only let someone evict entries, but there is no reason to
/// make that easy).
fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish() | 1
}

fn hash_of(seed: u64, tag: u64, field: Field, v: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = seed ^ tag.wrapping_mul(K) ^ ((field as u64) << 56) ^ (v.len() as u64);
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
    }
    h ^= h >> 29;
    h.wrapping_mul(K) >> 32
}

/// What the table says about one value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Probe {
    /// Recorded clean for this profile: skip the scan.
    Clean,
    /// Not recorded; a clean verdict may be recorded in this slot.
    Miss(usize),
    /// Never kept (too long, or no profile tag).
    NotKept,
}

/// Looks `v` (as `field`) up for the profile tagged `tag` on this thread.
pub(crate) fn probe(tag: u64, field: Field, v: &[u8]) -> Probe {
    if v.len() > LONG_MAX || tag == 0 {
        return Probe::NotKept;
    }
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let t = t.get_or_insert_with(|| Table {
            seed: seed(),
            slots: vec![EMPTY; SLOTS].into_boxed_slice(),
            long: (0..LONG_SLOTS).map(|_| LongSlot::default()).collect(),
        });
        let h = hash_of(t.seed, tag, field, v) as usize;
        if v.len() > MAX_LEN {
            // the second table: slot numbers after the main table's
            let i = h & (LONG_SLOTS - 1);
            let s = &t.long[i];
            return if s.tag == tag && s.field == field as u8 && s.bytes == v {
                Probe::Clean
            } else {
                Probe::Miss(SLOTS + i)
            };
        }
        let i = h & (SLOTS - 1);
        let s = &t.slots[i];
        if s.tag == tag
            && s.field == field
            && usize::from(s.len) == v.len()
            && &s.bytes[..v.len()] == v
        {
            Probe::Clean
        } else {
            Probe::Miss(i)
        }
    })
}

/// Records `v` (as `field`) as clean for the profile tagged `tag` in `slot`, the
/// slot [`probe`] returned for exactly these arguments on this thread.
pub(crate) fn record_at(slot: usize, tag: u64, field: Field, v: &[u8]) {
    if v.len() > LONG_MAX || tag == 0 {
        return;
    }
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let Some(t) = t.as_mut() else {
            return;
        };
        if v.len() > MAX_LEN {
            if let Some(s) = slot.checked_sub(SLOTS).and_then(|i| t.long.get_mut(i)) {
                s.tag = tag;
                s.field = field as u8;
                s.bytes.clear();
                s.bytes.extend_from_slice(v);
            }
        } else if let Some(s) = t.slots.get_mut(slot) {
            s.tag = tag;
            s.field = field;
            s.len = v.len() as u8;
            s.bytes[..v.len()].copy_from_slice(v);
        }
    });
}

// ---------------------------------------------------------------------------
// Documents: the clean items of the last JSON document per (profile, route).
//
// An API sends the same keys, in the same order, and many of the same values
// (currency, status, SKUs) on every request. Looking each of them up in the
// table above costs a hash and a random access per item, and through a busy
// daemon that access usually misses the cache. The previous document's clean
// items, kept in order in one buffer, are compared instead: a short forward
// search from where the last match was, sequential memory, no hashing.
//
// Sound for the same reason as the table: an item is only ever taken as clean
// when exactly the same bytes, as the same field kind, were scanned clean by
// the same compiled profile. Which document, route or position an item came
// from only decides where to look first, never whether to scan.

/// Documents remembered per thread (a power of two).
const DOCS: usize = 8;
/// Bytes of remembered entries (`[field, len, bytes…]`) per document.
const DOC_BYTES: usize = 8 * 1024;
/// Longest item a document keeps (its length is stored in one byte). Longer
/// than the table's [`MAX_LEN`]: a document's free text (a delivery note, a
/// product description) costs more to scan than anything else in it, and a
/// client that sends it again (a retry, a re-submitted form, a template)
/// sends it at the same place. The document's byte budget bounds the memory.
const DOC_ITEM_MAX: usize = u8::MAX as usize;
/// How many remembered items past the cursor an item is looked for: enough to
/// step over the values that changed since the last document (a new name, a
/// new date) and over an array element added or removed.
const LOOKAHEAD: usize = 8;

/// One document's clean items: `[field, len, bytes…]` entries back to back.
#[derive(Default)]
struct Doc {
    tag: u64,
    key: u64,
    items: Vec<u8>,
}

thread_local! {
    static DOC_TABLE: RefCell<Vec<Doc>> = const { RefCell::new(Vec::new()) };
}

/// Walks one document's items against the previous document of the same
/// profile and route, and collects this document's clean items to replace it.
pub(crate) struct DocMemo {
    tag: u64,
    key: u64,
    prev: Doc,
    /// Byte offset in `prev` of the next remembered item to compare.
    cursor: usize,
    /// This document's clean items in order, as runs of `prev`'s entries and
    /// of `fresh`'s: an item found again costs no copy until `finish`, and
    /// then one copy per run.
    pieces: Vec<Piece>,
    /// The run being extended (not yet in `pieces`).
    run: Piece,
    /// Entries of items scanned clean in this document.
    fresh: Vec<u8>,
}

#[derive(Clone, Copy, Default)]
struct Piece {
    fresh: bool,
    start: u32,
    end: u32,
}

impl DocMemo {
    /// Takes the remembered document for `tag` and `route` out of this
    /// thread's table (one table access per document, none per item).
    pub(crate) fn begin(tag: u64, route: &str) -> DocMemo {
        // the route only decides where to look first (two routes that share a
        // key share a remembered document; items are still compared in full)
        let key = hash_of(0, tag, Field::Name, route.as_bytes());
        let slot = doc_slot(tag, key);
        let prev = DOC_TABLE.with(|t| {
            let mut t = t.borrow_mut();
            match t.get_mut(slot) {
                Some(d) if d.tag == tag && d.key == key && tag != 0 => std::mem::take(d),
                _ => Doc::default(),
            }
        });
        DocMemo {
            tag,
            key,
            prev,
            cursor: 0,
            pieces: Vec::new(),
            run: Piece::default(),
            fresh: Vec::new(),
        }
    }

    /// True when `v` (as `field`) is among the previous document's clean items
    /// near the cursor; it is then also kept for the next document.
    #[inline]
    pub(crate) fn seen_clean(&mut self, field: Field, v: &[u8]) -> bool {
        // the common case first: the same item right at the cursor (with no
        // previous document, or `v` longer than an entry can be, this finds
        // nothing and the search below says no)
        let at = self.cursor;
        let end = at + 2 + v.len();
        if let Some(e) = self.prev.items.get(at..end)
            && e[0] == field as u8
            && usize::from(e[1]) == v.len()
            && same_bytes(&e[2..], v)
        {
            self.cursor = end;
            self.add(false, at, end);
            return true;
        }
        self.seen_ahead(field, v)
    }

    /// [`Self::seen_clean`] past the item at the cursor.
    #[inline(never)]
    fn seen_ahead(&mut self, field: Field, v: &[u8]) -> bool {
        if v.len() > DOC_ITEM_MAX || self.tag == 0 {
            return false;
        }
        let mut at = self.cursor;
        for step in 0..LOOKAHEAD {
            let items = &self.prev.items;
            let (Some(&f), Some(&len)) = (items.get(at), items.get(at + 1)) else {
                return false;
            };
            let end = at + 2 + usize::from(len);
            if step == 0 {
                // the item at the cursor is not `v` (checked by the caller)
                if f == field as u8 && field == Field::Value {
                    // a value where the previous document had another value:
                    // most likely the same place with new content (a name, a
                    // date); the next item is looked for after it
                    self.cursor = end;
                    return false;
                }
            } else if f == field as u8
                && usize::from(len) == v.len()
                && items.get(at + 2..end).is_some_and(|b| same_bytes(b, v))
            {
                self.cursor = end;
                self.add(false, at, end);
                return true;
            }
            at = end;
        }
        false
    }

    /// Keeps `v` (as `field`), just scanned clean, for the next document.
    pub(crate) fn keep(&mut self, field: Field, v: &[u8]) {
        if v.len() > DOC_ITEM_MAX || self.fresh.len() + 2 + v.len() > DOC_BYTES {
            return;
        }
        if self.fresh.capacity() == 0 {
            self.fresh.reserve(512);
        }
        let start = self.fresh.len();
        self.fresh.push(field as u8);
        self.fresh.push(v.len() as u8);
        self.fresh.extend_from_slice(v);
        self.add(true, start, self.fresh.len());
    }

    /// Appends one entry (`start..end` of `prev` or `fresh`) to this
    /// document's items: it extends the current run when it follows it.
    #[inline]
    fn add(&mut self, fresh: bool, start: usize, end: usize) {
        if self.run.fresh == fresh && self.run.end as usize == start {
            self.run.end = end as u32;
            return;
        }
        self.new_run(fresh, start, end);
    }

    /// Closes the current run and starts another at `start..end`.
    #[inline(never)]
    fn new_run(&mut self, fresh: bool, start: usize, end: usize) {
        if self.run.end > self.run.start {
            if self.pieces.capacity() == 0 {
                self.pieces.reserve(32);
            }
            self.pieces.push(self.run);
        }
        // entries never pass DOC_BYTES (8 KiB), so offsets fit u32
        self.run = Piece {
            fresh,
            start: start as u32,
            end: end as u32,
        };
    }

    /// Stores this document's clean items for the next document of the same
    /// profile and route. Call only for a document walked to its end.
    pub(crate) fn finish(mut self) {
        if self.run.end > self.run.start {
            self.pieces.push(self.run);
        }
        if self.tag == 0 || self.pieces.is_empty() {
            return;
        }
        let items = match self.pieces.as_slice() {
            // every clean item was the previous document's, in order
            [p] if !p.fresh && p.start == 0 => {
                let mut items = self.prev.items;
                items.truncate(p.end as usize);
                items
            }
            pieces => {
                let mut items =
                    Vec::with_capacity(DOC_BYTES.min(self.prev.items.len() + self.fresh.len()));
                for p in pieces {
                    let src = if p.fresh {
                        &self.fresh
                    } else {
                        &self.prev.items
                    };
                    let run = &src[p.start as usize..p.end as usize];
                    if items.len() + run.len() > DOC_BYTES {
                        // whole entries only: the rest of the document is not kept
                        break;
                    }
                    items.extend_from_slice(run);
                }
                items
            }
        };
        let next = Doc {
            tag: self.tag,
            key: self.key,
            items,
        };
        let slot = doc_slot(self.tag, self.key);
        DOC_TABLE.with(|t| {
            let mut t = t.borrow_mut();
            if t.is_empty() {
                t.resize_with(DOCS, Doc::default);
            }
            if let Some(d) = t.get_mut(slot) {
                *d = next;
            }
        });
    }
}

/// `a == b`, in a few word compares instead of a `memcmp` call: this runs once
/// per item, and most items are a few bytes long. Two overlapping loads cover
/// any length from one word size to twice it.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn w8(s: &[u8], i: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_ne_bytes(w)
    }
    fn w4(s: &[u8], i: usize) -> u32 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[i..i + 4]);
        u32::from_ne_bytes(w)
    }
    fn w2(s: &[u8], i: usize) -> u16 {
        u16::from_ne_bytes([s[i], s[i + 1]])
    }
    match n {
        0 => true,
        1 => a[0] == b[0],
        2..4 => w2(a, 0) == w2(b, 0) && w2(a, n - 2) == w2(b, n - 2),
        4..8 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        _ => {
            // whole words, then the last word (overlapping the previous one)
            let mut i = 0;
            while i + 8 <= n {
                if w8(a, i) != w8(b, i) {
                    return false;
                }
                i += 8;
            }
            w8(a, n - 8) == w8(b, n - 8)
        }
    }
}

fn doc_slot(tag: u64, key: u64) -> usize {
    ((tag.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ key) >> 7) as usize & (DOCS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_clean(tag: u64, field: Field, v: &[u8]) {
        if let Probe::Miss(i) = probe(tag, field, v) {
            record_at(i, tag, field, v);
        }
    }

    fn is_clean(tag: u64, field: Field, v: &[u8]) -> bool {
        probe(tag, field, v) == Probe::Clean
    }

    #[test]
    fn memo_remembers_exact_bytes_field_and_profile_only() {
        let (a, b) = (new_tag(), new_tag());
        record_clean(a, Field::Value, b"paid");
        assert!(is_clean(a, Field::Value, b"paid"));
        assert!(!is_clean(a, Field::Value, b"PAID"));
        assert!(!is_clean(a, Field::Value, b"pai"));
        assert!(!is_clean(a, Field::Name, b"paid"));
        assert!(!is_clean(b, Field::Value, b"paid"));
        // never for the empty tag, never beyond the slot size
        record_clean(0, Field::Value, b"x");
        assert!(!is_clean(0, Field::Value, b"x"));
        // longer values go to the second table, up to its limit
        for len in [MAX_LEN, MAX_LEN + 1, LONG_MAX] {
            let v = vec![b'a'; len];
            record_clean(a, Field::Value, &v);
            assert!(is_clean(a, Field::Value, &v), "{len}");
            let mut w = v.clone();
            w[len / 2] = b'b';
            assert!(!is_clean(a, Field::Value, &w), "{len}");
            assert!(!is_clean(a, Field::Header, &v), "{len}");
            assert!(!is_clean(b, Field::Value, &v), "{len}");
        }
        let long = vec![b'a'; LONG_MAX + 1];
        record_clean(a, Field::Value, &long);
        assert!(!is_clean(a, Field::Value, &long));
    }

    #[test]
    fn memo_collisions_only_evict() {
        let tag = new_tag();
        // far more values than slots: every lookup is either an exact hit or a miss
        for i in 0..(SLOTS * 4) {
            record_clean(tag, Field::Value, format!("v{i}").as_bytes());
        }
        let hits = (0..(SLOTS * 4))
            .filter(|i| is_clean(tag, Field::Value, format!("v{i}").as_bytes()))
            .count();
        assert!(hits <= SLOTS, "{hits} hits from {SLOTS} slots");
        assert!(hits > 0);
        for i in 0..64 {
            assert!(!is_clean(tag, Field::Value, format!("w{i}").as_bytes()));
        }
        // the same for the second table
        let long = |c: &str, i: usize| format!("{c}{i}{}", "x".repeat(MAX_LEN));
        for i in 0..(LONG_SLOTS * 4) {
            record_clean(tag, Field::UserAgent, long("v", i).as_bytes());
        }
        let hits = (0..(LONG_SLOTS * 4))
            .filter(|&i| is_clean(tag, Field::UserAgent, long("v", i).as_bytes()))
            .count();
        assert!(hits <= LONG_SLOTS, "{hits} hits from {LONG_SLOTS} slots");
        assert!(hits > 0);
        for i in 0..64 {
            assert!(!is_clean(tag, Field::UserAgent, long("w", i).as_bytes()));
        }
    }

    fn doc(tag: u64, route: &str, items: &[(Field, &[u8], bool)]) -> Vec<bool> {
        // scans one document: `bool` = whether the scanner found the item clean;
        // returns which items the memo reported as already clean
        let mut d = DocMemo::begin(tag, route);
        let mut seen = Vec::new();
        for &(f, v, clean) in items {
            let s = d.seen_clean(f, v);
            seen.push(s);
            if !s && clean {
                d.keep(f, v);
            }
        }
        d.finish();
        seen
    }

    #[test]
    fn doc_memo_reports_only_items_kept_clean_for_the_same_profile() {
        let (a, b) = (new_tag(), new_tag());
        let first = [
            (Field::Name, &b"status"[..], true),
            (Field::Value, &b"paid"[..], true),
            (Field::Name, &b"note"[..], true),
            (Field::Value, &b"cat /etc/passwd"[..], false),
        ];
        assert_eq!(doc(a, "r", &first), [false; 4]);
        // again: the clean items are known, the one that scored is not
        assert_eq!(doc(a, "r", &first), [true, true, true, false]);
        // another profile, another field kind, other bytes: never
        assert_eq!(doc(b, "r", &first), [false; 4]);
        let other = [
            (Field::Value, &b"status"[..], true),
            (Field::Name, &b"paid"[..], true),
            (Field::Name, &b"Note"[..], true),
        ];
        assert_eq!(doc(a, "r", &other), [false; 3]);
    }

    #[test]
    fn doc_memo_finds_items_after_a_changed_value_or_a_shift() {
        let tag = new_tag();
        let order = |name: &'static [u8]| {
            [
                (Field::Name, &b"name"[..], true),
                (Field::Value, name, true),
                (Field::Name, &b"tier"[..], true),
                (Field::Value, &b"gold"[..], true),
            ]
        };
        doc(tag, "r", &order(b"Aoife"));
        assert_eq!(doc(tag, "r", &order(b"Rahul")), [true, false, true, true]);
        // the first item missing: the rest is still found
        assert_eq!(doc(tag, "r", &order(b"Rahul")[1..]), [true, true, true]);
        // a document that stops early keeps only what it had
        assert_eq!(doc(tag, "r", &order(b"Rahul")[..2]), [false, true]);
        assert_eq!(doc(tag, "r", &order(b"Rahul")), [true, true, false, false]);
        // free text longer than the table's slots is kept, up to the byte a
        // length fits in; past that, never
        let text = [b'a'; DOC_ITEM_MAX];
        let items = [(Field::Value, &text[..], true)];
        doc(tag, "long", &items);
        assert_eq!(doc(tag, "long", &items), [true]);
        let long = [b'a'; DOC_ITEM_MAX + 1];
        let items = [(Field::Value, &long[..], true)];
        doc(tag, "long", &items);
        assert_eq!(doc(tag, "long", &items), [false]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// The word compares agree with `==` at every length, including a
        /// difference in the first, the last or a middle byte.
        #[test]
        fn same_bytes_is_equality(
            a in proptest::collection::vec(0u8..4, 0..40),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            by in 0u8..4,
            cut in proptest::prelude::any::<bool>(),
        ) {
            proptest::prop_assert!(same_bytes(&a, &a.clone()));
            let mut b = a.clone();
            if cut {
                b.pop();
            } else if !b.is_empty() {
                let i = at.index(b.len());
                b[i] = by;
            }
            proptest::prop_assert_eq!(same_bytes(&a, &b), a == b);
        }

        /// Whatever the sequence of documents, routes and profiles, an item is
        /// only ever reported clean when exactly that item was kept clean
        /// before for the same profile.
        #[test]
        fn doc_memo_is_sound(
            docs in proptest::collection::vec(
                (0usize..2, 0usize..3, proptest::collection::vec((0u8..2, 0u8..6, proptest::prelude::any::<bool>()), 0..24)),
                1..24,
            )
        ) {
            let tags = [new_tag(), new_tag()];
            let mut kept = std::collections::HashSet::new();
            for (t, route, items) in docs {
                let tag = tags[t];
                let mut d = DocMemo::begin(tag, ["a", "b", "c"][route]);
                for (f, v, clean) in items {
                    let field = if f == 0 { Field::Name } else { Field::Value };
                    // short, word-sized, past the table's slots, at and past the
                    // longest a document keeps
                    let len = [0, 1, 8, MAX_LEN + 1, DOC_ITEM_MAX, DOC_ITEM_MAX + 1][usize::from(v)];
                    let bytes = vec![b'x'; len];
                    if d.seen_clean(field, &bytes) {
                        proptest::prop_assert!(kept.contains(&(tag, f, v)));
                    } else if clean {
                        d.keep(field, &bytes);
                        kept.insert((tag, f, v));
                    }
                }
                d.finish();
            }
        }
    }
}
