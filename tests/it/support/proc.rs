//! Child processes with a time limit: every process a test starts ends within its limit, so a
//! hang fails that test with what the child printed instead of stalling the whole run.
//!
//! The child runs in its own process group, and the whole group is killed at the limit: a test
//! command that started its own children (a check, a build) cannot keep the pipes open.

#![allow(dead_code)]

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The limit for one `smallcode run` / `smallcode trust` in the CLI tests: generous (a hang
/// catcher on a loaded 2-core machine, not a speed check).
pub const CLI_LIMIT: Duration = Duration::from_secs(300);

/// What a bounded run produced.
pub struct Bounded {
    /// The exit status; `None` when the limit killed it.
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl Bounded {
    /// Whether the limit ended the child.
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }
}

/// Runs `cmd` to its end or until `limit`, capturing stdout and stderr (both drained while it
/// runs, so a chatty child never blocks on a full pipe); stdin is empty, as with
/// [`Command::output`]. At the limit the child's process group is killed.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> std::io::Result<Bounded> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let mut child = cmd.spawn()?;
    let (tx, rx) = mpsc::channel::<(bool, Vec<u8>)>();
    let drain = |pipe: Option<Box<dyn Read + Send>>, is_out: bool, tx: mpsc::Sender<_>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            let _ = tx.send((is_out, buf));
        });
    };
    drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        true,
        tx.clone(),
    );
    drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        false,
        tx,
    );
    let pid = child.id();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if started.elapsed() > limit {
            kill_group(pid);
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // A grandchild that outlived the child may still hold a pipe: wait for the output only
    // within what is left of the limit (plus a moment to read what is buffered).
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let until = started + limit.max(started.elapsed()) + Duration::from_secs(2);
    for _ in 0..2 {
        let left = until.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((true, b)) => stdout = b,
            Ok((false, b)) => stderr = b,
            Err(_) => {
                kill_group(pid);
                break;
            }
        }
    }
    Ok(Bounded {
        status,
        stdout,
        stderr,
        elapsed: started.elapsed(),
    })
}

/// Kills process group `pgid` (the child and whatever it started in its group).
pub fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// [`Command::output`] with a limit: the drop-in for the CLI tests.
pub trait OutputWithin {
    /// Like [`Command::output`], but the child is killed at `limit` and the call panics with
    /// the command and everything it printed.
    fn output_within(&mut self, limit: Duration) -> std::io::Result<Output>;
}

impl OutputWithin for Command {
    fn output_within(&mut self, limit: Duration) -> std::io::Result<Output> {
        let what = format!("{:?}", self);
        let b = run_bounded(self, limit)?;
        match b.status {
            Some(status) => Ok(Output {
                status,
                stdout: b.stdout,
                stderr: b.stderr,
            }),
            None => panic!(
                "{what} did not exit within {limit:?}: killed\n--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&b.stdout),
                String::from_utf8_lossy(&b.stderr)
            ),
        }
    }
}
