//! Reading PEM files into DER items: certificate chains, private keys, CA bundles, CRLs.
//!
//! Every error names the file it came from. PEM parsing goes through
//! `rustls::pki_types::pem::PemObject` (rustls-pemfile is unmaintained, RUSTSEC-2025-0134).
//! This module only reads and decodes; it must not judge validity (see `cert`).

use std::fs;
use std::path::Path;

use rustls::RootCertStore;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};

use crate::TlsError;

/// Reads a whole file, naming the path on failure.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// All `CERTIFICATE` sections of `path`, in file order (leaf first for a chain).
pub(crate) fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(path)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| pem_error(path, source))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificates {
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

/// The first private key of `path` (PKCS#8, SEC1 or PKCS#1).
pub(crate) fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read(path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|source| match source {
        pem::Error::NoItemsFound => TlsError::NoKey {
            path: path.to_path_buf(),
        },
        other => pem_error(path, other),
    })
}

/// A trust store from a PEM CA bundle; refuses a bundle with no usable anchor.
///
/// Unparsable entries next to good ones are skipped with a warning, the way OS bundles
/// are usually handled; a bundle where nothing parses is an error.
pub(crate) fn load_roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let certs = load_certs(path).map_err(|err| match err {
        TlsError::NoCertificates { path } => TlsError::Ca {
            path,
            reason: "no PEM certificate found".to_owned(),
        },
        other => other,
    })?;
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(TlsError::Ca {
            path: path.to_path_buf(),
            reason: format!("none of its {ignored} certificate(s) is a usable trust anchor"),
        });
    }
    if ignored > 0 {
        tracing::warn!(path = %path.display(), added, ignored, "ca bundle has unusable entries");
    }
    Ok(roots)
}

/// All `X509 CRL` sections of `path`; refuses a file with none.
pub(crate) fn load_crls(
    path: &Path,
) -> Result<Vec<CertificateRevocationListDer<'static>>, TlsError> {
    let bytes = read(path)?;
    let crls = CertificateRevocationListDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| pem_error(path, source))?;
    if crls.is_empty() {
        return Err(TlsError::Crl {
            path: path.to_path_buf(),
            reason: "no PEM CRL found (expected \"BEGIN X509 CRL\")".to_owned(),
        });
    }
    Ok(crls)
}

fn pem_error(path: &Path, source: pem::Error) -> TlsError {
    match source {
        pem::Error::Io(source) => TlsError::Read {
            path: path.to_path_buf(),
            source,
        },
        source => TlsError::Pem {
            path: path.to_path_buf(),
            source,
        },
    }
}
