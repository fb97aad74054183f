//! The integration tests: one binary (ripgrep's `tests/tests.rs` shape), one module per topic,
//! the mock model server compiled once (`smallcode-testkit`).
//!
//! - agent_*: `smallcode run` and the agent API against the scripted mock.
//! - chat_budget: chat turns through the budgeted assembler; chats: the loop guard and the
//!   partial index on the real `Chats`.
//! - e2e*: real headless Neovim + the Rust process + the mock (e2e_crash: kill -9 while a change
//!   set lands; e2e_chats: saved chats, resume, restart, fix runs in the history, #symbol, vLLM).
//! - graph: the code graph on fixtures and in Neovim.
//! - lua_unit: the Lua specs in tests/lua/.
//! - real_model: real llama-server + SmolLM2 (run whenever the cached build exists).
//! - bench_tasks: the benchmark task suite is well-formed.

mod support;

mod agent_escalate;
mod agent_mock;
mod agent_tools;
mod bench_tasks;
mod chat_budget;
mod chats;
mod e2e;
mod e2e_chats;
mod e2e_crash;
mod e2e_memory;
mod e2e_permission;
mod e2e_quickfix;
mod e2e_review;
mod e2e_secrets;
mod e2e_tools;
mod e2e_trust;
mod fault_matrix;
mod graph;
mod lua_unit;
mod mock_selftest;
mod real_model;
