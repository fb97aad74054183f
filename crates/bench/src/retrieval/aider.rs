//! Aider's repo map as a method of the retrieval benchmark: one long-lived Python process
//! (`bench/retrieval/aider_map.py`, run with the Python of aider's venv) answers one JSON line
//! per case, so aider's import cost is paid once.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{bail, Context};
use serde::Deserialize;

/// The helper script, embedded so the benchmark runs from any directory.
const SCRIPT: &str = include_str!("../../../../bench/retrieval/aider_map.py");

/// A running helper.
pub struct Aider {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    _script: PathBuf,
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    maps: Vec<String>,
    #[serde(default)]
    seconds: Vec<f64>,
    #[serde(default)]
    error: Option<String>,
}

/// The Python of aider's venv: `python`, else `$SMALLCODE_CACHE` (or `~/.cache/smallcode`)
/// `/peers/aider/bin/python` when it exists.
fn find_python(python: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = python {
        return Some(p.to_path_buf());
    }
    let cache = std::env::var_os("SMALLCODE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("smallcode")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/smallcode")))?;
    let p = cache.join("peers/aider/bin/python");
    p.is_file().then_some(p)
}

impl Aider {
    /// Starts the helper; `None` (said on stderr) when aider is not installed or does not start.
    pub fn start(python: Option<&Path>) -> Option<Aider> {
        let py = find_python(python)?;
        let script =
            std::env::temp_dir().join(format!("smallcode-aider-map-{}.py", std::process::id()));
        std::fs::write(&script, SCRIPT).ok()?;
        let mut child = match Command::new(&py)
            .arg(&script)
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("retrieval: aider helper {}: {e}", py.display());
                return None;
            }
        };
        let stdin = child.stdin.take()?;
        let stdout = BufReader::new(child.stdout.take()?);
        Some(Aider {
            child,
            stdin,
            stdout,
            _script: script,
        })
    }

    /// Aider's map of `root` for `request` at each budget, with the seconds each took.
    pub fn maps(
        &mut self,
        root: &Path,
        request: &str,
        budgets: &[usize],
    ) -> anyhow::Result<Vec<(String, f64)>> {
        let req = serde_json::json!({
            "root": root,
            "request": request,
            "budgets": budgets,
        });
        writeln!(self.stdin, "{req}").context("aider helper stdin")?;
        self.stdin.flush()?;
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            bail!("aider helper exited");
        }
        let reply: Reply = serde_json::from_str(&line).context("aider helper reply")?;
        if let Some(e) = reply.error {
            bail!("aider: {e}");
        }
        Ok(reply.maps.into_iter().zip(reply.seconds).collect())
    }
}

impl Drop for Aider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self._script);
    }
}
