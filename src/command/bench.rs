//! `smallcode bench …`: runs the `smallcode-bench` binary that sits beside this one.
//!
//! The benchmarks live in their own crate (`crates/bench`) so that the product binary carries
//! none of their code; this keeps the documented command line working.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// The benchmark binary's file name.
const BENCH_BIN: &str = "smallcode-bench";

/// Where `smallcode-bench` is expected: beside the running binary (cargo puts both in
/// `target/<profile>/`).
fn bench_bin() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let p = exe.with_file_name(BENCH_BIN);
    p.is_file().then_some(p)
}

/// Runs `smallcode-bench ARGS…` and returns its exit code; says how to build it when absent.
pub fn forward(args: Vec<OsString>) -> ExitCode {
    let Some(bin) = bench_bin() else {
        eprintln!(
            "bench: {BENCH_BIN} is not built beside this binary; build it with \
             `cargo build --release -p smallcode-bench` (benchmarks are not part of the product binary)"
        );
        return ExitCode::from(2);
    };
    match std::process::Command::new(&bin).args(args).status() {
        Ok(s) => match s.code() {
            Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
            None => ExitCode::FAILURE,
        },
        Err(e) => {
            eprintln!("bench: could not run {}: {e}", bin.display());
            ExitCode::FAILURE
        }
    }
}
