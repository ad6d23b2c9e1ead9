//! ConfigWatcher: turns file changes, signals and API calls into reload transactions,
//! ONE at a time, through the daemon's [`Reloader`] (this crate never parses config).
//! It watches the DIRECTORY of each watched file (editors save by rename) with
//! notify + notify-debouncer-full, filters to the watched file names, and coalesces
//! change events that queued while a reload ran into a single follow-up reload.
//! The notify watcher is re-created in `pre_start`, so it survives a restart; the
//! reload itself runs in its own task, so a watcher restart never cuts a transaction
//! in half, and a lock shared across incarnations keeps reloads strictly serial.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use ractor::rpc::CallResult;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::{Instance, lookup};

/// Short name of the config watcher actor.
pub const CONFIG_WATCHER: &str = "config_watcher";

/// What triggered a reload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReloadCause {
    /// A watched file changed (debounced).
    FileChanged,
    /// SIGHUP.
    Signal,
    /// The admin API.
    Api,
}

/// The daemon's reload transaction (read, verify, compile, Prepare, swap, Commit).
pub trait Reloader: Send + Sync + 'static {
    /// Runs one reload transaction; `Ok(generation)` applied, `Err(reason)` rejected.
    /// Never called concurrently with itself by this crate.
    fn reload(&self, cause: ReloadCause) -> BoxFuture<'static, Result<u64, String>>;
}

/// Mailbox of [`ConfigWatcher`].
#[derive(Debug)]
pub enum ConfigWatcherMsg {
    /// A watched file changed at `at`. Ignored when a reload started after `at` (that
    /// reload already read the change): this is how bursts coalesce.
    FileChanged {
        /// When the change was observed.
        at: Instant,
    },
    /// Run a reload now (after any running one) and optionally report its result.
    Reload {
        /// Why.
        cause: ReloadCause,
        /// Gets the result; `None` for fire-and-forget.
        reply: Option<RpcReplyPort<Result<u64, String>>>,
    },
    /// Chaos: panic inside the handler.
    #[cfg(feature = "chaos")]
    Panic,
}

/// Arguments of [`ConfigWatcher`]; built by its factory on every (re)start.
pub struct ConfigWatcherArgs {
    /// The daemon's reload transaction.
    pub reloader: Arc<dyn Reloader>,
    /// Files whose change triggers a reload (config, its `.sig`, certificates...).
    pub watch_paths: Vec<PathBuf>,
    /// Debounce window (default 200 ms).
    pub debounce: Duration,
    /// Shared by every incarnation: at most one reload runs, even across restarts.
    pub reload_lock: Arc<tokio::sync::Mutex<()>>,
}

/// The config watcher actor; see the module docs.
#[derive(Debug, Default)]
pub struct ConfigWatcher;

/// State of [`ConfigWatcher`].
pub struct ConfigWatcherState {
    reloader: Arc<dyn Reloader>,
    reload_lock: Arc<tokio::sync::Mutex<()>>,
    last_started: Option<Instant>,
    // Dropping it stops the notify threads and closes the bridge channel.
    _debouncer: Option<Debouncer<RecommendedWatcher, RecommendedCache>>,
}

/// Why the watcher could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// notify refused to create the watcher or to watch a directory.
    #[error("cannot watch {dir}: {source}")]
    Watch {
        /// Directory.
        dir: PathBuf,
        /// notify's error.
        #[source]
        source: notify_debouncer_full::notify::Error,
    },
}

// === impl ConfigWatcher ===

impl Actor for ConfigWatcher {
    type Msg = ConfigWatcherMsg;
    type State = ConfigWatcherState;
    type Arguments = ConfigWatcherArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: ConfigWatcherArgs,
    ) -> Result<ConfigWatcherState, ActorProcessingErr> {
        let debouncer = if args.watch_paths.is_empty() {
            None
        } else {
            Some(watch(&args.watch_paths, args.debounce, myself)?)
        };
        Ok(ConfigWatcherState {
            reloader: args.reloader,
            reload_lock: args.reload_lock,
            last_started: None,
            _debouncer: debouncer,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: ConfigWatcherMsg,
        state: &mut ConfigWatcherState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            ConfigWatcherMsg::FileChanged { at } => {
                if state.last_started.is_some_and(|started| at <= started) {
                    tracing::debug!("file change already covered by a reload; coalesced");
                    return Ok(());
                }
                let _ = state.reload(ReloadCause::FileChanged).await;
            }
            ConfigWatcherMsg::Reload { cause, reply } => {
                let result = state.reload(cause).await;
                if let Some(reply) = reply {
                    let _ = reply.send(result);
                }
            }
            #[cfg(feature = "chaos")]
            ConfigWatcherMsg::Panic => panic!("chaos: injected panic in {CONFIG_WATCHER}"),
        }
        Ok(())
    }
}

// === impl ConfigWatcherState ===

impl ConfigWatcherState {
    async fn reload(&mut self, cause: ReloadCause) -> Result<u64, String> {
        self.last_started = Some(Instant::now());
        let reloader = self.reloader.clone();
        let lock = self.reload_lock.clone();
        // Own task: if this actor dies mid-reload the transaction still completes.
        let task = tokio::spawn(async move {
            let _serial = lock.lock().await;
            reloader.reload(cause).await
        });
        let result = task
            .await
            .unwrap_or_else(|e| Err(format!("reload task failed: {e}")));
        // Counting (rampart_config_reloads_total, rampart_config_generation) is the
        // Reloader's job: the daemon also reloads outside this actor (start-up, API).
        match &result {
            Ok(generation) => tracing::info!(?cause, generation, "config reload applied"),
            Err(reason) => tracing::warn!(?cause, reason, "config reload rejected"),
        }
        result
    }
}

/// Watches the parent directory of every path and casts `FileChanged` to `me` when a
/// debounced event touches one of the watched file names.
fn watch(
    paths: &[PathBuf],
    debounce: Duration,
    me: ActorRef<ConfigWatcherMsg>,
) -> Result<Debouncer<RecommendedWatcher, RecommendedCache>, WatchError> {
    let mut by_dir: BTreeMap<PathBuf, BTreeSet<OsString>> = BTreeMap::new();
    for path in paths {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Canonical directories, so event paths compare equal whatever the spelling.
        let dir = dir.canonicalize().map_err(|e| WatchError::Watch {
            dir: dir.clone(),
            source: e.into(),
        })?;
        if let Some(name) = path.file_name() {
            by_dir.entry(dir).or_default().insert(name.to_os_string());
        }
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let wanted = by_dir.clone();
    let mut debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| {
        let Ok(events) = result else {
            return;
        };
        // Only changes count: reading the file (the reload itself opens it) raises
        // access events, which must never trigger another reload.
        let relevant = events
            .iter()
            .filter(|e| changes_content(&e.kind))
            .flat_map(|e| e.paths.iter())
            .any(|p| is_watched(&wanted, p));
        if relevant {
            let _ = tx.send(());
        }
    })
    .map_err(|source| WatchError::Watch {
        dir: PathBuf::new(),
        source,
    })?;
    for dir in by_dir.keys() {
        debouncer
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(|source| WatchError::Watch {
                dir: dir.clone(),
                source,
            })?;
    }
    // Bridge from the notify thread into the mailbox; ends when the debouncer is
    // dropped (sender gone) or this incarnation is dead (cast fails).
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            if me
                .cast(ConfigWatcherMsg::FileChanged { at: Instant::now() })
                .is_err()
            {
                break;
            }
        }
    });
    Ok(debouncer)
}

/// True for events that can change what the file holds: creation, data or name
/// changes, removal. Access (open/read/close-without-write) and metadata-only events are
/// ignored, so the reload reading the file cannot trigger the next reload.
fn changes_content(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, ModifyKind};
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        // An editor that writes in place ends with close-after-write.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// Kubernetes mounts ConfigMaps and Secrets as `file -> ..data/file` and updates them
/// by atomically renaming the `..data` symlink: the watched names never see an event.
const KUBERNETES_DATA_LINK: &str = "..data";

fn is_watched(wanted: &BTreeMap<PathBuf, BTreeSet<OsString>>, path: &Path) -> bool {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    wanted
        .get(dir)
        .is_some_and(|names| names.contains(name) || name == KUBERNETES_DATA_LINK)
}

/// Cloneable handle to one instance's ConfigWatcher, looked up by name on every call.
#[derive(Clone, Debug)]
pub struct ConfigWatcherHandle {
    name: String,
    patience: Duration,
}

// === impl ConfigWatcherHandle ===

impl ConfigWatcherHandle {
    /// A handle for `instance`'s watcher (waits up to 5 s for a restarting watcher).
    pub fn new(instance: &Instance) -> Self {
        Self {
            name: instance.actor_name(CONFIG_WATCHER),
            patience: Duration::from_secs(5),
        }
    }

    /// Runs one reload (after any running one) and returns its result. Errors when the
    /// watcher is not running or dies before replying (the transaction itself, once
    /// started, still completes).
    pub async fn reload(&self, cause: ReloadCause) -> Result<u64, String> {
        let actor = lookup::find::<ConfigWatcherMsg>(&self.name, self.patience)
            .await
            .ok_or_else(|| format!("config watcher {} is not running", self.name))?;
        match actor
            .call(
                |reply| ConfigWatcherMsg::Reload {
                    cause,
                    reply: Some(reply),
                },
                None,
            )
            .await
        {
            Ok(CallResult::Success(r)) => r,
            Ok(CallResult::Timeout) => Err(format!("config watcher {} timed out", self.name)),
            Ok(CallResult::SenderError) => Err(format!(
                "config watcher {} stopped before replying",
                self.name
            )),
            Err(_) => Err(format!("config watcher {} is not running", self.name)),
        }
    }

    /// Reports a change of a watched file (coalesced like notify events). Never blocks;
    /// dropped with a warning if the watcher is not running right now.
    pub fn notify_changed(&self) {
        let sent = lookup::find_now::<ConfigWatcherMsg>(&self.name).is_some_and(|a| {
            a.cast(ConfigWatcherMsg::FileChanged { at: Instant::now() })
                .is_ok()
        });
        if !sent {
            tracing::warn!(actor = %self.name, "config watcher not running; change notification dropped");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn only_content_changes_count_never_reads() {
        use notify::EventKind;
        use notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, ModifyKind, RenameMode,
        };
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(changes_content(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(!changes_content(&EventKind::Access(AccessKind::Open(
            AccessMode::Read
        ))));
        assert!(!changes_content(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!changes_content(&EventKind::Access(AccessKind::Read)));
        assert!(!changes_content(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
    }

    #[test]
    fn is_watched_matches_directory_and_file_name_only() {
        let mut wanted = BTreeMap::new();
        wanted.insert(
            PathBuf::from("/etc/rampart"),
            BTreeSet::from([
                OsString::from("rampart.toml"),
                OsString::from("rampart.toml.sig"),
            ]),
        );
        assert!(is_watched(&wanted, Path::new("/etc/rampart/rampart.toml")));
        assert!(is_watched(
            &wanted,
            Path::new("/etc/rampart/rampart.toml.sig")
        ));
        assert!(!is_watched(
            &wanted,
            Path::new("/etc/rampart/.rampart.toml.swp")
        ));
        assert!(!is_watched(&wanted, Path::new("/etc/other/rampart.toml")));
        assert!(!is_watched(&wanted, Path::new("/")));
        assert!(
            is_watched(&wanted, Path::new("/etc/rampart/..data")),
            "kubernetes swap"
        );
    }
}
