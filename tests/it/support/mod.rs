//! Helpers shared by the integration tests: Neovim, the cached real llama-server, child
//! processes with a time limit; throwaway projects come from `smallcode-testkit`, with the mock
//! model server.

pub mod llama;
pub mod nvim;
pub mod proc;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use smallcode::chat::GraphSource;
use smallcode_core::graph::{DbLocation, Graph, GraphConfig};

/// Code graphs in memory, opened once per root: what an in-process chat test gives its
/// `Chats`, whose default source keeps its databases in the user's cache — a test run must
/// not leave files there.
#[derive(Default)]
pub struct MemoryGraphs(Mutex<HashMap<PathBuf, Graph>>);

impl GraphSource for MemoryGraphs {
    fn open(&self, root: &Path) -> Result<Graph, String> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(g) = map.get(root) {
            return Ok(g.clone());
        }
        let g = Graph::open(root, memory_graph()).map_err(|e| e.to_string())?;
        map.insert(root.to_path_buf(), g.clone());
        Ok(g)
    }
}

/// A graph configuration with its database in memory.
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
