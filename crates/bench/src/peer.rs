//! Peer agents (Aider, OpenCode, …) run on the same task copies, endpoint and checks as ours.
//!
//! A peer is any executable named with `--agent-cmd NAME=SCRIPT`: the runner calls it once per
//! round with the task copy as its working directory, so the only difference between a peer's
//! row and ours is the agent. Grading stays the runner's (`check` after each round), which keeps
//! the comparison honest: a peer cannot pass by what it prints. Adapters for Aider and OpenCode
//! live in `bench/peers/`.
//!
//! The script gets its inputs as environment variables (it must not need anything else):
//! `SMALLCODE_PROMPT_FILE` (the round's prompt, kept outside the task copy),
//! `SMALLCODE_ENDPOINT` (server base URL, no `/v1`), `SMALLCODE_PROVIDER` (`openai`|`ollama`),
//! `SMALLCODE_MODEL`, `SMALLCODE_CONTEXT` (tokens) and `SMALLCODE_TIMEOUT` (seconds).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use smallcode_llm::discover::Endpoint;

/// A named external agent: `NAME=SCRIPT` from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The mode name it is reported under (`aider`).
    pub name: String,
    /// The executable (a script path; run with `bash` when it is not executable).
    pub cmd: String,
}

impl Peer {
    /// Parses `NAME=SCRIPT`, refusing names that would collide with the built-in modes.
    pub fn parse(spec: &str) -> Result<Peer, String> {
        let (name, cmd) = spec
            .split_once('=')
            .ok_or_else(|| format!("--agent-cmd {spec:?}: expected NAME=SCRIPT"))?;
        let (name, cmd) = (name.trim(), cmd.trim());
        if name.is_empty() || cmd.is_empty() {
            return Err(format!("--agent-cmd {spec:?}: expected NAME=SCRIPT"));
        }
        if matches!(name, "harness" | "naive" | "both") || name.contains(',') {
            return Err(format!(
                "--agent-cmd {spec:?}: {name:?} is reserved; pick another name"
            ));
        }
        Ok(Peer {
            name: name.to_string(),
            cmd: cmd.to_string(),
        })
    }
}

/// What one peer round did: the runner grades the directory afterwards, this is for the note.
#[derive(Debug)]
pub struct PeerRound {
    /// Exit code (None: killed by the timeout or a signal).
    pub code: Option<i32>,
    /// Whether the round hit its time limit.
    pub timed_out: bool,
    /// The last non-empty line the peer printed (stderr, else stdout), for the report note.
    pub last_line: String,
    /// Wall time in milliseconds.
    pub wall_ms: u64,
}

/// Runs one round of `peer` in `work` with `prompt`. The process group is killed at the
/// deadline (through coreutils `timeout`, which signals its whole group), so a peer stuck in a
/// repetition loop cannot stall the benchmark. Errors only when the script cannot start.
pub async fn run_round(
    peer: &Peer,
    work: &Path,
    prompt: &str,
    ep: &Endpoint,
    timeout_s: u64,
) -> Result<PeerRound, String> {
    let scratch = smallcode_agent::workspace::tempdir::TempTree::new("peer-prompt")
        .map_err(|e| format!("tempdir: {e}"))?;
    let prompt_file = scratch.path().join("prompt.md");
    std::fs::write(&prompt_file, prompt).map_err(|e| format!("writing the prompt: {e}"))?;
    let script = std::fs::canonicalize(&peer.cmd)
        .map_err(|e| format!("--agent-cmd {}: {}: {e}", peer.name, peer.cmd))?;
    let started = std::time::Instant::now();
    let child = tokio::process::Command::new("timeout")
        .args(["-k", "5", &timeout_s.to_string(), "bash"])
        .arg(&script)
        .current_dir(work)
        .env("SMALLCODE_PROMPT_FILE", &prompt_file)
        .env("SMALLCODE_ENDPOINT", &ep.url)
        .env("SMALLCODE_PROVIDER", ep.provider.as_str())
        .env("SMALLCODE_MODEL", &ep.model)
        .env("SMALLCODE_CONTEXT", ep.context.to_string())
        .env("SMALLCODE_TIMEOUT", timeout_s.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("running {}: {e}", peer.name))?;
    // `timeout` leads its own process group: whatever the peer started dies with the trial,
    // also when the benchmark is stopped or the trial is dropped.
    // coreutils `timeout` makes its pid the group id: the whole group goes when this drops.
    let _group = smallcode_agent::check::GroupKill(child.id());
    // A margin over the script's own limit, in case `timeout` itself hangs on a stuck group.
    let out = tokio::time::timeout(
        Duration::from_secs(timeout_s + 30),
        child.wait_with_output(),
    )
    .await
    .map_err(|_| format!("{} did not exit after its timeout", peer.name))?
    .map_err(|e| format!("running {}: {e}", peer.name))?;
    let code = out.status.code();
    let last = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| smallcode_llm::error::snippet(l.trim(), 120))
    };
    Ok(PeerRound {
        code,
        // coreutils `timeout` exits 124 when the command timed out (137 after -k's KILL).
        timed_out: matches!(code, Some(124) | Some(137)),
        last_line: last(&out.stderr)
            .or_else(|| last(&out.stdout))
            .unwrap_or_default(),
        wall_ms: started.elapsed().as_millis() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_script() {
        let p = Peer::parse("aider=bench/peers/aider.sh").unwrap();
        assert_eq!(p.name, "aider");
        assert_eq!(p.cmd, "bench/peers/aider.sh");
    }

    fn endpoint() -> Endpoint {
        Endpoint {
            kind: smallcode_llm::ServerKind::LlamaCpp,
            provider: smallcode_llm::config::ProviderKind::Openai,
            url: "http://127.0.0.1:9".into(),
            model: "m".into(),
            context: 4096,
            context_probed: true,
            trained_context: None,
            tools: None,
            slots: None,
            source: "configured",
            models: vec![],
        }
    }

    #[tokio::test]
    async fn a_stuck_peer_is_timed_out_with_everything_it_started() {
        let t = smallcode_agent::workspace::tempdir::TempTree::new("peer-test").unwrap();
        let script = t.path().join("stuck.sh");
        // Starts a background child, records the env it got, then hangs.
        std::fs::write(
            &script,
            "sleep 300 &\necho $! > child.pid\necho \"$SMALLCODE_MODEL $(cat \"$SMALLCODE_PROMPT_FILE\")\" > seen\nsleep 300\n",
        )
        .unwrap();
        let peer = Peer::parse(&format!("stuck={}", script.display())).unwrap();
        let r = run_round(&peer, t.path(), "fix it", &endpoint(), 1)
            .await
            .unwrap();
        assert!(r.timed_out, "{r:?}");
        assert!(r.wall_ms < 20_000, "{r:?}");
        assert_eq!(
            std::fs::read_to_string(t.path().join("seen")).unwrap(),
            "m fix it\n"
        );
        let pid = std::fs::read_to_string(t.path().join("child.pid")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(
            !alive(&pid),
            "the peer's background child {pid} survived the trial"
        );

        // A trial dropped midway (the benchmark stopped) takes the peer's group with it.
        std::fs::remove_file(t.path().join("child.pid")).unwrap();
        let ep = endpoint();
        let fut = run_round(&peer, t.path(), "fix it", &ep, 100);
        assert!(tokio::time::timeout(Duration::from_millis(1500), fut)
            .await
            .is_err());
        let pid = std::fs::read_to_string(t.path().join("child.pid")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!alive(&pid), "child {pid} survived a dropped trial");
    }

    /// Whether `pid` runs (a zombie waiting for init to reap it counts as gone).
    fn alive(pid: &str) -> bool {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        !stat.is_empty()
            && stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    }

    #[test]
    fn refuses_reserved_and_malformed_specs() {
        assert!(Peer::parse("harness=x.sh")
            .unwrap_err()
            .contains("reserved"));
        assert!(Peer::parse("naive=x.sh").is_err());
        assert!(Peer::parse("aider").unwrap_err().contains("NAME=SCRIPT"));
        assert!(Peer::parse("=x.sh").is_err());
        assert!(Peer::parse("a,b=x.sh").is_err());
    }
}
