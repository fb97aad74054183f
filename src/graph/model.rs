//! The in-memory graph: files and their symbols, name indexes, and name resolution.
//!
//! Nodes are files and symbols; edges are derived, not stored: *contains* (file → symbol, symbol
//! → nested symbol), *imports* (file → file whose stem appears in an import) and *calls* /
//! *references* (enclosing symbol → every definition the reference may resolve to). Resolution
//! is by name with hints, in order: a definition in the same file; definitions in files the
//! referencing file imports (stem, folder or qualifier named in an import); definitions in the
//! same folder; otherwise every candidate. A unique candidate gets weight 1; `n` ambiguous ones
//! share a lower weight, so an ambiguous name keeps all its candidates without dominating.
//!
//! Replacing one file touches only that file's entries in the indexes, which is what keeps a
//! live update cheap. The walk's adjacency ([`Adjacency`]) is rebuilt lazily after a change.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::codec::{FileRecord, FileStatus};
use super::types::{RefKind, Reference, Symbol};

/// A symbol's address: file slot and index in that file's symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymId {
    /// File slot.
    pub file: u32,
    /// Index in `FileSymbols::symbols`.
    pub idx: u32,
}

/// One indexed file.
#[derive(Debug)]
pub struct FileEntry {
    /// Project-relative path.
    pub path: String,
    /// What the database holds for it.
    pub record: FileRecord,
    /// Lower-case identifiers of its imports, for resolution hints.
    pub import_tokens: HashSet<String>,
    /// Lower-case file stem (`auth` for `src/auth.rs`; folder name for `mod.rs`, `index.js`…).
    pub stem: String,
    /// Folder part of `path`.
    pub dir: String,
    /// Lower-case last folder name (`auth` for `src/auth/session.rs`).
    pub dir_last: String,
}

/// Words in import text that never name a module.
const IMPORT_NOISE: &[&str] = &[
    "use",
    "import",
    "from",
    "as",
    "require",
    "crate",
    "self",
    "super",
    "pub",
    "include",
    "using",
    "namespace",
    "static",
    "extern",
    "mod",
    "h",
    "hpp",
    "js",
    "ts",
    "py",
    "lua",
    "go",
    "java",
];

fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty() && !IMPORT_NOISE.contains(t))
        .map(|t| t.to_ascii_lowercase())
}

fn stem_and_dir(path: &str) -> (String, String) {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = file.split('.').next().unwrap_or(file);
    let stem = if matches!(stem, "mod" | "lib" | "main" | "index" | "__init__" | "init")
        && !dir.is_empty()
    {
        dir.rsplit('/').next().unwrap_or(dir)
    } else {
        stem
    };
    (stem.to_ascii_lowercase(), dir.to_string())
}

/// Files, symbols and the indexes over them.
#[derive(Default)]
pub struct GraphData {
    files: Vec<Option<FileEntry>>,
    free: Vec<u32>,
    by_path: HashMap<String, u32>,
    /// Definition name → every symbol with that name.
    defs: HashMap<String, Vec<SymId>>,
    /// Lower-cased definition name → the names as written (for case-insensitive lookup).
    defs_lower: HashMap<String, Vec<String>>,
    /// Referenced name → sorted files containing a reference with that name.
    refs: HashMap<String, Vec<u32>>,
    /// Lower-case stem → files.
    stems: HashMap<String, Vec<u32>>,
    adjacency: Option<Arc<Adjacency>>,
    symbol_count: usize,
    ref_count: usize,
}

impl GraphData {
    /// The file in slot `id`.
    pub fn file(&self, id: u32) -> Option<&FileEntry> {
        self.files.get(id as usize).and_then(|f| f.as_ref())
    }

    /// Slot of a project-relative path.
    pub fn file_id(&self, path: &str) -> Option<u32> {
        self.by_path.get(path).copied()
    }

    /// Every live file slot.
    pub fn files(&self) -> impl Iterator<Item = (u32, &FileEntry)> {
        self.files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.as_ref().map(|f| (i as u32, f)))
    }

    /// Number of files with a record (indexed or skipped).
    pub fn file_count(&self) -> usize {
        self.by_path.len()
    }

    /// Number of symbols.
    pub fn symbol_count(&self) -> usize {
        self.symbol_count
    }

    /// Number of references.
    pub fn ref_count(&self) -> usize {
        self.ref_count
    }

    /// The symbol at `id`.
    pub fn symbol(&self, id: SymId) -> Option<&Symbol> {
        self.file(id.file)?
            .record
            .symbols
            .symbols
            .get(id.idx as usize)
    }

    /// Every symbol named exactly `name`.
    pub fn defs_named(&self, name: &str) -> &[SymId] {
        self.defs.get(name).map_or(&[], |v| v.as_slice())
    }

    /// Names that equal `lower` ignoring ASCII case.
    pub fn names_ci(&self, lower: &str) -> &[String] {
        self.defs_lower.get(lower).map_or(&[], |v| v.as_slice())
    }

    /// Every distinct definition name.
    pub fn def_names(&self) -> impl Iterator<Item = &str> {
        self.defs.keys().map(|s| s.as_str())
    }

    /// Files whose stem is `lower`.
    pub fn files_with_stem(&self, lower: &str) -> &[u32] {
        self.stems.get(lower).map_or(&[], |v| v.as_slice())
    }

    /// Files containing a reference named `name`.
    pub fn files_referencing(&self, name: &str) -> &[u32] {
        self.refs.get(name).map_or(&[], |v| v.as_slice())
    }

    /// Inserts or replaces the record for `path`; returns its slot.
    pub fn put(&mut self, path: &str, record: FileRecord) -> u32 {
        self.adjacency = None;
        let id = match self.by_path.get(path) {
            Some(&id) => {
                self.unindex(id);
                id
            }
            None => {
                let id = self.free.pop().unwrap_or_else(|| {
                    self.files.push(None);
                    (self.files.len() - 1) as u32
                });
                self.by_path.insert(path.to_string(), id);
                id
            }
        };
        let (stem, dir) = stem_and_dir(path);
        let dir_last = dir.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        let import_tokens = record
            .symbols
            .imports
            .iter()
            .flat_map(|i| tokens(&i.text))
            .collect();
        self.files[id as usize] = Some(FileEntry {
            path: path.to_string(),
            record,
            import_tokens,
            stem,
            dir,
            dir_last,
        });
        self.index(id);
        id
    }

    /// Removes `path`; true if it was present.
    pub fn remove(&mut self, path: &str) -> bool {
        let Some(id) = self.by_path.remove(path) else {
            return false;
        };
        self.adjacency = None;
        self.unindex(id);
        self.files[id as usize] = None;
        self.free.push(id);
        true
    }

    fn index(&mut self, id: u32) {
        let f = self.files[id as usize]
            .as_ref()
            .expect("indexed slot is live");
        let syms = &f.record.symbols;
        self.symbol_count += syms.symbols.len();
        self.ref_count += syms.refs.len();
        for (i, s) in syms.symbols.iter().enumerate() {
            let v = self.defs.entry(s.name.clone()).or_default();
            if v.is_empty() {
                self.defs_lower
                    .entry(s.name.to_ascii_lowercase())
                    .or_default()
                    .push(s.name.clone());
            }
            v.push(SymId {
                file: id,
                idx: i as u32,
            });
        }
        let names: HashSet<&str> = syms.refs.iter().map(|r| r.name.as_str()).collect();
        for n in names {
            let v = self.refs.entry(n.to_string()).or_default();
            if let Err(pos) = v.binary_search(&id) {
                v.insert(pos, id);
            }
        }
        let v = self.stems.entry(f.stem.clone()).or_default();
        if let Err(pos) = v.binary_search(&id) {
            v.insert(pos, id);
        }
    }

    fn unindex(&mut self, id: u32) {
        let Some(f) = self.files[id as usize].as_ref() else {
            return;
        };
        let syms = &f.record.symbols;
        self.symbol_count -= syms.symbols.len();
        self.ref_count -= syms.refs.len();
        let names: HashSet<&str> = syms.symbols.iter().map(|s| s.name.as_str()).collect();
        for n in names {
            if let Some(v) = self.defs.get_mut(n) {
                v.retain(|s| s.file != id);
                if v.is_empty() {
                    self.defs.remove(n);
                    let lower = n.to_ascii_lowercase();
                    if let Some(l) = self.defs_lower.get_mut(&lower) {
                        l.retain(|x| x != n);
                        if l.is_empty() {
                            self.defs_lower.remove(&lower);
                        }
                    }
                }
            }
        }
        let names: HashSet<&str> = syms.refs.iter().map(|r| r.name.as_str()).collect();
        for n in names {
            if let Some(v) = self.refs.get_mut(n) {
                if let Ok(pos) = v.binary_search(&id) {
                    v.remove(pos);
                }
                if v.is_empty() {
                    self.refs.remove(n);
                }
            }
        }
        if let Some(v) = self.stems.get_mut(&f.stem) {
            if let Ok(pos) = v.binary_search(&id) {
                v.remove(pos);
            }
        }
    }

    /// The definitions reference `r` in file `from` may mean, each with a weight in (0, 1].
    pub fn resolve(&self, from: u32, r: &Reference) -> Vec<(SymId, f32)> {
        self.resolve_name(from, &r.name, r.kind)
    }

    /// [`GraphData::resolve`] by name and kind.
    pub fn resolve_name(&self, from: u32, name: &str, kind: RefKind) -> Vec<(SymId, f32)> {
        let fits = |s: &SymId| {
            self.symbol(*s).is_some_and(|sym| match kind {
                RefKind::Call => sym.kind.is_callable(),
                RefKind::Type => sym.kind.is_type(),
            })
        };
        let cands: Vec<SymId> = self.defs_named(name).iter().copied().filter(fits).collect();
        if cands.len() <= 1 {
            return cands.into_iter().map(|c| (c, 1.0)).collect();
        }
        let same: Vec<SymId> = cands.iter().copied().filter(|c| c.file == from).collect();
        if !same.is_empty() {
            let w = 1.0 / same.len() as f32;
            return same.into_iter().map(|c| (c, w)).collect();
        }
        let Some(src) = self.file(from) else {
            return Vec::new();
        };
        let many = cands.len() > 64;
        let hinted: Vec<SymId> = cands
            .iter()
            .copied()
            .filter(|c| {
                let Some(f) = self.file(c.file) else {
                    return false;
                };
                if src.import_tokens.contains(&f.stem) || src.import_tokens.contains(&f.dir_last) {
                    return true;
                }
                // `use a::Session` then `Session::new()`: the qualifier is named in an import.
                // (Skipped for very common names: it allocates, and they are dropped by the walk.)
                !many && {
                    let sym = &f.record.symbols.symbols[c.idx as usize];
                    sym.parent
                        .map(|p| &f.record.symbols.symbols[p as usize].name)
                        .is_some_and(|p| src.import_tokens.contains(&p.to_ascii_lowercase()))
                }
            })
            .collect();
        if !hinted.is_empty() {
            let w = 1.0 / hinted.len() as f32;
            return hinted.into_iter().map(|c| (c, w)).collect();
        }
        let near: Vec<SymId> = cands
            .iter()
            .copied()
            .filter(|c| self.file(c.file).is_some_and(|f| f.dir == src.dir))
            .collect();
        if !near.is_empty() {
            let w = 0.7 / near.len() as f32;
            return near.into_iter().map(|c| (c, w)).collect();
        }
        let w = 0.5 / cands.len() as f32;
        cands.into_iter().map(|c| (c, w)).collect()
    }

    /// Files that file `id` imports (by stem), excluding itself.
    pub fn imported_files(&self, id: u32) -> Vec<u32> {
        let Some(f) = self.file(id) else {
            return Vec::new();
        };
        let mut out: Vec<u32> = f
            .import_tokens
            .iter()
            .flat_map(|t| self.files_with_stem(t).iter().copied())
            .filter(|&g| g != id)
            .collect();
        out.sort_unstable();
        out.dedup();
        // A stem shared by dozens of files (`utils`) says little: keep only specific matches.
        if out.len() > 16 {
            out.clear();
        }
        out
    }

    /// The walk's adjacency, built on first use after a change.
    pub fn adjacency(&mut self) -> Arc<Adjacency> {
        if let Some(a) = &self.adjacency {
            return a.clone();
        }
        let a = Arc::new(Adjacency::build(self));
        self.adjacency = Some(a.clone());
        a
    }

    /// The cached adjacency, if still valid.
    pub fn cached_adjacency(&self) -> Option<Arc<Adjacency>> {
        self.adjacency.clone()
    }

    /// Whether a file's status means it has symbols.
    pub fn has_symbols(&self, id: u32) -> bool {
        self.file(id).is_some_and(|f| f.record.status.has_symbols())
    }
}

/// Edge weights of the walk graph, by edge type. Callers count less than callees: what a
/// function uses explains it more than who uses it.
pub mod weights {
    /// Enclosing symbol → called definition.
    pub const CALL: f32 = 1.0;
    /// Called definition → caller.
    pub const CALLER: f32 = 0.5;
    /// Symbol → type it mentions.
    pub const TYPE: f32 = 0.4;
    /// Type → symbol mentioning it.
    pub const TYPE_USER: f32 = 0.2;
    /// File ↔ its top-level symbols, symbol ↔ nested symbols.
    pub const CONTAINS: f32 = 0.3;
    /// File → imported file (and back at half).
    pub const IMPORT: f32 = 0.2;
}

/// Compressed sparse rows over dense node numbers: node `base[f]` is file `f`, node
/// `base[f] + 1 + i` its symbol `i`.
pub struct Adjacency {
    /// First node number of each file slot (`u32::MAX` for empty slots).
    pub base: Vec<u32>,
    /// Node number → (file, symbol index or `u32::MAX` for the file node).
    pub nodes: Vec<(u32, u32)>,
    /// Row offsets into `targets`/`weights`, `nodes.len() + 1` long.
    pub offsets: Vec<u32>,
    /// Edge targets.
    pub targets: Vec<u32>,
    /// Edge weights.
    pub weights: Vec<f32>,
    /// Sum of each node's out weights.
    pub out_weight: Vec<f32>,
    /// Number of *calls/references* edges (before symmetrisation), for reports.
    pub ref_edges: usize,
    /// Number of *imports* edges.
    pub import_edges: usize,
    /// Number of *contains* edges.
    pub contains_edges: usize,
}

impl Adjacency {
    fn build(g: &GraphData) -> Adjacency {
        let mut base = vec![u32::MAX; g.files.len()];
        let mut nodes = Vec::new();
        for (id, f) in g.files() {
            base[id as usize] = nodes.len() as u32;
            nodes.push((id, u32::MAX));
            for i in 0..f.record.symbols.symbols.len() {
                nodes.push((id, i as u32));
            }
        }
        let node = |s: SymId| base[s.file as usize] + 1 + s.idx;
        let mut edges: Vec<(u32, u32, f32)> =
            Vec::with_capacity(g.symbol_count * 2 + g.ref_count * 2);
        let (mut ref_edges, mut import_edges, mut contains_edges) = (0, 0, 0);
        // Resolution is by (file, name, kind): cache it per file, names repeat a lot.
        let mut cache: HashMap<(&str, RefKind), Vec<(SymId, f32)>> = HashMap::new();
        for (id, f) in g.files() {
            let fnode = base[id as usize];
            for (i, s) in f.record.symbols.symbols.iter().enumerate() {
                let me = fnode + 1 + i as u32;
                let up = s.parent.map_or(fnode, |p| fnode + 1 + p);
                edges.push((up, me, weights::CONTAINS));
                edges.push((me, up, weights::CONTAINS));
                contains_edges += 1;
            }
            cache.clear();
            for r in &f.record.symbols.refs {
                let from = r.enclosing.map_or(fnode, |e| fnode + 1 + e);
                let targets = cache
                    .entry((r.name.as_str(), r.kind))
                    .or_insert_with(|| g.resolve(id, r));
                for &(t, w) in targets.iter() {
                    let to = node(t);
                    if to == from {
                        continue;
                    }
                    let (fw, bw) = match r.kind {
                        RefKind::Call => (weights::CALL, weights::CALLER),
                        RefKind::Type => (weights::TYPE, weights::TYPE_USER),
                    };
                    edges.push((from, to, fw * w));
                    edges.push((to, from, bw * w));
                    ref_edges += 1;
                }
            }
            for other in g.imported_files(id) {
                edges.push((fnode, base[other as usize], weights::IMPORT));
                edges.push((base[other as usize], fnode, weights::IMPORT * 0.5));
                import_edges += 1;
            }
        }
        edges.sort_unstable_by_key(|e| (e.0, e.1));
        // Merge parallel edges (a function calling `f` three times is one heavier edge).
        let mut merged: Vec<(u32, u32, f32)> = Vec::with_capacity(edges.len());
        for e in edges {
            match merged.last_mut() {
                Some(m) if m.0 == e.0 && m.1 == e.1 => m.2 += e.2,
                _ => merged.push(e),
            }
        }
        let n = nodes.len();
        let mut offsets = vec![0u32; n + 1];
        for e in &merged {
            offsets[e.0 as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let targets = merged.iter().map(|e| e.1).collect();
        let weights: Vec<f32> = merged.iter().map(|e| e.2).collect();
        let mut out_weight = vec![0f32; n];
        for e in &merged {
            out_weight[e.0 as usize] += e.2;
        }
        Adjacency {
            base,
            nodes,
            offsets,
            targets,
            weights,
            out_weight,
            ref_edges,
            import_edges,
            contains_edges,
        }
    }

    /// Node number of a symbol.
    pub fn node_of(&self, s: SymId) -> Option<u32> {
        self.base
            .get(s.file as usize)
            .filter(|&&b| b != u32::MAX)
            .map(|b| b + 1 + s.idx)
    }

    /// Node number of a file.
    pub fn file_node(&self, file: u32) -> Option<u32> {
        self.base
            .get(file as usize)
            .filter(|&&b| b != u32::MAX)
            .copied()
    }

    /// Total edges counted once per direction of meaning (contains + imports + calls/references).
    pub fn edge_count(&self) -> usize {
        self.ref_edges + self.import_edges + self.contains_edges
    }
}

/// Counts of files by status, for reports.
pub fn status_counts(g: &GraphData) -> std::collections::BTreeMap<FileStatus, usize> {
    let mut m = std::collections::BTreeMap::new();
    for (_, f) in g.files() {
        *m.entry(f.record.status).or_insert(0) += 1;
    }
    m
}
