//! The code graph a chat turn reads, without making the first turn in a large project wait
//! silently for a full index.
//!
//! A turn opens the project's graph (fast: stored records only) and brings it up to date on a
//! blocking thread. While that runs, the chat's winbar shows the progress
//! ([`Event::Progress`]); if it is not done within [`INDEX_WAIT`], the turn goes ahead with
//! what is indexed so far (the graph is updated batch by batch, so it is usable meanwhile),
//! says so in one line, and the index carries on in the background. One index run per project
//! at a time: a turn that finds one running follows it instead of starting another.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smallcode_core::graph::{Graph, GraphConfig, Progress};

use super::event::Event;
use super::Chats;

/// How long a turn waits for the index before it answers with what is indexed so far.
pub const INDEX_WAIT: Duration = Duration::from_secs(2);
/// How often the progress in the winbar is refreshed (and how long an index may take before
/// any is shown).
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Where a chat's code graphs come from.
pub trait GraphSource: Send + Sync {
    /// The project's graph, opened: its stored records, nothing parsed yet. Fast.
    fn open(&self, root: &Path) -> Result<Graph, String>;

    /// Brings `graph` up to date with the files (blocking), reporting progress.
    fn index(&self, graph: &Graph, progress: &mut dyn FnMut(Progress)) -> Result<(), String> {
        graph.index(progress).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Graphs opened once per root and process, all with one configuration: by default the
/// database in the user's cache.
#[derive(Default)]
pub struct DefaultGraphs {
    graphs: Mutex<HashMap<PathBuf, Graph>>,
    config: GraphConfig,
}

impl DefaultGraphs {
    /// Graphs opened with `config` instead: an in-process test keeps its databases in memory
    /// (`DbLocation::Memory`) rather than in the user's cache.
    pub fn with_config(config: GraphConfig) -> DefaultGraphs {
        DefaultGraphs {
            graphs: Mutex::default(),
            config,
        }
    }
}

impl GraphSource for DefaultGraphs {
    fn open(&self, root: &Path) -> Result<Graph, String> {
        let mut map = self.graphs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(g) = map.get(root) {
            return Ok(g.clone());
        }
        let g = Graph::open(root, self.config.clone()).map_err(|e| e.to_string())?;
        map.insert(root.to_path_buf(), g.clone());
        Ok(g)
    }
}

/// One index run and what it reported last.
#[derive(Default)]
pub(super) struct IndexRun {
    progress: Mutex<Option<Progress>>,
    done: AtomicBool,
    finished: tokio::sync::Notify,
}

/// Index runs by project root (a finished one is replaced by the next turn's).
pub(super) type Runs = Mutex<HashMap<PathBuf, Arc<IndexRun>>>;

impl Chats {
    /// The graph of `root` for a turn of `chat`: up to date, or as far as indexed after
    /// [`INDEX_WAIT`] (said in the chat). `None` when it cannot be opened.
    pub(super) async fn turn_graph(&self, chat: u64, root: &Path) -> Option<Graph> {
        let source = self
            .graphs
            .read()
            .map(|g| Arc::clone(&g))
            .unwrap_or_else(|_| Arc::new(DefaultGraphs::default()));
        let r = root.to_path_buf();
        let src = Arc::clone(&source);
        let graph = match tokio::task::spawn_blocking(move || src.open(&r)).await {
            Ok(Ok(g)) => g,
            Ok(Err(e)) => {
                tracing::warn!("[chat] code graph of {}: {e}", root.display());
                return None;
            }
            Err(e) => {
                tracing::warn!("[chat] opening the code graph failed: {e}");
                return None;
            }
        };
        let run = self.index_run(root, &graph, source);
        let started = Instant::now();
        let mut shown = false;
        while !run.done.load(Ordering::Acquire) {
            let left = INDEX_WAIT.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            let _ = tokio::time::timeout(left.min(PROGRESS_EVERY), run.finished.notified()).await;
            if run.done.load(Ordering::Acquire) {
                break;
            }
            let p = *run.progress.lock().unwrap_or_else(|e| e.into_inner());
            self.emit(
                chat,
                Event::Progress {
                    text: progress_text(p),
                },
            );
            shown = true;
        }
        if shown {
            self.emit(
                chat,
                Event::Progress {
                    text: String::new(),
                },
            );
        }
        if !run.done.load(Ordering::Acquire) {
            let p = *run.progress.lock().unwrap_or_else(|e| e.into_inner());
            let so_far = match p {
                Some(p) if p.total > 0 => format!("{} of {} files", p.done, p.total),
                _ => "part of the project".to_string(),
            };
            self.emit(
                chat,
                Event::Info {
                    text: format!(
                        "indexing continues in the background: answering with {so_far} indexed"
                    ),
                },
            );
        }
        Some(graph)
    }

    /// The index run of `root`: the one in progress, or a new one on a blocking thread.
    fn index_run(&self, root: &Path, graph: &Graph, source: Arc<dyn GraphSource>) -> Arc<IndexRun> {
        let mut runs = self.index_runs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(run) = runs.get(root) {
            if !run.done.load(Ordering::Acquire) {
                return Arc::clone(run);
            }
        }
        let run = Arc::new(IndexRun::default());
        runs.insert(root.to_path_buf(), Arc::clone(&run));
        let (g, r) = (graph.clone(), Arc::clone(&run));
        tokio::task::spawn_blocking(move || {
            let result = source.index(&g, &mut |p| {
                *r.progress.lock().unwrap_or_else(|e| e.into_inner()) = Some(p);
            });
            if let Err(e) = result {
                tracing::warn!("[chat] indexing {}: {e}", g.root().display());
            }
            r.done.store(true, Ordering::Release);
            r.finished.notify_waiters();
        });
        run
    }
}

fn progress_text(p: Option<Progress>) -> String {
    match p {
        Some(p) if p.total > 0 => format!("indexing {}/{}", p.done, p.total),
        _ => "indexing…".to_string(),
    }
}
