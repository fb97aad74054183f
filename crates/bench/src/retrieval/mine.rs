//! Mining retrieval cases from a repository's history: each kept commit becomes a request (its
//! subject and body) and an answer (the definitions it changed, as they stood at the parent).
//!
//! A commit is kept when it has one parent, its subject is not a merge, revert, release,
//! version bump, dependency update, docs, CI or typo commit, and its diff against the parent
//! changes between 1 and [`MAX_ANSWERS`] definitions of source files (tests, vendored and
//! generated code excluded). A changed line belongs to the innermost definition whose span
//! holds it, module definitions excepted; lines inserted *between* members of a class or at
//! file level name no definition (the code they add did not exist at the parent).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};
use tree_sitter::QueryCursor;

use smallcode_core::graph::extract::extract;
use smallcode_core::graph::types::SymbolKind;
use smallcode_core::syntax::{language_for_path, ParserPool};

use super::{Answer, Case};

/// Commits touching more definitions than this are skipped (large refactors).
pub const MAX_ANSWERS: usize = 5;
/// Longest request kept, in bytes (cut at a line end).
const MAX_REQUEST: usize = 2000;

/// Runs `git --git-dir=DIR ARGS…` and returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> anyhow::Result<Vec<u8>> {
    let out = Command::new("git")
        .arg(format!("--git-dir={}", dir.display()))
        .args(args)
        .output()
        .with_context(|| format!("running git {}", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// Whether a subject says the commit is not a behaviour change worth a case.
pub fn skip_subject(subject: &str) -> bool {
    let s = subject.trim().to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        "merge",
        "revert",
        "release",
        "bump",
        "build(deps",
        "chore(deps",
        "chore(release",
        "chore: release",
        "chore(main): release",
        "docs",
        "document",
        "doc:",
        "doc(",
        "readme",
        "changelog",
        "update changelog",
        "update dependencies",
        "update deps",
        "prepare",
        "ci:",
        "ci(",
        "fix ci",
        "version",
        "v0.",
        "v1.",
        "v2.",
        "v3.",
        "style:",
        "format",
        "cargo fmt",
        "run clang-format",
        "lint",
    ];
    if PREFIXES.iter().any(|p| s.starts_with(p)) {
        return true;
    }
    // A bare version number ("0.74.3", "2.0.2").
    if s.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ' ')
        && s.contains('.')
        && !s.is_empty()
    {
        return true;
    }
    [
        "typo",
        "spelling",
        "changelog",
        "readme",
        "documentation",
        "docstring",
        "formatter",
        "comment cleanup",
        "clean up comments",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// Paths whose definitions are not answers: tests and vendored code (as the walk sees them,
/// `graph::rank`), fixtures, generated and minified code, examples, benchmarks and docs.
pub fn skip_path(path: &str) -> bool {
    use smallcode_core::graph::rank::{is_test_path, is_vendored_path};
    let p = path.to_ascii_lowercase();
    let file = p.rsplit('/').next().unwrap_or(&p);
    let dirs = [
        "fixtures/",
        "node_modules/",
        "dist/",
        "build/",
        "examples/",
        "example/",
        "bench/",
        "benches/",
        "benchmark/",
        "benchmarks/",
        "docs/",
        "doc/",
        "scripts/",
    ];
    let in_dir = |d: &str| p.starts_with(d) || p.contains(&format!("/{d}"));
    is_test_path(path)
        || is_vendored_path(path)
        || dirs.iter().any(|d| in_dir(d))
        || file.contains(".min.")
        || file.starts_with("conftest")
}

/// Subject and body as one request: trailers (`Signed-off-by:` …) dropped, cut at
/// [`MAX_REQUEST`] bytes on a line end.
pub fn request_text(subject: &str, body: &str) -> String {
    let body: Vec<&str> = body
        .lines()
        .filter(|l| {
            let t = l.trim_start().to_ascii_lowercase();
            ![
                "signed-off-by:",
                "co-authored-by:",
                "reviewed-by:",
                "change-id:",
                "acked-by:",
                "tested-by:",
            ]
            .iter()
            .any(|p| t.starts_with(p))
        })
        .collect();
    let body = body.join("\n");
    let body = body.trim();
    let mut out = subject.trim().to_string();
    if !body.is_empty() {
        out.push_str("\n\n");
        out.push_str(body);
    }
    if out.len() > MAX_REQUEST {
        let mut cut = MAX_REQUEST;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        cut = out[..cut].rfind('\n').unwrap_or(cut);
        out.truncate(cut);
    }
    out
}

/// Whether `text` names `name` as a whole identifier (case-sensitive, 3+ characters).
pub fn names(text: &str, name: &str) -> bool {
    if name.len() < 3 {
        return false;
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// Old-side lines a hunk touches: `Changed(a, b)` = lines a..=b (1-based) removed or rewritten,
/// `Inserted(a)` = new lines between old lines a and a + 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Hunk {
    /// Old lines `a..=b` changed or deleted.
    Changed(u32, u32),
    /// Lines inserted after old line `a`.
    Inserted(u32),
}

/// Whether a diff line's text is blank or a comment (`//`, `#`, `--`, `/*`, `*`).
fn comment_or_blank(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || ["//", "#", "--", "/*", "*"]
            .iter()
            .any(|p| t.starts_with(p))
}

/// Parses the `@@ -a,b +c,d @@` headers of a `git diff -U0`. Hunks whose removed and added
/// lines are all comments or blank are left out: they change no behaviour.
pub fn hunks(diff: &str) -> Vec<Hunk> {
    let mut out = Vec::new();
    let mut code = false;
    let mut in_hunk = false;
    for line in diff.lines() {
        if !in_hunk && !line.starts_with("@@ -") {
            continue; // the file header (`--- a/x`, `+++ b/x`)
        }
        in_hunk = true;
        if let Some(t) = line.strip_prefix('-').or_else(|| line.strip_prefix('+')) {
            code |= !comment_or_blank(t);
            continue;
        }
        let Some(rest) = line.strip_prefix("@@ -") else {
            continue;
        };
        if !code {
            out.pop();
        }
        code = false;
        let old = rest.split(' ').next().unwrap_or("");
        let (a, n) = match old.split_once(',') {
            Some((a, n)) => (a.parse::<u32>().unwrap_or(0), n.parse::<u32>().unwrap_or(1)),
            None => (old.parse::<u32>().unwrap_or(0), 1),
        };
        out.push(if n == 0 {
            Hunk::Inserted(a)
        } else {
            Hunk::Changed(a, a + n - 1)
        });
    }
    if !code {
        out.pop();
    }
    out
}

/// A definition of a parent-commit file, 1-based lines.
#[derive(Debug, Clone)]
pub struct Def {
    /// Bare name.
    pub name: String,
    /// Kind.
    pub kind: SymbolKind,
    /// First line.
    pub start: u32,
    /// Last line.
    pub end: u32,
}

/// Definitions of `text` as the graph extracts them (`path` picks the language).
pub fn definitions(pool: &mut ParserPool, path: &str, text: &[u8]) -> Vec<Def> {
    let Some(lang) = language_for_path(Path::new(path)) else {
        return Vec::new();
    };
    let Some(tree) = pool.parse(lang, text, None) else {
        return Vec::new();
    };
    let mut cursor = QueryCursor::new();
    let Some(syms) = extract(lang, &tree, text, &mut cursor, false) else {
        return Vec::new();
    };
    syms.symbols
        .into_iter()
        .map(|s| Def {
            name: s.name,
            kind: s.kind,
            start: s.span.start_row + 1,
            end: s.span.end_row + 1,
        })
        .collect()
}

/// The definitions a file's hunks change (indexes into `defs`): for each changed line the
/// innermost non-module definition holding it; for an insertion, the innermost function or
/// method holding both neighbouring lines (an insertion between members adds a definition).
pub fn changed(defs: &[Def], hunks: &[Hunk]) -> Vec<usize> {
    let innermost = |pred: &dyn Fn(&Def) -> bool| -> Option<usize> {
        // `defs` is outer before inner, so the last match is the innermost.
        defs.iter()
            .enumerate()
            .filter(|(_, d)| d.kind != SymbolKind::Module && pred(d))
            .map(|(i, _)| i)
            .next_back()
    };
    let mut out = Vec::new();
    for h in hunks {
        match *h {
            Hunk::Changed(a, b) => {
                for line in a..=b {
                    if let Some(i) = innermost(&|d| d.start <= line && line <= d.end) {
                        out.push(i);
                    }
                }
            }
            Hunk::Inserted(a) => {
                if let Some(i) = innermost(&|d| d.start <= a && a < d.end) {
                    if matches!(defs[i].kind, SymbolKind::Function | SymbolKind::Method) {
                        out.push(i);
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Mining options.
pub struct MineOptions<'a> {
    /// The repository's bare git directory.
    pub git_dir: &'a Path,
    /// `owner/name`, stored in each case.
    pub repo: &'a str,
    /// Stop after this many cases.
    pub max: usize,
    /// Look at most at this many commits (first-parent history from `rev`).
    pub scan: usize,
    /// Where history starts (default `HEAD`).
    pub rev: &'a str,
}

/// Mines cases, newest commit first.
pub fn mine(o: &MineOptions) -> anyhow::Result<Vec<Case>> {
    let log = git(
        o.git_dir,
        &[
            "log",
            "--first-parent",
            "--no-merges",
            &format!("--max-count={}", o.scan),
            "--format=%H%x1f%P%x1f%s%x1f%b%x1e",
            o.rev,
        ],
    )?;
    let log = String::from_utf8_lossy(&log);
    let mut pool = ParserPool::new();
    let mut cases = Vec::new();
    for entry in log.split('\x1e') {
        if cases.len() >= o.max {
            break;
        }
        let f: Vec<&str> = entry.trim_start_matches('\n').split('\x1f').collect();
        let [commit, parents, subject, body] = f[..] else {
            continue;
        };
        let parents: Vec<&str> = parents.split_whitespace().collect();
        if parents.len() != 1 || skip_subject(subject) {
            continue;
        }
        let parent = parents[0];
        match case_for(o, &mut pool, commit, parent, subject, body) {
            Ok(Some(c)) => cases.push(c),
            Ok(None) => {}
            Err(e) => eprintln!("mine {}: {commit}: {e:#}", o.repo),
        }
    }
    Ok(cases)
}

fn case_for(
    o: &MineOptions,
    pool: &mut ParserPool,
    commit: &str,
    parent: &str,
    subject: &str,
    body: &str,
) -> anyhow::Result<Option<Case>> {
    let status = git(
        o.git_dir,
        &[
            "diff-tree",
            "-r",
            "--no-renames",
            "--name-status",
            parent,
            commit,
        ],
    )?;
    let status = String::from_utf8_lossy(&status);
    let modified: Vec<&str> = status
        .lines()
        .filter_map(|l| l.strip_prefix("M\t"))
        .filter(|p| language_for_path(Path::new(p)).is_some() && !skip_path(p))
        .collect();
    let mut answers = Vec::new();
    for path in modified {
        let diff = git(
            o.git_dir,
            &["diff", "-U0", "--no-renames", parent, commit, "--", path],
        )?;
        let hs = hunks(&String::from_utf8_lossy(&diff));
        let text = git(o.git_dir, &["show", &format!("{parent}:{path}")])?;
        let defs = definitions(pool, path, &text);
        for i in changed(&defs, &hs) {
            let d = &defs[i];
            answers.push(Answer {
                path: path.to_string(),
                name: d.name.clone(),
                kind: d.kind.as_str().to_string(),
                start_line: d.start,
                end_line: d.end,
            });
        }
        if answers.len() > MAX_ANSWERS {
            return Ok(None);
        }
    }
    if answers.is_empty() {
        return Ok(None);
    }
    let request = request_text(subject, body);
    let named = answers.iter().any(|a| names(&request, &a.name));
    let mut langs: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &answers {
        if let Some(l) = language_for_path(Path::new(&a.path)) {
            *langs.entry(l.name).or_default() += 1;
        }
    }
    let lang = langs
        .into_iter()
        .max_by_key(|x| x.1)
        .map_or("", |x| x.0)
        .to_string();
    Ok(Some(Case {
        repo: o.repo.to_string(),
        lang,
        commit: commit.to_string(),
        parent: parent.to_string(),
        request,
        answers,
        named,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers_give_old_side_lines() {
        let d = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -3,2 +3,4 @@ fn a\n-x\n+y\n\
                 @@ -10 +12 @@\n-a()\n+b()\n@@ -20,0 +23,2 @@\n+c()\n\
                 @@ -30 +33 @@\n-  // old\n+  // new\n";
        assert_eq!(
            hunks(d),
            [
                Hunk::Changed(3, 4),
                Hunk::Changed(10, 10),
                Hunk::Inserted(20)
            ],
            "the comment-only hunk at 30 is left out"
        );
    }

    #[test]
    fn changed_lines_map_to_the_innermost_definition() {
        let mk = |name: &str, kind, start, end| Def {
            name: name.into(),
            kind,
            start,
            end,
        };
        let defs = [
            mk("m", SymbolKind::Module, 1, 100),
            mk("C", SymbolKind::Class, 2, 50),
            mk("f", SymbolKind::Method, 5, 10),
            mk("g", SymbolKind::Method, 12, 20),
            mk("top", SymbolKind::Function, 60, 70),
        ];
        // A line in `f`, a line in the class between methods, a line outside everything.
        assert_eq!(
            changed(&defs, &[Hunk::Changed(6, 6), Hunk::Changed(11, 11)]),
            [1, 2]
        );
        assert!(changed(&defs, &[Hunk::Changed(80, 80)]).is_empty());
        // An insertion inside a body names it; between members it names nothing.
        assert_eq!(changed(&defs, &[Hunk::Inserted(13)]), [3]);
        assert!(changed(&defs, &[Hunk::Inserted(10)]).is_empty());
        assert!(changed(&defs, &[Hunk::Inserted(11)]).is_empty());
    }

    #[test]
    fn subjects_and_paths_are_filtered() {
        for s in [
            "Merge pull request #1",
            "Revert \"x\"",
            "0.74.3",
            "build(deps): bump x",
            "docs: fix",
            "Fix typo in comment",
            "Bump version",
        ] {
            assert!(skip_subject(s), "{s}");
        }
        for s in [
            "Fix crash when the pool is shut down",
            "feat(blame): add option",
        ] {
            assert!(!skip_subject(s), "{s}");
        }
        for p in [
            "tests/a.py",
            "src/foo_test.go",
            "lib/test_x.py",
            "src/test/java/A.java",
            "src/x.spec.ts",
        ] {
            assert!(skip_path(p), "{p}");
        }
        assert!(!skip_path("src/main/java/org/jsoup/Jsoup.java"));
        assert!(!skip_path("src/terminal.go"));
    }

    #[test]
    fn a_request_names_a_symbol_only_as_a_whole_identifier() {
        assert!(names("Fix `extend()` dropping", "extend"));
        assert!(!names("extended support", "extend"));
        assert!(!names("Fix x", "x"));
        let r = request_text("Subject", "Body line\n\nSigned-off-by: A <a@b>\n");
        assert_eq!(r, "Subject\n\nBody line");
    }
}
