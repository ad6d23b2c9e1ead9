//! A certificate + key pair loaded from disk, checked, and indexed by its DNS names.
//!
//! Owns the refusals an operator must hear about before a listener starts: an empty
//! chain, a key that does not belong to the leaf, an expired leaf. It must not decide
//! which certificate a handshake uses (that is `sni`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use x509_parser::extensions::GeneralName;

use crate::{TlsError, pem};

/// Where one certificate lives: a PEM chain (leaf first) and its PEM private key
/// (PKCS#8, SEC1 or PKCS#1, unencrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSpec {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key of the leaf.
    pub key: PathBuf,
}

/// A loaded, checked certificate and the lowercase DNS SANs of its leaf
/// (wildcards kept as written, e.g. `*.example.com`).
#[derive(Debug)]
pub(crate) struct LoadedCert {
    pub(crate) key: Arc<CertifiedKey>,
    pub(crate) dns_names: Vec<String>,
}

/// Loads `spec`, refusing an empty chain, a mismatched key or an expired leaf.
pub(crate) fn load(spec: &CertSpec, provider: &CryptoProvider) -> Result<LoadedCert, TlsError> {
    let (chain, key, dns_names) = read_checked(spec)?;
    let key =
        CertifiedKey::from_der(chain, key, provider).map_err(|source| mismatch(spec, source))?;
    Ok(LoadedCert {
        key: Arc::new(key),
        dns_names,
    })
}

/// Reads chain and key and checks the leaf's dates; the key/leaf match is checked by
/// whoever turns the pair into a rustls signing key (see [`mismatch`]).
pub(crate) fn read_checked(
    spec: &CertSpec,
) -> Result<
    (
        Vec<CertificateDer<'static>>,
        PrivateKeyDer<'static>,
        Vec<String>,
    ),
    TlsError,
> {
    let chain = pem::load_certs(&spec.cert)?;
    let dns_names = match chain.first() {
        Some(leaf) => inspect_leaf(&spec.cert, leaf, now_unix())?,
        None => {
            return Err(TlsError::NoCertificates {
                path: spec.cert.clone(),
            });
        }
    };
    let key = pem::load_key(&spec.key)?;
    Ok((chain, key, dns_names))
}

/// The error for a key rustls cannot use with the leaf of `spec`.
pub(crate) fn mismatch(spec: &CertSpec, source: rustls::Error) -> TlsError {
    TlsError::KeyMismatch {
        cert: spec.cert.clone(),
        key: spec.key.clone(),
        source,
    }
}

/// Checks the leaf's validity window against `now` (Unix seconds) and returns its DNS SANs.
fn inspect_leaf(path: &Path, leaf: &CertificateDer<'_>, now: i64) -> Result<Vec<String>, TlsError> {
    let bad = |reason: String| TlsError::BadCertificate {
        path: path.to_path_buf(),
        reason,
    };
    let (_, x509) = x509_parser::parse_x509_certificate(leaf).map_err(|e| bad(e.to_string()))?;
    let validity = x509.validity();
    if validity.not_after.timestamp() < now {
        return Err(TlsError::Expired {
            path: path.to_path_buf(),
            not_after: validity.not_after.to_string(),
        });
    }
    if validity.not_before.timestamp() > now {
        // Refusing would break pre-staged renewals on hosts with a little clock skew;
        // clients will reject it until then, so say it loudly.
        tracing::warn!(path = %path.display(), not_before = %validity.not_before, "certificate not yet valid");
    }
    let san = x509
        .subject_alternative_name()
        .map_err(|e| bad(format!("subjectAltName: {e}")))?;
    let names: Vec<String> = san
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(dns) => {
                        Some(dns.trim_end_matches('.').to_ascii_lowercase())
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(names)
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
