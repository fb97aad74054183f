//! placeholder
/// Runs the edit benchmark.
pub fn run() -> anyhow::Result<()> {
    Ok(())
}
