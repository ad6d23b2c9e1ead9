//! Request hygiene: method allowlist (405), URI length (414), header count and bytes
//! (431), duplicate `Host` / `Content-Length` and `Content-Length` with
//! `Transfer-Encoding` (400: RFC 9112 §6.3 calls the latter a smuggling vector; we refuse
//! rather than guess), declared body size (413).

use http::{HeaderMap, Method, StatusCode, Uri, header};

use super::Reject;

/// The limits one snapshot enforces.
#[derive(Debug, Clone)]
pub struct Limits {
    pub allowed_methods: Vec<Method>,
    /// `Allow` value for a 405 from the allowlist (RFC 9110 §15.5.6).
    pub allow: http::HeaderValue,
    pub max_uri_bytes: usize,
    pub max_header_count: usize,
    pub max_header_bytes: usize,
    pub max_body_bytes: u64,
}

/// Checks everything that can be decided from the head alone.
pub fn check(
    limits: &Limits,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), Reject> {
    if !limits.allowed_methods.contains(method) {
        return Err(Reject::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ));
    }
    let uri_len = uri
        .path_and_query()
        .map(|pq| pq.as_str().len())
        .unwrap_or(1);
    if uri_len > limits.max_uri_bytes {
        return Err(Reject::new(StatusCode::URI_TOO_LONG, "uri_too_long"));
    }
    if headers.len() > limits.max_header_count {
        return Err(Reject::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "too_many_headers",
        ));
    }
    let bytes: usize = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if bytes > limits.max_header_bytes {
        return Err(Reject::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
        ));
    }
    if headers.get_all(header::HOST).iter().count() > 1 {
        return Err(Reject::new(StatusCode::BAD_REQUEST, "duplicate_host"));
    }
    let mut cls = headers.get_all(header::CONTENT_LENGTH).iter();
    let first_cl = cls.next();
    if cls.next().is_some() {
        return Err(Reject::new(
            StatusCode::BAD_REQUEST,
            "duplicate_content_length",
        ));
    }
    if first_cl.is_some() && headers.contains_key(header::TRANSFER_ENCODING) {
        return Err(Reject::new(
            StatusCode::BAD_REQUEST,
            "content_length_with_transfer_encoding",
        ));
    }
    if let Some(cl) = first_cl {
        let n = cl.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok());
        match n {
            None => return Err(Reject::new(StatusCode::BAD_REQUEST, "bad_content_length")),
            Some(n) if n > limits.max_body_bytes => {
                return Err(Reject::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            allowed_methods: vec![Method::GET, Method::POST],
            allow: http::HeaderValue::from_static("GET, POST"),
            max_uri_bytes: 32,
            max_header_count: 4,
            max_header_bytes: 200,
            max_body_bytes: 10,
        }
    }

    fn head(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(n.as_bytes()).expect("name"),
                v.parse().expect("value"),
            );
        }
        h
    }

    fn status(r: Result<(), Reject>) -> Option<u16> {
        r.err().map(|r| r.status.as_u16())
    }

    #[test]
    fn each_limit_returns_its_status() {
        let l = limits();
        let uri: Uri = "/ok".parse().expect("uri");
        assert_eq!(status(check(&l, &Method::GET, &uri, &head(&[]))), None);
        assert_eq!(
            status(check(&l, &Method::DELETE, &uri, &head(&[]))),
            Some(405)
        );
        let long: Uri = format!("/{}", "a".repeat(40)).parse().expect("uri");
        assert_eq!(
            status(check(&l, &Method::GET, &long, &head(&[]))),
            Some(414)
        );
        let many = head(&[("a", "1"), ("b", "1"), ("c", "1"), ("d", "1"), ("e", "1")]);
        assert_eq!(status(check(&l, &Method::GET, &uri, &many)), Some(431));
        let big = head(&[("a", &"x".repeat(300))]);
        assert_eq!(status(check(&l, &Method::GET, &uri, &big)), Some(431));
        assert_eq!(
            status(check(
                &l,
                &Method::GET,
                &uri,
                &head(&[("host", "a"), ("host", "b")])
            )),
            Some(400)
        );
        assert_eq!(
            status(check(
                &l,
                &Method::POST,
                &uri,
                &head(&[("content-length", "1"), ("content-length", "1")])
            )),
            Some(400)
        );
        assert_eq!(
            status(check(
                &l,
                &Method::POST,
                &uri,
                &head(&[("content-length", "1"), ("transfer-encoding", "chunked")])
            )),
            Some(400)
        );
        assert_eq!(
            status(check(
                &l,
                &Method::POST,
                &uri,
                &head(&[("content-length", "11")])
            )),
            Some(413)
        );
        assert_eq!(
            status(check(
                &l,
                &Method::POST,
                &uri,
                &head(&[("content-length", "x")])
            )),
            Some(400)
        );
    }
}
