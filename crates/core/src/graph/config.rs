//! Graph settings with their documented defaults.

use std::path::{Path, PathBuf};

/// Where the project's database lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DbLocation {
    /// The user's cache: `$XDG_CACHE_HOME/smallcode` (else `~/.cache/smallcode`), as
    /// [`DbLocation::CacheDir`]. The default: a database inside the project could have been
    /// shipped (crafted) by the repository's authors, and is read before anyone trusted it.
    #[default]
    UserCache,
    /// `<project>/.smallcode/graph.redb`, only when the user configures it (the plugin
    /// git-ignores `.smallcode/`).
    ProjectDir,
    /// `<dir>/graph-<hash of the project path>.redb`, e.g. Neovim's `stdpath('cache')/smallcode`.
    CacheDir(PathBuf),
    /// Exactly this file.
    File(PathBuf),
    /// No file: an in-memory database (nothing survives a restart).
    Memory,
}

/// How the graph indexes a project.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphConfig {
    /// Database location. Defaults to [`DbLocation::UserCache`].
    pub db: DbLocation,
    /// Files larger than this get an outline (definitions only). Defaults to 1 MiB.
    pub max_file_bytes: u64,
    /// Files larger than this are skipped. Defaults to 8 MiB.
    pub max_outline_bytes: u64,
    /// A file above 4 KiB whose mean line length exceeds this is treated as minified and
    /// skipped. Defaults to 300.
    pub minified_line_bytes: u64,
    /// Worker threads for parsing; 0 means one per core. Defaults to 0.
    pub threads: usize,
    /// Follow symbolic links (loops are detected by `ignore` and skipped). Defaults to false.
    pub follow_links: bool,
    /// Index hidden files and folders. Defaults to false.
    pub hidden: bool,
    /// Records written per database transaction while indexing; bounds memory held for
    /// writing. Defaults to 256.
    pub batch_files: usize,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            db: DbLocation::UserCache,
            max_file_bytes: 1 << 20,
            max_outline_bytes: 8 << 20,
            minified_line_bytes: 300,
            threads: 0,
            follow_links: false,
            hidden: false,
            batch_files: 256,
        }
    }
}

/// `<dir>/graph-<hash of the project path>.redb`.
fn cache_file(dir: &Path, root: &Path) -> PathBuf {
    let h = xxhash_rust::xxh3::xxh3_64(root.to_string_lossy().as_bytes());
    dir.join(format!("graph-{h:016x}.redb"))
}

/// `$XDG_CACHE_HOME/smallcode`, else `~/.cache/smallcode`, else the temp dir.
pub fn user_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("smallcode")
}

impl GraphConfig {
    /// The database file for `root`, or `None` for in-memory.
    pub fn db_path(&self, root: &Path) -> Option<PathBuf> {
        match &self.db {
            DbLocation::ProjectDir => Some(root.join(".smallcode").join("graph.redb")),
            DbLocation::UserCache => Some(cache_file(&user_cache_dir(), root)),
            DbLocation::CacheDir(dir) => Some(cache_file(dir, root)),
            DbLocation::File(p) => Some(p.clone()),
            DbLocation::Memory => None,
        }
    }

    /// Worker thread count after resolving 0 to the core count.
    pub fn worker_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}
