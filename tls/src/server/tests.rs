//! Config-time refusals of `server_config` (no handshakes here; see tests/handshake.rs).

use std::fs;
use std::path::Path;

use super::*;
use crate::pki::{Ca, self_signed};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn spec(certs: Vec<CertSpec>) -> ServerTlsSpec {
    ServerTlsSpec {
        certs,
        client_auth: None,
        alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
    }
}

fn err_of(spec: &ServerTlsSpec) -> TlsError {
    match server_config(spec) {
        Ok(_) => panic!("server_config accepted a spec it must refuse"),
        Err(err) => err,
    }
}

fn mtls(
    dir: &Path,
    ca: &Ca,
    crls: Vec<std::path::PathBuf>,
) -> Result<ServerTlsSpec, Box<dyn std::error::Error>> {
    let server = ca.issue_server(&["localhost"])?.write(dir, "server")?;
    let mut spec = spec(vec![server]);
    spec.client_auth = Some(ClientAuthSpec {
        ca: ca.write_cert(dir, "ca")?,
        crls,
        mode: ClientAuthMode::Required,
    });
    Ok(spec)
}

#[test]
fn server_config_accepts_valid_certificate_and_sets_alpn() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cert = self_signed(&["localhost", "127.0.0.1"])?.write(dir.path(), "a")?;
    let config = server_config(&spec(vec![cert]))?;
    assert_eq!(
        config.alpn_protocols,
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    );
    Ok(())
}

#[test]
fn server_config_rejects_key_mismatch() -> TestResult {
    let dir = tempfile::tempdir()?;
    let a = self_signed(&["a.test"])?.write(dir.path(), "a")?;
    let b = self_signed(&["b.test"])?.write(dir.path(), "b")?;
    let crossed = CertSpec {
        cert: a.cert.clone(),
        key: b.key,
    };
    let err = err_of(&spec(vec![crossed]));
    assert!(matches!(err, TlsError::KeyMismatch { .. }), "{err}");
    assert!(err.to_string().contains("a.crt"), "{err}");
    Ok(())
}

#[test]
fn server_config_unreadable_path_names_the_path() -> TestResult {
    let dir = tempfile::tempdir()?;
    let missing = dir.path().join("missing-cert.pem");
    let err = err_of(&spec(vec![CertSpec {
        cert: missing.clone(),
        key: missing.clone(),
    }]));
    assert!(matches!(err, TlsError::Read { .. }), "{err}");
    assert!(
        err.to_string().contains(&*missing.to_string_lossy()),
        "{err}"
    );
    Ok(())
}

#[test]
fn server_config_expired_leaf_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cert = Ca::new("ca")?
        .issue_server_expired(&["localhost"])?
        .write(dir.path(), "old")?;
    let err = err_of(&spec(vec![cert]));
    assert!(matches!(err, TlsError::Expired { .. }), "{err}");
    assert!(
        err.to_string().contains("old.crt") && err.to_string().contains("expired"),
        "{err}"
    );
    Ok(())
}

#[test]
fn server_config_empty_chain_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cert = self_signed(&["localhost"])?.write(dir.path(), "a")?;
    fs::write(&cert.cert, "not a certificate\n")?;
    let err = err_of(&spec(vec![cert]));
    assert!(matches!(err, TlsError::NoCertificates { .. }), "{err}");
    Ok(())
}

#[test]
fn server_config_key_file_without_key_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cert = self_signed(&["localhost"])?.write(dir.path(), "a")?;
    fs::copy(&cert.cert, &cert.key)?;
    let err = err_of(&spec(vec![cert]));
    assert!(matches!(err, TlsError::NoKey { .. }), "{err}");
    Ok(())
}

#[test]
fn server_config_without_certificates_refused() {
    assert!(matches!(
        err_of(&spec(Vec::new())),
        TlsError::NoServerCertificates
    ));
}

#[test]
fn server_config_ca_file_without_certificates_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ca = Ca::new("clients")?;
    let mut spec = mtls(dir.path(), &ca, Vec::new())?;
    if let Some(auth) = &spec.client_auth {
        fs::write(&auth.ca, "# empty bundle\n")?;
    }
    let err = err_of(&spec);
    assert!(matches!(err, TlsError::Ca { .. }), "{err}");
    assert!(err.to_string().contains("ca.crt"), "{err}");
    spec.client_auth = None;
    assert!(server_config(&spec).is_ok());
    Ok(())
}

#[test]
fn server_config_crl_file_without_crl_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    let crl = dir.path().join("empty.crl");
    fs::write(&crl, "")?;
    let err = err_of(&mtls(dir.path(), &Ca::new("clients")?, vec![crl])?);
    assert!(matches!(err, TlsError::Crl { .. }), "{err}");
    assert!(err.to_string().contains("empty.crl"), "{err}");
    Ok(())
}

#[test]
fn server_config_garbage_crl_names_the_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let crl = dir.path().join("bad.crl");
    fs::write(
        &crl,
        "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
    )?;
    let err = err_of(&mtls(dir.path(), &Ca::new("clients")?, vec![crl])?);
    assert!(matches!(err, TlsError::Crl { .. }), "{err}");
    assert!(err.to_string().contains("bad.crl"), "{err}");
    Ok(())
}

#[test]
fn server_config_accepts_valid_crl() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ca = Ca::new("clients")?;
    let crl = dir.path().join("ca.crl");
    fs::write(&crl, ca.crl_pem(&[])?)?;
    assert!(server_config(&mtls(dir.path(), &ca, vec![crl])?).is_ok());
    Ok(())
}
