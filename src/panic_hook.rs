//! The process panic hook: one JSON record to stderr and to a last-gasp file, and a
//! process-wide panic counter that `/metrics` exposes as `rampart_panics_total`.
//!
//! Panics are caught where they happen (ractor catches actor panics with
//! `panic = "unwind"`; tokio catches connection-task panics), so the hook only records.
//! The message and location are JSON-escaped (control bytes included), so a panic
//! message carrying request bytes cannot forge log lines.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

static PANICS: AtomicU64 = AtomicU64::new(0);
static LAST_GASP: OnceLock<Mutex<Option<PathBuf>>> = OnceLock::new();

/// Environment variable overriding `server.last_gasp_file`.
pub const LAST_GASP_ENV: &str = "RAMPART_LAST_GASP";

/// Panics seen by this process.
pub fn count() -> u64 {
    PANICS.load(Ordering::Relaxed)
}

/// Brings a registry counter up to the process count (called when metrics are rendered).
pub fn sync_counter(c: &prometheus::IntCounter) {
    let seen = count();
    let have = c.get();
    if seen > have {
        c.inc_by(seen - have);
    }
}

/// Sets where the last-gasp record goes; the environment variable wins.
pub fn set_last_gasp_file(path: Option<PathBuf>) {
    let path = std::env::var_os(LAST_GASP_ENV).map(PathBuf::from).or(path);
    let slot = LAST_GASP.get_or_init(|| Mutex::new(None));
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = path;
}

/// Installs the hook once per process; later calls do nothing.
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            PANICS.fetch_add(1, Ordering::Relaxed);
            let record = record(info);
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{record}");
            let path = LAST_GASP
                .get()
                .and_then(|m| m.lock().ok().and_then(|g| g.clone()));
            if let Some(path) = path
                && let Ok(mut f) = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
            {
                let _ = writeln!(f, "{record}");
            }
        }));
    });
}

fn record(info: &std::panic::PanicHookInfo<'_>) -> String {
    let msg = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into());
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
    let thread = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_string();
    let ts = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    // serde_json escapes every control byte (\u0000-\u001f) and quotes.
    serde_json::json!({
        "kind": "panic",
        "ts": ts,
        "pid": std::process::id(),
        "thread": thread,
        "message": msg,
        "location": location,
        "panics_total": count(),
    })
    .to_string()
}
