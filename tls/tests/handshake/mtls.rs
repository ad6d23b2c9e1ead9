//! Client-certificate verdicts of a listener in `required` and `optional` mode.

use rampart_tls::pki::Ca;
use rampart_tls::{ClientAuthMode, fingerprint_der};
use rustls::CertificateError;

use crate::support::*;

#[tokio::test]
async fn mtls_required_without_cert_fails() -> TestResult {
    let mtls = Mtls::new()?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Required, &[])?,
        mtls.client(None)?,
        "localhost",
    )
    .await?;
    outcome.assert_refused();
    assert!(
        matches!(
            outcome.server_tls_error(),
            Some(rustls::Error::NoCertificatesPresented)
        ),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn mtls_required_with_valid_cert_ok_and_fingerprint_matches() -> TestResult {
    let mtls = Mtls::new()?;
    let alice = mtls.client_ca.issue_client("alice")?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Required, &[])?,
        mtls.client(Some(&alice))?,
        "localhost",
    )
    .await?;
    assert!(outcome.client.is_ok(), "{outcome:?}");
    let fingerprint = outcome.server?.fingerprint;
    assert_eq!(
        fingerprint.as_deref(),
        Some(fingerprint_der(&alice.der).as_str())
    );
    let hex = fingerprint
        .as_deref()
        .and_then(|f| f.strip_prefix("sha256:"))
        .unwrap_or_default();
    assert_eq!(hex.len(), 64);
    assert!(
        hex.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    Ok(())
}

#[tokio::test]
async fn mtls_foreign_ca_refused() -> TestResult {
    let mtls = Mtls::new()?;
    let mallory = Ca::new("foreign ca")?.issue_client("mallory")?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Required, &[])?,
        mtls.client(Some(&mallory))?,
        "localhost",
    )
    .await?;
    outcome.assert_refused();
    assert!(
        is_cert_error(outcome.server_tls_error(), |e| matches!(
            e,
            CertificateError::UnknownIssuer
        )),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn mtls_expired_client_refused() -> TestResult {
    let mtls = Mtls::new()?;
    let old = mtls.client_ca.issue_client_expired("old")?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Required, &[])?,
        mtls.client(Some(&old))?,
        "localhost",
    )
    .await?;
    outcome.assert_refused();
    assert!(
        is_cert_error(outcome.server_tls_error(), |e| matches!(
            e,
            CertificateError::Expired | CertificateError::ExpiredContext { .. }
        )),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn mtls_self_signed_client_refused() -> TestResult {
    let mtls = Mtls::new()?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Required, &[])?,
        mtls.client(Some(&self_signed_client("eve")?))?,
        "localhost",
    )
    .await?;
    outcome.assert_refused();
    assert!(
        is_cert_error(outcome.server_tls_error(), |e| matches!(
            e,
            CertificateError::UnknownIssuer
        )),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn mtls_revoked_client_refused() -> TestResult {
    let mtls = Mtls::new()?;
    let revoked = mtls.client_ca.issue_client("revoked")?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Required, &[&revoked])?,
        mtls.client(Some(&revoked))?,
        "localhost",
    )
    .await?;
    outcome.assert_refused();
    assert!(
        is_cert_error(outcome.server_tls_error(), |e| matches!(
            e,
            CertificateError::Revoked
        )),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn mtls_crl_lets_unrevoked_client_through() -> TestResult {
    let mtls = Mtls::new()?;
    let revoked = mtls.client_ca.issue_client("revoked")?;
    let alice = mtls.client_ca.issue_client("alice")?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Required, &[&revoked])?,
        mtls.client(Some(&alice))?,
        "localhost",
    )
    .await?;
    assert!(outcome.client.is_ok(), "{outcome:?}");
    assert_eq!(
        outcome.server?.fingerprint,
        Some(fingerprint_der(&alice.der))
    );
    Ok(())
}

#[tokio::test]
async fn mtls_optional_without_cert_ok() -> TestResult {
    let mtls = Mtls::new()?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Optional, &[])?,
        mtls.client(None)?,
        "localhost",
    )
    .await?;
    assert!(outcome.client.is_ok(), "{outcome:?}");
    assert_eq!(outcome.server?.fingerprint, None);
    Ok(())
}

#[tokio::test]
async fn mtls_optional_with_valid_cert_reports_fingerprint() -> TestResult {
    let mtls = Mtls::new()?;
    let alice = mtls.client_ca.issue_client("alice")?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Optional, &[])?,
        mtls.client(Some(&alice))?,
        "localhost",
    )
    .await?;
    assert_eq!(
        outcome.server?.fingerprint,
        Some(fingerprint_der(&alice.der))
    );
    Ok(())
}

#[tokio::test]
async fn mtls_optional_foreign_cert_refused() -> TestResult {
    let mtls = Mtls::new()?;
    let mallory = Ca::new("foreign ca")?.issue_client("mallory")?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Optional, &[])?,
        mtls.client(Some(&mallory))?,
        "localhost",
    )
    .await?;
    outcome.assert_refused();
    assert!(
        is_cert_error(outcome.server_tls_error(), |e| matches!(
            e,
            CertificateError::UnknownIssuer
        )),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn mtls_optional_expired_cert_refused() -> TestResult {
    let mtls = Mtls::new()?;
    let old = mtls.client_ca.issue_client_expired("old")?;
    let outcome = handshake(
        mtls.server(ClientAuthMode::Optional, &[])?,
        mtls.client(Some(&old))?,
        "localhost",
    )
    .await?;
    outcome.assert_refused();
    Ok(())
}
