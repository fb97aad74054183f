//! Runs tasks × modes × trials through the headless agent and grades them with their checks.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use tokio::sync::Semaphore;

use super::peer::{self, Peer};
use super::report::{self, Row};
use super::task::Task;
use smallcode::command::run::{run_task, RunArgs};
use smallcode_agent::sink::Quiet;
use smallcode_agent::workspace::copy_tree;
use smallcode_agent::workspace::tempdir::TempTree;
use smallcode_llm::discover::Endpoint;
use smallcode_llm::{discover, LlmClient};

/// Arguments of `smallcode bench --tasks DIR`.
#[derive(Args, Debug, Clone)]
pub struct TaskBenchArgs {
    /// A folder of task folders (or one task folder).
    #[arg(long)]
    pub tasks: PathBuf,
    /// Wire format: openai or ollama (default: detected).
    #[arg(long)]
    pub provider: Option<String>,
    /// Server base URL (default: discovered on loopback).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Model name (default: the server's loaded model).
    #[arg(long)]
    pub model: Option<String>,
    /// Trials per task and mode.
    #[arg(long, default_value_t = 1)]
    pub trials: u32,
    /// harness, naive, both, or a comma list of modes (including `--agent-cmd` names).
    #[arg(long, default_value = "harness")]
    pub mode: String,
    /// An external agent to run as mode NAME on the same copies and checks: `NAME=SCRIPT`
    /// (repeatable; adapters in bench/peers/). Peers run in addition to `--mode`, unless
    /// `--mode` names some of them (`--mode aider` runs Aider alone).
    #[arg(long = "agent-cmd", value_name = "NAME=SCRIPT")]
    pub agent_cmd: Vec<String>,
    /// Edit format of the harness mode: whole (default) or tools.
    #[arg(long, default_value = "whole", value_name = "whole|tools")]
    pub edit_format: String,
    /// Trials run at once.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Only tasks whose name contains one of these (repeatable).
    #[arg(long = "filter")]
    pub filter: Vec<String>,
    /// Only tasks of this tier.
    #[arg(long)]
    pub tier: Option<u32>,
    /// Model calls at most per round (harness mode).
    #[arg(long, default_value_t = 4)]
    pub max_rounds: u32,
    /// Best-of-N candidates after a wrong answer (default: the server's parallel slots; 1 turns
    /// best-of-N off, the behaviour before it).
    #[arg(long)]
    pub candidates: Option<usize>,
    /// Turn repair templates off (harness mode): the model's own share of the solved tasks.
    #[arg(long)]
    pub no_repair_templates: bool,
    /// Write results.csv, report.md and chart.svg here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs the benchmark and writes/prints the report. Errors only for unusable arguments or an
/// unreachable model server; task failures are results.
pub fn run(args: TaskBenchArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run_async(args))
}

async fn run_async(args: TaskBenchArgs) -> anyhow::Result<()> {
    let peers: Vec<Peer> = args
        .agent_cmd
        .iter()
        .map(|s| Peer::parse(s))
        .collect::<Result<_, _>>()
        .map_err(anyhow::Error::msg)?;
    let modes = modes(&args.mode, &peers, args.agent_cmd.is_empty())?;
    let peers = Arc::new(peers);
    let tasks: Vec<Task> = Task::discover(&args.tasks)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .filter(|t| {
            args.filter.is_empty() || args.filter.iter().any(|f| t.name.contains(f.as_str()))
        })
        .filter(|t| args.tier.is_none_or(|tier| t.tier == tier))
        .collect();
    if tasks.is_empty() {
        bail!(
            "no task folders (with files/) under {}",
            args.tasks.display()
        );
    }
    let base = RunArgs {
        dir: PathBuf::new(),
        prompt: None,
        prompt_file: None,
        provider: args.provider.clone(),
        endpoint: args.endpoint.clone(),
        model: args.model.clone(),
        context: None,
        naive: false,
        edit_format: args.edit_format.clone(),
        allow: Vec::new(),
        allow_all: true, // every trial works on a throwaway copy
        // The runner's own copies: trusted, and a change lands whatever its label so the
        // hidden check grades it (the label is recorded beside the grade).
        trust: true,
        allow_unverified: true,
        candidates: args.candidates,
        no_repair_templates: args.no_repair_templates,
        range: None,
        test: None,
        max_rounds: args.max_rounds,
        max_seconds: 600,
        quiet: true,
        json: false,
    };
    let config = base.config()?;
    let ep = discover::resolve(&config).await.context("model server")?;
    eprintln!("[bench] {}", ep.info_text());
    let client = LlmClient::new(
        ep.clone(),
        config.timeouts,
        config.api_key().map_err(anyhow::Error::msg)?,
    );
    let mut jobs = Vec::new();
    for t in &tasks {
        for m in &modes {
            for trial in 1..=args.trials.max(1) {
                jobs.push((t.clone(), m.clone(), trial));
            }
        }
    }
    let total = jobs.len();
    let sem = Arc::new(Semaphore::new(args.jobs.max(1)));
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    // Rows are appended here as trials finish, so a run stopped early keeps what it measured.
    let partial = match &args.out {
        Some(out) => {
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            let path = out.join("results.partial.csv");
            std::fs::write(&path, format!("{}\n", report::CSV_HEADER))
                .with_context(|| format!("writing {}", path.display()))?;
            Some(Arc::new(std::sync::Mutex::new(path)))
        }
        None => None,
    };
    let mut set = tokio::task::JoinSet::new();
    for (task, mode, trial) in jobs {
        let (sem, client, base, done) = (sem.clone(), client.clone(), base.clone(), done.clone());
        let (peers, ep, partial) = (peers.clone(), ep.clone(), partial.clone());
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let agent = match peers.iter().find(|p| p.name == mode) {
                Some(p) => Agent::Peer(p, &ep),
                None => Agent::Ours(&client, &base),
            };
            let mut row = trial_row(&task, &mode, trial, agent).await;
            // Keep edit formats apart in the report (`harness` is the default `whole`).
            if row.mode == "harness" && base.edit_format != "whole" {
                row.mode = format!("harness-{}", base.edit_format);
            }
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            eprintln!(
                "[bench {n}/{total}] {} {mode} #{trial}: {} ({:.1} s) {}",
                task.name,
                if row.passed { "PASS" } else { "fail" },
                row.wall_ms as f64 / 1000.0,
                row.note
            );
            if let Some(p) = &partial {
                append_partial(p, &row);
            }
            row
        });
    }
    let mut rows = Vec::new();
    let mut stopped = false;
    loop {
        tokio::select! {
            r = set.join_next() => match r {
                Some(Ok(row)) => rows.push(row),
                Some(Err(e)) if e.is_cancelled() => {}
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("trial task panicked")),
                None => break,
            },
            // Ctrl-C / SIGTERM: stop the running trials (their agents and peer process groups
            // are killed on drop) and still report what finished.
            _ = stop_signal(), if !stopped => {
                stopped = true;
                eprintln!("[bench] stopping: {} of {total} trials finished; reporting those", rows.len());
                set.abort_all();
            }
        }
    }
    rows.sort_by(|a, b| (&a.task, &a.mode, a.trial).cmp(&(&b.task, &b.mode, b.trial)));
    let title = format!(
        "smallcode bench: {} tasks × {} × {} trial(s), {} {} (ctx {}), {:.0} s",
        tasks.len(),
        modes.join("+"),
        args.trials.max(1),
        ep.kind.label(),
        ep.model,
        ep.context,
        started.elapsed().as_secs_f64()
    );
    let md = report::markdown(&rows, &title);
    println!("{md}");
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        std::fs::write(out.join("results.csv"), report::csv(&rows))?;
        std::fs::write(out.join("report.md"), &md)?;
        std::fs::write(out.join("chart.svg"), report::svg(&rows, &title))?;
        eprintln!(
            "[bench] wrote {}/results.csv, report.md, chart.svg",
            out.display()
        );
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// Appends one finished trial to `results.partial.csv` (best effort: the final results.csv is
/// written from memory anyway; a failure here only costs the early-stop copy).
fn append_partial(path: &std::sync::Mutex<PathBuf>, row: &Row) {
    use std::io::Write;
    let Ok(path) = path.lock() else { return };
    let file = std::fs::OpenOptions::new().append(true).open(&*path);
    if let Ok(mut f) = file {
        let _ = writeln!(f, "{}", report::csv_line(row));
    }
}

/// The modes to run, in report order: `--mode` (harness/naive/both or a comma list) plus every
/// `--agent-cmd` peer unless `--mode` names some of them. Unknown names are refused before anything runs.
fn modes(mode: &str, peers: &[Peer], no_peers: bool) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for m in mode.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        match m {
            "both" => out.extend(["harness".to_string(), "naive".to_string()]),
            "harness" | "naive" => out.push(m.to_string()),
            other if peers.iter().any(|p| p.name == other) => out.push(other.to_string()),
            other => bail!(
                "--mode {other:?}: use harness, naive, both{}",
                if no_peers {
                    " (or the NAME of an --agent-cmd NAME=SCRIPT)".to_string()
                } else {
                    format!(
                        ", or one of the --agent-cmd names: {}",
                        peers
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        }
    }
    // Naming any peer in --mode picks exactly the listed ones; otherwise all peers run too.
    if !peers.iter().any(|p| out.contains(&p.name)) {
        out.extend(peers.iter().map(|p| p.name.clone()));
    }
    out.dedup();
    Ok(out)
}

/// Who works on a trial's copy: our agent (harness or naive) or an external peer.
enum Agent<'a> {
    Ours(&'a LlmClient, &'a RunArgs),
    Peer(&'a Peer, &'a Endpoint),
}

/// One trial: fresh copy of `files/`, each round's prompt through the agent, then the checks of
/// rounds 1..=N (cumulative) on a copy of the work directory.
async fn trial_row(task: &Task, mode: &str, trial: u32, agent: Agent<'_>) -> Row {
    let mut row = Row {
        task: task.name.clone(),
        mode: mode.to_string(),
        trial,
        passed: false,
        tier: task.tier,
        category: task.category.clone(),
        language: task.language.clone(),
        rounds: 0,
        tokens_in: 0,
        tokens_out: 0,
        cached_tokens: 0,
        tool_calls: 0,
        repairs: 0,
        decompositions: 0,
        escalations: 0,
        wall_ms: 0,
        note: String::new(),
    };
    let work = match TempTree::new("bench") {
        Ok(w) => w,
        Err(e) => {
            row.note = format!("tempdir: {e}");
            return row;
        }
    };
    if let Err(e) = copy_tree(&task.dir.join("files"), work.path(), &[]) {
        row.note = format!("copy files/: {e}");
        return row;
    }
    for (i, (prompt, _)) in task.rounds.iter().enumerate() {
        let (client, base) = match agent {
            Agent::Ours(client, base) => (client, base),
            Agent::Peer(peer, ep) => {
                match peer::run_round(peer, work.path(), prompt, ep, task.timeout).await {
                    Ok(r) => {
                        row.rounds += 1;
                        row.wall_ms += r.wall_ms;
                        row.note = match (r.timed_out, r.code) {
                            (true, _) => format!("{} timed out: {}", peer.name, r.last_line),
                            (false, code) => {
                                format!("{} exit {code:?}: {}", peer.name, r.last_line)
                            }
                        };
                    }
                    Err(e) => {
                        row.note = e;
                        return row;
                    }
                }
                if let Err(why) = grade(task, i + 1, work.path()).await {
                    row.note = format!("round {}: {why}; agent: {}", i + 1, row.note);
                    return row;
                }
                continue;
            }
        };
        let mut args = base.clone();
        args.dir = work.path().to_path_buf();
        args.naive = mode == "naive";
        args.max_seconds = task.timeout;
        match run_task(&args, prompt, &Quiet, Some(client)).await {
            Ok(r) => {
                row.add_run(&r);
                row.note = r.outcome;
            }
            Err(e) => {
                row.note = format!("{e:#}");
                return row;
            }
        }
        match grade(task, i + 1, work.path()).await {
            Ok(()) => {}
            Err(why) => {
                row.note = format!("round {}: {why}; agent: {}", i + 1, row.note);
                return row;
            }
        }
    }
    row.passed = true;
    row
}

/// Runs the checks of rounds 1..=n on a copy of `work` (checks may leave scratch files).
async fn grade(task: &Task, n: usize, work: &std::path::Path) -> Result<(), String> {
    let copy = TempTree::new("grade").map_err(|e| e.to_string())?;
    copy_tree(work, copy.path(), &[]).map_err(|e| e.to_string())?;
    for (i, (_, check)) in task.rounds.iter().take(n).enumerate() {
        let out = tokio::time::timeout(
            std::time::Duration::from_secs(120),
            tokio::process::Command::new("bash")
                .arg(check)
                .current_dir(copy.path())
                .env("TASK_DIR", &task.dir)
                .stdin(std::process::Stdio::null())
                .kill_on_drop(true)
                .output(),
        )
        .await
        .map_err(|_| format!("check {} timed out", i + 1))?
        .map_err(|e| format!("check {} could not run: {e}", i + 1))?;
        match out.status.code() {
            Some(0) => {}
            Some(125) => {
                return Err(format!(
                    "check {} needs a missing toolchain (bench/install-toolchains.sh)",
                    i + 1
                ))
            }
            code => {
                let err = String::from_utf8_lossy(&out.stderr);
                let last = err
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("");
                return Err(format!(
                    "check {} failed ({code:?}): {}",
                    i + 1,
                    smallcode_llm::error::snippet(last, 120)
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(name: &str) -> Peer {
        Peer::parse(&format!("{name}=x.sh")).unwrap()
    }

    #[test]
    fn modes_expand_both_and_append_peers() {
        let peers = [peer("aider"), peer("opencode")];
        assert_eq!(
            modes("both", &peers, false).unwrap(),
            ["harness", "naive", "aider", "opencode"]
        );
        assert_eq!(modes("aider", &peers, false).unwrap(), ["aider"]);
        assert_eq!(
            modes("naive,opencode", &peers, false).unwrap(),
            ["naive", "opencode"]
        );
        assert_eq!(modes("harness", &[], true).unwrap(), ["harness"]);
    }

    #[test]
    fn unknown_mode_names_the_choices() {
        let e = modes("aidr", &[peer("aider")], false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("aider"), "{e}");
        let e = modes("fast", &[], true).unwrap_err().to_string();
        assert!(e.contains("--agent-cmd"), "{e}");
    }
}
