//! Starts the cached real llama-server (built by `scripts/deps.sh llama`) with the cached small
//! model, on a free loopback port, for tests and benchmarks. Stops it on drop.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running llama-server.
pub struct Llama {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
}

impl Drop for Llama {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cache() -> PathBuf {
    std::env::var_os("SMALLCODE_CACHE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/smallcode")
        })
}

/// Paths of the cached server and model, or why they are not usable.
pub fn cached() -> Result<(PathBuf, PathBuf), String> {
    let pick = |var: &str, default: PathBuf| {
        std::env::var_os(var)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or(default)
    };
    let server = pick(
        "SMALLCODE_LLAMA_SERVER",
        cache().join("llama/bin/llama-server"),
    );
    let model = pick(
        "SMALLCODE_GGUF",
        cache().join("models/SmolLM2-135M-Instruct.Q4_1.gguf"),
    );
    if !server.exists() {
        return Err(format!(
            "no llama-server at {} (run scripts/deps.sh llama)",
            server.display()
        ));
    }
    if !model.exists() {
        return Err(format!(
            "no model at {} (run scripts/deps.sh model)",
            model.display()
        ));
    }
    Ok((server, model))
}

/// Starts the server with context `ctx` and waits until `/health` answers 200 (180 s at most: a
/// hang catcher on a loaded machine).
pub fn start(ctx: u32) -> Result<Llama, String> {
    let (server, model) = cached()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let log = std::env::temp_dir().join(format!("smallcode-llama-{port}.log"));
    let child = Command::new(&server)
        .args(["-m"])
        .arg(&model)
        .args([
            "--alias",
            "SmolLM2-135M-Instruct",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ])
        .args(["-c", &ctx.to_string(), "-t", "2", "--no-webui"])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).map_err(|e| e.to_string())?)
        .stderr(Stdio::from(
            std::fs::File::options()
                .append(true)
                .open(&log)
                .map_err(|e| e.to_string())?,
        ))
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", server.display()))?;
    let llama = Llama {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(180) {
        if health_ok(port) {
            return Ok(llama);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!(
        "llama-server did not become healthy in 180 s; log: {}",
        log.display()
    ))
}

fn health_ok(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200")
}
