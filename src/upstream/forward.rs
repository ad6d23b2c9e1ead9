//! Sending one request to an upstream: target choice, the response-head timeout, error
//! classification (who is at fault, whether a retry is safe) and health bookkeeping.
//! A request whose body is fully known (empty or buffered) is retried once on another
//! target when the connection could not be established: nothing reached the upstream.

use std::sync::Arc;

use bytes::Bytes;
use http::uri::PathAndQuery;
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;

use super::{BoxError, ReqBody, Upstream, inflight_guard};

/// The request body as the gateway holds it.
pub enum ForwardBody {
    Empty,
    /// Buffered (WAF-inspected) body: replayable.
    Full(Bytes),
    /// Streamed straight through: not replayable.
    Stream(ReqBody),
}

impl ForwardBody {
    fn replayable(&self) -> Option<ReqBody> {
        match self {
            Self::Empty => Some(
                Empty::<Bytes>::new()
                    .map_err(|e| -> BoxError { match e {} })
                    .boxed_unsync(),
            ),
            Self::Full(b) => Some(
                Full::new(b.clone())
                    .map_err(|e| -> BoxError { match e {} })
                    .boxed_unsync(),
            ),
            Self::Stream(_) => None,
        }
    }

    fn into_body(self) -> ReqBody {
        match self {
            Self::Stream(b) => b,
            other => other.replayable().unwrap_or_else(|| {
                Empty::<Bytes>::new()
                    .map_err(|e| -> BoxError { match e {} })
                    .boxed_unsync()
            }),
        }
    }
}

/// Why forwarding failed; maps to 502 or 504 at the edge.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("upstream {upstream}: cannot connect to {target}: {source}")]
    Connect {
        upstream: String,
        target: String,
        source: BoxError,
    },
    #[error("upstream {upstream}: no response head from {target} within {timeout:?}")]
    Timeout {
        upstream: String,
        target: String,
        timeout: std::time::Duration,
    },
    #[error("upstream {upstream}: {target} broke the exchange: {source}")]
    Protocol {
        upstream: String,
        target: String,
        source: BoxError,
    },
    #[error("upstream {upstream}: cannot build request URI")]
    Uri { upstream: String },
}

impl UpstreamError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }
}

/// Forwards `parts` + `body` to `up`. `path_and_query` is the canonical form.
pub async fn forward(
    up: &Arc<Upstream>,
    parts: http::request::Parts,
    body: ForwardBody,
    path_and_query: PathAndQuery,
) -> Result<Response<Incoming>, UpstreamError> {
    let first = up.pick(None);
    // Keep what a retry needs only when a retry is possible: a replayable body and
    // another target to try.
    let retry = if up.targets.len() > 1 {
        body.replayable().map(|b| (b, parts.clone()))
    } else {
        None
    };
    let req = build(up, first, parts, body.into_body(), path_and_query.clone())?;
    match (send(up, first, req).await, retry) {
        (Err(UpstreamError::Connect { .. }), Some((body, parts))) => {
            let second = up.pick(Some(first));
            let req = build(up, second, parts, body, path_and_query)?;
            send(up, second, req).await
        }
        (other, _) => other,
    }
}

fn build(
    up: &Upstream,
    target: usize,
    parts: http::request::Parts,
    body: ReqBody,
    pq: PathAndQuery,
) -> Result<Request<ReqBody>, UpstreamError> {
    let uri = Uri::builder()
        .scheme(up.scheme.clone())
        .authority(up.targets[target].authority.clone())
        .path_and_query(pq)
        .build()
        .map_err(|_| UpstreamError::Uri {
            upstream: up.name.clone(),
        })?;
    let mut req = Request::from_parts(parts, body);
    *req.uri_mut() = uri;
    // The pooled client picks h1 or h2 itself; the inbound version must not leak through.
    *req.version_mut() = http::Version::HTTP_11;
    Ok(req)
}

async fn send(
    up: &Arc<Upstream>,
    target: usize,
    req: Request<ReqBody>,
) -> Result<Response<Incoming>, UpstreamError> {
    let _inflight = inflight_guard(up, target);
    let name = || up.name.clone();
    let tname = || up.targets[target].authority.to_string();
    match tokio::time::timeout(up.response_timeout(), up.client().request(req)).await {
        Ok(Ok(resp)) => {
            up.record_success(target);
            Ok(resp)
        }
        Ok(Err(e)) if e.is_connect() => {
            up.counters.connect.inc();
            up.record_failure(target);
            Err(UpstreamError::Connect {
                upstream: name(),
                target: tname(),
                source: Box::new(e),
            })
        }
        Ok(Err(e)) => {
            up.counters.protocol.inc();
            up.record_failure(target);
            Err(UpstreamError::Protocol {
                upstream: name(),
                target: tname(),
                source: Box::new(e),
            })
        }
        Err(_) => {
            up.counters.timeout.inc();
            up.record_failure(target);
            Err(UpstreamError::Timeout {
                upstream: name(),
                target: tname(),
                timeout: up.response_timeout(),
            })
        }
    }
}
