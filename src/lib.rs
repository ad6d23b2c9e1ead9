//! Rampart: an edge gateway daemon. This crate is the data plane (connection handling,
//! gates, routing, WAF wiring, forwarding) and the wiring that starts the control plane
//! (`rampart-actors`) around it.
//!
//! Connection handlers load one immutable [`snapshot::Snapshot`] per request, run pure
//! gate functions, forward, and hand events to actors with non-blocking sends. A handler
//! never awaits an actor.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod audit;
pub mod cli;
pub mod config;
pub mod conn_limit;
pub mod daemon;
pub mod demo;
pub mod gates;
pub mod internal;
pub mod metrics;
pub mod panic_hook;
pub mod rate_limit;
pub mod reload;
pub mod rescue;
pub mod router;
pub mod server;
pub mod snapshot;
pub mod state;
pub mod upstream;

pub use daemon::{Exit, Gateway, GatewayOptions};
