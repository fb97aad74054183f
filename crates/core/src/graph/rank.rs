//! The ranked walk: which definitions a request is about.
//!
//! Two kinds of evidence, fused:
//!
//! 1. **Words** ([`super::lexical`]): BM25 of the request's terms against each definition's
//!    name, enclosing names, doc comment and own source (identifiers split, stop words never
//!    terms), lifted when the definition's file path matches the request too (`blame:` →
//!    `blame.lua`) and when it is in a seed file (the buffer the request comes from), plus a
//!    bonus for a definition a word marked as code names exactly
//!    (`` `extend()` ``), shared among its definitions.
//! 2. **Structure**: personalised PageRank (Aider's repo-map idea) seeded with the best word
//!    hits, the files whose paths match, and the editor's seeds (the buffer, the definition
//!    under the cursor, symbols), computed with the local *push* method so only the seeds'
//!    neighbourhood is touched — work is bounded by `1 / (ALPHA · EPSILON)` edge visits,
//!    whatever the project size. It lifts the callers and callees of the hits and the code
//!    around the cursor.
//!
//! A definition's score is its normalised word score plus [`RankConfig::graph`] × its
//! normalised PageRank. A request with no terms and no editor seeds (empty, or stop words only)
//! gets an overview: PageRank from every file.

use std::collections::VecDeque;
use std::path::PathBuf;

use foldhash::{HashMap, HashMapExt};
use serde::Deserialize;

use super::lexical::{Lexicon, Request};
use super::model::{Adjacency, GraphData, SymId};
use super::query::lookup;
use super::types::SymbolKind;
use super::Graph;

/// Restart probability: the chance the walk jumps back to a seed at each step.
const ALPHA: f32 = 0.15;
/// Residual (per unit of out weight) below which a node is not pushed further.
const EPSILON: f32 = 2e-6;
/// Ranked symbols kept for rendering.
pub const MAX_RANKED: usize = 300;
/// A code-marked word with more definitions than this names none of them in particular.
const MAX_NAMED_DEFS: usize = 16;

/// Where a walk starts. Every field is optional; with no seeds at all the walk starts from
/// every file equally (a project overview).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Seeds {
    /// Free text of the request: its words are matched against definitions and paths
    /// ([`super::lexical`]); words marked as code that name a definition exactly lift it.
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

/// How the ranking weighs its evidence. The defaults are the ones doc/retrieval.md measures.
#[derive(Debug, Clone, PartialEq)]
pub struct RankConfig {
    /// Weight of the normalised PageRank against the normalised word score (1 = the best word
    /// hit). 0 ranks by words alone. Defaults to 0.3.
    pub graph: f32,
    /// How much a file path matching the request lifts that file's word hits: a score is
    /// multiplied by `1 + path × (path match / best path match)`. Defaults to 0.5.
    pub path: f32,
    /// Bonus (in best-word-hit units) for a definition a code-marked word names exactly,
    /// divided by the square root of how many definitions have that name. Defaults to 0.5.
    pub named: f32,
    /// Word hits that seed PageRank, at most. Defaults to 30.
    pub seeds: usize,
    /// How much a file's total word evidence lifts each of its hits: a score is multiplied by
    /// `1 + file × (file's summed word score / best file's)`. Defaults to 0.5.
    pub file: f32,
    /// Multiplier for definitions in test code (test files, Rust `mod tests`) when the request
    /// does not mention tests: a request about behaviour wants the code first, and tests repeat
    /// its words. Defaults to 0.5.
    pub tests: f32,
    /// Multiplier for definitions in vendored or generated code (`vendor/`, `third_party/`,
    /// a file whose head says it is generated, such as a Bison parser): a request is about the
    /// project's own code, and a generated parser repeats every token name. Defaults to 0.5.
    pub vendored: f32,
    /// How much being in one of the seed files (the current buffer, quickfix files) lifts a
    /// definition's word score: multiplied by `1 + buffer`. Defaults to 1.
    pub buffer: f32,
}

impl Default for RankConfig {
    fn default() -> Self {
        RankConfig {
            graph: 0.3,
            path: 0.5,
            named: 0.5,
            seeds: 30,
            file: 0.5,
            tests: 0.5,
            vendored: 0.5,
            buffer: 1.0,
        }
    }
}

/// A definition's place for breaking ties: its file's path and start byte. File slots are
/// handed out in the order parallel indexing finishes files, so ordering ties by slot would
/// rank them differently from one process to the next.
fn place(data: &GraphData, id: SymId) -> (&str, u32) {
    let byte = data.symbol(id).map_or(0, |s| s.span.start_byte);
    (file_path(data, id.file), byte)
}

/// The path of file slot `file` ("" for an empty slot).
fn file_path(data: &GraphData, file: u32) -> &str {
    data.file(file).map_or("", |f| f.path.as_str())
}

/// A score rounded to a grid far finer than any real difference: float sums taken in another
/// order differ in their last bits, and such near-ties must fall to [`place`], not to chance.
fn grid(score: f64) -> i64 {
    (score * 1e6).round() as i64
}

/// The innermost definition at a 1-based line of a file.
fn at_cursor(data: &GraphData, fid: u32, line: u32) -> Option<SymId> {
    let row = line.saturating_sub(1);
    data.file(fid).and_then(|f| {
        f.record
            .symbols
            .symbols
            .iter()
            .enumerate()
            .rev()
            .find(|(_, s)| s.span.start_row <= row && row <= s.span.end_row)
            .map(|(i, _)| SymId {
                file: fid,
                idx: i as u32,
            })
    })
}

/// Seeds from the editor: symbols, files, the definition under the cursor. Node and mass.
fn editor_seeds(g: &Graph, data: &GraphData, adj: &Adjacency, seeds: &Seeds) -> Vec<(u32, f32)> {
    let mut out: Vec<(u32, f32)> = Vec::new();
    for s in &seeds.symbols {
        let ids = lookup(data, s);
        let w = 2.0 / ids.len().max(1) as f32;
        out.extend(ids.iter().filter_map(|&id| adj.node_of(id)).map(|n| (n, w)));
    }
    for p in &seeds.files {
        if let Some(n) = data.file_id(&g.key_for(p)).and_then(|f| adj.file_node(f)) {
            out.push((n, 1.0));
        }
    }
    if let Some((p, line)) = &seeds.cursor {
        if let Some(fid) = data.file_id(&g.key_for(p)) {
            if let Some(n) = at_cursor(data, fid, *line).and_then(|id| adj.node_of(id)) {
                out.push((n, 3.0));
            }
            if let Some(n) = adj.file_node(fid) {
                out.push((n, 0.5));
            }
        }
    }
    out
}

/// Whether a path is test code by the usual layouts: `test/`, `tests/`, `__tests__/`, `spec/`,
/// `testdata/` folders, `test_x.py`, `x_test.go`, `x.test.ts`, `x.spec.js`, `x_spec.lua`,
/// `XTest.java`.
pub fn is_test_path(path: &str) -> bool {
    const DIRS: [&str; 6] = ["test", "tests", "testing", "__tests__", "testdata", "spec"];
    if in_dir_named(path, &DIRS) {
        return true;
    }
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    file.starts_with("test_")
        || file.contains("_test.")
        || file.contains(".test.")
        || file.contains(".spec.")
        || file.contains("_spec.")
        || file.ends_with("test.java")
        || file.ends_with("tests.java")
}

/// Whether a path is vendored code by the usual layouts: `vendor/`, `third_party/`,
/// `third-party/`, `thirdparty/`, `external/`, `extern/` folders.
pub fn is_vendored_path(path: &str) -> bool {
    const DIRS: [&str; 7] = [
        "vendor",
        "vendored",
        "third_party",
        "third-party",
        "thirdparty",
        "external",
        "extern",
    ];
    in_dir_named(path, &DIRS)
}

/// Whether a folder of `path` (not its file name) is one of `names`, ignoring ASCII case.
/// Allocation-free: a walk asks it for every file with a scored definition.
fn in_dir_named(path: &str, names: &[&str]) -> bool {
    let mut segments = path.split('/');
    segments.next_back();
    segments.any(|seg| names.iter().any(|n| seg.eq_ignore_ascii_case(n)))
}

/// Whether a definition is inside a Rust `mod tests` (test files are known by their path).
fn in_test_module(data: &GraphData, id: SymId) -> bool {
    let Some(f) = data.file(id.file) else {
        return false;
    };
    let syms = &f.record.symbols.symbols;
    let mut cur = syms.get(id.idx as usize).and_then(|s| s.parent);
    while let Some(p) = cur {
        let s = &syms[p as usize];
        if s.kind == SymbolKind::Module && (s.name == "tests" || s.name == "test") {
            return true;
        }
        cur = s.parent;
    }
    false
}

/// Every file node, equally: the overview when nothing else seeds the walk.
fn overview(adj: &Adjacency) -> Vec<(u32, f32)> {
    (0..adj.nodes.len() as u32)
        .filter(|&n| adj.nodes[n as usize].1 == u32::MAX)
        .map(|n| (n, 1.0))
        .collect()
}

/// Word evidence per definition, normalised so the best is 1: BM25, lifted by path matches
/// and exact names of code-marked words.
fn word_scores(
    data: &GraphData,
    lex: &Lexicon,
    req: &Request,
    buffers: &[u32],
    cfg: &RankConfig,
) -> (HashMap<SymId, f32>, Vec<(u32, f32)>) {
    let mut out: HashMap<SymId, f32> = HashMap::new();
    let mut paths = lex.path_score(req);
    let path_max = paths.iter().map(|x| x.1).fold(0.0, f32::max);
    let path_of: HashMap<u32, f32> = paths
        .iter()
        .map(|&(f, s)| (f, if path_max > 0.0 { s / path_max } else { 0.0 }))
        .collect();
    let hits = lex.score(req);
    let max = hits.iter().map(|x| x.1).fold(0.0, f32::max);
    if max > 0.0 {
        for (id, s) in hits {
            let mut lift = 1.0 + cfg.path * path_of.get(&id.file).copied().unwrap_or(0.0);
            if buffers.contains(&id.file) {
                lift *= 1.0 + cfg.buffer;
            }
            out.insert(id, s / max * lift);
        }
    }
    for w in &req.code {
        let defs = data.defs_named(w);
        if defs.is_empty() || defs.len() > MAX_NAMED_DEFS {
            continue;
        }
        let bonus = cfg.named / (defs.len() as f32).sqrt();
        for &id in defs {
            *out.entry(id).or_default() += bonus;
        }
    }
    // Module definitions never get a slot of their own.
    out.retain(|id, _| {
        data.symbol(*id)
            .is_some_and(|s| s.kind != SymbolKind::Module)
    });
    if cfg.file > 0.0 {
        // Summed in address order: a float sum depends on its order, and the map's order
        // changes from process to process.
        let mut sorted: Vec<(SymId, f32)> = out.iter().map(|(&id, &s)| (id, s)).collect();
        sorted.sort_unstable_by_key(|x| x.0);
        let mut by_file: HashMap<u32, f32> = HashMap::new();
        for (id, s) in sorted {
            *by_file.entry(id.file).or_default() += s;
        }
        let best = by_file.values().copied().fold(0.0, f32::max);
        if best > 0.0 {
            for (id, s) in out.iter_mut() {
                *s *= 1.0 + cfg.file * by_file[&id.file] / best;
            }
        }
    }
    paths.sort_by(|a, b| {
        grid(b.1 as f64)
            .cmp(&grid(a.1 as f64))
            .then_with(|| file_path(data, a.0).cmp(file_path(data, b.0)))
    });
    let paths = paths
        .into_iter()
        .map(|(f, s)| (f, if path_max > 0.0 { s / path_max } else { 0.0 }))
        .collect();
    (out, paths)
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
    /// Symbols ranked for `seeds` with the default [`RankConfig`], best first, at most
    /// [`MAX_RANKED`].
    pub fn rank(&self, seeds: &Seeds) -> Vec<(SymId, f64)> {
        self.rank_with(seeds, &RankConfig::default())
    }

    /// Symbols ranked for `seeds` (see the module docs), best first, at most [`MAX_RANKED`].
    pub fn rank_with(&self, seeds: &Seeds, cfg: &RankConfig) -> Vec<(SymId, f64)> {
        let adj = {
            let cached = self.read().cached_adjacency();
            match cached {
                Some(a) => a,
                None => self.write().adjacency(),
            }
        };
        let data = self.read();
        let req = Request::parse(&seeds.text);
        let (words, paths, generated) = {
            let lex = self.lexicon(&data);
            let buffers: Vec<u32> = seeds
                .files
                .iter()
                .filter_map(|p| data.file_id(&self.key_for(p)))
                .collect();
            let (w, p) = word_scores(&data, &lex, &req, &buffers, cfg);
            (w, p, lex.generated_files())
        };
        let mut best: Vec<(SymId, f32)> = words.iter().map(|(&id, &s)| (id, s)).collect();
        best.sort_by(|a, b| {
            grid(b.1 as f64)
                .cmp(&grid(a.1 as f64))
                .then_with(|| place(&data, a.0).cmp(&place(&data, b.0)))
        });
        let mut pers: Vec<(u32, f32)> = best
            .iter()
            .take(cfg.seeds)
            .filter_map(|&(id, s)| adj.node_of(id).map(|n| (n, s)))
            .collect();
        // Files whose paths match: a little mass on the file node reaches its definitions.
        pers.extend(
            paths
                .iter()
                .take(3)
                .filter_map(|&(f, s)| adj.file_node(f).map(|n| (n, 0.3 * s))),
        );
        let editor = editor_seeds(self, &data, &adj, seeds);
        let word_mass: f32 = pers.iter().map(|x| x.1).sum();
        let editor_mass: f32 = editor.iter().map(|x| x.1).sum();
        // The editor's seeds weigh as much as the words together when both are present.
        let scale = if word_mass > 0.0 && editor_mass > 0.0 {
            word_mass / editor_mass
        } else {
            1.0
        };
        pers.extend(editor.iter().map(|&(n, m)| (n, m * scale)));
        let mut scores = words;
        if let Some((p, line)) = &seeds.cursor {
            if let Some(id) = data
                .file_id(&self.key_for(p))
                .and_then(|fid| at_cursor(&data, fid, *line))
            {
                *scores.entry(id).or_default() += 1.0;
            }
        }
        let (pers, graph_weight) = if pers.is_empty() {
            (overview(&adj), 1.0)
        } else {
            (pers, cfg.graph)
        };
        let total: f32 = pers.iter().map(|x| x.1).sum();
        let pers: Vec<(u32, f32)> = pers.into_iter().map(|(n, m)| (n, m / total)).collect();
        if graph_weight > 0.0 {
            let ppr: Vec<(SymId, f32)> = push_ppr(&adj, &pers)
                .into_iter()
                .filter_map(|(node, s)| {
                    let (file, idx) = adj.nodes[node as usize];
                    (idx != u32::MAX).then_some((SymId { file, idx }, s))
                })
                .filter(|(id, _)| {
                    data.symbol(*id)
                        .is_some_and(|s| s.kind != SymbolKind::Module)
                })
                .collect();
            let max = ppr.iter().map(|x| x.1).fold(0.0, f32::max);
            if max > 0.0 {
                for (id, s) in ppr {
                    *scores.entry(id).or_default() += graph_weight * s / max;
                }
            }
        }
        let about_tests = req.terms.iter().any(|(t, _)| t == "test" || t == "spec");
        // Test, vendored and generated code: a multiplier per file, worked out once per file
        // (a walk scores tens of thousands of definitions in a large project).
        let mut per_file: HashMap<u32, (f32, bool)> = HashMap::new();
        let mut scored: Vec<(SymId, f64)> = Vec::with_capacity(scores.len());
        for (id, s) in scores {
            if s <= 0.0 {
                continue;
            }
            let (m, test_file) = *per_file.entry(id.file).or_insert_with(|| {
                let path = file_path(&data, id.file);
                let test_file = is_test_path(path);
                let mut m = 1.0;
                if test_file && !about_tests {
                    m *= cfg.tests;
                }
                if is_vendored_path(path) || generated.binary_search(&id.file).is_ok() {
                    m *= cfg.vendored;
                }
                (m, test_file)
            });
            let m = if !about_tests && !test_file && in_test_module(&data, id) {
                m * cfg.tests
            } else {
                m
            };
            scored.push((id, (s * m) as f64));
        }
        // Best first, ties by place (path, then position). A walk touches tens of thousands of
        // nodes in a large project; select the top ones before sorting rather than sorting
        // them all.
        let order = |a: &(SymId, f64), b: &(SymId, f64)| {
            grid(b.1)
                .cmp(&grid(a.1))
                .then_with(|| place(&data, a.0).cmp(&place(&data, b.0)))
        };
        if scored.len() > MAX_RANKED {
            scored.select_nth_unstable_by(MAX_RANKED, order);
            scored.truncate(MAX_RANKED);
        }
        scored.sort_unstable_by(order);
        scored
    }

    /// The first `n` definitions ranked for `seeds`, as hits with their scores: the ranking
    /// without the rendering (the chat offers its own pieces; the benchmark reads positions).
    pub fn rank_hits(&self, seeds: &Seeds, n: usize) -> Vec<super::SymbolHit> {
        let ranked = self.rank(seeds);
        let data = self.read();
        ranked
            .iter()
            .take(n)
            .filter_map(|&(id, s)| super::query::hit(&data, id, Some(s)))
            .collect()
    }

    /// The lexical index, brought up to date with `data` first.
    pub(crate) fn lexicon(&self, data: &GraphData) -> std::sync::MutexGuard<'_, Lexicon> {
        self.lexicon_synced(data).0
    }

    /// [`Graph::lexicon`] and how many files it had to analyse.
    pub(crate) fn lexicon_synced(
        &self,
        data: &GraphData,
    ) -> (std::sync::MutexGuard<'_, Lexicon>, usize) {
        let mut lex = self.inner.lexicon.lock().unwrap_or_else(|e| e.into_inner());
        let n = lex.sync(data, self.config().worker_threads(), &|slot| {
            self.source_of(data, slot)
        });
        if n > 0 {
            tracing::debug!("[graph] lexical index: {n} files analysed");
        }
        (lex, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{DbLocation, GraphConfig};

    /// A project in a fresh temp folder, indexed in memory.
    fn project(name: &str, files: &[(&str, &str)]) -> Graph {
        let dir =
            std::env::temp_dir().join(format!("smallcode-rank-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let g = Graph::open(
            &dir,
            GraphConfig {
                db: DbLocation::Memory,
                ..Default::default()
            },
        )
        .unwrap();
        g.index(|_| {}).unwrap();
        g
    }

    const POOL: &str = r#"class Pool:
    """A pool of worker threads."""

    def __init__(self, size):
        self.size = size
        self.closed = False

    def shutdown(self):
        """Stops accepting work and joins the workers."""
        self.closed = True

    def spawn_blocking(self, job):
        """Runs a job on a worker thread."""
        if self.closed:
            raise RuntimeError("the blocking pool is shut down")
        return job()
"#;

    const TIMER: &str = r#"def when(deadline):
    """Time left until the deadline."""
    return deadline - now()


def now():
    return 0


def is_due(deadline):
    return when(deadline) <= 0
"#;

    const TEST: &str = r#"from pool import Pool


def test_spawn_blocking_after_shutdown_raises():
    pool = Pool(2)
    pool.shutdown()
    pool.spawn_blocking(lambda: 1)
"#;

    fn files() -> Vec<(&'static str, &'static str)> {
        vec![
            ("pool.py", POOL),
            ("timer.py", TIMER),
            ("tests/test_pool.py", TEST),
        ]
    }

    #[test]
    fn a_described_request_puts_the_described_functions_body_first() {
        let g = project("described", &files());
        let w = g.walk(
            &Seeds::text("Running a job fails with an error once the pool was shut down"),
            300,
        );
        assert_eq!(w.included[0].name, "spawn_blocking", "{}", w.text);
        assert!(w.bodies.contains(&0), "{}", w.text);
        assert!(
            w.text
                .contains("raise RuntimeError(\"the blocking pool is shut down\")"),
            "{}",
            w.text
        );
        // The docstring is printed once, inside the body.
        assert_eq!(w.text.matches("Runs a job on a worker thread.").count(), 1);
    }

    #[test]
    fn stop_words_never_decide_a_rank() {
        let g = project("stop", &files());
        // `when` names a function, but in a sentence it is a stop word: it never ranks it.
        let w = g.walk(&Seeds::text("when the pool is shut down"), 2000);
        assert!(
            w.included
                .iter()
                .all(|h| h.name != "when" && h.name != "is_due"),
            "{}",
            w.text
        );
        // Adding or removing stop words leaves the ranking as it is.
        let ids = |text: &str| -> Vec<SymId> {
            g.rank(&Seeds::text(text))
                .into_iter()
                .map(|x| x.0)
                .collect()
        };
        assert_eq!(
            ids("when the pool is shut down while spawning a job"),
            ids("pool shut spawning job")
        );
        // A request of stop words only is no request: the overview.
        assert_eq!(ids("it is when it was and then there is the"), ids(""));
    }

    #[test]
    fn tests_rank_below_the_code_they_test_unless_the_request_is_about_tests() {
        let g = project("tests", &files());
        let code = g.rank_hits(&Seeds::text("spawn blocking after shutdown raises"), 3);
        assert_eq!(code[0].path, "pool.py", "{code:?}");
        let test = g.rank_hits(&Seeds::text("the test of spawn blocking after shutdown"), 1);
        assert_eq!(test[0].path, "tests/test_pool.py", "{test:?}");
    }

    #[test]
    fn the_buffer_the_request_comes_from_lifts_its_word_hits() {
        let code = "def parse_number(text):\n    return int(text)\n";
        let g = project("buffer", &[("src/a.py", code), ("src/b.py", code)]);
        let text = g.rank_hits(&Seeds::text("parse a number"), 2);
        assert_eq!(text[0].path, "src/a.py", "ties go by address: {text:?}");
        let in_b = Seeds {
            files: vec![PathBuf::from("src/b.py")],
            ..Seeds::text("parse a number")
        };
        let hits = g.rank_hits(&in_b, 2);
        assert_eq!(hits[0].path, "src/b.py", "{hits:?}");
        // Only word hits are lifted: the buffer's other definitions do not outrank them.
        let g = project(
            "buffer-only-hits",
            &[
                ("src/a.py", code),
                ("src/b.py", "def unrelated(x):\n    return x\n"),
            ],
        );
        let in_b = Seeds {
            files: vec![PathBuf::from("src/b.py")],
            ..Seeds::text("parse a number")
        };
        let hits = g.rank_hits(&in_b, 2);
        assert_eq!(hits[0].name, "parse_number", "{hits:?}");
    }

    #[test]
    fn the_same_request_ranks_the_same_in_every_index() {
        // Many files with equal words: parallel indexing hands out file slots in whatever
        // order it finishes, and ties and PageRank must not follow that order.
        let files: Vec<(String, String)> = (0..24)
            .map(|i| {
                (
                    format!("src/m{i:02}.py"),
                    format!(
                        "def parse_number_{i}(text):\n    return int(text)\n\n\n\
                         def use_{i}(t):\n    return parse_number_{}(t)\n",
                        (i + 1) % 24
                    ),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let ranked = |g: &Graph| -> Vec<(String, String, u32)> {
            g.rank_hits(&Seeds::text("parse a number from text"), 40)
                .into_iter()
                .map(|h| (h.path, h.name, h.line))
                .collect()
        };
        let first = ranked(&project("same-1", &refs));
        assert_eq!(first.len(), 40);
        // The second half of the files indexed first: every file gets another slot.
        let g = project("same-late", &refs[12..]);
        for (path, text) in &refs[..12] {
            std::fs::write(g.root().join(path), text).unwrap();
        }
        g.index(|_| {}).unwrap();
        assert_eq!(ranked(&g), first);
    }

    #[test]
    fn vendored_and_generated_code_ranks_below_the_projects_own() {
        let own = "def parse_number(text):\n    return int(text)\n";
        let g = project(
            "vendored",
            &[
                ("src/number.py", own),
                ("vendor/lib/number.py", own),
                (
                    "src/gen.py",
                    &format!("# Generated by a tool. DO NOT EDIT.\n{own}"),
                ),
            ],
        );
        let hits = g.rank_hits(&Seeds::text("parse a number"), 3);
        assert_eq!(hits[0].path, "src/number.py", "{hits:?}");
        assert!(is_vendored_path("third_party/emhash/hash_table8.hpp"));
        assert!(!is_vendored_path("src/vendors.rs"));
    }

    #[test]
    fn module_declarations_get_no_slot() {
        let g = project(
            "modules",
            &[
                ("src/lib.rs", "mod auth;\npub use auth::login;\n"),
                (
                    "src/auth.rs",
                    "pub fn login(user: &str) -> bool {\n    !user.is_empty()\n}\n",
                ),
            ],
        );
        let w = g.walk(&Seeds::text("auth login"), 2000);
        assert!(
            w.included.iter().all(|h| h.kind != SymbolKind::Module),
            "{}",
            w.text
        );
        assert_eq!(w.included[0].name, "login");
    }
}
