//! `TlsError`: every way loading TLS material or building a rustls config can fail.
//!
//! Messages are written for an operator reading `rampart check` output: they name the
//! file, say what was expected, and keep the underlying cause as `source`. This module
//! must not hold any logic beyond formatting.

use std::io;
use std::path::PathBuf;

/// Why a TLS server or client configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A certificate, key, CA or CRL file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file that failed.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A PEM file is malformed (bad base64, truncated section).
    #[error("{}: malformed PEM: {source}", path.display())]
    Pem {
        /// The file that failed.
        path: PathBuf,
        /// The PEM decoder's error.
        source: rustls_pki_types::pem::Error,
    },
    /// A certificate file holds no `CERTIFICATE` PEM section.
    #[error("{}: no PEM certificate found (expected a \"BEGIN CERTIFICATE\" chain, leaf first)", path.display())]
    NoCertificates {
        /// The file that failed.
        path: PathBuf,
    },
    /// A key file holds no usable private key.
    #[error(
        "{}: no PEM private key found (expected an unencrypted PKCS#8, SEC1 (EC) or PKCS#1 (RSA) key)",
        path.display()
    )]
    NoKey {
        /// The file that failed.
        path: PathBuf,
    },
    /// The private key is unusable or is not the key of the leaf certificate.
    #[error(
        "private key {} does not match certificate {} (or is of an unsupported type): {source}",
        key.display(),
        cert.display()
    )]
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls' verdict (`InconsistentKeys`, unsupported key type, ...).
        source: rustls::Error,
    },
    /// The leaf certificate is not valid X.509.
    #[error("{}: leaf certificate cannot be parsed: {reason}", path.display())]
    BadCertificate {
        /// The certificate file.
        path: PathBuf,
        /// The parser's explanation.
        reason: String,
    },
    /// The leaf certificate's validity ended in the past.
    #[error("{}: certificate expired on {not_after}; renew it before (re)loading", path.display())]
    Expired {
        /// The certificate file.
        path: PathBuf,
        /// The certificate's `notAfter`, as printed by the X.509 parser.
        not_after: String,
    },
    /// A server spec lists no certificate at all.
    #[error("a TLS listener needs at least one certificate")]
    NoServerCertificates,
    /// A client-CA (or upstream CA) bundle yields no usable trust anchor.
    #[error("CA bundle {}: {reason}", path.display())]
    Ca {
        /// The CA file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// A CRL file yields no usable revocation list.
    #[error("CRL file {}: {reason}", path.display())]
    Crl {
        /// The CRL file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// The upstream server name is neither a DNS name nor an IP address.
    #[error("upstream TLS server name {name:?} is not a valid DNS name or IP address")]
    ServerName {
        /// The offending name.
        name: String,
    },
    /// The client-certificate verifier could not be built.
    #[error("client certificate verifier: {source}")]
    Verifier {
        /// rustls' builder error.
        #[from]
        source: rustls::server::VerifierBuilderError,
    },
    /// rustls refused the configuration (protocol versions, provider).
    #[error("TLS configuration refused by rustls: {source}")]
    Rustls {
        /// rustls' error.
        #[from]
        source: rustls::Error,
    },
}
