//! The actor tree's status as the data plane sees it: an `ArcSwap` snapshot that
//! supervisors update and `/_rampart/snapshot.json` reads without awaiting any actor.
//! Writers are rare (start, exit, restart); readers never block.

use std::sync::Arc;

use arc_swap::ArcSwap;
use serde::Serialize;

/// One actor's line in the tree status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActorStatus {
    /// Short name (`config_watcher`, `listener/127.0.0.1:8080`), never prefixed by the instance.
    pub name: String,
    /// Short name of the supervisor, `None` for the root.
    pub parent: Option<String>,
    /// Restart attempts made by the supervisor (a failed `pre_start` counts).
    pub restarts: u64,
    /// Whether the actor is up right now.
    pub running: bool,
    /// Reason of the last abnormal exit, if any.
    pub last_failure: Option<String>,
}

/// Shared, lock-free-for-readers view of the actor tree.
#[derive(Clone, Debug, Default)]
pub struct TreeStatus {
    inner: Arc<ArcSwap<Vec<ActorStatus>>>,
}

// === impl TreeStatus ===

impl TreeStatus {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current tree, in first-registration order.
    pub fn snapshot(&self) -> Arc<Vec<ActorStatus>> {
        self.inner.load_full()
    }

    /// The entry for `name`, if any.
    pub fn get(&self, name: &str) -> Option<ActorStatus> {
        self.inner.load().iter().find(|a| a.name == name).cloned()
    }

    /// Marks `name` (under `parent`) as running, creating the entry when new.
    pub fn set_running(&self, name: &str, parent: Option<&str>) {
        self.update(name, parent, |a| a.running = true);
    }

    /// Marks `name` as down; `failure` is kept when the exit was abnormal.
    pub fn set_stopped(&self, name: &str, failure: Option<&str>) {
        self.update(name, None, |a| {
            a.running = false;
            if let Some(f) = failure {
                a.last_failure = Some(f.to_string());
            }
        });
    }

    /// Counts one restart attempt of `name`.
    pub fn record_restart(&self, name: &str) {
        self.update(name, None, |a| a.restarts += 1);
    }

    /// Drops `name` from the tree (a listener that was removed by a reload).
    pub fn remove(&self, name: &str) {
        self.inner.rcu(|cur| {
            let mut next: Vec<ActorStatus> = cur.as_ref().clone();
            next.retain(|a| a.name != name);
            next
        });
    }

    fn update(&self, name: &str, parent: Option<&str>, f: impl Fn(&mut ActorStatus)) {
        self.inner.rcu(|cur| {
            let mut next: Vec<ActorStatus> = cur.as_ref().clone();
            match next.iter_mut().find(|a| a.name == name) {
                Some(a) => {
                    if parent.is_some() {
                        a.parent = parent.map(str::to_string);
                    }
                    f(a);
                }
                None => {
                    let mut a = ActorStatus {
                        name: name.to_string(),
                        parent: parent.map(str::to_string),
                        restarts: 0,
                        running: false,
                        last_failure: None,
                    };
                    f(&mut a);
                    next.push(a);
                }
            }
            next
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn tree_status_records_restart_and_failure() {
        let s = TreeStatus::new();
        s.set_running("config_watcher", Some("root"));
        s.set_stopped("config_watcher", Some("boom"));
        s.record_restart("config_watcher");
        s.set_running("config_watcher", None);
        let snap = s.snapshot();
        assert_eq!(snap.len(), 1);
        let a = &snap[0];
        assert_eq!(a.parent.as_deref(), Some("root"));
        assert_eq!(a.restarts, 1);
        assert!(a.running);
        assert_eq!(a.last_failure.as_deref(), Some("boom"));
        s.remove("config_watcher");
        assert!(s.snapshot().is_empty());
    }
}
