//! `client_config` toward HTTPS upstreams: trust anchors and upstream mTLS.

use rampart_tls::pki::Ca;
use rampart_tls::{ClientAuthMode, UpstreamTlsSpec, client_config, fingerprint_der, server_config};
use rustls::CertificateError;

use crate::support::*;

#[tokio::test]
async fn client_config_trusts_given_ca_only() -> TestResult {
    let dir = tempfile::tempdir()?;
    let trusted = Ca::new("upstream ca")?;
    let other = Ca::new("other ca")?;
    let good = server_config(&server_spec(vec![
        trusted
            .issue_server(&["upstream.test"])?
            .write(dir.path(), "good")?,
    ]))?;
    let foreign = server_config(&server_spec(vec![
        other
            .issue_server(&["upstream.test"])?
            .write(dir.path(), "bad")?,
    ]))?;
    let client = client_config(&UpstreamTlsSpec {
        ca: trusted.write_cert(dir.path(), "upstream-ca")?,
        server_name: Some("upstream.test".to_owned()),
        client_cert: None,
    })?;
    assert_eq!(
        client.alpn_protocols,
        ALPN.iter().map(|p| p.to_vec()).collect::<Vec<_>>()
    );

    let ok = handshake(good, client.clone(), "upstream.test").await?;
    assert!(ok.client.is_ok(), "{ok:?}");
    assert_eq!(ok.server?.alpn.as_deref(), Some(&b"h2"[..]));

    let refused = handshake(foreign, client, "upstream.test").await?;
    let err = refused
        .client
        .as_ref()
        .err()
        .and_then(|e| e.get_ref()?.downcast_ref::<rustls::Error>());
    assert!(
        is_cert_error(err, |e| matches!(e, CertificateError::UnknownIssuer)),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn client_config_presents_client_certificate_to_mtls_upstream() -> TestResult {
    let mtls = Mtls::new()?;
    let dir = mtls.dir.path();
    let gateway = mtls.client_ca.issue_client("rampart")?;
    let client = client_config(&UpstreamTlsSpec {
        ca: mtls.server_ca.write_cert(dir, "upstream-ca")?,
        server_name: None,
        client_cert: Some(gateway.write(dir, "gateway")?),
    })?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Required, &[])?,
        client,
        "localhost",
    )
    .await?;
    assert!(outcome.client.is_ok(), "{outcome:?}");
    assert_eq!(
        outcome.server?.fingerprint,
        Some(fingerprint_der(&gateway.der))
    );
    Ok(())
}

#[tokio::test]
async fn client_config_refuses_expired_client_certificate() -> TestResult {
    let mtls = Mtls::new()?;
    let dir = mtls.dir.path();
    let result = client_config(&UpstreamTlsSpec {
        ca: mtls.server_ca.write_cert(dir, "upstream-ca")?,
        server_name: None,
        client_cert: Some(
            mtls.client_ca
                .issue_client_expired("old")?
                .write(dir, "old")?,
        ),
    });
    assert!(
        matches!(result, Err(rampart_tls::TlsError::Expired { .. })),
        "{result:?}"
    );
    Ok(())
}
