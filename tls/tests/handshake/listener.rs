//! Listener side without mTLS: certificate choice by SNI and protocol versions.

use std::sync::Arc;

use rampart_tls::pki::Ca;
use rampart_tls::server_config;
use rustls::ProtocolVersion;

use crate::support::*;

#[tokio::test]
async fn sni_picks_matching_certificate() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ca = Ca::new("sni ca")?;
    let a = ca.issue_server(&["a.example.com", "127.0.0.1"])?;
    let b = ca.issue_server(&["*.b.example.com"])?;
    let server = server_config(&server_spec(vec![
        a.write(dir.path(), "a")?,
        b.write(dir.path(), "b")?,
    ]))?;
    let trusting = tls13_client(&ca.cert_pem(), None)?;

    let seen_a = handshake(server.clone(), trusting.clone(), "a.example.com").await?;
    assert_eq!(seen_a.client?.leaf, a.der);
    let seen_b = handshake(server.clone(), trusting.clone(), "x.b.example.com").await?;
    assert_eq!(seen_b.client?.leaf, b.der);
    // Wildcards cover one label only: this name falls back to the default (a).
    let deep = handshake(server.clone(), any_cert_client()?, "y.x.b.example.com").await?;
    assert_eq!(deep.client?.leaf, a.der);
    let unknown = handshake(server.clone(), any_cert_client()?, "unknown.example.org").await?;
    assert_eq!(unknown.client?.leaf, a.der);
    // Connecting by IP sends no SNI: the default certificate, valid for 127.0.0.1.
    let by_ip = handshake(server, trusting, "127.0.0.1").await?;
    assert_eq!(by_ip.client?.leaf, a.der);
    Ok(())
}

#[tokio::test]
async fn server_negotiates_tls13_and_h2() -> TestResult {
    let mtls = Mtls::new()?;
    let dir = mtls.dir.path();
    let server = server_config(&server_spec(vec![
        mtls.server_ca
            .issue_server(&["localhost"])?
            .write(dir, "s")?,
    ]))?;
    let mut client = (*mtls.client(None)?).clone();
    client.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    let outcome = handshake(server, Arc::new(client), "localhost").await?;
    let server = outcome.server?;
    assert_eq!(server.version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(server.alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!(server.fingerprint, None);
    Ok(())
}

#[tokio::test]
async fn tls12_client_refused() -> TestResult {
    let mtls = Mtls::new()?;
    let dir = mtls.dir.path();
    let server = server_config(&server_spec(vec![
        mtls.server_ca
            .issue_server(&["localhost"])?
            .write(dir, "s")?,
    ]))?;
    let client = raw_client(&mtls.server_ca.cert_pem(), None, &[&rustls::version::TLS12])?;
    let outcome = handshake(server, client, "localhost").await?;
    outcome.assert_refused();
    assert!(
        matches!(
            outcome.server_tls_error(),
            Some(rustls::Error::PeerIncompatible(_))
        ),
        "{outcome:?}"
    );
    Ok(())
}
