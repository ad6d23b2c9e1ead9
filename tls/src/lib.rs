//! `rampart-tls`: every piece of TLS the gateway needs, as rustls configs on aws-lc-rs.
//!
//! Owns: the crypto provider choice (aws-lc-rs only, never ring), loading and checking
//! certificates/keys/CA bundles/CRLs from PEM files, the listener `ServerConfig`
//! (TLS 1.3 only, SNI, optional mTLS with CRLs), the upstream `ClientConfig`, client
//! certificate fingerprints, and a small rcgen PKI for the demo and tests.
//!
//! Must not: do I/O on sockets, depend on tokio or hyper (the daemon wires these configs
//! into tokio-rustls), or build any config through rustls' process-default provider
//! (`ServerConfig::builder()` panics when two providers are compiled in).

mod cert;
mod client;
mod error;
mod pem;
pub mod pki;
mod server;
mod sni;

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;
use sha2::{Digest, Sha256};

pub use cert::CertSpec;
pub use client::{UpstreamTlsSpec, client_config};
pub use error::TlsError;
pub use server::{ClientAuthMode, ClientAuthSpec, ServerTlsSpec, server_config};

/// The aws-lc-rs crypto provider every config in Rampart is built with (one shared
/// instance).
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .clone()
}

/// Installs aws-lc-rs as rustls' process-wide default provider, for libraries that
/// build configs with `builder()` (reqwest, hyper-rustls). Idempotent: a second call,
/// or a provider installed by someone else first, is left as it is.
pub fn install_default_provider() {
    if CryptoProvider::get_default().is_none() {
        // Err only means another thread won the race; the default is set either way.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }
}

/// `"sha256:"` + lowercase hex SHA-256 of the peer's leaf certificate DER, if the client
/// presented a (verified) certificate. This is the `X-Client-Cert-Fingerprint` value.
pub fn client_cert_fingerprint(conn: &rustls::ServerConnection) -> Option<String> {
    conn.peer_certificates()
        .and_then(|chain| chain.first())
        .map(|leaf| fingerprint_der(leaf))
}

/// `"sha256:"` + lowercase hex SHA-256 of a DER certificate.
pub fn fingerprint_der(der: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(der)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_der_is_prefixed_lowercase_sha256() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            fingerprint_der(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn install_default_provider_is_idempotent() {
        install_default_provider();
        install_default_provider();
        assert!(CryptoProvider::get_default().is_some());
    }
}
