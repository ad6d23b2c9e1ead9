//! One `Listener` actor per bound address: it runs the accept loop on the shared
//! socket from the [`SocketTable`](super::SocketTable) and hands every stream to the
//! daemon's [`Acceptor`]. Its state holds only the accept task; dropping the state (a
//! restart, even a kill that skips `post_stop`) stops the task, never the socket.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::socket::BoundSocket;
use super::{AcceptedConn, Acceptor, ListenerInfo};

/// First pause after a resource error (EMFILE, ENFILE, ENOBUFS, ENOMEM) while accepting.
const ACCEPT_PAUSE_MIN: Duration = Duration::from_millis(10);
/// Longest such pause: short enough to recover quickly once fds are freed.
const ACCEPT_PAUSE_MAX: Duration = Duration::from_secs(1);
/// How long `post_stop` waits for the accept task to let go of the socket.
const ACCEPT_STOP_GRACE: Duration = Duration::from_secs(2);

/// Short name of the listener child for `configured`.
pub(crate) fn listener_short_name(configured: &SocketAddr) -> String {
    format!("listener/{configured}")
}

/// Mailbox of one listener child. Without the `chaos` feature it is empty: the
/// child only runs its accept task and is stopped through ractor's stop signal.
#[derive(Debug)]
pub(crate) enum ListenerChildMsg {
    /// Chaos: panic inside the handler.
    #[cfg(feature = "chaos")]
    Panic,
}

pub(crate) struct ListenerChild;

pub(crate) struct ListenerChildArgs {
    pub(crate) socket: BoundSocket,
    pub(crate) acceptor: Arc<dyn Acceptor>,
}

pub(crate) struct ListenerChildState {
    info: Arc<ListenerInfo>,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
    // Cancels `stop` however the state goes away (ractor skips post_stop on kill).
    _guard: DropGuard,
}

// === impl ListenerChild ===

impl Actor for ListenerChild {
    type Msg = ListenerChildMsg;
    type State = ListenerChildState;
    type Arguments = ListenerChildArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: ListenerChildArgs,
    ) -> Result<ListenerChildState, ActorProcessingErr> {
        let stop = CancellationToken::new();
        let info = args.socket.info.clone();
        let task = tokio::spawn(accept_loop(
            args.socket.listener,
            info.clone(),
            args.acceptor,
            stop.clone(),
        ));
        tracing::info!(listener = %info.name, local = %info.local, "listener accepting");
        Ok(ListenerChildState {
            info,
            _guard: stop.clone().drop_guard(),
            stop,
            task: Some(task),
        })
    }

    #[cfg_attr(not(feature = "chaos"), allow(unused_variables))]
    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: ListenerChildMsg,
        state: &mut ListenerChildState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            #[cfg(feature = "chaos")]
            ListenerChildMsg::Panic => {
                panic!(
                    "chaos: injected panic in listener {}",
                    state.info.configured
                )
            }
        }
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut ListenerChildState,
    ) -> Result<(), ActorProcessingErr> {
        state.stop.cancel();
        tracing::info!(listener = %state.info.name, local = %state.info.local, "listener stopped");
        if let Some(task) = state.task.take() {
            // Waiting here makes "Commit replied" imply "the removed socket is closed"
            // (the table dropped its reference already).
            let _ = tokio::time::timeout(ACCEPT_STOP_GRACE, task).await;
        }
        Ok(())
    }
}

/// Accepts until `stop` or the listener's `closing` token fires.
async fn accept_loop(
    listener: Arc<TcpListener>,
    info: Arc<ListenerInfo>,
    acceptor: Arc<dyn Acceptor>,
    stop: CancellationToken,
) {
    let mut pause = Duration::ZERO;
    loop {
        let accepted = tokio::select! {
            biased;
            _ = stop.cancelled() => return,
            _ = info.closing.cancelled() => return,
            r = listener.accept() => r,
        };
        match accepted {
            Ok((stream, peer)) => {
                pause = Duration::ZERO;
                let conn = AcceptedConn {
                    stream,
                    peer,
                    listener: info.clone(),
                };
                // The acceptor is the daemon's code: a panic in it loses this connection,
                // never the accept loop.
                if std::panic::catch_unwind(AssertUnwindSafe(|| acceptor.accept(conn))).is_err() {
                    tracing::error!(listener = %info.name, %peer, "acceptor panicked; connection dropped");
                }
            }
            Err(err) if is_connection_error(&err) => {
                tracing::debug!(listener = %info.name, error = %err, "accept: connection error");
            }
            Err(err) => {
                pause = (pause * 2).clamp(ACCEPT_PAUSE_MIN, ACCEPT_PAUSE_MAX);
                tracing::warn!(listener = %info.name, error = %err, pause_ms = pause.as_millis() as u64, "accept failed; pausing");
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = info.closing.cancelled() => return,
                    _ = tokio::time::sleep(pause) => {}
                }
            }
        }
    }
}

/// Errors that concern one connection only (the peer went away between SYN and
/// accept); the loop retries at once. Everything else (EMFILE...) pauses first.
fn is_connection_error(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        err.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}
