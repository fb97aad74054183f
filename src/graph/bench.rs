//! `smallcode bench graph`: the numbers on a real corpus.
use super::cli::BenchGraphArgs;

/// Runs the benchmark and prints the figures.
pub fn run(_args: BenchGraphArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
