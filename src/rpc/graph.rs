//! `:SmallCode graph [NAME]`: definitions, callers and callees from the code graph, into the
//! quickfix list. The graph of a project is opened once per process and brought up to date on a
//! blocking thread (indexing a large tree takes seconds): the editor never waits for it — the
//! request is a notification and the answer is pushed to `require('smallcode.graph').show`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::{value, Nvim};
use crate::graph::{Graph, GraphConfig};

/// Open graphs by project root.
#[derive(Clone, Default)]
pub struct Graphs(Arc<Mutex<HashMap<PathBuf, Graph>>>);

/// The Lua function that shows a graph answer.
pub const LUA_SHOW: &str = "return require('smallcode.graph').show(...)";

impl Graphs {
    /// Answers `graph_query({root, name})` asynchronously.
    pub fn query(&self, nvim: Nvim, root: PathBuf, name: String) {
        let graphs = self.clone();
        tokio::spawn(async move {
            let answer = tokio::task::spawn_blocking(move || graphs.answer(&root, &name))
                .await
                .unwrap_or_else(|e| json!({"error": format!("graph task failed: {e}")}));
            if let Err(e) = nvim
                .exec_lua(LUA_SHOW, vec![value::from_json(&answer)])
                .await
            {
                tracing::warn!("[graph] could not show the answer: {e}");
            }
        });
    }

    /// The graph of `root`, opened once per process and brought up to date (blocking; the chat
    /// calls it from a blocking thread to gather a turn's context).
    pub fn open_indexed(&self, root: &std::path::Path) -> Result<Graph, String> {
        let graph = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(root) {
                Some(g) => g.clone(),
                None => {
                    let g = Graph::open(root, GraphConfig::default())
                        .map_err(|e| format!("cannot open the code graph: {e}"))?;
                    map.insert(root.to_path_buf(), g.clone());
                    g
                }
            }
        };
        graph.index(|_| {}).map_err(|e| e.to_string())?;
        Ok(graph)
    }

    fn answer(&self, root: &std::path::Path, name: &str) -> serde_json::Value {
        let graph = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(root) {
                Some(g) => g.clone(),
                None => match Graph::open(root, GraphConfig::default()) {
                    Ok(g) => {
                        map.insert(root.to_path_buf(), g.clone());
                        g
                    }
                    Err(e) => {
                        return json!({"name": name, "error": format!("cannot open the code graph: {e}")})
                    }
                },
            }
        };
        // Cheap when nothing changed (hash + mtime per file); the first call indexes.
        if let Err(e) = graph.index(|_| {}) {
            tracing::warn!("[graph] index {}: {e}", root.display());
        }
        json!({
            "name": name,
            "root": graph.root().display().to_string(),
            "defs": graph.definitions(name),
            "callers": graph.callers(name),
            "callees": graph.callees(name),
        })
    }
}
