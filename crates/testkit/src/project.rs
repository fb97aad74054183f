//! Throwaway project directories for integration tests (the agent edits them for real).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory `smallcode-{tag}-{pid}-{n}` under the temp dir holding `files`
/// (relative paths; parent folders are created).
pub fn temp_project(tag: &str, files: &[(&str, &str)]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "smallcode-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp project dir");
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("temp project subdir");
        }
        std::fs::write(path, text).expect("temp project file");
    }
    dir
}
