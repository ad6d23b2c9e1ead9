//! Upstream-side TLS: builds the rustls `ClientConfig` used to reach HTTPS upstreams.
//!
//! Trust comes only from the CA bundle the operator names: this crate ships no root
//! store (no webpki-roots, no platform verifier), so an HTTPS upstream without `ca` is a
//! config error, never a silent "trust everything". Never touches sockets.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;

use crate::{CertSpec, TlsError, cert, pem, provider};

/// TLS settings of one HTTPS upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamTlsSpec {
    /// PEM bundle of the CAs trusted for this upstream (required: there is no default
    /// root store).
    pub ca: PathBuf,
    /// Name sent as SNI and verified against the upstream's certificate; `None` means
    /// the host part of the upstream address (see [`UpstreamTlsSpec::server_name_for`]).
    pub server_name: Option<String>,
    /// Client certificate presented to the upstream (upstream mTLS), if any.
    pub client_cert: Option<CertSpec>,
}

impl UpstreamTlsSpec {
    /// The rustls server name to connect with: `server_name` if set, else `host`
    /// (a DNS name or an IP literal, brackets around IPv6 allowed).
    pub fn server_name_for(&self, host: &str) -> Result<ServerName<'static>, TlsError> {
        let name = self.server_name.as_deref().unwrap_or(host);
        let bare = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        ServerName::try_from(bare.to_owned()).map_err(|_| TlsError::ServerName {
            name: name.to_owned(),
        })
    }
}

/// Builds the client config for one upstream: TLS 1.2 and 1.3, ALPN `h2`, `http/1.1`,
/// server certificates verified against `spec.ca` only, optional client certificate
/// (same checks as a listener's: readable, key matches, not expired).
pub fn client_config(spec: &UpstreamTlsSpec) -> Result<Arc<ClientConfig>, TlsError> {
    let roots = pem::load_roots(&spec.ca)?;
    if let Some(name) = &spec.server_name {
        spec.server_name_for(name)?;
    }
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_root_certificates(roots);
    let mut config = match &spec.client_cert {
        None => builder.with_no_client_auth(),
        Some(client) => {
            let (chain, key, _) = cert::read_checked(client)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|source| cert::mismatch(client, source))?
        }
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::UpstreamTlsSpec;

    fn spec(server_name: Option<&str>) -> UpstreamTlsSpec {
        UpstreamTlsSpec {
            ca: PathBuf::from("/nonexistent"),
            server_name: server_name.map(str::to_owned),
            client_cert: None,
        }
    }

    #[test]
    fn server_name_for_prefers_configured_name() {
        let name = spec(Some("api.internal")).server_name_for("10.0.0.1");
        assert_eq!(
            name.ok().map(|n| n.to_str().into_owned()),
            Some("api.internal".to_owned())
        );
    }

    #[test]
    fn server_name_for_accepts_bracketed_ipv6_host() {
        let name = spec(None).server_name_for("[::1]");
        assert_eq!(
            name.ok().map(|n| n.to_str().into_owned()),
            Some("::1".to_owned())
        );
    }

    #[test]
    fn server_name_for_rejects_garbage() {
        assert!(spec(None).server_name_for("bad name!").is_err());
    }
}
