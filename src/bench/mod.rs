//! The task benchmark (issue #6): executable-oracle tasks, harness vs the naive control group.
//!
//! Task format (a folder per task, see bench/README.md): `prompt.md` or `rounds/N/prompt.md`,
//! `files/` (copied into a fresh directory per trial), `check` or `rounds/N/check` (run after the
//! agent, cwd = the work directory, `$TASK_DIR` = the task folder; exit 0 = pass, 125 = toolchain
//! missing), optional `task.toml` (`language`, `tier`, `category`, `timeout`). Checks are never
//! copied into the agent's directory.

pub mod merge;
pub mod peer;
pub mod report;
pub mod runner;
pub mod task;

pub use runner::{run, TaskBenchArgs};
