//! Pre-route gates: pure functions over the request head and the snapshot's settings.
//! Each returns `Ok` or a [`Reject`] that [`crate::rescue`] turns into a fixed response.
//!
//! Must not: read the body, await anything, or allocate on the accept path of a normal
//! request beyond what the result needs.

pub mod client_ip;
pub mod headers;
pub mod hygiene;
pub mod path;

use http::StatusCode;

/// A request refused by a gate: the status on the wire and a stable reason id for logs,
/// metrics and audit (never sent to the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reject {
    pub status: StatusCode,
    pub reason: &'static str,
}

impl Reject {
    pub const fn new(status: StatusCode, reason: &'static str) -> Self {
        Self { status, reason }
    }
}
