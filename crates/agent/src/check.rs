//! The improvement loop's checkers: which to run for a change, running them on the shadow tree,
//! and reading their output as `file:line:col: message` diagnostics.
//!
//! Checkers are picked from what is installed (a missing tool is skipped, not an error):
//! `python3 -m py_compile` (+ `ruff`/`pyflakes` when present), `node --check`, `tsc --noEmit`,
//! `cargo check` or `rustc`, `gcc`/`g++ -fsyntax-only`, `go vet`, `luac -p`. The project's test
//! command (configured, or detected: pytest/unittest, `cargo test`, `npm test`, `go test`,
//! `make test`) runs after them. All of these run freely: they are the harness's own checks.

use std::path::Path;
use std::time::Duration;

use smallcode_core::budget::reduce::{reduce, ReduceConfig};
use smallcode_core::budget::tokens::Calibration;

/// One problem a checker reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Path relative to the project root, as the checker printed it.
    pub file: String,
    /// 1-based line, when given.
    pub line: Option<usize>,
    /// 1-based column, when given.
    pub col: Option<usize>,
    /// The message (first line).
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.col) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A command to run in the shadow tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCmd {
    /// Short name for the chat (`py_compile`, `cargo check`, `tests`).
    pub name: String,
    /// Shell command line, run with `sh -c` in the shadow root.
    pub command: String,
}

/// What one checker said.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// Which checker.
    pub cmd: CheckCmd,
    /// Exit status 0 (and no timeout).
    pub ok: bool,
    /// Parsed diagnostics, in output order.
    pub diagnostics: Vec<Diagnostic>,
    /// Output reduced to the lines that matter, for the model.
    pub output: String,
}

impl CheckResult {
    /// One line for a tool result or the chat: `cargo check: 2 errors: a.rs:3:1: …`.
    pub fn summary(&self) -> String {
        if self.ok {
            return format!("{}: ok", self.cmd.name);
        }
        match self.diagnostics.first() {
            Some(d) => format!(
                "{}: {} problem(s): {d}",
                self.cmd.name,
                self.diagnostics.len()
            ),
            None => {
                let last = self
                    .output
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("failed");
                format!("{}: failed: {}", self.cmd.name, last.trim())
            }
        }
    }
}

pub(crate) fn installed(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Syntax/type checkers for one changed file (relative path), given the project root.
pub fn checkers_for(root: &Path, rel: &str) -> Vec<CheckCmd> {
    let ext = Path::new(rel)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let f = quote(rel);
    let cmd = |name: &str, command: String| CheckCmd {
        name: name.into(),
        command,
    };
    let mut out = Vec::new();
    match ext {
        "py" => {
            out.push(cmd("py_compile", format!("python3 -m py_compile {f}")));
            if installed("ruff") {
                out.push(cmd(
                    "ruff",
                    format!(
                        "ruff check --quiet --select E9,F63,F7,F82 --output-format concise {f}"
                    ),
                ));
            } else if installed("pyflakes") {
                out.push(cmd("pyflakes", format!("pyflakes {f}")));
            }
        }
        "js" | "mjs" | "cjs" => out.push(cmd("node --check", format!("node --check {f}"))),
        "ts" | "tsx" if installed("tsc") => {
            out.push(cmd("tsc", format!("tsc --noEmit --pretty false {f}")))
        }
        "rs" => {
            if root.join("Cargo.toml").exists() {
                out.push(cmd(
                    "cargo check",
                    "cargo check --quiet --message-format short 2>&1".into(),
                ));
            } else {
                out.push(cmd(
                    "rustc",
                    format!(
                        "rustc --edition 2021 --error-format short --emit=metadata --crate-type lib -o /dev/null {f} 2>&1 | grep -v '^warning' ; exit ${{PIPESTATUS[0]}}"
                    ),
                ));
            }
        }
        "c" | "h" => out.push(cmd("gcc", format!("gcc -fsyntax-only -Wall {f}"))),
        "cc" | "cpp" | "cxx" | "hpp" => {
            out.push(cmd("g++", format!("g++ -fsyntax-only -Wall {f}")))
        }
        "go" if installed("go") => {
            if root.join("go.mod").exists() {
                out.push(cmd("go vet", "go vet ./...".into()));
            } else {
                out.push(cmd("gofmt", format!("gofmt -e -l {f} >/dev/null")));
            }
        }
        "lua" => {
            for tool in ["luac", "luac5.4", "luac5.3", "luac5.1"] {
                if installed(tool) {
                    out.push(cmd("luac", format!("{tool} -p {f}")));
                    break;
                }
            }
        }
        _ => {}
    }
    out
}

/// The `#include` lines gcc's own fix-its add to the C/C++ file `rel` (run in `dir`): a body
/// calling `abs` or `strlen` without its header builds with a warning and fails any check that
/// treats implicit declarations as errors, and the header it needs is the compiler's to name, not
/// the model's. Each is (1-based line to insert before, the line with its newline).
pub async fn missing_includes(dir: &Path, rel: &str, timeout: Duration) -> Vec<(usize, String)> {
    let compiler = match rel.rsplit('.').next() {
        Some("c" | "h") => "gcc",
        Some("cc" | "cpp" | "cxx" | "hpp") => "g++",
        _ => return Vec::new(),
    };
    if !installed(compiler) {
        return Vec::new();
    }
    let cmd = CheckCmd {
        name: "fix-its".into(),
        command: format!(
            "{compiler} -fsyntax-only -fdiagnostics-parseable-fixits {} 2>&1",
            quote(rel)
        ),
    };
    let out = run(dir, &cmd, timeout).await.output;
    parse_include_fixits(&out, rel)
}

/// `fix-it:"FILE":{L:1-L:1}:"#include <h>\n"` lines for `rel`, deduplicated, in order.
fn parse_include_fixits(output: &str, rel: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for line in output.lines() {
        let Some(rest) = line.strip_prefix(&format!("fix-it:\"{rel}\":{{")) else {
            continue;
        };
        let Some((range, text)) = rest.split_once("}:\"") else {
            continue;
        };
        let Some((from, to)) = range.split_once('-') else {
            continue;
        };
        let Some(at) = from
            .strip_suffix(":1")
            .and_then(|l| l.parse::<usize>().ok())
        else {
            continue;
        };
        let text = text.strip_suffix('"').unwrap_or(text);
        let Some(header) = text
            .strip_prefix("#include <")
            .and_then(|t| t.strip_suffix(">\\n"))
        else {
            continue;
        };
        let header_ok = !header.is_empty()
            && header
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._/".contains(c));
        let include = format!("#include <{header}>\n");
        if from == to && header_ok && !out.iter().any(|(_, t)| *t == include) {
            out.push((at, include));
        }
    }
    out
}

/// Whether a Rust project has a test: a file under `tests/`, or a `.rs` file with `#[test]`
/// (read until one is found).
fn has_rust_tests(root: &Path, files: &[String]) -> bool {
    let rs = files.iter().filter(|f| f.ends_with(".rs"));
    rs.clone()
        .any(|f| f.starts_with("tests/") || f.contains("/tests/"))
        || rs
            .into_iter()
            .any(|f| std::fs::read_to_string(root.join(f)).is_ok_and(|t| t.contains("#[test]")))
}

/// The project's test command, when one can be detected from its files.
pub fn detect_tests(root: &Path, files: &[String]) -> Option<CheckCmd> {
    let cmd = |command: &str| {
        Some(CheckCmd {
            name: "tests".into(),
            command: command.into(),
        })
    };
    // `cargo test` and `go test` pass with no test at all: a vacuous "tests" check would count
    // as evidence (a one-example Go fix was labelled verified "by tests" in run U).
    if root.join("Cargo.toml").exists() && has_rust_tests(root, files) {
        return cmd("cargo test --quiet 2>&1");
    }
    if let Ok(pkg) = std::fs::read_to_string(root.join("package.json")) {
        if pkg.contains("\"test\"") {
            return cmd("npm test --silent 2>&1");
        }
    }
    if root.join("go.mod").exists()
        && files.iter().any(|f| f.ends_with("_test.go"))
        && installed("go")
    {
        return cmd("go test ./... 2>&1");
    }
    let is_py_test = |f: &String| {
        let name = f.rsplit('/').next().unwrap_or(f);
        name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"))
    };
    if files.iter().any(is_py_test) {
        let has_pytest = std::process::Command::new("python3")
            .args(["-c", "import pytest"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if has_pytest {
            return cmd("python3 -m pytest -q -x 2>&1");
        }
        // Test files written as plain scripts (module-level asserts) run as scripts.
        let scripts: Vec<&String> = files.iter().filter(|f| is_py_test(f)).collect();
        let uses_unittest = scripts
            .iter()
            .any(|f| std::fs::read_to_string(root.join(f)).is_ok_and(|t| t.contains("unittest")));
        if uses_unittest {
            return cmd("python3 -m unittest discover -q 2>&1");
        }
        let runs: Vec<String> = scripts
            .iter()
            .map(|f| format!("python3 {} 2>&1", quote(f)))
            .collect();
        return cmd(&runs.join(" && "));
    }
    // Plain test scripts next to the code: run each with its interpreter.
    let name_of = |f: &String| f.rsplit('/').next().unwrap_or(f).to_string();
    let is_test_name = |n: &str, ext: &str| {
        n.ends_with(ext)
            && (n.starts_with("test")
                || n.contains(&format!(".test{ext}"))
                || n.contains(&format!("_test{ext}"))
                || n.contains(&format!("_spec{ext}")))
    };
    let js: Vec<&String> = files
        .iter()
        .filter(|f| is_test_name(&name_of(f), ".js"))
        .collect();
    if !js.is_empty() && installed("node") {
        let runs: Vec<String> = js
            .iter()
            .map(|f| format!("node {} 2>&1", quote(f)))
            .collect();
        return cmd(&runs.join(" && "));
    }
    let lua: Vec<&String> = files
        .iter()
        .filter(|f| is_test_name(&name_of(f), ".lua"))
        .collect();
    if let Some(lua_bin) = ["lua", "lua5.4", "lua5.3", "luajit", "lua5.1"]
        .into_iter()
        .find(|b| installed(b))
    {
        if !lua.is_empty() {
            let runs: Vec<String> = lua
                .iter()
                .map(|f| format!("{lua_bin} {} 2>&1", quote(f)))
                .collect();
            return cmd(&runs.join(" && "));
        }
    }
    let c_tests: Vec<&String> = files
        .iter()
        .filter(|f| is_test_name(&name_of(f), ".c"))
        .collect();
    if c_tests.len() == 1 && installed("gcc") {
        let sources: Vec<String> = files
            .iter()
            .filter(|f| f.ends_with(".c") && !c_tests.contains(f))
            .map(|f| quote(f))
            .collect();
        return cmd(&format!(
            "gcc -Wall -o /tmp/smallcode-ctest-$$ {} {} 2>&1 && /tmp/smallcode-ctest-$$ 2>&1; s=$?; rm -f /tmp/smallcode-ctest-$$; exit $s",
            quote(c_tests[0]),
            sources.join(" ")
        ));
    }
    if let Ok(mk) = std::fs::read_to_string(root.join("Makefile")) {
        if mk.lines().any(|l| l.starts_with("test:")) {
            return cmd("make -s test 2>&1");
        }
    }
    None
}

/// The command the user's request quotes as failing (`` `lua5.4 main.lua` crashes …``), as a
/// check: a runtime error is only fixed when that command runs clean, and a small model's
/// plausible-looking fix often is not. Only the user's words are used (never the model's), and
/// only an interpreter on project files or a test runner: `python3 main.py`, `node app.js`,
/// `lua5.4 main.lua`, `go run main.go`, `cargo run`, `cargo test`, `go test`, `npm test`.
/// Anything with shell syntax, paths outside the project or other programs is ignored.
pub fn repro_from_request(root: &Path, request: &str) -> Option<CheckCmd> {
    const INTERPRETERS: [&str; 9] = [
        "python", "python3", "node", "lua", "lua5.1", "lua5.2", "lua5.3", "lua5.4", "luajit",
    ];
    const RUNNERS: [&str; 5] = ["cargo run", "cargo test", "go test", "npm test", "go run"];
    let safe_arg = |a: &str| {
        a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=".contains(c))
    };
    let in_project =
        |a: &str| !a.starts_with('/') && !a.split('/').any(|c| c == "..") && root.join(a).is_file();
    // Inline code spans only: a fenced block holds output, not the command.
    let spans: Vec<&str> = request
        .split("```")
        .step_by(2)
        .flat_map(|outside| outside.split('`').skip(1).step_by(2))
        .collect();
    // A compiled program: the request's own build command (`gcc -o listdemo main.c list.c`),
    // then the program it says crashes (`./listdemo`).
    for build in &spans {
        let words: Vec<&str> = build.split_whitespace().collect();
        let Some(&compiler) = words.first() else {
            continue;
        };
        if !matches!(compiler, "gcc" | "g++" | "cc" | "clang" | "clang++")
            || !words.iter().all(|w| safe_arg(w))
            || !installed(compiler)
        {
            continue;
        }
        let Some(out) = words
            .iter()
            .position(|w| *w == "-o")
            .and_then(|k| words.get(k + 1))
        else {
            continue;
        };
        let sources_ok = words[1..]
            .iter()
            .enumerate()
            .filter(|(k, w)| !w.starts_with('-') && words.get(*k) != Some(&"-o"))
            .all(|(_, w)| in_project(w));
        if out.contains('/') || !sources_ok {
            continue;
        }
        let program = format!("./{out}");
        let run = spans.iter().find_map(|s| {
            let w: Vec<&str> = s.split_whitespace().collect();
            (w.first() == Some(&program.as_str()) && w.iter().all(|a| safe_arg(a)))
                .then(|| w.join(" "))
        });
        if let Some(run) = run {
            return Some(CheckCmd {
                name: "repro".into(),
                command: format!("{} 2>&1 && {run} 2>&1", words.join(" ")),
            });
        }
    }
    for span in spans {
        let words: Vec<&str> = span.split_whitespace().collect();
        let Some(first) = words.first() else { continue };
        if !words.iter().all(|w| safe_arg(w)) {
            continue;
        }
        let ok = if INTERPRETERS.contains(first) {
            // The script is the first operand; what follows are its own arguments.
            words[1..]
                .iter()
                .find(|w| !w.starts_with('-'))
                .is_some_and(|f| in_project(f))
        } else {
            let two = words.iter().take(2).copied().collect::<Vec<_>>().join(" ");
            RUNNERS.contains(&two.as_str())
                && words[2..]
                    .iter()
                    .all(|w| w.starts_with('-') || in_project(w))
        };
        if ok && installed(first) {
            return Some(CheckCmd {
                name: "repro".into(),
                command: format!("{} 2>&1", words.join(" ")),
            });
        }
    }
    None
}

/// Kills a whole process group (its leader's pid) when dropped: a check's after a time-out, a
/// cancel, or the shell's own exit (a background child left behind by the project's code); a
/// benchmark peer's under coreutils `timeout`.
pub struct GroupKill(pub Option<u32>);

impl Drop for GroupKill {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            // SIGKILL to the group (`kill -- -PGID`); nothing to do when it is already gone.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// Runs `cmd` with `sh -c` (bash for `PIPESTATUS`) in `dir`, bounded by `timeout`.
pub async fn run(dir: &Path, cmd: &CheckCmd, timeout: Duration) -> CheckResult {
    run_env(dir, cmd, timeout, &[]).await
}

/// [`run`] with extra environment variables (the coverage tracer's).
pub async fn run_env(
    dir: &Path,
    cmd: &CheckCmd,
    timeout: Duration,
    env: &[(String, String)],
) -> CheckResult {
    let mut c = tokio::process::Command::new("bash");
    c.arg("-c")
        .arg(&cmd.command)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        // Its own process group, so a time-out (or a cancelled run) ends the program the check
        // started too, not only the shell: a looping candidate otherwise spins on for ever.
        .process_group(0)
        .kill_on_drop(true);
    tracing::debug!("[check] $ {}", cmd.command);
    let (ok, raw) = match c.spawn() {
        Err(e) => (false, format!("could not run: {e}")),
        Ok(child) => {
            // Whatever the outcome, the group goes when this arm ends.
            let _group = GroupKill(child.id());
            match tokio::time::timeout(timeout, child.wait_with_output()).await {
                Err(_) => (false, format!("timed out after {}s", timeout.as_secs())),
                Ok(Err(e)) => (false, format!("could not run: {e}")),
                Ok(Ok(out)) => {
                    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
                    s.push_str(&String::from_utf8_lossy(&out.stderr));
                    (out.status.success(), s)
                }
            }
        }
    };
    // Checkers run in the shadow tree: show the model project-relative paths only. A key the
    // project's code printed never reaches a model (or the log).
    let prefix = format!("{}/", dir.display());
    let raw = smallcode_core::secrets::redact(&raw.replace(&prefix, ""));
    let diagnostics = if ok { Vec::new() } else { parse(&raw) };
    let output = reduce(&raw, 400, &ReduceConfig::default(), &Calibration::default()).text;
    CheckResult {
        cmd: cmd.clone(),
        ok,
        diagnostics,
        output,
    }
}

/// Parses compiler/test output into diagnostics: `file:line:col: msg`, `file:line: msg`, and
/// Python tracebacks (`File "x.py", line N` followed later by `SomeError: msg`).
pub fn parse(output: &str) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut py_frame: Option<(String, usize)> = None;
    for line in output.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("File \"") {
            if let Some((file, tail)) = rest.split_once("\", line ") {
                let n = tail
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse().ok());
                if let Some(n) = n {
                    // `File "", line 9` names no file (fuzz/artifacts/check_parse/).
                    if !file.is_empty() && !file.starts_with('<') && !file.contains("/lib/python") {
                        py_frame = Some((file.to_string(), n));
                    }
                }
            }
            continue;
        }
        if let Some((file, n)) = &py_frame {
            let is_exc = t.split(':').next().is_some_and(|h| {
                !h.is_empty()
                    && !h.contains(' ')
                    && (h.ends_with("Error") || h.ends_with("Exception"))
            });
            if is_exc {
                out.push(Diagnostic {
                    file: file.clone(),
                    line: Some(*n),
                    col: None,
                    message: t.to_string(),
                });
                py_frame = None;
                continue;
            }
        }
        if let Some(d) = location_line(t) {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

fn location_line(t: &str) -> Option<Diagnostic> {
    let t = t.strip_prefix("--> ").unwrap_or(t);
    let mut parts = t.splitn(4, ':');
    let file = parts.next()?.trim();
    if file.is_empty() || file.contains(' ') || !file.contains('.') {
        return None;
    }
    let line: usize = parts.next()?.trim().parse().ok()?;
    let third = parts.next().unwrap_or("");
    let (col, message) = match third.trim().parse::<usize>() {
        Ok(c) => (Some(c), parts.next().unwrap_or("").trim().to_string()),
        Err(_) => {
            let rest: Vec<&str> = std::iter::once(third).chain(parts).collect();
            (None, rest.join(":").trim().to_string())
        }
    };
    if message.is_empty() || message.starts_with("note") || message.starts_with("warning: unused") {
        return None;
    }
    Some(Diagnostic {
        file: file.to_string(),
        line: Some(line),
        col,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo fuzz run check_parse` (its reproducer is kept in fuzz/artifacts/): a
    /// traceback frame with an empty file name gave a diagnostic naming no file.
    #[test]
    fn traceback_frame_without_a_file_is_skipped() {
        let found = include_bytes!(
            "../../../fuzz/artifacts/check_parse/crash-5d6019ccc40f5bd1121401cb3756ff8db46c1f54"
        );
        for d in parse(&String::from_utf8_lossy(found)) {
            assert!(!d.file.is_empty(), "{d:?}");
        }
        assert_eq!(
            parse("  File \"\", line 9, in main\nValueError: x\n"),
            vec![]
        );
    }

    #[test]
    fn gccs_include_fixits_are_read_and_nothing_else() {
        let out = "m.c:3:12: warning: implicit declaration of function 'abs'\n\
fix-it:\"m.c\":{2:1-2:1}:\"#include <stdlib.h>\\n\"\n\
fix-it:\"m.c\":{2:1-2:1}:\"#include <stdlib.h>\\n\"\n\
fix-it:\"m.c\":{5:9-5:12}:\"count\"\n\
fix-it:\"other.c\":{1:1-1:1}:\"#include <string.h>\\n\"\n\
fix-it:\"m.c\":{1:1-1:1}:\"#include <x; rm -rf>\\n\"\n";
        assert_eq!(
            parse_include_fixits(out, "m.c"),
            vec![(2, "#include <stdlib.h>\n".to_string())]
        );
    }

    #[test]
    fn parses_gcc_rustc_and_python() {
        let gcc = "calc.c: In function 'add':\ncalc.c:3:12: error: expected ';' before '}' token\n";
        assert_eq!(
            parse(gcc),
            vec![Diagnostic {
                file: "calc.c".into(),
                line: Some(3),
                col: Some(12),
                message: "error: expected ';' before '}' token".into()
            }]
        );
        let rustc = "src/lib.rs:4:5: error[E0308]: mismatched types\n";
        assert_eq!(parse(rustc)[0].line, Some(4));
        let py = "Traceback (most recent call last):\n  File \"/usr/lib/python3.11/unittest/case.py\", line 57, in x\n  File \"calc.py\", line 5, in add\n    return a - b\nTypeError: unsupported operand\n";
        let d = parse(py);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].file.as_str(), d[0].line), ("calc.py", Some(5)));
        assert!(d[0].message.starts_with("TypeError"));
        let pyc =
            "  File \"a.py\", line 2\n    def f(:\n          ^\nSyntaxError: invalid syntax\n";
        assert_eq!(parse(pyc)[0].message, "SyntaxError: invalid syntax");
    }

    #[test]
    fn the_request_s_failing_command_becomes_a_check() {
        let t = crate::workspace::tempdir::TempTree::new("repro-test").unwrap();
        std::fs::write(t.path().join("main.py"), "print(1)\n").unwrap();
        let r = |req: &str| repro_from_request(t.path(), req).map(|c| c.command);
        assert_eq!(
            r("`python3 main.py` crashes:\n```\nTraceback `x`\n```").as_deref(),
            Some("python3 main.py 2>&1")
        );
        assert_eq!(r("run `python3 missing.py`"), None, "file must exist");
        assert_eq!(
            r("`python3 main.py list --tag work` fails").as_deref(),
            Some("python3 main.py list --tag work 2>&1")
        );
        assert_eq!(r("`python3 ../main.py`"), None, "outside the project");
        assert_eq!(r("`python3 main.py; rm -rf /`"), None, "shell syntax");
        assert_eq!(r("`rm main.py`"), None, "not an interpreter");
        assert_eq!(
            r("```\n`python3 main.py`\n```"),
            None,
            "inside a fenced block"
        );
        assert_eq!(r("`main.py` has `add`"), None);
        // A compiled program: its build command from the request, then the program.
        std::fs::write(t.path().join("main.c"), "int main(void) { return 0; }\n").unwrap();
        std::fs::write(t.path().join("list.c"), "\n").unwrap();
        assert_eq!(
            r("`./listdemo` crashes (built with `gcc -std=c11 -g -o listdemo main.c list.c`)")
                .as_deref(),
            Some("gcc -std=c11 -g -o listdemo main.c list.c 2>&1 && ./listdemo 2>&1")
        );
        assert_eq!(
            r("`./listdemo` crashes (built with `gcc -o listdemo main.c gone.c`)"),
            None
        );
        assert_eq!(
            r("`gcc -o listdemo main.c list.c` works"),
            None,
            "no program run"
        );
        assert_eq!(r("`./x` dies (`gcc -o ../x main.c`)"), None);
    }

    #[test]
    fn test_scripts_beside_the_code_are_detected() {
        let t = crate::workspace::tempdir::TempTree::new("detect-test").unwrap();
        let files = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let js = detect_tests(t.path(), &files(&["profile.js", "profile.test.js"])).unwrap();
        assert_eq!(js.command, "node 'profile.test.js' 2>&1");
        let c = detect_tests(t.path(), &files(&["sum.c", "sum.h", "test_sum.c"])).unwrap();
        assert!(
            c.command
                .starts_with("gcc -Wall -o /tmp/smallcode-ctest-$$ 'test_sum.c' 'sum.c'"),
            "{}",
            c.command
        );
        let py = detect_tests(t.path(), &files(&["calc.py", "test_calc.py"]));
        assert!(py.is_some());
        assert!(detect_tests(t.path(), &files(&["main.py"])).is_none());
    }

    /// `cargo test` / `go test` with no test in the project pass vacuously: not a test command.
    #[test]
    fn a_crate_or_module_without_tests_has_no_test_command() {
        let t = crate::workspace::tempdir::TempTree::new("detect-none").unwrap();
        let files = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        std::fs::write(t.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        std::fs::create_dir_all(t.path().join("src")).unwrap();
        std::fs::write(t.path().join("src/lib.rs"), "pub fn f() {}\n").unwrap();
        assert!(detect_tests(t.path(), &files(&["Cargo.toml", "src/lib.rs"])).is_none());
        std::fs::write(
            t.path().join("src/lib.rs"),
            "pub fn f() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n",
        )
        .unwrap();
        let rs = detect_tests(t.path(), &files(&["Cargo.toml", "src/lib.rs"])).unwrap();
        assert_eq!(rs.command, "cargo test --quiet 2>&1");
        std::fs::write(t.path().join("src/lib.rs"), "pub fn f() {}\n").unwrap();
        let it = detect_tests(t.path(), &files(&["src/lib.rs", "tests/it.rs"]));
        assert!(it.is_some(), "a file under tests/ is a test");
    }

    #[tokio::test]
    async fn real_python_checker_finds_a_syntax_error() {
        let t = crate::workspace::tempdir::TempTree::new("check-test").unwrap();
        std::fs::write(t.path().join("bad.py"), "def f(:\n    pass\n").unwrap();
        let cmds = checkers_for(t.path(), "bad.py");
        let r = run(t.path(), &cmds[0], Duration::from_secs(20)).await;
        assert!(!r.ok);
        assert_eq!(r.diagnostics[0].file, "bad.py");
        assert_eq!(r.diagnostics[0].line, Some(1));
        assert!(
            r.summary()
                .starts_with("py_compile: 1 problem(s): bad.py:1"),
            "{}",
            r.summary()
        );
    }
}
