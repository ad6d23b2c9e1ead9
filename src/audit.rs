//! INTERIM: audit glue, replaced when the AuditWriter actor lands.

use std::path::Path;
use std::sync::Arc;

use rampart_actors::{ChildSpec, Instance};

use crate::state::{AuditSink, Shared};

pub struct AuditRuntime {
    pub sink: AuditSink,
}

impl AuditRuntime {
    pub fn open(
        _cfg: &rampart_audit::AuditConfig,
        _redact: &rampart_audit::RedactConfig,
        _instance: &Instance,
        _dropped: prometheus::IntCounter,
    ) -> Result<Self, String> {
        Err("audit writer not wired yet".into())
    }
    pub fn child_spec(&self, _shared: Arc<Shared>) -> ChildSpec {
        unimplemented!()
    }
    pub async fn close(self) {}
}

pub fn demo_section(_dir: &Path) -> String {
    String::new()
}

pub fn demo_hint(_dir: &Path) -> String {
    String::new()
}
