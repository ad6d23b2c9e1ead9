//! The audit HMAC key: where it comes from and how long it must be.
//!
//! Sources: an environment variable ([`AuditKey::load_from_env`]) or a file
//! ([`AuditKey::load_from_file`], e.g. a systemd credential). At least
//! [`AuditKey::MIN_LEN`] bytes or the daemon refuses to start.
//!
//! Must not: print the key (its `Debug` is redacted), or fall back to a default key.

use std::fmt;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit};
use sha2::Sha256;

use crate::config::AuditConfig;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Why no usable audit key was found.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The environment variable is not set.
    #[error("audit key: environment variable {name} is not set")]
    EnvMissing {
        /// The variable.
        name: String,
    },
    /// The key is shorter than 32 bytes.
    #[error(
        "audit key from {origin} is {len} bytes; at least 32 are required (e.g. `head -c 32 /dev/urandom > FILE` or 64 hex digits)"
    )]
    TooShort {
        /// Where the key came from (`env FOO`, `file /x`).
        origin: String,
        /// Its length in bytes after decoding.
        len: usize,
    },
    /// Neither `key_env` nor `key_file` is configured.
    #[error("audit key: neither key_env nor key_file is configured")]
    NotConfigured,
    /// `write_new` found an existing file; it is never overwritten.
    #[error("{path}: audit key file already exists; refusing to overwrite it")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The key file could not be read or written.
    #[error("audit key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The secret HMAC-SHA256 key of the audit chain (>= 32 bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey(Vec<u8>);

// === impl AuditKey ===

impl AuditKey {
    /// Minimum key length in bytes.
    pub const MIN_LEN: usize = 32;

    /// Wraps key bytes; refuses fewer than [`AuditKey::MIN_LEN`].
    pub fn from_bytes(bytes: Vec<u8>, origin: &str) -> Result<AuditKey, KeyError> {
        if bytes.len() < Self::MIN_LEN {
            return Err(KeyError::TooShort {
                origin: origin.to_string(),
                len: bytes.len(),
            });
        }
        Ok(AuditKey(bytes))
    }

    /// Reads the key from an environment variable. A value of only hex digits, of even
    /// length and at least 64 characters, is hex-decoded; any other value is used as its
    /// raw bytes.
    pub fn load_from_env(name: &str) -> Result<AuditKey, KeyError> {
        let value = std::env::var_os(name).ok_or_else(|| KeyError::EnvMissing {
            name: name.to_string(),
        })?;
        Self::from_env_value(value.as_bytes(), name)
    }

    pub(crate) fn from_env_value(value: &[u8], name: &str) -> Result<AuditKey, KeyError> {
        let looks_hex = value.len() >= 2 * Self::MIN_LEN
            && value.len().is_multiple_of(2)
            && value.iter().all(u8::is_ascii_hexdigit);
        let bytes = match looks_hex {
            true => hex::decode(value).unwrap_or_else(|_| value.to_vec()),
            false => value.to_vec(),
        };
        Self::from_bytes(bytes, &format!("env {name}"))
    }

    /// Reads the key file's raw bytes (all of them, a trailing newline included).
    pub fn load_from_file(path: &Path) -> Result<AuditKey, KeyError> {
        let bytes = std::fs::read(path).map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(bytes, &format!("file {}", path.display()))
    }

    /// Loads the key the config names (`key_env` first, then `key_file`).
    pub fn load(cfg: &AuditConfig) -> Result<AuditKey, KeyError> {
        match (&cfg.key_env, &cfg.key_file) {
            (Some(name), _) => Self::load_from_env(name),
            (None, Some(path)) => Self::load_from_file(path),
            (None, None) => Err(KeyError::NotConfigured),
        }
    }

    /// 32 fresh random bytes (for `rampart demo` and tests).
    pub fn generate() -> AuditKey {
        let mut bytes = vec![0u8; Self::MIN_LEN];
        rand::fill(&mut bytes[..]);
        AuditKey(bytes)
    }

    /// Writes the raw key bytes to a new file with mode 0600; never overwrites.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let io = |source: std::io::Error| match source.kind() {
            std::io::ErrorKind::AlreadyExists => KeyError::Exists {
                path: path.to_path_buf(),
            },
            _ => KeyError::Io {
                path: path.to_path_buf(),
                source,
            },
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        file.write_all(&self.0).map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A keyed HMAC-SHA256 state, cloned per record (keying costs two compressions).
    pub(crate) fn hmac(&self) -> HmacSha256 {
        // Infallible: HMAC accepts keys of any length.
        match <HmacSha256 as KeyInit>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey(<{} bytes>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_key_shorter_than_32_bytes_is_refused() {
        let err = AuditKey::from_bytes(vec![1; 31], "test").unwrap_err();
        assert!(matches!(err, KeyError::TooShort { len: 31, .. }));
        assert!(err.to_string().contains("at least 32"));
        assert!(AuditKey::from_bytes(vec![1; 32], "test").is_ok());
    }

    #[test]
    fn audit_key_env_value_hex_is_decoded_and_raw_is_kept() {
        let hex_value = "ab".repeat(32);
        let key = AuditKey::from_env_value(hex_value.as_bytes(), "K").unwrap();
        assert_eq!(key.as_bytes(), &[0xab; 32][..]);
        let raw = "this is a raw passphrase of 40 bytes!!!!";
        let key = AuditKey::from_env_value(raw.as_bytes(), "K").unwrap();
        assert_eq!(key.as_bytes(), raw.as_bytes());
        // 32 hex digits decode to 16 bytes would be too short, so they stay raw (32 bytes).
        let short_hex = "ab".repeat(16);
        assert_eq!(
            AuditKey::from_env_value(short_hex.as_bytes(), "K")
                .unwrap()
                .as_bytes()
                .len(),
            32
        );
        assert!(matches!(
            AuditKey::from_env_value(b"short", "K"),
            Err(KeyError::TooShort { len: 5, .. })
        ));
    }

    #[test]
    fn audit_key_file_short_is_refused_and_write_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short");
        std::fs::write(&short, b"0123456789").unwrap();
        assert!(matches!(
            AuditKey::load_from_file(&short),
            Err(KeyError::TooShort { len: 10, .. })
        ));
        let path = dir.path().join("audit.key");
        let key = AuditKey::generate();
        key.write_new(&path).unwrap();
        assert_eq!(AuditKey::load_from_file(&path).unwrap(), key);
        assert!(matches!(
            AuditKey::generate().write_new(&path),
            Err(KeyError::Exists { .. })
        ));
        assert_eq!(AuditKey::load_from_file(&path).unwrap(), key);
    }

    #[test]
    fn audit_key_debug_is_redacted() {
        let key = AuditKey::from_bytes(vec![0x41; 32], "t").unwrap();
        assert_eq!(format!("{key:?}"), "AuditKey(<32 bytes>)");
    }
}
