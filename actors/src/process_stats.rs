//! Process statistics read from `/proc/self` (Linux). Pure parsing plus one read per
//! file; no unsafe (`sysconf` is avoided: /proc reports CPU times in USER_HZ, which the
//! kernel ABI fixes at 100 on every architecture Rampart targets).

use std::fs;

/// Clock ticks per second used by `/proc/<pid>/stat` (USER_HZ).
const USER_HZ: f64 = 100.0;

/// One sample of the process's own statistics; fields are `None` when unreadable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcessSample {
    /// Resident set size in bytes.
    pub resident_bytes: Option<u64>,
    /// Number of open file descriptors.
    pub open_fds: Option<u64>,
    /// User + system CPU seconds.
    pub cpu_seconds: Option<f64>,
    /// Seconds since the process started.
    pub uptime_seconds: Option<f64>,
}

/// Reads a sample now. Never fails: missing files leave fields at `None`.
pub fn sample() -> ProcessSample {
    let status = fs::read_to_string("/proc/self/status").ok();
    let stat = fs::read_to_string("/proc/self/stat").ok();
    let system_uptime = fs::read_to_string("/proc/uptime").ok().and_then(|s| {
        s.split_whitespace()
            .next()
            .and_then(|v| v.parse::<f64>().ok())
    });
    let stat_fields = stat.as_deref().and_then(parse_stat);
    ProcessSample {
        resident_bytes: status.as_deref().and_then(parse_vm_rss),
        open_fds: fs::read_dir("/proc/self/fd").ok().map(|d| d.count() as u64),
        cpu_seconds: stat_fields.map(|s| (s.utime + s.stime) as f64 / USER_HZ),
        uptime_seconds: match (stat_fields, system_uptime) {
            (Some(s), Some(up)) => Some((up - s.starttime as f64 / USER_HZ).max(0.0)),
            _ => None,
        },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StatFields {
    utime: u64,
    stime: u64,
    starttime: u64,
}

/// `VmRSS:   1234 kB` -> bytes.
fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Fields 14, 15 and 22 of proc(5) `stat`. The command name (field 2) may contain
/// spaces and parentheses, so counting starts after its last `)`.
fn parse_stat(stat: &str) -> Option<StatFields> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state), so field N is index N - 3.
    Some(StatFields {
        utime: f.get(11)?.parse().ok()?,
        stime: f.get(12)?.parse().ok()?,
        starttime: f.get(19)?.parse().ok()?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn parse_stat_handles_spaces_in_command_name() {
        let line = "42 (my (odd) cmd) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 1000 \
                    123456 789 18446744073709551615";
        let f = parse_stat(line).expect("parse");
        assert_eq!((f.utime, f.stime, f.starttime), (250, 50, 1000));
    }

    #[test]
    fn parse_vm_rss_converts_kib_to_bytes() {
        assert_eq!(
            parse_vm_rss("Name:\tx\nVmRSS:\t  2048 kB\n"),
            Some(2048 * 1024)
        );
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }

    #[test]
    fn sample_reads_own_process() {
        let s = sample();
        assert!(s.resident_bytes.unwrap_or(0) > 0);
        assert!(s.open_fds.unwrap_or(0) > 0);
        assert!(s.cpu_seconds.is_some());
        assert!(s.uptime_seconds.is_some());
    }
}
