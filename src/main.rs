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
    Run(Box<smallcode::command::run::RunCli>),
    /// Trust a project (its tests, build scripts and the request's examples may then run), or
    /// show or revoke that trust. Kept in the user's data directory, never in the project.
    Trust(smallcode::command::trust::TrustArgs),
    /// Index a project's code graph and print files, symbols, edges and seconds.
    Index(smallcode::command::graph::IndexArgs),
    /// Query a project's code graph: defs, refs, callers, callees, find, walk.
    Graph(smallcode::command::graph::GraphArgs),
    /// Benchmarks (doc/bench.md, doc/graph.md, …): forwarded to the `smallcode-bench` binary
    /// beside this one, so the product binary carries no benchmark code.
    #[command(disable_help_flag = true)]
    Bench {
        /// Everything after `bench`, passed on unchanged.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
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
        } => smallcode_llm::discover::probe_cli(endpoint, provider, model),
        Command::Run(args) => smallcode::command::run::main(*args),
        Command::Trust(args) => smallcode::command::trust::main(args),
        Command::Index(args) => report("index", smallcode::command::graph::run_index(args)),
        Command::Graph(args) => report("graph", smallcode::command::graph::run_graph(args)),
        Command::Bench { args } => smallcode::command::bench::forward(args),
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
