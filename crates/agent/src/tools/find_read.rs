//! `find_read(query)`: one call from "I need to see X" to the code, budgeted.
//!
//! - a path of an existing file → the file (reduced to the read budget when long);
//! - a symbol name → its definition(s) from the code graph, each with its source lines;
//! - anything else (a description) → a ranked graph walk from the words of the query.
//!
//! The graph is the editor's own when it lends it ([`Toolbox::with_graph`]); otherwise it is
//! opened in memory and indexed on first use (off the async threads). Staged and
//! live-buffer texts are overlaid so line numbers match what the model edits.

use super::{show_file, ToolResult, Toolbox, FIND_READ};
use crate::error::AgentError;
use smallcode_core::budget::tokens::count_tokens;
use smallcode_core::graph::{DbLocation, Graph, GraphConfig, Seeds};

/// Definitions shown for one name, at most.
const MAX_DEFS: usize = 3;

impl Toolbox {
    /// Runs `find_read`.
    pub async fn find_read(&mut self, query: &str) -> ToolResult {
        let q = query.trim().trim_matches('`');
        if q.is_empty() {
            return ToolResult::error(
                FIND_READ,
                "query is empty: give a symbol name, a description or a file path",
            );
        }
        if let Some(r) = self.read_path(q).await {
            return r;
        }
        let graph = match self.graph().await {
            Ok(g) => g,
            Err(e) => return ToolResult::error(FIND_READ, e),
        };
        let mut defs = graph.definitions(q);
        if defs.is_empty() && !q.contains(' ') {
            defs = graph
                .find(q, true)
                .into_iter()
                .filter(|h| h.score.unwrap_or(0.0) >= 0.7)
                .collect();
        }
        if !defs.is_empty() {
            let mut out = Vec::new();
            let mut used = 0;
            let total = defs.len();
            for d in defs.iter().take(MAX_DEFS) {
                let Ok(path) = self.ws.resolve(&d.path) else {
                    continue;
                };
                self.refresh(&path).await;
                let text = self.ws.read(&path).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let (a, b) = (d.line as usize, (d.end_line as usize).min(lines.len()));
                if a == 0 || a > b {
                    continue;
                }
                let body = lines[a - 1..b].join("\n");
                let piece = format!(
                    "{} lines {a}-{b}:\n```{}\n{body}\n```",
                    d.path,
                    super::super::context::fence_for(&d.path)
                );
                let cost = count_tokens(&piece);
                if used + cost > self.read_budget && !out.is_empty() {
                    break;
                }
                used += cost;
                out.push(piece);
                self.mark_read(&path);
            }
            if !out.is_empty() {
                let more = if total > out.len() {
                    format!("\n({} more definitions match)", total - out.len())
                } else {
                    String::new()
                };
                let step = format!(
                    "find_read `{q}` → {}",
                    defs.iter()
                        .take(out.len())
                        .map(|d| format!("{}:{}", d.path, d.line))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return ToolResult::new(format!("{}{more}", out.join("\n")), step);
            }
        }
        let walk = graph.walk(&Seeds::text(q), self.read_budget);
        if walk.included.is_empty() {
            let files = self.ws.files(40).join(", ");
            return ToolResult::new(
                format!("nothing found for `{q}`. Files: {files}"),
                format!("find_read `{q}` → nothing found"),
            );
        }
        let mut seen = Vec::new();
        for h in &walk.included {
            if !seen.contains(&h.path) {
                seen.push(h.path.clone());
            }
        }
        for rel in &seen {
            if let Ok(p) = self.ws.resolve(rel) {
                self.refresh(&p).await;
                self.mark_read(&p);
            }
        }
        ToolResult::new(
            walk.text.clone(),
            format!(
                "find_read `{q}` → {} symbols in {}",
                walk.included.len(),
                seen.join(", ")
            ),
        )
    }

    /// The file at `q` when `q` names one (on disk or staged).
    async fn read_path(&mut self, q: &str) -> Option<ToolResult> {
        if q.contains(char::is_whitespace) || !(q.contains('.') || q.contains('/')) {
            return None;
        }
        let path = match self.ws.resolve(q) {
            Ok(p) => p,
            // A path that leads outside is refused, not searched for as a name.
            Err(e) if q.starts_with('/') || q.contains("..") => {
                return Some(ToolResult::error(FIND_READ, e))
            }
            Err(_) => return None,
        };
        if !path.is_file() && !self.ws.staged().contains_key(&path) {
            return None;
        }
        self.refresh(&path).await;
        let text = match self.ws.read(&path) {
            Ok(t) => t,
            Err(e) => return Some(ToolResult::error(FIND_READ, e)),
        };
        let rel = self.ws.rel(&path);
        self.mark_read(&path);
        let lines = text.lines().count();
        Some(ToolResult::new(
            show_file(&rel, &text, self.read_budget),
            format!("find_read {rel} ({lines} lines)"),
        ))
    }

    /// The project's graph, indexed on first use, with staged and buffer texts overlaid.
    async fn graph(&mut self) -> Result<Graph, AgentError> {
        if let Some(g) = &self.graph {
            return Ok(g.clone());
        }
        let cfg = GraphConfig {
            db: DbLocation::Memory,
            ..GraphConfig::default()
        };
        let g = Graph::open(self.ws.root(), cfg)?;
        let g2 = g.clone();
        tokio::task::spawn_blocking(move || g2.index(|_| {}))
            .await
            .map_err(AgentError::IndexTask)??;
        self.graph = Some(g.clone());
        self.overlay_workspace();
        Ok(g)
    }
}
