//! The project root the agent may touch, and the shadow copy it iterates in.
//!
//! Invariants:
//! - Every path the model names is resolved relative to the root; `..`, absolute paths and
//!   symlinks that lead outside are refused ([`Workspace::resolve`]).
//! - The model's edits are *staged*: written only into a shadow copy of the project (made once per
//!   task, build outputs excluded) where the checkers run. The user's files are untouched until
//!   [`Workspace::apply`] copies a verified change set back.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

/// Folders never copied into the shadow tree (build outputs, dependencies, VCS data).
pub const SKIP_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    ".smallcode",
    "__pycache__",
    ".venv",
    "venv",
    "build",
    "dist",
];

/// Why a path or a workspace operation was refused.
#[derive(Debug, Error)]
pub enum WorkspaceError {
    /// The model named a path outside the project.
    #[error("path {0:?} is outside the project: use a path relative to the project root")]
    Outside(String),
    /// Filesystem failure, with the path.
    #[error("{path}: {source}")]
    Io {
        /// Path involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WorkspaceError + '_ {
    move |source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A project root plus its shadow copy and the staged (not yet applied) file contents.
pub struct Workspace {
    root: PathBuf,
    shadow: Option<tempdir::TempTree>,
    staged: BTreeMap<PathBuf, String>,
    /// Unsaved text of files loaded in Neovim: it wins over the file on disk.
    buffers: BTreeMap<PathBuf, String>,
}

impl Workspace {
    /// Opens `root` (must exist).
    pub fn new(root: &Path) -> Result<Workspace, WorkspaceError> {
        let root = root.canonicalize().map_err(io(root))?;
        Ok(Workspace {
            root,
            shadow: None,
            staged: BTreeMap::new(),
            buffers: BTreeMap::new(),
        })
    }

    /// Overlays the live (possibly unsaved) text of editor buffers; paths outside the root are
    /// ignored. The model and the checkers then see what the user sees.
    pub fn with_buffers(
        mut self,
        buffers: impl IntoIterator<Item = (PathBuf, String)>,
    ) -> Workspace {
        for (p, text) in buffers {
            let p = p.canonicalize().unwrap_or(p);
            if p.starts_with(&self.root) {
                self.buffers.insert(p, text);
            }
        }
        self
    }

    /// The canonical project root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves a model-supplied relative path inside the root, refusing escapes.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, WorkspaceError> {
        let rel = rel.trim().trim_start_matches("./");
        let p = Path::new(rel);
        if rel.is_empty()
            || p.is_absolute()
            || p.components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        {
            return Err(WorkspaceError::Outside(rel.to_string()));
        }
        let full = self.root.join(p);
        // A symlink anywhere on the way may point outside: check the deepest existing ancestor.
        let mut existing = full.as_path();
        while !existing.exists() {
            match existing.parent() {
                Some(parent) => existing = parent,
                None => break,
            }
        }
        let real = existing.canonicalize().map_err(io(existing))?;
        if !real.starts_with(&self.root) {
            return Err(WorkspaceError::Outside(rel.to_string()));
        }
        Ok(full)
    }

    /// The path relative to the root, as the model sees it (`src/a.rs`).
    pub fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Current text of a file: staged content wins over the file on disk.
    pub fn read(&self, path: &Path) -> Result<String, WorkspaceError> {
        if let Some(s) = self.staged.get(path).or_else(|| self.buffers.get(path)) {
            return Ok(s.clone());
        }
        std::fs::read_to_string(path).map_err(io(path))
    }

    /// A second workspace on the same root with the same buffers and staged changes, and a
    /// shadow tree of its own: one candidate of a best-of-N round is verified in it without
    /// touching the others.
    pub fn fork(&self) -> Workspace {
        Workspace {
            root: self.root.clone(),
            shadow: None,
            staged: self.staged.clone(),
            buffers: self.buffers.clone(),
        }
    }

    /// The text the run started from: the live buffer, else the file on disk (never a staged
    /// change). What a landing rebases against and what "changed" is measured from.
    pub fn original(&self, path: &Path) -> Result<String, WorkspaceError> {
        if let Some(s) = self.buffers.get(path) {
            return Ok(s.clone());
        }
        std::fs::read_to_string(path).map_err(io(path))
    }

    /// Stages new content for `path` and writes it into the shadow tree (created on first use).
    /// A path outside the root is refused: joined to the shadow, an absolute path would be
    /// written where it points (a system header a compiler's note names).
    pub fn stage(&mut self, path: &Path, text: String) -> Result<(), WorkspaceError> {
        let rel = path
            .strip_prefix(&self.root)
            .ok()
            .filter(|r| !r.components().any(|c| matches!(c, Component::ParentDir)))
            .ok_or_else(|| WorkspaceError::Outside(path.display().to_string()))?;
        let shadow = self.shadow_root()?;
        let target = shadow.join(rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::write(&target, &text).map_err(io(&target))?;
        self.staged.insert(path.to_path_buf(), text);
        Ok(())
    }

    /// Drops every staged change (the shadow tree is rebuilt on next use).
    pub fn discard(&mut self) {
        self.staged.clear();
        self.shadow = None;
    }

    /// Staged files and their new text.
    pub fn staged(&self) -> &BTreeMap<PathBuf, String> {
        &self.staged
    }

    /// Replaces the live text of an editor buffer (the user changed it during the run). The
    /// shadow tree follows unless a staged change of the file wins there.
    pub fn set_buffer(&mut self, path: &Path, text: String) -> Result<(), WorkspaceError> {
        if !self.staged.contains_key(path) {
            if let Some(t) = &self.shadow {
                let target = t.path().join(path.strip_prefix(&self.root).unwrap_or(path));
                std::fs::write(&target, &text).map_err(io(&target))?;
            }
        }
        self.buffers.insert(path.to_path_buf(), text);
        Ok(())
    }

    /// Texts that differ from the files on disk (live buffers, then staged changes), so a code
    /// index can show what the model will edit.
    pub fn overlays(&self) -> impl Iterator<Item = (&PathBuf, &String)> {
        self.buffers.iter().chain(&self.staged)
    }

    /// Root of the shadow copy, creating it on first call (one copy per task).
    pub fn shadow_root(&mut self) -> Result<PathBuf, WorkspaceError> {
        if self.shadow.is_none() {
            let t = tempdir::TempTree::new("shadow").map_err(io(Path::new("/tmp")))?;
            copy_tree(&self.root, t.path(), SKIP_DIRS)?;
            for (p, text) in self.buffers.iter().chain(&self.staged) {
                let target = t.path().join(p.strip_prefix(&self.root).unwrap_or(p));
                std::fs::write(&target, text).map_err(io(&target))?;
            }
            self.shadow = Some(t);
        }
        Ok(self
            .shadow
            .as_ref()
            .map(|t| t.path().to_path_buf())
            .unwrap_or_default())
    }

    /// Writes the staged change set to the real files (headless mode) and clears it. Each file
    /// is written to a temporary sibling and renamed, so a failure never leaves half a file.
    pub fn apply(&mut self) -> Result<Vec<PathBuf>, WorkspaceError> {
        let mut written = Vec::new();
        for (path, text) in std::mem::take(&mut self.staged) {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
            }
            // A fresh, unpredictable sibling (never a planted symlink) renamed over the file;
            // the file's permissions are kept.
            let dir = path.parent().unwrap_or(&self.root);
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
            std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(io(tmp.path()))?;
            if let Ok(meta) = std::fs::metadata(&path) {
                let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
            }
            tmp.persist(&path).map_err(|e| io(&path)(e.error))?;
            written.push(path);
        }
        Ok(written)
    }

    /// Project files (relative paths), skipping [`SKIP_DIRS`] and hidden folders; for context.
    pub fn files(&self, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut entries: Vec<_> = rd.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let name = e.file_name().to_string_lossy().into_owned();
                let Ok(ft) = e.file_type() else { continue };
                if ft.is_dir() {
                    if !name.starts_with('.') && !SKIP_DIRS.contains(&name.as_str()) {
                        stack.push(e.path());
                    }
                } else if ft.is_file() && out.len() < limit {
                    out.push(self.rel(&e.path()));
                }
            }
        }
        out.sort();
        out
    }
}

/// Copies `from` into `to` (files and folders; symlinks are not followed), skipping folders
/// named in `skip`. Errors name the path that failed.
pub fn copy_tree(from: &Path, to: &Path, skip: &[&str]) -> Result<(), WorkspaceError> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    for e in std::fs::read_dir(from).map_err(io(from))?.flatten() {
        let name = e.file_name();
        let Ok(ft) = e.file_type() else { continue };
        let (src, dst) = (e.path(), to.join(&name));
        if ft.is_dir() {
            if !skip.iter().any(|s| name == *s) {
                copy_tree(&src, &dst, skip)?;
            }
        } else if ft.is_file() {
            std::fs::copy(&src, &dst).map_err(io(&src))?;
        }
    }
    Ok(())
}

/// A self-deleting temporary directory with an unpredictable name, created exclusively (never
/// an existing path reused or removed first: another user's `/tmp` entry is not ours to touch).
pub mod tempdir {
    use std::path::Path;

    /// Removed with its contents on drop.
    pub struct TempTree(tempfile::TempDir);

    impl TempTree {
        /// Creates `$TMPDIR/smallcode-<tag>-<random>` (mode 0700 on Unix).
        pub fn new(tag: &str) -> std::io::Result<TempTree> {
            tempfile::Builder::new()
                .prefix(&format!("smallcode-{tag}-"))
                .tempdir()
                .map(TempTree)
        }

        /// The directory.
        pub fn path(&self) -> &Path {
            self.0.path()
        }
    }

    /// The tags of the folders a run creates (shadow trees, the oracle's harness files).
    pub const RUN_TAGS: &[&str] = &["shadow", "run"];

    /// Removes `$TMPDIR/smallcode-<tag>-<6 random>` folders of this user not modified for
    /// `max_age`: what a killed process (`kill -9`, a crash) left behind, since its drops never
    /// ran. Only names `tempfile` makes for `tags` match (a user's `/tmp/smallcode-demo` is never
    /// touched). Returns how many were removed.
    pub fn sweep_stale(tags: &[&str], max_age: std::time::Duration) -> usize {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
            return 0;
        };
        let mut removed = 0;
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(meta) = e.path().symlink_metadata() else {
                continue;
            };
            let ours = tags.iter().any(|t| {
                name.strip_prefix("smallcode-")
                    .and_then(|r| r.strip_prefix(t))
                    .and_then(|r| r.strip_prefix('-'))
                    .is_some_and(|r| r.len() == 6 && r.chars().all(|c| c.is_ascii_alphanumeric()))
            });
            if !ours || !meta.is_dir() || !owned(&meta) {
                continue;
            }
            let old = meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > max_age);
            if old && std::fs::remove_dir_all(e.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    #[cfg(unix)]
    fn owned(meta: &std::fs::Metadata) -> bool {
        use std::os::unix::fs::MetadataExt;
        // The process's own uid is the owner of /proc/self (no libc call); without /proc
        // nothing is swept.
        std::fs::metadata("/proc/self").is_ok_and(|me| me.uid() == meta.uid())
    }

    #[cfg(not(unix))]
    fn owned(_meta: &std::fs::Metadata) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temp_folders_are_swept_and_fresh_ones_kept() {
        let fresh = tempdir::TempTree::new("sweeptest").unwrap();
        let stale = tempfile::Builder::new()
            .prefix("smallcode-sweeptest-")
            .tempdir()
            .unwrap()
            .keep();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::open(&stale)
            .and_then(|f| f.set_modified(old))
            .unwrap();
        tempdir::sweep_stale(&["sweeptest"], std::time::Duration::from_secs(3600));
        assert!(!stale.exists(), "the stale folder is removed");
        assert!(fresh.path().exists(), "a fresh one is kept");
    }

    #[test]
    fn escapes_are_refused_and_staging_leaves_files_alone() {
        let t = tempdir::TempTree::new("ws-test").unwrap();
        std::fs::write(t.path().join("a.py"), "x = 1\n").unwrap();
        std::fs::create_dir(t.path().join("target")).unwrap();
        std::fs::write(t.path().join("target/big"), "junk").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc", t.path().join("link")).unwrap();
        let mut ws = Workspace::new(t.path()).unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../x", "link/passwd", ""] {
            assert!(
                matches!(ws.resolve(bad), Err(WorkspaceError::Outside(_))),
                "{bad}"
            );
        }
        // Staging refuses what is not under the root, whatever produced the path.
        let outside = t.path().parent().unwrap().join("ws-test-outside.h");
        for bad in [outside.clone(), t.path().join("../ws-test-outside.h")] {
            assert!(matches!(
                ws.stage(&bad, "int x;\n".into()),
                Err(WorkspaceError::Outside(_))
            ));
        }
        assert!(!outside.exists(), "nothing written outside the root");
        let a = ws.resolve("./a.py").unwrap();
        ws.stage(&a, "x = 2\n".into()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&a).unwrap(),
            "x = 1\n",
            "real file untouched"
        );
        assert_eq!(ws.read(&a).unwrap(), "x = 2\n", "staged text wins");
        let shadow = ws.shadow_root().unwrap();
        assert_eq!(
            std::fs::read_to_string(shadow.join("a.py")).unwrap(),
            "x = 2\n"
        );
        assert!(!shadow.join("target").exists(), "build outputs not copied");
        ws.apply().unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "x = 2\n");
        assert_eq!(
            ws.files(10),
            vec!["a.py".to_string()],
            "symlinks are not followed"
        );
    }
}
