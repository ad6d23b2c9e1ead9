//! Short values a profile has already judged clean, remembered per thread across
//! requests. JSON keys, enum-like values (`"status":"paid"`, `"currency":"EUR"`)
//! and form field names repeat on almost every request of an API; scanning them
//! again each time was most of the engine's cost on a typical JSON body.
//!
//! Sound by construction: `scan_value` is a pure function of (profile, field,
//! bytes), and an entry is only ever reused for exactly the same profile instance
//! (a unique tag per compiled profile, so a reload starts afresh), the same field
//! kind and the same bytes, compared in full. The hash only picks a slot; a
//! collision (crafted or not) can only evict an entry, never skip a scan. The
//! table is a fixed size per thread (no growth, no locks): a flood of distinct
//! values only costs the misses the engine would have paid anyway.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::detect::Field;

/// Longest value remembered. Longer values are rarely repeated verbatim (free
/// text), and the slot size bounds the table's memory.
pub(crate) const MAX_LEN: usize = 40;
/// Slots per thread (a power of two). 2048 × 56 bytes ≈ 112 KiB per worker thread.
const SLOTS: usize = 2048;

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

/// One thread's table and hash seed, created on the thread's first use.
struct Table {
    seed: u64,
    slots: Box<[Slot]>,
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

fn slot_of(seed: u64, tag: u64, field: Field, v: &[u8]) -> usize {
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
    h = h.wrapping_mul(K);
    ((h >> 32) as usize) & (SLOTS - 1)
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
    if v.len() > MAX_LEN || tag == 0 {
        return Probe::NotKept;
    }
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let t = t.get_or_insert_with(|| Table {
            seed: seed(),
            slots: vec![EMPTY; SLOTS].into_boxed_slice(),
        });
        let i = slot_of(t.seed, tag, field, v);
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
    if v.len() > MAX_LEN || tag == 0 {
        return;
    }
    TABLE.with(|t| {
        if let Some(t) = t.borrow_mut().as_mut()
            && let Some(s) = t.slots.get_mut(slot)
        {
            s.tag = tag;
            s.field = field;
            s.len = v.len() as u8;
            s.bytes[..v.len()].copy_from_slice(v);
        }
    });
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
        let long = [b'a'; MAX_LEN + 1];
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
    }
}
