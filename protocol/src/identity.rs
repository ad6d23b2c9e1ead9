//! Node identity: the Ed25519 signing key ([`NodeKey`]) and its public id ([`NodeId`]).
//!
//! Must not: expose the secret seed in `Debug`/`Display`, or sign without a domain.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use crate::signature::signed_message;

/// A node's identity: its 32-byte Ed25519 public key. `Display` is lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId([u8; 32]);

/// Why a string is not a [`NodeId`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NodeIdError {
    /// Not 64 hex digits.
    #[error("node id must be 64 hex digits (an Ed25519 public key), got {len} characters")]
    Length {
        /// Length of the rejected input.
        len: usize,
    },
    /// Contains a non-hex character.
    #[error("node id is not valid hex")]
    Hex,
}

// === impl NodeId ===

impl NodeId {
    /// Wraps raw public key bytes (no curve check; see [`NodeId::verifying_key`]).
    pub fn from_bytes(bytes: [u8; 32]) -> NodeId {
        NodeId(bytes)
    }

    /// The raw public key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The Ed25519 verifying key, or `None` when the bytes are not a valid point.
    pub fn verifying_key(&self) -> Option<VerifyingKey> {
        VerifyingKey::from_bytes(&self.0).ok()
    }
}

impl From<VerifyingKey> for NodeId {
    fn from(key: VerifyingKey) -> NodeId {
        NodeId(key.to_bytes())
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({self})")
    }
}

impl FromStr for NodeId {
    type Err = NodeIdError;

    fn from_str(s: &str) -> Result<NodeId, NodeIdError> {
        if s.len() != 64 {
            return Err(NodeIdError::Length { len: s.len() });
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| NodeIdError::Hex)?;
        Ok(NodeId(out))
    }
}

/// A node's Ed25519 signing key. The secret never appears in `Debug` output.
#[derive(Clone)]
pub struct NodeKey {
    signing: SigningKey,
}

// === impl NodeKey ===

impl NodeKey {
    /// A fresh key from the thread-local CSPRNG.
    pub fn generate() -> NodeKey {
        NodeKey {
            signing: SigningKey::generate(&mut rand::rng()),
        }
    }

    /// A key from its 32-byte seed (the Ed25519 secret key).
    pub fn from_seed(seed: &[u8; 32]) -> NodeKey {
        NodeKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The 32-byte seed; only the key file writer needs it.
    pub(crate) fn seed(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// This node's id (its public key).
    pub fn id(&self) -> NodeId {
        NodeId(self.signing.verifying_key().to_bytes())
    }

    /// The public half, for verification.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// Signs `msg` under `domain` (see [`signed_message`] for the exact bytes signed).
    pub fn sign(&self, domain: &[u8], msg: &[u8]) -> [u8; 64] {
        self.signing.sign(&signed_message(domain, msg)).to_bytes()
    }
}

impl fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeKey({})", self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn node_id_display_parse_round_trips(bytes in any::<[u8; 32]>()) {
            let id = NodeId::from_bytes(bytes);
            let text = id.to_string();
            prop_assert_eq!(text.len(), 64);
            prop_assert_eq!(text.to_lowercase(), text.clone());
            prop_assert_eq!(text.parse::<NodeId>(), Ok(id));
        }

        #[test]
        fn node_id_parse_rejects_wrong_length(s in "[0-9a-f]{0,63}|[0-9a-f]{65,80}") {
            let rejected = matches!(s.parse::<NodeId>(), Err(NodeIdError::Length { .. }));
            prop_assert!(rejected);
        }
    }

    #[test]
    fn node_id_parse_rejects_non_hex() {
        let s = "g".repeat(64);
        assert_eq!(s.parse::<NodeId>(), Err(NodeIdError::Hex));
    }

    #[test]
    fn node_key_debug_does_not_print_seed() {
        let key = NodeKey::from_seed(&[7u8; 32]);
        let dbg = format!("{key:?}");
        assert!(!dbg.contains(&hex::encode([7u8; 32])));
        assert!(dbg.contains(&key.id().to_string()));
    }

    #[test]
    fn node_key_id_matches_verifying_key() {
        let key = NodeKey::generate();
        assert_eq!(key.id().verifying_key(), Some(key.verifying_key()));
    }
}
