//! Units: what a "definition" is in a language, read from `queries/<lang>/units.scm`.
//!
//! A unit is a node a whole-unit edit can replace (a function, a class, a Rust `impl`); a
//! container unit has a body whose children are searched for nested units (methods). The query
//! marks nodes, and [`Marks`] answers per node; which nodes are *reached* (children of the tree's
//! root, of a container's body, or of a node searched through) is decided by the caller's walk
//! in `edit::unit`, so patterns need no anchoring. The captures (also in `queries/README.md`):
//!
//! - `@unit`: a definition node. `@name` inside it names it; a unit without `@name` is named by
//!   its head (its text up to `@unit.body`, whitespace collapsed), which is already qualified.
//! - `@unit.body`: the node whose children hold nested units; makes the unit a container.
//! - `@qualifier`: text that qualifies the name instead of the enclosing units (Go receiver
//!   type, C++ `A::f`, Lua `M.f`).
//! - `@scope`: what a container's nested units are qualified by instead of its own name: the
//!   base type name of the captured type (Rust `impl<T> Trait for a::Foo<T>` → `Foo`).
//! - `@wrapper` + `@wrapped`: a node around a definition (decorators, `export`); when its
//!   `@wrapped` node is a unit, the unit's range grows to the wrapper.
//! - `@transparent`: searched through as if its children were its parent's (preprocessor
//!   conditionals, `extern "C" {}`). Parse-error nodes always are.
//!
//! Which comments and attributes above a unit belong to it is `attach.scm`'s business (see
//! [`super::attach`]), shared with the graph.
//!
//! When several patterns mark one node, the earliest pattern in the file wins (as for tags).

use std::collections::HashMap;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Language, Node, Query, QueryCursor};

use super::language::compile_query;

/// A language's compiled units query.
pub struct Units {
    query: Query,
    /// Capture indices in `query`.
    caps: Caps,
}

/// Capture indices of the unit captures (`None`: the file does not use it).
struct Caps {
    unit: Option<u32>,
    body: Option<u32>,
    name: Option<u32>,
    qualifier: Option<u32>,
    scope: Option<u32>,
    wrapper: Option<u32>,
    wrapped: Option<u32>,
    transparent: Option<u32>,
}

impl Units {
    /// Compiles `source` (the `units.scm` of language `lang`); errors name the file position as
    /// `queries/<lang>/units.scm:row:column`.
    pub fn new(language: &Language, source: &str, lang: &str) -> Result<Self, String> {
        let query = compile_query(language, source, &format!("queries/{lang}/units.scm"))?;
        let cap = |n: &str| query.capture_index_for_name(n);
        let caps = Caps {
            unit: cap("unit"),
            body: cap("unit.body"),
            name: cap("name"),
            qualifier: cap("qualifier"),
            scope: cap("scope"),
            wrapper: cap("wrapper"),
            wrapped: cap("wrapped"),
            transparent: cap("transparent"),
        };
        Ok(Self { query, caps })
    }

    /// Runs the unit patterns over the tree under `root` and records what they say about each
    /// node.
    pub fn marks<'t>(&self, cursor: &mut QueryCursor, root: Node<'t>, src: &[u8]) -> Marks<'t> {
        let c = &self.caps;
        let mut map: HashMap<usize, (usize, usize, Mark<'t>)> = HashMap::new();
        cursor.set_byte_range(0..usize::MAX);
        cursor.set_max_start_depth(None);
        let mut matches = cursor.matches(&self.query, root, src);
        while let Some(m) = matches.next() {
            let get = |i: Option<u32>| {
                m.captures()
                    .iter()
                    .find(|cap| Some(cap.index) == i)
                    .map(|cap| cap.node)
            };
            let (node, order, mark) = if let Some(node) = get(c.unit) {
                let found = Found {
                    name: get(c.name),
                    qualifier: get(c.qualifier),
                    scope: get(c.scope),
                    body: get(c.body),
                };
                let order = found.name.map_or(0, |n| n.start_byte());
                (node, order, Mark::Unit(found))
            } else if let (Some(node), Some(inner)) = (get(c.wrapper), get(c.wrapped)) {
                (node, inner.start_byte(), Mark::Wrapper(inner))
            } else if let Some(node) = get(c.transparent) {
                (node, 0, Mark::Transparent)
            } else {
                continue;
            };
            // The earliest pattern wins; within one pattern (a Go `type (…)` group), the first
            // name in the text.
            let key = (m.pattern_index, order);
            match map.get(&node.id()) {
                Some((p, o, _)) if (*p, *o) <= key => {}
                _ => {
                    map.insert(node.id(), (key.0, key.1, mark));
                }
            }
        }
        Marks {
            map: map.into_iter().map(|(id, (_, _, m))| (id, m)).collect(),
        }
    }
}

/// What the units query says about the nodes of one tree.
pub struct Marks<'t> {
    map: HashMap<usize, Mark<'t>>,
}

/// One node's mark.
enum Mark<'t> {
    Unit(Found<'t>),
    Wrapper(Node<'t>),
    Transparent,
}

/// The captures of a `@unit` match.
#[derive(Debug, Clone, Copy)]
pub struct Found<'t> {
    /// `@name`; `None` for a unit named by its head.
    pub name: Option<Node<'t>>,
    /// `@qualifier`: qualifies the name in place of the enclosing units.
    pub qualifier: Option<Node<'t>>,
    /// `@scope`: the type whose base name qualifies nested units.
    pub scope: Option<Node<'t>>,
    /// `@unit.body`: where nested units are; `None` for a leaf unit.
    pub body: Option<Node<'t>>,
}

impl<'t> Marks<'t> {
    /// The unit `node` is, looking through wrappers: the definition node itself (without its
    /// wrappers) and its captures.
    pub fn unit(&self, node: Node<'t>) -> Option<(Node<'t>, &Found<'t>)> {
        let mut cur = node;
        loop {
            match self.map.get(&cur.id())? {
                Mark::Unit(f) => return Some((cur, f)),
                // The wrapped node lies inside the wrapper, so this ends.
                Mark::Wrapper(inner) if inner.id() != cur.id() => cur = *inner,
                _ => return None,
            }
        }
    }

    /// Whether units inside `node` are searched for as if they were its parent's: a
    /// `@transparent` node or a parse error (error recovery may wrap any definitions).
    pub fn transparent(&self, node: Node<'t>) -> bool {
        node.is_error() || matches!(self.map.get(&node.id()), Some(Mark::Transparent))
    }
}
