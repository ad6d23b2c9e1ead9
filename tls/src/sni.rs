//! Certificate choice by SNI: an index from DNS names (exact and `*.` wildcards) to
//! certificates, with the first configured certificate as the default.
//!
//! Runs inside every handshake: lookups are two hash probes, no allocation beyond
//! lowercasing the name. It must not load or validate certificates (that is `cert`).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::cert::LoadedCert;

/// Name → value index. Exact names win over wildcards; among certificates that claim
/// the same name, the one listed first wins.
#[derive(Debug)]
pub(crate) struct NameIndex<T> {
    default: T,
    exact: HashMap<String, T>,
    // Key is the suffix after "*.": "*.example.com" is stored as "example.com" and
    // matches exactly one extra label (RFC 6125 §6.4.3), never the bare suffix.
    wildcard: HashMap<String, T>,
}

impl<T: Clone> NameIndex<T> {
    /// An index whose default is `default`.
    pub(crate) fn new(default: T) -> Self {
        Self {
            default,
            exact: HashMap::new(),
            wildcard: HashMap::new(),
        }
    }

    /// Adds `name` (lowercase, as in the certificate) for `value`; returns false when an
    /// earlier entry already owns the name or the name is not usable for SNI.
    pub(crate) fn insert(&mut self, name: &str, value: T) -> bool {
        let (map, key) = match name.strip_prefix("*.") {
            Some(suffix) if !suffix.is_empty() && !suffix.contains('*') => {
                (&mut self.wildcard, suffix)
            }
            Some(_) => return false,
            None if name.is_empty() || name.contains('*') => return false,
            None => (&mut self.exact, name),
        };
        match map.entry(key.to_owned()) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(value);
                true
            }
        }
    }

    /// The value for an SNI name, or the default for none / an unknown name.
    pub(crate) fn lookup(&self, sni: Option<&str>) -> &T {
        let Some(name) = sni else {
            return &self.default;
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(value) = self.exact.get(&name) {
            return value;
        }
        name.split_once('.')
            .and_then(|(_, parent)| self.wildcard.get(parent))
            .unwrap_or(&self.default)
    }
}

/// rustls hook that picks the certificate for each ClientHello.
#[derive(Debug)]
pub(crate) struct SniResolver {
    index: NameIndex<Arc<CertifiedKey>>,
}

impl SniResolver {
    /// Builds the index; `None` when `certs` is empty.
    pub(crate) fn new(certs: Vec<LoadedCert>) -> Option<Self> {
        let mut certs = certs.into_iter();
        let first = certs.next()?;
        let mut index = NameIndex::new(first.key.clone());
        for cert in std::iter::once(first).chain(certs) {
            if cert.dns_names.is_empty() {
                tracing::warn!(
                    "certificate has no DNS subjectAltName; it can only serve as the default"
                );
            }
            for name in &cert.dns_names {
                if !index.insert(name, cert.key.clone()) {
                    tracing::warn!(name = %name, "sni name already served by an earlier certificate or unusable; ignored");
                }
            }
        }
        Some(Self { index })
    }
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.index.lookup(client_hello.server_name()).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::NameIndex;

    fn index() -> NameIndex<&'static str> {
        let mut index = NameIndex::new("default");
        assert!(index.insert("a.example.com", "a"));
        assert!(index.insert("*.example.com", "wild"));
        assert!(index.insert("*.b.example.com", "b"));
        index
    }

    #[test]
    fn lookup_exact_name_beats_wildcard() {
        assert_eq!(*index().lookup(Some("a.example.com")), "a");
    }

    #[test]
    fn lookup_wildcard_matches_one_label_only() {
        let index = index();
        assert_eq!(*index.lookup(Some("x.example.com")), "wild");
        assert_eq!(*index.lookup(Some("x.b.example.com")), "b");
        assert_eq!(*index.lookup(Some("y.x.a.example.com")), "default");
        assert_eq!(*index.lookup(Some("example.com")), "default");
    }

    #[test]
    fn lookup_is_case_insensitive_and_ignores_trailing_dot() {
        assert_eq!(*index().lookup(Some("A.Example.COM.")), "a");
    }

    #[test]
    fn lookup_without_sni_or_unknown_name_gives_default() {
        let index = index();
        assert_eq!(*index.lookup(None), "default");
        assert_eq!(*index.lookup(Some("other.test")), "default");
    }

    #[test]
    fn insert_keeps_first_owner_and_refuses_partial_wildcards() {
        let mut index = index();
        assert!(!index.insert("a.example.com", "late"));
        assert!(!index.insert("f*.example.org", "bad"));
        assert!(!index.insert("*.", "bad"));
        assert!(!index.insert("*.*.example.org", "bad"));
        assert_eq!(*index.lookup(Some("a.example.com")), "a");
    }
}
