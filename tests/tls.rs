//! End-to-end TLS: TLS 1.3 only, SNI certificate choice, mTLS required / optional with
//! foreign-CA, expired and revoked client certificates, the fingerprint header, HSTS.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use common::*;
use rampart_tls::pki::{Ca, Leaf};

struct Pki {
    ca: Ca,
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Self {
        Self {
            ca: Ca::new("rampart test CA").unwrap(),
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn write_leaf(&self, leaf: &Leaf, stem: &str) -> (String, String) {
        let spec = leaf.write(self.dir.path(), stem).unwrap();
        (
            spec.cert.display().to_string(),
            spec.key.display().to_string(),
        )
    }
    fn ca_path(&self) -> String {
        self.ca
            .write_cert(self.dir.path(), "ca")
            .unwrap()
            .display()
            .to_string()
    }
}

fn tls_config(
    upstream: std::net::SocketAddr,
    certs: &[(String, String)],
    client_auth: &str,
) -> String {
    let certs: Vec<String> = certs
        .iter()
        .map(|(c, k)| format!("{{ cert = \"{c}\", key = \"{k}\" }}"))
        .collect();
    format!(
        r#"
[[listener]]
name = "tls"
address = "127.0.0.1:0"
[listener.tls]
certificates = [{}]
{client_auth}
[upstream.app]
targets = ["{upstream}"]
[[route]]
name = "app"
path = "/{{*rest}}"
upstream = "app"
"#,
        certs.join(", ")
    )
}

fn roots(ca: &Ca) -> rustls::RootCertStore {
    let mut r = rustls::RootCertStore::empty();
    r.add(rustls_pki_types::CertificateDer::from(
        ca.cert_der().to_vec(),
    ))
    .unwrap();
    r
}

use rustls_pki_types::pem::PemObject;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls13_served_with_hsts_and_tls12_client_refused() {
    let pki = Pki::new();
    let up = MockUpstream::start().await;
    let server = pki.write_leaf(
        &pki.ca.issue_server(&["localhost", "127.0.0.1"]).unwrap(),
        "server",
    );
    let gw = TestGateway::start(&tls_config(up.addr, &[server], "")).await;
    let url = format!("https://localhost:{}/x", gw.addr("tls").port());
    let c13 = reqwest::Client::builder()
        .no_proxy()
        .resolve("localhost", gw.addr("tls"))
        .tls_backend_preconfigured(
            rustls::ClientConfig::builder_with_provider(rampart_tls::provider())
                .with_protocol_versions(&[&rustls::version::TLS13])
                .unwrap()
                .with_root_certificates(roots(&pki.ca))
                .with_no_client_auth(),
        )
        .build()
        .unwrap();
    let r = c13.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().get("strict-transport-security").is_some(),
        "HSTS on TLS listeners"
    );
    let echo: serde_json::Value = r.json().await.unwrap();
    assert_eq!(echo["headers"]["x-forwarded-proto"], "https");

    let c12 = reqwest::Client::builder()
        .no_proxy()
        .resolve("localhost", gw.addr("tls"))
        .tls_backend_preconfigured(
            rustls::ClientConfig::builder_with_provider(rampart_tls::provider())
                .with_protocol_versions(&[&rustls::version::TLS12])
                .unwrap()
                .with_root_certificates(roots(&pki.ca))
                .with_no_client_auth(),
        )
        .build()
        .unwrap();
    assert!(
        c12.get(&url).send().await.is_err(),
        "TLS 1.2 must be refused"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sni_picks_the_matching_certificate() {
    let pki = Pki::new();
    let up = MockUpstream::start().await;
    let a = pki.ca.issue_server(&["a.test"]).unwrap();
    let b = pki.ca.issue_server(&["b.test"]).unwrap();
    let certs = [pki.write_leaf(&a, "a"), pki.write_leaf(&b, "b")];
    let gw = TestGateway::start(&tls_config(up.addr, &certs, "")).await;
    for (name, leaf) in [("a.test", &a), ("b.test", &b)] {
        let c = reqwest::Client::builder()
            .no_proxy()
            .resolve(name, gw.addr("tls"))
            .tls_info(true)
            .tls_backend_preconfigured(
                rustls::ClientConfig::builder_with_provider(rampart_tls::provider())
                    .with_safe_default_protocol_versions()
                    .unwrap()
                    .with_root_certificates(roots(&pki.ca))
                    .with_no_client_auth(),
            )
            .build()
            .unwrap();
        let r = c
            .get(format!("https://{name}:{}/", gw.addr("tls").port()))
            .send()
            .await
            .unwrap();
        let info = r
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|i| i.peer_certificate().map(|c| c.to_vec()));
        assert_eq!(
            info.as_deref(),
            Some(leaf.der.as_slice()),
            "{name} got the wrong certificate"
        );
    }
    gw.stop().await;
}

async fn mtls_gateway(
    pki: &Pki,
    up: &MockUpstream,
    mode: &str,
    crl: Option<String>,
) -> TestGateway {
    let server = pki.write_leaf(&pki.ca.issue_server(&["localhost"]).unwrap(), "server");
    let crls = crl
        .map(|c| format!("crls = [\"{c}\"]\n"))
        .unwrap_or_default();
    let auth = format!(
        "[listener.tls.client_auth]\nca = \"{}\"\nmode = \"{mode}\"\n{crls}",
        pki.ca_path()
    );
    TestGateway::start(&tls_config(up.addr, &[server], &auth)).await
}

async fn get(c: &reqwest::Client, gw: &TestGateway) -> Result<reqwest::Response, reqwest::Error> {
    c.get(format!("https://localhost:{}/who", gw.addr("tls").port()))
        .send()
        .await
}

fn resolve(c: reqwest::ClientBuilder, gw: &TestGateway) -> reqwest::ClientBuilder {
    c.resolve("localhost", gw.addr("tls"))
}

fn mk(pki_ca: &Ca, identity: Option<&Leaf>, gw: &TestGateway) -> reqwest::Client {
    let b = rustls::ClientConfig::builder_with_provider(rampart_tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots(pki_ca));
    let cfg = match identity {
        Some(l) => b
            .with_client_auth_cert(
                vec![rustls_pki_types::CertificateDer::from(l.der.clone())],
                rustls_pki_types::PrivateKeyDer::from_pem_slice(l.key_pem.as_bytes()).unwrap(),
            )
            .unwrap(),
        None => b.with_no_client_auth(),
    };
    resolve(reqwest::Client::builder().no_proxy(), gw)
        .tls_backend_preconfigured(cfg)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtls_required_accepts_valid_and_refuses_missing_foreign_expired_revoked() {
    let pki = Pki::new();
    let up = MockUpstream::start().await;
    let good = pki.ca.issue_client("good").unwrap();
    let revoked = pki.ca.issue_client("revoked").unwrap();
    let crl_path = pki.dir.path().join("ca.crl");
    std::fs::write(&crl_path, pki.ca.crl_pem(&[&revoked]).unwrap()).unwrap();
    let gw = mtls_gateway(&pki, &up, "required", Some(crl_path.display().to_string())).await;

    let r = get(&mk(&pki.ca, Some(&good), &gw), &gw)
        .await
        .expect("valid client certificate accepted");
    let echo: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        echo["headers"]["x-client-cert-fingerprint"],
        rampart_tls::fingerprint_der(&good.der).as_str()
    );

    assert!(
        get(&mk(&pki.ca, None, &gw), &gw).await.is_err(),
        "no certificate: dropped"
    );
    let foreign = Ca::new("foreign")
        .unwrap()
        .issue_client("intruder")
        .unwrap();
    assert!(
        get(&mk(&pki.ca, Some(&foreign), &gw), &gw).await.is_err(),
        "foreign CA refused"
    );
    let expired = pki.ca.issue_client_expired("old").unwrap();
    assert!(
        get(&mk(&pki.ca, Some(&expired), &gw), &gw).await.is_err(),
        "expired refused"
    );
    let selfsigned = rampart_tls::pki::self_signed(&["selfie"]).unwrap();
    assert!(
        get(&mk(&pki.ca, Some(&selfsigned), &gw), &gw)
            .await
            .is_err(),
        "self-signed refused"
    );
    assert!(
        get(&mk(&pki.ca, Some(&revoked), &gw), &gw).await.is_err(),
        "revoked refused"
    );
    assert_eq!(up.hits(), 1, "only the valid client reached the upstream");
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtls_optional_allows_anonymous_but_refuses_invalid_certificates() {
    let pki = Pki::new();
    let up = MockUpstream::start().await;
    let gw = mtls_gateway(&pki, &up, "optional", None).await;
    let r = get(&mk(&pki.ca, None, &gw), &gw)
        .await
        .expect("anonymous allowed");
    let echo: serde_json::Value = r.json().await.unwrap();
    assert!(echo["headers"].get("x-client-cert-fingerprint").is_none());
    let good = pki.ca.issue_client("good").unwrap();
    assert_eq!(
        get(&mk(&pki.ca, Some(&good), &gw), &gw)
            .await
            .unwrap()
            .status(),
        200
    );
    let foreign = Ca::new("foreign")
        .unwrap()
        .issue_client("intruder")
        .unwrap();
    assert!(
        get(&mk(&pki.ca, Some(&foreign), &gw), &gw).await.is_err(),
        "a presented invalid certificate is refused"
    );
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mismatched_key_is_refused_at_start_with_the_listener_named() {
    let pki = Pki::new();
    let up = MockUpstream::start().await;
    let a = pki.ca.issue_server(&["localhost"]).unwrap();
    let b = pki.ca.issue_server(&["localhost"]).unwrap();
    let (cert, _) = pki.write_leaf(&a, "a");
    let (_, key) = pki.write_leaf(&b, "b");
    let err = TestGateway::try_start(&tls_config(up.addr, &[(cert, key)], ""))
        .await
        .err()
        .expect("must refuse");
    assert!(err.contains("listener[0].tls"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_client_is_dropped_after_the_handshake_timeout() {
    use tokio::io::AsyncReadExt;
    let pki = Pki::new();
    let up = MockUpstream::start().await;
    let server = pki.write_leaf(&pki.ca.issue_server(&["localhost"]).unwrap(), "server");
    let cfg = tls_config(up.addr, &[server], "").replace(
        "[[listener]]",
        "[server]\nhandshake_timeout = \"300ms\"\n\n[[listener]]",
    );
    let gw = TestGateway::start(&cfg).await;
    let mut s = tokio::net::TcpStream::connect(gw.addr("tls"))
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    // Bounded: the gateway must hang up long before this outer limit.
    let r = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut buf))
        .await
        .expect("gateway closed the silent connection");
    assert!(matches!(r, Ok(0) | Err(_)));
    assert!(gw.gw().shared.metrics.tls_handshake_failures.get() >= 1);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crl_added_by_reload_refuses_a_revoked_client() {
    let pki = Pki::new();
    let up = MockUpstream::start().await;
    let client_leaf = pki.ca.issue_client("soon-revoked").unwrap();
    let server = pki.write_leaf(&pki.ca.issue_server(&["localhost"]).unwrap(), "server");
    let auth = format!(
        "[listener.tls.client_auth]\nca = \"{}\"\nmode = \"required\"\n",
        pki.ca_path()
    );
    let gw = TestGateway::start(&tls_config(up.addr, std::slice::from_ref(&server), &auth)).await;
    assert_eq!(
        get(&mk(&pki.ca, Some(&client_leaf), &gw), &gw)
            .await
            .unwrap()
            .status(),
        200
    );
    let crl = pki.dir.path().join("revoked.crl");
    std::fs::write(&crl, pki.ca.crl_pem(&[&client_leaf]).unwrap()).unwrap();
    gw.write_config(&tls_config(
        up.addr,
        &[server],
        &format!("{auth}crls = [\"{}\"]\n", crl.display()),
    ));
    assert_eq!(gw.gw().reload().await.unwrap(), 2);
    assert!(
        get(&mk(&pki.ca, Some(&client_leaf), &gw), &gw)
            .await
            .is_err(),
        "revoked after the CRL reload"
    );
    gw.stop().await;
}
