//! The socket table: every bound listening socket, keyed by configured address, plus
//! at most one prepared-but-uncommitted set. It lives outside actor state (the daemon
//! owns it and hands a clone to the ListenerSupervisor) so sockets survive restarts;
//! the prepared set lives here too, so a token stays valid across a supervisor
//! restart. Binding is synchronous and quick; no await happens under the lock.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::{ListenerInfo, ListenerSpec, PrepareToken};

/// Listen backlog for every socket.
const BACKLOG: i32 = 1024;

/// Why a Prepare failed. Display always names the address.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// Someone (another process, or an unrelated socket) holds the address.
    #[error("cannot listen on {addr}: address already in use")]
    InUse {
        /// The configured address.
        addr: SocketAddr,
    },
    /// Privileged port without the capability, or a policy refusal.
    #[error("cannot listen on {addr}: permission denied")]
    PermissionDenied {
        /// The configured address.
        addr: SocketAddr,
    },
    /// Any other socket error.
    #[error("cannot listen on {addr}: {source}")]
    Other {
        /// The configured address.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The same configured address appears twice in one Prepare.
    #[error("listen address {addr} is configured twice")]
    Duplicate {
        /// The configured address.
        addr: SocketAddr,
    },
    /// The listeners were drained (shutdown in progress); nothing is bound anymore.
    #[error("listeners are draining (shutdown in progress)")]
    ShuttingDown,
}

/// Commit named a token that is not the pending prepare (aborted, replaced or committed).
impl BindError {
    /// The address that could not be bound, when one is to blame.
    pub fn addr(&self) -> Option<SocketAddr> {
        match self {
            Self::InUse { addr }
            | Self::PermissionDenied { addr }
            | Self::Other { addr, .. }
            | Self::Duplicate { addr } => Some(*addr),
            Self::ShuttingDown => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("prepare token {0:?} is not pending")]
pub struct UnknownToken(pub PrepareToken);

/// A bound socket and its public description.
#[derive(Clone, Debug)]
pub(crate) struct BoundSocket {
    pub(crate) info: Arc<ListenerInfo>,
    pub(crate) listener: Arc<TcpListener>,
}

/// Shared table of listening sockets. Cloning shares the table.
#[derive(Clone, Debug, Default)]
pub struct SocketTable {
    inner: Arc<Mutex<TableInner>>,
}

#[derive(Debug, Default)]
struct TableInner {
    active: BTreeMap<SocketAddr, BoundSocket>,
    pending: Option<Pending>,
    next_token: u64,
    drained: bool,
}

#[derive(Debug)]
struct Pending {
    token: PrepareToken,
    keep: BTreeSet<SocketAddr>,
    fresh: Vec<BoundSocket>,
    // Serving addresses whose listener name changes (same socket, new ListenerInfo).
    renames: BTreeMap<SocketAddr, String>,
}

/// What a commit changed.
#[derive(Debug)]
pub(crate) struct Committed {
    pub(crate) serving: Vec<Arc<ListenerInfo>>,
    pub(crate) added: Vec<BoundSocket>,
    pub(crate) removed: Vec<BoundSocket>,
    /// Same socket and `closing` token, new name: the listener child must restart to
    /// hand out the new `ListenerInfo`.
    pub(crate) renamed: Vec<BoundSocket>,
}

// === impl SocketTable ===

impl SocketTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every listener now serving, in address order. Never awaits (safe for /readyz).
    pub fn list(&self) -> Vec<Arc<ListenerInfo>> {
        self.lock()
            .active
            .values()
            .map(|b| b.info.clone())
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, TableInner> {
        // A panic while holding this lock cannot leave the maps half-updated (every
        // mutation is a single insert/remove), so a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn active(&self) -> Vec<BoundSocket> {
        self.lock().active.values().cloned().collect()
    }

    pub(crate) fn get(&self, addr: &SocketAddr) -> Option<BoundSocket> {
        self.lock().active.get(addr).cloned()
    }

    /// Binds every spec not already serving; see `ListenerMsg::Prepare`.
    pub(crate) fn prepare(&self, specs: &[ListenerSpec]) -> Result<PrepareToken, BindError> {
        let mut seen = BTreeSet::new();
        for spec in specs {
            if !seen.insert(spec.addr) {
                return Err(BindError::Duplicate { addr: spec.addr });
            }
        }
        let mut inner = self.lock();
        if inner.drained {
            return Err(BindError::ShuttingDown);
        }
        // Release an uncommitted earlier prepare first: it may hold one of our addresses.
        inner.pending = None;
        let mut fresh = Vec::new();
        for spec in specs.iter().filter(|s| !inner.active.contains_key(&s.addr)) {
            // On error `fresh` is dropped here, closing what this Prepare bound.
            let listener = bind(spec.addr)?;
            let local = listener.local_addr().map_err(|source| BindError::Other {
                addr: spec.addr,
                source,
            })?;
            let info = ListenerInfo {
                name: spec.name.clone(),
                configured: spec.addr,
                local,
                closing: CancellationToken::new(),
            };
            fresh.push(BoundSocket {
                info: Arc::new(info),
                listener: Arc::new(listener),
            });
        }
        let renames = specs
            .iter()
            .filter(|s| {
                inner
                    .active
                    .get(&s.addr)
                    .is_some_and(|b| b.info.name != s.name)
            })
            .map(|s| (s.addr, s.name.clone()))
            .collect();
        inner.next_token += 1;
        let token = PrepareToken(inner.next_token);
        inner.pending = Some(Pending {
            token,
            keep: seen,
            fresh,
            renames,
        });
        Ok(token)
    }

    /// Swaps the pending set in; see `ListenerMsg::Commit`.
    pub(crate) fn commit(&self, token: PrepareToken) -> Result<Committed, UnknownToken> {
        let mut inner = self.lock();
        let pending = match inner.pending.take() {
            Some(p) if p.token == token => p,
            other => {
                inner.pending = other;
                return Err(UnknownToken(token));
            }
        };
        let gone: Vec<SocketAddr> = inner
            .active
            .keys()
            .filter(|a| !pending.keep.contains(a))
            .copied()
            .collect();
        let mut removed = Vec::with_capacity(gone.len());
        for addr in gone {
            if let Some(b) = inner.active.remove(&addr) {
                b.info.closing.cancel();
                removed.push(b);
            }
        }
        for b in &pending.fresh {
            inner.active.insert(b.info.configured, b.clone());
        }
        let mut renamed = Vec::with_capacity(pending.renames.len());
        for (addr, name) in pending.renames {
            if let Some(old) = inner.active.get_mut(&addr) {
                let info = ListenerInfo {
                    name,
                    configured: old.info.configured,
                    local: old.info.local,
                    // A clone shares the cancellation state: connections of the old
                    // name still drain when this address is removed later.
                    closing: old.info.closing.clone(),
                };
                old.info = Arc::new(info);
                renamed.push(old.clone());
            }
        }
        let serving = inner.active.values().map(|b| b.info.clone()).collect();
        Ok(Committed {
            serving,
            added: pending.fresh,
            removed,
            renamed,
        })
    }

    /// Releases the pending set if `token` names it. Returns whether it did.
    pub(crate) fn abort(&self, token: PrepareToken) -> bool {
        let mut inner = self.lock();
        if inner.pending.as_ref().is_some_and(|p| p.token == token) {
            inner.pending = None;
            true
        } else {
            false
        }
    }

    /// Removes everything (shutdown); later Prepares fail with `ShuttingDown`.
    pub(crate) fn drain(&self) -> Vec<BoundSocket> {
        let mut inner = self.lock();
        inner.drained = true;
        inner.pending = None;
        let all: Vec<BoundSocket> = std::mem::take(&mut inner.active).into_values().collect();
        for b in &all {
            b.info.closing.cancel();
        }
        all
    }
}

/// Binds one listening socket: SO_REUSEADDR (fast rebind after restart; NOT
/// SO_REUSEPORT, so an address another socket listens on fails with InUse),
/// IPV6_V6ONLY for v6, nonblocking, backlog 1024. Must run inside a tokio runtime.
pub(crate) fn bind(addr: SocketAddr) -> Result<TcpListener, BindError> {
    let map = |source: io::Error| match source.kind() {
        io::ErrorKind::AddrInUse => BindError::InUse { addr },
        io::ErrorKind::PermissionDenied => BindError::PermissionDenied { addr },
        _ => BindError::Other { addr, source },
    };
    let socket =
        Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).map_err(map)?;
    socket.set_reuse_address(true).map_err(map)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true).map_err(map)?;
    }
    socket.set_nonblocking(true).map_err(map)?;
    socket.bind(&addr.into()).map_err(map)?;
    socket.listen(BACKLOG).map_err(map)?;
    TcpListener::from_std(socket.into()).map_err(map)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn spec(name: &str, addr: &str) -> ListenerSpec {
        ListenerSpec {
            name: name.into(),
            addr: addr.parse().expect("addr"),
        }
    }

    #[tokio::test]
    async fn bind_fails_in_use_when_port_held() {
        let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = held.local_addr().expect("addr");
        let err = bind(addr).expect_err("must fail");
        assert!(matches!(err, BindError::InUse { .. }), "{err:?}");
        assert!(err.to_string().contains(&addr.to_string()));
    }

    #[tokio::test]
    async fn prepare_rejects_duplicate_addresses() {
        let table = SocketTable::new();
        let err = table
            .prepare(&[spec("a", "127.0.0.1:0"), spec("b", "127.0.0.1:0")])
            .expect_err("duplicate");
        assert!(matches!(err, BindError::Duplicate { .. }));
    }

    #[tokio::test]
    async fn commit_with_stale_token_changes_nothing() {
        let table = SocketTable::new();
        let t1 = table.prepare(&[spec("a", "127.0.0.1:0")]).expect("prepare");
        let t2 = table.prepare(&[spec("a", "127.0.0.1:0")]).expect("prepare");
        assert_eq!(table.commit(t1).expect_err("stale"), UnknownToken(t1));
        let c = table.commit(t2).expect("commit");
        assert_eq!(c.serving.len(), 1);
        assert!(table.drain().len() == 1);
        assert!(matches!(table.prepare(&[]), Err(BindError::ShuttingDown)));
    }

    #[tokio::test]
    async fn commit_renames_listener_on_same_socket() {
        let table = SocketTable::new();
        let t = table
            .prepare(&[spec("old", "127.0.0.1:0")])
            .expect("prepare");
        let first = table.commit(t).expect("commit").serving.remove(0);
        let t = table
            .prepare(&[spec("new", "127.0.0.1:0")])
            .expect("prepare");
        let c = table.commit(t).expect("commit");
        assert!(c.added.is_empty() && c.removed.is_empty());
        assert_eq!(c.renamed.len(), 1);
        assert_eq!(c.serving[0].name, "new");
        assert_eq!(c.serving[0].local, first.local, "same socket");
        first.closing.cancel();
        assert!(c.serving[0].closing.is_cancelled(), "closing token shared");
    }

    #[tokio::test]
    async fn bind_v6_loopback_when_available() {
        // Hosts without IPv6 skip; the v6 path must at least not panic.
        if let Ok(l) = bind("[::1]:0".parse().expect("addr")) {
            assert!(l.local_addr().expect("addr").is_ipv6());
        }
    }
}
