//! OTP supervision written on top of ractor (which restarts nothing by itself):
//! restart types, intensity, backoff with jitter, escalation. `policy` is the plain
//! bookkeeping; `supervisor` is the generic one_for_one actor; `spec` holds the data
//! both share with `ListenerSupervisor`.

pub mod policy;
pub mod spec;
pub mod supervisor;
