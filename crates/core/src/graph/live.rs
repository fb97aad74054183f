//! Live updates from editor buffers: unsaved text in, one file's nodes and edges replaced.
//!
//! Each open buffer keeps its text, its tree and its raw query items. On a change the old tree
//! is edited with the single changed byte range (common prefix/suffix of old and new text) and
//! re-parsed incrementally. Only the region that changed — the edit plus tree-sitter's
//! `changed_ranges`, widened to cover definitions whose doc-comment gap it touches — is
//! re-queried; raw items outside it are kept (shifted when after it). Then
//! [`extract::finish`] links everything again, so the result equals a cold extraction of the
//! same text (checked by the equivalence tests). Updates stay in memory; [`Graph::buffer_saved`]
//! writes the record to the database.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tree_sitter::{InputEdit, Point, Tree};

use super::codec::{self, FileRecord, FileStatus};
use super::extract::{self, touches, Raw};
use super::index::{classify, hash, record_from_bytes};
use super::types::FileSymbols;
use super::{Graph, Result};
use crate::syntax::{language_for_path, Lang, ParserPool};

/// An open buffer's parse state.
pub(crate) struct LiveBuffer {
    lang: &'static Lang,
    text: String,
    tree: Tree,
    raw: Raw,
}

/// Every open buffer, plus the parsers used for them.
#[derive(Default)]
pub(crate) struct LiveBuffers {
    map: HashMap<String, LiveBuffer>,
    pool: ParserPool,
}

impl LiveBuffers {
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(|s| s.as_str())
    }

    /// Current text of an open buffer.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.map.get(path).map(|b| b.text.as_str())
    }
}

/// What one buffer update did.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateStats {
    /// Project-relative path.
    pub path: String,
    /// True when an old tree was reused and only part of the file re-queried.
    pub incremental: bool,
    /// Symbols in the file after the update.
    pub symbols: usize,
    /// Time taken in microseconds.
    pub micros: u64,
    /// Of which: diff, tree-sitter re-parse and re-query of the changed region.
    pub parse_micros: u64,
    /// Of which: linking the file's symbols, references and imports.
    pub link_micros: u64,
    /// Of which: replacing the file in the in-memory graph and its name indexes.
    pub put_micros: u64,
}

/// The single edit turning `old` into `new`: `(start, old_end, new_end)` in bytes.
fn diff(old: &[u8], new: &[u8]) -> (usize, usize, usize) {
    let max = old.len().min(new.len());
    let mut p = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let mut s = old[p..]
        .iter()
        .rev()
        .zip(new[p..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    s = s.min(max - p);
    // Keep the boundaries on UTF-8 character starts (tree-sitter columns are bytes, but a split
    // character would make the two texts' prefixes differ in meaning).
    while p > 0
        && (old.get(p).is_some_and(|b| b & 0xC0 == 0x80)
            || new.get(p).is_some_and(|b| b & 0xC0 == 0x80))
    {
        p -= 1;
    }
    while s > 0 && (old.get(old.len() - s).is_some_and(|b| b & 0xC0 == 0x80)) {
        s -= 1;
    }
    (p, old.len() - s, new.len() - s)
}

fn point_at(text: &[u8], byte: usize) -> Point {
    let before = &text[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let col = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(byte, |i| byte - i - 1);
    Point { row, column: col }
}

fn shift_raw(raw: &mut Raw, keep: &Range<u32>, at: u32, delta: i64, drow: i64) {
    let sb = |b: &mut u32| {
        if *b >= at {
            *b = (*b as i64 + delta) as u32;
        }
    };
    let sr = |r: &mut u32| *r = (*r as i64 + drow) as u32;
    raw.defs.retain(|d| !touches(&d.inv(), keep));
    raw.scopes
        .retain(|d| !touches(&(d.span.start_byte..d.span.end_byte), keep));
    raw.refs.retain(|d| !touches(&(d.byte..d.end), keep));
    raw.imports
        .retain(|d| !touches(&(d.span.start_byte..d.span.end_byte), keep));
    for d in &mut raw.defs {
        if d.span.start_byte >= at {
            sb(&mut d.span.start_byte);
            sb(&mut d.span.end_byte);
            sb(&mut d.name_byte);
            sb(&mut d.inv_start);
            sr(&mut d.span.start_row);
            sr(&mut d.span.end_row);
        }
    }
    for d in &mut raw.scopes {
        if d.span.start_byte >= at {
            sb(&mut d.span.start_byte);
            sb(&mut d.span.end_byte);
            sr(&mut d.span.start_row);
            sr(&mut d.span.end_row);
        }
    }
    for d in &mut raw.refs {
        if d.byte >= at {
            sb(&mut d.byte);
            sb(&mut d.end);
            sr(&mut d.row);
        }
    }
    for d in &mut raw.imports {
        if d.span.start_byte >= at {
            sb(&mut d.span.start_byte);
            sb(&mut d.span.end_byte);
            sr(&mut d.span.start_row);
            sr(&mut d.span.end_row);
        }
    }
}

/// Re-parses `text`, reusing `old` when given. Returns the new state and whether the update was
/// incremental. `None` when the grammar or query is unusable.
pub(crate) fn reparse(
    pool: &mut ParserPool,
    lang: &'static Lang,
    old: Option<LiveBuffer>,
    text: String,
) -> Option<(LiveBuffer, bool)> {
    let query = lang.tags()?;
    let Some(mut old) = old else {
        let tree = pool.parse(lang, text.as_bytes(), None)?;
        let raw = extract::collect(
            query,
            lang.attach(),
            &mut pool.cursor,
            &tree,
            text.as_bytes(),
            None,
            false,
        );
        return Some((
            LiveBuffer {
                lang,
                text,
                tree,
                raw,
            },
            false,
        ));
    };
    let (o, n) = (old.text.as_bytes(), text.as_bytes());
    let (start, old_end, new_end) = diff(o, n);
    let edit = InputEdit {
        start_byte: start,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point_at(o, start),
        old_end_position: point_at(o, old_end),
        new_end_position: point_at(n, new_end),
    };
    old.tree.edit(&edit);
    let tree = pool.parse(lang, n, Some(&old.tree))?;
    let delta = new_end as i64 - old_end as i64;
    let drow = edit.new_end_position.row as i64 - edit.old_end_position.row as i64;
    // The region to redo, in new coordinates.
    let (mut a, mut b) = (start, new_end);
    for r in old.tree.changed_ranges(&tree) {
        a = a.min(r.start_byte);
        b = b.max(r.end_byte);
    }
    // In old coordinates; then widen over definitions whose doc gap (not node) it touches.
    let (a, mut b_old) = (a as u32, (b as i64 - delta).max(old_end as i64) as u32);
    loop {
        let r = a..b_old;
        let widen = old
            .raw
            .defs
            .iter()
            .filter(|d| touches(&d.inv(), &r) && d.span.start_byte >= b_old)
            .map(|d| d.span.start_byte + 1)
            .max();
        match widen {
            Some(e) if e > b_old => b_old = e,
            _ => break,
        }
    }
    let b_new = (b_old as i64 + delta) as u32;
    let incremental = ((b_new - a) as usize) < n.len() / 2;
    let raw = if incremental {
        let mut raw = std::mem::take(&mut old.raw);
        shift_raw(&mut raw, &(a..b_old), old_end as u32, delta, drow);
        let q = (a.saturating_sub(1) as usize)..(b_new as usize + 1);
        let fresh = extract::collect(
            query,
            lang.attach(),
            &mut pool.cursor,
            &tree,
            n,
            Some(q),
            false,
        );
        let r = a..b_new;
        raw.defs
            .extend(fresh.defs.into_iter().filter(|d| touches(&d.inv(), &r)));
        raw.scopes.extend(
            fresh
                .scopes
                .into_iter()
                .filter(|d| touches(&(d.span.start_byte..d.span.end_byte), &r)),
        );
        raw.refs.extend(
            fresh
                .refs
                .into_iter()
                .filter(|d| touches(&(d.byte..d.end), &r)),
        );
        raw.imports.extend(
            fresh
                .imports
                .into_iter()
                .filter(|d| touches(&(d.span.start_byte..d.span.end_byte), &r)),
        );
        raw
    } else {
        extract::collect(
            query,
            lang.attach(),
            &mut pool.cursor,
            &tree,
            n,
            None,
            false,
        )
    };
    Some((
        LiveBuffer {
            lang,
            text,
            tree,
            raw,
        },
        incremental,
    ))
}

impl LiveBuffer {
    pub(crate) fn symbols(&self) -> FileSymbols {
        extract::finish(self.lang, &self.raw, false)
    }
}

impl Graph {
    /// Indexes a buffer's (possibly unsaved) text in place of the file on disk. Call it on
    /// buffer load and, debounced, on text changes. The first call parses the whole text; later
    /// calls reuse the cached tree. Files of unknown languages are ignored.
    pub fn update_buffer(&self, path: &Path, text: &str) -> Result<UpdateStats> {
        let t0 = Instant::now();
        let key = self.key_for(path);
        let Some(lang) = language_for_path(Path::new(&key)) else {
            return Ok(UpdateStats {
                path: key,
                incremental: false,
                symbols: 0,
                micros: 0,
                parse_micros: 0,
                link_micros: 0,
                put_micros: 0,
            });
        };
        let (mut parse_micros, mut link_micros) = (0, 0);
        // Lock order: never wait for the data lock while holding the live-buffer lock.
        let mut guard = self.live();
        let live = &mut *guard;
        let status = classify(text.as_bytes(), self.config());
        let (record, incremental) = if status != FileStatus::Indexed {
            // Outline and skip cases are rare and cheap: no tree is cached for them.
            live.map.remove(&key);
            (
                record_from_bytes(
                    lang,
                    text.as_bytes(),
                    hash(text.as_bytes()),
                    0,
                    self.config(),
                    &mut live.pool,
                ),
                false,
            )
        } else {
            let old = live.map.remove(&key).filter(|b| b.lang.name == lang.name);
            if old.as_ref().is_some_and(|b| b.text == text) {
                let b = old.expect("checked above");
                live.map.insert(key.clone(), b);
                drop(guard);
                let n = {
                    let data = self.read();
                    data.file_id(&key)
                        .and_then(|id| data.file(id))
                        .map(|f| f.record.symbols.symbols.len())
                };
                return Ok(UpdateStats {
                    path: key,
                    incremental: true,
                    symbols: n.unwrap_or(0),
                    micros: t0.elapsed().as_micros() as u64,
                    parse_micros: 0,
                    link_micros: 0,
                    put_micros: 0,
                });
            }
            let tp = Instant::now();
            let parsed = reparse(&mut live.pool, lang, old, text.to_string());
            parse_micros = tp.elapsed().as_micros() as u64;
            match parsed {
                Some((buf, inc)) => {
                    let tl = Instant::now();
                    let symbols = buf.symbols();
                    link_micros = tl.elapsed().as_micros() as u64;
                    let rec = FileRecord {
                        hash: hash(text.as_bytes()),
                        mtime_ns: 0,
                        size: text.len() as u64,
                        lang: lang.name.to_string(),
                        status: FileStatus::Indexed,
                        symbols,
                    };
                    live.map.insert(key.clone(), buf);
                    (rec, inc)
                }
                None => (
                    record_from_bytes(
                        lang,
                        text.as_bytes(),
                        hash(text.as_bytes()),
                        0,
                        self.config(),
                        &mut live.pool,
                    ),
                    false,
                ),
            }
        };
        drop(guard);
        let symbols = record.symbols.symbols.len();
        let tput = Instant::now();
        self.write().put(&key, record);
        let put_micros = tput.elapsed().as_micros() as u64;
        Ok(UpdateStats {
            path: key,
            incremental,
            symbols,
            micros: t0.elapsed().as_micros() as u64,
            parse_micros,
            link_micros,
            put_micros,
        })
    }

    /// Call on `BufWritePost`: stores the buffer's record with the file's new mtime, so a restart
    /// reuses it. When the text on disk differs from the buffer, the disk version is indexed.
    pub fn buffer_saved(&self, path: &Path) -> Result<()> {
        let key = self.key_for(path);
        let abs = self.root().join(&key);
        let meta = std::fs::metadata(&abs).map_err(|e| super::GraphError::io(&abs, e))?;
        let bytes = std::fs::read(&abs).map_err(|e| super::GraphError::io(&abs, e))?;
        let h = hash(&bytes);
        let same = self
            .live()
            .text(&key)
            .is_some_and(|t| hash(t.as_bytes()) == h);
        if !same {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            self.update_buffer(&abs, &text)?;
        }
        let rec = {
            let data = self.read();
            let Some(f) = data.file_id(&key).and_then(|id| data.file(id)) else {
                return Ok(());
            };
            let mut r = f.record.clone();
            r.mtime_ns = super::index::mtime_ns(&meta);
            r
        };
        self.store()
            .apply(&[(key.clone(), codec::encode(&rec))], &[])?;
        self.write().put(&key, rec);
        Ok(())
    }

    /// Call on `BufUnload`/`BufDelete`: forgets the cached tree and re-indexes the file from disk
    /// (or drops it if it no longer exists).
    pub fn close_buffer(&self, path: &Path) -> Result<()> {
        let key = self.key_for(path);
        self.live().map.remove(&key);
        let abs = self.root().join(&key);
        let Some(lang) = language_for_path(&abs) else {
            return Ok(());
        };
        match std::fs::read(&abs) {
            Ok(bytes) => {
                let mtime = std::fs::metadata(&abs)
                    .map(|m| super::index::mtime_ns(&m))
                    .unwrap_or(0);
                let rec = {
                    let mut pool = ParserPool::new();
                    record_from_bytes(lang, &bytes, hash(&bytes), mtime, self.config(), &mut pool)
                };
                self.store()
                    .apply(&[(key.clone(), codec::encode(&rec))], &[])?;
                self.write().put(&key, rec);
            }
            Err(_) => {
                self.store().apply(&[], std::slice::from_ref(&key))?;
                self.write().remove(&key);
            }
        }
        Ok(())
    }

    /// The text [`Graph::update_buffer`] last gave for `path`, if it is open: a borrower that
    /// overlays its own text (the agent's staged change) puts this back when it is done.
    pub fn open_buffer(&self, path: &Path) -> Option<String> {
        self.buffer_text(&self.key_for(path))
    }

    /// Text of an open buffer, for rendering bodies that are not saved yet.
    pub(crate) fn buffer_text(&self, key: &str) -> Option<String> {
        self.live().text(key).map(|s| s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::language::language_by_name;

    fn cold(lang: &'static Lang, text: &str) -> FileSymbols {
        let mut pool = ParserPool::new();
        let tree = pool.parse(lang, text.as_bytes(), None).unwrap();
        extract::extract(lang, &tree, text.as_bytes(), &mut pool.cursor, false).unwrap()
    }

    fn check_edits(lang: &str, base: &str, edits: &[(&str, &str)]) {
        let lang = language_by_name(lang).unwrap();
        let mut pool = ParserPool::new();
        let (mut buf, _) = reparse(&mut pool, lang, None, base.to_string()).unwrap();
        for (from, to) in edits {
            let text = buf.text.replacen(from, to, 1);
            let (b, _) = reparse(&mut pool, lang, Some(buf), text.clone()).unwrap();
            assert_eq!(
                b.symbols(),
                cold(lang, &text),
                "after replacing {from:?} with {to:?}"
            );
            buf = b;
        }
    }

    #[test]
    fn diff_finds_the_changed_range() {
        assert_eq!(diff(b"abcdef", b"abXdef"), (2, 3, 3));
        assert_eq!(diff(b"aaa", b"aaaa"), (3, 3, 4));
        assert_eq!(diff(b"abc", b""), (0, 3, 0));
    }

    #[test]
    fn rust_edits_match_cold_extraction() {
        let base = "/// Adds.\nfn add(a: i32) -> i32 { helper(a) }\n\nstruct S;\n\nimpl S {\n    fn m(&self) { add(1); }\n\n    fn n(&self) { self.m() }\n}\n\nfn helper(x: i32) -> i32 { x }\n";
        check_edits(
            "rust",
            base,
            &[
                ("helper(a)", "helper(a) + other(a)"),
                ("/// Adds.", "/// Adds two.\n/// More."),
                ("struct S;", "// no doc\nstruct S;"),
                (
                    "fn n(&self) { self.m() }",
                    "fn n(&self) { self.m() }\n    fn o(&self) {}",
                ),
                ("fn helper", "fn helper2"),
                ("impl S {", "impl S { // broken {"),
                ("{ x }", "{ x + 1 }"),
            ],
        );
    }

    /// Whether a comment attaches depends on what precedes it on its line (`syntax::attach`):
    /// edits there must re-query the definition below.
    #[test]
    fn edits_before_a_trailing_comment_match_cold_extraction() {
        let base = "x = 1  # note\ndef f():\n    pass\n\n\ny = 2\n# kept\ndef g():\n    pass\n";
        check_edits(
            "python",
            base,
            &[
                ("x = 1  ", ""),
                ("# note", "z = 3  # note"),
                ("y = 2\n", "y = 2  "),
            ],
        );
        let base = "#[inline] // why\nfn f() {}\n\nconst X: u8 = 1; // one\nfn g() {}\n";
        check_edits(
            "rust",
            base,
            &[
                ("#[inline] ", ""),
                ("const X: u8 = 1; ", "/// G.\n"),
                ("// one", "#[cold] // one"),
            ],
        );
    }

    #[test]
    fn python_edits_match_cold_extraction() {
        let base = "import os\n\nclass A:\n    def f(self):\n        \"\"\"Doc.\"\"\"\n        return g()\n\ndef g():\n    return os.path.join('a')\n";
        check_edits(
            "python",
            base,
            &[
                ("return g()", "return g() + h()"),
                ("\"\"\"Doc.\"\"\"", "\"\"\"Other.\"\"\""),
                ("def g", "def gg"),
                ("class A:", "class A(B):"),
            ],
        );
    }
}
