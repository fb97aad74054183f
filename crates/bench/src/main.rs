//! `smallcode-bench`: every benchmark, as `smallcode bench …` documents them (the `smallcode`
//! binary forwards `bench` here). Prints figures to stdout; build with `--release`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Benchmarks. `smallcode bench --tasks DIR` runs the task suite (doc/bench.md).
#[derive(Parser)]
#[command(
    name = "smallcode bench",
    version,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    which: Option<Bench>,
    #[command(flatten)]
    tasks: Option<smallcode_bench::TaskBenchArgs>,
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
    Graph(smallcode_bench::graph::BenchGraphArgs),
    /// Context retrieval on cases mined from real commits; `retrieval mine` builds them (doc/retrieval.md).
    Retrieval(Box<smallcode_bench::retrieval::RetrievalArgs>),
    /// One report + chart from several runs' results.csv (`PATH=LABEL` keeps models apart).
    Report(smallcode_bench::merge::ReportArgs),
    /// KV-cache reuse of the chat layout against a naive one on llama-server (doc/budget.md).
    Kv(smallcode_bench::kv::KvArgs),
    /// Tool-call JSON repair on adversarial 1 MiB inputs (doc/reliability.md).
    Repair(smallcode_bench::repair::RepairArgs),
    /// Edit matcher on generated noisy SEARCH/REPLACE cases (doc/edit.md).
    Edit {
        /// Number of cases to generate.
        #[arg(long, default_value_t = smallcode_bench::edit::DEFAULT_CASES)]
        cases: usize,
        /// Seed of the case generator.
        #[arg(long, default_value_t = smallcode_bench::edit::DEFAULT_SEED)]
        seed: u64,
        /// Print every case that was not applied correctly.
        #[arg(long)]
        verbose: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match (cli.which, cli.tasks) {
        (None, Some(args)) => report("bench", smallcode_bench::run(args)),
        (None, None) => {
            eprintln!("bench: give --tasks DIR, or one of: graph, budget, edit, kv, repair, report (see smallcode bench --help)");
            ExitCode::from(2)
        }
        (Some(Bench::Graph(args)), _) => report("bench graph", smallcode_bench::graph::run(args)),
        (Some(Bench::Retrieval(a)), _) => {
            report("bench retrieval", smallcode_bench::retrieval::run(*a))
        }
        (Some(Bench::Report(args)), _) => report("bench report", smallcode_bench::merge::run(args)),
        (Some(Bench::Kv(args)), _) => report("bench kv", smallcode_bench::kv::run(args)),
        (Some(Bench::Repair(args)), _) => {
            report("bench repair", smallcode_bench::repair::run(args))
        }
        (
            Some(Bench::Edit {
                cases,
                seed,
                verbose,
            }),
            _,
        ) => report(
            "bench edit",
            smallcode_bench::edit::run_with(cases, seed, verbose),
        ),
        (Some(Bench::Budget { files, turns }), _) => {
            let opts = smallcode_bench::budget::BenchOptions {
                files,
                limit_turns: turns,
                ..Default::default()
            };
            report(
                "bench budget",
                smallcode_bench::budget::run(&opts).map_err(anyhow::Error::msg),
            )
        }
    }
}

/// Prints a command's error with its cause chain and turns it into an exit code.
fn report(what: &str, r: anyhow::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{what}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
