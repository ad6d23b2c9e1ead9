//! Instance naming: ractor's name registry is global per process, and several gateways
//! (tests, simulated fleets) may share one process, so every actor name is
//! `"{instance}/{short name}"`. This module owns that convention and nothing else.

use std::fmt;
use std::sync::Arc;

/// The name of one gateway instance inside this process, e.g. `Instance::new("gw-1")`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Instance(Arc<str>);

impl Instance {
    /// Wraps an instance name. It should be unique within the process.
    pub fn new(name: impl AsRef<str>) -> Self {
        Self(Arc::from(name.as_ref()))
    }

    /// The instance name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registered ractor name of the actor called `short` in this instance.
    pub fn actor_name(&self, short: &str) -> String {
        format!("{}/{short}", self.0)
    }
}

impl fmt::Display for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn instance_actor_name_prefixes_instance() {
        let inst = Instance::new("gw-1");
        assert_eq!(inst.actor_name("config_watcher"), "gw-1/config_watcher");
        assert_eq!(inst.to_string(), "gw-1");
    }
}
