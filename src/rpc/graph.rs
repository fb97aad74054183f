//! The code graph behind the editor: background indexing with progress, live updates from
//! buffers, and `:SmallCode graph [NAME]` answers.
//!
//! Nothing here runs on the RPC loop. Notifications are handled in arrival order (nvim-rs awaits
//! each one), so they only enqueue a [`Job`] for one worker thread that owns every graph
//! update: buffer text, saves, closes and queries are applied in the order Neovim sent them — a
//! query sent after an edit sees the edit. Indexing a project runs on tokio's blocking pool
//! and reports progress (throttled) and a one-line summary to `require('smallcode.graph')`;
//! a query that arrives meanwhile waits for it on the worker (buffer updates queue behind it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{value, Nvim};
use smallcode_core::graph::{Graph, GraphConfig, IndexStats, Progress};

/// The Lua function that shows a graph answer.
pub const LUA_SHOW: &str = "return require('smallcode.graph').show(...)";
/// The Lua function that shows indexing progress (`{root, done, total, parsed}`).
pub const LUA_PROGRESS: &str = "return require('smallcode.graph').progress(...)";
/// The Lua function that shows the summary of an indexing run.
pub const LUA_INDEXED: &str = "return require('smallcode.graph').indexed(...)";

/// Quiet time after the last buffer update before the walk graph is brought up to date.
const WALK_IDLE: Duration = Duration::from_millis(1000);

/// Least time between two progress messages.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Work for the graph worker, in arrival order.
enum Job {
    /// A buffer's current (unsaved) text.
    Buffer {
        root: PathBuf,
        path: PathBuf,
        text: String,
    },
    /// The buffer was written.
    Saved { root: PathBuf, path: PathBuf },
    /// The buffer was unloaded: back to the file on disk.
    Closed { root: PathBuf, path: PathBuf },
    /// `:SmallCode graph NAME`.
    Query {
        root: PathBuf,
        name: String,
        nvim: Nvim,
    },
}

impl Job {
    fn buffer_key(&self) -> Option<(&Path, &Path)> {
        match self {
            Job::Buffer { root, path, .. } => Some((root, path)),
            _ => None,
        }
    }
}

/// Open graphs by project root, and the worker that updates them.
#[derive(Clone, Default)]
pub struct Graphs(Arc<Shared>);

#[derive(Default)]
struct Shared {
    map: Mutex<HashMap<PathBuf, Graph>>,
    /// Roots whose background index was started, and whether it has finished.
    started: Mutex<HashMap<PathBuf, bool>>,
    /// The last progress of each background index (a chat turn waiting for it shows it).
    progress: Mutex<HashMap<PathBuf, Progress>>,
    /// Signalled when a background index finishes.
    finished: Condvar,
    worker: Mutex<Option<mpsc::Sender<Job>>>,
}

impl Graphs {
    /// `graph_start({root})`: opens the project's graph and indexes it in the background,
    /// pushing progress and a summary to Neovim. Once per root and process.
    pub fn start(&self, nvim: Nvim, root: PathBuf) {
        {
            let mut started = self.0.started.lock().unwrap_or_else(|e| e.into_inner());
            if started.contains_key(&root) {
                return;
            }
            started.insert(root.clone(), false);
        }
        let graphs = self.clone();
        let (tx, mut rx) =
            tokio::sync::mpsc::unbounded_channel::<(&'static str, serde_json::Value)>();
        tokio::spawn(async move {
            while let Some((lua, arg)) = rx.recv().await {
                if let Err(e) = nvim.exec_lua(lua, vec![value::from_json(&arg)]).await {
                    tracing::warn!("[graph] could not show progress: {e}");
                }
            }
        });
        tokio::task::spawn_blocking(move || {
            // Marks the run finished however it ends, so a waiting query never hangs.
            let _finish = Finish(graphs.clone(), root.clone());
            let shown = root.display().to_string();
            let summary = match graphs.graph(&root) {
                Ok(g) => {
                    let mut last: Option<Instant> = None;
                    let result = g.index(|p: Progress| {
                        if let Ok(mut m) = graphs.0.progress.lock() {
                            m.insert(root.clone(), p);
                        }
                        let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
                        if due || p.done == p.total {
                            last = Some(Instant::now());
                            let _ = tx.send((LUA_PROGRESS, progress_json(&shown, &p)));
                        }
                    });
                    match result {
                        Ok(mut stats) => {
                            // Builds the walk graph and the word index now, off the editor,
                            // so the first walk is fast.
                            stats.edges = g.counts().3;
                            g.prepare_walk();
                            summary_json(&shown, &stats)
                        }
                        Err(e) => json!({"root": shown, "error": format!("indexing failed: {e}")}),
                    }
                }
                Err(e) => json!({"root": shown, "error": e}),
            };
            let _ = tx.send((LUA_INDEXED, summary));
        });
    }

    /// `graph_buffer({root, path, text})`: a buffer's unsaved text replaces its file.
    pub fn buffer(&self, root: PathBuf, path: PathBuf, text: String) {
        self.send(Job::Buffer { root, path, text });
    }

    /// `graph_saved({root, path})`: the buffer was written; store its record.
    pub fn saved(&self, root: PathBuf, path: PathBuf) {
        self.send(Job::Saved { root, path });
    }

    /// `graph_closed({root, path})`: the buffer is gone; index the file on disk again.
    pub fn closed(&self, root: PathBuf, path: PathBuf) {
        self.send(Job::Closed { root, path });
    }

    /// `graph_query({root, name})`: answered asynchronously through [`LUA_SHOW`], after every
    /// buffer update sent before it.
    pub fn query(&self, nvim: Nvim, root: PathBuf, name: String) {
        self.start(nvim.clone(), root.clone());
        self.send(Job::Query { root, name, nvim });
    }

    fn send(&self, job: Job) {
        let mut worker = self.0.worker.lock().unwrap_or_else(|e| e.into_inner());
        let job = match worker.as_ref() {
            Some(tx) => match tx.send(job) {
                Ok(()) => return,
                Err(mpsc::SendError(job)) => job, // the worker died: start another
            },
            None => job,
        };
        let (tx, rx) = mpsc::channel();
        let graphs = self.clone();
        let rt = tokio::runtime::Handle::try_current().ok();
        let spawned = std::thread::Builder::new()
            .name("smallcode-graph".into())
            .spawn(move || graphs.work(rx, rt));
        if let Err(e) = spawned {
            tracing::error!("[graph] cannot start the graph worker: {e}");
            return;
        }
        let _ = tx.send(job);
        *worker = Some(tx);
    }

    /// The worker loop: takes every job waiting, drops buffer texts that a later text of the
    /// same buffer replaces before anything else reads them, and applies the rest in order.
    ///
    /// When edits pause for [`WALK_IDLE`], the walk graphs of the projects they touched are
    /// brought up to date here, so a walk (chat context) right after does not pay for it.
    fn work(&self, rx: mpsc::Receiver<Job>, rt: Option<tokio::runtime::Handle>) {
        let mut edited: Vec<PathBuf> = Vec::new();
        loop {
            let first = if edited.is_empty() {
                match rx.recv() {
                    Ok(j) => j,
                    Err(_) => return,
                }
            } else {
                match rx.recv_timeout(WALK_IDLE) {
                    Ok(j) => j,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        for root in edited.drain(..) {
                            if let Ok(g) = self.graph(&root) {
                                g.prepare_walk();
                            }
                        }
                        continue;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            };
            let mut jobs = vec![first];
            jobs.extend(rx.try_iter());
            let n = jobs.len();
            for i in 0..n {
                if let Job::Buffer { root, .. }
                | Job::Saved { root, .. }
                | Job::Closed { root, .. } = &jobs[i]
                {
                    if !edited.contains(root) {
                        edited.push(root.clone());
                    }
                }
                if superseded(&jobs, i) {
                    continue;
                }
                self.run(&jobs[i], rt.as_ref());
            }
        }
    }

    fn run(&self, job: &Job, rt: Option<&tokio::runtime::Handle>) {
        match job {
            Job::Buffer { root, path, text } => self.with_graph(root, path, |g| {
                g.update_buffer(path, text).map(|u| {
                    tracing::debug!(
                        "[graph] buffer {}: {} symbols in {} µs (incremental: {})",
                        u.path,
                        u.symbols,
                        u.micros,
                        u.incremental
                    );
                })
            }),
            Job::Saved { root, path } => self.with_graph(root, path, |g| g.buffer_saved(path)),
            Job::Closed { root, path } => self.with_graph(root, path, |g| g.close_buffer(path)),
            Job::Query { root, name, nvim } => {
                let answer = self.answer(root, name);
                let nvim = nvim.clone();
                let Some(rt) = rt else {
                    tracing::warn!("[graph] no runtime to answer {name:?} on");
                    return;
                };
                rt.spawn(async move {
                    if let Err(e) = nvim
                        .exec_lua(LUA_SHOW, vec![value::from_json(&answer)])
                        .await
                    {
                        tracing::warn!("[graph] could not show the answer: {e}");
                    }
                });
            }
        }
    }

    fn with_graph(
        &self,
        root: &Path,
        path: &Path,
        f: impl FnOnce(&Graph) -> smallcode_core::graph::Result<()>,
    ) {
        let g = match self.graph(root) {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!("[graph] {e}");
                return;
            }
        };
        // Only files inside the project: anything else would be indexed under an absolute key.
        let inside = std::fs::canonicalize(path)
            .map(|p| p.starts_with(g.root()))
            .unwrap_or_else(|_| path.starts_with(root));
        if !inside {
            tracing::debug!(
                "[graph] ignoring {}: outside {}",
                path.display(),
                root.display()
            );
            return;
        }
        if let Err(e) = f(&g) {
            tracing::warn!("[graph] {}: {e}", path.display());
        }
    }

    /// Up to `limit` definition names of `root`'s graph starting with `prefix`
    /// (case-insensitive), sorted: completion of `#symbol:` and `:SmallCode graph`. Reads the
    /// graph as loaded, never waits for an index.
    pub fn names(&self, root: &Path, prefix: &str, limit: usize) -> Result<Vec<String>, String> {
        let g = self.graph(root)?;
        let p = prefix.to_lowercase();
        let mut names: Vec<String> = g
            .definition_names()
            .into_iter()
            .filter(|n| n.to_lowercase().starts_with(&p))
            .collect();
        names.sort();
        names.dedup();
        names.truncate(limit);
        Ok(names)
    }

    /// The open graph of `root`, opening it on first use.
    fn graph(&self, root: &Path) -> Result<Graph, String> {
        let mut map = self.0.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(g) = map.get(root) {
            return Ok(g.clone());
        }
        let g = Graph::open(root, GraphConfig::default())
            .map_err(|e| format!("cannot open the code graph of {}: {e}", root.display()))?;
        if let smallcode_core::graph::StoreMode::PrivateCopy { .. }
        | smallcode_core::graph::StoreMode::Memory { .. } = g.store_mode()
        {
            tracing::info!("[graph] {}: {:?}", root.display(), g.store_mode());
        }
        map.insert(root.to_path_buf(), g.clone());
        Ok(g)
    }

    /// Blocks until the background index of `root`, if one was started, has finished: the
    /// first query must not race it (it would do the parsing without progress).
    fn wait_for_background_index(&self, root: &Path) {
        let mut started = self.0.started.lock().unwrap_or_else(|e| e.into_inner());
        while started.get(root) == Some(&false) {
            started = self
                .0
                .finished
                .wait(started)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    fn answer(&self, root: &Path, name: &str) -> serde_json::Value {
        self.wait_for_background_index(root);
        let graph = match self.graph(root) {
            Ok(g) => g,
            Err(e) => return json!({"name": name, "error": e}),
        };
        // Waits for a background index in progress; cheap when nothing changed (stat per file).
        if let Err(e) = graph.index(|_| {}) {
            tracing::warn!("[graph] index {}: {e}", root.display());
        }
        json!({
            "name": name,
            "root": graph.root().display().to_string(),
            "defs": graph.definitions(name),
            "callers": graph.callers(name),
            "callees": graph.callees(name),
        })
    }
}

/// What a chat turn reads: the graphs the editor shares (one per root and process). A turn
/// that finds a background index running follows its progress until it ends, then brings the
/// graph up to date itself (cheap after a full index).
impl crate::chat::GraphSource for Graphs {
    fn open(&self, root: &Path) -> Result<Graph, String> {
        self.graph(root)
    }

    fn index(&self, graph: &Graph, progress: &mut dyn FnMut(Progress)) -> Result<(), String> {
        let root = root_key(&self.0.started, graph.root());
        if let Some(root) = root {
            loop {
                let running = {
                    let started = self.0.started.lock().unwrap_or_else(|e| e.into_inner());
                    started.get(&root) == Some(&false)
                };
                if !running {
                    break;
                }
                let last = self
                    .0
                    .progress
                    .lock()
                    .ok()
                    .and_then(|m| m.get(&root).copied());
                if let Some(p) = last {
                    progress(p);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        graph.index(progress).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// The key under which a background index of the project at `canonical` was started (Lua
/// sends roots as it sees them; the graph knows its canonical root).
fn root_key(started: &Mutex<HashMap<PathBuf, bool>>, canonical: &Path) -> Option<PathBuf> {
    let started = started.lock().unwrap_or_else(|e| e.into_inner());
    started
        .keys()
        .find(|k| {
            k.as_path() == canonical || std::fs::canonicalize(k).ok().as_deref() == Some(canonical)
        })
        .cloned()
}

/// Marks the background index of a root finished when dropped.
struct Finish(Graphs, PathBuf);

impl Drop for Finish {
    fn drop(&mut self) {
        let shared = &(self.0).0;
        let mut started = shared.started.lock().unwrap_or_else(|e| e.into_inner());
        started.insert(self.1.clone(), true);
        shared.finished.notify_all();
    }
}

/// Whether job `i` is a buffer text that a later text of the same buffer replaces before any
/// other job (save, close, query) could observe it.
fn superseded(jobs: &[Job], i: usize) -> bool {
    let Some(key) = jobs[i].buffer_key() else {
        return false;
    };
    for j in &jobs[i + 1..] {
        match j.buffer_key() {
            Some(k) if k == key => return true,
            Some(_) => {}
            None => return false,
        }
    }
    false
}

fn progress_json(root: &str, p: &Progress) -> serde_json::Value {
    json!({"root": root, "done": p.done, "total": p.total, "parsed": p.parsed})
}

fn summary_json(root: &str, s: &IndexStats) -> serde_json::Value {
    let skipped: serde_json::Map<String, serde_json::Value> = s
        .by_status
        .iter()
        .filter(|(k, _)| !matches!(**k, "indexed" | "outline"))
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "root": root,
        "files": s.files,
        "parsed": s.parsed,
        "reused": s.reused,
        "removed": s.removed,
        "outline": s.by_status.get("outline").copied().unwrap_or(0),
        "symbols": s.symbols,
        "references": s.references,
        "edges": s.edges,
        "seconds": s.seconds,
        "skipped": skipped,
    })
}
