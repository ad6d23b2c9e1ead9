//! Who the client is. The connecting peer is the client unless it is a trusted proxy; then
//! `X-Forwarded-For` is read from the right, skipping trusted hops, and the first
//! untrusted address is the client (the rightmost untrusted hop: the only one a trusted
//! proxy vouched for; everything left of it is the client's own claim). A value that
//! does not parse stops the walk at the last good hop.

use std::net::IpAddr;

use http::HeaderMap;
use ipnet::IpNet;

pub fn is_in(nets: &[IpNet], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    nets.iter().any(|n| n.contains(&ip))
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`) compares as IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Resolves the client address of a request that arrived from `peer`.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    if trusted.is_empty() || !is_in(trusted, peer) {
        return peer;
    }
    let mut client = peer;
    // Later header lines are later hops: walk lines and items from the right.
    let lines: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    for line in lines.iter().rev() {
        for item in line.rsplit(',') {
            let item = item.trim();
            let Some(ip) = parse_hop(item) else {
                return client;
            };
            let ip = canonical(ip);
            client = ip;
            if !is_in(trusted, ip) {
                return ip;
            }
        }
    }
    client
}

/// Accepts `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]:80`.
fn parse_hop(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<std::net::SocketAddr>() {
        return Some(sa.ip());
    }
    s.strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|r| r.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|n| n.parse().expect("cidr")).collect()
    }

    fn xff(v: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for x in v {
            h.append("x-forwarded-for", x.parse().expect("value"));
        }
        h
    }

    #[test]
    fn untrusted_peer_cannot_spoof_client_ip() {
        let ip = resolve(
            "203.0.113.9".parse().expect("ip"),
            &xff(&["1.1.1.1"]),
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(ip.to_string(), "203.0.113.9");
    }

    #[test]
    fn trusted_peer_yields_rightmost_untrusted_hop() {
        let h = xff(&["6.6.6.6, 198.51.100.7", "10.0.0.2"]);
        let ip = resolve("10.0.0.1".parse().expect("ip"), &h, &nets(&["10.0.0.0/8"]));
        assert_eq!(ip.to_string(), "198.51.100.7");
    }

    #[test]
    fn garbage_hop_stops_at_last_good_address() {
        let h = xff(&["nonsense, 10.0.0.3"]);
        let ip = resolve("10.0.0.1".parse().expect("ip"), &h, &nets(&["10.0.0.0/8"]));
        assert_eq!(ip.to_string(), "10.0.0.3");
    }

    #[test]
    fn mapped_ipv6_peer_matches_ipv4_network() {
        assert!(is_in(
            &nets(&["127.0.0.0/8"]),
            "::ffff:127.0.0.1".parse().expect("ip")
        ));
    }
}
