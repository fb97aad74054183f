//! Lexical relevance: BM25 over the words of each definition, and over file paths.
//!
//! A definition's *document* is its name (weight [`W_NAME`]), the names of what encloses it
//! ([`W_PARENT`]), its doc comment ([`W_DOC`]) and every word of its own source — identifiers,
//! comments, string literals — minus the source of definitions nested in it ([`W_BODY`]), all
//! through [`super::words`]. Weights multiply term frequency and length (BM25F-style). Module
//! definitions own no words: a namespace or `mod tests { … }` is never a hit of its own.
//! Paths are a second, per-file index: `fix(blame): …` names `lua/gitsigns/blame.lua`.
//!
//! The index is derived from the graph's records plus the files' text and kept beside the
//! graph, not in the database. Indexing analyses each file it parses on its worker threads,
//! from the text it already holds ([`analyse_file`]), and merges the entry as it stores the
//! record ([`Lexicon::put`]): a cold index leaves nothing for the first walk. Before every walk
//! [`Lexicon::sync`] compares each file's content hash and path with the ones its entry was
//! built from and rebuilds only what differs (a buffer edit re-reads one file; a warm start,
//! whose records come from the database, reads and analyses every file once, on the graph's
//! worker threads), so it follows live buffers without indexing's help.
//!
//! Invariant: `files[slot]` is built from the record whose hash it stores, and `terms` holds,
//! for each term, exactly the slots whose entry has a posting (or a path word) for it.

use foldhash::{HashMap, HashMapExt};

use super::codec::FileRecord;
use super::model::{GraphData, SymId};
use super::types::{Symbol, SymbolKind};
use super::words;

/// Term-frequency weight of a definition's own name.
const W_NAME: f32 = 3.0;
/// Weight of the names enclosing it (`Session` for `Session::login`).
const W_PARENT: f32 = 1.0;
/// Weight of its doc comment when the comment is outside its source (Rust `///`, JSDoc).
const W_DOC: f32 = 1.5;
/// Weight of each word of its own source.
const W_BODY: f32 = 1.0;
/// BM25 saturation.
const K1: f32 = 1.2;
/// BM25 length normalisation.
const B: f32 = 0.75;
/// Weight of the request's first line (the request; what follows explains it).
const FIRST_LINE: f32 = 2.0;
/// Weight multiplier for words marked as code (backticks, `snake_case`, `f()`, …).
const CODE_WORD: f32 = 1.5;
/// Request terms kept, at most (the most specific ones): long commit bodies and pasted logs
/// would otherwise touch every posting of the project.
const MAX_QUERY_TERMS: usize = 48;

/// A term's postings in one file, sorted by (term, symbol); `term` is the file's own local id.
#[derive(Debug, Clone, Copy)]
struct Posting {
    term: u32,
    sym: u32,
    tf: f32,
}

/// Where one index term's postings are in a file's `postings`: the file's local term ids are
/// mapped to the index's once, at the merge, and the postings are left where they are.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// The index's term id.
    term: u32,
    start: u32,
    end: u32,
}

/// What one file contributes.
#[derive(Debug, Default)]
struct FileLex {
    /// Hash of the record content this entry was built from.
    hash: u64,
    /// Hash of the path it was built for: a renamed file keeps its content hash, and may get
    /// the slot its old path freed, but not its path words.
    path: u64,
    /// As [`analyse`] left them: grouped by the file's local term ids, each group sorted by
    /// symbol. Renumbering and re-sorting them by the index's ids cost most of the merge.
    postings: Vec<Posting>,
    /// Each term's group in `postings`, sorted by the index's term id.
    groups: Vec<Group>,
    /// Weighted length per symbol (0 for symbols that own no words).
    lens: Vec<f32>,
    /// Distinct path terms.
    path_terms: Vec<u32>,
    /// The file says it is generated ([`looks_generated`]).
    generated: bool,
}

#[derive(Debug, Default)]
struct Term {
    /// Definitions whose document holds the term.
    df: u32,
    /// Sorted file slots with a posting for it.
    files: Vec<u32>,
    /// Sorted file slots whose path holds it.
    path_files: Vec<u32>,
}

/// The lexical index of a project (see the module docs).
#[derive(Debug, Default)]
pub struct Lexicon {
    files: Vec<Option<FileLex>>,
    ids: HashMap<Box<str>, u32>,
    terms: Vec<Term>,
    /// Definitions that own at least one word.
    docs: u32,
    total_len: f64,
    path_files: u32,
}

/// A request turned into weighted terms.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Term and weight (count-saturated, higher on the first line and for code-marked words).
    pub terms: Vec<(String, f32)>,
    /// Words marked as code, as written (`extend`, `retry_limit`, `FuzzyMatchV2`).
    pub code: Vec<String>,
}

impl Request {
    /// Analyses request text.
    pub fn parse(text: &str) -> Request {
        let mut weights: HashMap<String, (f32, u32)> = HashMap::new();
        let mut code = Vec::new();
        let ws = words::request_words(text);
        words::request_bigrams(&ws, |t, line| {
            let w = if line == 0 { FIRST_LINE } else { 1.0 };
            let e = weights.entry(t.to_string()).or_insert((0.0, 0));
            e.0 = e.0.max(w);
            e.1 += 1;
        });
        for w in ws {
            // The first line is the request; what follows explains it.
            let mut weight = if w.line == 0 { FIRST_LINE } else { 1.0 };
            if w.code {
                weight *= CODE_WORD;
                if !code.iter().any(|c: &String| c == w.word) {
                    code.push(w.word.to_string());
                }
            }
            words::terms_of(w.word, |t| {
                let e = weights.entry(t.to_string()).or_insert((0.0, 0));
                e.0 = e.0.max(weight);
                e.1 += 1;
            });
        }
        let mut terms: Vec<(String, f32)> = weights
            .into_iter()
            .map(|(t, (w, n))| (t, w * (1.0 + (n as f32).ln())))
            .collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Request { terms, code }
    }

    /// Whether the request has no term at all (only stop words, or empty).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// What one file contributes, before its terms get the index's numbers: built where the file's
/// text is at hand (an indexing worker, or [`Lexicon::sync`] on the graph's threads) and merged
/// by [`Lexicon::put`], so the merge is the only serial part.
#[derive(Debug)]
pub struct FileWords {
    /// Hash of the record content it was built from.
    hash: u64,
    /// [`path_hash`] of the path it was built for.
    path: u64,
    /// Local term ids → text.
    names: Vec<String>,
    postings: Vec<Posting>,
    lens: Vec<f32>,
    path_terms: Vec<u32>,
    generated: bool,
}

/// Whether a file's head (first 1,000 bytes) says it is generated: `generated by`, `DO NOT
/// EDIT`, `@generated`, `autogenerated`, as parser generators and code generators write.
pub fn looks_generated(text: &str) -> bool {
    let mut end = text.len().min(1000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text[..end].to_ascii_lowercase();
    [
        "generated by",
        "do not edit",
        "@generated",
        "autogenerated",
        "auto-generated",
    ]
    .iter()
    .any(|m| head.contains(m))
}

/// Whether [`analyse_file`] reads the file's text for this record: only full records with
/// definitions have spans to give its words to.
pub fn wants_text(record: &FileRecord) -> bool {
    let syms = &record.symbols;
    !syms.outline_only && !syms.symbols.is_empty()
}

/// Analyses one file for the word index: `text` is its current content, the content `record`
/// was built from (ignored unless [`wants_text`]; without it a definition's signature stands in
/// for its body).
pub fn analyse_file(path: &str, record: &FileRecord, text: Option<&str>) -> FileWords {
    let text = text.filter(|_| wants_text(record));
    analyse(record.hash, path, &record.symbols.symbols, text)
}

/// Turns words into local term ids, remembering each distinct word's terms: a file repeats its
/// identifiers, and splitting, stop-word checks and stemming are the expensive part.
struct Terms<'a> {
    /// Term text → local id.
    ids: HashMap<String, u32>,
    /// Word as written → its terms, a range of `cached`.
    words: HashMap<&'a str, (u32, u32)>,
    cached: Vec<u32>,
}

impl<'a> Terms<'a> {
    /// The term ids of `word` ([`words::terms_of`], in its order, repeats kept).
    fn of(&mut self, word: &'a str) -> &[u32] {
        let (a, b) = match self.words.get(word) {
            Some(&r) => r,
            None => {
                let start = self.cached.len() as u32;
                let (ids, cached) = (&mut self.ids, &mut self.cached);
                words::terms_of(word, |t| {
                    let next = ids.len() as u32;
                    let id = match ids.get(t) {
                        Some(&id) => id,
                        None => {
                            ids.insert(t.to_string(), next);
                            next
                        }
                    };
                    cached.push(id);
                });
                let r = (start, self.cached.len() as u32);
                self.words.insert(word, r);
                r
            }
        };
        &self.cached[a as usize..b as usize]
    }

    /// Local id → term text.
    fn into_names(self) -> Vec<String> {
        let mut names = vec![String::new(); self.ids.len()];
        for (t, id) in self.ids {
            names[id as usize] = t;
        }
        names
    }
}

/// Sums term frequencies per (term, definition) as words arrive. Words of one definition come
/// mostly in a run, so the last posting of each term is remembered and extended; a definition
/// interrupted by a nested one leaves a second posting, merged after the sort.
struct Postings {
    raw: Vec<Posting>,
    /// Per local term: (definition, index in `raw`) of its last posting.
    last: Vec<(u32, u32)>,
    lens: Vec<f32>,
}

impl Postings {
    fn new(symbols: usize) -> Postings {
        Postings {
            raw: Vec::new(),
            last: Vec::new(),
            lens: vec![0.0; symbols],
        }
    }

    fn add(&mut self, terms: &[u32], sym: u32, tf: f32) {
        for &term in terms {
            self.lens[sym as usize] += tf;
            let t = term as usize;
            if t >= self.last.len() {
                self.last.resize(t + 1, (u32::MAX, 0));
            }
            let (s, i) = self.last[t];
            if s == sym {
                self.raw[i as usize].tf += tf;
            } else {
                self.last[t] = (sym, self.raw.len() as u32);
                self.raw.push(Posting { term, sym, tf });
            }
        }
    }

    /// Postings sorted by (term, definition), one per pair, and the weighted lengths.
    ///
    /// Terms are dense local ids (`last` has one slot per term seen), so the postings are
    /// bucketed by term in one counting pass and only each term's few postings are sorted by
    /// definition, mostly already in order. A whole-vector sort by (term, definition) cost
    /// 0.15 G instructions more on the 40k-symbol corpus's cold index (of 38.7 G); same
    /// result, as the sums are exact.
    fn finish(self) -> (Vec<Posting>, Vec<f32>) {
        let mut start = vec![0u32; self.last.len() + 1];
        for p in &self.raw {
            start[p.term as usize + 1] += 1;
        }
        for t in 1..start.len() {
            start[t] += start[t - 1];
        }
        let mut sorted = vec![
            Posting {
                term: 0,
                sym: 0,
                tf: 0.0
            };
            self.raw.len()
        ];
        let mut at = start.clone();
        for p in self.raw {
            let slot = &mut at[p.term as usize];
            sorted[*slot as usize] = p;
            *slot += 1;
        }
        let mut out: Vec<Posting> = Vec::with_capacity(sorted.len());
        for w in start.windows(2) {
            let bucket = &mut sorted[w[0] as usize..w[1] as usize];
            if !bucket.is_sorted_by_key(|p| p.sym) {
                bucket.sort_unstable_by_key(|p| p.sym);
            }
            for p in bucket.iter() {
                match out.last_mut() {
                    Some(last) if last.term == p.term && last.sym == p.sym => last.tf += p.tf,
                    _ => out.push(*p),
                }
            }
        }
        (out, self.lens)
    }
}

/// Builds a file's entry from its definitions and, when available, its text. Term
/// frequencies and lengths are sums of multiples of 0.5, exact in `f32`, so the order words are
/// counted in does not change them.
fn analyse<'a>(
    hash: u64,
    path: &'a str,
    symbols: &'a [Symbol],
    text: Option<&'a str>,
) -> FileWords {
    // About one distinct word per 100 bytes of source (40k-symbol corpus); sized so that the
    // maps rarely grow.
    let guess = text.map_or(symbols.len() * 4, |t| t.len() / 64).max(16);
    let mut terms = Terms {
        ids: HashMap::with_capacity(guess),
        words: HashMap::with_capacity(guess),
        cached: Vec::with_capacity(guess * 2),
    };
    let mut acc = Postings::new(symbols.len());
    let owns = |s: &Symbol| s.kind != SymbolKind::Module;
    for (i, s) in symbols.iter().enumerate() {
        if !owns(s) {
            continue;
        }
        let i = i as u32;
        acc.add(terms.of(&s.name), i, W_NAME);
        if let Some(prefix) = s.qualified.strip_suffix(s.name.as_str()) {
            words::for_each_word(prefix, |_, w| acc.add(terms.of(w), i, W_PARENT));
        }
        // A docstring is inside the source and counted there; a comment above is not.
        let inside = text.is_some() && s.doc.starts_with(['"', '\'']);
        if !inside {
            words::for_each_word(&s.doc, |_, w| acc.add(terms.of(w), i, W_DOC));
        }
        if text.is_none() {
            words::for_each_word(&s.signature, |_, w| acc.add(terms.of(w), i, W_BODY));
        }
    }
    if let Some(text) = text {
        // Each word goes to the innermost definition holding it (symbols are outer before inner).
        let mut stack: Vec<usize> = Vec::new();
        let mut next = 0;
        words::for_each_word(text, |at, word| {
            let at = at as u32;
            while next < symbols.len() && symbols[next].span.start_byte <= at {
                while stack
                    .last()
                    .is_some_and(|&t| symbols[t].span.end_byte <= symbols[next].span.start_byte)
                {
                    stack.pop();
                }
                stack.push(next);
                next += 1;
            }
            while stack
                .last()
                .is_some_and(|&t| symbols[t].span.end_byte <= at)
            {
                stack.pop();
            }
            let Some(&owner) = stack.last() else { return };
            if !owns(&symbols[owner]) {
                return;
            }
            acc.add(terms.of(word), owner as u32, W_BODY);
        });
    }
    let (postings, lens) = acc.finish();
    let mut path_terms: Vec<u32> = Vec::new();
    let stemless = path.rsplit_once('.').map_or(path, |(a, _)| a);
    words::for_each_word(stemless, |_, w| path_terms.extend_from_slice(terms.of(w)));
    path_terms.sort_unstable();
    path_terms.dedup();
    FileWords {
        hash,
        path: path_hash(path),
        names: terms.into_names(),
        postings,
        lens,
        path_terms,
        generated: text.is_some_and(looks_generated),
    }
}

impl Lexicon {
    /// Brings the index up to date with `data`: entries of removed or changed files are
    /// dropped, new and changed files analysed (`text` gives a file's current text when it
    /// still matches the record, see `Graph::source_of`). Returns how many files were analysed.
    pub fn sync(
        &mut self,
        data: &GraphData,
        threads: usize,
        text: &(dyn Fn(u32) -> Option<String> + Sync),
    ) -> usize {
        let mut live = vec![false; self.files.len()];
        let mut todo: Vec<u32> = Vec::new();
        for (slot, f) in data.files() {
            let s = slot as usize;
            if s < live.len() {
                live[s] = true;
            }
            let fresh = self
                .files
                .get(s)
                .and_then(|e| e.as_ref())
                .is_some_and(|e| e.hash == f.record.hash && e.path == path_hash(&f.path));
            if !fresh {
                todo.push(slot);
            }
        }
        for (slot, alive) in live.iter().enumerate() {
            if !alive && self.files[slot].is_some() {
                self.remove(slot as u32);
            }
        }
        for &slot in &todo {
            self.remove(slot);
        }
        if todo.is_empty() {
            return 0;
        }
        let build = |slot: u32| -> Option<(u32, FileWords)> {
            let f = data.file(slot)?;
            let src = if wants_text(&f.record) {
                text(slot)
            } else {
                None
            };
            Some((slot, analyse_file(&f.path, &f.record, src.as_deref())))
        };
        let threads = threads.clamp(1, 8).min(todo.len().div_ceil(16));
        let built: Vec<(u32, FileWords)> = if threads <= 1 {
            todo.iter().filter_map(|&s| build(s)).collect()
        } else {
            let chunk = todo.len().div_ceil(threads);
            std::thread::scope(|sc| {
                let handles: Vec<_> = todo
                    .chunks(chunk)
                    .map(|part| {
                        sc.spawn(|| part.iter().filter_map(|&s| build(s)).collect::<Vec<_>>())
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        };
        let n = built.len();
        for (slot, w) in built {
            self.insert(slot, w);
        }
        n
    }

    /// Puts the entry of the file now at `slot`, analysed by [`analyse_file`] from the record
    /// the graph holds there (indexing does this as it stores records, so the first walk has
    /// nothing left to read). An entry that no longer matches the graph is harmless:
    /// [`Lexicon::sync`] checks every entry against the record's hash and path before a walk.
    pub fn put(&mut self, slot: u32, words: FileWords) {
        self.remove(slot);
        self.insert(slot, words);
    }

    fn term_id(&mut self, t: &str) -> u32 {
        if let Some(&id) = self.ids.get(t) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.ids.insert(t.into(), id);
        self.terms.push(Term::default());
        id
    }

    fn insert(&mut self, slot: u32, p: FileWords) {
        let map: Vec<u32> = p.names.iter().map(|t| self.term_id(t)).collect();
        // Postings come grouped by local term (see `Postings::finish`): one `Group` each.
        let mut groups: Vec<Group> = Vec::with_capacity(map.len());
        let mut start = 0;
        while start < p.postings.len() {
            let local = p.postings[start].term;
            let end = start
                + p.postings[start..]
                    .iter()
                    .take_while(|x| x.term == local)
                    .count();
            let term = map[local as usize];
            let t = &mut self.terms[term as usize];
            t.df += (end - start) as u32;
            insert_sorted(&mut t.files, slot);
            groups.push(Group {
                term,
                start: start as u32,
                end: end as u32,
            });
            start = end;
        }
        groups.sort_unstable_by_key(|x| x.term);
        let mut path_terms: Vec<u32> = p.path_terms.iter().map(|&t| map[t as usize]).collect();
        path_terms.sort_unstable();
        path_terms.dedup();
        for &t in &path_terms {
            insert_sorted(&mut self.terms[t as usize].path_files, slot);
        }
        self.path_files += 1;
        for &l in &p.lens {
            if l > 0.0 {
                self.docs += 1;
                self.total_len += l as f64;
            }
        }
        let s = slot as usize;
        if self.files.len() <= s {
            self.files.resize_with(s + 1, || None);
        }
        self.files[s] = Some(FileLex {
            hash: p.hash,
            path: p.path,
            postings: p.postings,
            groups,
            lens: p.lens,
            path_terms,
            generated: p.generated,
        });
    }

    fn remove(&mut self, slot: u32) {
        let Some(old) = self.files.get_mut(slot as usize).and_then(|e| e.take()) else {
            return;
        };
        for x in &old.groups {
            let t = &mut self.terms[x.term as usize];
            t.df -= x.end - x.start;
            remove_sorted(&mut t.files, slot);
        }
        for &t in &old.path_terms {
            remove_sorted(&mut self.terms[t as usize].path_files, slot);
        }
        self.path_files -= 1;
        for &l in &old.lens {
            if l > 0.0 {
                self.docs -= 1;
                self.total_len -= l as f64;
            }
        }
    }

    /// The request's known terms with their weights, the most specific first, at most
    /// [`MAX_QUERY_TERMS`].
    fn query_terms(&self, req: &Request) -> Vec<(u32, f32)> {
        let mut out: Vec<(u32, f32, f32)> = req
            .terms
            .iter()
            .filter_map(|(t, w)| {
                let id = *self.ids.get(t.as_str())?;
                let term = &self.terms[id as usize];
                if term.df == 0 && term.path_files.is_empty() {
                    return None;
                }
                let idf = idf(self.docs as f32, term.df as f32);
                Some((id, *w, idf * w))
            })
            .collect();
        // Stable: ties keep the request's own order (by weight, then text). Term ids follow the
        // order indexing merged files in, which differs from one process to the next.
        out.sort_by(|a, b| b.2.total_cmp(&a.2));
        out.truncate(MAX_QUERY_TERMS);
        out.into_iter().map(|(id, w, _)| (id, w)).collect()
    }

    /// BM25 score of every definition sharing a term with `req` (unordered).
    pub fn score(&self, req: &Request) -> Vec<(SymId, f32)> {
        let q = self.query_terms(req);
        let n = self.docs as f32;
        let avg = if self.docs == 0 {
            1.0
        } else {
            (self.total_len / self.docs as f64) as f32
        };
        let mut acc: HashMap<SymId, f32> = HashMap::new();
        for (t, w) in q {
            let term = &self.terms[t as usize];
            if term.df == 0 {
                continue;
            }
            let idf = idf(n, term.df as f32);
            for &slot in &term.files {
                let Some(f) = self.files[slot as usize].as_ref() else {
                    continue;
                };
                let Ok(at) = f.groups.binary_search_by_key(&t, |x| x.term) else {
                    continue;
                };
                let g = f.groups[at];
                for p in &f.postings[g.start as usize..g.end as usize] {
                    let len = f.lens[p.sym as usize];
                    let tf = p.tf;
                    let s = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg));
                    *acc.entry(SymId {
                        file: slot,
                        idx: p.sym,
                    })
                    .or_default() += w * s;
                }
            }
        }
        acc.into_iter().collect()
    }

    /// How much each file's path matches `req`: the sum of the matching path terms' weights
    /// times their inverse file frequency (unordered; files without a match left out).
    pub fn path_score(&self, req: &Request) -> Vec<(u32, f32)> {
        let n = self.path_files as f32;
        let mut acc: HashMap<u32, f32> = HashMap::new();
        for (t, w) in self.query_terms(req) {
            let term = &self.terms[t as usize];
            if term.path_files.is_empty() {
                continue;
            }
            let idf = idf(n, term.path_files.len() as f32);
            for &slot in &term.path_files {
                *acc.entry(slot).or_default() += w * idf;
            }
        }
        acc.into_iter().collect()
    }

    /// The slots of the files that say they are generated ([`looks_generated`]), sorted.
    pub fn generated_files(&self) -> Vec<u32> {
        self.files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.as_ref().is_some_and(|f| f.generated))
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// Everything the index holds, by path and term text rather than by slot and term id
    /// (those depend on the order files arrived in): two indexes of the same files must give
    /// the same snapshot.
    #[cfg(test)]
    pub(crate) fn snapshot(&self, data: &GraphData) -> String {
        use std::fmt::Write;
        let mut text_of = vec![""; self.terms.len()];
        for (t, &id) in &self.ids {
            text_of[id as usize] = t;
        }
        let path = |slot: u32| data.file(slot).map_or("?", |f| f.path.as_str());
        let mut files: Vec<String> = Vec::new();
        for (slot, f) in self.files.iter().enumerate() {
            let Some(f) = f else { continue };
            let mut postings: Vec<(&str, u32, f32)> = f
                .groups
                .iter()
                .flat_map(|x| {
                    f.postings[x.start as usize..x.end as usize]
                        .iter()
                        .map(|p| (text_of[x.term as usize], p.sym, p.tf))
                })
                .collect();
            postings.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
            let mut paths: Vec<&str> = f.path_terms.iter().map(|&t| text_of[t as usize]).collect();
            paths.sort_unstable();
            files.push(format!(
                "{} {:x} {:x} {} {postings:?} {:?} {paths:?}",
                path(slot as u32),
                f.hash,
                f.path,
                f.generated,
                f.lens
            ));
        }
        files.sort();
        let mut terms: Vec<String> = Vec::new();
        for (id, t) in self.terms.iter().enumerate() {
            if t.df == 0 && t.files.is_empty() && t.path_files.is_empty() {
                continue;
            }
            let mut fs: Vec<&str> = t.files.iter().map(|&s| path(s)).collect();
            let mut ps: Vec<&str> = t.path_files.iter().map(|&s| path(s)).collect();
            fs.sort_unstable();
            ps.sort_unstable();
            terms.push(format!("{} {} {fs:?} {ps:?}", text_of[id], t.df));
        }
        terms.sort();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "docs {} len {} paths {}",
            self.docs, self.total_len, self.path_files
        );
        for l in files.iter().chain(&terms) {
            let _ = writeln!(out, "{l}");
        }
        out
    }

    /// Files analysed, for tests and the benchmark.
    pub fn file_count(&self) -> usize {
        self.files.iter().filter(|f| f.is_some()).count()
    }
}

/// Ranks whole texts for a request with the analysis and BM25 the walk uses for definitions
/// (words of a text's path count like a name): for callers that have files but no graph, such
/// as the agent's choice of target files. `docs` are (path, text). Best first; texts that share
/// no term with the request are left out.
pub fn rank_texts(request: &str, docs: &[(&str, &str)]) -> Vec<(usize, f32)> {
    let req = Request::parse(request);
    let mut bags: Vec<(HashMap<String, f32>, f32)> = Vec::with_capacity(docs.len());
    let mut df: HashMap<&str, f32> = HashMap::new();
    for (path, text) in docs {
        let mut bag: HashMap<String, f32> = HashMap::new();
        let mut len = 0.0;
        let mut add = |word: &str, w: f32| {
            words::terms_of(word, |t| {
                *bag.entry(t.to_string()).or_default() += w;
                len += w;
            });
        };
        let stemless = path.rsplit_once('.').map_or(*path, |(a, _)| a);
        words::for_each_word(stemless, |_, w| add(w, W_NAME));
        words::for_each_word(text, |_, w| add(w, W_BODY));
        bags.push((bag, len));
    }
    for (t, _) in &req.terms {
        let n = bags.iter().filter(|b| b.0.contains_key(t)).count();
        df.insert(t.as_str(), n as f32);
    }
    let n = docs.len() as f32;
    let avg = (bags.iter().map(|b| b.1).sum::<f32>() / n.max(1.0)).max(1.0);
    let mut out: Vec<(usize, f32)> = bags
        .iter()
        .enumerate()
        .map(|(i, (bag, len))| {
            let s = req
                .terms
                .iter()
                .filter_map(|(t, w)| {
                    let tf = *bag.get(t)?;
                    let idf = idf(n, df[t.as_str()]);
                    Some(w * idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg)))
                })
                .sum::<f32>();
            (i, s)
        })
        .filter(|x| x.1 > 0.0)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// Identifies the path an entry was built for.
fn path_hash(path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes())
}

/// BM25's inverse document frequency (Lucene's form, never negative).
fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn insert_sorted(v: &mut Vec<u32>, x: u32) {
    if let Err(i) = v.binary_search(&x) {
        v.insert(i, x);
    }
}

fn remove_sorted(v: &mut Vec<u32>, x: u32) {
    if let Ok(i) = v.binary_search(&x) {
        v.remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::types::Span;

    #[test]
    fn postings_finish_equals_a_sort_by_term_and_definition() {
        // Interleaved definitions (a method inside an impl, then the impl again) and repeats.
        let words: &[(&[u32], u32, f32)] = &[
            (&[3, 1], 0, 3.0),
            (&[1, 2], 0, 1.0),
            (&[1, 0], 1, 1.0),
            (&[3], 2, 1.5),
            (&[1, 3], 1, 1.0),
            (&[1], 0, 1.0),
            (&[0, 0], 2, 1.0),
        ];
        let mut acc = Postings::new(3);
        let mut all = Vec::new();
        for &(terms, sym, tf) in words {
            acc.add(terms, sym, tf);
            all.extend(terms.iter().map(|&term| (term, sym, tf)));
        }
        let (got, lens) = acc.finish();
        let mut want: Vec<(u32, u32, f32)> = Vec::new();
        all.sort_by_key(|&(t, s, _)| (t, s));
        for (t, s, tf) in all {
            match want.last_mut() {
                Some(l) if (l.0, l.1) == (t, s) => l.2 += tf,
                _ => want.push((t, s, tf)),
            }
        }
        let got: Vec<(u32, u32, f32)> = got.iter().map(|p| (p.term, p.sym, p.tf)).collect();
        assert_eq!(got, want);
        assert_eq!(lens, vec![9.0, 4.0, 3.5]);
    }

    fn sym(name: &str, qualified: &str, kind: SymbolKind, a: u32, b: u32) -> Symbol {
        Symbol {
            name: name.into(),
            qualified: qualified.into(),
            kind,
            span: Span {
                start_byte: a,
                end_byte: b,
                start_row: 0,
                end_row: 0,
            },
            name_byte: a,
            signature: String::new(),
            doc: String::new(),
            parent: None,
        }
    }

    #[test]
    fn words_go_to_the_innermost_definition_and_modules_own_none() {
        let text = "mod m { fn outer() { shutdown(); fn inner() { blocking_pool } } }";
        let outer_at = text.find("fn outer").unwrap() as u32;
        let inner_at = text.find("fn inner").unwrap() as u32;
        let syms = [
            sym("m", "m", SymbolKind::Module, 0, text.len() as u32),
            sym(
                "outer",
                "m::outer",
                SymbolKind::Function,
                outer_at,
                text.len() as u32 - 2,
            ),
            sym(
                "inner",
                "m::outer::inner",
                SymbolKind::Function,
                inner_at,
                text.len() as u32 - 4,
            ),
        ];
        let p = analyse(1, "src/pool.rs", &syms, Some(text));
        let has = |term: &str, s: u32| {
            let id = p.names.iter().position(|n| n == term).unwrap() as u32;
            p.postings.iter().any(|x| x.term == id && x.sym == s)
        };
        assert!(has("shutdown", 1) && !has("shutdown", 2));
        assert!(has("pool", 2) && has("blockingpool", 2) && !has("pool", 1));
        assert!(
            has("outer", 2),
            "the parent's name is in the inner document"
        );
        assert_eq!(p.lens[0], 0.0, "a module owns no words");
        let pool = p.names.iter().position(|n| n == "pool").unwrap() as u32;
        assert!(p.path_terms.contains(&pool));
    }

    #[test]
    fn sync_analyses_again_a_renamed_file_that_took_the_old_slot() {
        use crate::graph::codec::FileStatus;
        use crate::graph::types::FileSymbols;
        let rec = || FileRecord {
            hash: 7,
            mtime_ns: 0,
            size: 10,
            lang: "python".into(),
            status: FileStatus::Indexed,
            symbols: FileSymbols {
                symbols: vec![sym("pool", "pool", SymbolKind::Function, 0, 10)],
                ..Default::default()
            },
        };
        let mut data = GraphData::default();
        let a = data.put("old_name.py", rec());
        let mut lex = Lexicon::default();
        assert_eq!(lex.sync(&data, 1, &|_| None), 1);
        data.remove("old_name.py");
        let b = data.put("fresh.py", rec());
        assert_eq!(a, b, "the slot is reused");
        assert_eq!(lex.sync(&data, 1, &|_| None), 1, "same content, new path");
        let snap = lex.snapshot(&data);
        assert!(
            snap.contains("\"fresh\"") && !snap.contains("\"old\""),
            "{snap}"
        );
        assert_eq!(lex.sync(&data, 1, &|_| None), 0);
    }

    #[test]
    fn generated_files_are_known_by_their_head() {
        assert!(looks_generated("/* A Bison parser, made by GNU Bison 3.8.2.  */\n/* Skeleton implementation. Generated by bison */"));
        assert!(looks_generated(
            "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n"
        ));
        assert!(!looks_generated("//! The parser.\nfn parse() {}\n"));
        assert!(
            !looks_generated(&"é".repeat(600)),
            "a head cut inside a character"
        );
    }

    #[test]
    fn whole_texts_rank_by_the_same_terms() {
        let docs = [
            ("calc.py", "def add(a, b):\n    return a - b\n"),
            ("util.py", "X = 1\n# when is it\n"),
            ("pool.py", "def shutdown(pool):\n    pool.closed = True\n"),
        ];
        let r = rank_texts("add() returns the wrong sign", &docs);
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), [0]);
        let r = rank_texts("when the pool is closed", &docs);
        assert_eq!(
            r.iter().map(|x| x.0).collect::<Vec<_>>(),
            [2],
            "stop words match nothing"
        );
    }

    #[test]
    fn requests_weigh_the_first_line_and_code_words_and_drop_stop_words() {
        let r =
            Request::parse("Fix `spawn_blocking` when the pool is shut down\n\nThe pool panics.");
        let w = |t: &str| r.terms.iter().find(|x| x.0 == t).map(|x| x.1);
        assert!(w("when").is_none() && w("the").is_none() && w("is").is_none());
        assert!(w("spawnblocking").unwrap() > w("shut").unwrap());
        assert!(
            w("pool").unwrap() > w("panic").unwrap(),
            "first line and repeated"
        );
        assert!(
            w("poolpanics").is_some(),
            "neighbouring words as one identifier"
        );
        assert_eq!(r.code, ["spawn_blocking"]);
    }
}
