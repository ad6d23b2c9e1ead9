//! The one place that turns refusals and failures into responses: a small fixed body
//! per status and nothing else. Rule names, upstream errors and reasons never reach the
//! wire; they go to logs, metrics and the audit log.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};

use crate::upstream::BoxError;

pub type RespBody = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// The fixed body for a status.
pub fn body_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "request rejected\n",
        403 => "forbidden\n",
        404 => "not found\n",
        405 => "method not allowed\n",
        408 => "request timeout\n",
        413 => "payload too large\n",
        414 => "uri too long\n",
        415 => "unsupported media type\n",
        429 => "too many requests\n",
        431 => "request header fields too large\n",
        502 => "bad gateway\n",
        503 => "service unavailable\n",
        504 => "gateway timeout\n",
        _ => "internal error\n",
    }
}

pub fn full(b: impl Into<Bytes>) -> RespBody {
    Full::new(b.into())
        .map_err(|e| -> BoxError { match e {} })
        .boxed_unsync()
}

/// A fixed error response.
pub fn error(status: StatusCode) -> Response<RespBody> {
    let mut r = Response::new(full(body_for(status)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// 405 with the route's `Allow` list (RFC 9110 §15.5.6).
pub fn method_not_allowed(allow: &HeaderValue) -> Response<RespBody> {
    let mut r = error(StatusCode::METHOD_NOT_ALLOWED);
    r.headers_mut().insert(header::ALLOW, allow.clone());
    r
}

/// 429 with a conservative `Retry-After`.
pub fn too_many_requests() -> Response<RespBody> {
    let mut r = error(StatusCode::TOO_MANY_REQUESTS);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_fixed_and_small() {
        for s in [
            400u16, 403, 404, 405, 408, 413, 414, 415, 429, 431, 500, 502, 503, 504,
        ] {
            let st = StatusCode::from_u16(s).expect("status");
            assert!(body_for(st).len() < 40);
            assert_eq!(error(st).status(), st);
        }
        assert_eq!(body_for(StatusCode::BAD_REQUEST), "request rejected\n");
    }
}
