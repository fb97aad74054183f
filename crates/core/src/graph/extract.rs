//! Extraction: run a language's tags query over a tree and turn the matches into
//! [`FileSymbols`].
//!
//! Two stages so that live updates can redo only part of a file: [`collect`] turns query matches
//! into position-carrying [`Raw`] items (optionally only in a byte range), and [`finish`] sorts,
//! de-duplicates and links them (parents, qualified names, enclosing definitions). `finish` sees
//! only `Raw`, never the tree, so the same items give the same result whether they came from one
//! cold pass or from a cold pass patched by incremental re-queries.
//!
//! A definition's doc is what [`crate::syntax::attach`] says is attached above it (the same rule
//! whole-unit edits use), looked for outside the statements the language's `attach.scm` declares
//! `@attach.outer` (`export`, `const f = …`, a decorated definition); failing that, a
//! Python-style docstring.
//!
//! Each raw item has an *invalidation range*: the bytes whose change can alter it. For a
//! definition that runs from the end of the sibling before its attached block (so a new or edited
//! doc comment above it counts; from that sibling's line start when the sibling could attach but
//! did not, since text before it on its line decides) to its end; for a reference, its name.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Query, QueryCursor, Tree};

use super::types::{FileSymbols, Import, RefKind, Reference, Span, Symbol, SymbolKind};
use crate::syntax::attach::{self, Attach, Children};
use crate::syntax::{for_each_match, Lang, Tags};

/// Longest signature kept, in bytes; longer heads are cut at a character boundary.
const MAX_SIGNATURE: usize = 240;
/// Longest doc comment kept, in bytes.
const MAX_DOC: usize = 1500;

/// What a capture means (see `queries/README.md`).
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Def(SymbolKind),
    Name,
    Qualifier,
    Scope,
    Ref(RefKind),
    Import,
    Ignore,
}

fn roles(query: &Query) -> Vec<Role> {
    query
        .capture_names()
        .iter()
        .map(|n| match *n {
            "name" => Role::Name,
            "qualifier" => Role::Qualifier,
            "scope" => Role::Scope,
            "import" => Role::Import,
            "reference.call" | "reference.class" => Role::Ref(RefKind::Call),
            "reference.type" | "reference.implementation" => Role::Ref(RefKind::Type),
            other => match other
                .strip_prefix("definition.")
                .and_then(SymbolKind::parse)
            {
                Some(k) => Role::Def(k),
                None => Role::Ignore,
            },
        })
        .collect()
}

/// A definition before linking.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawDef {
    pub kind: SymbolKind,
    pub name: String,
    pub qualifier: Option<String>,
    pub span: Span,
    pub name_byte: u32,
    pub inv_start: u32,
    pub signature: String,
    pub doc: String,
    pub pattern: u32,
}

/// A non-symbol container that qualifies names (Rust `impl`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawScope {
    pub name: String,
    pub span: Span,
    pub pattern: u32,
}

/// A reference before linking.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawRef {
    pub name: String,
    pub kind: RefKind,
    pub byte: u32,
    pub end: u32,
    pub row: u32,
    pub pattern: u32,
}

/// An import before linking.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawImport {
    pub text: String,
    pub span: Span,
}

/// Query output for a file or part of one.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Raw {
    pub defs: Vec<RawDef>,
    pub scopes: Vec<RawScope>,
    pub refs: Vec<RawRef>,
    pub imports: Vec<RawImport>,
}

impl RawDef {
    pub fn inv(&self) -> Range<u32> {
        self.inv_start..self.span.end_byte
    }
}

/// Whether `[a.start, a.end]` and `[b.start, b.end]` touch (closed intervals: an edit exactly at
/// an item's edge still invalidates it).
pub(crate) fn touches(a: &Range<u32>, b: &Range<u32>) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn span_of(n: Node) -> Span {
    Span {
        start_byte: n.start_byte() as u32,
        end_byte: n.end_byte() as u32,
        start_row: n.start_position().row as u32,
        end_row: n.end_position().row as u32,
    }
}

fn text<'a>(n: Node, src: &'a [u8]) -> &'a str {
    std::str::from_utf8(&src[n.byte_range()]).unwrap_or("")
}

/// Runs `lang`'s tags query over `tree`. With `range`, only matches touching those bytes are
/// returned (used by live updates). With `outline`, references are not collected. `attach`
/// (the language's `attach.scm`) finds doc comments; without it only docstrings are found.
pub(crate) fn collect(
    tags: &Tags,
    attach: Option<&Attach>,
    cursor: &mut QueryCursor,
    tree: &Tree,
    src: &[u8],
    range: Option<Range<usize>>,
    outline: bool,
) -> Raw {
    let roles = roles(&tags.query);
    let mut raw = Raw::default();
    let mut siblings = Siblings {
        attach,
        cursor: None,
        children: HashMap::new(),
    };
    // Definitions already built, by span: (pattern, index in `raw.defs`). A node matched by
    // several patterns (a Rust method is also a function) is built once, for the earliest
    // pattern, which is the one `finish` keeps.
    let mut built: foldhash::HashMap<(u32, u32), (u32, usize)> = Default::default();
    for_each_match(
        tags,
        cursor,
        tree.root_node(),
        src,
        range,
        |pattern, captures| {
            let (mut def, mut name, mut qual, mut scope, mut rref) = (None, None, None, None, None);
            for c in captures {
                match roles[c.index as usize] {
                    Role::Def(k) => def = Some((k, c.node)),
                    Role::Name => name = Some(c.node),
                    Role::Qualifier => qual = Some(c.node),
                    Role::Scope => scope = Some(c.node),
                    Role::Ref(k) => rref = Some(k),
                    Role::Import => raw.imports.push(RawImport {
                        text: clean_import(text(c.node, src)),
                        span: span_of(c.node),
                    }),
                    Role::Ignore => {}
                }
            }
            let pattern = pattern as u32;
            let Some(name) = name else { return };
            if let Some((kind, node)) = def {
                let key = (node.start_byte() as u32, node.end_byte() as u32);
                let slot = match built.get(&key) {
                    Some(&(p, _)) if p <= pattern => return,
                    Some(&(_, i)) => Some(i),
                    None => None,
                };
                let d = make_def(kind, node, name, qual, src, pattern, outline, &mut siblings);
                match slot {
                    Some(i) => raw.defs[i] = d,
                    None => raw.defs.push(d),
                }
                built.insert(key, (pattern, slot.unwrap_or(raw.defs.len() - 1)));
            } else if let Some(node) = scope {
                raw.scopes.push(RawScope {
                    name: text(name, src).to_string(),
                    span: span_of(node),
                    pattern,
                });
            } else if let (Some(kind), false) = (rref, outline) {
                raw.refs.push(RawRef {
                    name: text(name, src).to_string(),
                    kind,
                    byte: name.start_byte() as u32,
                    end: name.end_byte() as u32,
                    row: name.start_position().row as u32,
                    pattern,
                });
            }
        },
    );
    raw
}

/// Each parent's children, gathered once per parent: tree-sitter's `prev_sibling` and
/// `prev_named_sibling` scan the parent's children from the first one, which made looking up
/// doc comments quadratic in a file of thousands of items (~10 % of a cold index).
struct Siblings<'a, 't> {
    attach: Option<&'a Attach>,
    /// For [`Attach::lead`]; the caller's cursor is busy running the tags query.
    cursor: Option<QueryCursor>,
    children: HashMap<usize, Children<'t>>,
}

#[allow(clippy::too_many_arguments)]
fn make_def<'t>(
    kind: SymbolKind,
    node: Node<'t>,
    name: Node<'t>,
    qual: Option<Node<'t>>,
    src: &[u8],
    pattern: u32,
    outline: bool,
    siblings: &mut Siblings<'_, 't>,
) -> RawDef {
    // Climb out of `@attach.outer` statements (`export`, decorators, `const x = …`) to the node
    // the doc sits on.
    let mut outer = node;
    let mut parent = None;
    while let Some(p) = outer.parent() {
        if siblings.attach.is_some_and(|a| a.outer(p)) && p.parent().is_some() {
            outer = p;
        } else {
            parent = Some(p);
            break;
        }
    }
    let mut doc = String::new();
    let mut inv_start = 0;
    if let Some(parent) = parent {
        let kids = siblings
            .children
            .entry(parent.id())
            .or_insert_with(|| Children::of(parent));
        inv_start = parent.start_byte();
        if let Some(at) = kids.index_of(outer) {
            let mut first = at;
            let mut since = None;
            match siblings.attach {
                // Outline files keep no docs.
                _ if outline => {}
                Some(attach) => {
                    let cursor = siblings.cursor.get_or_insert_with(QueryCursor::new);
                    let lead = attach.lead(cursor, kids, at, src);
                    first = lead.first;
                    let docs =
                        (first..at).filter(|&i| kids.known_role(i) == Some(attach::Role::Doc));
                    doc = doc_text(node, docs.map(|i| kids.nodes[i]), src);
                    // A sibling that could attach but did not may start to by an edit before
                    // it on its line.
                    since = lead
                        .stop
                        .filter(|&i| kids.known_role(i) != Some(attach::Role::Code))
                        .map(|i| attach::line_start(src, kids.nodes[i].start_byte()));
                }
                // Without an attach query, only docstrings.
                None => doc = doc_text(node, std::iter::empty(), src),
            }
            if let Some(p) = first.checked_sub(1).map(|i| kids.nodes[i]) {
                inv_start = p.end_byte();
            }
            inv_start = since.map_or(inv_start, |s| s.min(inv_start));
        }
    }
    RawDef {
        kind,
        name: text(name, src).to_string(),
        qualifier: qual.map(|q| text(q, src).to_string()),
        span: span_of(node),
        name_byte: name.start_byte() as u32,
        inv_start: inv_start.min(node.start_byte()) as u32,
        signature: signature(node, src),
        doc,
        pattern,
    }
}

/// The head of a definition: its text up to the body, whitespace collapsed.
fn signature(node: Node, src: &[u8]) -> String {
    let body = node.child_by_field_name("body").or_else(|| {
        node.child_by_field_name("value")
            .and_then(|v| v.child_by_field_name("body"))
    });
    // A comment between the head and the body (Python) is not part of the signature.
    let mut walker = node.walk();
    let comment = node
        .children(&mut walker)
        .find(|c| c.kind().contains("comment") && c.start_byte() > node.start_byte())
        .map(|c| c.start_byte());
    let end = match body {
        Some(b) if b.start_byte() > node.start_byte() => {
            comment.map_or(b.start_byte(), |c| c.min(b.start_byte()))
        }
        _ => {
            let s = &src[node.byte_range()];
            node.start_byte() + s.iter().position(|&b| b == b'\n').unwrap_or(s.len())
        }
    };
    let head = std::str::from_utf8(&src[node.start_byte()..end]).unwrap_or("");
    let mut out = String::with_capacity(head.len().min(MAX_SIGNATURE));
    for w in head.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
        if out.len() > MAX_SIGNATURE {
            out.truncate(floor_char_boundary(&out, MAX_SIGNATURE));
            out.push('…');
            break;
        }
    }
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The doc of `node`: its attached comments' text, one per line; failing that, a Python-style
/// docstring (the body's first statement is a string).
fn doc_text<'t>(node: Node<'t>, comments: impl Iterator<Item = Node<'t>>, src: &[u8]) -> String {
    let mut doc = String::new();
    for c in comments {
        if !doc.is_empty() {
            doc.push('\n');
        }
        doc.push_str(text(c, src).trim_end());
    }
    if doc.is_empty() {
        if let Some(body) = node.child_by_field_name("body") {
            if let Some(stmt) = body.named_child(0) {
                if stmt.kind() == "expression_statement" {
                    if let Some(s) = stmt.named_child(0).filter(|s| s.kind() == "string") {
                        doc.push_str(text(s, src));
                    }
                }
            }
        }
    }
    if doc.len() > MAX_DOC {
        doc.truncate(floor_char_boundary(&doc, MAX_DOC));
        doc.push('…');
    }
    doc
}

fn clean_import(s: &str) -> String {
    let s = s
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`' || c == '<' || c == '>');
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Sorts, de-duplicates and links raw items into the file's symbols, references and imports.
/// Deterministic in its input *set*: the order of `raw`'s vectors does not matter.
pub(crate) fn finish(lang: &Lang, raw: &Raw, outline: bool) -> FileSymbols {
    let plan = plan(lang, raw, outline);
    plan.fill(
        |i| raw.defs[i].clone(),
        |i| raw.refs[i].name.clone(),
        |i| raw.imports[i].text.clone(),
    )
}

/// [`finish`] for a `raw` that is not kept (a cold extraction): its strings are moved into the
/// symbols instead of copied (one allocation less for each of a file's thousands of references).
pub(crate) fn finish_owned(lang: &Lang, mut raw: Raw, outline: bool) -> FileSymbols {
    let plan = plan(lang, &raw, outline);
    let Raw {
        defs,
        refs,
        imports,
        ..
    } = &mut raw;
    plan.fill(
        |i| std::mem::replace(&mut defs[i], RawDef::empty()),
        |i| std::mem::take(&mut refs[i].name),
        |i| std::mem::take(&mut imports[i].text),
    )
}

impl RawDef {
    /// A placeholder left where a definition was moved out.
    fn empty() -> RawDef {
        RawDef {
            kind: SymbolKind::Function,
            name: String::new(),
            qualifier: None,
            span: Span::default(),
            name_byte: 0,
            inv_start: 0,
            signature: String::new(),
            doc: String::new(),
            pattern: 0,
        }
    }
}

/// What [`finish`] keeps of a [`Raw`], by index, with everything computed but the strings
/// copied from it: symbols (name, signature and doc still empty) with the index of their
/// definition, references with theirs, imports with theirs.
struct Plan {
    symbols: Vec<(Symbol, usize)>,
    refs: Vec<(Reference, usize)>,
    imports: Vec<(u32, usize)>,
    outline: bool,
}

impl Plan {
    /// The file's symbols, taking each kept item's strings from `def`, `reference` and
    /// `import` (each called once per kept index).
    fn fill(
        self,
        mut def: impl FnMut(usize) -> RawDef,
        mut reference: impl FnMut(usize) -> String,
        mut import: impl FnMut(usize) -> String,
    ) -> FileSymbols {
        let outline = self.outline;
        let symbols = self
            .symbols
            .into_iter()
            .map(|(mut s, i)| {
                let d = def(i);
                s.name = d.name;
                s.signature = d.signature;
                if !outline {
                    s.doc = d.doc;
                }
                s
            })
            .collect();
        let refs = self
            .refs
            .into_iter()
            .map(|(mut r, i)| {
                r.name = reference(i);
                r
            })
            .collect();
        let imports = self
            .imports
            .into_iter()
            .map(|(row, i)| Import {
                text: import(i),
                row,
            })
            .collect();
        FileSymbols {
            symbols,
            refs,
            imports,
            outline_only: outline,
        }
    }
}

fn plan(lang: &Lang, raw: &Raw, outline: bool) -> Plan {
    // Definitions: outer before inner; when several patterns matched one node the earliest wins.
    let mut defs: Vec<usize> = (0..raw.defs.len()).collect();
    defs.sort_by(|&a, &b| {
        let (a, b) = (&raw.defs[a], &raw.defs[b]);
        (
            a.span.start_byte,
            std::cmp::Reverse(a.span.end_byte),
            a.pattern,
        )
            .cmp(&(
                b.span.start_byte,
                std::cmp::Reverse(b.span.end_byte),
                b.pattern,
            ))
    });
    defs.dedup_by(|b, a| {
        let (a, b) = (&raw.defs[*a], &raw.defs[*b]);
        a.span.start_byte == b.span.start_byte && a.span.end_byte == b.span.end_byte
    });
    let mut scopes: Vec<&RawScope> = raw.scopes.iter().collect();
    scopes.sort_by_key(|s| {
        (
            s.span.start_byte,
            std::cmp::Reverse(s.span.end_byte),
            s.pattern,
        )
    });
    scopes.dedup_by(|b, a| {
        a.span.start_byte == b.span.start_byte && a.span.end_byte == b.span.end_byte
    });

    // One sweep over definitions and scopes in start order, keeping a stack of open containers.
    enum Open<'a> {
        Def(u32),
        Scope(&'a str),
    }
    let mut symbols: Vec<(Symbol, usize)> = Vec::with_capacity(defs.len());
    let mut stack: Vec<(Span, Open)> = Vec::new();
    let mut si = 0;
    for &di in &defs {
        let d = &raw.defs[di];
        while si < scopes.len() && scopes[si].span.start_byte <= d.span.start_byte {
            let s = scopes[si];
            while stack.last().is_some_and(|(sp, _)| !sp.contains(&s.span)) {
                stack.pop();
            }
            stack.push((s.span, Open::Scope(&s.name)));
            si += 1;
        }
        while stack.last().is_some_and(|(sp, _)| !sp.contains(&d.span)) {
            stack.pop();
        }
        let mut qualified = String::new();
        for (_, o) in &stack {
            let part = match o {
                Open::Def(i) => raw.defs[symbols[*i as usize].1].name.as_str(),
                Open::Scope(n) => n,
            };
            qualified.push_str(part);
            qualified.push_str(lang.separator);
        }
        if let Some(q) = &d.qualifier {
            qualified.push_str(q);
            qualified.push_str(lang.separator);
        }
        qualified.push_str(&d.name);
        let parent = stack.iter().rev().find_map(|(_, o)| match o {
            Open::Def(i) => Some(*i),
            Open::Scope(_) => None,
        });
        let idx = symbols.len() as u32;
        symbols.push((
            Symbol {
                name: String::new(),
                qualified,
                kind: d.kind,
                span: d.span,
                name_byte: d.name_byte,
                signature: String::new(),
                doc: String::new(),
                parent,
            },
            di,
        ));
        stack.push((d.span, Open::Def(idx)));
    }

    // References: drop definitions' own names, one reference per name position.
    let def_names: HashSet<u32> = symbols.iter().map(|(s, _)| s.name_byte).collect();
    let mut refs: Vec<usize> = (0..raw.refs.len())
        .filter(|&i| !def_names.contains(&raw.refs[i].byte))
        .collect();
    refs.sort_by_key(|&i| (raw.refs[i].byte, raw.refs[i].pattern));
    refs.dedup_by_key(|i| raw.refs[*i].byte);
    let mut out_refs = Vec::with_capacity(refs.len());
    let mut open: Vec<u32> = Vec::new();
    let mut next = 0usize;
    for ri in refs {
        let r = &raw.refs[ri];
        while next < symbols.len() && symbols[next].0.span.start_byte <= r.byte {
            open.push(next as u32);
            next += 1;
        }
        while open
            .last()
            .is_some_and(|&i| symbols[i as usize].0.span.end_byte <= r.byte)
        {
            open.pop();
        }
        // `open` is a stack of nested spans only if spans nest; an overlapping sibling left on the
        // stack is skipped by scanning down to the innermost span that really contains the byte.
        let enclosing = open.iter().rev().copied().find(|&i| {
            let s = &symbols[i as usize].0.span;
            s.start_byte <= r.byte && r.byte < s.end_byte
        });
        out_refs.push((
            Reference {
                name: String::new(),
                kind: r.kind,
                byte: r.byte,
                row: r.row,
                enclosing,
            },
            ri,
        ));
    }

    let mut imports: Vec<usize> = (0..raw.imports.len()).collect();
    let key = |i: &usize| {
        let s = &raw.imports[*i].span;
        (s.start_byte, s.end_byte)
    };
    imports.sort_by_key(key);
    imports.dedup_by_key(|i| key(i));
    let imports = imports
        .into_iter()
        .map(|i| (raw.imports[i].span.start_row, i))
        .collect();

    Plan {
        symbols,
        refs: out_refs,
        imports,
        outline,
    }
}

/// Cold extraction of a whole file: parse result in, symbols out. `None` when the language's
/// query is unusable in this build (already logged).
pub fn extract(
    lang: &'static Lang,
    tree: &Tree,
    src: &[u8],
    cursor: &mut QueryCursor,
    outline: bool,
) -> Option<FileSymbols> {
    let tags = lang.tags()?;
    let raw = collect(tags, lang.attach(), cursor, tree, src, None, outline);
    Some(finish_owned(lang, raw, outline))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{language_for_path, ParserPool};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/graph");

    /// Files for the equivalence check: the graph fixtures, this crate's own sources and, when
    /// `SMALLCODE_TAGS_CORPUS` names a folder, every file under it (run it in release mode).
    fn sample_files() -> Vec<std::path::PathBuf> {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut dirs = vec![std::path::PathBuf::from(FIXTURES), src.into()];
        if let Some(extra) = std::env::var_os("SMALLCODE_TAGS_CORPUS") {
            dirs.push(extra.into());
        }
        let mut files = Vec::new();
        for d in dirs {
            for e in ignore::WalkBuilder::new(d).build().flatten() {
                if language_for_path(e.path()).is_some() && e.path().is_file() {
                    files.push(e.into_path());
                }
            }
        }
        files
    }

    /// Matching at root kinds only (`syntax::tags`) must give exactly what a whole-tree query
    /// run gives, for whole files and for the byte ranges live updates re-query.
    #[test]
    fn root_matching_equals_whole_tree_matching() {
        let mut pool = ParserPool::new();
        let mut cursor = QueryCursor::new();
        let mut checked = 0;
        // Broken code too: a subtree with a parse error is always walked into.
        let broken = [
            ("a.rs", "fn a() { b( ; }\nmacro_rules! m { ($x:expr) => { c() } }\nm!(fn d() { e() })\nstruct"),
            ("a.py", "def f(:\n    g()\nclass C\n    def h(self): i()\n"),
            ("a.ts", "function f( { g(); }\nconst x = `${h(}`;\nclass C { m() { n() }"),
            ("a.c", "int ok(void) { return 1; }\nint broken( { \nint after(void) { return ok(); }\n"),
            ("a.lua", "function f(\n  g()\nend\nlocal t = { h = function() i() end"),
        ];
        let inline = broken.iter().map(|(name, text)| {
            (
                std::path::PathBuf::from(name),
                Some(text.as_bytes().to_vec()),
            )
        });
        // And damaged copies of every fixture: a few bytes cut at spread-out places.
        let samples = sample_files();
        let mut damaged = Vec::new();
        for path in samples.iter().filter(|p| p.starts_with(FIXTURES)) {
            let Ok(src) = std::fs::read(path) else {
                continue;
            };
            for k in 1..8 {
                let at = src.len() * k / 8;
                let mut text = src.clone();
                text.drain(at..(at + 1 + k % 5).min(src.len()));
                damaged.push((path.clone(), Some(text)));
            }
        }
        let files = samples
            .into_iter()
            .map(|p| (p, None))
            .chain(inline)
            .chain(damaged);
        for (path, text) in files {
            let lang = language_for_path(&path).expect("filtered above");
            let Some(src) = text.or_else(|| std::fs::read(&path).ok()) else {
                continue;
            };
            let (Some(fast), Ok(query)) = (lang.tags(), lang.compile()) else {
                continue;
            };
            let slow = Tags::whole_tree(query);
            let Some(tree) = pool.parse(lang, &src, None) else {
                continue;
            };
            let mid = src.len() / 2;
            for range in [None, Some(mid.saturating_sub(300)..mid + 300)] {
                for outline in [false, true] {
                    let attach = lang.attach();
                    let a = collect(
                        fast,
                        attach,
                        &mut cursor,
                        &tree,
                        &src,
                        range.clone(),
                        outline,
                    );
                    let b = collect(
                        &slow,
                        attach,
                        &mut cursor,
                        &tree,
                        &src,
                        range.clone(),
                        outline,
                    );
                    assert_eq!(
                        finish(lang, &a, outline),
                        finish(lang, &b, outline),
                        "{} range {range:?} outline {outline}",
                        path.display()
                    );
                    assert_eq!(
                        finish_owned(lang, a.clone(), outline),
                        finish(lang, &a, outline),
                        "{}: moving strings changed the result",
                        path.display()
                    );
                    let key =
                        |r: &Raw| (r.defs.len(), r.refs.len(), r.scopes.len(), r.imports.len());
                    assert_eq!(key(&a), key(&b), "{}", path.display());
                }
            }
            checked += 1;
        }
        assert!(checked > 50, "only {checked} files checked");
    }
}
