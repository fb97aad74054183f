//! The ranked walk: personalised PageRank from seeds over the symbol graph (Aider's repo-map
//! idea), computed with the local *push* method so that only the neighbourhood of the seeds is
//! touched. Work is bounded by `1 / (ALPHA · EPSILON)` edge visits, whatever the project size.

use std::collections::VecDeque;
use std::path::PathBuf;

use serde::Deserialize;

use super::model::{Adjacency, GraphData, SymId};
use super::query::lookup;
use super::Graph;

/// Restart probability: the chance the walk jumps back to a seed at each step.
const ALPHA: f32 = 0.15;
/// Residual (per unit of out weight) below which a node is not pushed further.
const EPSILON: f32 = 2e-6;
/// Ranked symbols kept for rendering.
pub const MAX_RANKED: usize = 300;

/// Where a walk starts. Every field is optional; with no seeds at all the walk starts from
/// every file equally (a project overview).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Seeds {
    /// Free text of the request: identifiers in it (3+ characters) that name definitions or
    /// files become seeds.
    pub text: String,
    /// Symbol names (bare or qualified), e.g. the symbol under the cursor.
    pub symbols: Vec<String>,
    /// Files, e.g. the current buffer and quickfix files (absolute or project-relative).
    pub files: Vec<PathBuf>,
    /// Cursor position: file and 1-based line; the innermost definition there is a strong seed.
    pub cursor: Option<(PathBuf, u32)>,
}

impl Seeds {
    /// Seeds from request text only.
    pub fn text(text: impl Into<String>) -> Seeds {
        Seeds {
            text: text.into(),
            ..Default::default()
        }
    }
}

/// Identifier-like words of at least three characters.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.len() >= 3)
}

fn personalization(g: &Graph, data: &GraphData, adj: &Adjacency, seeds: &Seeds) -> Vec<(u32, f32)> {
    let mut out: Vec<(u32, f32)> = Vec::new();
    let add_syms = |ids: &[SymId], total: f32, out: &mut Vec<(u32, f32)>| {
        let w = total / ids.len().max(1) as f32;
        out.extend(ids.iter().filter_map(|&id| adj.node_of(id)).map(|n| (n, w)));
    };
    for w in words(&seeds.text) {
        let exact = data.defs_named(w);
        if !exact.is_empty() {
            add_syms(exact, 1.0, &mut out);
            continue;
        }
        let lower = w.to_lowercase();
        let ci: Vec<SymId> = data
            .names_ci(&lower)
            .iter()
            .flat_map(|n| data.defs_named(n).iter().copied())
            .collect();
        add_syms(&ci, 0.6, &mut out);
        let files = data.files_with_stem(&lower);
        let fw = 0.6 / files.len().max(1) as f32;
        out.extend(
            files
                .iter()
                .filter_map(|&f| adj.file_node(f))
                .map(|n| (n, fw)),
        );
    }
    for s in &seeds.symbols {
        add_syms(&lookup(data, s), 2.0, &mut out);
    }
    for p in &seeds.files {
        if let Some(n) = data.file_id(&g.key_for(p)).and_then(|f| adj.file_node(f)) {
            out.push((n, 1.0));
        }
    }
    if let Some((p, line)) = &seeds.cursor {
        if let Some(fid) = data.file_id(&g.key_for(p)) {
            let row = line.saturating_sub(1);
            let inner = data.file(fid).and_then(|f| {
                f.record
                    .symbols
                    .symbols
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|(_, s)| s.span.start_row <= row && row <= s.span.end_row)
                    .map(|(i, _)| i as u32)
            });
            if let Some(n) = inner.and_then(|i| adj.node_of(SymId { file: fid, idx: i })) {
                out.push((n, 3.0));
            }
            if let Some(n) = adj.file_node(fid) {
                out.push((n, 0.5));
            }
        }
    }
    if out.is_empty() {
        out.extend(
            (0..adj.nodes.len() as u32)
                .filter(|&n| adj.nodes[n as usize].1 == u32::MAX)
                .map(|n| (n, 1.0)),
        );
    }
    let total: f32 = out.iter().map(|x| x.1).sum();
    for x in &mut out {
        x.1 /= total;
    }
    out
}

/// Approximate personalised PageRank by pushing residual mass from the seeds.
pub(crate) fn push_ppr(adj: &Adjacency, seeds: &[(u32, f32)]) -> Vec<(u32, f32)> {
    let n = adj.nodes.len();
    let mut p = vec![0f32; n];
    let mut r = vec![0f32; n];
    let mut queued = vec![false; n];
    let mut q = VecDeque::new();
    let mut touched = Vec::new();
    for &(u, m) in seeds {
        r[u as usize] += m;
        if !queued[u as usize] {
            queued[u as usize] = true;
            q.push_back(u);
            touched.push(u);
        }
    }
    while let Some(u) = q.pop_front() {
        let ui = u as usize;
        queued[ui] = false;
        let ru = r[ui];
        let (lo, hi) = (adj.offsets[ui] as usize, adj.offsets[ui + 1] as usize);
        let deg = (hi - lo).max(1) as f32;
        if ru < EPSILON * deg {
            continue;
        }
        r[ui] = 0.0;
        let w_total = adj.out_weight[ui];
        if w_total <= 0.0 {
            p[ui] += ru;
            continue;
        }
        p[ui] += ALPHA * ru;
        let spread = (1.0 - ALPHA) * ru / w_total;
        for e in lo..hi {
            let v = adj.targets[e] as usize;
            if r[v] == 0.0 && p[v] == 0.0 {
                touched.push(v as u32);
            }
            r[v] += spread * adj.weights[e];
            let vdeg = (adj.offsets[v + 1] - adj.offsets[v]).max(1) as f32;
            if !queued[v] && r[v] >= EPSILON * vdeg {
                queued[v] = true;
                q.push_back(v as u32);
            }
        }
    }
    // Leftover residual is part of the estimate too (it is where the walk currently is).
    touched.sort_unstable();
    touched.dedup();
    touched
        .into_iter()
        .map(|u| (u, p[u as usize] + r[u as usize]))
        .filter(|x| x.1 > 0.0)
        .collect()
}

impl Graph {
    /// Symbols ranked by personalised PageRank from `seeds`, best first, at most
    /// [`MAX_RANKED`]; scores sum to at most 1.
    pub fn rank(&self, seeds: &Seeds) -> Vec<(SymId, f64)> {
        let adj = {
            let cached = self.read().cached_adjacency();
            match cached {
                Some(a) => a,
                None => self.write().adjacency(),
            }
        };
        let data = self.read();
        let pers = personalization(self, &data, &adj, seeds);
        let mut scored: Vec<(SymId, f64)> = push_ppr(&adj, &pers)
            .into_iter()
            .filter_map(|(node, s)| {
                let (file, idx) = adj.nodes[node as usize];
                (idx != u32::MAX).then_some((SymId { file, idx }, s as f64))
            })
            .collect();
        // Best first, ties by address. A walk touches tens of thousands of nodes in a large
        // project; select the top ones before sorting rather than sorting them all.
        let order = |a: &(SymId, f64), b: &(SymId, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if scored.len() > MAX_RANKED {
            scored.select_nth_unstable_by(MAX_RANKED, order);
            scored.truncate(MAX_RANKED);
        }
        scored.sort_unstable_by(order);
        scored
    }
}
