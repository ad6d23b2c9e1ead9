//! Key files: the node's Ed25519 secret on disk and its `.pub` companion.
//!
//! Format (two lines, ASCII, each ending in `\n`):
//! ```text
//! rampart-ed25519-secret-v1
//! <64 lowercase hex digits: the 32-byte Ed25519 seed>
//! ```
//! `FILE.pub` holds the public key as 64 lowercase hex digits and a newline.
//!
//! Must not: overwrite an existing key file (ever), read a secret that group or other
//! can read, or "repair" a corrupt file: an unreadable identity is a refusal to start,
//! never a silent new identity.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::identity::NodeKey;

const HEADER: &str = "rampart-ed25519-secret-v1";

/// Longest key file we read; the real one is 91 bytes.
const MAX_KEY_FILE: u64 = 4096;

/// Why a key could not be written, read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// `write_new` found a file already there; it is never overwritten.
    #[error("{path}: key file already exists; refusing to overwrite it")]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// The secret key file is readable by group or other.
    #[error("{path}: key file mode is {mode:04o}, readable by group/other; run `chmod 600 {path}`")]
    Permissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file exists but is not a key in the expected format.
    #[error("{path}: {reason}")]
    Format {
        /// The key file (empty when the key came from an argument).
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The file could not be created, opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `FILE.pub` next to `FILE`.
pub(crate) fn pub_path(path: &Path) -> PathBuf {
    let mut os = path.as_os_str().to_owned();
    os.push(".pub");
    PathBuf::from(os)
}

// === impl NodeKey (key files) ===

impl NodeKey {
    /// Writes the key file with mode 0600 (`create_new`: an existing file is never
    /// overwritten, [`KeyError::Exists`]) and `FILE.pub` (hex public key and newline,
    /// mode 0644, replaced if present: it is derived data). Both are fsynced.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::AlreadyExists {
                    KeyError::Exists {
                        path: path.to_path_buf(),
                    }
                } else {
                    io_err(path)(source)
                }
            })?;
        // The umask cannot widen 0600, but it can narrow it; say exactly what we mean.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io_err(path))?;
        let text = format!("{HEADER}\n{}\n", hex::encode(self.seed()));
        file.write_all(text.as_bytes()).map_err(io_err(path))?;
        file.sync_all().map_err(io_err(path))?;

        let pub_file = pub_path(path);
        let mut public = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&pub_file)
            .map_err(io_err(&pub_file))?;
        public
            .write_all(format!("{}\n", self.id()).as_bytes())
            .map_err(io_err(&pub_file))?;
        public.sync_all().map_err(io_err(&pub_file))?;
        Ok(())
    }

    /// Reads a key file written by [`NodeKey::write_new`]. Refuses a file whose mode
    /// lets group or other read it (`mode & 0o077 != 0`), and any file not in the exact
    /// format; never modifies the file.
    pub fn load(path: &Path) -> Result<NodeKey, KeyError> {
        let file = File::open(path).map_err(io_err(path))?;
        // Check the opened file, not the path, so a swap between check and read is moot.
        let meta = file.metadata().map_err(io_err(path))?;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions {
                path: path.to_path_buf(),
                mode,
            });
        }
        let mut text = String::new();
        file.take(MAX_KEY_FILE)
            .read_to_string(&mut text)
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::InvalidData {
                    format_err(path, "key file is not UTF-8 text")
                } else {
                    io_err(path)(source)
                }
            })?;
        parse_key_text(&text).map_err(|reason| format_err(path, reason))
    }
}

fn format_err(path: &Path, reason: &str) -> KeyError {
    KeyError::Format {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn parse_key_text(text: &str) -> Result<NodeKey, &'static str> {
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err("not a rampart key file (first line must be `rampart-ed25519-secret-v1`)");
    }
    let seed_hex = lines.next().ok_or("key file has no seed line")?.trim();
    if lines.any(|l| !l.trim().is_empty()) {
        return Err("key file has unexpected extra lines");
    }
    if seed_hex.len() != 64 {
        return Err("seed line must be 64 hex digits");
    }
    let mut seed = [0u8; 32];
    hex::decode_to_slice(seed_hex, &mut seed).map_err(|_| "seed line is not valid hex")?;
    Ok(NodeKey::from_seed(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn write_new_creates_0600_key_and_pub_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.key");
        let key = NodeKey::generate();
        key.write_new(&path).unwrap();
        assert_eq!(mode_of(&path), 0o600);
        let public = std::fs::read_to_string(pub_path(&path)).unwrap();
        assert_eq!(public, format!("{}\n", key.id()));
        let loaded = NodeKey::load(&path).unwrap();
        assert_eq!(loaded.id(), key.id());
    }

    #[test]
    fn write_new_refuses_to_overwrite_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.key");
        std::fs::write(&path, b"precious").unwrap();
        let err = NodeKey::generate().write_new(&path).unwrap_err();
        assert!(matches!(err, KeyError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"precious");
    }

    #[test]
    fn load_refuses_group_readable_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.key");
        NodeKey::generate().write_new(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = NodeKey::load(&path).unwrap_err();
        assert!(
            matches!(err, KeyError::Permissions { mode: 0o640, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("chmod 600"));
    }

    #[test]
    fn load_rejects_bad_hex_without_touching_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.key");
        let text = format!("{HEADER}\n{}\n", "x".repeat(64));
        std::fs::write(&path, &text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = NodeKey::load(&path).unwrap_err();
        assert!(matches!(err, KeyError::Format { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn load_rejects_missing_header_and_binary_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.key");
        for content in [&b"00"[..], &[0xff, 0xfe, 0x00][..], b""] {
            std::fs::write(&path, content).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            assert!(matches!(NodeKey::load(&path), Err(KeyError::Format { .. })));
        }
    }

    proptest! {
        #[test]
        fn key_text_round_trips(seed in any::<[u8; 32]>()) {
            let key = NodeKey::from_seed(&seed);
            let text = format!("{HEADER}\n{}\n", hex::encode(seed));
            prop_assert_eq!(parse_key_text(&text).map(|k| k.id()), Ok(key.id()));
        }

        #[test]
        fn key_text_parser_never_panics(text in "\\PC{0,200}") {
            let _ = parse_key_text(&text);
        }
    }
}
