//! Matching a single-match tags pattern without a query cursor.
//!
//! A pattern that can match at most once per node ([`super::tags::shape_pattern`]: every node
//! below the top is the one child of a field the grammar allows once, alternatives are of
//! distinct kinds, nothing is quantified or anchored) is a path of fields. Following them with
//! `child_by_field_id` and checking each node's kind gives the cursor's one match directly. A
//! `QueryCursor` run to find it costs about 3,600 instructions even for
//! `(call_expression function: (identifier) @name)`: a reset, then at each node a status
//! computation (field, later siblings, supertypes) and its states advanced. On the 40k-symbol
//! corpus that was 2.7 G instructions of a 38.6 G cold index.
//!
//! The grammar's "allowed once" does not hold under a parse error (error recovery may repeat a
//! field), so the walk leaves nodes with an error inside to the cursor.

use tree_sitter::{Language, Node, Query, QueryCapture};

/// A pattern node by name, as read from query text (see [`super::tags::shape_pattern`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Part {
    /// Kind name and whether it is named (`(kind)`), or anonymous (`"lit"`); `None` for `(_)`.
    pub kind: Option<(String, bool)>,
    /// Capture names on this node.
    pub captures: Vec<String>,
    /// Fields that must be absent (`!body`).
    pub absent: Vec<String>,
    /// `field: child`, with the child's alternatives (one unless `[…]`).
    pub fields: Vec<(String, Vec<Part>)>,
    /// A child pattern without a field, the node's only child pattern: any of the node's
    /// children may match it, and each that does is a match of its own.
    pub each: Option<Box<Part>>,
}

impl Part {
    /// How many children without a field the pattern has (a [`Shape`] takes at most one).
    pub(crate) fn repeats(&self) -> usize {
        let below: usize = self
            .fields
            .iter()
            .flat_map(|(_, alts)| alts)
            .map(Part::repeats)
            .sum();
        below + self.each.as_ref().map_or(0, |e| 1 + e.repeats())
    }
}

/// A [`Part`] with the language's kind and field ids and the query's capture ids.
#[derive(Debug)]
pub(crate) struct Shape {
    /// Kind ids the node may have (every id of the name: aliases share it); `None`: any named
    /// node but an error.
    kinds: Option<Vec<u16>>,
    captures: Vec<u32>,
    absent: Vec<u16>,
    fields: Vec<(u16, Vec<Shape>)>,
    each: Option<Box<Shape>>,
}

impl Shape {
    /// Resolves `part`'s names; `None` when a kind, field or capture is unknown (the caller
    /// then keeps the query cursor for that kind).
    pub(crate) fn compile(part: &Part, language: &Language, query: &Query) -> Option<Shape> {
        let kinds = match &part.kind {
            None => None,
            Some((name, named)) => {
                let ids: Vec<u16> = (0..language.node_kind_count() as u16)
                    .filter(|&id| {
                        language.node_kind_is_named(id) == *named
                            && language.node_kind_for_id(id) == Some(name.as_str())
                    })
                    .collect();
                if ids.is_empty() {
                    return None;
                }
                Some(ids)
            }
        };
        let field = |f: &String| language.field_id_for_name(f).map(|id| id.get());
        Some(Shape {
            kinds,
            captures: part
                .captures
                .iter()
                .map(|c| query.capture_index_for_name(c))
                .collect::<Option<_>>()?,
            absent: part.absent.iter().map(field).collect::<Option<_>>()?,
            fields: part
                .fields
                .iter()
                .map(|(f, alts)| {
                    let alts = alts
                        .iter()
                        .map(|a| Shape::compile(a, language, query))
                        .collect::<Option<_>>()?;
                    Some((field(f)?, alts))
                })
                .collect::<Option<_>>()?,
            each: match &part.each {
                Some(e) => Some(Box::new(Shape::compile(e, language, query)?)),
                None => None,
            },
        })
    }

    /// Calls `emit` with the captures of each match at `node`: at most one, or, with a child
    /// without a field, one per child of that node that matches it. `captures` is scratch.
    pub(crate) fn for_each_match<'t>(
        &self,
        node: Node<'t>,
        captures: &mut Vec<QueryCapture<'t>>,
        mut emit: impl FnMut(&[QueryCapture<'t>]),
    ) {
        captures.clear();
        let mut fan = None;
        if !self.try_match(node, captures, &mut fan) {
            return;
        }
        let Some((parent, each)) = fan else {
            emit(captures);
            return;
        };
        let mut walk = parent.walk();
        if !walk.goto_first_child() {
            return;
        }
        // The rest of the match holds for every child; each child's own captures are dropped
        // after its match.
        let mark = captures.len();
        loop {
            if each.matches(walk.node(), captures, &mut None) {
                emit(captures);
                captures.truncate(mark);
            }
            if !walk.goto_next_sibling() {
                return;
            }
        }
    }

    /// Whether the pattern matches at `node`; if so its captures are appended to `out` (left
    /// as it was otherwise) and, when it has a child without a field, `fan` is set to the node
    /// whose children may match that child's shape (not matched here).
    fn matches<'s, 't>(
        &'s self,
        node: Node<'t>,
        out: &mut Vec<QueryCapture<'t>>,
        fan: &mut Option<(Node<'t>, &'s Shape)>,
    ) -> bool {
        let mark = out.len();
        let ok = self.try_match(node, out, fan);
        if !ok {
            out.truncate(mark);
        }
        ok
    }

    /// [`Shape::matches`] without putting `out` back on failure (the caller does, or drops
    /// `out` altogether).
    fn try_match<'s, 't>(
        &'s self,
        node: Node<'t>,
        out: &mut Vec<QueryCapture<'t>>,
        fan: &mut Option<(Node<'t>, &'s Shape)>,
    ) -> bool {
        let kind_ok = match &self.kinds {
            Some(ids) => ids.contains(&node.kind_id()),
            None => node.is_named() && !node.is_error(),
        };
        if !kind_ok
            || self
                .absent
                .iter()
                .any(|&f| node.child_by_field_id(f).is_some())
        {
            return false;
        }
        out.extend(
            self.captures
                .iter()
                .map(|&index| QueryCapture { node, index }),
        );
        // Child patterns match children in their order, as the cursor's steps do.
        let mut prev: Option<Node<'t>> = None;
        let fields_ok = self.fields.iter().all(|(f, alts)| {
            let Some(child) = node.child_by_field_id(*f) else {
                return false;
            };
            let in_order =
                prev.is_none_or(|p| p.id() != child.id() && p.end_byte() <= child.start_byte());
            prev = Some(child);
            in_order && alts.iter().any(|a| a.matches(child, out, fan))
        });
        if fields_ok {
            if let Some(each) = &self.each {
                *fan = Some((node, each.as_ref()));
            }
        }
        fields_ok
    }
}
