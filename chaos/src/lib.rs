//! Fault-injection scenarios for Rampart, written as data: a list of [`Step`]s run
//! against a real in-process gateway while a bounded client load runs beside it. The
//! harness counts every failed request; a scenario passes when its expectations hold.
//!
//! Test-only crate (`publish = false`). The faults themselves come from the daemon's
//! `chaos` cargo feature (named actor panics through `/_rampart/chaos/panic/NAME`);
//! without that feature the injection code does not exist in the binary.

use std::time::Duration;

/// One step of a scenario.
#[derive(Debug, Clone)]
pub enum Step {
    /// Make the named actor (short name, e.g. `config_watcher`) panic.
    KillActor(&'static str),
    /// Replace the config file's text and run a reload; `expect_ok` says whether it
    /// should be applied.
    Reload { config: String, expect_ok: bool },
    /// Wait until the actor has been restarted at least `n` times.
    ExpectRestarts { actor: &'static str, at_least: u64 },
    /// Wait (bounded) for something to settle.
    Pause(Duration),
}

/// A named list of steps.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    pub steps: Vec<Step>,
}

/// What a run observed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub requests_ok: u64,
    pub requests_failed: u64,
    pub generation: u64,
}
