//! Helpers shared by the integration tests: Neovim, the cached real llama-server, child
//! processes with a time limit; throwaway projects come from `smallcode-testkit`, with the mock
//! model server.

pub mod llama;
pub mod nvim;
pub mod proc;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

/// Writes `text` to `path` until the file's modification time differs from what it was before
/// (file systems stamp in steps of up to a few milliseconds): the condition a test needs, instead
/// of a fixed pause before the write.
pub fn write_with_new_mtime(path: &Path, text: &str) {
    let mtime = |p: &Path| -> Option<SystemTime> { std::fs::metadata(p).ok()?.modified().ok() };
    let before = mtime(path);
    let started = Instant::now();
    loop {
        std::fs::write(path, text).expect("write");
        if mtime(path) != before {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the modification time of {} never changed",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}
