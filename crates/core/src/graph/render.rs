//! Rendering ranked symbols into a token budget.
//!
//! Output is grouped by file (files in order of their best symbol), symbols in line order.
//! Packing spends the budget on the bodies of the most likely definitions before the
//! signatures of many: going down the ranking, a definition is shown with its full source
//! while bodies and outlines together stay within [`BODY_SHARE`] of the budget, and as an
//! outline (one line, signature with the body elided) after that or when its body does not fit.
//! A definition holding others (a class, a Go struct's methods are not inside it, a Java
//! class's are) is shown whole only when it costs at most [`CONTAINER_SHARE`] of the budget,
//! else its members compete on their own. A symbol is either shown whole or not at all — the
//! budget never cuts inside one. Module definitions (`mod x;`, namespaces) get no line of
//! their own: they say nothing the paths do not.
//! Token counts use the project's shared estimator ([`crate::budget::tokens::count_tokens`]).

use std::collections::HashMap;

use serde::Serialize;

use super::model::{GraphData, SymId};
use super::query::hit;
use super::rank::{RankConfig, Seeds};
use super::types::{SymbolHit, SymbolKind};
use super::Graph;
use crate::budget::tokens::count_tokens;

/// Share of the budget that bodies may fill; the rest is for outline lines of what else ranks.
pub const BODY_SHARE: f64 = 0.85;
/// A definition holding other definitions is shown whole only below this share of the budget.
pub const CONTAINER_SHARE: f64 = 0.35;
/// Below this many tokens left in the body share, no body is tried any more.
const MIN_BODY: usize = 16;
/// Bodies are looked for among this many of the best-ranked definitions (each try may read a
/// file; further down, outline lines are what fits anyway).
const BODY_CANDIDATES: usize = 100;

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
    /// Indexes into `included` of the symbols shown with their whole body (the rest are one
    /// outline line each).
    pub bodies: Vec<usize>,
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
        self.walk_with(seeds, budget, &RankConfig::default())
    }

    /// [`Graph::walk`] with explicit ranking weights (the benchmark's ablations).
    pub fn walk_with(&self, seeds: &Seeds, budget: usize, cfg: &RankConfig) -> Walk {
        let ranked = self.rank_with(seeds, cfg);
        self.render(&ranked, budget, usize::MAX)
    }

    /// Renders already-ranked symbols within `budget` tokens (see the module docs), at most
    /// `full` of them with their bodies.
    pub fn render(&self, ranked: &[(SymId, f64)], budget: usize, full: usize) -> Walk {
        let data = self.read();
        let mut sources: HashMap<u32, Option<String>> = HashMap::new();
        let mut used = 0usize;
        let mut chosen: Vec<(SymId, f64, Chunk)> = Vec::new();
        let mut headers: HashMap<u32, usize> = HashMap::new();
        let mut bodies: Vec<(u32, u32, u32)> = Vec::new();
        let mut omitted = 0;
        let body_budget = (budget as f64 * BODY_SHARE) as usize;
        let container_cap = (budget as f64 * CONTAINER_SHARE) as usize;
        // A file's header line costs the same every time it is asked for.
        let header_cost: std::cell::RefCell<HashMap<u32, usize>> = Default::default();
        let header_of = |fid: u32| {
            *header_cost.borrow_mut().entry(fid).or_insert_with(|| {
                data.file(fid)
                    .map_or(0, |f| count_tokens(&format!("{}:\n", f.path)))
            })
        };
        // Pass 1: bodies, in rank order, while they fit the body share.
        let mut picked: HashMap<usize, String> = HashMap::new();
        for (i, &(id, _)) in ranked.iter().enumerate().take(BODY_CANDIDATES) {
            if bodies.len() >= full || used + MIN_BODY > body_budget {
                break;
            }
            let Some(sym) = data.symbol(id) else { continue };
            if sym.kind == SymbolKind::Module {
                continue;
            }
            let (a, b) = (sym.span.start_byte, sym.span.end_byte);
            // Not inside a body already picked, and not around one.
            if bodies
                .iter()
                .any(|&(fid, x, y)| fid == id.file && ((x <= a && b <= y) || (a <= x && y <= b)))
            {
                continue;
            }
            let src = sources
                .entry(id.file)
                .or_insert_with(|| self.source_of(&data, id.file));
            let Some(body) = src
                .as_deref()
                .and_then(|s| body_text(s, a as usize, b as usize))
            else {
                continue;
            };
            // Counting is the costly part of packing: a body that cannot fit even at 12 bytes
            // a token (whitespace runs are one token), or a container over its cap, is not
            // counted.
            if body.len() / 12 > body_budget - used
                || (body.len() / 12 > container_cap && holds_others(&data, id))
            {
                continue;
            }
            // A docstring is inside the body already; a comment above it is not.
            let doc = if sym.doc.is_empty() || body.contains(sym.doc.as_str()) {
                String::new()
            } else {
                format!("{}\n", sym.doc)
            };
            let text = format!(
                "{}-{}:\n{doc}{body}\n",
                sym.span.line(),
                sym.span.end_row + 1
            );
            let header = if headers.contains_key(&id.file) {
                0
            } else {
                header_of(id.file)
            };
            let cost = count_tokens(&text) + header;
            if used + cost > body_budget || (holds_others(&data, id) && cost > container_cap) {
                continue;
            }
            used += cost;
            let n = headers.len();
            headers.entry(id.file).or_insert(n);
            bodies.push((id.file, a, b));
            picked.insert(i, text);
        }
        // Pass 2: in rank order, the picked bodies and outline lines of the rest.
        for (i, &(id, score)) in ranked.iter().enumerate() {
            if let Some(text) = picked.remove(&i) {
                chosen.push((id, score, Chunk::Full { text }));
                continue;
            }
            let Some(sym) = data.symbol(id) else { continue };
            if sym.kind == SymbolKind::Module {
                continue;
            }
            if bodies.iter().any(|&(fid, a, b)| {
                fid == id.file && a <= sym.span.start_byte && sym.span.end_byte <= b
            }) {
                continue; // already shown inside a body
            }
            let header = if headers.contains_key(&id.file) {
                0
            } else {
                header_of(id.file)
            };
            let indent = "  ".repeat(depth(&data, id) + 1);
            let elide = if sym.span.end_row > sym.span.start_row {
                " …"
            } else {
                ""
            };
            let text = format!("{indent}{}: {}{elide}\n", sym.span.line(), sym.signature);
            // Near the end of the budget most lines cannot fit: those that cannot even at
            // their fewest possible tokens are not counted.
            if used + header + min_tokens(&text) > budget {
                omitted += 1;
                continue;
            }
            let cost = count_tokens(&text) + header;
            if used + cost > budget {
                omitted += 1;
                continue;
            }
            used += cost;
            let n = headers.len();
            headers.entry(id.file).or_insert(n);
            chosen.push((id, score, Chunk::Outline { text }));
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
        let mut included = Vec::with_capacity(chosen.len());
        let mut shown_whole = Vec::new();
        for (id, s, chunk) in &chosen {
            if let Some(h) = hit(&data, *id, Some(*s)) {
                if matches!(chunk, Chunk::Full { .. }) {
                    shown_whole.push(included.len());
                }
                included.push(h);
            }
        }
        let tokens = count_tokens(&text);
        Walk {
            text,
            tokens,
            included,
            full_bodies,
            bodies: shown_whole,
            omitted,
        }
    }

    /// The current text of a file: the open buffer's, else the disk file's if it still has the
    /// indexed content (spans of a changed file would point at the wrong bytes).
    pub(crate) fn source_of(&self, data: &GraphData, file: u32) -> Option<String> {
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

/// Fewer tokens than `text` can encode to: BPE pre-tokenizers (cl100k, o200k) never put two
/// runs of letters, or a letter run and a digit run, in one token, so the number of such runs
/// is a lower bound that costs one pass over the bytes.
fn min_tokens(text: &str) -> usize {
    let mut runs = 0;
    let mut prev = 0u8; // 0 other, 1 letter, 2 digit
    for c in text.chars() {
        let class = if c.is_alphabetic() {
            1
        } else if c.is_numeric() {
            2
        } else {
            0
        };
        if class != 0 && class != prev {
            runs += 1;
        }
        prev = class;
    }
    runs
}

/// Whether another definition is nested in `id` (definitions are outer before inner, so the
/// next one in the file is its first child if it has any).
fn holds_others(data: &GraphData, id: SymId) -> bool {
    data.symbol(SymId {
        file: id.file,
        idx: id.idx + 1,
    })
    .is_some_and(|s| s.parent == Some(id.idx))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_tokens_never_exceeds_the_count() {
        let lines = [
            "  12: pub fn walk_with(&self, seeds: &Seeds, budget: usize, cfg: &RankConfig) -> Walk …\n",
            "    3: def total_price(prices): …\n",
            "src/graph/render.rs:\n",
            "  7: fn x2y3(a1b2: u8)\n",
            "  9: const ÜBER_GRÖSSE: f64 = 1.5e-3; // naïve café 東京 ⅫABC\n",
            "  1: it's we'll they've\n",
            "",
            "\n\n   \t",
        ];
        for l in lines {
            assert!(min_tokens(l) <= count_tokens(l), "{l:?}");
        }
        assert_eq!(min_tokens("  12: fn x2y(a)\n"), 6);
    }
}
