//! `rampart audit verify` exit codes and output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use clap::Parser;
use common::*;
use rampart_audit::cli::{VerifyArgs, verify_main};

#[derive(Parser)]
struct Cmd {
    #[command(flatten)]
    args: VerifyArgs,
}

fn run(argv: &[&str]) -> (i32, String) {
    let cmd = Cmd::try_parse_from(std::iter::once("verify").chain(argv.iter().copied())).unwrap();
    let mut out = Vec::new();
    let code = verify_main(&cmd.args, &mut out);
    (code, String::from_utf8(out).unwrap())
}

struct Fixture {
    _dir: tempfile::TempDir,
    key_file: PathBuf,
    pub_hex: String,
    files: Vec<PathBuf>,
}

fn fixture(events: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("audit");
    let files = write_log(&logs, events, true);
    let key_file = dir.path().join("audit.key");
    key().write_new(&key_file).unwrap();
    Fixture {
        _dir: dir,
        key_file,
        pub_hex: node_key().id().to_string(),
        files,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn verify_cli_good_log_exits_0() {
    let f = fixture(20);
    let (code, out) = run(&[
        "--key-file",
        s(&f.key_file),
        "--pubkey",
        &f.pub_hex,
        "--require-anchor",
        s(&f.files[0]),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("OK: 1 file(s), 22 records"), "{out}");
}

#[test]
fn verify_cli_tampered_log_exits_1_and_names_the_record() {
    let f = fixture(20);
    let text = std::fs::read_to_string(&f.files[0]).unwrap();
    std::fs::write(&f.files[0], text.replacen("req-7", "req-8", 1)).unwrap();
    let (code, out) = run(&["--key-file", s(&f.key_file), s(&f.files[0])]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("line 9 seq 8: mac"), "{out}");
}

#[test]
fn verify_cli_unanchored_tail_fails_only_with_require_anchor() {
    let f = fixture(20);
    let mut l = lines(&f.files[0]);
    l.pop(); // drop the final checkpoint
    write_lines(&f.files[0], &l);
    let (code, out) = run(&["--key-file", s(&f.key_file), s(&f.files[0])]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&[
        "--key-file",
        s(&f.key_file),
        "--require-anchor",
        s(&f.files[0]),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("unanchored"), "{out}");
}

#[test]
fn verify_cli_key_problems_exit_2() {
    let f = fixture(2);
    let short = f.key_file.with_file_name("short.key");
    std::fs::write(&short, b"too short").unwrap();
    let (code, out) = run(&["--key-file", s(&short), s(&f.files[0])]);
    assert_eq!(code, 2);
    assert!(out.contains("at least 32"), "{out}");
    let (code, _) = run(&["--key-env", "RAMPART_TEST_SURELY_UNSET_VAR", s(&f.files[0])]);
    assert_eq!(code, 2);
    let (code, out) = run(&[s(&f.files[0])]);
    assert_eq!(code, 2, "no key and no pubkey is a usage error: {out}");
    let (code, _) = run(&["--pubkey", "nothex", s(&f.files[0])]);
    assert_eq!(code, 2);
    assert!(
        Cmd::try_parse_from(["verify", "--key-file", "k"]).is_err(),
        "a segment is required"
    );
}

#[test]
fn verify_cli_json_report_is_machine_readable() {
    let f = fixture(5);
    let pub_file = f.key_file.with_file_name("node.pub");
    std::fs::write(&pub_file, format!("{}\n", f.pub_hex)).unwrap();
    let (code, out) = run(&["--pubkey", s(&pub_file), "--json", s(&f.files[0])]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["records"], 7);
    assert_eq!(v["macs_checked"], false);
    assert_eq!(v["first_bad"], serde_json::Value::Null);
}

#[test]
fn verify_cli_expect_head_detects_truncation() {
    let f = fixture(10);
    let (_, out) = run(&["--key-file", s(&f.key_file), "--json", s(&f.files[0])]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let head = format!("{}:{}", v["head"][0], v["head"][1].as_str().unwrap());
    let mut l = lines(&f.files[0]);
    l.truncate(l.len() - 2);
    write_lines(&f.files[0], &l);
    let (code, out) = run(&[
        "--key-file",
        s(&f.key_file),
        "--expect-head",
        &head,
        s(&f.files[0]),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("truncated"), "{out}");
}
