//! Listening sockets and their actors. The sockets live in a [`SocketTable`] owned by
//! the daemon, outside any actor state, so a restart of a `Listener` or of the
//! `ListenerSupervisor` never closes a socket; only `Commit` (for removed addresses)
//! and `Drain` do. Accepted streams go to the daemon's [`Acceptor`] at once; no
//! connection is ever a child of an actor. This module never touches HTTP.

mod child;
mod handle;
mod socket;
mod supervisor;

use std::net::SocketAddr;
use std::sync::Arc;

use ractor::RpcReplyPort;
use tokio_util::sync::CancellationToken;

pub use handle::{ListenerCallError, ListenerHandle};
pub use socket::{BindError, SocketTable, UnknownToken};
pub use supervisor::{ListenerSupervisor, ListenerSupervisorArgs, ListenerSupervisorState};

#[cfg(feature = "chaos")]
pub(crate) use child::ListenerChildMsg;

/// Short name of the listener supervisor actor.
pub const LISTENER_SUPERVISOR: &str = "listener_supervisor";

/// One address the configuration asks to listen on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerSpec {
    /// Operator-given name (logs, `ListenerInfo`).
    pub name: String,
    /// Configured address; port 0 asks the kernel for one.
    pub addr: SocketAddr,
}

/// A bound listener as the data plane sees it.
#[derive(Debug)]
pub struct ListenerInfo {
    /// Name from the spec that first bound it.
    pub name: String,
    /// Configured address (the table key).
    pub configured: SocketAddr,
    /// Actual local address (differs from `configured` for port 0).
    pub local: SocketAddr,
    /// Cancelled when this listener is removed by a reload or drained at shutdown: its
    /// connections should finish their in-flight requests and close.
    pub closing: CancellationToken,
}

/// One accepted connection, handed to the [`Acceptor`].
#[derive(Debug)]
pub struct AcceptedConn {
    /// The stream, already nonblocking.
    pub stream: tokio::net::TcpStream,
    /// Peer address as the kernel reports it.
    pub peer: SocketAddr,
    /// The listener it came in on.
    pub listener: Arc<ListenerInfo>,
}

/// The daemon's data plane. `accept` MUST NOT block: it spawns its own task per
/// connection (connection caps are enforced in there, not here). A panic in `accept`
/// closes that connection only.
pub trait Acceptor: Send + Sync + 'static {
    /// Takes ownership of one accepted connection.
    fn accept(&self, conn: AcceptedConn);
}

impl<F> Acceptor for F
where
    F: Fn(AcceptedConn) + Send + Sync + 'static,
{
    fn accept(&self, conn: AcceptedConn) {
        self(conn)
    }
}

/// Names one prepared (bound, not yet serving) set of listeners.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PrepareToken(pub(crate) u64);

/// Mailbox of the [`ListenerSupervisor`].
#[derive(Debug)]
pub enum ListenerMsg {
    /// Bind every spec whose configured addr is not bound yet (make before break). Any
    /// failure: drop what this Prepare bound, reply Err. Existing listeners untouched
    /// either way. A new Prepare replaces (and releases) an uncommitted earlier one.
    Prepare {
        /// The complete listener set of the new configuration.
        specs: Vec<ListenerSpec>,
        /// Token for Commit / Abort, or why binding failed.
        reply: RpcReplyPort<Result<PrepareToken, BindError>>,
    },
    /// Start accepting on what Prepare bound; listeners whose configured addr is not in
    /// the prepared specs stop accepting (socket closed) and their `closing` token is
    /// cancelled. Replies with every listener now serving, or `UnknownToken` when the
    /// token is not the pending one (nothing changes then).
    Commit {
        /// From Prepare.
        token: PrepareToken,
        /// Listeners now serving.
        reply: RpcReplyPort<Result<Vec<Arc<ListenerInfo>>, UnknownToken>>,
    },
    /// Release what Prepare bound for `token` (no-op for an unknown token).
    Abort {
        /// From Prepare.
        token: PrepareToken,
    },
    /// Every listener now serving.
    List {
        /// The listeners.
        reply: RpcReplyPort<Vec<Arc<ListenerInfo>>>,
    },
    /// Shutdown: stop accepting everywhere, close the sockets, cancel every closing token.
    Drain {
        /// Sent once every listener stopped accepting.
        reply: RpcReplyPort<()>,
    },
    /// Internal: a backoff elapsed for the listener child at `addr`.
    RestartDue {
        /// Configured address of the child.
        addr: SocketAddr,
        /// Restart epoch when the timer was armed.
        epoch: u64,
    },
    /// Chaos: panic inside the handler.
    #[cfg(feature = "chaos")]
    Panic,
}
