//! smallcode's benchmarks, out of the product: the release `smallcode` binary carries none of
//! this. `smallcode bench …` forwards to the `smallcode-bench` binary built from this crate
//! (`cargo build --release -p smallcode-bench`); nothing in the workspace depends on it.
//!
//! - The task benchmark (issue #6, [`runner`], [`task`], [`report`], [`peer`], [`merge`]):
//!   executable-oracle tasks, harness vs the naive control group and the peers.
//! - Component benchmarks: [`graph`] (index, update, walk), [`budget`] (assembly, over-limit),
//!   [`edit`] (matcher), [`kv`] (prompt-cache reuse on llama-server), [`repair`] (tool-call JSON
//!   repair on adversarial inputs).
//!
//! Task format (a folder per task, see bench/README.md): `prompt.md` or `rounds/N/prompt.md`,
//! `files/` (copied into a fresh directory per trial), `check` or `rounds/N/check` (run after the
//! agent, cwd = the work directory, `$TASK_DIR` = the task folder; exit 0 = pass, 125 = toolchain
//! missing), optional `task.toml` (`language`, `tier`, `category`, `timeout`). Checks are never
//! copied into the agent's directory.

pub mod budget;
pub mod edit;
pub mod graph;
pub mod kv;
pub mod merge;
pub mod peer;
pub mod repair;
pub mod report;
pub mod retrieval;
mod rng;
pub mod runner;
pub mod task;

pub use runner::{run, TaskBenchArgs};
