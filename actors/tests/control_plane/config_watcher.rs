//! ConfigWatcher through the real control plane: rename-saves in a temp directory
//! trigger a reload, bursts coalesce, reloads never overlap, results are counted.

use std::sync::atomic::Ordering;
use std::time::Duration;

use rampart_actors::ReloadCause;

use crate::support::{eventually, instance, start_harness};

fn rename_save(dir: &std::path::Path, name: &str, body: &str) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, body).expect("write tmp");
    std::fs::rename(&tmp, dir.join(name)).expect("rename");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_watcher_reloads_on_rename_save() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("rampart.toml");
    std::fs::write(&config, "generation = 0\n").expect("write");
    let h = start_harness(instance("cw-rename"), |o| {
        o.watch_paths = vec![config.clone(), dir.path().join("rampart.toml.sig")];
        o.debounce = Duration::from_millis(50);
    })
    .await;
    rename_save(dir.path(), "rampart.toml", "generation = 1\n");
    eventually("reload after rename-save", || h.reloader.calls() >= 1).await;

    // The detached signature is watched too.
    let before = h.reloader.calls();
    rename_save(dir.path(), "rampart.toml.sig", "sig");
    eventually("reload after .sig change", || h.reloader.calls() > before).await;
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_watcher_reloads_on_kubernetes_configmap_swap() {
    use std::os::unix::fs::symlink;
    // Layout of a mounted ConfigMap: rampart.toml -> ..data/rampart.toml, ..data -> ..v1
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir(root.join("..v1")).expect("mkdir");
    std::fs::write(root.join("..v1/rampart.toml"), "a\n").expect("write");
    symlink("..v1", root.join("..data")).expect("symlink");
    symlink("..data/rampart.toml", root.join("rampart.toml")).expect("symlink");
    let h = start_harness(instance("cw-k8s"), |o| {
        o.watch_paths = vec![root.join("rampart.toml")];
        o.debounce = Duration::from_millis(50);
    })
    .await;
    // The kubelet's atomic update: new directory, new link, rename over ..data.
    std::fs::create_dir(root.join("..v2")).expect("mkdir");
    std::fs::write(root.join("..v2/rampart.toml"), "b\n").expect("write");
    symlink("..v2", root.join("..data_tmp")).expect("symlink");
    std::fs::rename(root.join("..data_tmp"), root.join("..data")).expect("rename");
    eventually("reload after configmap swap", || h.reloader.calls() >= 1).await;
    h.cp.stop().await;
}

#[cfg(feature = "chaos")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_watcher_still_watches_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("rampart.toml");
    std::fs::write(&config, "a\n").expect("write");
    let h = start_harness(instance("cw-restart"), |o| {
        o.watch_paths = vec![config.clone()];
        o.debounce = Duration::from_millis(50);
    })
    .await;
    assert!(rampart_actors::chaos::panic_actor(
        &h.instance,
        "config_watcher"
    ));
    eventually("watcher restarted", || {
        h.cp.status
            .get("config_watcher")
            .is_some_and(|a| a.running && a.restarts == 1)
    })
    .await;
    rename_save(dir.path(), "rampart.toml", "b\n");
    eventually("reload after restart", || h.reloader.calls() >= 1).await;
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_watcher_coalesces_bursts() {
    let h = start_harness(instance("cw-burst"), |_| {}).await;
    h.reloader.0.hold_first.store(true, Ordering::SeqCst);
    let entered = h.reloader.0.entered.notified();
    h.cp.config.notify_changed();
    entered.await;
    // Reload #1 is running: a burst of changes queues up behind it.
    for _ in 0..10 {
        h.cp.config.notify_changed();
    }
    h.reloader.0.release.notify_one();
    // Mailboxes are FIFO: this Api reload runs after the whole burst was handled.
    // Burst -> exactly one follow-up reload (#2); the Api reload is #3.
    assert_eq!(h.cp.config.reload(ReloadCause::Api).await, Ok(3));
    assert_eq!(
        h.reloader.0.max_running.load(Ordering::SeqCst),
        1,
        "reloads never overlap"
    );
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_watcher_returns_reloader_result_and_leaves_counting_to_it() {
    let h = start_harness(instance("cw-reject"), |_| {}).await;
    assert_eq!(h.cp.config.reload(ReloadCause::Signal).await, Ok(1));
    h.reloader.0.reject.store(true, Ordering::SeqCst);
    let err =
        h.cp.config
            .reload(ReloadCause::Api)
            .await
            .expect_err("rejected");
    assert!(err.contains("rejected #2"), "{err}");
    // The transaction owner counts; the watcher must not count a second time.
    assert_eq!(
        h.metrics
            .config_reloads
            .with_label_values(&["applied"])
            .get(),
        0
    );
    assert_eq!(
        h.metrics
            .config_reloads
            .with_label_values(&["rejected"])
            .get(),
        0
    );
    h.cp.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_collector_samples_process_and_queues() {
    let h = start_harness(instance("mc-sample"), |o| {
        o.queue_probes = vec![("audit".to_string(), std::sync::Arc::new(|| 7))];
    })
    .await;
    eventually("process stats sampled", || {
        h.metrics.process_resident_memory_bytes.get() > 0
            && h.metrics.process_open_fds.get() > 0
            && h.metrics.queue_depth.with_label_values(&["audit"]).get() == 7
            && h.metrics.actors_running.get() >= 4
    })
    .await;
    h.cp.stop().await;
}
