//! Rendering ranked symbols into a token budget.
//!
//! Output is grouped by file (files in order of their best symbol), symbols in line order. The
//! top few symbols are shown with their full source; the rest as an outline: one line with the
//! signature and the body elided. A symbol is either shown whole or not at all — the budget
//! never cuts inside one; a body that does not fit falls back to its outline line.
//! Token counts use the project's shared estimator ([`crate::budget::tokens::count_tokens`]).

use std::collections::HashMap;

use serde::Serialize;

use super::model::{GraphData, SymId};
use super::query::hit;
use super::rank::Seeds;
use super::types::{SymbolHit, SymbolKind};
use super::Graph;
use crate::budget::tokens::count_tokens;

/// Symbols shown with full bodies, at most.
pub const FULL_BODIES: usize = 3;

/// A ranked, rendered walk.
#[derive(Debug, Clone, Serialize)]
pub struct Walk {
    /// The rendered context.
    pub text: String,
    /// Tokens in `text` (estimator count).
    pub tokens: usize,
    /// The symbols included, best first, with their scores.
    pub included: Vec<SymbolHit>,
    /// How many of them are shown with their full body.
    pub full_bodies: usize,
    /// Ranked symbols left out for lack of budget.
    pub omitted: usize,
}

enum Chunk {
    Full { text: String },
    Outline { text: String },
}

impl Chunk {
    fn text(&self) -> &str {
        match self {
            Chunk::Full { text } | Chunk::Outline { text } => text,
        }
    }
}

fn depth(data: &GraphData, id: SymId) -> usize {
    let mut d = 0;
    let mut cur = data.symbol(id).and_then(|s| s.parent);
    while let Some(p) = cur {
        d += 1;
        cur = data
            .symbol(SymId {
                file: id.file,
                idx: p,
            })
            .and_then(|s| s.parent);
    }
    d
}

impl Graph {
    /// Ranks from `seeds` and renders within `budget` tokens (see the module docs).
    pub fn walk(&self, seeds: &Seeds, budget: usize) -> Walk {
        let ranked = self.rank(seeds);
        self.render(&ranked, budget, FULL_BODIES)
    }

    /// Renders already-ranked symbols within `budget` tokens, the first `full` as bodies.
    pub fn render(&self, ranked: &[(SymId, f64)], budget: usize, full: usize) -> Walk {
        let data = self.read();
        let mut sources: HashMap<u32, Option<String>> = HashMap::new();
        let mut used = 0usize;
        let mut chosen: Vec<(SymId, f64, Chunk)> = Vec::new();
        let mut headers: HashMap<u32, usize> = HashMap::new();
        let mut bodies: Vec<(u32, u32, u32)> = Vec::new();
        let mut omitted = 0;
        for &(id, score) in ranked {
            let Some(f) = data.file(id.file) else {
                continue;
            };
            let Some(sym) = data.symbol(id) else { continue };
            if bodies.iter().any(|&(fid, a, b)| {
                fid == id.file && a <= sym.span.start_byte && sym.span.end_byte <= b
            }) {
                continue; // already shown inside a body
            }
            let header_cost = if headers.contains_key(&id.file) {
                0
            } else {
                count_tokens(&format!("{}:\n", f.path))
            };
            let indent = "  ".repeat(depth(&data, id) + 1);
            let mut chunk = None;
            if bodies.len() < full && sym.kind != SymbolKind::Module {
                let src = sources
                    .entry(id.file)
                    .or_insert_with(|| self.source_of(&data, id.file));
                if let Some(body) = src.as_deref().and_then(|s| {
                    body_text(s, sym.span.start_byte as usize, sym.span.end_byte as usize)
                }) {
                    let doc = if sym.doc.is_empty() {
                        String::new()
                    } else {
                        format!("{}\n", sym.doc)
                    };
                    let text = format!(
                        "{}-{}:\n{doc}{body}\n",
                        sym.span.line(),
                        sym.span.end_row + 1
                    );
                    let cost = count_tokens(&text) + header_cost;
                    if used + cost <= budget {
                        used += cost;
                        bodies.push((id.file, sym.span.start_byte, sym.span.end_byte));
                        chunk = Some(Chunk::Full { text });
                    }
                }
            }
            if chunk.is_none() {
                let elide = if sym.span.end_row > sym.span.start_row {
                    " …"
                } else {
                    ""
                };
                let text = format!("{indent}{}: {}{elide}\n", sym.span.line(), sym.signature);
                let cost = count_tokens(&text) + header_cost;
                if used + cost > budget {
                    omitted += 1;
                    continue;
                }
                used += cost;
                chunk = Some(Chunk::Outline { text });
            }
            let n = headers.len();
            headers.entry(id.file).or_insert(n);
            chosen.push((id, score, chunk.expect("set above")));
        }
        // Lay out: files by first appearance, symbols by line.
        let mut order: Vec<usize> = (0..chosen.len()).collect();
        order.sort_by_key(|&i| {
            let (id, _, _) = &chosen[i];
            (
                headers[&id.file],
                data.symbol(*id).map_or(0, |s| s.span.start_byte),
                id.idx,
            )
        });
        let mut text = String::new();
        let mut last_file = None;
        for &i in &order {
            let (id, _, chunk) = &chosen[i];
            if last_file != Some(id.file) {
                if last_file.is_some() {
                    text.push('\n');
                }
                text.push_str(&data.file(id.file).map_or(String::new(), |f| f.path.clone()));
                text.push_str(":\n");
                last_file = Some(id.file);
            }
            text.push_str(chunk.text());
        }
        let full_bodies = chosen
            .iter()
            .filter(|c| matches!(c.2, Chunk::Full { .. }))
            .count();
        let included = chosen
            .iter()
            .filter_map(|(id, s, _)| hit(&data, *id, Some(*s)))
            .collect();
        let tokens = count_tokens(&text);
        Walk {
            text,
            tokens,
            included,
            full_bodies,
            omitted,
        }
    }

    /// The current text of a file: the open buffer's, else the disk file's if it still has the
    /// indexed content (spans of a changed file would point at the wrong bytes).
    fn source_of(&self, data: &GraphData, file: u32) -> Option<String> {
        let f = data.file(file)?;
        if let Some(t) = self.buffer_text(&f.path) {
            return Some(t);
        }
        let bytes = std::fs::read(self.root().join(&f.path)).ok()?;
        if super::index::hash(&bytes) != f.record.hash {
            return None;
        }
        String::from_utf8(bytes).ok()
    }
}

/// The source of `[start, end)` widened to the start of its first line (keeps indentation).
fn body_text(src: &str, start: usize, end: usize) -> Option<&str> {
    if end > src.len() || start > end || !src.is_char_boundary(start) || !src.is_char_boundary(end)
    {
        return None;
    }
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    Some(&src[line_start..end])
}
