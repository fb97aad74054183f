//! Code graph integration tests: per-language fixtures with exact expected definitions,
//! references and edges; persistence (restart, old schema, truncated file, second instance);
//! bad input; live updates equal cold indexing.
//!
//! Fixtures live in `tests/fixtures/graph/<lang>/`, each with an `expected.txt`. To review a
//! change in extraction, run with `UPDATE_EXPECT=1` and read the diff of the expected files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::support::nvim;

use smallcode_core::graph::{DbLocation, FileStatus, Graph, GraphConfig, Seeds, StoreMode};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/graph")
}

fn mem() -> GraphConfig {
    GraphConfig {
        db: DbLocation::Memory,
        ..Default::default()
    }
}

/// A stable text dump of everything extracted from a fixture project.
fn dump(g: &Graph) -> String {
    let mut files: Vec<PathBuf> = Vec::new();
    for e in walk(g.root()) {
        if e.file_name().is_some_and(|n| n != "expected.txt") {
            files.push(e);
        }
    }
    files.sort();
    let mut out = String::new();
    for f in files {
        let rel = f
            .strip_prefix(g.root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let Some(syms) = g.file_symbols(&f) else {
            continue;
        };
        writeln!(out, "# {rel}").unwrap();
        for s in &syms.symbols {
            let parent = s
                .parent
                .map(|p| format!(" in {}", syms.symbols[p as usize].qualified))
                .unwrap_or_default();
            writeln!(
                out,
                "def {} {} {}{parent}",
                s.kind,
                s.qualified,
                s.span.line()
            )
            .unwrap();
            writeln!(out, "    sig {}", s.signature).unwrap();
            if !s.doc.is_empty() {
                writeln!(out, "    doc {}", s.doc.replace('\n', "\\n")).unwrap();
            }
        }
        for r in &syms.refs {
            let enc = r.enclosing.map_or("<file>".to_string(), |e| {
                syms.symbols[e as usize].qualified.clone()
            });
            writeln!(
                out,
                "ref {} {} {} in {enc}",
                r.kind.as_str(),
                r.name,
                r.row + 1
            )
            .unwrap();
        }
        for i in &syms.imports {
            writeln!(out, "import {} {}", i.row + 1, i.text).unwrap();
        }
        for e in g.edges_from(&f) {
            writeln!(
                out,
                "edge {} {} -> {} ({}) {}",
                e.kind.as_str(),
                e.from,
                e.to,
                e.to_path,
                e.weight
            )
            .unwrap();
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn check_fixture(lang: &str) {
    let dir = fixtures().join(lang);
    let g = Graph::open(&dir, mem()).unwrap();
    g.index(|_| {}).unwrap();
    let got = dump(&g);
    let expected_path = dir.join("expected.txt");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, &got).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    assert!(
        got == expected,
        "{lang}: extraction differs from expected.txt\n--- got ---\n{got}"
    );
}

macro_rules! fixture_tests {
    ($($name:ident => $lang:literal),* $(,)?) => {
        $(#[test] fn $name() { check_fixture($lang); })*
    };
}

fixture_tests! {
    fixture_rust => "rust",
    fixture_python => "python",
    fixture_javascript => "javascript",
    fixture_typescript => "typescript",
    fixture_tsx => "tsx",
    fixture_go => "go",
    fixture_c => "c",
    fixture_cpp => "cpp",
    fixture_lua => "lua",
    fixture_java => "java",
}

/// A fresh temporary project folder holding a copy of a fixture.
fn temp_project(name: &str, fixture: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "smallcode-graph-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in walk(&fixtures().join(fixture)) {
        if f.file_name().is_some_and(|n| n != "expected.txt") {
            std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn on_disk(dir: &Path) -> GraphConfig {
    GraphConfig {
        db: DbLocation::File(dir.join(".smallcode/graph.redb")),
        ..Default::default()
    }
}

#[test]
fn restart_reuses_the_database() {
    let dir = temp_project("restart", "rust");
    let first = {
        let g = Graph::open(&dir, on_disk(&dir)).unwrap();
        let s = g.index(|_| {}).unwrap();
        assert_eq!((s.parsed, s.reused), (2, 0));
        dump(&g)
    };
    let g = Graph::open(&dir, on_disk(&dir)).unwrap();
    assert_eq!(dump(&g), first, "loaded before any re-index");
    let s = g.index(|_| {}).unwrap();
    assert_eq!((s.parsed, s.reused), (0, 2));
    // A touched file with the same content is re-stamped, not re-parsed.
    let text = std::fs::read_to_string(dir.join("auth.rs")).unwrap();
    crate::support::write_with_new_mtime(&dir.join("auth.rs"), &text);
    let s = g.index(|_| {}).unwrap();
    assert_eq!((s.parsed, s.reused), (0, 2));
    std::fs::write(dir.join("auth.rs"), text + "\nfn extra() {}\n").unwrap();
    let s = g.index(|_| {}).unwrap();
    assert_eq!(s.parsed, 1);
    assert_eq!(g.definitions("extra").len(), 1);
}

/// The database's own directory gets a `*` .gitignore (nothing in it belongs in git); a
/// directory the user named that already existed is never given one: a database file the user (or a test)
/// placed beside a project would otherwise hide the whole directory, and every project below
/// it, from git and from the index (found when a test put its database in /tmp).
#[test]
fn only_a_directory_made_for_the_database_is_git_ignored() {
    let dir = temp_project("gitignore", "rust");
    let g = Graph::open(&dir, on_disk(&dir)).unwrap();
    g.index(|_| {}).unwrap();
    let made = std::fs::read_to_string(dir.join(".smallcode/.gitignore")).unwrap();
    assert!(made.lines().any(|l| l == "*"), "{made}");
    drop(g);
    let beside = GraphConfig {
        db: DbLocation::File(dir.join("beside.redb")),
        ..Default::default()
    };
    let g = Graph::open(&dir, beside).unwrap();
    assert_eq!(g.index(|_| {}).unwrap().parsed, 2);
    assert!(
        !dir.join(".gitignore").exists(),
        "the project's own directory is left alone"
    );
    // smallcode's own directory gets it even when something else made the directory first.
    let other = temp_project("gitignore-own", "rust");
    std::fs::create_dir_all(other.join(".smallcode")).unwrap();
    let own = GraphConfig {
        db: DbLocation::ProjectDir,
        ..Default::default()
    };
    drop(Graph::open(&other, own).unwrap());
    assert!(other.join(".smallcode/.gitignore").exists());
}

#[test]
fn old_schema_is_rebuilt_not_misread() {
    let dir = temp_project("schema", "python");
    let db = dir.join(".smallcode/graph.redb");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    {
        let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
        let files: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("files");
        let d = redb::Database::create(&db).unwrap();
        let tx = d.begin_write().unwrap();
        tx.open_table(meta)
            .unwrap()
            .insert("schema", 0u32.to_le_bytes().as_slice())
            .unwrap();
        tx.open_table(files)
            .unwrap()
            .insert("app.py", b"garbage".as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let g = Graph::open(&dir, on_disk(&dir)).unwrap();
    assert_eq!(g.store_mode(), &StoreMode::Disk);
    assert!(
        g.definitions("helper").is_empty(),
        "nothing loaded from the old schema"
    );
    let s = g.index(|_| {}).unwrap();
    assert_eq!(s.parsed, 2);
    assert_eq!(g.definitions("helper").len(), 1);
}

#[test]
fn truncated_database_is_rebuilt() {
    let dir = temp_project("truncated", "go");
    {
        let g = Graph::open(&dir, on_disk(&dir)).unwrap();
        g.index(|_| {}).unwrap();
    }
    let db = dir.join(".smallcode/graph.redb");
    let len = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(len / 3)
        .unwrap();
    let g = Graph::open(&dir, on_disk(&dir)).unwrap();
    let s = g.index(|_| {}).unwrap();
    assert_eq!(s.files, 1);
    assert_eq!(g.definitions("square").len(), 1);
    // And garbage in place of the file.
    drop(g);
    std::fs::write(&db, b"not a database at all").unwrap();
    let g = Graph::open(&dir, on_disk(&dir)).unwrap();
    g.index(|_| {}).unwrap();
    assert_eq!(g.definitions("square").len(), 1);
}

#[test]
fn second_instance_works_on_a_private_copy() {
    let dir = temp_project("two", "javascript");
    let g1 = Graph::open(&dir, on_disk(&dir)).unwrap();
    g1.index(|_| {}).unwrap();
    let g2 = Graph::open(&dir, on_disk(&dir)).unwrap();
    assert!(
        matches!(g2.store_mode(), StoreMode::PrivateCopy { .. }),
        "{:?}",
        g2.store_mode()
    );
    assert_eq!(g2.definitions("square").len(), 1, "warm data from the copy");
    let s = g2.index(|_| {}).unwrap();
    assert_eq!(s.parsed, 0);
    assert_eq!(g2.callers("square").len(), 1);
    // The owner still writes.
    std::fs::write(
        dir.join("more.js"),
        "function more() { return square(2); }\n",
    )
    .unwrap();
    assert_eq!(g1.index(|_| {}).unwrap().parsed, 1);
}

#[test]
fn bad_input_is_skipped_and_counted() {
    let dir = temp_project("bad", "c");
    std::fs::write(
        dir.join("broken.c"),
        "int ok(void) { return 1; }\nint broken( { \nint after(void) { return ok(); }\n",
    )
    .unwrap();
    std::fs::write(dir.join("binary.c"), b"int x;\0\0\0\x01\x02").unwrap();
    std::fs::write(dir.join("latin1.c"), b"/* caf\xe9 */ int f(void);\n").unwrap();
    std::fs::write(
        dir.join("min.js"),
        format!("function a(){{{}}}\n", "x=1;".repeat(3000)),
    )
    .unwrap();
    let big: String = (0..40_000)
        .map(|i| format!("int f{i}(void) {{ return g(); }}\n"))
        .collect();
    std::fs::write(dir.join("huge.c"), &big).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
    let cfg = GraphConfig {
        db: DbLocation::Memory,
        max_file_bytes: 512 * 1024,
        follow_links: true,
        ..Default::default()
    };
    let g = Graph::open(&dir, cfg).unwrap();
    let s = g.index(|_| {}).unwrap();
    assert_eq!(
        s.by_status.get(FileStatus::Binary.as_str()),
        Some(&1),
        "{s:?}"
    );
    assert_eq!(
        s.by_status.get(FileStatus::NotUtf8.as_str()),
        Some(&1),
        "{s:?}"
    );
    assert_eq!(
        s.by_status.get(FileStatus::Minified.as_str()),
        Some(&1),
        "{s:?}"
    );
    assert_eq!(
        s.by_status.get(FileStatus::Outline.as_str()),
        Some(&1),
        "{s:?}"
    );
    // Syntax errors: what tree-sitter recovers is kept.
    assert_eq!(g.definitions("ok").len(), 1);
    // Outline: definitions, no references.
    let huge = g.file_symbols(Path::new("huge.c")).unwrap();
    assert!(huge.outline_only && huge.symbols.len() == 40_000 && huge.refs.is_empty());
    // The loop was not followed into a second copy of every file.
    assert_eq!(g.definitions("add").len(), 1);
}

#[test]
fn live_update_equals_cold_index() {
    let dir = temp_project("live", "rust");
    let g = Graph::open(&dir, mem()).unwrap();
    g.index(|_| {}).unwrap();
    let path = dir.join("lib.rs");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let edits = [
        ("square(self.r) * 3.14", "square(self.r) * cube(self.r)"),
        ("fn square(", "/// Squares.\nfn square("),
        (
            "pub fn run() -> Session {",
            "pub fn run() -> Session {\n    helper();",
        ),
        (
            "type Id = u64;",
            "type Id = u64;\nfn helper() {}\nfn cube(x: f64) -> f64 { x }",
        ),
        ("pub struct Circle {", "pub struct Circle { // unclosed {"),
    ];
    let first = g.update_buffer(&path, &text).unwrap();
    assert!(!first.incremental);
    for (from, to) in edits {
        text = text.replacen(from, to, 1);
        g.update_buffer(&path, &text).unwrap();
        let cold_dir =
            std::env::temp_dir().join(format!("smallcode-graph-test-{}-cold", std::process::id()));
        let _ = std::fs::remove_dir_all(&cold_dir);
        std::fs::create_dir_all(&cold_dir).unwrap();
        std::fs::write(cold_dir.join("lib.rs"), &text).unwrap();
        let cold = Graph::open(&cold_dir, mem()).unwrap();
        cold.index(|_| {}).unwrap();
        assert_eq!(
            g.file_symbols(&path),
            cold.file_symbols(Path::new("lib.rs")),
            "after {to:?}"
        );
    }
    assert_eq!(g.callers("helper").len(), 1);
    // Unsaved buffers win over the disk during a re-index.
    g.index(|_| {}).unwrap();
    assert_eq!(g.definitions("helper").len(), 1);
}

#[test]
fn walk_renders_within_budget_without_cutting_symbols() {
    let g = Graph::open(fixtures().join("rust"), mem()).unwrap();
    g.index(|_| {}).unwrap();
    let w = g.walk(&Seeds::text("how does run call login?"), 120);
    assert!(w.tokens <= 120, "{} tokens", w.tokens);
    assert!(w.included.iter().any(|h| h.name == "run"), "{}", w.text);
    assert!(w.text.contains("pub fn run() -> Session {"), "{}", w.text);
    let big = g.walk(&Seeds::text("run"), 2000);
    assert!(big.full_bodies >= 1 && big.tokens <= 2000);
    // A full body is whole, from its first line to its closing brace.
    assert!(
        big.text
            .contains("pub fn run() -> Session {\n    let c = Circle::new(2.0);"),
        "{}",
        big.text
    );
    assert!(
        big.text.contains("    Session::login(\"me\")\n}\n"),
        "{}",
        big.text
    );
}

#[test]
fn neovim_indexes_in_the_background_and_sees_unsaved_callers() {
    let dir = nvim::tempdir("graph-live");
    std::fs::write(
        dir.join("calc.py"),
        "def add(a, b):\n    return a + b\n\n\ndef total(xs):\n    return add(xs[0], xs[1])\n",
    )
    .unwrap();
    std::fs::write(dir.join("blob.py"), b"\x00\x01binary\x00").unwrap();
    nvim::run_lua(
        "e2e/graph_live.lua",
        &[("PROJECT", dir.display().to_string())],
        std::time::Duration::from_secs(180),
    );
}

#[test]
fn prepare_walk_patches_after_a_body_edit_and_rebuilds_after_a_new_definition() {
    let dir = temp_project("prepare", "rust");
    let g = Graph::open(&dir, mem()).unwrap();
    g.index(|_| {}).unwrap();
    g.prepare_walk();
    let path = dir.join("lib.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let (builds, patches) = g.adjacency_counts();
    let body = text.replacen("square(self.r) * 3.14", "square(self.r) * cube(self.r)", 1);
    assert_ne!(body, text, "the fixture has the edited line");
    g.update_buffer(&path, &body).unwrap();
    g.prepare_walk();
    assert_eq!(
        g.adjacency_counts(),
        (builds, patches + 1),
        "a body edit patches"
    );
    g.prepare_walk();
    assert_eq!(
        g.adjacency_counts(),
        (builds, patches + 1),
        "nothing left to do"
    );
    g.update_buffer(&path, &format!("{body}\nfn added() {{ cube(2.0); }}\n"))
        .unwrap();
    g.prepare_walk();
    assert_eq!(
        g.adjacency_counts(),
        (builds + 1, patches + 1),
        "a new definition rebuilds"
    );
    let w = g.walk(&Seeds::text("added"), 500);
    assert!(w.text.contains("fn added()"), "{}", w.text);
}
