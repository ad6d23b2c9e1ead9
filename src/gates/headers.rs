//! Header rewriting on the way in and out: hop-by-hop removal (RFC 9110 §7.6.1, including
//! names listed in `Connection`), `X-Forwarded-For` per `xff_mode`, `X-Forwarded-Proto`,
//! `X-Request-ID` (kept when well-formed, generated otherwise, echoed), W3C `traceparent`
//! (validated; a malformed one is replaced and counted), the client-certificate
//! fingerprint (any inbound copy stripped), and response security headers.

use std::net::IpAddr;

use http::{HeaderMap, HeaderName, HeaderValue, header};
use rand::RngExt;

use crate::config::XffMode;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
pub const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
pub const CLIENT_CERT_FP: HeaderName = HeaderName::from_static("x-client-cert-fingerprint");

const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
];

/// Removes hop-by-hop headers and every header named in `Connection`. `Upgrade` is
/// removed too unless `keep_upgrade` (a WebSocket handshake being forwarded).
pub fn strip_hop_by_hop(h: &mut HeaderMap, keep_upgrade: bool) {
    let named: Vec<HeaderName> = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        if keep_upgrade && n == header::UPGRADE {
            continue;
        }
        h.remove(n);
    }
    for n in HOP_BY_HOP.iter() {
        h.remove(n);
    }
    if keep_upgrade {
        h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    } else {
        h.remove(header::UPGRADE);
    }
}

/// Sets `X-Forwarded-For` for the upstream.
pub fn forwarded_for(h: &mut HeaderMap, mode: XffMode, peer: IpAddr, client: IpAddr) {
    match mode {
        XffMode::Drop => {
            h.remove(X_FORWARDED_FOR);
        }
        XffMode::Rewrite => {
            if let Ok(v) = HeaderValue::from_str(&client.to_string()) {
                h.insert(X_FORWARDED_FOR, v);
            }
        }
        XffMode::Append => {
            let prior: Vec<&str> = h
                .get_all(X_FORWARDED_FOR)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            let joined = if prior.is_empty() {
                peer.to_string()
            } else {
                format!("{}, {peer}", prior.join(", "))
            };
            if let Ok(v) = HeaderValue::from_str(&joined) {
                h.insert(X_FORWARDED_FOR, v);
            } else {
                h.remove(X_FORWARDED_FOR);
            }
        }
    }
}

fn random_hex<const N: usize>() -> String {
    let bytes: [u8; N] = rand::rng().random();
    hex::encode(bytes)
}

/// Keeps a client's request id when it is 1..=128 visible, safe characters; otherwise
/// generates 128 random bits as 32 hex digits. Returns the id in use.
pub fn request_id(h: &mut HeaderMap) -> HeaderValue {
    let ok = h.get(X_REQUEST_ID).filter(|v| {
        let b = v.as_bytes();
        !b.is_empty()
            && b.len() <= 128
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(c))
    });
    if let Some(v) = ok {
        return v.clone();
    }
    let v = HeaderValue::from_str(&random_hex::<16>()).unwrap_or(HeaderValue::from_static("0"));
    h.insert(X_REQUEST_ID, v.clone());
    v
}

/// W3C Trace Context `traceparent` (version 00): `00-<32 hex>-<16 hex>-<2 hex>`, lower
/// case, trace id and parent id not all zero.
pub fn traceparent_valid(v: &[u8]) -> bool {
    if v.len() != 55 || &v[..3] != b"00-" || v[35] != b'-' || v[52] != b'-' {
        return false;
    }
    let lhex = |s: &[u8]| {
        s.iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
    };
    let nonzero = |s: &[u8]| s.iter().any(|c| *c != b'0');
    let (trace, parent, flags) = (&v[3..35], &v[36..52], &v[53..55]);
    lhex(trace) && lhex(parent) && lhex(flags) && nonzero(trace) && nonzero(parent)
}

/// Validates an inbound `traceparent`. Returns (trace id, replaced): a valid header is
/// kept and its trace id returned; an invalid one (or several) is replaced by a fresh
/// one and `replaced` is true (counted by the caller); an absent one stays absent, so
/// the upstream's tracer decides whether to start a trace.
pub fn traceparent(h: &mut HeaderMap) -> (Option<String>, bool) {
    let Some(v) = h.get(TRACEPARENT) else {
        return (None, false);
    };
    if h.get_all(TRACEPARENT).iter().count() == 1 && traceparent_valid(v.as_bytes()) {
        return (
            Some(String::from_utf8_lossy(&v.as_bytes()[3..35]).into_owned()),
            false,
        );
    }
    let trace = random_hex::<16>();
    let value = format!("00-{trace}-{}-01", random_hex::<8>());
    match HeaderValue::from_str(&value) {
        Ok(v) => {
            h.insert(TRACEPARENT, v);
            (Some(trace), true)
        }
        Err(_) => {
            h.remove(TRACEPARENT);
            (None, true)
        }
    }
}

/// Response headers every answer carries (set only where the upstream did not).
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    pub hsts: Option<HeaderValue>,
    pub frame_options: Option<HeaderValue>,
    pub referrer_policy: Option<HeaderValue>,
}

impl SecurityHeaders {
    pub fn apply(&self, h: &mut HeaderMap, tls: bool) {
        h.remove(header::SERVER);
        h.entry(header::X_CONTENT_TYPE_OPTIONS)
            .or_insert(HeaderValue::from_static("nosniff"));
        if let Some(v) = &self.frame_options {
            h.entry(header::X_FRAME_OPTIONS).or_insert(v.clone());
        }
        if let Some(v) = &self.referrer_policy {
            h.entry(header::REFERRER_POLICY).or_insert(v.clone());
        }
        if tls && let Some(v) = &self.hsts {
            h.entry(header::STRICT_TRANSPORT_SECURITY)
                .or_insert(v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_and_connection_named_headers_removed() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            "keep-alive, x-secret".parse().expect("v"),
        );
        h.insert("x-secret", "1".parse().expect("v"));
        h.insert("keep-alive", "timeout=5".parse().expect("v"));
        h.insert(header::TE, "trailers".parse().expect("v"));
        h.insert("x-kept", "1".parse().expect("v"));
        strip_hop_by_hop(&mut h, false);
        assert!(
            h.get("x-secret").is_none()
                && h.get("keep-alive").is_none()
                && h.get(header::TE).is_none()
        );
        assert!(h.get(header::CONNECTION).is_none());
        assert_eq!(h.get("x-kept").map(|v| v.as_bytes()), Some(&b"1"[..]));
    }

    #[test]
    fn xff_modes() {
        let peer: IpAddr = "10.0.0.1".parse().expect("ip");
        let client: IpAddr = "198.51.100.7".parse().expect("ip");
        let mut h = HeaderMap::new();
        h.insert(X_FORWARDED_FOR, "198.51.100.7".parse().expect("v"));
        forwarded_for(&mut h, XffMode::Append, peer, client);
        assert_eq!(h[X_FORWARDED_FOR], "198.51.100.7, 10.0.0.1");
        forwarded_for(&mut h, XffMode::Rewrite, peer, client);
        assert_eq!(h[X_FORWARDED_FOR], "198.51.100.7");
        forwarded_for(&mut h, XffMode::Drop, peer, client);
        assert!(h.get(X_FORWARDED_FOR).is_none());
    }

    #[test]
    fn request_id_kept_when_safe_else_generated() {
        let mut h = HeaderMap::new();
        h.insert(X_REQUEST_ID, "abc-123".parse().expect("v"));
        assert_eq!(request_id(&mut h), "abc-123");
        h.insert(X_REQUEST_ID, "bad id<script>".parse().expect("v"));
        let id = request_id(&mut h);
        assert_eq!(id.len(), 32);
        assert_eq!(h[X_REQUEST_ID], id);
    }

    #[test]
    fn traceparent_invalid_replaced_valid_kept() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let mut h = HeaderMap::new();
        h.insert(TRACEPARENT, good.parse().expect("v"));
        assert_eq!(
            traceparent(&mut h),
            (Some("4bf92f3577b34da6a3ce929d0e0e4736".to_string()), false)
        );
        h.insert(
            TRACEPARENT,
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
                .parse()
                .expect("v"),
        );
        let (_, replaced) = traceparent(&mut h);
        assert!(replaced);
        assert!(traceparent_valid(h[TRACEPARENT].as_bytes()));
        let mut none = HeaderMap::new();
        assert_eq!(traceparent(&mut none), (None, false), "absent stays absent");
        assert!(none.get(TRACEPARENT).is_none());
    }
}
