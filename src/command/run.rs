//! `smallcode run`: the agent on files on disk, without Neovim (scripts, CI, benchmarks).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use tokio_util::sync::CancellationToken;

use smallcode_agent::{self as agent, sink, AgentConfig, Permissions, Report};
use smallcode_llm::config::{Config, ProviderKind};
use smallcode_llm::{discover, LlmClient};

/// Arguments of `smallcode run`.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Project directory the agent works in.
    #[arg(long)]
    pub dir: PathBuf,
    /// The request, as typed in the chat.
    #[arg(long, conflicts_with = "prompt_file")]
    pub prompt: Option<String>,
    /// Read the request from this file.
    #[arg(long)]
    pub prompt_file: Option<PathBuf>,
    /// Wire format: openai or ollama (default: detected).
    #[arg(long)]
    pub provider: Option<String>,
    /// Server base URL (default: discovered on loopback).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Model name (default: the server's loaded model).
    #[arg(long)]
    pub model: Option<String>,
    /// Context size to budget for (default: probed).
    #[arg(long)]
    pub context: Option<u64>,
    /// Run the control group (plain tool loop) instead of the harness.
    #[arg(long)]
    pub naive: bool,
    /// How the model edits: `whole` (plain code blocks, for small models) or `tools` (the
    /// compound tool surface, for models that call tools).
    #[arg(long, default_value = "whole", value_name = "whole|tools")]
    pub edit_format: String,
    /// Commands starting with PREFIX may run (repeatable).
    #[arg(long = "allow", value_name = "PREFIX")]
    pub allow: Vec<String>,
    /// Any command may run (only for throwaway copies, e.g. benchmark tasks).
    #[arg(long)]
    pub allow_all: bool,
    /// Trust this project for this run: its test command, build scripts, the command the
    /// request names and the request's examples may run. Without it the run is restricted:
    /// only checks that execute no project code run, and no change can be `verified`.
    #[arg(long)]
    pub trust: bool,
    /// Write a change whose checks pass even when it is only `checked` (syntax/compile) and exit
    /// 0 for it (the behaviour before labels); by default only a `verified` change is written.
    #[arg(long)]
    pub allow_unverified: bool,
    /// The project's test command (default: detected).
    #[arg(long)]
    pub test: Option<String>,
    /// Confine the change to the definitions these lines touch, like `:'<,'>SmallCode fix`:
    /// `FILE:LINE1-LINE2` (FILE relative to --dir). A reply that changes anything else is
    /// refused with the reason.
    #[arg(long, value_name = "FILE:L1-L2")]
    pub range: Option<String>,
    /// Candidates asked for at once after a wrong answer (best-of-N, each verified; default:
    /// the server's parallel slots, llama.cpp `total_slots`; at most 4).
    #[arg(long)]
    pub candidates: Option<usize>,
    /// Don't try repair templates (the failing definition's one-token variants) when the
    /// model's rounds are spent.
    #[arg(long)]
    pub no_repair_templates: bool,
    /// Model calls at most.
    #[arg(long, default_value_t = 4)]
    pub max_rounds: u32,
    /// Wall-clock limit in seconds.
    #[arg(long, default_value_t = 600)]
    pub max_seconds: u64,
    /// Don't stream the model's text to stdout.
    #[arg(long)]
    pub quiet: bool,
    /// Print the final report as one JSON line.
    #[arg(long)]
    pub json: bool,
}

/// The whole `smallcode run` command line: the task arguments plus the opt-in escalation.
#[derive(Args, Debug, Clone)]
pub struct RunCli {
    /// The task.
    #[command(flatten)]
    pub task: RunArgs,
    /// Where the failing sub-task goes when the rounds are spent.
    #[command(flatten)]
    pub escalate: EscalateArgs,
}

/// `--escalate-*`: a stronger model for the failing sub-task (off unless a provider is given).
#[derive(Args, Debug, Clone, Default)]
pub struct EscalateArgs {
    /// Escalation wire format: anthropic or openai (opt-in; off when not given).
    #[arg(long, value_name = "anthropic|openai")]
    pub escalate_provider: Option<String>,
    /// Escalation base URL (default for anthropic: https://api.anthropic.com).
    #[arg(long, requires = "escalate_provider")]
    pub escalate_endpoint: Option<String>,
    /// Escalation model name.
    #[arg(long, requires = "escalate_provider")]
    pub escalate_model: Option<String>,
    /// Environment variable holding the escalation key (sent only to the escalation host).
    #[arg(long, value_name = "VAR", requires = "escalate_provider")]
    pub escalate_key_env: Option<String>,
}

impl RunArgs {
    /// The model-facing config these arguments describe.
    pub fn config(&self) -> anyhow::Result<Config> {
        let provider = match self.provider.as_deref() {
            None | Some("") => None,
            Some("openai") => Some(ProviderKind::Openai),
            Some("ollama") => Some(ProviderKind::Ollama),
            Some(other) => bail!("unknown provider {other:?}: use openai or ollama"),
        };
        Ok(Config {
            provider,
            endpoint: self.endpoint.clone(),
            model: self.model.clone(),
            context: self.context,
            ..Config::default()
        })
    }

    /// `--range FILE:L1-L2` as (absolute file, first line, last line).
    pub fn confine(&self) -> anyhow::Result<Option<(PathBuf, u32, u32)>> {
        let Some(r) = &self.range else {
            return Ok(None);
        };
        let parsed = r.rsplit_once(':').and_then(|(file, lines)| {
            let (a, b) = lines.split_once('-').unwrap_or((lines, lines));
            Some((
                file,
                a.trim().parse::<u32>().ok()?,
                b.trim().parse::<u32>().ok()?,
            ))
        });
        match parsed {
            Some((file, a, b)) if a >= 1 && b >= a => Ok(Some((self.dir.join(file), a, b))),
            _ => bail!(
                "--range {r:?}: use FILE:LINE1-LINE2 with 1 <= LINE1 <= LINE2, e.g. calc.py:3-9"
            ),
        }
    }

    /// The agent limits these arguments describe.
    pub fn agent_config(&self) -> AgentConfig {
        AgentConfig {
            max_rounds: self.max_rounds.max(1),
            max_wall: Duration::from_secs(self.max_seconds.max(1)),
            test_cmd: self.test.clone(),
            trusted: self.trust,
            accept_unverified: self.allow_unverified,
            candidates: self.candidates,
            repair_templates: !self.no_repair_templates,
            ..AgentConfig::default()
        }
    }
}

impl EscalateArgs {
    /// The escalation config these flags describe; `None` without `--escalate-provider`.
    pub fn escalation(&self) -> anyhow::Result<Option<smallcode_llm::config::Escalation>> {
        let Some(provider) = self.escalate_provider.clone() else {
            return Ok(None);
        };
        let Some(model) = self.escalate_model.clone() else {
            bail!("--escalate-provider needs --escalate-model");
        };
        Ok(Some(smallcode_llm::config::Escalation {
            provider,
            endpoint: self.escalate_endpoint.clone(),
            model,
            api_key_env: self.escalate_key_env.clone(),
            max_tokens: 2048,
        }))
    }
}

/// Resolves the endpoint and runs one task; the report says whether it passed.
pub async fn run_task(
    args: &RunArgs,
    prompt: &str,
    steps: &dyn sink::Steps,
    client: Option<&LlmClient>,
) -> anyhow::Result<Report> {
    run_task_with(args, None, prompt, steps, client).await
}

/// [`run_task`] with an escalation model for the failing sub-task.
pub async fn run_task_with(
    args: &RunArgs,
    escalation: Option<agent::escalate::Escalator>,
    prompt: &str,
    steps: &dyn sink::Steps,
    client: Option<&LlmClient>,
) -> anyhow::Result<Report> {
    let owned;
    let client = match client {
        Some(c) => c,
        None => {
            let config = args.config()?;
            let ep = discover::resolve(&config).await.context("model server")?;
            steps.step(&ep.info_text());
            let key = config.api_key().map_err(anyhow::Error::msg)?;
            owned = LlmClient::new(ep, config.timeouts, key);
            &owned
        }
    };
    let mut cfg = args.agent_config();
    cfg.escalation = escalation;
    cfg.confine = args.confine()?;
    if !cfg.trusted {
        // Without --trust, the user's earlier `smallcode trust grant` (or `:SmallCode trust`)
        // counts — while the project's test/build configuration is unchanged.
        use smallcode_agent::trust::{TrustState, TrustStore};
        match TrustStore::new(&cfg.data_dir).state(&args.dir) {
            TrustState::Trusted => cfg.trusted = true,
            TrustState::Changed(files) => steps.step(&format!(
                "restricted: trust was revoked, changed since it was granted: {} (smallcode trust grant --dir {} to trust it again)",
                files.join(", "),
                args.dir.display()
            )),
            TrustState::Untrusted => steps.step(&format!(
                "restricted: the project is not trusted, so none of its code runs (--trust, or smallcode trust grant --dir {})",
                args.dir.display()
            )),
        }
    }
    let perms = Permissions {
        prefixes: args.allow.clone(),
        all: args.allow_all,
    };
    let format: agent::EditFormat = args.edit_format.parse()?;
    let report = if args.naive {
        agent::naive::run(args.dir.clone(), prompt, client, &cfg, &perms, steps).await
    } else if format == agent::EditFormat::Tools {
        let opts = agent::tool_loop::ToolOptions {
            max_steps: args.max_rounds.max(1) * 3,
            perms,
            ..Default::default()
        };
        let never = CancellationToken::new();
        agent::tool_loop::run(args.dir.clone(), prompt, client, &cfg, &opts, steps, &never).await
    } else {
        agent::run(
            args.dir.clone(),
            prompt,
            client,
            &cfg,
            steps,
            &CancellationToken::new(),
        )
        .await
    };
    Ok(report)
}

/// Entry point of `smallcode run`: exit 0 when the agent wrote a `verified` change (or, with
/// `--allow-unverified`, any change whose checks pass).
pub fn main(cli: RunCli) -> ExitCode {
    let args = cli.task;
    let log = std::env::temp_dir().join("smallcode-run.log");
    crate::logging::init(
        &std::env::var_os("SMALLCODE_LOG")
            .map(PathBuf::from)
            .unwrap_or(log),
    );
    let prompt = match (&args.prompt, &args.prompt_file) {
        (Some(p), _) => p.clone(),
        (None, Some(f)) => match std::fs::read_to_string(f) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("smallcode run: cannot read {}: {e}", f.display());
                return ExitCode::from(2);
            }
        },
        (None, None) => {
            eprintln!("smallcode run: give the request with --prompt TEXT or --prompt-file FILE");
            return ExitCode::from(2);
        }
    };
    if !args.dir.is_dir() {
        eprintln!(
            "smallcode run: --dir {} is not a directory",
            args.dir.display()
        );
        return ExitCode::from(2);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("smallcode run: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let steps = sink::Stdout {
        show_model: !args.quiet,
    };
    let timeouts = smallcode_llm::config::Timeouts::default();
    let escalation = match cli.escalate.escalation().and_then(|e| {
        e.map(|e| agent::escalate::Escalator::from_config(&e, &timeouts))
            .transpose()
            .map_err(anyhow::Error::new)
    }) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("smallcode run: {e:#}");
            return ExitCode::from(2);
        }
    };
    if let Some(e) = &escalation {
        sink::Steps::step(
            &steps,
            &format!("escalation: {} (when the rounds are spent)", e.label()),
        );
    }
    match rt.block_on(run_task_with(&args, escalation, &prompt, &steps, None)) {
        Ok(report) => {
            if args.json {
                println!("{}", serde_json::to_string(&report).unwrap_or_default());
            }
            if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("smallcode run: {e:#}");
            ExitCode::FAILURE
        }
    }
}
