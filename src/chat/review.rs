//! Re-checks the part of a change set the user accepted in review.
//!
//! Accepting only some hunks leaves the buffers with a text no check has seen. That text is
//! staged in a shadow copy of the project (the user's buffers and files are never touched) and
//! the agent's own checkers run on it: the syntax checkers of every file
//! (`smallcode_agent::check::checkers_for`), then, when the project is trusted, its detected
//! test command. Untrusted, the tests are not run and the result says so.

use std::path::{Path, PathBuf};
use std::time::Duration;

use smallcode_agent::check;
use smallcode_agent::workspace::Workspace;

/// Limit per checker run (the agent's default).
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(120);

/// What a re-check found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recheck {
    /// Every check that ran passed (and at least one file could be staged).
    pub ok: bool,
    /// One summary line per check (`py_compile: ok`), then what did not run and why.
    pub lines: Vec<String>,
}

/// Stages `files` (absolute path, text) under `root` in a shadow copy and runs the checks there.
/// Files outside the root are skipped with a line saying so.
pub async fn recheck(
    root: &Path,
    files: &[(PathBuf, String)],
    trusted: bool,
    timeout: Duration,
) -> Recheck {
    let mut lines = Vec::new();
    let mut ws = match Workspace::new(root) {
        Ok(ws) => ws,
        Err(e) => {
            return Recheck {
                ok: false,
                lines: vec![format!("cannot open {}: {e}", root.display())],
            }
        }
    };
    let mut rels = Vec::new();
    for (path, text) in files {
        let full = path.canonicalize().unwrap_or_else(|_| path.clone());
        if !full.starts_with(ws.root()) {
            lines.push(format!(
                "{}: outside the project, not checked",
                path.display()
            ));
            continue;
        }
        if let Err(e) = ws.stage(&full, text.clone()) {
            lines.push(format!("{}: could not be staged: {e}", path.display()));
            continue;
        }
        rels.push(ws.rel(&full));
    }
    let dir = match ws.shadow_root() {
        Ok(d) => d,
        Err(e) => {
            lines.push(format!("no shadow copy: {e}"));
            return Recheck { ok: false, lines };
        }
    };
    let mut ok = !rels.is_empty();
    // One run per distinct command: `cargo check` covers every Rust file at once.
    let mut seen: Vec<String> = Vec::new();
    let mut syntax_ok = true;
    for rel in &rels {
        for cmd in check::checkers_for(ws.root(), rel) {
            if seen.contains(&cmd.command) {
                continue;
            }
            seen.push(cmd.command.clone());
            let r = check::run(&dir, &cmd, timeout).await;
            syntax_ok &= r.ok;
            lines.push(r.summary());
        }
    }
    ok &= syntax_ok;
    // The test command is detected from the project's files, as the agent does.
    match check::detect_tests(ws.root(), &ws.files(2000)) {
        // Tests of code that does not compile only add noise.
        Some(_) if !syntax_ok => lines.push("tests: not run (the syntax checks fail)".into()),
        Some(cmd) if trusted => {
            let r = check::run(&dir, &cmd, timeout).await;
            ok &= r.ok;
            lines.push(r.summary());
        }
        Some(_) => lines.push("tests: not run (the project is not trusted)".into()),
        None => {}
    }
    if seen.is_empty() && lines.is_empty() {
        lines.push("no checks apply to these files".into());
    }
    Recheck { ok, lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("smallcode-recheck-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a - b\n").unwrap();
        std::fs::write(
            dir.join("test_calc.py"),
            "from calc import add\nassert add(2, 3) == 5\n",
        )
        .unwrap();
        dir
    }

    #[tokio::test]
    async fn staged_text_is_checked_and_the_files_are_left_alone() {
        let python = std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("python3").is_file()));
        if !python {
            return;
        }
        let dir = project("ok");
        let good = (
            dir.join("calc.py"),
            "def add(a, b):\n    return a + b\n".into(),
        );
        let r = recheck(&dir, std::slice::from_ref(&good), true, CHECK_TIMEOUT).await;
        assert!(r.ok, "{r:?}");
        assert!(r.lines.iter().any(|l| l == "py_compile: ok"), "{r:?}");
        assert!(r.lines.iter().any(|l| l == "tests: ok"), "{r:?}");
        assert!(std::fs::read_to_string(dir.join("calc.py"))
            .unwrap()
            .contains("a - b"));

        let r = recheck(&dir, &[good], false, CHECK_TIMEOUT).await;
        assert!(r.ok, "syntax checks alone pass: {r:?}");
        assert!(
            r.lines
                .contains(&"tests: not run (the project is not trusted)".to_string()),
            "{r:?}"
        );

        let bad = (
            dir.join("calc.py"),
            "def add(a, b):\n    return a +\n".into(),
        );
        let r = recheck(&dir, &[bad], true, CHECK_TIMEOUT).await;
        assert!(!r.ok);
        assert!(r.lines[0].starts_with("py_compile: 1 problem(s)"), "{r:?}");
        assert_eq!(r.lines[1], "tests: not run (the syntax checks fail)");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn files_outside_the_root_are_not_checked() {
        let dir = project("outside");
        let r = recheck(
            &dir,
            &[(PathBuf::from("/etc/hostname"), "x".into())],
            false,
            CHECK_TIMEOUT,
        )
        .await;
        assert!(!r.ok);
        assert_eq!(
            r.lines[0],
            "/etc/hostname: outside the project, not checked"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
