//! Configuration issues with positions: every issue names `file:line:col`, the key and
//! a hint. Semantic checks produce a dotted key path (`route[2].upstream`); this module
//! finds that key's span in the document so the operator is pointed at the right line.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::Source;

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub file: PathBuf,
    /// 1-based; 0 when the position is unknown.
    pub line: usize,
    pub col: usize,
    /// Dotted key path, e.g. `route[1].upstream`; empty for file-level problems.
    pub key: String,
    pub message: String,
    pub hint: String,
}

/// A semantic issue before it has a position.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub key: String,
    pub message: String,
    pub hint: String,
}

impl Pending {
    pub fn new(
        key: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Every issue found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueList(pub Vec<Issue>);

impl IssueList {
    pub fn single(file: &Path, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self(vec![Issue {
            file: file.to_path_buf(),
            line: 0,
            col: 0,
            key: String::new(),
            message: message.into(),
            hint: hint.into(),
        }])
    }

    pub(crate) fn from_toml(src: &Source, err: &toml::de::Error) -> Self {
        let (line, col) = err
            .span()
            .map(|s| line_col(&src.text, s.start))
            .unwrap_or((0, 0));
        let message = err.message().to_string();
        let lower = message.to_ascii_lowercase();
        let hint = if lower.contains("address")
            || lower.contains("prefix")
            || lower.contains("cidr")
        {
            "write addresses as IP:port (\"0.0.0.0:443\", \"[::]:443\") and networks as CIDR (\"10.0.0.0/8\", \"fd00::/8\")"
        } else if message.contains("unknown field") {
            "remove the key or fix its spelling; see docs/configuration.md for the keys each table accepts"
        } else if message.contains("missing field") {
            "add the required key"
        } else if message.contains("invalid type") || message.contains("invalid value") {
            "check the value's type and units (durations like \"30s\", sizes like \"10MiB\")"
        } else {
            "fix the TOML syntax at this position"
        };
        Self(vec![Issue {
            file: src.path.clone(),
            line,
            col,
            key: String::new(),
            message,
            hint: hint.into(),
        }])
    }

    pub(crate) fn resolve(src: &Source, pending: Vec<Pending>) -> Self {
        let doc = DeTable::parse(&src.text).ok();
        let issues = pending
            .into_iter()
            .map(|p| {
                let span = doc.as_ref().and_then(|d| span_of(d.get_ref(), &p.key));
                let (line, col) = span.map(|s| line_col(&src.text, s.start)).unwrap_or((0, 0));
                Issue {
                    file: src.path.clone(),
                    line,
                    col,
                    key: p.key,
                    message: p.message,
                    hint: p.hint,
                }
            })
            .collect();
        Self(issues)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.col)?;
        }
        write!(f, ": ")?;
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        write!(f, "{}", self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

impl fmt::Display for IssueList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for IssueList {}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before
        .get(line_start..)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

enum Seg<'k> {
    Key(&'k str),
    Index(usize),
}

/// Splits `route[2].upstream` into `route`, `[2]`, `upstream`.
fn segments(key: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Seg::Key(name));
        }
        while let Some(end) = rest.find(']') {
            if let Ok(i) = rest[1..end].parse() {
                out.push(Seg::Index(i));
            }
            rest = &rest[end + 1..];
        }
    }
    out
}

/// The span of the deepest part of `key` that exists in the document, so an issue about
/// a missing key still points at its table.
fn span_of(doc: &DeTable<'_>, key: &str) -> Option<Range<usize>> {
    let mut best = None;
    let mut table = Some(doc);
    let mut value: Option<&toml::Spanned<DeValue<'_>>> = None;
    for seg in segments(key) {
        let found = match seg {
            Seg::Key(name) => table
                .or_else(|| value.and_then(|v| v.get_ref().as_table()))
                .and_then(|t| t.iter().find(|(k, _)| k.get_ref().as_ref() == name))
                .map(|(k, v)| (k.span(), v)),
            Seg::Index(i) => value
                .and_then(|v| v.get_ref().as_array())
                .and_then(|a| a.get(i))
                .map(|v| (v.span(), v)),
        };
        let Some((span, v)) = found else { break };
        best = Some(span);
        value = Some(v);
        table = None;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_of_finds_nested_array_table_key() {
        let text = "[[route]]\nname = \"a\"\n\n[[route]]\nname = \"b\"\nupstream = \"x\"\n";
        let doc = DeTable::parse(text).expect("valid toml");
        let span = span_of(doc.get_ref(), "route[1].upstream").expect("found");
        assert_eq!(line_col(text, span.start), (6, 1));
    }

    #[test]
    fn span_of_falls_back_to_deepest_existing_key() {
        let text = "[server]\nmax_connections = 1\n";
        let doc = DeTable::parse(text).expect("valid toml");
        let span = span_of(doc.get_ref(), "server.nope").map(|s| line_col(text, s.start));
        assert_eq!(span, Some((1, 2)));
    }
}
