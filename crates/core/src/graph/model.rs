//! The in-memory graph: files and their symbols, name indexes, and name resolution.
//!
//! Nodes are files and symbols; edges are derived, not stored: *contains* (file → symbol, symbol
//! → nested symbol), *imports* (file → file whose stem appears in an import) and *calls* /
//! *references* (enclosing symbol → every definition the reference may resolve to). Resolution
//! is by name with hints, in order: a definition in the same file; definitions in files the
//! referencing file imports (stem, folder or qualifier named in an import); definitions in the
//! same folder; otherwise every candidate. A unique candidate gets weight 1; `n` ambiguous ones
//! share a lower weight, so an ambiguous name keeps all its candidates without dominating — up
//! to [`MANY_CANDIDATES`]: a name defined more often resolves by the hints alone (looked up by
//! file, so it stays linear in a large project) and to nothing without one.
//!
//! Replacing one file touches only that file's entries in the indexes, which is what keeps a
//! live update cheap. The walk's adjacency ([`Adjacency`]) is rebuilt lazily after a change.

use std::sync::Arc;

// foldhash, not SipHash: warm start and the walk graph build hash every reference name (SipHash
// was ~19% of a warm `smallcode index` profile); the seed is still random per process.
use foldhash::{HashMap, HashMapExt, HashSet};

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
    /// Lower-case stem → sorted files.
    stems: HashMap<String, Vec<u32>>,
    /// Folder → sorted files directly in it (the "same folder" hint).
    dirs: HashMap<String, Vec<u32>>,
    /// Lower-case last folder name → sorted files (the "folder named in an import" hint).
    dir_lasts: HashMap<String, Vec<u32>>,
    adjacency: Option<Arc<Adjacency>>,
    /// Files replaced since `adjacency` was built, with the entry it was built from. When their
    /// symbol skeletons are unchanged the adjacency is patched instead of rebuilt.
    pending: HashMap<u32, FileEntry>,
    /// How often the adjacency was built from scratch and patched (benchmark and tests).
    pub adjacency_builds: usize,
    /// See `adjacency_builds`.
    pub adjacency_patches: usize,
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

    /// Every symbol named exactly `name`, sorted by file slot (so one file's are a range).
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

    /// Inserts or replaces the record for `path`; returns its slot. Replacing a file keeps the
    /// walk adjacency and remembers the old entry, so the next walk can patch just that file's
    /// edges (see [`GraphData::adjacency`]); a new file invalidates the adjacency.
    pub fn put(&mut self, path: &str, record: FileRecord) -> u32 {
        let (stem, dir) = stem_and_dir(path);
        let dir_last = dir.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        let import_tokens = record
            .symbols
            .imports
            .iter()
            .flat_map(|i| tokens(&i.text))
            .collect();
        let entry = FileEntry {
            path: path.to_string(),
            record,
            import_tokens,
            stem,
            dir,
            dir_last,
        };
        let id = match self.by_path.get(path) {
            Some(&id) => {
                let Some(old) = self.files[id as usize].replace(entry) else {
                    self.index(id);
                    return id;
                };
                self.reindex(id, &old);
                if self.adjacency.is_some() && self.pending.len() < MAX_PENDING {
                    self.pending.entry(id).or_insert(old);
                } else {
                    self.invalidate();
                }
                return id;
            }
            None => {
                self.invalidate();
                let id = self.free.pop().unwrap_or_else(|| {
                    self.files.push(None);
                    (self.files.len() - 1) as u32
                });
                self.by_path.insert(path.to_string(), id);
                self.files[id as usize] = Some(entry);
                id
            }
        };
        self.index(id);
        id
    }

    fn invalidate(&mut self) {
        self.adjacency = None;
        self.pending.clear();
    }

    /// Removes `path`; true if it was present.
    pub fn remove(&mut self, path: &str) -> bool {
        let Some(id) = self.by_path.remove(path) else {
            return false;
        };
        self.invalidate();
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
            let sym = SymId {
                file: id,
                idx: i as u32,
            };
            match self.defs.get_mut(&s.name) {
                Some(v) if !v.is_empty() => insert_sorted(v, sym),
                _ => {
                    self.defs.insert(s.name.clone(), vec![sym]);
                    self.defs_lower
                        .entry(s.name.to_ascii_lowercase())
                        .or_default()
                        .push(s.name.clone());
                }
            }
        }
        let names: HashSet<&str> = syms.refs.iter().map(|r| r.name.as_str()).collect();
        for n in names {
            // `get_mut` first: most names are known, and `entry` would allocate the key anyway.
            match self.refs.get_mut(n) {
                Some(v) => insert_sorted(v, id),
                None => {
                    self.refs.insert(n.to_string(), vec![id]);
                }
            }
        }
        insert_sorted(self.stems.entry(f.stem.clone()).or_default(), id);
        insert_sorted(self.dirs.entry(f.dir.clone()).or_default(), id);
        insert_sorted(self.dir_lasts.entry(f.dir_last.clone()).or_default(), id);
    }

    /// Updates the indexes for file `id` replaced by a new version (already in its slot), `old`
    /// being the version they index. Touches only what differs: with the same definition names
    /// in the same order (typing inside bodies) the definition index stays as it is, and only
    /// referenced names that appear or disappear change the reference index.
    fn reindex(&mut self, id: u32, old: &FileEntry) {
        let Some(new) = self.files[id as usize].as_ref() else {
            return;
        };
        let (o, n) = (&old.record.symbols, &new.record.symbols);
        self.symbol_count = self.symbol_count + n.symbols.len() - o.symbols.len();
        self.ref_count = self.ref_count + n.refs.len() - o.refs.len();
        let same_defs = o.symbols.len() == n.symbols.len()
            && o.symbols
                .iter()
                .zip(&n.symbols)
                .all(|(a, b)| a.name == b.name);
        let old_refs: HashSet<&str> = o.refs.iter().map(|r| r.name.as_str()).collect();
        let new_refs: HashSet<&str> = n.refs.iter().map(|r| r.name.as_str()).collect();
        let gone: Vec<String> = old_refs
            .difference(&new_refs)
            .map(|s| s.to_string())
            .collect();
        let added: Vec<String> = new_refs
            .difference(&old_refs)
            .map(|s| s.to_string())
            .collect();
        for name in gone {
            remove_sorted(&mut self.refs, &name, id);
        }
        for name in added {
            insert_sorted(self.refs.entry(name).or_default(), id);
        }
        if same_defs {
            return;
        }
        self.unindex_defs(id, &o.symbols);
        self.index_defs(id);
    }

    fn index_defs(&mut self, id: u32) {
        let Some(f) = self.files[id as usize].as_ref() else {
            return;
        };
        for (i, s) in f.record.symbols.symbols.iter().enumerate() {
            let v = self.defs.entry(s.name.clone()).or_default();
            if v.is_empty() {
                self.defs_lower
                    .entry(s.name.to_ascii_lowercase())
                    .or_default()
                    .push(s.name.clone());
            }
            insert_sorted(
                v,
                SymId {
                    file: id,
                    idx: i as u32,
                },
            );
        }
    }

    fn unindex_defs(&mut self, id: u32, symbols: &[Symbol]) {
        unindex_defs(&mut self.defs, &mut self.defs_lower, id, symbols);
    }

    fn unindex(&mut self, id: u32) {
        let Some(f) = self.files[id as usize].as_ref() else {
            return;
        };
        let syms = &f.record.symbols;
        self.symbol_count -= syms.symbols.len();
        self.ref_count -= syms.refs.len();
        unindex_defs(&mut self.defs, &mut self.defs_lower, id, &syms.symbols);
        let names: HashSet<&str> = syms.refs.iter().map(|r| r.name.as_str()).collect();
        for n in names {
            remove_sorted(&mut self.refs, n, id);
        }
        remove_sorted(&mut self.stems, &f.stem, id);
        remove_sorted(&mut self.dirs, &f.dir, id);
        remove_sorted(&mut self.dir_lasts, &f.dir_last, id);
    }

    /// The definitions reference `r` in file `from` may mean, each with a weight in (0, 1].
    pub fn resolve(&self, from: u32, r: &Reference) -> Vec<(SymId, f32)> {
        self.resolve_name(from, &r.name, r.kind)
    }

    /// [`GraphData::resolve`] by name and kind.
    pub fn resolve_name(&self, from: u32, name: &str, kind: RefKind) -> Vec<(SymId, f32)> {
        match self.file(from) {
            Some(src) => self.resolve_from(from, src, name, kind),
            None => Vec::new(),
        }
    }

    /// Resolution as seen from `src` (file slot `from`): `src` may be an older version of that
    /// file, whose imports are what the old edges were resolved with.
    fn resolve_from(
        &self,
        from: u32,
        src: &FileEntry,
        name: &str,
        kind: RefKind,
    ) -> Vec<(SymId, f32)> {
        let fits = |s: &SymId| {
            self.symbol(*s).is_some_and(|sym| match kind {
                RefKind::Call => sym.kind.is_callable(),
                RefKind::Type => sym.kind.is_type(),
            })
        };
        let all = self.defs_named(name);
        // Stops counting at MANY_CANDIDATES + 1: most definitions of a common name fit.
        if all
            .iter()
            .filter(|s| fits(s))
            .take(MANY_CANDIDATES + 1)
            .count()
            <= MANY_CANDIDATES
        {
            let cands: Vec<SymId> = all.iter().copied().filter(fits).collect();
            return self.resolve_few(from, src, cands);
        }
        // A common name (`new`, `run`, `get`): every step looks only at the candidates in the
        // files a hint names, found by file range, so resolving it from every file of a large
        // project stays linear instead of candidates × files.
        let same: Vec<SymId> = in_file(all, from).iter().copied().filter(fits).collect();
        if !same.is_empty() {
            return share(same, 1.0);
        }
        let mut hinted_files: Vec<u32> = src
            .import_tokens
            .iter()
            .flat_map(|t| {
                let stems = self.stems.get(t).map_or(&[][..], |v| v.as_slice());
                let dirs = self.dir_lasts.get(t).map_or(&[][..], |v| v.as_slice());
                stems.iter().chain(dirs).copied()
            })
            .collect();
        hinted_files.sort_unstable();
        hinted_files.dedup();
        let hinted = in_files(all, &hinted_files, fits);
        if !hinted.is_empty() {
            return share(hinted, 1.0);
        }
        let near_files = self.dirs.get(&src.dir).map_or(&[][..], |v| v.as_slice());
        let near = in_files(all, near_files, fits);
        if !near.is_empty() {
            return share(near, 0.7);
        }
        // No hint: the name says nothing about which of its many definitions is meant, and
        // edges to all of them would grow as references × definitions.
        Vec::new()
    }

    /// [`GraphData::resolve_from`] for a name with at most [`MANY_CANDIDATES`] fitting
    /// definitions (`cands`): every hint is tried on each candidate, and without a hint every
    /// candidate is kept with a share of weight 0.5.
    fn resolve_few(&self, from: u32, src: &FileEntry, cands: Vec<SymId>) -> Vec<(SymId, f32)> {
        if cands.len() <= 1 {
            return share(cands, 1.0);
        }
        let same: Vec<SymId> = cands.iter().copied().filter(|c| c.file == from).collect();
        if !same.is_empty() {
            return share(same, 1.0);
        }
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
                let sym = &f.record.symbols.symbols[c.idx as usize];
                sym.parent
                    .map(|p| &f.record.symbols.symbols[p as usize].name)
                    .is_some_and(|p| src.import_tokens.contains(&p.to_ascii_lowercase()))
            })
            .collect();
        if !hinted.is_empty() {
            return share(hinted, 1.0);
        }
        let near: Vec<SymId> = cands
            .iter()
            .copied()
            .filter(|c| self.file(c.file).is_some_and(|f| f.dir == src.dir))
            .collect();
        if !near.is_empty() {
            return share(near, 0.7);
        }
        share(cands, 0.5)
    }

    /// Files that file `id` imports (by stem), excluding itself.
    pub fn imported_files(&self, id: u32) -> Vec<u32> {
        match self.file(id) {
            Some(f) => self.imported_files_of(id, f),
            None => Vec::new(),
        }
    }

    fn imported_files_of(&self, id: u32, f: &FileEntry) -> Vec<u32> {
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

    /// The walk's adjacency, built on first use after a change. When only files whose symbol
    /// skeleton (names, kinds, nesting) is unchanged were replaced — typing inside bodies,
    /// editing signatures or imports — only their calls/references and imports edges are
    /// swapped, in one linear pass over the rows; otherwise it is rebuilt.
    pub fn adjacency(&mut self) -> Arc<Adjacency> {
        if let Some(a) = &self.adjacency {
            if self.pending.is_empty() {
                return a.clone();
            }
            let pending = std::mem::take(&mut self.pending);
            if let Some(p) = self.patched(a, &pending) {
                self.adjacency_patches += 1;
                let p = Arc::new(p);
                self.adjacency = Some(p.clone());
                return p;
            }
        }
        self.pending.clear();
        self.adjacency_builds += 1;
        let a = Arc::new(Adjacency::build(self));
        self.adjacency = Some(a.clone());
        a
    }

    /// The cached adjacency, if still valid (no file replaced since it was built).
    pub fn cached_adjacency(&self) -> Option<Arc<Adjacency>> {
        self.adjacency.clone().filter(|_| self.pending.is_empty())
    }

    /// `a` with the edges of each pending file's old version replaced by its current ones, or
    /// `None` when a skeleton changed (node numbers or other files' resolutions would move).
    fn patched(&self, a: &Adjacency, pending: &HashMap<u32, FileEntry>) -> Option<Adjacency> {
        let mut delta: Vec<(u32, u32, f32)> = Vec::new();
        let (mut ref_edges, mut import_edges) = (a.ref_edges as i64, a.import_edges as i64);
        for (&id, old) in pending {
            let new = self.file(id)?;
            if !same_skeleton(&old.record.symbols.symbols, &new.record.symbols.symbols) {
                return None;
            }
            let start = delta.len();
            let (r, i) = self.file_edges(&a.base, id, old, &mut delta);
            for e in &mut delta[start..] {
                e.2 = -e.2;
            }
            ref_edges -= r as i64;
            import_edges -= i as i64;
            let (r, i) = self.file_edges(&a.base, id, new, &mut delta);
            ref_edges += r as i64;
            import_edges += i as i64;
        }
        Some(a.with_delta(delta, ref_edges as usize, import_edges as usize))
    }

    /// Pushes the calls/references and imports edges that file `id` (as `f`) contributes, both
    /// directions, onto `edges`; returns how many of each kind (counted once).
    fn file_edges(
        &self,
        base: &[u32],
        id: u32,
        f: &FileEntry,
        edges: &mut Vec<(u32, u32, f32)>,
    ) -> (usize, usize) {
        let fnode = base[id as usize];
        let (mut ref_edges, mut import_edges) = (0, 0);
        // Resolution is by (file, name, kind): cache it per file, names repeat a lot.
        let mut cache: HashMap<(&str, RefKind), Vec<(SymId, f32)>> = HashMap::new();
        for r in &f.record.symbols.refs {
            let from = r.enclosing.map_or(fnode, |e| fnode + 1 + e);
            let targets = cache
                .entry((r.name.as_str(), r.kind))
                .or_insert_with(|| self.resolve_from(id, f, &r.name, r.kind));
            for &(t, w) in targets.iter() {
                let to = base[t.file as usize] + 1 + t.idx;
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
        for other in self.imported_files_of(id, f) {
            edges.push((fnode, base[other as usize], weights::IMPORT));
            edges.push((base[other as usize], fnode, weights::IMPORT * 0.5));
            import_edges += 1;
        }
        (ref_edges, import_edges)
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
        // Nodes numbered in path order, not slot order: slots follow the order parallel
        // indexing finished files in, and PageRank's push order (so its approximation's last
        // digits) follows the numbering — the same request would rank differently per process.
        let mut files: Vec<(u32, &FileEntry)> = g.files().collect();
        files.sort_unstable_by(|a, b| a.1.path.cmp(&b.1.path));
        for (id, f) in files {
            base[id as usize] = nodes.len() as u32;
            nodes.push((id, u32::MAX));
            for i in 0..f.record.symbols.symbols.len() {
                nodes.push((id, i as u32));
            }
        }
        let mut edges: Vec<(u32, u32, f32)> =
            Vec::with_capacity(g.symbol_count * 2 + g.ref_count * 2);
        let (mut ref_edges, mut import_edges, mut contains_edges) = (0, 0, 0);
        for (id, f) in g.files() {
            let fnode = base[id as usize];
            for (i, s) in f.record.symbols.symbols.iter().enumerate() {
                let me = fnode + 1 + i as u32;
                let up = s.parent.map_or(fnode, |p| fnode + 1 + p);
                edges.push((up, me, weights::CONTAINS));
                edges.push((me, up, weights::CONTAINS));
                contains_edges += 1;
            }
            let (r, i) = g.file_edges(&base, id, f, &mut edges);
            ref_edges += r;
            import_edges += i;
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

    /// A copy with `delta` (edge, weight change) applied: rows without a change are copied
    /// as they are; in changed rows weights are summed and edges whose weight cancels out are
    /// dropped. Linear in the number of edges, no sorting of the whole graph.
    fn with_delta(
        &self,
        mut delta: Vec<(u32, u32, f32)>,
        ref_edges: usize,
        import_edges: usize,
    ) -> Adjacency {
        delta.sort_unstable_by_key(|e| (e.0, e.1));
        let n = self.nodes.len();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(self.targets.len() + delta.len() / 2);
        let mut weights = Vec::with_capacity(self.targets.len() + delta.len() / 2);
        let mut out_weight = self.out_weight.clone();
        offsets.push(0u32);
        let mut d = 0;
        let mut u = 0usize;
        while u < n {
            // Copy the run of unchanged rows up to the next changed one in one go.
            let next = delta.get(d).map_or(n, |e| e.0 as usize);
            if next > u {
                let (lo, hi) = (self.offsets[u] as usize, self.offsets[next] as usize);
                let shift = targets.len() as i64 - lo as i64;
                targets.extend_from_slice(&self.targets[lo..hi]);
                weights.extend_from_slice(&self.weights[lo..hi]);
                offsets.extend(
                    self.offsets[u + 1..=next]
                        .iter()
                        .map(|&o| (o as i64 + shift) as u32),
                );
                u = next;
                continue;
            }
            // Merge row `u` (sorted by target) with its changes (sorted by target).
            let (lo, hi) = (self.offsets[u] as usize, self.offsets[u + 1] as usize);
            let mut i = lo;
            let mut sum = 0f32;
            loop {
                let row_t = (i < hi).then(|| self.targets[i]);
                let del_t = delta.get(d).filter(|e| e.0 as usize == u).map(|e| e.1);
                let from_row = match (row_t, del_t) {
                    (None, None) => break,
                    (Some(a), Some(b)) => a < b,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                };
                if from_row {
                    targets.push(self.targets[i]);
                    weights.push(self.weights[i]);
                    sum += self.weights[i];
                    i += 1;
                    continue;
                }
                let Some(t) = del_t else { break };
                let before = if row_t == Some(t) {
                    i += 1;
                    self.weights[i - 1]
                } else {
                    0.0
                };
                let mut w = before;
                while let Some(e) = delta.get(d).filter(|e| e.0 as usize == u && e.1 == t) {
                    w += e.2;
                    d += 1;
                }
                // What is left of a removed edge is rounding error: drop it.
                if w > 1e-5 * before.max(1e-3) {
                    targets.push(t);
                    weights.push(w);
                    sum += w;
                }
            }
            out_weight[u] = sum;
            offsets.push(targets.len() as u32);
            u += 1;
        }
        Adjacency {
            base: self.base.clone(),
            nodes: self.nodes.clone(),
            offsets,
            targets,
            weights,
            out_weight,
            ref_edges,
            import_edges,
            contains_edges: self.contains_edges,
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

/// Replaced files kept for patching, at most; beyond that a rebuild is as cheap.
const MAX_PENDING: usize = 64;

/// Definitions of one name beyond which resolution only follows hints (same file, imports,
/// same folder) and an unhinted reference resolves to nothing: its weight per candidate would
/// be under 1 %, and keeping them all costs references × definitions in a large project.
pub const MANY_CANDIDATES: usize = 64;

/// `cands` with `total` weight shared equally.
fn share(cands: Vec<SymId>, total: f32) -> Vec<(SymId, f32)> {
    let w = total / cands.len().max(1) as f32;
    cands.into_iter().map(|c| (c, w)).collect()
}

/// The part of `all` (sorted by file) that lies in file `file`.
fn in_file(all: &[SymId], file: u32) -> &[SymId] {
    &all[file_range(all, file)]
}

/// Where file `file`'s symbols lie in `all` (sorted by file).
fn file_range(all: &[SymId], file: u32) -> std::ops::Range<usize> {
    let a = all.partition_point(|s| s.file < file);
    a..a + all[a..].partition_point(|s| s.file == file)
}

/// The fitting candidates of `all` (sorted by file) in any of `files` (sorted): by a range
/// lookup per file when there are fewer files than candidates, else by one pass.
fn in_files(all: &[SymId], files: &[u32], fits: impl Fn(&SymId) -> bool) -> Vec<SymId> {
    if files.len() < all.len() {
        files
            .iter()
            .flat_map(|&f| in_file(all, f).iter().copied())
            .filter(|s| fits(s))
            .collect()
    } else {
        all.iter()
            .copied()
            .filter(|s| files.binary_search(&s.file).is_ok() && fits(s))
            .collect()
    }
}

/// Inserts `x` into sorted `v` unless present. Appends (the usual case: slots are handed out in
/// increasing order) cost no search.
fn insert_sorted<T: Ord + Copy>(v: &mut Vec<T>, x: T) {
    if v.last().is_none_or(|l| *l < x) {
        v.push(x);
    } else if let Err(pos) = v.binary_search(&x) {
        v.insert(pos, x);
    }
}

/// Removes file `id` from the sorted list under `key`, dropping the key when it empties.
fn remove_sorted(index: &mut HashMap<String, Vec<u32>>, key: &str, id: u32) {
    if let Some(v) = index.get_mut(key) {
        if let Ok(pos) = v.binary_search(&id) {
            v.remove(pos);
        }
        if v.is_empty() {
            index.remove(key);
        }
    }
}

/// Whether two versions of a file have the same definitions in the same order and nesting:
/// then node numbers, contains edges and every other file's resolutions are unchanged.
fn same_skeleton(a: &[Symbol], b: &[Symbol]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.name == y.name && x.kind == y.kind && x.parent == y.parent)
}

/// Counts of files by status, for reports.
pub fn status_counts(g: &GraphData) -> std::collections::BTreeMap<FileStatus, usize> {
    let mut m = std::collections::BTreeMap::new();
    for (_, f) in g.files() {
        *m.entry(f.record.status).or_insert(0) += 1;
    }
    m
}

/// Drops file `id`'s definitions from the exact and lower-cased name indexes (a free function so
/// it can run while the file's record is borrowed from the same graph).
fn unindex_defs(
    defs: &mut HashMap<String, Vec<SymId>>,
    defs_lower: &mut HashMap<String, Vec<String>>,
    id: u32,
    symbols: &[Symbol],
) {
    let names: HashSet<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
    for n in names {
        if let Some(v) = defs.get_mut(n) {
            v.drain(file_range(v, id));
            if v.is_empty() {
                defs.remove(n);
                let lower = n.to_ascii_lowercase();
                if let Some(l) = defs_lower.get_mut(&lower) {
                    l.retain(|x| x != n);
                    if l.is_empty() {
                        defs_lower.remove(&lower);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::config::GraphConfig;
    use crate::graph::index::{hash, record_from_bytes};
    use crate::syntax::language::language_by_name;
    use crate::syntax::ParserPool;

    fn rec(text: &str) -> FileRecord {
        let lang = language_by_name("python").unwrap();
        let mut pool = ParserPool::new();
        let b = text.as_bytes();
        record_from_bytes(lang, b, hash(b), 0, &GraphConfig::default(), &mut pool)
    }

    /// Every edge as (from, to, weight), for comparing two adjacencies.
    fn edges(a: &Adjacency) -> Vec<(u32, u32, f32)> {
        (0..a.nodes.len())
            .flat_map(|u| {
                let (lo, hi) = (a.offsets[u] as usize, a.offsets[u + 1] as usize);
                (lo..hi).map(move |e| (u as u32, a.targets[e], a.weights[e]))
            })
            .collect()
    }

    fn assert_same(patched: &Adjacency, fresh: &Adjacency) {
        let (p, f) = (edges(patched), edges(fresh));
        assert_eq!(p.len(), f.len(), "edge count\n{p:?}\n{f:?}");
        for (x, y) in p.iter().zip(&f) {
            assert_eq!((x.0, x.1), (y.0, y.1), "\n{p:?}\n{f:?}");
            assert!((x.2 - y.2).abs() <= 1e-5 * y.2.abs(), "{x:?} vs {y:?}");
        }
        for (x, y) in patched.out_weight.iter().zip(&fresh.out_weight) {
            assert!((x - y).abs() <= 1e-5 * y.abs().max(1e-3), "{x} vs {y}");
        }
        assert_eq!(patched.ref_edges, fresh.ref_edges);
        assert_eq!(patched.import_edges, fresh.import_edges);
        assert_eq!(patched.contains_edges, fresh.contains_edges);
    }

    const UTIL: &str = "def helper(x):\n    return x\n\n\ndef other(y):\n    return y\n";
    const MAIN: &str = "import util\n\n\ndef run():\n    return helper(1)\n\n\nclass Box:\n    def get(self):\n        return run()\n";

    fn graph() -> GraphData {
        let mut g = GraphData::default();
        g.put("pkg/util.py", rec(UTIL));
        g.put("pkg/main.py", rec(MAIN));
        g.put(
            "lib/helper.py",
            rec("def helper(z):\n    return other(z)\n"),
        );
        g
    }

    #[test]
    fn body_edits_patch_the_adjacency_to_what_a_rebuild_gives() {
        let mut g = graph();
        let before = g.adjacency();
        // Calls added, removed and repeated; an import dropped; same definitions.
        let edits = [
            MAIN.replace("return helper(1)", "return helper(1) + other(2) + other(3)"),
            MAIN.replace("import util\n", "\n")
                .replace("return run()", "return Box()"),
            MAIN.to_string(),
        ];
        for text in edits {
            g.put("pkg/main.py", rec(&text));
            assert!(
                g.cached_adjacency().is_none(),
                "a replaced file makes it stale"
            );
            let patches = g.adjacency_patches;
            let patched = g.adjacency();
            assert_eq!(g.adjacency_patches, patches + 1, "patched, not rebuilt");
            assert!(
                Arc::ptr_eq(&patched, &g.adjacency()),
                "cached after patching"
            );
            let mut fresh = GraphData::default();
            for (_, f) in g.files() {
                fresh.put(&f.path, f.record.clone());
            }
            assert_same(&patched, &fresh.adjacency());
        }
        // Back to the original text: back to the original edges.
        assert_same(&g.adjacency(), &before);
    }

    #[test]
    fn a_new_definition_rebuilds_instead() {
        let mut g = graph();
        let _ = g.adjacency();
        g.put(
            "pkg/main.py",
            rec(&format!("{MAIN}\n\ndef extra():\n    return other(1)\n")),
        );
        let builds = g.adjacency_builds;
        let a = g.adjacency();
        assert_eq!(g.adjacency_builds, builds + 1, "rebuilt, not patched");
        let mut fresh = GraphData::default();
        for (_, f) in g.files() {
            fresh.put(&f.path, f.record.clone());
        }
        assert_same(&a, &fresh.adjacency());
        assert_eq!(a.nodes.len(), fresh.adjacency().nodes.len());
    }

    /// Definition index, reference index, symbol and reference counts.
    type Indexes = (
        Vec<(String, Vec<SymId>)>,
        Vec<(String, Vec<u32>)>,
        usize,
        usize,
    );

    /// The name indexes as sorted lists, for comparing two graphs.
    fn indexes(g: &GraphData) -> Indexes {
        let mut defs: Vec<(String, Vec<SymId>)> = g
            .defs
            .iter()
            .map(|(k, v)| {
                assert!(v.windows(2).all(|w| w[0] < w[1]), "defs of {k} not sorted");
                (k.clone(), v.clone())
            })
            .collect();
        defs.sort();
        let mut refs: Vec<(String, Vec<u32>)> =
            g.refs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        refs.sort();
        (defs, refs, g.symbol_count, g.ref_count)
    }

    #[test]
    fn replacing_a_file_updates_the_indexes_like_a_fresh_graph() {
        let mut g = graph();
        let texts = [
            MAIN.replace("return helper(1)", "return helper(1) + other(2)"),
            MAIN.replace("def run():", "def run2():"),
            format!("{MAIN}\n\ndef extra():\n    return zzz(1)\n"),
            "x = 1\n".to_string(),
            MAIN.to_string(),
        ];
        for text in texts {
            g.put("pkg/main.py", rec(&text));
            let mut fresh = GraphData::default();
            for (_, f) in g.files() {
                fresh.put(&f.path, f.record.clone());
            }
            assert_eq!(indexes(&g), indexes(&fresh), "after {text:?}");
            let mut lower: Vec<_> = g.defs_lower.iter().collect();
            let mut fresh_lower: Vec<_> = fresh.defs_lower.iter().collect();
            lower.sort();
            fresh_lower.sort();
            assert_eq!(lower, fresh_lower);
        }
    }

    /// A project where `run` is defined in 70 files (more than MANY_CANDIDATES) and `Only` is
    /// a class once among 70 functions of that name.
    fn common_names() -> GraphData {
        let mut g = GraphData::default();
        for i in 0..70 {
            let dir = if i < 3 { "near" } else { "far" };
            g.put(
                &format!("{dir}/m{i}.py"),
                rec("def run():\n    return 1\n\n\ndef Only():\n    return 2\n"),
            );
        }
        g.put("lib/only.py", rec("class Only:\n    pass\n"));
        g
    }

    fn targets(g: &GraphData, path: &str, name: &str, kind: RefKind) -> Vec<String> {
        let id = g.file_id(path).unwrap();
        let mut v: Vec<String> = g
            .resolve_name(id, name, kind)
            .into_iter()
            .map(|(s, w)| format!("{} {w:.2}", g.file(s.file).unwrap().path))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_common_name_resolves_by_hints_only() {
        let mut g = common_names();
        g.put("near/user.py", rec("def a():\n    return run()\n"));
        g.put(
            "x/imp.py",
            rec("from far import m5\n\n\ndef b():\n    return run()\n"),
        );
        g.put(
            "y/own.py",
            rec("def run():\n    pass\n\n\ndef c():\n    return run()\n"),
        );
        g.put("z/lost.py", rec("def d():\n    return run()\n"));
        g.put("z/typed.py", rec("def e(x: Only):\n    return x\n"));
        let call = RefKind::Call;
        // Same folder: the three in near/, weight 0.7 shared.
        assert_eq!(
            targets(&g, "near/user.py", "run", call),
            ["near/m0.py 0.23", "near/m1.py 0.23", "near/m2.py 0.23"]
        );
        // The folder named in an import (`far`) holds 67 of them; the stem `m5` one of them.
        assert_eq!(targets(&g, "x/imp.py", "run", call).len(), 67);
        // The same file wins.
        assert_eq!(targets(&g, "y/own.py", "run", call), ["y/own.py 1.00"]);
        // No hint among 71 definitions: nothing rather than 71 guesses.
        assert!(targets(&g, "z/lost.py", "run", call).is_empty());
        // 71 definitions named `Only`, but one type: a type use is not ambiguous.
        assert_eq!(
            targets(&g, "z/typed.py", "Only", RefKind::Type),
            ["lib/only.py 1.00"]
        );
        // Removing and re-adding files (reused slots) keeps the lists sorted and the answers.
        g.remove("near/m1.py");
        g.remove("far/m9.py");
        g.put("far/m9.py", rec("def run():\n    return 9\n"));
        g.put("near/m1.py", rec("def run():\n    return 1\n"));
        assert!(g.defs_named("run").windows(2).all(|w| w[0] < w[1]));
        assert_eq!(targets(&g, "near/user.py", "run", call).len(), 3);
    }
}
