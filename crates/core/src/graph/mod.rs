//! The code graph: tree-sitter symbols and call edges, kept in redb, updated live from
//! buffers, walked by rank.
//!
//! Data flow: [`index`] walks the project and parses files on worker threads with the
//! [`crate::syntax`] registry; [`extract`] turns tags-query matches into [`types::FileSymbols`];
//! [`store`] persists one [`codec::FileRecord`] per file; [`model`] keeps files and name indexes
//! in memory and resolves names into edges; [`live`] re-parses open buffers incrementally;
//! [`query`] answers defs/refs/callers/callees; [`lexical`] scores definitions by the words of
//! a request ([`words`] analyses both); [`rank`] fuses that with personalised PageRank from the
//! word hits and the editor's seeds; [`render`] prints the ranked symbols within a token budget; [`cli`] and [`bench`] are the
//! `smallcode index|graph|bench graph` subcommands.
//!
//! [`Graph`] is a cheap, cloneable, thread-safe handle: every method takes `&self`, long work
//! (indexing) takes the write lock only briefly per batch, so an RPC layer can run
//! [`Graph::index`] on a blocking thread while queries and buffer updates go on.

pub mod codec;
pub mod config;
pub mod error;
pub mod extract;
pub mod index;
pub mod lexical;
pub mod live;
pub mod model;
pub mod query;
pub mod rank;
pub mod render;
pub mod store;
pub mod types;
pub mod words;

#[cfg(test)]
mod word_index_tests;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

pub use codec::FileStatus;
pub use config::{DbLocation, GraphConfig};
pub use error::{GraphError, Result};
pub use index::{IndexStats, Progress};
pub use rank::{RankConfig, Seeds};
pub use render::Walk;
pub use store::StoreMode;
pub use types::{RefHit, RefKind, SymbolHit, SymbolKind};

use model::GraphData;
use store::Store;

/// A project's code graph. Clone to share between threads.
#[derive(Clone)]
pub struct Graph {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("root", &self.inner.root)
            .field("db", &self.inner.store.path())
            .finish_non_exhaustive()
    }
}

struct Inner {
    root: PathBuf,
    config: GraphConfig,
    store: Store,
    data: RwLock<GraphData>,
    live: Mutex<live::LiveBuffers>,
    /// Word index for the walk, derived from `data` and the files' text (see [`lexical`]).
    lexicon: Mutex<lexical::Lexicon>,
    /// Serialises indexing runs (two at once would duplicate work, not corrupt anything).
    indexing: Mutex<()>,
}

impl Graph {
    /// Opens the graph for `root`: opens or creates its database (falling back to a private copy
    /// or memory when another process holds it) and loads every stored record. Fast: nothing is
    /// parsed here; call [`Graph::index`] (on a blocking thread) to bring it up to date.
    pub fn open(root: impl AsRef<Path>, config: GraphConfig) -> Result<Graph> {
        let root = root.as_ref();
        let root = std::fs::canonicalize(root)
            .map_err(|_| GraphError::NotADirectory(root.to_path_buf()))?;
        if !root.is_dir() {
            return Err(GraphError::NotADirectory(root));
        }
        if config.max_file_bytes > config.max_outline_bytes {
            return Err(GraphError::Config {
                field: "max_file_bytes",
                value: config.max_file_bytes.to_string(),
                why: "must not exceed max_outline_bytes",
            });
        }
        let own_dir = !matches!(config.db, DbLocation::File(_));
        let (store, loaded) = Store::open(config.db_path(&root).as_deref(), own_dir)?;
        let mut data = GraphData::default();
        for (path, rec) in loaded {
            data.put(&path, rec);
        }
        Ok(Graph {
            inner: Arc::new(Inner {
                root,
                config,
                store,
                data: RwLock::new(data),
                live: Mutex::new(live::LiveBuffers::default()),
                lexicon: Mutex::new(lexical::Lexicon::default()),
                indexing: Mutex::new(()),
            }),
        })
    }

    /// The canonical project root.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// Settings in use.
    pub fn config(&self) -> &GraphConfig {
        &self.inner.config
    }

    /// Which database is in use (disk, private copy because of another instance, or memory),
    /// with the reason for a fallback. Show it to the user once.
    pub fn store_mode(&self) -> &StoreMode {
        self.inner.store.mode()
    }

    /// The database file in use.
    pub fn db_path(&self) -> &Path {
        self.inner.store.path()
    }

    /// Brings the graph up to date with the files on disk: re-parses new and changed files,
    /// drops deleted ones, leaves open buffers alone. Blocking; run it on a blocking thread.
    /// `progress` is called after each batch.
    pub fn index(&self, mut progress: impl FnMut(Progress)) -> Result<IndexStats> {
        let _one = self
            .inner
            .indexing
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let t0 = Instant::now();
        let cfg = &self.inner.config;
        let found = index::walk(&self.inner.root, cfg);
        let live: HashSet<String> = self.live_paths();
        let plan = {
            let data = self.read();
            let known = |p: &str| {
                data.file_id(p)
                    .and_then(|id| data.file(id))
                    .map(|f| (f.record.mtime_ns, f.record.size, f.record.hash))
            };
            let all: Vec<String> = data.files().map(|(_, f)| f.path.clone()).collect();
            index::plan(found, &known, all, &live)
        };
        let mut stats = IndexStats {
            files: plan.total,
            reused: plan.reused,
            removed: plan.removed.len(),
            ..Default::default()
        };
        self.inner.store.apply(&[], &plan.removed)?;
        {
            let mut data = self.write();
            for p in &plan.removed {
                data.remove(p);
            }
        }
        let mut done = plan.reused;
        let total = plan.total;
        progress(Progress {
            done,
            total,
            parsed: 0,
        });
        let mut err = None;
        index::run_jobs(plan.jobs, cfg, |batch| {
            let mut recs = Vec::with_capacity(batch.len());
            let mut words = Vec::with_capacity(batch.len());
            let mut failed = Vec::new();
            {
                let data = self.read();
                for d in batch {
                    match d {
                        index::Done::Record(p, r, w) => {
                            stats.parsed += 1;
                            recs.push((p, r));
                            words.push(Some(w));
                        }
                        index::Done::Touched(p, mtime) => {
                            stats.reused += 1;
                            if let Some(f) = data.file_id(&p).and_then(|id| data.file(id)) {
                                let mut r = f.record.clone();
                                r.mtime_ns = mtime;
                                recs.push((p, r));
                                // Same content: the word index entry, if any, still holds.
                                words.push(None);
                            }
                        }
                        index::Done::Failed(p) => failed.push(p),
                    }
                }
            }
            done += recs.len() + failed.len();
            let ts = Instant::now();
            if err.is_none() {
                if let Err(e) = self.inner.store.apply(&index::encode_batch(&recs), &failed) {
                    err = Some(e);
                }
            }
            stats.store_seconds += index::seconds_since(ts);
            let tm = Instant::now();
            // Lock order is always live buffers, then data (as in `update_buffer`).
            let live = self.live_paths();
            let mut data = self.write();
            let mut placed = Vec::with_capacity(words.len());
            for ((p, r), w) in recs.into_iter().zip(words) {
                if !live.contains(&p) {
                    let slot = data.put(&p, r);
                    placed.extend(w.map(|w| (slot, w)));
                }
            }
            for p in failed {
                data.remove(&p);
            }
            drop(data);
            stats.memory_seconds += index::seconds_since(tm);
            // After the data lock is released (lock order: data, then lexicon): a record replaced
            // in between (a buffer edit) leaves an entry whose hash `sync` will not accept.
            let tw = Instant::now();
            let mut lex = self.inner.lexicon.lock().unwrap_or_else(|e| e.into_inner());
            for (slot, w) in placed {
                lex.put(slot, *w);
            }
            drop(lex);
            stats.words_seconds += index::seconds_since(tw);
            progress(Progress {
                done,
                total,
                parsed: stats.parsed,
            });
        });
        if let Some(e) = err {
            return Err(e);
        }
        // Edges are counted only when the walk adjacency already exists: building it is the
        // walk's job (lazily), and warm start must not pay for it.
        let data = self.read();
        stats.edges = data.cached_adjacency().map_or(0, |a| a.edge_count());
        stats.symbols = data.symbol_count();
        stats.references = data.ref_count();
        stats.by_status = model::status_counts(&data)
            .into_iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        stats.seconds = index::seconds_since(t0);
        tracing::info!(
            "[graph] indexed {}: {} files ({} parsed, {} reused), {} symbols, {} edges in {:.2}s",
            self.inner.root.display(),
            stats.files,
            stats.parsed,
            stats.reused,
            stats.symbols,
            stats.edges,
            stats.seconds
        );
        Ok(stats)
    }

    /// Counts of what is in the graph now (files, symbols, references, edges).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut data = self.write();
        let edges = data.adjacency().edge_count();
        (
            data.file_count(),
            data.symbol_count(),
            data.ref_count(),
            edges,
        )
    }

    /// Brings the walk graph (patch or rebuild, see [`model::GraphData::adjacency`]) and the word
    /// index ([`lexical::Lexicon::sync`]) up to date now, so that the next walk does not pay for
    /// them. Call it off the editor when edits pause.
    pub fn prepare_walk(&self) {
        if self.read().cached_adjacency().is_none() {
            self.write().adjacency();
        }
        self.prepare_words();
    }

    /// Brings the word index up to date now ([`lexical::Lexicon::sync`]) and returns how many
    /// files that analysed: none after a cold index, which builds it, and every file after a
    /// warm start (for the benchmark, which times both).
    pub fn prepare_words(&self) -> usize {
        let data = self.read();
        self.lexicon_synced(&data).1
    }

    /// How often the walk graph was built from scratch and how often patched after an edit
    /// (for the benchmark).
    pub fn adjacency_counts(&self) -> (usize, usize) {
        let data = self.read();
        (data.adjacency_builds, data.adjacency_patches)
    }

    /// Every distinct definition name in the graph (unordered). For tools that need the whole
    /// vocabulary, such as the benchmark's random walk requests.
    pub fn definition_names(&self) -> Vec<String> {
        self.read().def_names().map(str::to_string).collect()
    }

    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, GraphData> {
        self.inner.data.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, GraphData> {
        self.inner.data.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn live(&self) -> std::sync::MutexGuard<'_, live::LiveBuffers> {
        self.inner.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn live_paths(&self) -> HashSet<String> {
        self.live().paths().map(|s| s.to_string()).collect()
    }

    /// Project-relative key for `path` (absolute, or relative to the root).
    pub fn key_for(&self, path: &Path) -> String {
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.inner.root.join(path)
        };
        let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
        index::rel_path(&self.inner.root, &abs)
            .unwrap_or_else(|| abs.to_string_lossy().into_owned())
    }
}
