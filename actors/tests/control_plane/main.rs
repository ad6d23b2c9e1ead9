//! Integration tests of the control plane through its public API: the supervision
//! matrix (with paused tokio time), listeners on 127.0.0.1, the config watcher on a
//! temp directory. Every test uses its own `Instance` (ractor names are global).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod config_watcher;
mod listeners;
mod supervision;
mod support;
mod wiring;
