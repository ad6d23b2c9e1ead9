//! `rampart audit verify`: arguments (clap derive, embedded by the daemon's CLI) and
//! the command itself.
//!
//! Exit codes: 0 all good; 1 a bad record, or unanchored records with
//! `--require-anchor`; 2 usage or key error.
//!
//! Must not: print key material, or exit the process (it returns the code).

use std::io::Write;
use std::path::PathBuf;

use crate::key::AuditKey;
use crate::verify::{self, VerifyOptions};

/// Arguments of `rampart audit verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// Environment variable holding the HMAC key (hex or raw, as for the daemon).
    #[arg(long, value_name = "VAR", conflicts_with = "key_file")]
    pub key_env: Option<String>,
    /// File holding the HMAC key (raw bytes, as for the daemon).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Node public key (64 hex digits or a .pub file): checkpoints must be signed by it.
    #[arg(long, value_name = "HEX_OR_FILE")]
    pub pubkey: Option<String>,
    /// A head known from elsewhere, `SEQ:MAC`: the log must contain it (detects truncation).
    #[arg(long, value_name = "SEQ:MAC")]
    pub expect_head: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Fail (exit 1) when records after the last checkpoint are not covered by a signature.
    #[arg(long)]
    pub require_anchor: bool,
    /// Segment files, in any order (they are checked in file-name order).
    #[arg(required = true, value_name = "SEGMENT")]
    pub segments: Vec<PathBuf>,
}

/// Runs the command; returns the process exit code.
pub fn verify_main(args: &VerifyArgs, out: &mut dyn Write) -> i32 {
    match run(args, out) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(out, "error: {message}");
            2
        }
    }
}

fn run(args: &VerifyArgs, out: &mut dyn Write) -> Result<i32, String> {
    let key = match (&args.key_env, &args.key_file) {
        (Some(_), Some(_)) => return Err("give only one of --key-env / --key-file".into()),
        (Some(name), None) => Some(AuditKey::load_from_env(name).map_err(|e| e.to_string())?),
        (None, Some(path)) => Some(AuditKey::load_from_file(path).map_err(|e| e.to_string())?),
        (None, None) => None,
    };
    let pubkey = match &args.pubkey {
        Some(p) => {
            Some(rampart_protocol::parse_public_key(p).map_err(|e| format!("--pubkey: {e}"))?)
        }
        None => None,
    };
    if key.is_none() && pubkey.is_none() {
        return Err(
            "give --key-env / --key-file (full check) and/or --pubkey (structure and checkpoints)"
                .into(),
        );
    }
    let expect = match &args.expect_head {
        Some(text) => Some(parse_expect(text)?),
        None => None,
    };
    let opts = VerifyOptions {
        key: key.as_ref(),
        pubkey: pubkey.as_ref(),
        expect_head: expect.as_ref().map(|(s, h)| (*s, h.as_str())),
    };
    let report = verify::verify_segments_with(&args.segments, &opts);
    let text = match args.json {
        true => serde_json::to_string(&report)
            .map(|j| j + "\n")
            .map_err(|e| e.to_string())?,
        false => report.render(),
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    let unanchored_fails = args.require_anchor && report.unanchored > 0;
    if unanchored_fails && !args.json {
        let _ = writeln!(
            out,
            "FAIL: --require-anchor and {} unanchored record(s)",
            report.unanchored
        );
    }
    Ok(if report.is_ok() && !unanchored_fails {
        0
    } else {
        1
    })
}

fn parse_expect(text: &str) -> Result<(u64, String), String> {
    let bad = || format!("--expect-head {text:?}: expected SEQ:MAC (decimal seq, 64 hex digits)");
    let (seq, mac) = text.split_once(':').ok_or_else(bad)?;
    let seq = seq.parse::<u64>().map_err(|_| bad())?;
    let mac = mac.to_ascii_lowercase();
    if mac.len() != 64 || !mac.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok((seq, mac))
}
