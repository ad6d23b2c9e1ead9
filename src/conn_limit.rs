//! Connection admission at accept time, before any TLS work: a global cap and a per-IP
//! cap. Counts are exact (a permit is returned when its connection ends), so the per-IP
//! table holds only addresses with open connections and is bounded by the global cap.
//! Caps come from the current snapshot, so a reload can raise or lower them; lowering
//! never closes an open connection.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const SHARDS: usize = 32;

/// Shared counters.
#[derive(Default)]
pub struct ConnLimiter {
    active: AtomicUsize,
    per_ip: [Mutex<HashMap<IpAddr, usize>>; SHARDS],
    hasher: std::collections::hash_map::RandomState,
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Global,
    PerIp,
}

/// Held for a connection's life; dropping it releases both counts.
pub struct ConnPermit {
    limiter: Arc<ConnLimiter>,
    ip: IpAddr,
}

impl ConnLimiter {
    fn shard(&self, ip: &IpAddr) -> &Mutex<HashMap<IpAddr, usize>> {
        &self.per_ip[(self.hasher.hash_one(ip) as usize) % SHARDS]
    }

    pub fn active(&self) -> usize {
        self.active.load(Ordering::Relaxed)
    }

    /// Admits a connection from `ip` or says which cap refused it.
    pub fn admit(
        self: &Arc<Self>,
        ip: IpAddr,
        max_total: usize,
        max_per_ip: usize,
    ) -> Result<ConnPermit, Refused> {
        let prev = self.active.fetch_add(1, Ordering::AcqRel);
        if prev >= max_total {
            self.active.fetch_sub(1, Ordering::AcqRel);
            return Err(Refused::Global);
        }
        // A poisoned shard only means another thread panicked mid-update of a counter;
        // the map is still consistent enough to keep counting.
        let mut map = self.shard(&ip).lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= max_per_ip {
            if *n == 0 {
                map.remove(&ip);
            }
            drop(map);
            self.active.fetch_sub(1, Ordering::AcqRel);
            return Err(Refused::PerIp);
        }
        *n += 1;
        Ok(ConnPermit {
            limiter: self.clone(),
            ip,
        })
    }
}

impl Drop for ConnPermit {
    fn drop(&mut self) {
        let mut map = self
            .limiter
            .shard(&self.ip)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
        drop(map);
        self.limiter.active.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_refuse_and_release() {
        let l = Arc::new(ConnLimiter::default());
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        let p1 = l.admit(a, 3, 2).expect("first");
        let _p2 = l.admit(a, 3, 2).expect("second");
        assert_eq!(l.admit(a, 3, 2).err(), Some(Refused::PerIp));
        let _p3 = l.admit(b, 3, 2).expect("other ip");
        assert_eq!(l.admit(b, 3, 2).err(), Some(Refused::Global));
        drop(p1);
        assert!(l.admit(a, 3, 2).is_ok());
        assert_eq!(
            l.active(),
            2,
            "the permit above was dropped at the end of its statement"
        );
    }
}
