//! Listener-side TLS: builds the rustls `ServerConfig` a TLS listener serves with.
//!
//! TLS 1.3 only, certificates chosen by SNI (`sni`), optional mTLS through rustls'
//! `WebPkiClientVerifier` with the operator's CA bundle and CRLs. Building is the whole
//! job: this module never touches sockets, and it runs at config compile time (the
//! daemon calls it in `spawn_blocking`), never per connection.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;

use crate::sni::SniResolver;
use crate::{CertSpec, TlsError, cert, pem, provider};

/// Whether a client certificate is demanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthMode {
    /// No valid client certificate, no handshake.
    Required,
    /// Clients may present none; a certificate that *is* presented must still be
    /// valid (trusted issuer, in date, not revoked) or the handshake fails.
    Optional,
}

/// mTLS settings of one listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuthSpec {
    /// PEM bundle of the CAs whose client certificates are accepted.
    pub ca: PathBuf,
    /// PEM CRL files. Only the client's leaf is checked against them; once any CRL is
    /// configured, a leaf whose issuer has no CRL here is refused (fail closed).
    pub crls: Vec<PathBuf>,
    /// Required or optional.
    pub mode: ClientAuthMode,
}

/// Everything one TLS listener needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTlsSpec {
    /// Certificates, chosen by SNI; the first one is the default.
    pub certs: Vec<CertSpec>,
    /// mTLS, if any.
    pub client_auth: Option<ClientAuthSpec>,
    /// ALPN protocols in preference order (the daemon passes `h2`, `http/1.1`).
    pub alpn: Vec<Vec<u8>>,
}

/// Builds a TLS 1.3-only server config.
///
/// Several certificates are chosen by SNI: each leaf's DNS SANs (including wildcards
/// `*.example.com`, matching one label) index it; the first certificate is the default
/// for clients without SNI (e.g. connecting by IP) or with an unknown name.
///
/// Refuses, naming the file: unreadable files, an empty chain, a key that does not match
/// its leaf, an expired leaf, a CA bundle or CRL file with no usable entry.
///
/// With `client_auth`, `Required` fails the handshake of a client without a certificate;
/// `Optional` lets it through, but an invalid presented certificate (expired, self-signed,
/// foreign CA, revoked) still fails it.
pub fn server_config(spec: &ServerTlsSpec) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = provider();
    let loaded = spec
        .certs
        .iter()
        .map(|c| cert::load(c, &provider))
        .collect::<Result<Vec<_>, _>>()?;
    let resolver = SniResolver::new(loaded).ok_or(TlsError::NoServerCertificates)?;
    let verifier = match &spec.client_auth {
        None => WebPkiClientVerifier::no_client_auth(),
        Some(auth) => client_verifier(auth, &provider)?,
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(verifier)
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = spec.alpn.clone();
    Ok(Arc::new(config))
}

fn client_verifier(
    auth: &ClientAuthSpec,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ClientCertVerifier>, TlsError> {
    let roots = Arc::new(pem::load_roots(&auth.ca)?);
    let mut crls = Vec::new();
    for path in &auth.crls {
        let file_crls = pem::load_crls(path)?;
        // Parse each file on its own first so a bad CRL is reported with its path;
        // the combined build below would only say "a CRL".
        WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone())
            .with_crls(file_crls.iter().cloned())
            .build()
            .map_err(|e| TlsError::Crl {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        crls.extend(file_crls);
    }
    let mut builder = WebPkiClientVerifier::builder_with_provider(roots, provider.clone())
        .with_crls(crls)
        // Operators hand us the issuing CA's CRL; demanding one for every
        // intermediate up to the root would refuse ordinary chains.
        .only_check_end_entity_revocation();
    if auth.mode == ClientAuthMode::Optional {
        builder = builder.allow_unauthenticated();
    }
    Ok(builder.build()?)
}

#[cfg(test)]
mod tests;
