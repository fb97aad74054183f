//! The word index that indexing builds as it goes must equal one built from scratch by
//! [`Lexicon::sync`], after a cold index, an incremental re-index (changed, new, removed and
//! renamed files) and a live buffer edit.

use super::lexical::Lexicon;
use super::{DbLocation, Graph, GraphConfig};

/// A project in a fresh temp folder, indexed in memory.
fn project(name: &str, files: &[(&str, &str)]) -> (Graph, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "smallcode-words-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        write(&dir, path, text);
    }
    let g = Graph::open(
        &dir,
        GraphConfig {
            db: DbLocation::Memory,
            ..Default::default()
        },
    )
    .unwrap();
    g.index(|_| {}).unwrap();
    (g, dir)
}

fn write(dir: &std::path::Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The graph's own word index, brought up to date as a walk would.
fn kept(g: &Graph) -> String {
    let data = g.read();
    let lex = g.lexicon(&data);
    lex.snapshot(&data)
}

/// A word index built from nothing for the graph as it is now.
fn scratch(g: &Graph) -> String {
    let data = g.read();
    let mut lex = Lexicon::default();
    lex.sync(&data, 2, &|slot| g.source_of(&data, slot));
    lex.snapshot(&data)
}

const POOL: &str = "class Pool:\n    \"\"\"A pool of worker threads.\"\"\"\n\n    def shutdown(self):\n        self.closed = True\n";
const TIMER: &str =
    "def deadline_left(deadline):\n    return deadline - now()\n\n\ndef now():\n    return 0\n";
const AUTH: &str = "// Login checks.\nfn login(user: &str) -> bool {\n    // an empty user never logs in\n    !user.is_empty()\n}\n";

#[test]
fn a_cold_index_builds_the_word_index_a_walk_would() {
    let (g, _dir) = project(
        "cold",
        &[
            ("pool.py", POOL),
            ("timer.py", TIMER),
            ("src/auth.rs", AUTH),
        ],
    );
    assert_eq!(g.prepare_words(), 0, "nothing left for the first walk");
    assert_eq!(kept(&g), scratch(&g));
    assert!(kept(&g).contains("shutdown"));
}

#[test]
fn an_incremental_index_keeps_the_word_index_equal_to_a_fresh_one() {
    let (g, dir) = project(
        "incremental",
        &[
            ("pool.py", POOL),
            ("timer.py", TIMER),
            ("src/auth.rs", AUTH),
        ],
    );
    let before = kept(&g);
    // Changed, removed, renamed (same content, new path) and new files.
    write(&dir, "pool.py", &POOL.replace("shutdown", "terminate_all"));
    std::fs::remove_file(dir.join("timer.py")).unwrap();
    std::fs::rename(dir.join("src/auth.rs"), dir.join("src/session.rs")).unwrap();
    write(&dir, "clock.py", TIMER);
    g.index(|_| {}).unwrap();
    assert_eq!(g.prepare_words(), 0, "indexing analysed what it parsed");
    let after = kept(&g);
    assert_ne!(before, after);
    assert_eq!(after, scratch(&g));
    assert!(after.contains("terminateall") && !after.contains("\"shutdown\""));
    assert!(!after.contains("timer.py") && after.contains("session.rs"));
}

#[test]
fn a_buffer_edit_is_followed_and_indexing_leaves_it_alone() {
    let (g, dir) = project("buffer", &[("pool.py", POOL), ("timer.py", TIMER)]);
    g.update_buffer(
        &dir.join("pool.py"),
        &POOL.replace("shutdown", "drain_queue"),
    )
    .unwrap();
    assert_eq!(g.prepare_words(), 1, "the edited buffer is analysed again");
    let edited = kept(&g);
    assert!(edited.contains("drainqueue"));
    assert_eq!(edited, scratch(&g));
    // Re-indexing with the file changed on disk keeps the unsaved buffer's words.
    write(&dir, "pool.py", &POOL.replace("shutdown", "on_disk_only"));
    g.index(|_| {}).unwrap();
    assert_eq!(kept(&g), edited);
    assert_eq!(kept(&g), scratch(&g));
}
