//! smallcode: a Neovim coding agent built for small local models — the editor-facing crate.
//!
//! Data path: Lua command → [`rpc`] (wire contract, dispatch, the Neovim editor implementation)
//! → [`chat`] (conversations) or the agent (`smallcode-agent`) → `smallcode-llm` → events pushed
//! back to the chat buffer. [`command`] holds the command-line modes (`run`, `index`, `graph`),
//! [`logging`] keeps stdout clean (it is the RPC channel). This is the only crate that knows
//! nvim-rs; the layers below it are crates of their own (README "Layout").

#![warn(missing_docs)]

pub mod chat;
pub mod command;
pub mod logging;
pub mod rpc;
