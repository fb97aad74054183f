//! Running a tags query fast: match only at the nodes where a pattern can start.
//!
//! A `QueryCursor` run over a whole tree visits every node and, at each one, works out its
//! field, its later siblings and its supertypes before it looks at the patterns. On Rust code
//! that costs about half a parse even for a one-pattern query — more than the rest of indexing
//! together. Every pattern of our tags queries is *rooted* (one top node), so the kinds a match
//! can start at are known from the query itself: [`for_each_match`] walks the tree with a plain
//! `TreeCursor` and runs the query, limited to matches that start at the node itself, only at
//! nodes of those kinds. The grammar's `node-types.json` further tells which kinds can never
//! have such a node below them (comments, strings, macro token trees), and the walk skips those
//! subtrees. Measured on 1,778 Rust files, one thread: 1.56 s → 0.78 s, the same 715,616
//! captures.
//!
//! The root kinds are read from each pattern's own source text ([`root_kinds`]); a pattern this
//! cannot read — a wildcard or supertype root, a top-level quantifier or anchor, a non-rooted or
//! non-local pattern — makes the language fall back to the plain whole-tree run, which gives the
//! same matches, only slower. `graph::extract`'s tests check the two give equal results.
//!
//! A *bare* pattern — one node with no children, fields or predicates, `(type_identifier) @name
//! @reference.type` — matches every node of its kind, so at a kind whose every starting pattern
//! is bare the walk makes the match itself instead of running the query cursor there (every
//! type name in Rust, C, C++ and Java; a cursor run costs a reset, a node-status computation and
//! a match even for a leaf). Only whole-tree runs do this: with a byte range the cursor decides
//! which matches touch it.
//!
//! A query cursor run at a node reports a match as soon as the match's last node is seen, then
//! goes on through the node's remaining children looking for more. When every pattern that can
//! start at a kind can match there at most once — each of its nodes below the top is the child
//! of a field the grammar allows only once, alternatives are of distinct kinds, nothing is
//! quantified ([`shape_pattern`], without a repeated child) — the run stops once each of them
//! has matched (a function's parameters, return type and body are not entered again after its
//! name).
//!
//! On whole-tree runs such a kind needs no cursor run at all: each of its patterns is a path of
//! fields, matched by following them (`super::shape`); so is a pattern with one child that has
//! no field (a method in an `impl` body: one match per such child, found by stepping through
//! the body's children once). Only a node with a parse error inside, where the grammar's
//! "allowed once" may not hold, still gets the cursor.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Language, Node, Query, QueryCapture, QueryCursor};

use super::shape::{Part, Shape};

/// A compiled tags query plus the node kinds its patterns start at.
pub struct Tags {
    /// The compiled query.
    pub query: Query,
    /// `starts[kind_id]`: some pattern's top node has this kind. `None`: the query has a
    /// pattern whose start cannot be read, so whole-tree matching is used.
    starts: Option<Vec<bool>>,
    /// `holds[kind_id]`: a node of this kind can have a pattern's start below it, per the
    /// grammar's `node-types.json`. `None`: unknown, descend everywhere.
    holds: Option<Vec<bool>>,
    /// `bare[kind_id]`: when every pattern starting at this kind is bare (see the module docs),
    /// those patterns with their capture ids, in pattern order; empty otherwise.
    bare: Vec<Vec<(usize, Vec<u32>)>>,
    /// `single[kind_id]`: how many patterns start at this kind when each of them can match
    /// there at most once (see the module docs); 0 otherwise. A cursor run there stops after
    /// that many matches.
    single: Vec<u32>,
    /// `direct[kind_id]`: the patterns starting at this kind as [`Shape`]s, in pattern order,
    /// matched without the cursor on whole-tree runs (see the module docs); empty when some
    /// pattern there is not a shape ([`shape_pattern`]).
    direct: Vec<Vec<(usize, Shape)>>,
}

impl Tags {
    /// Wraps `query`, compiled for `language` from `source`, and reads its patterns' root kinds.
    ///
    /// `node_types` is the grammar's `node-types.json`; it lets the walk skip subtrees (comments,
    /// macro token trees, strings) where the grammar allows none of the starting kinds.
    pub fn new(query: Query, language: &Language, source: &str, node_types: &str) -> Self {
        let roots = root_names(&query, source);
        let starts = roots
            .as_ref()
            .and_then(|r| kind_table(language, r.iter().cloned()));
        let holds = match (&starts, roots) {
            (Some(_), Some(r)) => holders(node_types, &r)
                .and_then(|names| kind_table(language, names.into_iter().map(|n| (n, true)))),
            _ => None,
        };
        let bare = match &starts {
            Some(_) => bare_table(&query, language, source),
            None => Vec::new(),
        };
        let (single, direct) = match &starts {
            Some(_) => single_table(&query, language, source, node_types),
            None => (Vec::new(), Vec::new()),
        };
        Self {
            query,
            starts,
            holds,
            bare,
            single,
            direct,
        }
    }

    /// The same query matched over whole trees only: the reference the fast path is tested
    /// against.
    #[cfg(test)]
    pub(crate) fn whole_tree(query: Query) -> Self {
        Self {
            query,
            starts: None,
            holds: None,
            bare: Vec::new(),
            single: Vec::new(),
            direct: Vec::new(),
        }
    }

    /// Whether matching can start at chosen nodes only (see the module docs).
    pub fn matches_by_root(&self) -> bool {
        self.starts.is_some()
    }

    /// Whether the walk can skip subtrees the grammar says hold no pattern start.
    pub fn skips_subtrees(&self) -> bool {
        self.holds.is_some()
    }

    /// Whether some kind's matches are made by the walk itself (bare patterns only there).
    pub fn has_bare_kinds(&self) -> bool {
        self.bare.iter().any(|b| !b.is_empty())
    }
}

/// For each kind id, the bare patterns starting there when all patterns starting there are
/// bare (see [`Tags::bare`]).
fn bare_table(query: &Query, language: &Language, source: &str) -> Vec<Vec<(usize, Vec<u32>)>> {
    let count = language.node_kind_count();
    let mut table: Vec<Vec<(usize, Vec<u32>)>> = vec![Vec::new(); count];
    // A kind is refused once any non-bare pattern starts there.
    let mut refused = vec![false; count];
    for i in 0..query.pattern_count() {
        let Some(text) = source.get(query.start_byte_for_pattern(i)..query.end_byte_for_pattern(i))
        else {
            return Vec::new();
        };
        let Some(kinds) = root_kinds(text) else {
            return Vec::new();
        };
        let bare = bare_pattern(text).and_then(|(kind, captures)| {
            let ids: Option<Vec<u32>> = captures
                .iter()
                .map(|c| query.capture_index_for_name(c))
                .collect();
            Some((kind, ids?))
        });
        for (name, named) in kinds {
            for id in 0..count as u16 {
                if language.node_kind_is_named(id) != named
                    || language.node_kind_for_id(id) != Some(name.as_str())
                {
                    continue;
                }
                match &bare {
                    Some((kind, ids)) if *kind == name => table[id as usize].push((i, ids.clone())),
                    _ => refused[id as usize] = true,
                }
            }
        }
    }
    for (entry, refused) in table.iter_mut().zip(refused) {
        if refused {
            entry.clear();
        }
    }
    table
}

/// For each kind id, how many patterns start there when each can match there at most once
/// (see [`Tags::single`]; 0 when any cannot, or when that cannot be told), and the patterns
/// starting there as [`Shape`]s when all of them are ([`shape_pattern`], see [`Tags::direct`]).
#[allow(clippy::type_complexity)]
fn single_table(
    query: &Query,
    language: &Language,
    source: &str,
    node_types: &str,
) -> (Vec<u32>, Vec<Vec<(usize, Shape)>>) {
    let count = language.node_kind_count();
    let Ok(entries) = serde_json::from_str::<Vec<NodeType>>(node_types) else {
        return (Vec::new(), Vec::new());
    };
    // Named kind → (field → whether it may hold several children).
    let fields: HashMap<&str, HashMap<&str, bool>> = entries
        .iter()
        .filter(|e| e.named && e.subtypes.is_none())
        .map(|e| {
            let f = e
                .fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.multiple))
                .collect();
            (e.kind.as_str(), f)
        })
        .collect();
    let mut table = vec![0u32; count];
    let mut direct: Vec<Vec<(usize, Shape)>> = (0..count).map(|_| Vec::new()).collect();
    let mut refused = vec![false; count];
    // Kinds where some pattern is not a shape, or did not compile to one: cursor runs there.
    let mut no_shape = vec![false; count];
    for i in 0..query.pattern_count() {
        let Some(text) = source.get(query.start_byte_for_pattern(i)..query.end_byte_for_pattern(i))
        else {
            return (Vec::new(), Vec::new());
        };
        let Some(kinds) = root_kinds(text) else {
            return (Vec::new(), Vec::new());
        };
        let part = shape_pattern(text, &fields);
        let root = part.as_ref().and_then(|p| p.kind.clone());
        let single = part.as_ref().is_some_and(|p| p.repeats() == 0);
        for (name, named) in kinds {
            for id in 0..count as u16 {
                if language.node_kind_is_named(id) != named
                    || language.node_kind_for_id(id) != Some(name.as_str())
                {
                    continue;
                }
                let k = id as usize;
                match (&root, &part) {
                    (Some((kind, _)), Some(part)) if *kind == name => {
                        if single {
                            table[k] += 1;
                        } else {
                            refused[k] = true;
                        }
                        match Shape::compile(part, language, query) {
                            Some(shape) => direct[k].push((i, shape)),
                            None => no_shape[k] = true,
                        }
                    }
                    _ => {
                        refused[k] = true;
                        no_shape[k] = true;
                    }
                }
            }
        }
    }
    for k in 0..count {
        if refused[k] {
            table[k] = 0;
        }
        if no_shape[k] {
            direct[k].clear();
        }
    }
    (table, direct)
}

/// The pattern read into a [`Part`] when it is a path of fields: a plain node whose every
/// child pattern sits under a field `fields` (kind → field → may hold several children, from
/// `node-types.json`) allows once, recursively; an alternation there only of distinct named
/// kinds; strings, captures and negated fields anywhere; no quantifier, anchor, group or
/// predicate. Such a pattern matches at most once per node of its top kind. One exception is
/// allowed: a child without a field, alone under its parent (`(declaration_list (function_item
/// …))`), which matches once per such child ([`Part::repeats`] is then 1). `None` when the
/// pattern is not of that shape.
pub(crate) fn shape_pattern(
    pattern: &str,
    fields: &HashMap<&str, HashMap<&str, bool>>,
) -> Option<Part> {
    let mut s = Scanner::new(pattern);
    let mut top = single_node(&mut s, fields)?;
    top.captures = s.captures()?;
    (s.peek().is_none() && top.kind.is_some() && top.repeats() <= 1).then_some(top)
}

/// One `(kind …)` at the scanner, checked as [`shape_pattern`] says (its own captures, which
/// follow it, are the caller's to read).
fn single_node(s: &mut Scanner, fields: &HashMap<&str, HashMap<&str, bool>>) -> Option<Part> {
    if !s.eat('(') {
        return None;
    }
    s.skip_space();
    let r = s.rest();
    let len = r
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(r.len());
    let kind = &r[..len];
    if kind.is_empty() || r[len..].starts_with('/') {
        return None;
    }
    s.pos += len;
    let own = if kind == "_" {
        None
    } else {
        Some(fields.get(kind)?)
    };
    let mut part = Part {
        kind: (kind != "_").then(|| (kind.to_string(), true)),
        ..Part::default()
    };
    loop {
        match s.peek()? {
            ')' => {
                s.pos += 1;
                return Some(part);
            }
            '!' => {
                s.pos += 1;
                s.skip_space();
                let r = s.rest();
                let len = r
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(r.len());
                if len == 0 {
                    return None;
                }
                part.absent.push(r[..len].to_string());
                s.pos += len;
            }
            '(' if part.fields.is_empty() && part.each.is_none() && own.is_some() => {
                // A child without a field may be any of several children: one such child, alone
                // under a named node, is the pattern's repeated child (see [`Part::each`]).
                let mut child = single_node(s, fields)?;
                child.kind.as_ref()?;
                child.captures = s.captures()?;
                if s.peek()? != ')' {
                    return None;
                }
                part.each = Some(Box::new(child));
            }
            _ => {
                // `field: child`.
                if part.each.is_some() {
                    return None;
                }
                let r = s.rest();
                let len = r
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(r.len());
                let field = &r[..len];
                if len == 0 || !r[len..].starts_with(':') {
                    return None;
                }
                // An unknown field, or one allowed several times, may match several children.
                if own?.get(field).copied() != Some(false) {
                    return None;
                }
                s.pos += len + 1;
                let mut alts = match s.peek()? {
                    '(' => vec![single_node(s, fields)?],
                    '"' => {
                        let rest = &s.rest()[1..];
                        let end = string_end(rest)?;
                        let lit = unescape(&rest[..end]);
                        s.pos += end + 2;
                        vec![Part {
                            kind: Some((lit, false)),
                            ..Part::default()
                        }]
                    }
                    '[' => {
                        s.pos += 1;
                        let mut alts: Vec<Part> = Vec::new();
                        loop {
                            match s.peek()? {
                                ']' => {
                                    s.pos += 1;
                                    break;
                                }
                                '(' => {
                                    // Distinct kinds: the one child matches one alternative.
                                    let mut alt = single_node(s, fields)?;
                                    alt.kind.as_ref()?;
                                    if alts.iter().any(|a| a.kind == alt.kind) {
                                        return None;
                                    }
                                    alt.captures = s.captures()?;
                                    alts.push(alt);
                                }
                                _ => return None,
                            }
                        }
                        alts
                    }
                    _ => return None,
                };
                // Captures after the child (or the alternation) go to whichever node matched.
                let after = s.captures()?;
                for alt in &mut alts {
                    alt.captures.extend(after.iter().cloned());
                }
                part.fields.push((field.to_string(), alts));
            }
        }
    }
}

/// `(kind) @a @b …` and nothing else: the kind and the capture names. Fields, children,
/// negations, quantifiers, anchors and predicates all make it `None`.
pub(crate) fn bare_pattern(pattern: &str) -> Option<(String, Vec<String>)> {
    let mut s = Scanner::new(pattern);
    if !s.eat('(') {
        return None;
    }
    s.skip_space();
    let r = s.rest();
    let len = r
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(r.len());
    let kind = &r[..len];
    if kind.is_empty() || kind == "_" {
        return None;
    }
    s.pos += len;
    if !s.eat(')') {
        return None;
    }
    let mut captures = Vec::new();
    while s.peek() == Some('@') {
        let r = &s.rest()[1..];
        let len = r
            .find(|c: char| c.is_whitespace() || "()[]".contains(c))
            .unwrap_or(r.len());
        if len == 0 {
            return None;
        }
        captures.push(r[..len].to_string());
        s.pos += 1 + len;
    }
    (s.peek().is_none()).then(|| (kind.to_string(), captures))
}

/// Every pattern's root kinds, or `None` when any pattern's start is unreadable.
fn root_names(query: &Query, source: &str) -> Option<Vec<(String, bool)>> {
    let mut names = Vec::new();
    for i in 0..query.pattern_count() {
        if !query.is_pattern_rooted(i) || query.is_pattern_non_local(i) {
            return None;
        }
        let text = source.get(query.start_byte_for_pattern(i)..query.end_byte_for_pattern(i))?;
        names.extend(root_kinds(text)?);
    }
    Some(names)
}

/// A table indexed by kind id, true for the ids of the given (name, named) kinds; `None` when
/// a name is not a kind of `language` (an alias name resolves to all its ids).
pub(crate) fn kind_table(
    language: &Language,
    names: impl IntoIterator<Item = (String, bool)>,
) -> Option<Vec<bool>> {
    let count = language.node_kind_count();
    let mut table = vec![false; count];
    for (name, named) in names {
        let mut found = false;
        for id in 0..count as u16 {
            if language.node_kind_is_named(id) == named
                && language.node_kind_for_id(id) == Some(name.as_str())
            {
                table[id as usize] = true;
                found = true;
            }
        }
        if !found {
            return None;
        }
    }
    Some(table)
}

/// The named kinds under which, by `node_types` (a grammar's `node-types.json`), a node of a
/// `roots` kind can appear at any depth. `None` when that cannot be told: the JSON does not
/// read, a root is an anonymous token (node-types lists named children only), or an *extra*
/// (a comment, which may sit under any node) can itself be or hold a root.
fn holders(node_types: &str, roots: &[(String, bool)]) -> Option<Vec<String>> {
    if roots.iter().any(|(_, named)| !named) {
        return None;
    }
    let entries: Vec<NodeType> = serde_json::from_str(node_types).ok()?;
    // Possible direct children of each named kind; a supertype's are its subtypes.
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut extras = Vec::new();
    let mut supertypes = HashSet::new();
    for e in entries.iter().filter(|e| e.named) {
        if e.subtypes.is_some() {
            supertypes.insert(e.kind.as_str());
        }
        if e.extra {
            extras.push(e.kind.as_str());
        }
        let kids = e
            .fields
            .values()
            .chain(&e.children)
            .flat_map(|l| &l.types)
            .chain(e.subtypes.iter().flatten())
            .filter(|t| t.named)
            .map(|t| t.kind.as_str())
            .collect();
        children.insert(e.kind.as_str(), kids);
    }
    let is_root = |n: &str| roots.iter().any(|(r, _)| r == n);
    // Fixpoint: a kind holds a root if a possible child is a root or holds one. A supertype
    // is transparent: it "holds" what its subtypes are or hold.
    let mut holds: HashSet<&str> = HashSet::new();
    loop {
        let before = holds.len();
        for (&name, kids) in &children {
            if !holds.contains(name) && kids.iter().any(|k| is_root(k) || holds.contains(k)) {
                holds.insert(name);
            }
        }
        if holds.len() == before {
            break;
        }
    }
    if extras.iter().any(|x| is_root(x) || holds.contains(x)) {
        return None;
    }
    // Supertypes are hidden: no node in a tree has one as its kind.
    holds.retain(|n| !supertypes.contains(n));
    Some(holds.into_iter().map(str::to_string).collect())
}

/// One entry of a grammar's `node-types.json` (the fields this module reads).
#[derive(Deserialize)]
struct NodeType {
    #[serde(rename = "type")]
    kind: String,
    named: bool,
    #[serde(default)]
    extra: bool,
    #[serde(default)]
    fields: HashMap<String, ChildTypes>,
    children: Option<ChildTypes>,
    subtypes: Option<Vec<TypeRef>>,
}

/// The kinds a field or the unnamed children of a node can have.
#[derive(Deserialize)]
struct ChildTypes {
    types: Vec<TypeRef>,
    /// Whether the node can have several of them.
    #[serde(default)]
    multiple: bool,
}

/// A node kind as `node-types.json` names it.
#[derive(Deserialize)]
struct TypeRef {
    #[serde(rename = "type")]
    kind: String,
    named: bool,
}

/// The node kinds (name, named) that the top node of one pattern can have, read from its
/// source text; `None` when the start is not a plain node or alternation of plain nodes.
///
/// `(kind …)`, `[(a …) (b …) "lit"]`, and either wrapped in a group with predicates
/// (`((kind …) @c (#eq? @c "x"))`) are understood.
pub fn root_kinds(pattern: &str) -> Option<Vec<(String, bool)>> {
    let mut s = Scanner::new(pattern);
    // Unwrap groups: `(` directly followed by another pattern.
    loop {
        let save = s.pos;
        if s.eat('(') && matches!(s.peek(), Some('(') | Some('[')) {
            continue;
        }
        s.pos = save;
        break;
    }
    let mut kinds = Vec::new();
    if s.eat('[') {
        loop {
            match s.peek()? {
                ']' => break,
                '(' | '"' => kinds.push(s.node_start()?),
                _ => return None,
            }
            s.skip_item()?;
            s.skip_suffixes()?;
        }
    } else {
        kinds.push(s.node_start()?);
        s.skip_item()?;
    }
    // After the top node, a group may hold only captures and predicates.
    s.skip_suffixes()?;
    while s.peek() == Some('(') {
        let save = s.pos;
        s.pos += 1;
        if !s.rest().starts_with('#') {
            return None;
        }
        s.pos = save;
        s.skip_item()?;
    }
    (!kinds.is_empty()).then_some(kinds)
}

/// A tiny reader for query source: whitespace and `;` comments are skipped before each token.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_space(&mut self) {
        loop {
            let r = self.rest();
            let t = r.trim_start();
            self.pos += r.len() - t.len();
            if t.starts_with(';') {
                self.pos += t.find('\n').unwrap_or(t.len());
            } else {
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.rest().chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// At `(kind` or `"lit"`: the kind, without consuming anything. `_`, `(_)` and supertype
    /// paths (`expression/identifier`) are refused.
    fn node_start(&mut self) -> Option<(String, bool)> {
        let r = self.rest();
        if let Some(lit) = r.strip_prefix('"') {
            let end = string_end(lit)?;
            return Some((unescape(&lit[..end]), false));
        }
        let inner = r.strip_prefix('(')?.trim_start();
        let len = inner
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(inner.len());
        let name = &inner[..len];
        let next = inner[len..].chars().next();
        if name.is_empty() || name == "_" || next == Some('/') {
            return None;
        }
        Some((name.to_string(), true))
    }

    /// Skips one balanced `( … )`, `[ … ]` or string.
    fn skip_item(&mut self) -> Option<()> {
        self.skip_space();
        let mut depth = 0usize;
        while let Some(c) = self.rest().chars().next() {
            match c {
                '"' => {
                    let end = string_end(&self.rest()[1..])?;
                    self.pos += end + 2;
                }
                ';' => self.skip_space(),
                '(' | '[' => {
                    depth += 1;
                    self.pos += 1;
                }
                ')' | ']' => {
                    depth = depth.checked_sub(1)?;
                    self.pos += 1;
                }
                _ => self.pos += c.len_utf8(),
            }
            if depth == 0 {
                return Some(());
            }
        }
        None
    }

    /// Reads the captures (`@name`) after an item; `None` at a quantifier or anchor.
    fn captures(&mut self) -> Option<Vec<String>> {
        let mut names = Vec::new();
        loop {
            match self.peek() {
                Some('@') => {
                    let r = &self.rest()[1..];
                    let len = r
                        .find(|c: char| c.is_whitespace() || "()[]".contains(c))
                        .unwrap_or(r.len());
                    names.push(r[..len].to_string());
                    self.pos += 1 + len;
                }
                Some('*' | '+' | '?' | '.') => return None,
                _ => return Some(names),
            }
        }
    }

    /// Skips captures (`@name`) after an item; a quantifier or anchor makes the start unreadable.
    fn skip_suffixes(&mut self) -> Option<()> {
        self.captures().map(drop)
    }
}

/// Byte offset of the closing quote of a query string whose opening quote was just before `s`.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Calls `f(pattern_index, captures)` for every match of `tags` in the tree under `root`, like
/// `cursor.matches(query, root, src)` would (only matches starting in `range`, when given), but
/// visiting each node once with a plain tree cursor when the query allows it.
///
/// Matches come in document order of their top nodes; for one node, in pattern order. Callers
/// must not depend on the whole-tree run's (finish-time) order, nor on the order of one match's
/// captures.
pub fn for_each_match<'t>(
    tags: &Tags,
    cursor: &mut QueryCursor,
    root: Node<'t>,
    src: &[u8],
    range: Option<Range<usize>>,
    mut f: impl FnMut(usize, &[QueryCapture<'t>]),
) {
    // Bare matches are made here only when no byte range limits the run.
    let bare: &[Vec<(usize, Vec<u32>)>] = if range.is_none() { &tags.bare } else { &[] };
    // So are single-match patterns' (by their shapes), except under a parse error.
    let direct: &[Vec<(usize, Shape)>] = if range.is_none() { &tags.direct } else { &[] };
    let whole = range.is_none();
    let range = range.unwrap_or(0..usize::MAX);
    cursor.set_byte_range(range.clone());
    let Some(starts) = &tags.starts else {
        cursor.set_max_start_depth(None);
        let mut it = cursor.matches(&tags.query, root, src);
        while let Some(m) = it.next() {
            f(m.pattern_index, m.captures());
        }
        return;
    };
    cursor.set_max_start_depth(Some(0));
    let mut captures: Vec<QueryCapture<'t>> = Vec::new();
    let mut walk = root.walk();
    loop {
        let node = walk.node();
        let kind = node.kind_id() as usize;
        // Loose test here; the cursor's byte range makes the exact one for the match start.
        let near = whole || (node.end_byte() >= range.start && node.start_byte() <= range.end);
        match bare.get(kind) {
            Some(patterns) if !patterns.is_empty() => {
                for (pattern, ids) in patterns {
                    captures.clear();
                    captures.extend(ids.iter().map(|&index| QueryCapture { node, index }));
                    f(*pattern, &captures);
                }
            }
            _ if near && starts.get(kind) == Some(&true) => {
                match direct
                    .get(kind)
                    .filter(|s| !s.is_empty() && !node.has_error())
                {
                    Some(shapes) => {
                        for (pattern, shape) in shapes {
                            shape.for_each_match(node, &mut captures, |c| f(*pattern, c));
                        }
                    }
                    None => {
                        // Live updates' byte-range runs go on to the end, as before.
                        let stop = if whole {
                            tags.single.get(kind).copied().unwrap_or(0)
                        } else {
                            0
                        };
                        let mut seen = 0;
                        let mut it = cursor.matches(&tags.query, node, src);
                        while let Some(m) = it.next() {
                            f(m.pattern_index, m.captures());
                            seen += 1;
                            if seen == stop {
                                break;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        // Trust the grammar, except under a parse error (error recovery may nest anything; no
        // case was found by cutting bytes out of ~3,200 files, so this is a precaution).
        let may_hold = match &tags.holds {
            Some(holds) => holds.get(kind) != Some(&false) || node.has_error(),
            None => true,
        };
        if near && may_hold && walk.goto_first_child() {
            continue;
        }
        loop {
            if walk.goto_next_sibling() {
                break;
            }
            if !walk.goto_parent() {
                cursor.set_max_start_depth(None);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(p: &str) -> Option<Vec<String>> {
        root_kinds(p).map(|v| {
            v.into_iter()
                .map(|(n, named)| if named { n } else { format!("\"{n}\"") })
                .collect()
        })
    }

    #[test]
    fn reads_plain_alternation_and_grouped_roots() {
        assert_eq!(
            kinds("(function_item name: (identifier) @name) @definition.function"),
            Some(vec!["function_item".into()])
        );
        assert_eq!(
            kinds("((call_expression function: (identifier) @name) @reference.call\n  (#not-any-of? @name \"require\" \"import\"))"),
            Some(vec!["call_expression".into()])
        );
        assert_eq!(
            kinds("[(identifier) @a \"const\" ; note ]\n (member_expression)] @x"),
            Some(vec![
                "identifier".into(),
                "\"const\"".into(),
                "member_expression".into()
            ])
        );
        assert_eq!(
            kinds("((module (expression_statement (assignment left: (identifier) @name) @d))\n (#match? @name \"^[A-Z_]+$\"))"),
            Some(vec!["module".into()])
        );
    }

    #[test]
    fn bare_patterns_are_one_childless_node() {
        let bare = |p: &str| bare_pattern(p).map(|(k, c)| (k, c.join(" ")));
        assert_eq!(
            bare("(type_identifier) @name @reference.type"),
            Some(("type_identifier".into(), "name reference.type".into()))
        );
        assert_eq!(
            bare(" ( import_statement ) @import ; note"),
            Some(("import_statement".into(), "import".into()))
        );
        assert_eq!(bare("(identifier name: (x)) @a"), None);
        assert_eq!(bare("(identifier !body) @a"), None);
        assert_eq!(bare("((identifier) @a (#eq? @a \"x\"))"), None);
        assert_eq!(bare("(identifier)+ @a"), None);
        assert_eq!(bare("[(a) (b)] @x"), None);
        assert_eq!(bare("(_) @x"), None);
        assert_eq!(bare("\"const\" @x"), None);
    }

    #[test]
    fn single_match_patterns_use_fields_allowed_once() {
        let mut fields: HashMap<&str, HashMap<&str, bool>> = HashMap::new();
        for (kind, fs) in [
            (
                "call_expression",
                &[("function", false), ("arguments", false)][..],
            ),
            ("field_expression", &[("field", false), ("value", false)]),
            ("identifier", &[]),
            ("field_identifier", &[]),
            ("block", &[("statement", true)]),
        ] {
            fields.insert(kind, fs.iter().copied().collect());
        }
        let single = |p: &str| {
            shape_pattern(p, &fields)
                .filter(|p| p.repeats() == 0)
                .and_then(|p| p.kind.map(|(k, _)| k))
        };
        assert_eq!(
            single("(call_expression function: [(identifier) @name (field_expression field: (field_identifier) @name)]) @reference.call"),
            Some("call_expression".into())
        );
        assert_eq!(
            single("(call_expression function: (_) @f !arguments) @c"),
            Some("call_expression".into())
        );
        // A field allowed several times, a child without a field, a repeated alternative kind,
        // a quantifier, an anchor, a predicate group, an unknown kind: each may match twice.
        assert_eq!(single("(block statement: (identifier) @x)"), None);
        assert_eq!(single("(call_expression (identifier) @x)"), None);
        assert_eq!(
            single("(call_expression function: [(identifier) @a (identifier) @b])"),
            None
        );
        assert_eq!(single("(call_expression function: (identifier)* @x)"), None);
        assert_eq!(single("(call_expression . (identifier) @x)"), None);
        assert_eq!(
            single("((call_expression function: (identifier) @x) (#eq? @x \"f\"))"),
            None
        );
        assert_eq!(single("(mystery name: (identifier) @x)"), None);
        assert_eq!(single("(_ function: (identifier) @x)"), None);
    }

    #[test]
    fn single_patterns_read_into_parts() {
        let mut fields: HashMap<&str, HashMap<&str, bool>> = HashMap::new();
        fields.insert(
            "call_expression",
            [("function", false)].into_iter().collect(),
        );
        fields.insert("field_expression", [("field", false)].into_iter().collect());
        fields.insert(
            "mod_item",
            [("name", false), ("body", false)].into_iter().collect(),
        );
        fields.insert("identifier", HashMap::new());
        fields.insert("field_identifier", HashMap::new());
        let part = |kind: &str, named: bool, captures: &[&str]| Part {
            kind: Some((kind.to_string(), named)),
            captures: captures.iter().map(|c| c.to_string()).collect(),
            ..Part::default()
        };
        // Captures after an alternation go to each alternative, after its own.
        let call = shape_pattern(
            "(call_expression function: [(identifier) @a (field_expression field: (field_identifier) @b) @c] @d) @top",
            &fields,
        );
        let mut field_expr = part("field_expression", true, &["c", "d"]);
        field_expr.fields = vec![("field".into(), vec![part("field_identifier", true, &["b"])])];
        let mut want = part("call_expression", true, &["top"]);
        want.fields = vec![(
            "function".into(),
            vec![part("identifier", true, &["a", "d"]), field_expr],
        )];
        assert_eq!(call, Some(want));
        // Negated fields, strings and wildcards.
        let module = shape_pattern("(mod_item name: (_) @n \"x\" !body)", &fields);
        assert_eq!(module, None, "a child without a field");
        let module = shape_pattern("(mod_item name: \"x\" @n !body) @m", &fields);
        let mut want = part("mod_item", true, &["m"]);
        want.absent = vec!["body".into()];
        want.fields = vec![("name".into(), vec![part("x", false, &["n"])])];
        assert_eq!(module, Some(want));
        // One child without a field, alone under its parent: a repeated child.
        fields.insert("declaration_list", HashMap::new());
        fields.insert("impl_item", [("body", false)].into_iter().collect());
        let method = shape_pattern(
            "(impl_item body: (declaration_list (mod_item name: (identifier) @name) @m))",
            &fields,
        );
        let mut list = part("declaration_list", true, &[]);
        let mut item = part("mod_item", true, &["m"]);
        item.fields = vec![("name".into(), vec![part("identifier", true, &["name"])])];
        list.each = Some(Box::new(item));
        let mut want = part("impl_item", true, &[]);
        want.fields = vec![("body".into(), vec![list])];
        assert_eq!(method.as_ref().map(Part::repeats), Some(1));
        assert_eq!(method, Some(want));
        for refused in [
            "(declaration_list (identifier) (identifier))",
            "(impl_item body: (identifier) (identifier))",
            "(declaration_list (identifier) @a body: (identifier))",
            "(declaration_list (impl_item body: (declaration_list (identifier))))",
            "(declaration_list \"x\")",
            "(declaration_list (_))",
        ] {
            assert_eq!(shape_pattern(refused, &fields), None, "{refused}");
        }
        let any = shape_pattern("(mod_item name: (_) @n)", &fields).map(|p| p.fields);
        assert_eq!(
            any,
            Some(vec![(
                "name".into(),
                vec![Part {
                    captures: vec!["n".into()],
                    ..Part::default()
                }]
            )])
        );
    }

    #[test]
    fn refuses_starts_it_cannot_read() {
        assert_eq!(kinds("(_) @x"), None);
        assert_eq!(kinds("_ @x"), None);
        assert_eq!(kinds("(expression/identifier) @x"), None);
        assert_eq!(kinds("(comment)+ @doc"), None);
        assert_eq!(kinds("((comment) @doc . (function_item) @f)"), None);
        assert_eq!(kinds("(unclosed"), None);
    }

    #[test]
    fn every_bundled_query_starts_at_readable_roots() {
        for lang in super::super::all_languages() {
            let tags = lang.tags().expect(lang.name);
            assert!(
                tags.matches_by_root(),
                "{}: a pattern's start could not be read; matching falls back to whole trees",
                lang.name
            );
            assert!(
                tags.skips_subtrees(),
                "{}: node-types.json did not tell which subtrees hold no pattern start",
                lang.name
            );
            for (kind, (&n, shapes)) in tags.single.iter().zip(&tags.direct).enumerate() {
                assert!(
                    n == 0 || n as usize == shapes.len(),
                    "{}: kind {kind}: a single-match pattern has no shape",
                    lang.name
                );
            }
            if lang.name == "rust" {
                let impl_item = lang.grammar().id_for_node_kind("impl_item", true) as usize;
                assert_eq!(
                    tags.direct[impl_item].len(),
                    2,
                    "rust: `impl` methods and scope are shapes"
                );
                assert!(tags.has_bare_kinds(), "rust: `(type_identifier)` is bare");
                assert!(
                    tags.single.iter().any(|&n| n > 0),
                    "rust: `(function_item name: …)` matches once per function"
                );
            }
        }
    }
}
