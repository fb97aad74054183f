//! The one rule for what sits attached above a definition: its doc comments and its attributes
//! (`#[derive]`, `@decorator`, `@Annotation`).
//!
//! Which nodes can attach is language knowledge and comes from `queries/<lang>/attach.scm` (see
//! `queries/README.md`): `@attach.doc` (comments: attached, and their text is the doc), `@attach`
//! (attributes, decorators, annotations) and `@attach.outer` (statements a definition sits in,
//! such as `export` or `const f = …`, above which its comments are found). What "attached" means
//! is the same for every language and lives here, used by both `edit::unit` (how far up a
//! replacement reaches) and `graph::extract` (a symbol's doc text). Walking back from the
//! definition over its earlier named siblings, a sibling is attached when
//!
//! - a pattern captures it (its [`Role`] attaches),
//! - no blank line separates it from the attached node below it, and
//! - it starts its own line, or it trails an attached node on that line
//!   (`#[allow(x)] // why`): a line goes with its first node.
//!
//! The walk stops at the first sibling that is not attached.
//!
//! Callers gather a parent's children once ([`Children`]): tree-sitter's `prev_sibling` scans the
//! parent's children from the first one, which made the walk quadratic in a file of thousands
//! of items. Roles are worked out on first need, from the node kind alone when every pattern
//! starting at that kind is a bare kind (`(comment) @attach.doc`), else by running the patterns
//! at that one node; the graph's cold index runs this for every definition.
//!
//! Units: byte offsets and 0-based rows, as tree-sitter gives them.

use streaming_iterator::StreamingIterator;
use tree_sitter::{CaptureQuantifier, Language, Node, Query, QueryCursor};

use super::language::compile_query;
use super::tags::{kind_table, root_kinds};

/// What one child of a parent can be to a definition below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Its kind never attaches (code, punctuation): the walk stops here.
    Code,
    /// Its kind can attach but no pattern captured this node (a pattern's field or predicate
    /// refused it, e.g. a Rust `//!` comment, which documents the enclosing module): the walk
    /// stops here.
    Refused,
    /// An attribute, decorator or annotation (`@attach`): attached, but not doc text.
    Attribute,
    /// A comment (`@attach.doc`): attached, and its text is the definition's doc.
    Doc,
}

impl Role {
    /// Whether a node in this role belongs to the definition below it (position permitting).
    pub fn attaches(self) -> bool {
        matches!(self, Role::Attribute | Role::Doc)
    }
}

/// How a node kind's role is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KindRule {
    /// No attach pattern starts at this kind.
    Never,
    /// Only bare patterns start here (`(comment) @attach.doc`): every node of it has this role.
    Always(Role),
    /// Some pattern has fields, children or predicates: run the patterns at the node.
    Query,
}

/// A language's attachment patterns, compiled from its `attach.scm`.
pub struct Attach {
    /// The `@attach` / `@attach.doc` patterns (`@attach.outer` ones are disabled: they are read
    /// as node kinds).
    query: Query,
    /// By kind id: how a node of that kind gets its role.
    rules: Vec<KindRule>,
    /// `outer[kind_id]`: an `@attach.outer` kind (see [`Attach::outer`]).
    outer: Vec<bool>,
    /// Capture index of `@attach.doc`, if the query has it.
    doc: Option<u32>,
    /// Capture index of `@attach`, if the query has it.
    attribute: Option<u32>,
}

impl Attach {
    /// Compiles `source` (the `attach.scm` of language `lang`) and reads which node kinds each
    /// pattern starts at. Errors are `queries/<lang>/attach.scm:…` messages: a pattern that does
    /// not compile, captures none of the three names, starts at something other than node kinds
    /// (`@attach*`), or is more than a list of kinds (`@attach.outer`).
    pub fn new(language: &Language, source: &str, lang: &str) -> Result<Self, String> {
        let file = format!("queries/{lang}/attach.scm");
        let mut query = compile_query(language, source, &file)?;
        let uses = |q: &Query, i: usize, name: &str| {
            q.capture_index_for_name(name)
                .is_some_and(|c| q.capture_quantifiers(i)[c as usize] != CaptureQuantifier::Zero)
        };
        let mut rules = vec![KindRule::Never; language.node_kind_count()];
        let mut outer = Vec::new();
        for i in 0..query.pattern_count() {
            let text = &source[query.start_byte_for_pattern(i)..query.end_byte_for_pattern(i)];
            let row = source[..query.start_byte_for_pattern(i)].lines().count() + 1;
            let role = if uses(&query, i, "attach.outer") {
                let kinds = bare_kinds(text).ok_or_else(|| {
                    format!("{file}:{row}: an @attach.outer pattern lists node kinds only, e.g. [(a) (b)] @attach.outer")
                })?;
                outer.extend(kinds);
                query.disable_pattern(i);
                continue;
            } else if uses(&query, i, "attach.doc") {
                Role::Doc
            } else if uses(&query, i, "attach") {
                Role::Attribute
            } else {
                return Err(format!(
                    "{file}:{row}: a pattern captures none of @attach, @attach.doc, @attach.outer"
                ));
            };
            let kinds = root_kinds(text)
                .ok_or_else(|| format!("{file}:{row}: an @attach pattern starts at node kinds"))?;
            let bare = bare_kinds(text).is_some();
            for k in &kinds {
                let ids = kind_ids(language, k);
                if ids.is_empty() {
                    return Err(format!("{file}:{row}: `{}` is not a node kind", k.0));
                }
                for id in ids {
                    let r = &mut rules[id as usize];
                    *r = match *r {
                        KindRule::Never if bare => KindRule::Always(role),
                        KindRule::Always(x) if bare && x == role => *r,
                        _ => KindRule::Query,
                    };
                }
            }
        }
        let outer = kind_table(language, outer.iter().cloned()).ok_or_else(|| {
            format!("{file}: an @attach.outer kind is not a node kind: {outer:?}")
        })?;
        let doc = query.capture_index_for_name("attach.doc");
        let attribute = query.capture_index_for_name("attach");
        Ok(Self {
            query,
            rules,
            outer,
            doc,
            attribute,
        })
    }

    /// Whether `node` is a statement that wraps a definition without being one (`export`,
    /// `const x = …`, a decorated definition): comments attach above it, not above the definition
    /// inside. Declared by the `@attach.outer` patterns.
    pub fn outer(&self, node: Node<'_>) -> bool {
        self.outer.get(node.kind_id() as usize) == Some(&true)
    }

    /// The role of `kids.nodes[i]`, worked out once.
    pub fn role(
        &self,
        cursor: &mut QueryCursor,
        kids: &mut Children<'_>,
        i: usize,
        src: &[u8],
    ) -> Role {
        if let Some(r) = kids.roles[i] {
            return r;
        }
        let node = kids.nodes[i];
        let rule = match node.is_named() {
            true => self.rules.get(node.kind_id() as usize).copied(),
            false => None,
        };
        let role = match rule.unwrap_or(KindRule::Never) {
            KindRule::Never => Role::Code,
            KindRule::Always(r) => r,
            KindRule::Query => self.run(cursor, node, src),
        };
        kids.roles[i] = Some(role);
        role
    }

    /// Runs the attach patterns at `node` only.
    fn run(&self, cursor: &mut QueryCursor, node: Node<'_>, src: &[u8]) -> Role {
        cursor.set_byte_range(node.byte_range());
        cursor.set_max_start_depth(Some(0));
        let mut role = Role::Refused;
        let mut matches = cursor.matches(&self.query, node, src);
        while let Some(m) = matches.next() {
            for c in m.captures().iter().filter(|c| c.node.id() == node.id()) {
                if Some(c.index) == self.doc {
                    role = Role::Doc;
                } else if Some(c.index) == self.attribute && role == Role::Refused {
                    role = Role::Attribute;
                }
            }
        }
        cursor.set_max_start_depth(None);
        role
    }

    /// The attachment rule (see the module docs): where the block attached above
    /// `kids.nodes[at]` begins, and where the walk stopped.
    pub fn lead(
        &self,
        cursor: &mut QueryCursor,
        kids: &mut Children<'_>,
        at: usize,
        src: &[u8],
    ) -> Lead {
        let mut first = at;
        let mut below = kids.nodes[at];
        for i in (0..at).rev() {
            let p = kids.nodes[i];
            if !p.is_named() {
                continue;
            }
            let stop = Lead {
                first,
                stop: Some(i),
            };
            if !self.role(cursor, kids, i, src).attaches()
                || p.end_position().row + 1 < below.start_position().row
            {
                return stop;
            }
            below = p;
            if starts_line(src, p.start_byte()) {
                first = i;
                continue;
            }
            // A trailing comment goes with its line: attached only if the node it follows on
            // that line is (checked at the next step, which then moves `first` past both).
            let before = i.checked_sub(1);
            let rides = before.is_some_and(|j| {
                let q = kids.nodes[j];
                q.is_named()
                    && q.end_position().row == p.start_position().row
                    && self.role(cursor, kids, j, src).attaches()
            });
            if !rides {
                return stop;
            }
        }
        Lead { first, stop: None }
    }
}

/// A parent's children in order, with their roles once worked out.
pub struct Children<'t> {
    /// The children, named or not.
    pub nodes: Vec<Node<'t>>,
    /// `Some` once [`Attach::role`] decided it.
    roles: Vec<Option<Role>>,
}

impl<'t> Children<'t> {
    /// Gathers `parent`'s children.
    pub fn of(parent: Node<'t>) -> Self {
        let mut c = parent.walk();
        let nodes: Vec<Node<'t>> = parent.children(&mut c).collect();
        let roles = vec![None; nodes.len()];
        Self { nodes, roles }
    }

    /// The index of `node` among the children, `None` if it is not one.
    pub fn index_of(&self, node: Node<'t>) -> Option<usize> {
        let from = self
            .nodes
            .partition_point(|k| k.start_byte() < node.start_byte());
        let at = self.nodes[from..]
            .iter()
            .position(|k| k.id() == node.id())?;
        Some(from + at)
    }

    /// The role of child `i` if [`Attach::role`] has decided it (every named child from a
    /// [`Lead`]'s `first` up to the definition has been).
    pub fn known_role(&self, i: usize) -> Option<Role> {
        self.roles[i]
    }
}

/// Where the block attached above a definition begins, and why it ends there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lead {
    /// Index among the children of the earliest attached node; the definition's own index when
    /// nothing is attached.
    pub first: usize,
    /// Index of the named sibling the walk stopped at, `None` when it ran out of siblings.
    pub stop: Option<usize>,
}

/// Whether only whitespace precedes `byte` on its line.
pub fn starts_line(src: &[u8], byte: usize) -> bool {
    let line = line_start(src, byte);
    std::str::from_utf8(&src[line..byte]).is_ok_and(|s| s.trim().is_empty())
}

/// Byte offset of the start of the line holding `byte`.
pub fn line_start(src: &[u8], byte: usize) -> usize {
    src[..byte]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// The ids of a (name, named) node kind; several when the grammar aliases others to it.
fn kind_ids(language: &Language, (name, named): &(String, bool)) -> Vec<u16> {
    (0..language.node_kind_count() as u16)
        .filter(|&id| {
            language.node_kind_is_named(id) == *named
                && language.node_kind_for_id(id) == Some(name.as_str())
        })
        .collect()
}

/// The node kinds of a pattern that is nothing but kinds and captures (`(a) @c`,
/// `[(a) (b)] @c`); `None` for anything with fields, children, predicates or strings.
fn bare_kinds(pattern: &str) -> Option<Vec<(String, bool)>> {
    let mut code = String::new();
    for line in pattern.lines() {
        code.push_str(line.split(';').next().unwrap_or(""));
        code.push('\n');
    }
    if code.contains(['#', '!', '"', ':']) {
        return None;
    }
    let kinds = root_kinds(&code)?;
    (code.matches('(').count() == kinds.len()).then_some(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::language::language_by_name;

    /// The text from the first attached node to the definition starting with `def`, and the
    /// roles of the attached named nodes.
    fn lead_of(lang: &str, src: &str, def: &str) -> (String, Vec<Role>) {
        let lang = language_by_name(lang).unwrap();
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&lang.grammar()).unwrap();
        let tree = parser.parse(src, None).unwrap();
        let mut kids = Children::of(tree.root_node());
        let at = kids
            .nodes
            .iter()
            .position(|k| src[k.start_byte()..].starts_with(def))
            .unwrap();
        let attach = lang.attach().unwrap();
        let mut cursor = QueryCursor::new();
        let lead = attach.lead(&mut cursor, &mut kids, at, src.as_bytes());
        let start = kids.nodes[lead.first].start_byte();
        let at_start = kids.nodes[at].start_byte();
        let roles = (lead.first..at)
            .filter(|&i| kids.nodes[i].is_named())
            .map(|i| kids.known_role(i).unwrap())
            .collect();
        (src[start..at_start].to_string(), roles)
    }

    #[test]
    fn rust_docs_and_attributes_attach_but_not_inner_docs() {
        let src = "//! Module.\n/// Doc.\n#[inline] // why\nfn f() {}\n";
        let (text, roles) = lead_of("rust", src, "fn f");
        assert_eq!(text, "/// Doc.\n#[inline] // why\n");
        assert_eq!(roles, [Role::Doc, Role::Attribute, Role::Doc]);
    }

    #[test]
    fn a_blank_line_or_a_comment_trailing_code_does_not_attach() {
        let (text, _) = lead_of("rust", "#[far]\n\nfn g() {}\n", "fn g");
        assert_eq!(text, "");
        let (text, _) = lead_of("python", "# far\n\ndef f():\n    pass\n", "def f");
        assert_eq!(text, "");
        let (text, _) = lead_of("python", "x = 1  # note\ndef f():\n    pass\n", "def f");
        assert_eq!(text, "");
        let (text, _) = lead_of("python", "x = 1\n# note\ndef f():\n    pass\n", "def f");
        assert_eq!(text, "# note\n");
    }

    #[test]
    fn attach_files_are_checked() {
        let py = language_by_name("python").unwrap().grammar();
        let err = |src: &str| Attach::new(&py, src, "python").err().unwrap_or_default();
        assert!(err("(comment) @doc").contains("captures none of"));
        assert!(err("(block (comment)) @attach.outer").contains("node kinds only"));
        assert!(err("(comment").contains("queries/python/attach.scm:1:"));
        assert!(Attach::new(
            &py,
            "(comment) @attach.doc\n[(a_b)] @attach.outer",
            "python"
        )
        .is_err());
    }
}
