//! The record format (DESIGN §6): byte layout, MAC, genesis, timestamps, checkpoints.
//!
//! One record is one line:
//! ```text
//! {"v":1,"seq":N,"ts":"YYYY-MM-DDTHH:MM:SS.ffffffZ","node":"NODE","kind":"KIND"[,FIELDS],"prev":"HEX64","mac":"HEX64"}\n
//! ```
//! `mac` = HMAC-SHA256(key, every byte before `,"mac"`), lowercase hex. There is no
//! canonicalisation: the writer produces these bytes once and the verifier checks them
//! as they are, so [`parse_line`] only frames a line (fixed prefix, fixed-width suffix)
//! and never needs a JSON parser on the hot path.
//!
//! Must not: do I/O, or panic on any input bytes (the verifier feeds it raw files).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::Mac;

use crate::key::HmacSha256;

/// Every record starts with these bytes (format version 1).
pub const RECORD_PREFIX: &[u8] = br#"{"v":1,"seq":"#;
/// Genesis input prefix: the first record of a log has
/// `prev = HMAC(key, "rampart-audit-v1|" + log_id)`.
pub const GENESIS_PREFIX: &str = "rampart-audit-v1|";
/// Ed25519 domain of checkpoint signatures (see `rampart_protocol::signed_message`).
pub const CHECKPOINT_DOMAIN: &[u8] = b"rampart/audit/checkpoint/v1";
/// Longest record (without its newline) the writer emits and the verifier accepts.
pub const MAX_RECORD: usize = 1 << 20;

/// `,"prev":"` + 64 hex + `"`.
const PREV_LEN: usize = 9 + 64 + 1;
/// `,"mac":"` + 64 hex + `"}`.
const MAC_LEN: usize = 8 + 64 + 2;
/// Width of a timestamp: `2024-01-02T03:04:05.123456Z`.
pub(crate) const TS_LEN: usize = 27;
/// Latest timestamp the writer emits (keeps the year at four digits).
const MAX_TS_SECS: u64 = 253_402_300_799; // 9999-12-31T23:59:59Z

/// A record split into its parts; borrowed from the line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Framed<'a> {
    pub seq: u64,
    pub ts: &'a [u8],
    pub kind: &'a [u8],
    /// The bytes before `,"mac"`: the MAC input.
    pub signed: &'a [u8],
    /// `"kind":...` up to (not including) `,"prev"`; a JSON object body once wrapped in `{}`.
    pub body: &'a [u8],
    pub prev: &'a [u8],
    pub mac: &'a [u8],
}

/// HMAC of `bytes` as lowercase hex.
pub(crate) fn mac_hex(key: &HmacSha256, bytes: &[u8]) -> [u8; 64] {
    let mut mac = key.clone();
    mac.update(bytes);
    let tag = mac.finalize().into_bytes();
    let mut out = [0u8; 64];
    // Infallible: 32 bytes always fit 64 hex digits.
    let _ = hex::encode_to_slice(tag, &mut out);
    out
}

/// `prev` of the first record of log `log_id`.
pub(crate) fn genesis(key: &HmacSha256, log_id: &str) -> [u8; 64] {
    let mut input = Vec::with_capacity(GENESIS_PREFIX.len() + log_id.len());
    input.extend_from_slice(GENESIS_PREFIX.as_bytes());
    input.extend_from_slice(log_id.as_bytes());
    mac_hex(key, &input)
}

/// The message a checkpoint signs: `"<log>|<head_seq>|<head>"` (UTF-8, decimal seq,
/// lowercase hex head), under [`CHECKPOINT_DOMAIN`].
pub fn checkpoint_message(log: &str, head_seq: u64, head: &str) -> Vec<u8> {
    format!("{log}|{head_seq}|{head}").into_bytes()
}

/// Node names are written into records unescaped, so they are restricted.
pub fn is_valid_node(node: &str) -> bool {
    (1..=128).contains(&node.len())
        && node
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Appends one complete record (with its newline) to `out`; returns its MAC (hex).
/// `body` is `"kind":"..."` plus `,field...`, i.e. a serialised event without braces.
/// `node` must satisfy [`is_valid_node`] and `ts` come from [`format_ts`].
pub(crate) fn encode_record(
    out: &mut Vec<u8>,
    key: &HmacSha256,
    seq: u64,
    ts: &str,
    node: &str,
    body: &[u8],
    prev: &[u8; 64],
) -> [u8; 64] {
    let start = out.len();
    out.extend_from_slice(RECORD_PREFIX);
    out.extend_from_slice(seq.to_string().as_bytes());
    out.extend_from_slice(br#","ts":""#);
    out.extend_from_slice(ts.as_bytes());
    out.extend_from_slice(br#"","node":""#);
    out.extend_from_slice(node.as_bytes());
    out.extend_from_slice(br#"","#);
    out.extend_from_slice(body);
    out.extend_from_slice(br#","prev":""#);
    out.extend_from_slice(prev);
    out.push(b'"');
    let mac = mac_hex(key, &out[start..]);
    out.extend_from_slice(br#","mac":""#);
    out.extend_from_slice(&mac);
    out.extend_from_slice(b"\"}\n");
    mac
}

/// Splits a line (without its `\n`) into its parts, checking the fixed framing only.
/// The error is a short human reason.
pub(crate) fn parse_line(line: &[u8]) -> Result<Framed<'_>, &'static str> {
    if line.len() > MAX_RECORD {
        return Err("record longer than 1 MiB");
    }
    let rest = line
        .strip_prefix(RECORD_PREFIX)
        .ok_or("does not start with {\"v\":1,\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let seq = parse_seq(rest.get(..digits).unwrap_or_default()).ok_or("bad seq")?;
    let rest = rest
        .get(digits..)
        .and_then(|r| r.strip_prefix(br#","ts":""#))
        .ok_or("missing ts")?;
    let ts = rest.get(..TS_LEN).ok_or("short ts")?;
    if !is_ts_shape(ts) {
        return Err("ts is not YYYY-MM-DDTHH:MM:SS.ffffffZ");
    }
    let rest = rest
        .get(TS_LEN..)
        .and_then(|r| r.strip_prefix(br#"","node":""#))
        .ok_or("missing node")?;
    let node_len = rest.iter().take_while(|&&b| b != b'"').count();
    let rest = rest.get(node_len..).unwrap_or_default();
    let body = rest.strip_prefix(b"\",").ok_or("bad node")?;
    let after_kind = body.strip_prefix(br#""kind":""#).ok_or("missing kind")?;
    let kind_len = after_kind.iter().take_while(|&&b| b != b'"').count();
    let kind = after_kind.get(..kind_len).unwrap_or_default();
    if kind.is_empty() || !kind.iter().all(|b| b.is_ascii_lowercase() || *b == b'_') {
        return Err("bad kind");
    }
    let body_start = line.len() - body.len();
    let suffix_len = PREV_LEN + MAC_LEN;
    if line.len() < body_start + 8 + kind_len + 1 + suffix_len {
        return Err("missing prev/mac");
    }
    let mac_at = line.len() - MAC_LEN;
    let prev_at = mac_at - PREV_LEN;
    let prev_field = &line[prev_at..mac_at];
    let mac_field = &line[mac_at..];
    let prev = prev_field
        .strip_prefix(br#","prev":""#)
        .and_then(|p| p.strip_suffix(b"\""))
        .filter(|p| is_lower_hex(p))
        .ok_or("bad prev field")?;
    let mac = mac_field
        .strip_prefix(br#","mac":""#)
        .and_then(|m| m.strip_suffix(b"\"}"))
        .filter(|m| is_lower_hex(m))
        .ok_or("bad mac field")?;
    let body = &line[body_start..prev_at];
    // Between the kind's closing quote and `,"prev"`: nothing, or `,fields`.
    let fields = body.get(8 + kind_len + 1..).ok_or("bad kind")?;
    if !(fields.is_empty() || fields.first() == Some(&b',')) {
        return Err("bad fields");
    }
    Ok(Framed {
        seq,
        ts,
        kind,
        signed: &line[..mac_at],
        body,
        prev,
        mac,
    })
}

fn parse_seq(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

fn is_lower_hex(b: &[u8]) -> bool {
    b.len() == 64 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_ts_shape(ts: &[u8]) -> bool {
    const SHAPE: &[u8; TS_LEN] = b"dddd-dd-ddTdd:dd:dd.ddddddZ";
    ts.len() == TS_LEN
        && ts.iter().zip(SHAPE).all(|(c, s)| match s {
            b'd' => c.is_ascii_digit(),
            s => c == s,
        })
}

/// Clamps a clock reading into what a record can carry (1970..=9999).
pub(crate) fn clamp_time(t: SystemTime) -> SystemTime {
    let max = UNIX_EPOCH + Duration::from_secs(MAX_TS_SECS);
    t.clamp(UNIX_EPOCH, max)
}

/// RFC 3339 UTC with microseconds, always [`TS_LEN`] bytes; the time is clamped first.
pub(crate) fn format_ts(t: SystemTime) -> String {
    humantime::format_rfc3339_micros(clamp_time(t)).to_string()
}

/// Parses a timestamp written by [`format_ts`].
pub(crate) fn parse_ts(ts: &[u8]) -> Option<SystemTime> {
    let text = std::str::from_utf8(ts).ok()?;
    humantime::parse_rfc3339(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::AuditKey;
    use proptest::prelude::*;

    fn key() -> HmacSha256 {
        AuditKey::from_bytes(vec![0x11; 32], "t").unwrap().hmac()
    }

    #[test]
    fn encode_then_parse_gives_back_the_parts() {
        let k = key();
        let mut buf = Vec::new();
        let prev = genesis(&k, "0123456789abcdef");
        let ts = format_ts(UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456));
        let mac = encode_record(
            &mut buf,
            &k,
            42,
            &ts,
            "node-1",
            br#""kind":"shutdown","reason":"x""#,
            &prev,
        );
        assert_eq!(buf.last(), Some(&b'\n'));
        let line = &buf[..buf.len() - 1];
        let f = parse_line(line).unwrap();
        assert_eq!(f.seq, 42);
        assert_eq!(f.ts, ts.as_bytes());
        assert_eq!(f.kind, b"shutdown");
        assert_eq!(f.prev, &prev[..]);
        assert_eq!(f.mac, &mac[..]);
        assert_eq!(mac_hex(&k, f.signed), mac);
        assert_eq!(f.body, br#""kind":"shutdown","reason":"x""#);
        assert!(serde_json::from_slice::<serde_json::Value>(line).is_ok());
    }

    #[test]
    fn format_ts_is_fixed_width_and_clamped() {
        assert_eq!(format_ts(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let before = UNIX_EPOCH - Duration::from_secs(5);
        assert_eq!(format_ts(before), "1970-01-01T00:00:00.000000Z");
        let far = UNIX_EPOCH + Duration::from_secs(MAX_TS_SECS * 2);
        assert_eq!(format_ts(far), "9999-12-31T23:59:59.000000Z");
        let ts = format_ts(SystemTime::now());
        assert_eq!(ts.len(), TS_LEN);
        assert_eq!(parse_ts(ts.as_bytes()).map(format_ts), Some(ts));
    }

    #[test]
    fn parse_seq_rejects_leading_zero_and_overflow() {
        assert_eq!(parse_seq(b"0"), Some(0));
        assert_eq!(parse_seq(b"007"), None);
        assert_eq!(parse_seq(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_seq(b"18446744073709551616"), None);
    }

    /// The worked example of docs/audit.md, computed here so the document stays true.
    fn worked_example() -> (String, String, String) {
        let key = AuditKey::from_bytes((0u8..32).collect(), "docs")
            .unwrap()
            .hmac();
        let log = "0123456789abcdef";
        let genesis = genesis(&key, log);
        let ts = "2026-01-01T00:00:00.000000Z";
        let mut buf = Vec::new();
        let mac = encode_record(
            &mut buf,
            &key,
            0,
            ts,
            "node-a",
            br#""kind":"segment_start","log":"0123456789abcdef","segment":0"#,
            &genesis,
        );
        let body = br#""kind":"request_blocked","client_ip":"192.0.2.7","method":"GET","path":"/login?user=bob&password=<redacted:7>","request_id":"req-1","reason":"waf:sqli","status":400"#;
        let mac = encode_record(
            &mut buf,
            &key,
            1,
            "2026-01-01T00:00:01.500000Z",
            "node-a",
            body,
            &mac,
        );
        let node_key = rampart_protocol::NodeKey::from_seed(&[0x42; 32]);
        let head = std::str::from_utf8(&mac).unwrap();
        let sig = hex::encode(node_key.sign(CHECKPOINT_DOMAIN, &checkpoint_message(log, 1, head)));
        let cp = format!(
            r#""kind":"checkpoint","log":"{log}","head_seq":1,"head":"{head}","pubkey":"{}","sig":"{sig}""#,
            node_key.id()
        );
        encode_record(
            &mut buf,
            &key,
            2,
            "2026-01-01T00:00:02.000000Z",
            "node-a",
            cp.as_bytes(),
            &mac,
        );
        let text = String::from_utf8(buf).unwrap();
        (
            String::from_utf8(genesis.to_vec()).unwrap(),
            text,
            String::from_utf8(mac.to_vec()).unwrap(),
        )
    }

    #[test]
    fn worked_example_in_docs_is_true() {
        let (genesis, records, _) = worked_example();
        let doc_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/audit.md");
        let doc = std::fs::read_to_string(doc_path).unwrap();
        assert!(
            doc.contains(&genesis),
            "docs/audit.md lacks genesis {genesis}"
        );
        for line in records.lines() {
            assert!(doc.contains(line), "docs/audit.md lacks record:\n{line}");
            let f = parse_line(line.as_bytes()).unwrap();
            let mac = std::str::from_utf8(f.mac).unwrap();
            let mac_line = format!("mac = {mac}");
            assert!(doc.contains(&mac_line), "docs/audit.md lacks `{mac_line}`");
        }
        let key = AuditKey::from_bytes((0u8..32).collect(), "docs").unwrap();
        let pubkey = rampart_protocol::NodeKey::from_seed(&[0x42; 32]).verifying_key();
        let opts = crate::verify::VerifyOptions {
            key: Some(&key),
            pubkey: Some(&pubkey),
            ..Default::default()
        };
        let report = crate::verify::verify_bytes("example", records.as_bytes(), &opts);
        assert!(report.is_ok(), "{}", report.render());
        assert_eq!((report.checkpoints, report.unanchored), (1, 0));
    }

    #[test]
    #[ignore = "prints the docs example: cargo test -p rampart-audit print_worked_example -- --ignored --nocapture"]
    fn print_worked_example() {
        let (genesis, records, _) = worked_example();
        println!("genesis {genesis}\n{records}");
        for line in records.lines() {
            let f = parse_line(line.as_bytes()).unwrap();
            println!(
                "signed={}\nmac = {}",
                String::from_utf8_lossy(f.signed),
                String::from_utf8_lossy(f.mac)
            );
        }
    }

    proptest! {
        #[test]
        fn parse_line_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_line(&bytes);
        }

        #[test]
        fn parse_line_never_panics_near_valid(cut in 0usize..300, byte in any::<u8>(), at in 0usize..300) {
            let k = key();
            let mut buf = Vec::new();
            encode_record(&mut buf, &k, 1, &format_ts(UNIX_EPOCH), "n", br#""kind":"shutdown""#, &[b'a'; 64]);
            buf.pop();
            if at < buf.len() { buf[at] = byte; }
            buf.truncate(cut.min(buf.len()));
            let _ = parse_line(&buf);
        }
    }
}
