//! The benchmark task suite (bench/tasks) is well-formed and verified: every task fails on its
//! unmodified fixture and passes with its reference solution (bench/verify.sh), and the suite
//! keeps the size and tier/language/category mix the benchmark promises. Never skips: a missing
//! toolchain is a failure that names bench/install-toolchains.sh.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const LANGUAGES: [&str; 6] = ["python", "javascript", "c", "rust", "go", "lua"];
const CATEGORIES: [&str; 7] = [
    "fix-test",
    "implement",
    "compile-error",
    "runtime-error",
    "refactor",
    "feature",
    "multi-round",
];

struct Task {
    id: String,
    language: String,
    tier: u32,
    category: String,
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench")
}

fn toml_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
    })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn load_tasks() -> Vec<Task> {
    let tasks_dir = bench_dir().join("tasks");
    let mut ids: Vec<String> = std::fs::read_dir(&tasks_dir)
        .expect("bench/tasks exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for id in ids {
        let td = tasks_dir.join(&id);
        let sd = bench_dir().join("solutions").join(&id);
        let toml = std::fs::read_to_string(td.join("task.toml")).unwrap_or_default();
        let language = toml_value(&toml, "language").unwrap_or_default();
        let category = toml_value(&toml, "category").unwrap_or_default();
        let tier: u32 = toml_value(&toml, "tier")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let timeout: u32 = toml_value(&toml, "timeout")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if !LANGUAGES.contains(&language.as_str()) {
            problems.push(format!("{id}: bad or missing language {language:?}"));
        }
        if !CATEGORIES.contains(&category.as_str()) {
            problems.push(format!("{id}: bad or missing category {category:?}"));
        }
        if !(1..=3).contains(&tier) {
            problems.push(format!("{id}: bad or missing tier"));
        }
        if timeout == 0 {
            problems.push(format!("{id}: missing timeout"));
        }
        if !td.join("files").is_dir() {
            problems.push(format!("{id}: missing files/"));
        }
        if !sd.is_dir() {
            problems.push(format!("{id}: missing solution bench/solutions/{id}"));
        }
        let rounds = td.join("rounds");
        if rounds.is_dir() {
            let n = std::fs::read_dir(&rounds).unwrap().count();
            if n < 2 {
                problems.push(format!("{id}: a multi-round task needs at least 2 rounds"));
            }
            for r in 1..=n {
                let rd = rounds.join(r.to_string());
                if !rd.join("prompt.md").is_file() || !is_executable(&rd.join("check")) {
                    problems.push(format!(
                        "{id}: round {r} lacks prompt.md or an executable check"
                    ));
                }
                if !sd.join("rounds").join(r.to_string()).is_dir() {
                    problems.push(format!("{id}: missing solution for round {r}"));
                }
            }
            if category != "multi-round" {
                problems.push(format!("{id}: has rounds/ but category {category}"));
            }
        } else {
            if !td.join("prompt.md").is_file() || !is_executable(&td.join("check")) {
                problems.push(format!("{id}: missing prompt.md or executable check"));
            }
            if category == "multi-round" {
                problems.push(format!("{id}: category multi-round but no rounds/"));
            }
        }
        out.push(Task {
            id,
            language,
            tier,
            category,
        });
    }
    assert!(
        problems.is_empty(),
        "malformed tasks:\n{}",
        problems.join("\n")
    );
    out
}

fn share(n: usize, total: usize) -> f64 {
    n as f64 / total as f64
}

#[test]
fn suite_layout_and_distribution() {
    let tasks = load_tasks();
    let total = tasks.len();
    assert!(total >= 60, "need at least 60 tasks, found {total}");

    let count = |f: &dyn Fn(&Task) -> bool| tasks.iter().filter(|t| f(t)).count();
    let tiers: Vec<usize> = (1..=3).map(|k| count(&|t: &Task| t.tier == k)).collect();
    let by_lang: BTreeMap<&str, usize> = LANGUAGES
        .iter()
        .map(|l| (*l, count(&|t: &Task| t.language == *l)))
        .collect();
    let by_cat: BTreeMap<&str, usize> = CATEGORIES
        .iter()
        .map(|c| (*c, count(&|t: &Task| t.category == *c)))
        .collect();
    let summary = format!("tiers {tiers:?}, languages {by_lang:?}, categories {by_cat:?}");

    // Tier shares: ≈ 40 / 35 / 25 %.
    let t1 = share(tiers[0], total);
    let t2 = share(tiers[1], total);
    let t3 = share(tiers[2], total);
    assert!(
        (0.35..=0.45).contains(&t1),
        "tier 1 should be ~40%: {summary}"
    );
    assert!(
        (0.30..=0.40).contains(&t2),
        "tier 2 should be ~35%: {summary}"
    );
    assert!(
        (0.20..=0.30).contains(&t3),
        "tier 3 should be ~25%: {summary}"
    );

    // Python ≈ 40% and the largest; every language present with at least 3 tasks, and
    // JavaScript next after Python.
    let py = by_lang["python"];
    assert!(
        (0.35..=0.45).contains(&share(py, total)),
        "Python should be ~40%: {summary}"
    );
    for (lang, n) in &by_lang {
        assert!(*n >= 3, "language {lang} needs at least 3 tasks: {summary}");
        if *lang != "python" {
            assert!(*n < py, "Python must be the largest language: {summary}");
            assert!(
                *n <= by_lang["javascript"],
                "JavaScript must come second: {summary}"
            );
        }
    }
    // Every category present (at least 3 each).
    for (cat, n) in &by_cat {
        assert!(*n >= 3, "category {cat} needs at least 3 tasks: {summary}");
    }
    // Tier 1 is single-fix work; cross-file refactors, features and multi-round are tier 3.
    for t in &tasks {
        if matches!(t.category.as_str(), "refactor" | "feature" | "multi-round") {
            assert_eq!(t.tier, 3, "{}: {} tasks are tier 3", t.id, t.category);
        }
        if t.tier == 1 {
            assert!(
                matches!(
                    t.category.as_str(),
                    "fix-test" | "runtime-error" | "compile-error"
                ),
                "{}: tier 1 tasks are fixes with the error given",
                t.id
            );
        }
    }
    // Tier-1 fixtures are small: every file under 40 lines.
    for t in tasks.iter().filter(|t| t.tier == 1) {
        let files = bench_dir().join("tasks").join(&t.id).join("files");
        for f in walk(&files) {
            let lines = std::fs::read_to_string(&f)
                .map(|s| s.lines().count())
                .unwrap_or(0);
            assert!(
                lines < 40,
                "{}: tier-1 file {} has {lines} lines",
                t.id,
                f.display()
            );
        }
    }
    // The agent's directory (files/) never carries checks, hidden tests or solutions.
    for t in &tasks {
        let files = bench_dir().join("tasks").join(&t.id).join("files");
        for f in walk(&files) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name != "check", "{}: files/ contains a check", t.id);
            assert!(
                !f.components().any(|c| c.as_os_str() == "hidden"),
                "{}: files/ contains hidden tests",
                t.id
            );
        }
    }
    eprintln!("{total} tasks: {summary}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn every_task_fails_unmodified_and_passes_with_its_solution() {
    let missing: Vec<&str> = ["python3", "node", "gcc", "rustc", "go"]
        .into_iter()
        .filter(|c| !have(c))
        .chain((!have("lua5.4") && !have("lua")).then_some("lua5.4"))
        .collect();
    assert!(
        missing.is_empty(),
        "toolchains missing for the benchmark tasks: {missing:?}. Install Go and Lua with \
         `bench/install-toolchains.sh` (python3, node, gcc and rustc must already be present)"
    );
    let out = Command::new(bench_dir().join("verify.sh"))
        .output()
        .expect("run bench/verify.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bench/verify.sh failed:\n{stdout}\n{stderr}"
    );
    let tasks = load_tasks().len();
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("{tasks} passed, 0 failed")),
        "unexpected verify summary: {last}\n{stdout}"
    );
}
