//! The harness: one real handshake on 127.0.0.1 (`handshake`), hand-built clients, and
//! an on-disk two-CA PKI for mTLS (`Mtls`). Tests live in the sibling modules.

use std::fs;
use std::sync::Arc;
use std::time::Duration;

use rampart_tls::pki::{Ca, Leaf, PkiError};
use rampart_tls::{
    CertSpec, ClientAuthMode, ClientAuthSpec, ServerTlsSpec, client_cert_fingerprint, provider,
    server_config,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, ProtocolVersion, RootCertStore,
    ServerConfig,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub const DEADLINE: Duration = Duration::from_secs(10);
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// What the server saw of a successful handshake.
#[derive(Debug)]
pub struct ServerSide {
    pub fingerprint: Option<String>,
    pub alpn: Option<Vec<u8>>,
    pub version: Option<ProtocolVersion>,
}

/// What the client saw: the leaf the server presented.
#[derive(Debug)]
pub struct ClientSide {
    pub leaf: Vec<u8>,
}

#[derive(Debug)]
pub struct Outcome {
    pub server: Result<ServerSide, std::io::Error>,
    pub client: Result<ClientSide, std::io::Error>,
}

impl Outcome {
    /// The rustls error that made the server side fail, if it failed with one.
    pub fn server_tls_error(&self) -> Option<&rustls::Error> {
        let err = self.server.as_ref().err()?;
        err.get_ref()?.downcast_ref::<rustls::Error>()
    }

    pub fn assert_refused(&self) {
        assert!(self.server.is_err(), "server accepted: {self:?}");
        assert!(self.client.is_err(), "client got data through: {self:?}");
    }
}

/// One connection: the server accepts, reports what it saw and writes "ok"; the client
/// connects as `name` and reads those two bytes (in TLS 1.3 a refused client
/// certificate only shows on the client's first read).
pub async fn handshake(
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
    name: &str,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(server);
    let server_task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut tls = acceptor.accept(tcp).await?;
        let conn = tls.get_ref().1;
        let side = ServerSide {
            fingerprint: client_cert_fingerprint(conn),
            alpn: conn.alpn_protocol().map(<[u8]>::to_vec),
            version: conn.protocol_version(),
        };
        tls.write_all(b"ok").await?;
        tls.shutdown().await?;
        Ok::<_, std::io::Error>(side)
    });
    let name = ServerName::try_from(name.to_owned())?;
    let client = async move {
        let tcp = TcpStream::connect(addr).await?;
        let mut tls = TlsConnector::from(client).connect(name, tcp).await?;
        let leaf = tls
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|chain| chain.first())
            .map(|leaf| leaf.to_vec())
            .unwrap_or_default();
        let mut buf = [0u8; 2];
        tls.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"ok");
        Ok::<_, std::io::Error>(ClientSide { leaf })
    };
    let client = tokio::time::timeout(DEADLINE, client).await?;
    let server = tokio::time::timeout(DEADLINE, server_task).await??;
    Ok(Outcome { server, client })
}

pub fn roots(pem: &str) -> Result<RootCertStore, Box<dyn std::error::Error>> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert?)?;
    }
    Ok(roots)
}

/// A client built by hand (not through `client_config`, which would refuse an expired
/// certificate before the server could).
pub fn raw_client(
    ca_pem: &str,
    cert: Option<&Leaf>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Arc<ClientConfig>, Box<dyn std::error::Error>> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)?
        .with_root_certificates(roots(ca_pem)?);
    let config = match cert {
        None => builder.with_no_client_auth(),
        Some(leaf) => builder.with_client_auth_cert(
            vec![CertificateDer::from(leaf.der.clone())],
            PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes())?,
        )?,
    };
    Ok(Arc::new(config))
}

pub fn tls13_client(
    ca_pem: &str,
    cert: Option<&Leaf>,
) -> Result<Arc<ClientConfig>, Box<dyn std::error::Error>> {
    raw_client(ca_pem, cert, &[&rustls::version::TLS13])
}

pub fn server_spec(certs: Vec<CertSpec>) -> ServerTlsSpec {
    ServerTlsSpec {
        certs,
        client_auth: None,
        alpn: ALPN.iter().map(|p| p.to_vec()).collect(),
    }
}

/// A PKI on disk: a server CA with a `localhost` server certificate, a client CA, and a
/// server config demanding client certificates from that client CA in `mode`.
pub struct Mtls {
    pub dir: tempfile::TempDir,
    pub server_ca: Ca,
    pub client_ca: Ca,
}

impl Mtls {
    pub fn new() -> Result<Self, PkiError> {
        Ok(Self {
            dir: tempfile::tempdir().map_err(|source| PkiError::Write {
                path: "tempdir".into(),
                source,
            })?,
            server_ca: Ca::new("server ca")?,
            client_ca: Ca::new("client ca")?,
        })
    }

    pub fn server(
        &self,
        mode: ClientAuthMode,
        revoked: &[&Leaf],
    ) -> Result<Arc<ServerConfig>, Box<dyn std::error::Error>> {
        let dir = self.dir.path();
        let mut spec = server_spec(vec![
            self.server_ca
                .issue_server(&["localhost"])?
                .write(dir, "server")?,
        ]);
        let crls = if revoked.is_empty() {
            Vec::new()
        } else {
            let path = dir.join("clients.crl");
            fs::write(&path, self.client_ca.crl_pem(revoked)?)?;
            vec![path]
        };
        spec.client_auth = Some(ClientAuthSpec {
            ca: self.client_ca.write_cert(dir, "client-ca")?,
            crls,
            mode,
        });
        Ok(server_config(&spec)?)
    }

    pub fn client(
        &self,
        cert: Option<&Leaf>,
    ) -> Result<Arc<ClientConfig>, Box<dyn std::error::Error>> {
        tls13_client(&self.server_ca.cert_pem(), cert)
    }
}

pub fn is_cert_error(err: Option<&rustls::Error>, want: fn(&CertificateError) -> bool) -> bool {
    matches!(err, Some(rustls::Error::InvalidCertificate(e)) if want(e))
}

/// Accepts any server certificate: only for observing which leaf a server picks for a
/// name the leaf does not cover.
#[derive(Debug)]
pub struct AcceptAnyServerCert;

impl ServerCertVerifier for AcceptAnyServerCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

pub fn any_cert_client() -> Result<Arc<ClientConfig>, Box<dyn std::error::Error>> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyServerCert))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A self-signed certificate with the clientAuth usage, so the only thing wrong with it
/// is that no trusted CA issued it.
pub fn self_signed_client(cn: &str) -> Result<Leaf, rcgen::Error> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x42; 8]));
    let key = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(Leaf {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        serial: rcgen::SerialNumber::from_slice(&[0x42; 8]),
        der: cert.der().to_vec(),
    })
}
