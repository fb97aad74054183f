//! Helpers shared by the integration tests: Neovim, the cached real llama-server, child
//! processes with a time limit; throwaway projects come from `smallcode-testkit`, with the mock
//! model server.

pub mod llama;
pub mod nvim;
pub mod proc;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use smallcode_core::graph::{DbLocation, GraphConfig};

/// A graph configuration with its database in memory: in-process chat tests open their graphs
/// with it (`DefaultGraphs::with_config`), so a test run leaves nothing in the user's cache.
pub fn memory_graph() -> GraphConfig {
    GraphConfig {
        db: DbLocation::Memory,
        ..GraphConfig::default()
    }
}

/// Writes `text` to `path` until the file's modification time differs from what it was before
/// (file systems stamp in steps of up to a few milliseconds): the condition a test needs, instead
/// of a fixed pause before the write.
pub fn write_with_new_mtime(path: &Path, text: &str) {
    let mtime = |p: &Path| -> Option<SystemTime> { std::fs::metadata(p).ok()?.modified().ok() };
    let before = mtime(path);
    let started = Instant::now();
    loop {
        std::fs::write(path, text).expect("write");
        if mtime(path) != before {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the modification time of {} never changed",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A client for the mock model server at `url` as a llama.cpp endpoint (context 4096;
/// `tools`: what the probe would say about native tool calls), with `key` if any.
pub fn mock_client(
    url: String,
    tools: Option<bool>,
    key: Option<&str>,
) -> smallcode_llm::LlmClient {
    use smallcode_llm::config::{ProviderKind, Timeouts};
    use smallcode_llm::{Endpoint, ServerKind};
    let ep = Endpoint {
        kind: ServerKind::LlamaCpp,
        provider: ProviderKind::Openai,
        url,
        model: "mock-model".into(),
        context: 4096,
        context_probed: true,
        trained_context: None,
        tools,
        slots: None,
        source: "configured",
        models: vec![],
    };
    smallcode_llm::LlmClient::new(ep, Timeouts::default(), key.map(str::to_string))
}
