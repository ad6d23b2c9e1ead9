//! Rampart wire formats and node identities.
//!
//! Owns: node ids ([`NodeId`]), Ed25519 identity keys and their key files ([`NodeKey`]),
//! domain-separated signatures ([`verify`]) and detached config signatures
//! ([`sign_config`] / [`verify_config`]).
//!
//! Must not: start a runtime, open sockets or do any I/O beyond reading and writing key
//! files. No tokio here; every function is synchronous and cheap enough to call from an
//! actor's handler.

// Tests may unwrap: a panic there is a failed assertion, not a daemon crash.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod identity;
mod keyfile;
mod signature;

pub use ed25519_dalek::VerifyingKey;
pub use identity::{NodeId, NodeIdError, NodeKey};
pub use keyfile::KeyError;
pub use signature::{
    CONFIG_DOMAIN, SigError, parse_public_key, sign_config, signed_message, verify, verify_config,
};
