//! Domain-separated Ed25519 signatures and detached config signatures.
//!
//! Every signature in Rampart covers [`signed_message`]`(domain, msg)`, never `msg`
//! alone, so a signature made for one purpose (a config file, an audit checkpoint, a
//! mesh claim) can never be replayed as another. Verification is always
//! `verify_strict` (rejects small-order keys and non-canonical signatures).
//!
//! Must not: accept a signature without a domain, or read anything but `.pub` files.

use std::path::Path;

use ed25519_dalek::{Signature, VerifyingKey};

use crate::identity::NodeKey;
use crate::keyfile::KeyError;

/// Domain of detached config signatures (`rampart config sign`).
pub const CONFIG_DOMAIN: &[u8] = b"rampart/config/v1";

/// Why a signature did not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigError {
    /// The signature text is not 128 hex digits (64 bytes).
    #[error("signature must be 128 hex digits (64 bytes): {0}")]
    Encoding(String),
    /// Well-formed, but not a valid signature by this key over these bytes.
    #[error("signature does not verify with this public key")]
    Invalid,
}

/// The exact bytes an Ed25519 signature covers: `len(domain)` as a 4-byte big-endian
/// integer, then `domain`, then `msg`. The length prefix makes the split between domain
/// and message unambiguous whatever bytes either contains.
pub fn signed_message(domain: &[u8], msg: &[u8]) -> Vec<u8> {
    // A domain is a short constant; u32::MAX is unreachable but keeps this panic-free.
    let len = u32::try_from(domain.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(4 + domain.len() + msg.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(domain);
    out.extend_from_slice(msg);
    out
}

/// Verifies `sig` over [`signed_message`]`(domain, msg)` with `verify_strict`.
pub fn verify(
    pubkey: &VerifyingKey,
    domain: &[u8],
    msg: &[u8],
    sig: &[u8; 64],
) -> Result<(), SigError> {
    let sig = Signature::from_bytes(sig);
    pubkey
        .verify_strict(&signed_message(domain, msg), &sig)
        .map_err(|_| SigError::Invalid)
}

/// Parses a public key given either as 64 hex digits or as the path of a `.pub` file
/// (64 hex digits, surrounding whitespace ignored), as written by
/// [`NodeKey::write_new`].
pub fn parse_public_key(hex_or_file: &str) -> Result<VerifyingKey, KeyError> {
    let trimmed = hex_or_file.trim();
    if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return decode_public_key(trimmed, None);
    }
    let path = Path::new(hex_or_file);
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode_public_key(text.trim(), Some(path))
}

fn decode_public_key(hex_text: &str, path: Option<&Path>) -> Result<VerifyingKey, KeyError> {
    let bad = |reason: &str| KeyError::Format {
        path: path.map(Path::to_path_buf).unwrap_or_default(),
        reason: reason.to_string(),
    };
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut bytes)
        .map_err(|_| bad("public key must be 64 hex digits"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad("not a valid Ed25519 public key"))
}

/// Signs a config file's exact bytes; returns the `FILE.sig` content:
/// lowercase hex of the 64-byte signature (domain [`CONFIG_DOMAIN`]) and a newline.
pub fn sign_config(key: &NodeKey, bytes: &[u8]) -> String {
    let mut out = hex::encode(key.sign(CONFIG_DOMAIN, bytes));
    out.push('\n');
    out
}

/// Verifies a `FILE.sig` text (as written by [`sign_config`]; surrounding whitespace
/// ignored, hex case-insensitive) against the config file's exact bytes.
pub fn verify_config(
    pubkey: &VerifyingKey,
    bytes: &[u8],
    sig_file_text: &str,
) -> Result<(), SigError> {
    let text = sig_file_text.trim();
    if text.len() != 128 {
        return Err(SigError::Encoding(format!("got {} characters", text.len())));
    }
    let mut sig = [0u8; 64];
    hex::decode_to_slice(text, &mut sig).map_err(|e| SigError::Encoding(e.to_string()))?;
    verify(pubkey, CONFIG_DOMAIN, bytes, &sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sign_verify_round_trips(seed in any::<[u8; 32]>(), domain in proptest::collection::vec(any::<u8>(), 0..40), msg in proptest::collection::vec(any::<u8>(), 0..300)) {
            let key = NodeKey::from_seed(&seed);
            let sig = key.sign(&domain, &msg);
            prop_assert_eq!(verify(&key.verifying_key(), &domain, &msg, &sig), Ok(()));
        }

        #[test]
        fn config_signature_round_trips_and_detects_edits(msg in proptest::collection::vec(any::<u8>(), 1..300), idx in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let key = NodeKey::from_seed(&[3u8; 32]);
            let sig = sign_config(&key, &msg);
            prop_assert!(sig.ends_with('\n'));
            prop_assert_eq!(verify_config(&key.verifying_key(), &msg, &sig), Ok(()));
            let mut edited = msg.clone();
            let i = idx.index(edited.len());
            edited[i] ^= flip;
            prop_assert_eq!(verify_config(&key.verifying_key(), &edited, &sig), Err(SigError::Invalid));
        }
    }

    #[test]
    fn verify_rejects_other_domain() {
        let key = NodeKey::from_seed(&[1u8; 32]);
        let sig = key.sign(b"rampart/a", b"msg");
        assert_eq!(
            verify(&key.verifying_key(), b"rampart/b", b"msg", &sig),
            Err(SigError::Invalid)
        );
        // Moving bytes between domain and message must not keep the signature valid.
        let sig = key.sign(b"ab", b"c");
        assert_eq!(
            verify(&key.verifying_key(), b"a", b"bc", &sig),
            Err(SigError::Invalid)
        );
    }

    #[test]
    fn verify_config_rejects_bad_hex_and_length() {
        let key = NodeKey::from_seed(&[1u8; 32]);
        assert!(matches!(
            verify_config(&key.verifying_key(), b"x", "abc"),
            Err(SigError::Encoding(_))
        ));
        let not_hex = "z".repeat(128);
        assert!(matches!(
            verify_config(&key.verifying_key(), b"x", &not_hex),
            Err(SigError::Encoding(_))
        ));
    }

    #[test]
    fn parse_public_key_accepts_hex_and_pub_file() {
        let key = NodeKey::from_seed(&[9u8; 32]);
        let hex_text = key.id().to_string();
        assert_eq!(parse_public_key(&hex_text).ok(), Some(key.verifying_key()));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("node.pub");
        std::fs::write(&file, format!("{hex_text}\n")).unwrap();
        let arg = file.to_str().unwrap();
        assert_eq!(parse_public_key(arg).ok(), Some(key.verifying_key()));
    }

    #[test]
    fn parse_public_key_rejects_bad_hex_and_missing_file() {
        assert!(matches!(
            parse_public_key("/nonexistent/x.pub"),
            Err(KeyError::Io { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.pub");
        std::fs::write(&file, "zz\n").unwrap();
        assert!(matches!(
            parse_public_key(file.to_str().unwrap()),
            Err(KeyError::Format { .. })
        ));
    }
}
