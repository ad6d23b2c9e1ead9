//! Offline corpus evaluator: runs the engine (balanced profile unless `--strict`)
//! over a JSON-lines corpus in the format of shared/waf-corpus/dev.jsonl and prints
//! TPR / FPR per class plus the misclassified ids.
//!
//! cargo run -p rampart-waf --example corpus_eval --release -- dev.jsonl [--strict] [--show-fn CLASS|all] [--show-fp] [--gateway-path-rules]
//!
//! A record counts as blocked when the engine denies with 400/403 (413/415 are
//! passes, as for replay.py). Records whose raw URI has `"`, `<` or `>` are also
//! counted separately: hyper refuses them before any WAF runs. With
//! `--gateway-path-rules`, FNs whose raw path the gateway refuses as non-canonical
//! (400 before the WAF) are counted there too, giving an end-to-end estimate.

use std::collections::BTreeMap;
use std::io::BufRead;

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use rampart_waf::{BodyScanner, Mode, Profile, ProfileConfig, RequestHead, Verdict, inspect_head};

fn main() -> anyhow_free::Result {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args
        .iter()
        .find(|a| !a.starts_with("--") && !is_opt_value(&args, a))
    else {
        eprintln!(
            "usage: corpus_eval FILE.jsonl [--strict] [--show-fn CLASS|all] [--show-fp] [--gateway-path-rules]"
        );
        std::process::exit(2);
    };
    let strict = args.iter().any(|a| a == "--strict");
    let show_fn = args
        .iter()
        .position(|a| a == "--show-fn")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let show_fp = args.iter().any(|a| a == "--show-fp");
    let path_rules = args.iter().any(|a| a == "--gateway-path-rules");
    let cfg = ProfileConfig {
        mode: if strict { Mode::Strict } else { Mode::Balanced },
        ..ProfileConfig::default()
    };
    let profile = Profile::compile("eval", &cfg).map_err(|e| e.to_string())?;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // class -> (blocked, total, hyper_refused)
    let mut block: BTreeMap<String, (u32, u32, u32)> = BTreeMap::new();
    let mut allow = (0u32, 0u32);
    let mut by_id: BTreeMap<&'static str, u32> = BTreeMap::new();
    let started = std::time::Instant::now();
    let mut bytes = 0usize;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        let id = rec["id"].as_str().unwrap_or("?").to_owned();
        let class = rec["class"].as_str().unwrap_or("?").to_owned();
        let expect_block = rec["expect"].as_str() == Some("block");
        let uri = rec["uri"].as_str().unwrap_or("/");
        bytes += line.len();
        let verdict = run(&profile, &rec);
        let blocked = matches!(&verdict, Verdict::Deny(d) if d.status == 400 || d.status == 403);
        let hyper_refuses = uri.bytes().any(|b| b == b'"' || b == b'<' || b == b'>')
            || (path_rules && gateway_refuses_path(uri));
        let det = verdict
            .detection()
            .map(|d| format!("{} @{}:{:?}", d.id, d.location.kind(), d.location))
            .unwrap_or_default();
        if let Some(d) = verdict.detection() {
            *by_id.entry(d.id).or_default() += 1;
        }
        if expect_block {
            let e = block.entry(class.clone()).or_default();
            e.1 += 1;
            if blocked {
                e.0 += 1;
            } else {
                if hyper_refuses {
                    e.2 += 1;
                }
                if show_fn.as_deref().is_some_and(|c| c == "all" || c == class) {
                    println!(
                        "FN {id} {}{} {}",
                        trunc(uri, 200),
                        extra_headers(&rec),
                        trunc(rec["body"].as_str().unwrap_or(""), 200)
                    );
                }
            }
        } else {
            allow.1 += 1;
            if blocked {
                allow.0 += 1;
                if show_fp {
                    println!(
                        "FP {id} [{det}] {} {}",
                        trunc(uri, 160),
                        trunc(rec["body"].as_str().unwrap_or(""), 200)
                    );
                }
            }
        }
    }
    let elapsed = started.elapsed();
    println!(
        "\n{:<10} {:>8} {:>8} {:>8}  {}",
        "class",
        "blocked",
        "total",
        "TPR",
        if path_rules {
            "(+FNs refused by hyper or the gateway path rule)"
        } else {
            "(+hyper-refused FNs)"
        }
    );
    let (mut tb, mut tt, mut th) = (0, 0, 0);
    for (c, (b, t, h)) in &block {
        println!(
            "{:<10} {:>8} {:>8} {:>7.1}%  (+{h})",
            c,
            b,
            t,
            100.0 * f64::from(*b) / f64::from(*t)
        );
        tb += b;
        tt += t;
        th += h;
    }
    println!(
        "{:<10} {:>8} {:>8} {:>7.1}%  (+{th} => {:.1}% end to end)",
        "ALL",
        tb,
        tt,
        100.0 * f64::from(tb) / f64::from(tt),
        100.0 * f64::from(tb + th) / f64::from(tt)
    );
    println!(
        "{:<10} {:>8} {:>8} {:>7.2}%  FPR",
        "benign",
        allow.0,
        allow.1,
        100.0 * f64::from(allow.0) / f64::from(allow.1.max(1))
    );
    println!("\ndetections by id: {by_id:?}");
    println!(
        "engine time {:.2?} for {} records ({:.1} MB of JSON lines)",
        elapsed,
        tt + allow.1,
        bytes as f64 / 1e6
    );
    Ok(())
}

/// Headers worth showing next to a miss (the usual test-agent set is left out).
fn extra_headers(rec: &serde_json::Value) -> String {
    const USUAL: &[&str] = &[
        "host",
        "user-agent",
        "accept",
        "accept-encoding",
        "accept-language",
        "content-type",
        "connection",
    ];
    let mut out = String::new();
    if let Some(h) = rec["headers"].as_object() {
        for (k, v) in h {
            let v = v.as_str().unwrap_or("");
            let usual = USUAL.contains(&k.to_ascii_lowercase().as_str());
            if !usual || (k.eq_ignore_ascii_case("user-agent") && !v.starts_with("OWASP CRS")) {
                out.push_str(&format!(" [{k}: {}]", trunc(v, 120)));
            }
        }
    }
    out
}

/// The gateway's pre-WAF path rule (400 for non-canonical paths): a `.` / `..`
/// segment raw or percent-encoded, `%2F` / `%5C`, a raw backslash, `%00`-`%1F` /
/// `%7F`, or a malformed `%` escape in the raw path (before `?`).
fn gateway_refuses_path(uri: &str) -> bool {
    let path = uri.split_once('?').map_or(uri, |(p, _)| p).as_bytes();
    let mut i = 0;
    while i < path.len() {
        match path[i] {
            b'\\' => return true,
            b'%' => {
                let hex = |b: Option<&u8>| b.and_then(|c| (*c as char).to_digit(16));
                let (Some(h), Some(l)) = (hex(path.get(i + 1)), hex(path.get(i + 2))) else {
                    return true;
                };
                let v = h * 16 + l;
                if v < 0x20 || v == 0x7f || v == 0x2f || v == 0x5c {
                    return true;
                }
                i += 3;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // dot segments, with `%2e` decoded
    let lower = String::from_utf8_lossy(path)
        .to_ascii_lowercase()
        .replace("%2e", ".");
    lower
        .split('/')
        .skip(1)
        .any(|seg| seg == "." || seg == "..")
}

fn is_opt_value(args: &[String], a: &String) -> bool {
    args.windows(2).any(|w| w[0] == "--show-fn" && &w[1] == a)
}

fn trunc(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out.replace('\n', "\\n").replace('\r', "\\r")
}

fn run(profile: &Profile, rec: &serde_json::Value) -> Verdict {
    let method = Method::from_bytes(rec["method"].as_str().unwrap_or("GET").as_bytes())
        .unwrap_or(Method::GET);
    let uri = rec["uri"].as_str().unwrap_or("/");
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    };
    let body = rec["body"].as_str();
    let mut headers = HeaderMap::new();
    let mut has_te = false;
    if let Some(h) = rec["headers"].as_object() {
        for (k, v) in h {
            let Some(v) = v.as_str() else { continue };
            if k.eq_ignore_ascii_case("content-length") {
                continue;
            }
            has_te |= k.eq_ignore_ascii_case("transfer-encoding");
            if let (Ok(n), Ok(val)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_bytes(v.as_bytes()),
            ) {
                headers.append(n, val);
            }
        }
    }
    let needs_cl = body.is_some() || matches!(method.as_str(), "POST" | "PUT" | "PATCH");
    if needs_cl && !has_te {
        headers.insert(
            http::header::CONTENT_LENGTH,
            HeaderValue::from(body.map_or(0, str::len)),
        );
    }
    if body.is_some() && !headers.contains_key(http::header::CONTENT_TYPE) {
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
    }
    let head = RequestHead {
        method: &method,
        path,
        query,
        headers: &headers,
        route: "eval",
    };
    let v = inspect_head(profile, &head);
    if v != Verdict::Allow {
        return v;
    }
    let Some(body) = body else { return v };
    let mut scanner = match BodyScanner::new(profile, &head) {
        Ok(s) => s,
        Err(v) => return v,
    };
    if let Some(v) = scanner.feed(body.as_bytes()) {
        return v;
    }
    scanner.finish(body.as_bytes())
}

/// Keeps the example free of anyhow (not a dependency of this crate).
mod anyhow_free {
    pub type Result = std::result::Result<(), String>;
}
