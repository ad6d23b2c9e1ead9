//! A small PKI built with rcgen: a self-signed CA that issues server and client
//! certificates and CRLs, plus self-signed leaves.
//!
//! Used by the daemon's `demo` command (a self-signed certificate for
//! `127.0.0.1`/`localhost`) and by tests. Keys are ECDSA P-256 from aws-lc-rs; serials are
//! 16 random bytes. Nothing here panics: every rcgen or clock failure is a `PkiError`.
//! It must not be used to run a production CA (no key protection, no persistence).

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, RevocationReason,
    RevokedCertParams, SerialNumber,
};

use crate::CertSpec;

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

/// Why a certificate could not be made or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// rcgen refused the parameters (e.g. a non-ASCII DNS name) or failed to sign.
    #[error("certificate generation: {source}")]
    Rcgen {
        /// rcgen's error.
        #[from]
        source: rcgen::Error,
    },
    /// The system random generator failed.
    #[error("system random generator failed")]
    Random,
    /// The system clock is outside the range certificates can express.
    #[error("system clock out of range for certificate validity")]
    Clock,
    /// A certificate or key file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file that failed.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

/// A self-signed certificate authority.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    cert_der: Vec<u8>,
}

/// An issued certificate with its private key.
#[derive(Clone)]
pub struct Leaf {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The serial number (what a CRL names).
    pub serial: SerialNumber,
    /// The certificate, DER (what [`crate::fingerprint_der`] hashes).
    pub der: Vec<u8>,
}

impl std::fmt::Debug for Leaf {
    // Keeps the private key out of logs and test failure output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leaf")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").finish_non_exhaustive()
    }
}

// === impl Ca ===

impl Ca {
    /// A new CA with common name `cn`, valid from an hour ago for ten years.
    pub fn new(cn: &str) -> Result<Ca, PkiError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = common_name(cn);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.serial_number = Some(random_serial()?);
        params.not_before = ago(HOUR)?.into();
        params.not_after = ahead(3650 * DAY)?.into();
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Ca {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate, PEM (what a client-CA or upstream-CA file holds).
    pub fn cert_pem(&self) -> String {
        self.cert_pem.clone()
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Writes the CA certificate to `dir/stem.crt` and returns the path.
    pub fn write_cert(&self, dir: &Path, stem: &str) -> Result<PathBuf, PkiError> {
        let path = dir.join(format!("{stem}.crt"));
        write_file(&path, self.cert_pem.as_bytes(), false)?;
        Ok(path)
    }

    /// A server certificate for `names`: each is an IP SAN if it parses as an IP
    /// address, else a DNS SAN (wildcards like `*.example.com` allowed). Valid for a year.
    pub fn issue_server(&self, names: &[&str]) -> Result<Leaf, PkiError> {
        let params = leaf_params(
            names,
            ExtendedKeyUsagePurpose::ServerAuth,
            ago(HOUR)?,
            ahead(365 * DAY)?,
        )?;
        self.sign(&params)
    }

    /// A client certificate with common name `cn`, valid for a year.
    pub fn issue_client(&self, cn: &str) -> Result<Leaf, PkiError> {
        let params = client_params(cn, ago(HOUR)?, ahead(365 * DAY)?)?;
        self.sign(&params)
    }

    /// A client certificate whose validity ended yesterday.
    pub fn issue_client_expired(&self, cn: &str) -> Result<Leaf, PkiError> {
        let params = client_params(cn, ago(30 * DAY)?, ago(DAY)?)?;
        self.sign(&params)
    }

    /// A server certificate for `names` whose validity ended yesterday.
    pub fn issue_server_expired(&self, names: &[&str]) -> Result<Leaf, PkiError> {
        let params = leaf_params(
            names,
            ExtendedKeyUsagePurpose::ServerAuth,
            ago(30 * DAY)?,
            ago(DAY)?,
        )?;
        self.sign(&params)
    }

    /// A CRL revoking `revoked`, issued a minute ago, next update in a day. PEM.
    pub fn crl_pem(&self, revoked: &[&Leaf]) -> Result<String, PkiError> {
        let now = ago(60)?;
        let params = CertificateRevocationListParams {
            this_update: now.into(),
            next_update: ahead(DAY)?.into(),
            crl_number: random_serial()?,
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|leaf| RevokedCertParams {
                    serial_number: leaf.serial.clone(),
                    revocation_time: now.into(),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&self.issuer)?.pem()?)
    }

    fn sign(&self, params: &CertificateParams) -> Result<Leaf, PkiError> {
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Leaf::new(params, &key, cert))
    }
}

// === impl Leaf ===

impl Leaf {
    fn new(params: &CertificateParams, key: &KeyPair, cert: rcgen::Certificate) -> Leaf {
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            // leaf_params always sets a serial; the fallback only keeps this total.
            serial: params
                .serial_number
                .clone()
                .unwrap_or_else(|| SerialNumber::from_slice(&[0])),
            der: cert.der().to_vec(),
        }
    }

    /// Writes `dir/stem.crt` and `dir/stem.key` (the key with mode 0600 on Unix) and
    /// returns the pair as a [`CertSpec`].
    pub fn write(&self, dir: &Path, stem: &str) -> Result<CertSpec, PkiError> {
        let cert = dir.join(format!("{stem}.crt"));
        let key = dir.join(format!("{stem}.key"));
        write_file(&cert, self.cert_pem.as_bytes(), false)?;
        write_file(&key, self.key_pem.as_bytes(), true)?;
        Ok(CertSpec { cert, key })
    }
}

/// A self-signed server certificate for `names` (IPs and DNS names), valid for a year:
/// what `rampart demo` serves.
pub fn self_signed(names: &[&str]) -> Result<Leaf, PkiError> {
    let params = leaf_params(
        names,
        ExtendedKeyUsagePurpose::ServerAuth,
        ago(HOUR)?,
        ahead(365 * DAY)?,
    )?;
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(Leaf::new(&params, &key, cert))
}

fn leaf_params(
    names: &[&str],
    usage: ExtendedKeyUsagePurpose,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<CertificateParams, PkiError> {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())?;
    params.distinguished_name = common_name(names.first().copied().unwrap_or("rampart"));
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![usage];
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(random_serial()?);
    params.not_before = not_before.into();
    params.not_after = not_after.into();
    Ok(params)
}

fn client_params(
    cn: &str,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<CertificateParams, PkiError> {
    let mut params = leaf_params(
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
        not_before,
        not_after,
    )?;
    params.distinguished_name = common_name(cn);
    Ok(params)
}

fn common_name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

fn random_serial() -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| PkiError::Random)?;
    // Positive and without a leading zero byte, so the DER INTEGER is exactly 16 bytes.
    bytes[0] = 0x40 | (bytes[0] & 0x3f);
    Ok(SerialNumber::from_slice(&bytes))
}

fn ago(secs: u64) -> Result<SystemTime, PkiError> {
    SystemTime::now()
        .checked_sub(Duration::from_secs(secs))
        .ok_or(PkiError::Clock)
}

fn ahead(secs: u64) -> Result<SystemTime, PkiError> {
    SystemTime::now()
        .checked_add(Duration::from_secs(secs))
        .ok_or(PkiError::Clock)
}

fn write_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), PkiError> {
    let err = |source| PkiError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(err)?;
    #[cfg(unix)]
    if private {
        // `mode` applies only when the file is created; tighten a pre-existing one too.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(err)?;
    }
    #[cfg(not(unix))]
    let _ = private;
    file.write_all(bytes).map_err(err)?;
    file.sync_all().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_server_puts_ip_and_dns_names_in_sans() -> Result<(), PkiError> {
        let ca = Ca::new("test ca")?;
        let leaf = ca.issue_server(&["127.0.0.1", "localhost", "*.example.com"])?;
        let (_, x509) =
            x509_parser::parse_x509_certificate(&leaf.der).map_err(|_| PkiError::Random)?;
        let san = x509
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|e| e.value.general_names.len());
        assert_eq!(san, Some(3));
        assert_eq!(x509.raw_serial(), leaf.serial.to_bytes().as_slice());
        Ok(())
    }

    #[test]
    fn issue_client_expired_has_not_after_in_the_past() -> Result<(), PkiError> {
        let leaf = Ca::new("test ca")?.issue_client_expired("alice")?;
        let (_, x509) =
            x509_parser::parse_x509_certificate(&leaf.der).map_err(|_| PkiError::Random)?;
        assert!(!x509.validity().is_valid());
        Ok(())
    }

    #[test]
    fn random_serial_is_positive_and_sixteen_bytes() -> Result<(), PkiError> {
        let serial = random_serial()?.to_bytes();
        assert_eq!(serial.len(), 16);
        assert!(serial[0] & 0x80 == 0 && serial[0] != 0);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn leaf_write_makes_key_owner_only() -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let spec = self_signed(&["localhost"])?.write(dir.path(), "demo")?;
        assert_eq!(fs::metadata(&spec.key)?.permissions().mode() & 0o777, 0o600);
        assert!(fs::read_to_string(&spec.cert)?.contains("BEGIN CERTIFICATE"));
        Ok(())
    }
}
