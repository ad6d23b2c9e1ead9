//! Request and response bodies on their way through the gateway.
//! - WAF routes: the body is read into memory up to the route's limit while the WAF's
//!   `BodyScanner` sees every chunk as it arrives, so a deny (or 413) is decided as soon
//!   as the evidence is there; nothing beyond the limit is ever buffered.
//! - Other routes: the body streams straight to the upstream through [`Limited`], which
//!   fails the stream once it passes the limit (the request then ends in 413).
//! - Responses: [`Deadline`] ends a streaming response (SSE, long downloads) at the
//!   route's `stream_timeout` ceiling.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::StatusCode;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};

use crate::gates::Reject;
use crate::upstream::BoxError;

/// Error a [`Limited`] body reports when the client sends more than allowed.
#[derive(Debug, thiserror::Error)]
#[error("request body exceeds {0} bytes")]
pub struct TooLarge(pub u64);

/// Streams a request body and fails once it passes `limit` bytes.
pub struct Limited {
    inner: Incoming,
    seen: u64,
    limit: u64,
    tripped: Arc<AtomicBool>,
}

impl Limited {
    pub fn new(inner: Incoming, limit: u64) -> (Self, Arc<AtomicBool>) {
        let tripped = Arc::new(AtomicBool::new(false));
        (
            Self {
                inner,
                seen: 0,
                limit,
                tripped: tripped.clone(),
            },
            tripped,
        )
    }
}

impl Body for Limited {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(d) = frame.data_ref() {
                    this.seen += d.len() as u64;
                    if this.seen > this.limit {
                        this.tripped.store(true, Ordering::Relaxed);
                        return Poll::Ready(Some(Err(Box::new(TooLarge(this.limit)))));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Ends a response body once `ceiling` has passed since the response started. The timer
/// is registered only when the body actually waits (a streaming response); a body that
/// is already complete costs one clock read, no timer.
pub struct Deadline<B> {
    inner: B,
    deadline: tokio::time::Instant,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<B> Deadline<B> {
    pub fn new(inner: B, ceiling: Duration) -> Self {
        Self {
            inner,
            deadline: tokio::time::Instant::now() + ceiling,
            sleep: None,
        }
    }
}

/// The stream ceiling was reached.
#[derive(Debug, thiserror::Error)]
#[error("stream_timeout reached")]
pub struct StreamTimeout;

impl<B> Body for Deadline<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if tokio::time::Instant::now() >= this.deadline {
            return Poll::Ready(Some(Err(Box::new(StreamTimeout))));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(r) => Poll::Ready(r.map(|r| r.map_err(Into::into))),
            Poll::Pending => {
                let deadline = this.deadline;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(StreamTimeout)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// What reading a body for the WAF decided.
pub enum Buffered {
    /// The whole body, plus a shadow-mode finding seen while streaming (if any).
    Done(Bytes, Option<rampart_waf::Verdict>),
    Verdict(rampart_waf::Verdict),
    Reject(Reject),
}

/// Reads `body` fully (bounded by `limit` and `timeout`), feeding each chunk to `scanner`.
pub async fn buffer_scanned(
    mut body: Incoming,
    limit: u64,
    timeout: Duration,
    scanner: &mut rampart_waf::BodyScanner<'_>,
) -> Buffered {
    // A body that arrives in one frame (most small bodies) is kept as that frame's
    // `Bytes`, without a copy; a second frame starts the copy into one buffer.
    let mut first: Option<Bytes> = None;
    let mut buf = BytesMut::new();
    let mut shadow = None;
    let read = async {
        while let Some(frame) = body.frame().await {
            let frame = match frame {
                Ok(f) => f,
                Err(_) => {
                    return Some(Buffered::Reject(Reject::new(
                        StatusCode::BAD_REQUEST,
                        "body_read_error",
                    )));
                }
            };
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let have = first.as_ref().map_or(0, Bytes::len) + buf.len();
            if have as u64 + data.len() as u64 > limit {
                return Some(Buffered::Reject(Reject::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                )));
            }
            match scanner.feed(&data) {
                None | Some(rampart_waf::Verdict::Allow) => {}
                Some(v @ rampart_waf::Verdict::WouldBlock(_)) => {
                    shadow.get_or_insert(v);
                }
                Some(v) => return Some(Buffered::Verdict(v)),
            }
            if data.is_empty() {
                continue;
            }
            match first.take() {
                None if buf.is_empty() => first = Some(data),
                None => buf.extend_from_slice(&data),
                Some(f) => {
                    buf.reserve(f.len() + data.len());
                    buf.extend_from_slice(&f);
                    buf.extend_from_slice(&data);
                }
            }
        }
        None
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(Some(early)) => early,
        Ok(None) => Buffered::Done(first.unwrap_or_else(|| buf.freeze()), shadow),
        Err(_) => Buffered::Reject(Reject::new(StatusCode::REQUEST_TIMEOUT, "body_timeout")),
    }
}
