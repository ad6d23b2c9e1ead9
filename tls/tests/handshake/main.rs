//! Real TLS handshakes on 127.0.0.1 between `server_config` / `client_config` and
//! tokio-rustls peers: SNI choice, TLS 1.2 refusal, every mTLS verdict, upstream trust.
//!
//! Each test binds its own ephemeral port and waits at most `DEADLINE` per handshake.

mod listener;
mod mtls;
mod support;
mod upstream;
