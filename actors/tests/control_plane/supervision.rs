//! The supervision matrix on the generic supervisor, with paused tokio time:
//! panic / error in pre_start / handle, restart types, intensity, backoff, stop order.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ractor::{Actor, ActorRef};
use rampart_actors::{
    Backoff, ChildSpec, ControlMetrics, Escalation, EscalationTarget, Instance, Intensity, Restart,
    SupervisionContext, Supervisor, SupervisorArgs, SupervisorMsg, TreeStatus,
};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::time::Instant;

use crate::support::{Probe, ProbeMsg, StartFault, eventually, instance, probe_child, send_probe};

type Restarts = Arc<Mutex<Vec<(String, String, Instant)>>>;

struct Root {
    sup: ActorRef<SupervisorMsg>,
    status: TreeStatus,
    metrics: ControlMetrics,
    escalations: UnboundedReceiver<Escalation>,
    restarts: Restarts,
}

impl Root {
    fn restarts_of(&self, name: &str) -> u64 {
        self.status.get(name).map(|a| a.restarts).unwrap_or(0)
    }

    fn running(&self, name: &str) -> bool {
        self.status.get(name).is_some_and(|a| a.running)
    }

    fn metric(&self, name: &str) -> u64 {
        self.metrics.actor_restarts.with_label_values(&[name]).get()
    }

    async fn shutdown(self) {
        let _ = self
            .sup
            .call(
                |reply| SupervisorMsg::Shutdown {
                    per_child: Duration::from_secs(1),
                    reply,
                },
                None,
            )
            .await;
    }
}

async fn start_root(inst: &Instance, children: Vec<ChildSpec>) -> Root {
    let status = TreeStatus::new();
    let metrics = ControlMetrics::unregistered().expect("metrics");
    let restarts: Restarts = Arc::default();
    let hook_log = restarts.clone();
    let (tx, escalations) = unbounded_channel();
    let ctx = SupervisionContext {
        instance: inst.clone(),
        status: status.clone(),
        metrics: Some(metrics.clone()),
        on_restart: Some(Arc::new(move |actor: &str, reason: &str| {
            hook_log.lock().expect("lock").push((
                actor.to_string(),
                reason.to_string(),
                Instant::now(),
            ));
        })),
    };
    let args = SupervisorArgs {
        ctx,
        name: "root".into(),
        parent: None,
        children,
        escalation: EscalationTarget::Channel(tx),
    };
    let (sup, _) = Actor::spawn(Some(inst.actor_name("root")), Supervisor, args)
        .await
        .expect("root starts");
    Root {
        sup,
        status,
        metrics,
        escalations,
        restarts,
    }
}

async fn restarted_once_after(msg: ProbeMsg) {
    let inst = instance("sup-handle");
    let probe = Probe::new();
    let root = start_root(
        &inst,
        vec![probe_child(
            &inst,
            "worker",
            Restart::Permanent,
            probe.clone(),
        )],
    )
    .await;
    send_probe(&inst, "worker", msg);
    eventually("worker restarted", || {
        probe.starts() == 2 && root.running("worker")
    })
    .await;
    assert_eq!(root.restarts_of("worker"), 1);
    assert_eq!(root.metric("worker"), 1);
    let log = root.restarts.lock().expect("lock").clone();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, "worker");
    assert!(
        log[0].1.contains("worker"),
        "hook reason names the failure: {}",
        log[0].1
    );
    assert!(
        root.status
            .get("worker")
            .and_then(|a| a.last_failure)
            .is_some()
    );
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn supervision_panic_in_handle_restarts_and_counts() {
    restarted_once_after(ProbeMsg::Panic).await;
}

#[tokio::test(start_paused = true)]
async fn supervision_error_in_handle_restarts_and_counts() {
    restarted_once_after(ProbeMsg::Error).await;
}

async fn pre_start_failure_counts_as_attempt(fault: StartFault) {
    let inst = instance("sup-prestart");
    let probe = Probe::new();
    probe.fail_start(2, fault);
    let root = start_root(
        &inst,
        vec![probe_child(
            &inst,
            "worker",
            Restart::Permanent,
            probe.clone(),
        )],
    )
    .await;
    send_probe(&inst, "worker", ProbeMsg::Panic);
    eventually("worker up after a failed restart", || {
        probe.starts() == 3 && root.running("worker")
    })
    .await;
    // Attempt 1 (start #2) failed in pre_start, attempt 2 (start #3) succeeded.
    assert_eq!(root.restarts_of("worker"), 2);
    assert_eq!(root.metric("worker"), 2);
    let log = root.restarts.lock().expect("lock").clone();
    assert!(
        log[1].1.contains("restart failed"),
        "second attempt names the pre_start failure: {}",
        log[1].1
    );
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn supervision_panic_in_pre_start_counts_as_restart() {
    pre_start_failure_counts_as_attempt(StartFault::Panic).await;
}

#[tokio::test(start_paused = true)]
async fn supervision_error_in_pre_start_counts_as_restart() {
    pre_start_failure_counts_as_attempt(StartFault::Error).await;
}

/// A transient child that stops normally but fails in post_stop exited abnormally.
async fn post_stop_failure_is_abnormal_exit(fault: StartFault) {
    let inst = instance("sup-poststop");
    let probe = Probe::new();
    *probe.post_stop_fault.lock().expect("lock") = Some(fault);
    let root = start_root(
        &inst,
        vec![probe_child(
            &inst,
            "worker",
            Restart::Transient,
            probe.clone(),
        )],
    )
    .await;
    send_probe(&inst, "worker", ProbeMsg::StopNormal);
    eventually("worker restarted after post_stop failure", || {
        probe.starts() == 2 && root.running("worker")
    })
    .await;
    assert_eq!(root.restarts_of("worker"), 1);
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn supervision_panic_in_post_stop_restarts_transient() {
    post_stop_failure_is_abnormal_exit(StartFault::Panic).await;
}

#[tokio::test(start_paused = true)]
async fn supervision_error_in_post_stop_restarts_transient() {
    post_stop_failure_is_abnormal_exit(StartFault::Error).await;
}

#[tokio::test(start_paused = true)]
async fn supervision_initial_start_failure_fails_supervisor_start() {
    let inst = instance("sup-init");
    let probe = Probe::new();
    probe.fail_start(1, StartFault::Error);
    let (tx, _rx) = unbounded_channel();
    let args = SupervisorArgs {
        ctx: SupervisionContext {
            instance: inst.clone(),
            status: TreeStatus::new(),
            metrics: None,
            on_restart: None,
        },
        name: "root".into(),
        parent: None,
        children: vec![probe_child(&inst, "worker", Restart::Permanent, probe)],
        escalation: EscalationTarget::Channel(tx),
    };
    let err = Actor::spawn(Some(inst.actor_name("root")), Supervisor, args)
        .await
        .expect_err("must fail");
    assert!(format!("{err:?}").contains("worker"), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn transient_child_exiting_normally_is_not_restarted() {
    let inst = instance("sup-transient");
    let probe = Probe::new();
    let root = start_root(
        &inst,
        vec![probe_child(
            &inst,
            "worker",
            Restart::Transient,
            probe.clone(),
        )],
    )
    .await;
    send_probe(&inst, "worker", ProbeMsg::StopNormal);
    eventually("worker down", || !root.running("worker")).await;
    // Well past every backoff: still one start, no restart counted.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(probe.starts(), 1);
    assert_eq!(root.restarts_of("worker"), 0);
    assert_eq!(root.status.get("worker").and_then(|a| a.last_failure), None);
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn transient_child_panicking_is_restarted() {
    let inst = instance("sup-transient-panic");
    let probe = Probe::new();
    let root = start_root(
        &inst,
        vec![probe_child(
            &inst,
            "worker",
            Restart::Transient,
            probe.clone(),
        )],
    )
    .await;
    send_probe(&inst, "worker", ProbeMsg::Panic);
    eventually("worker restarted", || {
        probe.starts() == 2 && root.running("worker")
    })
    .await;
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn temporary_child_is_never_restarted() {
    let inst = instance("sup-temporary");
    let probe = Probe::new();
    let root = start_root(
        &inst,
        vec![probe_child(
            &inst,
            "worker",
            Restart::Temporary,
            probe.clone(),
        )],
    )
    .await;
    send_probe(&inst, "worker", ProbeMsg::Panic);
    eventually("worker down", || !root.running("worker")).await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(probe.starts(), 1);
    assert_eq!(root.restarts_of("worker"), 0);
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn intensity_exceeded_escalates_to_root() {
    let inst = instance("sup-intensity");
    let probe = Probe::new();
    for n in 2..=10 {
        probe.fail_start(n, StartFault::Error);
    }
    let mut spec = probe_child(&inst, "worker", Restart::Permanent, probe.clone());
    spec.intensity = Intensity {
        max_restarts: 3,
        within: Duration::from_secs(10),
    };
    let sibling = Probe::new();
    let mut root = start_root(
        &inst,
        vec![
            spec,
            probe_child(&inst, "sibling", Restart::Permanent, sibling.clone()),
        ],
    )
    .await;
    send_probe(&inst, "worker", ProbeMsg::Panic);
    let esc = tokio::time::timeout(Duration::from_secs(60), root.escalations.recv())
        .await
        .expect("escalation within a minute")
        .expect("channel open");
    match esc {
        Escalation::IntensityExceeded { actor, reason } => {
            assert_eq!(actor, "worker");
            assert!(reason.contains("restart failed"), "{reason}");
        }
        other => panic!("unexpected escalation {other:?}"),
    }
    // Three attempts were made (starts #2..#4), then the root gave up on the child.
    assert_eq!(probe.starts(), 4);
    assert_eq!(root.restarts_of("worker"), 3);
    assert!(!root.running("worker"));
    let last = root
        .status
        .get("worker")
        .and_then(|a| a.last_failure)
        .unwrap_or_default();
    assert!(last.contains("intensity"), "{last}");
    // one_for_one: the sibling never noticed.
    assert!(root.running("sibling"));
    assert_eq!(sibling.starts(), 1);
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_within_ceiling_and_resets_after_uptime() {
    let inst = instance("sup-backoff");
    let probe = Probe::new();
    for n in 2..=6 {
        probe.fail_start(n, StartFault::Error);
    }
    let backoff = Backoff::default();
    let mut spec = probe_child(&inst, "worker", Restart::Permanent, probe.clone());
    spec.intensity = Intensity {
        max_restarts: 100,
        within: Duration::from_secs(10),
    };
    let root = start_root(&inst, vec![spec]).await;

    let t0 = Instant::now();
    send_probe(&inst, "worker", ProbeMsg::Panic);
    eventually("worker up after 5 failed attempts", || {
        probe.starts() == 7 && root.running("worker")
    })
    .await;
    let log = root.restarts.lock().expect("lock").clone();
    assert_eq!(log.len(), 6);
    let mut prev = t0;
    for (attempt, (_, _, at)) in log.iter().enumerate() {
        let gap = *at - prev;
        let ceiling = backoff.ceiling(attempt as u32);
        assert!(
            gap >= backoff.min,
            "attempt {attempt}: gap {gap:?} below floor"
        );
        // The tolerance covers the polling granularity of paused time, not real timing.
        assert!(
            gap <= ceiling + Duration::from_millis(10),
            "attempt {attempt}: gap {gap:?} over {ceiling:?}"
        );
        prev = *at;
    }
    // The ceiling did grow: attempt 5 was allowed up to 1.6 s.
    assert_eq!(backoff.ceiling(5), Duration::from_millis(1600));

    // Up for longer than reset_after: the next restart waits exactly the floor again.
    tokio::time::sleep(backoff.reset_after + Duration::from_secs(1)).await;
    let t1 = Instant::now();
    send_probe(&inst, "worker", ProbeMsg::Panic);
    eventually("worker restarted after reset", || {
        probe.starts() == 8 && root.running("worker")
    })
    .await;
    let (_, _, at) = root
        .restarts
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("logged");
    let gap = at - t1;
    assert!(
        gap >= backoff.min && gap <= backoff.min + Duration::from_millis(10),
        "gap after reset {gap:?}"
    );
    root.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn supervisor_shutdown_stops_children_in_reverse_start_order() {
    let inst = instance("sup-order");
    let probe = Probe::new();
    let children = ["audit_writer", "metrics", "listeners"]
        .iter()
        .map(|n| probe_child(&inst, n, Restart::Permanent, probe.clone()))
        .collect();
    let root = start_root(&inst, children).await;
    let status = root.status.clone();
    root.shutdown().await;
    let stops = probe.stops.lock().expect("lock").clone();
    assert_eq!(stops, vec!["listeners", "metrics", "audit_writer"]);
    assert!(status.snapshot().iter().all(|a| !a.running));
    assert_eq!(probe.starts(), 3, "nothing restarted during shutdown");
}
