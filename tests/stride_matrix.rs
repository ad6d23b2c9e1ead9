//! DESIGN §9: every STRIDE mitigation in docs/security/threat-model.md names the test
//! that proves it in docs/security/stride-validation.md, and a test fails when a named
//! test is missing. This is that test.
//!
//! It reads the two documents only (std, no parsing crates), never runs the tests it
//! names: a reference `path/to/file.rs::name` must point at an existing file that holds
//! a test function `fn name(` under a test attribute, and every id (`M-AREA-n`,
//! `G-AREA-n`) of the threat model must have a row in the matrix.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MATRIX: &str = "docs/security/stride-validation.md";
const MODEL: &str = "docs/security/threat-model.md";

fn read(rel: &str) -> String {
    let path = Path::new(ROOT).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

fn path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

fn name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

/// Every `path/file.rs::name` in `text`, in order of appearance.
fn test_refs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".rs::") {
        let before = &rest[..at + 3];
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| path_char(*c))
            .last()
            .map(|(i, _)| i)
            .unwrap_or(before.len());
        let after = &rest[at + 5..];
        let len = after.find(|c: char| !name_char(c)).unwrap_or(after.len());
        if start < before.len() && len > 0 {
            out.push((before[start..].to_string(), after[..len].to_string()));
        }
        rest = &rest[at + 5..];
    }
    out
}

/// Ids shaped `M-AREA-n` or `G-AREA-n` (AREA upper-case letters, n digits).
fn ids(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|t| {
            let mut parts = t.split('-');
            let (Some(kind), Some(area), Some(n), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return false;
            };
            matches!(kind, "M" | "G")
                && !area.is_empty()
                && area.chars().all(|c| c.is_ascii_uppercase())
                && !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

/// Ids in the first column of the matrix's table rows.
fn matrix_row_ids(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('|'))
        .filter_map(|l| l.split('|').next())
        .flat_map(ids)
        .collect()
}

/// True when `source` defines `fn name(` directly under an attribute that makes it a test
/// (`#[test]`, `#[tokio::test(...)]`; other attributes and doc comments may sit between).
fn defines_test(source: &str, name: &str) -> bool {
    let needle = format!("fn {name}(");
    let lines: Vec<&str> = source.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        if !line.contains(&needle) {
            return false;
        }
        lines[..i]
            .iter()
            .rev()
            .map(|l| l.trim())
            .take_while(|l| l.starts_with("#[") || l.starts_with("///") || l.is_empty())
            .any(|l| l.starts_with("#[") && l.contains("test"))
    })
}

#[test]
fn stride_matrix_names_only_existing_tests() {
    let matrix = read(MATRIX);
    let model = read(MODEL);
    let mut problems = Vec::new();

    let refs = test_refs(&matrix);
    assert!(
        refs.len() >= 50,
        "{MATRIX}: only {} test references found; is the table still there?",
        refs.len()
    );
    for (file, name) in refs.iter().chain(test_refs(&model).iter()) {
        let path: PathBuf = Path::new(ROOT).join(file);
        match std::fs::read_to_string(&path) {
            Err(e) => problems.push(format!("{file}::{name}: cannot read {file}: {e}")),
            Ok(src) if !defines_test(&src, name) => problems.push(format!(
                "{file}::{name}: no test function `fn {name}(` in {file}"
            )),
            Ok(_) => {}
        }
    }

    let model_ids = ids(&model);
    assert!(!model_ids.is_empty(), "{MODEL}: no M-/G- ids found");
    let rows = matrix_row_ids(&matrix);
    for id in model_ids.difference(&rows) {
        problems.push(format!("{id}: in {MODEL} but has no row in {MATRIX}"));
    }
    for id in rows.difference(&model_ids) {
        problems.push(format!("{id}: row in {MATRIX} but not in {MODEL}"));
    }
    // Every row either names a test or says plainly that it has none.
    for line in matrix
        .lines()
        .filter(|l| l.starts_with("| M-") || l.starts_with("| G-"))
    {
        if test_refs(line).is_empty() && !line.contains("none (gap:") {
            problems.push(format!("row names no test and no gap: {line}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the STRIDE evidence:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn test_refs_and_ids_are_parsed_from_markdown() {
    let text =
        "| M-TLS-1 | x | y | `tests/tls.rs::tls13_served` |\n| G-WAF-2 | a | b | none (gap: c) |";
    assert_eq!(
        test_refs(text),
        vec![("tests/tls.rs".to_string(), "tls13_served".to_string())]
    );
    let want: BTreeSet<String> = ["G-WAF-2", "M-TLS-1"].map(String::from).into();
    assert_eq!(matrix_row_ids(text), want);
    assert!(ids("M-tls-1 M-TLS- X-TLS-1 M-TLS-1-2").is_empty());
    assert!(defines_test("#[test]\nfn a_b() {}", "a_b"));
    assert!(defines_test(
        "#[cfg(feature = \"chaos\")]\n#[tokio::test(flavor = \"multi_thread\")]\nasync fn a_b() {}",
        "a_b"
    ));
    assert!(!defines_test("fn a_b() {}", "a_b"));
}
