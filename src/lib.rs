//! smallcode: a Neovim coding agent built for small local models.
//!
//! Data path (one module per stage): Lua command → [`rpc`] → [`chat`] (later the agent) →
//! [`llm`] → events pushed back to the chat buffer. [`config`] holds what Lua sends at start-up,
//! [`logging`] keeps stdout clean (it is the RPC channel).

pub mod agent;
pub mod bench;
pub mod budget;
pub mod chat;
pub mod command;
pub mod config;
pub mod edit;
pub mod graph;
pub mod llm;
pub mod logging;
pub(crate) mod rng;
pub mod rpc;
pub mod syntax;
pub mod toolcall;
