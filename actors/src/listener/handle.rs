//! `ListenerHandle`: the daemon's typed door to the ListenerSupervisor. It looks the
//! actor up by registered name on every call, so it survives restarts, and bounds
//! every call with a timeout so a reload can never hang on a dead mailbox.

use std::sync::Arc;
use std::time::Duration;

use ractor::rpc::CallResult;
use ractor::{ActorRef, RpcReplyPort};

use super::socket::{BindError, UnknownToken};
use super::{LISTENER_SUPERVISOR, ListenerInfo, ListenerMsg, ListenerSpec, PrepareToken};
use crate::Instance;
use crate::lookup;

/// Why a call through [`ListenerHandle`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ListenerCallError {
    /// The supervisor is not registered (not started, stopped, or restarting for too long).
    #[error("listener supervisor {name} is not running")]
    NotRunning {
        /// Registered name looked up.
        name: String,
    },
    /// No reply within the call timeout.
    #[error("listener supervisor {name} did not reply in time")]
    Timeout {
        /// Registered name.
        name: String,
    },
    /// The supervisor died while handling the call (the reply port was dropped).
    #[error("listener supervisor {name} stopped before replying")]
    NoReply {
        /// Registered name.
        name: String,
    },
    /// Prepare failed to bind.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// Commit named a token that is not pending.
    #[error(transparent)]
    UnknownToken(#[from] UnknownToken),
}

/// Cloneable handle to the ListenerSupervisor of one instance.
#[derive(Clone, Debug)]
pub struct ListenerHandle {
    name: String,
    call_timeout: Duration,
    patience: Duration,
}

// === impl ListenerHandle ===

impl ListenerHandle {
    /// A handle for `instance`'s listener supervisor (10 s call timeout, waits up to 5 s
    /// for a restarting supervisor to come back).
    pub fn new(instance: &Instance) -> Self {
        Self {
            name: instance.actor_name(LISTENER_SUPERVISOR),
            call_timeout: Duration::from_secs(10),
            patience: Duration::from_secs(5),
        }
    }

    /// Same handle with another call timeout.
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// See `ListenerMsg::Prepare`.
    pub async fn prepare(
        &self,
        specs: Vec<ListenerSpec>,
    ) -> Result<PrepareToken, ListenerCallError> {
        Ok(self
            .call(|reply| ListenerMsg::Prepare { specs, reply })
            .await??)
    }

    /// See `ListenerMsg::Commit`.
    pub async fn commit(
        &self,
        token: PrepareToken,
    ) -> Result<Vec<Arc<ListenerInfo>>, ListenerCallError> {
        Ok(self
            .call(|reply| ListenerMsg::Commit { token, reply })
            .await??)
    }

    /// See `ListenerMsg::Abort`. Fire and forget once the actor is found.
    pub async fn abort(&self, token: PrepareToken) -> Result<(), ListenerCallError> {
        let actor = self.actor().await?;
        actor
            .cast(ListenerMsg::Abort { token })
            .map_err(|_| ListenerCallError::NotRunning {
                name: self.name.clone(),
            })
    }

    /// Every listener now serving. Retried once if the call raced a supervisor crash
    /// (idempotent). `SocketTable::list` gives the same answer without awaiting.
    pub async fn list(&self) -> Result<Vec<Arc<ListenerInfo>>, ListenerCallError> {
        match self.call(|reply| ListenerMsg::List { reply }).await {
            Err(ListenerCallError::NoReply { .. }) => {
                self.call(|reply| ListenerMsg::List { reply }).await
            }
            other => other,
        }
    }

    /// Stops accepting everywhere and cancels every `closing` token. Retried once if
    /// the call raced a supervisor crash (idempotent).
    pub async fn drain(&self) -> Result<(), ListenerCallError> {
        match self.call(|reply| ListenerMsg::Drain { reply }).await {
            Err(ListenerCallError::NoReply { .. }) => {
                self.call(|reply| ListenerMsg::Drain { reply }).await
            }
            other => other,
        }
    }

    async fn actor(&self) -> Result<ActorRef<ListenerMsg>, ListenerCallError> {
        lookup::find::<ListenerMsg>(&self.name, self.patience)
            .await
            .ok_or_else(|| ListenerCallError::NotRunning {
                name: self.name.clone(),
            })
    }

    async fn call<R: Send + 'static>(
        &self,
        build: impl FnOnce(RpcReplyPort<R>) -> ListenerMsg,
    ) -> Result<R, ListenerCallError> {
        let actor = self.actor().await?;
        match actor.call(build, Some(self.call_timeout)).await {
            Ok(CallResult::Success(r)) => Ok(r),
            Ok(CallResult::Timeout) => Err(ListenerCallError::Timeout {
                name: self.name.clone(),
            }),
            Ok(CallResult::SenderError) => Err(ListenerCallError::NoReply {
                name: self.name.clone(),
            }),
            Err(_) => Err(ListenerCallError::NotRunning {
                name: self.name.clone(),
            }),
        }
    }
}
