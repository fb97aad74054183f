//! Start-up only: parse arguments, set up file logging, then hand over to the chosen mode.
//!
//! With no subcommand the process serves msgpack-rpc on stdio for Neovim. stdout is that
//! channel: nothing in this binary may print to it in that mode.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// smallcode — a coding agent for small local models, driven from Neovim.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve msgpack-rpc on stdin/stdout (what the Neovim plugin starts). The default.
    Serve,
    /// Probe a model server (or discover one on loopback) and print what was found.
    Probe {
        /// Base URL of the server; omit to probe the usual loopback ports.
        #[arg(long)]
        endpoint: Option<String>,
        /// Wire format: openai or ollama.
        #[arg(long)]
        provider: Option<String>,
        /// Model name to check against the server's list.
        #[arg(long)]
        model: Option<String>,
    },
    /// Run the agent on a project directory without Neovim (scripts, CI, benchmarks).
    Run(smallcode::command::run::RunCli),
    /// Index a project's code graph and print files, symbols, edges and seconds.
    Index(smallcode::graph::cli::IndexArgs),
    /// Query a project's code graph: defs, refs, callers, callees, find, walk.
    Graph(smallcode::graph::cli::GraphArgs),
    /// Run a benchmark and print its figures (see doc/).
    /// Benchmarks. `smallcode bench --tasks DIR` runs the task suite (doc/bench.md).
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        #[command(subcommand)]
        which: Option<Bench>,
        #[command(flatten)]
        tasks: Option<smallcode::bench::TaskBenchArgs>,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Context assembly latency and over-limit counts (doc/budget.md).
    Budget {
        /// At most this many Rust files from ~/.cargo/registry/src are read for pieces.
        #[arg(long, default_value_t = 4000)]
        files: usize,
        /// Turns per context size for the over-limit check.
        #[arg(long, default_value_t = 200)]
        turns: usize,
    },
    /// Code graph: cold/warm index, incremental update, ranked walk (doc/graph.md).
    Graph(smallcode::graph::cli::BenchGraphArgs),
    /// One report + chart from several runs' results.csv (`PATH=LABEL` keeps models apart).
    Report(smallcode::bench::merge::ReportArgs),
    /// KV-cache reuse of the chat layout against a naive one on llama-server (doc/budget.md).
    Kv(smallcode::chat::kvbench::KvArgs),
    /// Edit matcher on generated noisy SEARCH/REPLACE cases (doc/edit.md).
    Edit {
        /// Number of cases to generate.
        #[arg(long, default_value_t = smallcode::edit::bench::DEFAULT_CASES)]
        cases: usize,
        /// Seed of the case generator.
        #[arg(long, default_value_t = smallcode::edit::bench::DEFAULT_SEED)]
        seed: u64,
        /// Print every case that was not applied correctly.
        #[arg(long)]
        verbose: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => smallcode::rpc::serve_stdio(),
        Command::Probe {
            endpoint,
            provider,
            model,
        } => smallcode::llm::discover::probe_cli(endpoint, provider, model),
        Command::Run(args) => smallcode::command::run::main(args),
        Command::Index(args) => report("index", smallcode::graph::cli::run_index(args)),
        Command::Graph(args) => report("graph", smallcode::graph::cli::run_graph(args)),
        Command::Bench {
            which: None,
            tasks: Some(args),
        } => report("bench", smallcode::bench::run(args)),
        Command::Bench {
            which: None,
            tasks: None,
        } => {
            eprintln!("bench: give --tasks DIR, or one of: graph, budget, edit, kv, report (see smallcode bench --help)");
            ExitCode::from(2)
        }
        Command::Bench {
            which: Some(Bench::Graph(args)),
            ..
        } => report("bench graph", smallcode::graph::cli::run_bench(args)),
        Command::Bench {
            which: Some(Bench::Report(args)),
            ..
        } => report("bench report", smallcode::bench::merge::run(args)),
        Command::Bench {
            which: Some(Bench::Kv(args)),
            ..
        } => report("bench kv", smallcode::chat::kvbench::run(args)),
        Command::Bench {
            which:
                Some(Bench::Edit {
                    cases,
                    seed,
                    verbose,
                }),
            ..
        } => report(
            "bench edit",
            smallcode::edit::bench::run_with(cases, seed, verbose),
        ),
        Command::Bench {
            which: Some(Bench::Budget { files, turns }),
            ..
        } => {
            let opts = smallcode::budget::bench::BenchOptions {
                files,
                limit_turns: turns,
                ..Default::default()
            };
            match smallcode::budget::bench::run(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("bench budget: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Prints a CLI command's error with its cause chain and turns it into an exit code.
fn report(what: &str, r: anyhow::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{what}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
