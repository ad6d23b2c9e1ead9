//! Score-equivalence dump: splits every record of a corpus in the format of
//! shared/waf-corpus/dev.jsonl into the values the engine scans (path, query and
//! form names and values, header values, JSON keys and strings, the whole body)
//! and prints one line per value with its per-class scores. Run it before and
//! after a change meant to make the engine faster without changing what it finds,
//! and `cmp` the two outputs:
//!
//! cargo run -p rampart-waf --example score_dump --release -- dev.jsonl > /tmp/before.txt
//!
//! The output holds the corpus' payloads: write it outside the repository.

use std::io::{BufRead, Write};

use rampart_waf::fuzzing::{
    JsonItem, JsonLimits, Scanner, for_each_urlencoded_pair, scan_scores, walk_json,
};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: score_dump FILE.jsonl");
        std::process::exit(2);
    };
    let scanner = match Scanner::new() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let (mut n, started) = (0usize, std::time::Instant::now());
    let mut emit = |id: &str, field: &str, v: &[u8]| {
        n += 1;
        let s = scan_scores(&scanner, field, v);
        let _ = writeln!(out, "{id}\t{field}\t{}\t{s:?}", v.len());
    };
    for line in std::io::BufReader::new(file).lines() {
        let Ok(line) = line else { break };
        let Ok(rec) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let id = rec["id"].as_str().unwrap_or("?").to_owned();
        let uri = rec["uri"].as_str().unwrap_or("/");
        let (p, q) = uri.split_once('?').unwrap_or((uri, ""));
        emit(&id, "path", &pct(p.as_bytes(), false));
        for_each_urlencoded_pair(q.as_bytes(), &mut |k, v| {
            emit(&id, "name", k);
            emit(&id, "value", v);
            true
        });
        if let Some(h) = rec["headers"].as_object() {
            for (k, v) in h {
                let field = match k.to_ascii_lowercase().as_str() {
                    "referer" | "origin" => "url-header",
                    "user-agent" => "user-agent",
                    _ => "header",
                };
                emit(&id, field, v.as_str().unwrap_or("").as_bytes());
            }
        }
        let body = rec["body"].as_str().unwrap_or("");
        if !body.is_empty() {
            emit(&id, "body", body.as_bytes());
            for_each_urlencoded_pair(body.as_bytes(), &mut |k, v| {
                emit(&id, "name", k);
                emit(&id, "value", v);
                true
            });
            let limits = JsonLimits {
                max_depth: 64,
                max_string_bytes: 1 << 20,
                max_elements: 100_000,
            };
            let mut items = Vec::new();
            let _ = walk_json(body.as_bytes(), &limits, &mut |item, _| {
                items.push(match item {
                    JsonItem::Key(k) => ("name", k.as_bytes().to_vec()),
                    JsonItem::Str(v) => ("value", v.as_bytes().to_vec()),
                });
                true
            });
            for (f, v) in items {
                emit(&id, f, &v);
            }
        }
    }
    eprintln!("{n} values in {:.2?}", started.elapsed());
}

/// Percent-decodes once (`+` stays unless `plus`).
fn pct(s: &[u8], plus: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match s[i] {
            b'%' if i + 2 < s.len() => {
                if let (Some(h), Some(l)) = (hex(s[i + 1]), hex(s[i + 2])) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' if plus => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}
