//! Helpers shared by the integration tests: Neovim, the cached real llama-server, throwaway
//! projects come from `smallcode-testkit`, with the mock model server.

pub mod llama;
pub mod nvim;
