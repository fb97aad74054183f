//! Lookups: find (exact and fuzzy), definitions, references, callers and callees.
//!
//! A query name may be bare (`login`) or qualified with `::` or `.` (`Session::login`,
//! `auth.Session.login`): a qualified name matches symbols whose qualified name ends with the
//! same segments.

use std::collections::HashMap;

use super::model::{GraphData, SymId};
use super::types::{RefHit, RefKind, SymbolHit};
use super::Graph;

/// Most results returned by [`Graph::find`].
const FIND_LIMIT: usize = 50;

fn segments(name: &str) -> Vec<&str> {
    name.split("::")
        .flat_map(|s| s.split('.'))
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn hit(data: &GraphData, id: SymId, score: Option<f64>) -> Option<SymbolHit> {
    let f = data.file(id.file)?;
    let s = f.record.symbols.symbols.get(id.idx as usize)?;
    Some(SymbolHit {
        name: s.name.clone(),
        qualified: s.qualified.clone(),
        kind: s.kind,
        path: f.path.clone(),
        line: s.span.line(),
        end_line: s.span.end_row + 1,
        signature: s.signature.clone(),
        doc: s.doc.clone(),
        score,
    })
}

/// Symbols matching `name` (bare or qualified), sorted by path and line.
pub(crate) fn lookup(data: &GraphData, name: &str) -> Vec<SymId> {
    let segs = segments(name);
    let Some(last) = segs.last() else {
        return Vec::new();
    };
    let mut out: Vec<SymId> = data
        .defs_named(last)
        .iter()
        .copied()
        .filter(|&id| {
            segs.len() == 1
                || data.symbol(id).is_some_and(|s| {
                    let q = segments(&s.qualified);
                    q.len() >= segs.len() && q[q.len() - segs.len()..] == segs[..]
                })
        })
        .collect();
    sort_ids(data, &mut out);
    out
}

fn sort_ids(data: &GraphData, ids: &mut [SymId]) {
    ids.sort_by(|a, b| {
        let pa = data.file(a.file).map(|f| f.path.as_str());
        let pb = data.file(b.file).map(|f| f.path.as_str());
        (pa, a.idx).cmp(&(pb, b.idx))
    });
}

impl Graph {
    /// Definitions named exactly `name` (bare or qualified).
    pub fn definitions(&self, name: &str) -> Vec<SymbolHit> {
        let data = self.read();
        lookup(&data, name)
            .into_iter()
            .filter_map(|id| hit(&data, id, None))
            .collect()
    }

    /// Symbols whose name matches `query`: exact first, then case-insensitive, prefix,
    /// substring and subsequence matches, best first, at most 50.
    pub fn find(&self, query: &str, fuzzy: bool) -> Vec<SymbolHit> {
        let data = self.read();
        if !fuzzy {
            return lookup(&data, query)
                .into_iter()
                .filter_map(|id| hit(&data, id, Some(1.0)))
                .collect();
        }
        let q = query.to_lowercase();
        let mut scored: Vec<(f64, &str)> = data
            .def_names()
            .filter_map(|n| {
                let l = n.to_lowercase();
                let base = if n == query {
                    1.0
                } else if l == q {
                    0.9
                } else if l.starts_with(&q) {
                    0.7
                } else if l.contains(&q) {
                    0.5
                } else if is_subsequence(&q, &l) {
                    0.3
                } else {
                    return None;
                };
                // Prefer names close in length to the query.
                Some((base + 0.09 * q.len() as f64 / l.len().max(1) as f64, n))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let mut out = Vec::new();
        for (score, name) in scored {
            let mut ids = data.defs_named(name).to_vec();
            sort_ids(&data, &mut ids);
            out.extend(
                ids.into_iter()
                    .filter_map(|id| hit(&data, id, Some((score * 1000.0).round() / 1000.0))),
            );
            if out.len() >= FIND_LIMIT {
                out.truncate(FIND_LIMIT);
                break;
            }
        }
        out
    }

    /// Every reference (call or type use) to `name`'s last segment, in path and line order.
    pub fn references(&self, name: &str) -> Vec<RefHit> {
        let data = self.read();
        let segs = segments(name);
        let Some(last) = segs.last() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &fid in data.files_referencing(last) {
            let Some(f) = data.file(fid) else { continue };
            let syms = &f.record.symbols;
            for r in syms.refs.iter().filter(|r| r.name == *last) {
                out.push(RefHit {
                    name: r.name.clone(),
                    kind: r.kind,
                    path: f.path.clone(),
                    line: r.row + 1,
                    enclosing: r
                        .enclosing
                        .map(|e| syms.symbols[e as usize].qualified.clone()),
                });
            }
        }
        out.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        out
    }

    /// Definitions whose calls resolve to a definition of `name`, with the edge weight
    /// (1 = certain; lower when the name is ambiguous). Calls at file level are reported with
    /// the file as a `module` symbol.
    pub fn callers(&self, name: &str) -> Vec<SymbolHit> {
        let data = self.read();
        let targets = lookup(&data, name);
        let Some(last) = segments(name).last().map(|s| s.to_string()) else {
            return Vec::new();
        };
        let mut acc: HashMap<(u32, Option<u32>), f64> = HashMap::new();
        for &fid in data.files_referencing(&last) {
            let Some(f) = data.file(fid) else { continue };
            for r in f
                .record
                .symbols
                .refs
                .iter()
                .filter(|r| r.name == last && r.kind == RefKind::Call)
            {
                let w: f32 = data
                    .resolve(fid, r)
                    .iter()
                    .filter(|(t, _)| targets.contains(t))
                    .map(|(_, w)| *w)
                    .sum();
                if w > 0.0 {
                    let e = acc.entry((fid, r.enclosing)).or_insert(0.0);
                    *e = e.max(w as f64);
                }
            }
        }
        collect_hits(&data, acc)
    }

    /// Definitions that the definitions of `name` call (directly, not through nested
    /// definitions), with edge weights.
    pub fn callees(&self, name: &str) -> Vec<SymbolHit> {
        let data = self.read();
        let mut acc: HashMap<(u32, Option<u32>), f64> = HashMap::new();
        for src in lookup(&data, name) {
            let Some(f) = data.file(src.file) else {
                continue;
            };
            for r in f
                .record
                .symbols
                .refs
                .iter()
                .filter(|r| r.enclosing == Some(src.idx) && r.kind == RefKind::Call)
            {
                for (t, w) in data.resolve(src.file, r) {
                    let e = acc.entry((t.file, Some(t.idx))).or_insert(0.0);
                    *e = e.max(w as f64);
                }
            }
        }
        collect_hits(&data, acc)
    }
}

fn collect_hits(data: &GraphData, acc: HashMap<(u32, Option<u32>), f64>) -> Vec<SymbolHit> {
    let mut out: Vec<SymbolHit> = acc
        .into_iter()
        .filter_map(|((file, idx), w)| {
            let w = Some((w * 1000.0).round() / 1000.0);
            match idx {
                Some(i) => hit(data, SymId { file, idx: i }, w),
                None => data.file(file).map(|f| SymbolHit {
                    name: f.path.clone(),
                    qualified: f.path.clone(),
                    kind: super::types::SymbolKind::Module,
                    path: f.path.clone(),
                    line: 1,
                    end_line: 1,
                    signature: String::new(),
                    doc: String::new(),
                    score: w,
                }),
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
    out
}

fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut it = hay.chars();
    needle.chars().all(|c| it.any(|h| h == c))
}

/// One resolved call or type-use edge, as listed by [`Graph::edges_from`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EdgeHit {
    /// Qualified name of the enclosing definition (the file path at file level).
    pub from: String,
    /// Qualified name of the target definition.
    pub to: String,
    /// Path of the target.
    pub to_path: String,
    /// `call` or `type`.
    pub kind: RefKind,
    /// 1-based line of the reference.
    pub line: u32,
    /// Resolution weight (1 = certain).
    pub weight: f64,
}

impl Graph {
    /// What was extracted from one file (absolute or project-relative path).
    pub fn file_symbols(&self, path: &std::path::Path) -> Option<super::types::FileSymbols> {
        let key = self.key_for(path);
        let data = self.read();
        data.file_id(&key)
            .and_then(|id| data.file(id))
            .map(|f| f.record.symbols.clone())
    }

    /// Every resolved edge out of one file's references, in reference order.
    pub fn edges_from(&self, path: &std::path::Path) -> Vec<EdgeHit> {
        let key = self.key_for(path);
        let data = self.read();
        let Some(fid) = data.file_id(&key) else {
            return Vec::new();
        };
        let Some(f) = data.file(fid) else {
            return Vec::new();
        };
        let syms = &f.record.symbols;
        let mut out = Vec::new();
        for r in &syms.refs {
            let from = r.enclosing.map_or_else(
                || f.path.clone(),
                |e| syms.symbols[e as usize].qualified.clone(),
            );
            let mut targets = data.resolve(fid, r);
            targets.sort_by_key(|t| t.0);
            for (t, w) in targets {
                let (Some(tf), Some(ts)) = (data.file(t.file), data.symbol(t)) else {
                    continue;
                };
                out.push(EdgeHit {
                    from: from.clone(),
                    to: ts.qualified.clone(),
                    to_path: tf.path.clone(),
                    kind: r.kind,
                    line: r.row + 1,
                    weight: (w as f64 * 1000.0).round() / 1000.0,
                });
            }
        }
        out
    }
}
