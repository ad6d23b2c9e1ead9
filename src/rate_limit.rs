//! Per-client token buckets in a bounded, lock-free table.
//!
//! Each slot is one `AtomicU64` packing `tag:16 | tokens:16 (1/16 units) | last:32 (ms)`.
//! A client hashes to two neighbouring slots (2-way set associative). A lookup takes
//! the slot whose tag matches; otherwise it claims the slot whose bucket has refilled
//! the most (the least informative one) with a compare-and-swap. Consequences:
//! - memory is fixed (`max_clients` rounded up to a power of two, 8 bytes a slot);
//! - no lock is ever taken, so eviction cannot stall the request path, and a new
//!   client always gets a slot: nobody starves when the table is full;
//! - two clients sharing a slot pair and a 16-bit tag share a bucket (odds ~1/65536 per
//!   collision): acceptable for a limiter whose job is to stop floods, not to bill.
//!
//! The table outlives snapshots; the rate and burst come from the current snapshot.

use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Largest burst the packed representation holds (16 bits of 1/16 tokens).
pub const MAX_BURST: u32 = 4095;
const UNIT: f64 = 16.0;

/// Rate settings from one snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: u32,
}

/// The shared table.
pub struct RateLimiter {
    slots: Box<[AtomicU64]>,
    mask: usize,
    hasher: std::collections::hash_map::RandomState,
    epoch: Instant,
}

fn pack(tag: u16, tokens: u16, last: u32) -> u64 {
    (tag as u64) << 48 | (tokens as u64) << 32 | last as u64
}

fn unpack(v: u64) -> (u16, u16, u32) {
    ((v >> 48) as u16, (v >> 32) as u16, v as u32)
}

impl RateLimiter {
    pub fn new(max_clients: usize) -> Self {
        let n = max_clients.clamp(16, 1 << 24).next_power_of_two();
        let slots = (0..n)
            .map(|_| AtomicU64::new(0))
            .collect::<Vec<_>>()
            .into_boxed_slice();
        Self {
            slots,
            mask: n - 1,
            hasher: Default::default(),
            epoch: Instant::now(),
        }
    }

    fn now_ms(&self) -> u32 {
        // Wraps after ~49 days; elapsed times use wrapping arithmetic.
        self.epoch.elapsed().as_millis() as u32
    }

    /// Takes one token for `ip`. `false` = over the limit (answer 429).
    pub fn check(&self, ip: IpAddr, rate: Rate) -> bool {
        self.check_at(ip, rate, self.now_ms())
    }

    fn refill(tokens: u16, last: u32, now: u32, rate: Rate) -> (u16, u32) {
        let cap = (rate.burst.min(MAX_BURST) as f64 * UNIT) as u64;
        let elapsed = now.wrapping_sub(last) as f64;
        let units_per_ms = rate.per_second * UNIT / 1000.0;
        let add = (elapsed * units_per_ms).floor();
        let total = (tokens as u64).saturating_add(add as u64);
        if total >= cap {
            return (cap as u16, now);
        }
        // Advance `last` only by the time the whole units added correspond to, so slow
        // rates still accumulate across frequent requests.
        let used_ms = if units_per_ms > 0.0 {
            (add / units_per_ms) as u32
        } else {
            0
        };
        (total as u16, last.wrapping_add(used_ms))
    }

    /// The slot pair (its first index) and the tag of a client.
    fn place(&self, ip: IpAddr) -> (usize, u16) {
        let mut h = self.hasher.build_hasher();
        h.write(&match ip {
            IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
            IpAddr::V6(v6) => v6.octets(),
        });
        let hash = h.finish();
        let tag = ((hash >> 48) as u16).max(1); // 0 marks an empty slot
        ((hash as usize) & self.mask & !1, tag)
    }

    pub(crate) fn check_at(&self, ip: IpAddr, rate: Rate, now: u32) -> bool {
        let (base, tag) = self.place(ip);
        let full = (rate.burst.min(MAX_BURST) as f64 * UNIT) as u16;
        for _ in 0..8 {
            let a = self.slots[base].load(Ordering::Relaxed);
            let b = self.slots[base + 1].load(Ordering::Relaxed);
            // Pick the slot: matching tag, else the most refilled (empty counts as full).
            let pick = |v: u64| {
                let (t, tok, last) = unpack(v);
                if t == 0 {
                    full as u64 + 1
                } else {
                    Self::refill(tok, last, now, rate).0 as u64
                }
            };
            let (idx, cur, fresh) = match (unpack(a).0 == tag, unpack(b).0 == tag) {
                (true, _) => (base, a, false),
                (_, true) => (base + 1, b, false),
                _ if pick(a) >= pick(b) => (base, a, true),
                _ => (base + 1, b, true),
            };
            let (tokens, last) = if fresh {
                (full, now)
            } else {
                let (_, tok, last) = unpack(cur);
                Self::refill(tok, last, now, rate)
            };
            let (allowed, left) = if tokens >= UNIT as u16 {
                (true, tokens - UNIT as u16)
            } else {
                (false, tokens)
            };
            let next = pack(tag, left, last);
            if self.slots[idx]
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return allowed;
            }
        }
        // Heavy contention on one slot pair: let the request through rather than spin.
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refuse_then_recover() {
        let rl = RateLimiter::new(1024);
        let ip: IpAddr = "198.51.100.1".parse().expect("ip");
        let rate = Rate {
            per_second: 10.0,
            burst: 3,
        };
        assert!(rl.check_at(ip, rate, 0));
        assert!(rl.check_at(ip, rate, 0));
        assert!(rl.check_at(ip, rate, 0));
        assert!(!rl.check_at(ip, rate, 0));
        assert!(!rl.check_at(ip, rate, 50));
        assert!(rl.check_at(ip, rate, 100), "one token after 100 ms at 10/s");
    }

    #[test]
    fn slow_rate_accumulates_across_frequent_requests() {
        let rl = RateLimiter::new(64);
        let ip: IpAddr = "198.51.100.2".parse().expect("ip");
        let rate = Rate {
            per_second: 1.0,
            burst: 1,
        };
        assert!(rl.check_at(ip, rate, 0));
        let mut allowed = 0;
        for t in (10..=1_000).step_by(10) {
            if rl.check_at(ip, rate, t) {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 1, "exactly one token refills in one second");
    }

    #[test]
    fn full_table_still_admits_new_clients() {
        let rl = RateLimiter::new(16);
        let rate = Rate {
            per_second: 1.0,
            burst: 1,
        };
        let mut seen = std::collections::HashSet::new();
        let mut shared = 0;
        for i in 0..10_000u32 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            // Clients sharing a slot pair and a 16-bit tag share a bucket by design (see the
            // module docs); every other new client must get a fresh bucket.
            let fresh = seen.insert(rl.place(ip));
            let allowed = rl.check_at(ip, rate, 0);
            if fresh {
                assert!(allowed, "new client {i} starved");
            } else {
                shared += 1;
            }
        }
        // Birthday bound for 10,000 clients over 8 pairs x 65,536 tags: ~95 expected. (A
        // production table has 65,536 pairs, making sharing negligible.)
        assert!(
            shared < 400,
            "tag sharing must stay rare ({shared} of 10000)"
        );
    }

    #[test]
    fn clients_do_not_share_buckets_in_a_roomy_table() {
        let rl = RateLimiter::new(4096);
        let rate = Rate {
            per_second: 0.001,
            burst: 1,
        };
        let a: IpAddr = "198.51.100.3".parse().expect("ip");
        let b: IpAddr = "198.51.100.4".parse().expect("ip");
        assert!(rl.check_at(a, rate, 0));
        assert!(rl.check_at(b, rate, 0));
        assert!(!rl.check_at(a, rate, 1));
    }
}
