//! Reading a task folder.

use std::path::{Path, PathBuf};

/// One benchmark task.
#[derive(Debug, Clone)]
pub struct Task {
    /// Folder name, e.g. `py-t1-add-sign`.
    pub name: String,
    /// The task folder.
    pub dir: PathBuf,
    /// `(prompt, check)` per round; one entry for single-round tasks.
    pub rounds: Vec<(String, PathBuf)>,
    /// `task.toml` language (or `?`).
    pub language: String,
    /// Tier 1–3 (0 when unknown).
    pub tier: u32,
    /// `task.toml` category (or `?`).
    pub category: String,
    /// Agent time budget per round, seconds.
    pub timeout: u64,
}

/// Reads a `key = value` line of a flat TOML file (all `task.toml` needs).
fn toml_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
    })
}

impl Task {
    /// Loads `dir`; `Err` says what is missing.
    pub fn load(dir: &Path) -> Result<Task, String> {
        // Checks run with another cwd: keep the task folder absolute.
        let dir = &dir
            .canonicalize()
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        if !dir.join("files").is_dir() {
            return Err(format!("{name}: no files/ folder"));
        }
        let mut rounds = Vec::new();
        if dir.join("rounds").is_dir() {
            for n in 1.. {
                let r = dir.join("rounds").join(n.to_string());
                if !r.is_dir() {
                    break;
                }
                let prompt = std::fs::read_to_string(r.join("prompt.md"))
                    .map_err(|e| format!("{name}: round {n} prompt.md: {e}"))?;
                rounds.push((prompt, r.join("check")));
            }
        } else {
            let prompt = std::fs::read_to_string(dir.join("prompt.md"))
                .map_err(|e| format!("{name}: prompt.md: {e}"))?;
            rounds.push((prompt, dir.join("check")));
        }
        if rounds.is_empty() {
            return Err(format!("{name}: no prompt.md and no rounds/1/"));
        }
        let toml = std::fs::read_to_string(dir.join("task.toml")).unwrap_or_default();
        Ok(Task {
            name,
            dir: dir.to_path_buf(),
            rounds,
            language: toml_value(&toml, "language").unwrap_or_else(|| "?".into()),
            tier: toml_value(&toml, "tier")
                .and_then(|t| t.parse().ok())
                .unwrap_or(0),
            category: toml_value(&toml, "category").unwrap_or_else(|| "?".into()),
            timeout: toml_value(&toml, "timeout")
                .and_then(|t| t.parse().ok())
                .unwrap_or(300),
        })
    }

    /// Every task folder under `root` (a folder holding `files/`), sorted by name.
    pub fn discover(root: &Path) -> Result<Vec<Task>, String> {
        if root.join("files").is_dir() {
            return Task::load(root).map(|t| vec![t]);
        }
        let rd = std::fs::read_dir(root).map_err(|e| format!("{}: {e}", root.display()))?;
        let mut dirs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("files").is_dir())
            .collect();
        dirs.sort();
        dirs.iter().map(|d| Task::load(d)).collect()
    }
}
