//! The benchmark task suite (bench/tasks) is well-formed and verified: every task fails on its
//! unmodified fixture and passes with its reference solution (bench/verify.sh), and the suite
//! keeps the size and tier/language/category mix the benchmark promises. Never skips: a missing
//! toolchain is a failure that names bench/install-toolchains.sh.
//!
//! Two suites share bench/tasks: the original one (a visible test or a quoted error in every
//! task; its shares are computed without the by-example tasks) and the `by-example` category
//! (requests as users type them: no test files in the project, the expected behaviour stated by
//! example in the prompt, hidden checks).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::proc::OutputWithin;

const LANGUAGES: [&str; 6] = ["python", "javascript", "c", "rust", "go", "lua"];
const CATEGORIES: [&str; 8] = [
    "fix-test",
    "implement",
    "compile-error",
    "runtime-error",
    "refactor",
    "feature",
    "multi-round",
    "by-example",
];
/// The category whose tasks carry no tests and state their expectations by example.
const BY_EXAMPLE: &str = "by-example";

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
    let all = load_tasks();
    // The original suite's shares are computed without the by-example tasks.
    let tasks: Vec<&Task> = all.iter().filter(|t| t.category != BY_EXAMPLE).collect();
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
        .filter(|c| **c != BY_EXAMPLE)
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
    // Tier-1 fixtures are small: every file under 40 lines (by-example tasks included).
    for t in all.iter().filter(|t| t.tier == 1) {
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
    for t in &all {
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
    eprintln!(
        "{total} tasks (+ {} by-example): {summary}",
        all.len() - total
    );
}

/// A file the user would run as a test: by name (test_*.py, *_test.go, *.test.js, *_spec.lua,
/// files under a tests/ or spec/ folder, …) or by content (Rust `#[test]`/`#[cfg(test)]`, Go
/// `testing` import, Python unittest/pytest imports), plus a package.json `test` script and a
/// Makefile `test` target. Docstring examples (doctest) are part of the code, not a test file.
fn is_test_file(rel: &Path, text: &str) -> bool {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let ext = name.rsplit('.').next().unwrap_or_default();
    let source = ["py", "js", "mjs", "cjs", "ts", "c", "h", "rs", "go", "lua"].contains(&ext);
    let in_test_dir = rel.parent().is_some_and(|p| {
        p.components().any(|c| {
            matches!(
                c.as_os_str().to_string_lossy().to_lowercase().as_str(),
                "test" | "tests" | "spec" | "specs" | "__tests__" | "testdata"
            )
        })
    });
    let by_name = source
        && (stem.starts_with("test_")
            || stem.ends_with("_test")
            || stem.ends_with("_spec")
            || stem == "test"
            || stem == "tests"
            || stem == "conftest"
            || name.contains(".test.")
            || name.contains(".spec."));
    let by_content = match ext {
        "rs" => text.contains("#[test]") || text.contains("#[cfg(test)]"),
        "go" => text.contains("\"testing\""),
        "py" => {
            text.contains("import unittest")
                || text.contains("import pytest")
                || text.contains("from unittest")
        }
        _ => false,
    };
    let test_script = name == "package.json" && text.contains("\"test\"");
    let test_target = matches!(name.as_str(), "makefile" | "gnumakefile")
        && text
            .lines()
            .any(|l| l.starts_with("test:") || l.starts_with("check:"));
    in_test_dir || by_name || by_content || test_script || test_target
}

/// A backticked call `name(args)` with at least one literal among its arguments (a digit, a
/// quote, `[` or `{`), as in `` `slug('Hi There')` must return … `` or
/// `` fix mean so `mean([1,2,3]) == 2` ``. Code fences (quoted output) do not count.
fn has_literal_call(text: &str) -> bool {
    let prose: Vec<&str> = text.split("```").step_by(2).collect();
    prose
        .iter()
        .flat_map(|p| p.split('`').skip(1).step_by(2))
        .any(literal_call_in)
}

fn literal_call_in(text: &str) -> bool {
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.';
    for (i, &c) in b.iter().enumerate() {
        if c != b'(' || i == 0 || !ident(b[i - 1]) {
            continue;
        }
        let mut start = i;
        while start > 0 && ident(b[start - 1]) {
            start -= 1;
        }
        if !(b[start].is_ascii_alphabetic() || b[start] == b'_') {
            continue;
        }
        let (mut depth, mut j) = (0usize, i);
        while j < b.len() {
            match b[j] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                b'\n' => break,
                _ => {}
            }
            j += 1;
        }
        let args = &text[i + 1..j.min(b.len())];
        if args
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '\'' | '"' | '[' | '{'))
        {
            return true;
        }
    }
    false
}

/// Program output stated by example: "must print `3 9`", "prints 5 but it should print 6",
/// "so that it prints `42`": the word print(s) followed by a backticked or quoted text or a
/// number.
fn has_stated_output(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.match_indices("print").any(|(i, _)| {
        let rest = lower[i + "print".len()..].trim_start_matches('s');
        let rest = rest.trim_start();
        rest.starts_with('`')
            || rest.starts_with('"')
            || rest
                .trim_start_matches('-')
                .starts_with(|c: char| c.is_ascii_digit())
    })
}

#[test]
fn by_example_tasks() {
    let all = load_tasks();
    let ex: Vec<&Task> = all.iter().filter(|t| t.category == BY_EXAMPLE).collect();
    let count = |f: &dyn Fn(&Task) -> bool| ex.iter().filter(|t| f(t)).count();
    let by_lang: BTreeMap<&str, usize> = LANGUAGES
        .iter()
        .map(|l| (*l, count(&|t: &Task| t.language == *l)))
        .collect();
    let tiers: Vec<usize> = (1..=3).map(|k| count(&|t: &Task| t.tier == k)).collect();
    let summary = format!("tiers {tiers:?}, languages {by_lang:?}");
    assert!(
        ex.len() >= 24,
        "need at least 24 by-example tasks, found {}: {summary}",
        ex.len()
    );
    // All six languages; Python and JavaScript with more than the minimum.
    for (lang, n) in &by_lang {
        let min = match *lang {
            "python" => 6,
            "javascript" => 5,
            _ => 3,
        };
        assert!(
            *n >= min,
            "by-example needs at least {min} {lang} tasks: {summary}"
        );
    }
    // Mostly tier 1 (one function), some tier 2 (a stub or a small CLI), no tier 3.
    assert!(
        tiers[0] > tiers[1] && tiers[1] >= 3 && tiers[2] == 0,
        "by-example tasks are mostly tier 1 with some tier 2: {summary}"
    );
    let mut problems = Vec::new();
    for t in &all {
        if (t.category == BY_EXAMPLE) != t.id.contains("-ex-") {
            problems.push(format!(
                "{}: by-example ids read <lang>-t<tier>-ex-<name>, and only they",
                t.id
            ));
        }
    }
    for t in &ex {
        let td = bench_dir().join("tasks").join(&t.id);
        // No test files in the project the agent gets.
        let files = td.join("files");
        for f in walk(&files) {
            let rel = f.strip_prefix(&files).unwrap();
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            if is_test_file(rel, &text) {
                problems.push(format!("{}: files/{} is a test file", t.id, rel.display()));
            }
        }
        // Hidden checks: the check reads its cases from hidden/.
        if walk(&td.join("hidden")).is_empty() {
            problems.push(format!("{}: no hidden tests in hidden/", t.id));
        }
        // The prompt states at least one concrete example of the expected behaviour.
        let prompt = std::fs::read_to_string(td.join("prompt.md")).unwrap_or_default();
        if !has_literal_call(&prompt) && !has_stated_output(&prompt) {
            problems.push(format!(
                "{}: prompt.md states no concrete example (a backticked call with literal arguments or a stated output)",
                t.id
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "by-example tasks:\n{}",
        problems.join("\n")
    );
    eprintln!("{} by-example tasks: {summary}", ex.len());
}

#[test]
fn by_example_detectors() {
    assert!(has_literal_call(
        "`slug('Hi There')` must return `'hi-there'`"
    ));
    assert!(has_literal_call("fix mean so `mean([1,2,3]) == 2`"));
    assert!(!has_literal_call("fix mean so mean([1,2,3]) == 2"));
    assert!(!has_literal_call("```\nassert f(1) == 2\n```"));
    assert!(has_literal_call("`Max([]int{-3, -1})` should be -1"));
    assert!(!has_literal_call("Implement `caesar(s, n)` in cipher.lua"));
    assert!(!has_literal_call(
        "called `Result::unwrap()` on an `Err` value"
    ));
    assert!(has_stated_output("it must print `3 9`"));
    assert!(has_stated_output(
        "`node main.js 2 3` prints 5 but it should print 6"
    ));
    assert!(has_stated_output("so that it prints \"42\""));
    assert!(!has_stated_output("`node report.js` prints nonsense"));
    let t = |p: &str, text: &str| is_test_file(Path::new(p), text);
    assert!(t("test_calc.py", ""));
    assert!(t("names.test.js", ""));
    assert!(t("abs_test.go", "package mathx"));
    assert!(t("tests/cli.rs", ""));
    assert!(t("src/lib.rs", "#[cfg(test)]\nmod tests {}"));
    assert!(t("test_list.lua", ""));
    assert!(t("package.json", r#"{"scripts": {"test": "node t.js"}}"#));
    assert!(t("Makefile", "all:\n\tcc x.c\ntest: all\n\t./t\n"));
    assert!(!t(
        "stats.py",
        "def median(xs):\n    \"\"\"\n    >>> median([1])\n    1\n    \"\"\""
    ));
    assert!(!t("src/main.rs", "fn main() {}"));
    assert!(!t("latest.py", ""));
    assert!(!t("contest.js", ""));
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
        .output_within(Duration::from_secs(60))
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
    // Every task's check runs twice (unmodified, then solved): the limit only catches a hang.
    let out = Command::new(bench_dir().join("verify.sh"))
        .output_within(Duration::from_secs(1200))
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
