//! `ControlPlane` wiring: the tree it builds, the extra children (the AuditWriter slot)
//! started first and stopped last, start failures, status and metrics it exposes.

use rampart_actors::{ControlMetrics, ControlPlane, ControlPlaneOptions, Restart, SocketTable};

use crate::support::{
    CountingReloader, EchoAcceptor, Probe, StartFault, eventually, instance, probe_child,
    start_harness,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_builds_tree_with_extra_child_first() {
    let probe = Probe::new();
    let inst = instance("wire-tree");
    let audit = probe_child(&inst, "audit_writer", Restart::Permanent, probe.clone());
    let h = start_harness(inst.clone(), |o| o.extra_children = vec![audit]).await;
    let names: Vec<(String, Option<String>)> =
        h.cp.status
            .snapshot()
            .iter()
            .map(|a| (a.name.clone(), a.parent.clone()))
            .collect();
    let root = Some("root".to_string());
    assert_eq!(
        names,
        vec![
            ("root".to_string(), None),
            ("audit_writer".to_string(), root.clone()),
            ("metrics_collector".to_string(), root.clone()),
            ("config_watcher".to_string(), root.clone()),
            ("listener_supervisor".to_string(), root),
        ]
    );
    assert!(
        h.cp.status
            .snapshot()
            .iter()
            .all(|a| a.running && a.restarts == 0)
    );
    assert_eq!(h.cp.instance(), &inst);
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_stop_stops_extra_child_last() {
    let probe = Probe::new();
    let inst = instance("wire-stop");
    let audit = probe_child(&inst, "audit_writer", Restart::Permanent, probe.clone());
    let h = start_harness(inst.clone(), |o| o.extra_children = vec![audit]).await;
    let status = h.cp.status.clone();
    h.cp.stop().await;
    let registered = probe.registered_at_stop.lock().expect("lock").clone();
    assert_eq!(
        registered.len(),
        1,
        "audit writer stopped once, not restarted"
    );
    for other in ["metrics_collector", "config_watcher", "listener_supervisor"] {
        let name = inst.actor_name(other);
        assert!(
            !registered[0].contains(&name),
            "{other} must be stopped before the audit writer"
        );
    }
    assert!(status.snapshot().iter().all(|a| !a.running));
    assert!(ractor::registry::where_is(inst.actor_name("root")).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_start_fails_when_extra_child_cannot_start() {
    let probe = Probe::new();
    probe.fail_start(1, StartFault::Error);
    let inst = instance("wire-fail");
    let mut opts = ControlPlaneOptions::new(
        inst.clone(),
        SocketTable::new(),
        std::sync::Arc::new(EchoAcceptor::default()),
        std::sync::Arc::new(CountingReloader::default()),
        ControlMetrics::unregistered().expect("metrics"),
    );
    opts.extra_children = vec![probe_child(
        &inst,
        "audit_writer",
        Restart::Permanent,
        probe,
    )];
    let err = match ControlPlane::start(opts).await {
        Ok(_) => panic!("start must fail"),
        Err(e) => e,
    };
    let chain = format!("{err}: {:?}", std::error::Error::source(&err));
    assert!(chain.contains("audit_writer"), "{chain}");
    // Nothing of the failed tree stays registered.
    eventually("root unregistered", || {
        ractor::registry::where_is(inst.actor_name("root")).is_none()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_extra_child_panic_is_restarted_and_hooked() {
    let probe = Probe::new();
    let inst = instance("wire-extra");
    let hooked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let hook_log = hooked.clone();
    let audit = probe_child(&inst, "audit_writer", Restart::Permanent, probe.clone());
    let h = start_harness(inst.clone(), |o| {
        o.extra_children = vec![audit];
        o.on_restart = Some(std::sync::Arc::new(move |actor: &str, _reason: &str| {
            hook_log.lock().expect("lock").push(actor.to_string());
        }));
    })
    .await;
    crate::support::send_probe(&inst, "audit_writer", crate::support::ProbeMsg::Panic);
    eventually("audit writer restarted", || {
        probe.starts() == 2
            && h.cp
                .status
                .get("audit_writer")
                .is_some_and(|a| a.running && a.restarts == 1)
    })
    .await;
    assert_eq!(
        h.metrics
            .actor_restarts
            .with_label_values(&["audit_writer"])
            .get(),
        1
    );
    assert_eq!(
        hooked.lock().expect("lock").clone(),
        vec!["audit_writer".to_string()]
    );
    // Restarting a sibling touched nothing else.
    assert!(
        h.cp.status
            .snapshot()
            .iter()
            .filter(|a| a.name != "audit_writer")
            .all(|a| a.restarts == 0)
    );
    h.cp.stop().await;
}
