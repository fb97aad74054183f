//! Whole-unit replacement for small models: a code block's definitions replace the file's
//! same-named definitions, found with tree-sitter.
//!
//! A 135M model cannot copy old text reliably, but it can write a whole function. So the block
//! is parsed, its definitions (functions, methods, classes, structs, impls…) are keyed by
//! qualified name (`Foo.bar`, `Foo::bar`), and each replaces exactly the file node with that key.
//! What the model rambled on with is dropped: definitions the file does not have (unless
//! [`UnitOptions::allow_new`]), and any code outside definitions. A block that holds most of a
//! small file's definitions and all of its other top-level code is taken as a whole-file rewrite.
//!
//! What counts as a definition, its name and which definitions hold others come from the
//! language's `queries/<lang>/units.scm` ([`crate::syntax::units`]); which comments and
//! attributes above a definition belong to it, from the rule shared with the graph
//! ([`crate::syntax::attach`]). This module only walks the marked tree and builds names: a
//! unit's `@name`, prefixed by its `@qualifier` or else by the enclosing units' names.
//!
//! Units: byte ranges into the file text, as in the rest of [`super`]. Names are reported as the
//! agent should show them to the model.

use std::ops::Range;
use std::path::Path;

use tree_sitter::{Node, Parser, QueryCursor, Tree};

use super::{indent_width, leading_ws, rebase_indent, uses_tabs, Edit, Strategy};
use crate::syntax::attach::{Attach, Children};
use crate::syntax::language::{language_by_name, language_for_path, Lang};
use crate::syntax::units::{Marks, Units};

/// A file shorter than this many lines may be rewritten whole by one block.
pub const WHOLE_FILE_MAX_LINES: usize = 150;

/// Options for [`replace_units`].
#[derive(Debug, Clone, Default)]
pub struct UnitOptions {
    /// Add definitions the file does not have yet (after the last definition, or after the last
    /// method of their class/impl) instead of dropping them. Defaults to false: small models
    /// ramble on with extra functions nobody asked for.
    pub allow_new: bool,
}

/// Why a part of the block was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    /// The file has no definition with this name (and `allow_new` is off).
    NotInFile,
    /// Several file definitions have this name; the 1-based lines of each.
    Ambiguous(Vec<usize>),
    /// Its target overlaps a definition already replaced by this block.
    Overlaps,
    /// A class/impl without methods whose file namesake has some: taking it would delete them.
    WouldLoseMethods,
    /// Code outside any definition (prose, calls, tests the model added).
    OtherCode,
}

/// A part of the block that was not applied, for the agent's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Qualified name, or the first line of code outside definitions.
    pub name: String,
    /// Why it was dropped.
    pub reason: DropReason,
}

/// The edits made from one block and what happened to each part of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitOutcome {
    /// Edits on the file, non-overlapping, ready for [`super::apply`].
    pub edits: Vec<Edit>,
    /// Qualified names of file definitions that were replaced.
    pub replaced: Vec<String>,
    /// Qualified names of definitions added (only with `allow_new`).
    pub added: Vec<String>,
    /// Parts of the block that were not used.
    pub dropped: Vec<Dropped>,
    /// True when the block replaced the whole file.
    pub whole_file: bool,
}

/// Why a block could not be mapped at all. Each case names the bad value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// `lang` is neither a registry name nor a known extension.
    #[error("no grammar for language `{0}`: use a SEARCH/REPLACE block for this file")]
    UnknownLanguage(String),
    /// The grammar exists but this tree-sitter build cannot load it.
    #[error("the {0} grammar cannot be loaded by this build")]
    GrammarUnavailable(&'static str),
    /// The language's `queries/<lang>/units.scm` or `attach.scm` does not compile in this build
    /// (logged once).
    #[error("no unit query for {0} in this build: use a SEARCH/REPLACE block for this file")]
    UnitsUnavailable(&'static str),
    /// The block holds no definition (function, class…) at all.
    #[error("the code block holds no function, method or class definition: write the whole function to change")]
    NoDefinitions,
}

/// One definition found in a tree.
#[derive(Debug, Clone)]
struct Def {
    /// Last segment of the name (`bar` for `Foo.bar`, `M:bar`, `Foo::bar`).
    name: String,
    /// Name qualified by enclosing class/impl/receiver (`Foo.bar`); the plain name at top level.
    qualified: String,
    /// The definition node, including wrappers (decorators, `export`).
    range: Range<usize>,
    /// The definition node without wrappers (equal to `range` when there are none).
    inner: Range<usize>,
    /// Start of attached doc comments/attributes just above (≤ `range.start`).
    lead: usize,
    /// True for classes/impls/traits/modules: defs holding methods.
    container: bool,
    /// Definitions inside a container.
    children: Vec<Def>,
}

fn text<'s>(n: Node<'_>, src: &'s str) -> &'s str {
    &src[n.byte_range()]
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The identifier a type expression is about: `*Foo`, `Foo<T>`, `a::Foo` → `Foo` (what a
/// `@scope` capture qualifies nested units by).
fn base_type(s: &str) -> String {
    let s = s
        .split('<')
        .next()
        .unwrap_or(s)
        .split('[')
        .next()
        .unwrap_or(s);
    let s = s.trim().trim_start_matches(['*', '&']).trim();
    s.rsplit("::")
        .next()
        .unwrap_or(s)
        .rsplit('.')
        .next()
        .unwrap_or(s)
        .trim()
        .to_string()
}

/// What [`Finder::collect`] needs besides the node: one tree's marks, the language's attachment
/// rule and how it joins names.
struct Finder<'a, 't> {
    attach: &'a Attach,
    marks: Marks<'t>,
    separator: &'static str,
    src: &'a str,
    cursor: QueryCursor,
}

impl<'t> Finder<'_, 't> {
    /// The definitions among `node`'s children (and, through `@transparent` children, deeper),
    /// with their nested definitions; `scope` qualifies their names.
    fn collect(&mut self, node: Node<'t>, scope: &str, out: &mut Vec<Def>) {
        let src = self.src;
        let mut kids = Children::of(node);
        for i in 0..kids.nodes.len() {
            let child = kids.nodes[i];
            if !child.is_named() {
                continue;
            }
            let Some((inner, f)) = self.marks.unit(child).map(|(n, f)| (n, *f)) else {
                if self.marks.transparent(child) {
                    self.collect(child, scope, out);
                }
                continue;
            };
            let (name, qualified) = match (f.name, f.body) {
                (Some(n), _) => {
                    let full = text(n, src);
                    let qualified = match f.qualifier {
                        Some(q) => format!("{}{}{full}", text(q, src), self.separator),
                        None if scope.is_empty() => full.to_string(),
                        None => format!("{scope}{}{full}", self.separator),
                    };
                    let simple = full.rsplit([':', '.']).next().unwrap_or(full);
                    (simple.to_string(), qualified)
                }
                // Named by its head, which is already qualified (`impl fmt::Display for P`).
                (None, Some(body)) => {
                    let head = collapse(&src[inner.start_byte()..body.start_byte()]);
                    (head.clone(), head)
                }
                (None, None) => continue,
            };
            let mut children = Vec::new();
            if let Some(body) = f.body {
                let inner_scope = match f.scope {
                    Some(s) => base_type(text(s, src)),
                    None => qualified.clone(),
                };
                self.collect(body, &inner_scope, &mut children);
            }
            let lead = self
                .attach
                .lead(&mut self.cursor, &mut kids, i, src.as_bytes());
            out.push(Def {
                name,
                qualified,
                range: child.byte_range(),
                inner: inner.byte_range(),
                lead: kids.nodes[lead.first].start_byte(),
                container: f.body.is_some(),
                children,
            });
        }
    }
}

/// The definitions of a parsed `src`: top-level ones, each with its nested ones.
fn definitions(lang: &Lang, units: &Units, attach: &Attach, tree: &Tree, src: &str) -> Vec<Def> {
    let mut cursor = QueryCursor::new();
    let marks = units.marks(&mut cursor, tree.root_node(), src.as_bytes());
    let mut finder = Finder {
        attach,
        marks,
        separator: lang.separator,
        src,
        cursor,
    };
    let mut out = Vec::new();
    finder.collect(tree.root_node(), "", &mut out);
    out
}

fn parse(lang: &Lang, src: &str) -> Result<Tree, UnitError> {
    let mut parser = Parser::new();
    parser
        .set_language(&lang.grammar())
        .map_err(|_| UnitError::GrammarUnavailable(lang.name))?;
    parser
        .parse(src, None)
        .ok_or(UnitError::GrammarUnavailable(lang.name))
}

/// Removes the indentation common to all non-blank lines (a method pasted at class depth).
fn dedent(s: &str) -> String {
    let common = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_width(leading_ws(l)))
        .min()
        .unwrap_or(0);
    if common == 0 {
        return s.replace("\r\n", "\n");
    }
    rebase_indent(&s.replace("\r\n", "\n"), &" ".repeat(common), "", false)
}

fn line_of(src: &str, byte: usize) -> usize {
    src[..byte].matches('\n').count() + 1
}

fn line_start(src: &str, byte: usize) -> usize {
    src[..byte].rfind('\n').map_or(0, |i| i + 1)
}

fn flatten(defs: &[Def]) -> Vec<&Def> {
    let mut out = Vec::new();
    for d in defs {
        out.push(d);
        out.extend(flatten(&d.children));
    }
    out
}

/// Resolves `lang` as a registry name (`python`) or an extension (`py`).
fn resolve_lang(lang: &str) -> Result<&'static Lang, UnitError> {
    let l = lang.trim().to_ascii_lowercase();
    let alias = match l.as_str() {
        "py3" | "python3" => "python",
        "js" | "node" => "javascript",
        "ts" => "typescript",
        "golang" => "go",
        "c++" => "cpp",
        other => other,
    };
    language_by_name(alias)
        .or_else(|| language_for_path(Path::new(&format!("x.{alias}"))))
        .ok_or_else(|| UnitError::UnknownLanguage(lang.to_string()))
}

/// Maps the definitions in `block` (a code block the model wrote) onto `file`'s definitions and
/// returns the edits that replace exactly those nodes.
///
/// Matching, per top-level definition of the block:
/// - a class/impl/trait that holds every method of the file's same-named one replaces it whole;
///   otherwise each of its methods replaces the file's method of the same qualified name;
/// - anything else replaces the file definition with the same qualified name, or failing that
///   the only definition (at any depth) with the same plain name — so a method written on its own
///   finds its class. Several with that name → dropped as ambiguous.
///
/// Doc comments/attributes above a definition are replaced too when the block has some for it,
/// and kept otherwise. Replacement text is re-indented to the target's depth and indent style.
/// `lang` is a registry name (`rust`, `python`…) or an extension (`rs`, `py`).
pub fn replace_units(
    path: &Path,
    file: &str,
    lang: &str,
    block: &str,
    opts: &UnitOptions,
) -> Result<UnitOutcome, UnitError> {
    let lang = resolve_lang(lang)?;
    let block = dedent(block);
    let file_tree = parse(lang, file)?;
    let block_tree = parse(lang, &block)?;
    let (Some(units), Some(attach)) = (lang.units(), lang.attach()) else {
        return Err(UnitError::UnitsUnavailable(lang.name));
    };
    let file_defs = definitions(lang, units, attach, &file_tree, file);
    let block_defs = definitions(lang, units, attach, &block_tree, &block);
    if block_defs.is_empty() {
        return Err(UnitError::NoDefinitions);
    }
    let mut out = UnitOutcome::default();
    let other_code = other_top_level(block_tree.root_node(), &block_defs, &block);

    if let Some(text) = whole_file_text(
        file,
        &file_tree,
        &file_defs,
        &block,
        &block_defs,
        &other_code,
        opts,
        &mut out,
    ) {
        out.edits.push(Edit {
            path: path.to_path_buf(),
            range: 0..file.len(),
            replacement: text,
            strategy: Strategy::WholeFile,
        });
        out.whole_file = true;
        return Ok(out);
    }
    for (_, first) in &other_code {
        out.dropped.push(Dropped {
            name: first.clone(),
            reason: DropReason::OtherCode,
        });
    }

    let flat = flatten(&file_defs);
    let mut ctx = Ctx {
        path,
        file,
        block: &block,
        tabs: uses_tabs(file),
        python: lang.name == "python",
        allow_new: opts.allow_new,
        out,
    };
    for b in &block_defs {
        let same = if b.container {
            unique(
                file,
                flat.iter()
                    .copied()
                    .filter(|f| f.container && f.qualified == b.qualified),
            )
        } else {
            Err(vec![])
        };
        match same {
            Ok(f) => {
                let covers = f
                    .children
                    .iter()
                    .all(|fc| b.children.iter().any(|bc| bc.qualified == fc.qualified));
                if covers {
                    ctx.replace(f, b);
                } else if b.children.is_empty() {
                    ctx.out.dropped.push(Dropped {
                        name: b.qualified.clone(),
                        reason: DropReason::WouldLoseMethods,
                    });
                } else {
                    for bc in &b.children {
                        match unique(
                            file,
                            f.children.iter().filter(|fc| fc.qualified == bc.qualified),
                        ) {
                            Ok(fc) => ctx.replace(fc, bc),
                            Err(lines) if lines.is_empty() => {
                                ctx.add_or_drop(bc, f.children.last(), true)
                            }
                            Err(lines) => ctx.ambiguous(bc, lines),
                        }
                    }
                }
            }
            Err(lines) if !lines.is_empty() => ctx.ambiguous(b, lines),
            Err(_)
                if b.container
                    && b.children
                        .iter()
                        .any(|bc| flat.iter().any(|f| f.qualified == bc.qualified)) =>
            {
                // A class/impl header that differs (`impl Foo` vs `impl<T> Foo<T>`): go by method.
                for bc in &b.children {
                    match unique(
                        file,
                        flat.iter().copied().filter(|f| f.qualified == bc.qualified),
                    ) {
                        Ok(f) => ctx.replace(f, bc),
                        Err(lines) if lines.is_empty() => ctx.add_or_drop(bc, None, true),
                        Err(lines) => ctx.ambiguous(bc, lines),
                    }
                }
            }
            Err(_) => {
                let by_qualified = unique(
                    file,
                    flat.iter()
                        .copied()
                        .filter(|f| f.qualified == b.qualified && f.container == b.container),
                );
                let found = match by_qualified {
                    Err(lines) if lines.is_empty() => {
                        let same_name = || {
                            flat.iter()
                                .copied()
                                .filter(|f| f.name == b.name && f.container == b.container)
                        };
                        // Several with that name: a top-level one wins over methods of that name.
                        unique(file, same_name()).or_else(|lines| {
                            unique(
                                file,
                                same_name()
                                    .filter(|f| file_defs.iter().any(|t| t.range == f.range)),
                            )
                            .map_err(|_| lines)
                        })
                    }
                    other => other,
                };
                match found {
                    Ok(f) => ctx.replace(f, b),
                    Err(lines) if lines.is_empty() => ctx.add_or_drop(b, file_defs.last(), false),
                    Err(lines) => ctx.ambiguous(b, lines),
                }
            }
        }
    }
    let mut out = ctx.out;
    out.edits.sort_by_key(|e| (e.range.start, e.range.end));
    Ok(out)
}

/// The only definition `defs` yields, or the 1-based lines of all of them (empty: none).
fn unique<'d>(file: &str, defs: impl Iterator<Item = &'d Def>) -> Result<&'d Def, Vec<usize>> {
    let all: Vec<&Def> = defs.collect();
    match all[..] {
        [one] => Ok(one),
        _ => Err(all.iter().map(|d| line_of(file, d.range.start)).collect()),
    }
}

/// Top-level block nodes that are neither definitions nor comments: (start byte, first line).
fn other_top_level(root: Node<'_>, defs: &[Def], src: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut c = root.walk();
    for n in root.named_children(&mut c) {
        let inside_def = defs
            .iter()
            .any(|d| d.lead <= n.start_byte() && n.end_byte() <= d.range.end);
        if inside_def || n.kind().contains("comment") {
            continue;
        }
        // An ERROR node may hold definitions and prose: only report it if it holds no definition.
        if defs
            .iter()
            .any(|d| n.start_byte() <= d.range.start && d.range.end <= n.end_byte())
        {
            continue;
        }
        let first = text(n, src)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .chars()
            .take(60)
            .collect();
        out.push((n.start_byte(), first));
    }
    out
}

/// The new file text when `block` is a rewrite of a small file: most of the file's top-level
/// definitions are in it and so is every other top-level piece of the file (imports, constants),
/// so nothing is lost by taking it whole. Unknown definitions are cut unless `allow_new`, and
/// so is code after the last definition when the file had none there (a model's test calls).
#[allow(clippy::too_many_arguments)]
fn whole_file_text(
    file: &str,
    file_tree: &Tree,
    file_defs: &[Def],
    block: &str,
    block_defs: &[Def],
    other_code: &[(usize, String)],
    opts: &UnitOptions,
    out: &mut UnitOutcome,
) -> Option<String> {
    if file.lines().count() >= WHOLE_FILE_MAX_LINES || file_defs.is_empty() {
        return None;
    }
    let known = |q: &str| file_defs.iter().any(|f| f.qualified == q);
    let covered = file_defs
        .iter()
        .filter(|f| block_defs.iter().any(|b| b.qualified == f.qualified))
        .count();
    if covered * 2 <= file_defs.len() || covered < 2 {
        return None;
    }
    // A class in the block that lacks some of the file's methods is a partial edit, not a rewrite.
    let block_flat_defs = flatten(block_defs);
    let loses_method = flatten(file_defs).iter().any(|f| {
        let parent_covered = file_defs.iter().any(|t| {
            t.children.iter().any(|c| c.range == f.range)
                && block_defs.iter().any(|b| b.qualified == t.qualified)
        });
        parent_covered && !block_flat_defs.iter().any(|b| b.qualified == f.qualified)
    });
    if loses_method {
        return None;
    }
    let block_flat = collapse(block);
    let file_other = other_top_level(file_tree.root_node(), file_defs, file);
    let mut c = file_tree.root_node().walk();
    for n in file_tree.root_node().named_children(&mut c) {
        if file_other.iter().any(|(s, _)| *s == n.start_byte())
            && !block_flat.contains(&collapse(text(n, file)))
        {
            return None;
        }
    }
    // Cut what the model added: unknown definitions and trailing code the file did not have.
    let mut cuts: Vec<Range<usize>> = Vec::new();
    for b in block_defs {
        if known(&b.qualified) {
            out.replaced.push(b.qualified.clone());
        } else if opts.allow_new {
            out.added.push(b.qualified.clone());
        } else {
            out.dropped.push(Dropped {
                name: b.qualified.clone(),
                reason: DropReason::NotInFile,
            });
            cuts.push(line_start(block, b.lead)..b.range.end);
        }
    }
    let file_last_def = file_defs.iter().map(|d| d.range.end).max().unwrap_or(0);
    let file_has_tail = file_other.iter().any(|(s, _)| *s >= file_last_def);
    let block_last_def = block_defs
        .iter()
        .filter(|b| known(&b.qualified) || opts.allow_new)
        .map(|d| d.range.end)
        .max();
    if !file_has_tail {
        if let Some(last) = block_last_def {
            for (s, first) in other_code.iter().filter(|(s, _)| *s >= last) {
                out.dropped.push(Dropped {
                    name: first.clone(),
                    reason: DropReason::OtherCode,
                });
                cuts.push(line_start(block, *s)..block.len());
            }
        }
    }
    cuts.sort_by_key(|r| r.start);
    let mut text = block.to_string();
    let mut covered_to = usize::MAX;
    for r in cuts.iter().rev() {
        let end = r.end.min(covered_to);
        if r.start < end {
            text.replace_range(r.start..end, "");
        }
        covered_to = r.start;
    }
    while text.contains("\n\n\n\n") {
        text = text.replace("\n\n\n\n", "\n\n\n");
    }
    let mut text = text.trim_end().to_string();
    if file.ends_with('\n') {
        text.push('\n');
    }
    Some(text)
}

/// Shared state while turning block definitions into edits.
struct Ctx<'a> {
    path: &'a Path,
    file: &'a str,
    block: &'a str,
    tabs: bool,
    python: bool,
    allow_new: bool,
    out: UnitOutcome,
}

impl Ctx<'_> {
    /// The block text `start..end`, re-indented to `indent`. The first line is not indented: it
    /// goes where the target node starts.
    fn text_for(&self, start: usize, end: usize, indent: &str) -> String {
        let raw = &self.block[start..end];
        let from = leading_ws(&self.block[line_start(self.block, start)..]);
        let (first, rest) = raw.split_once('\n').unwrap_or((raw, ""));
        if rest.is_empty() {
            return first.to_string();
        }
        format!("{first}\n{}", rebase_indent(rest, from, indent, self.tabs))
    }

    fn push(&mut self, edit: Edit) -> bool {
        let overlaps = self
            .out
            .edits
            .iter()
            .any(|e| e.range.start < edit.range.end && edit.range.start < e.range.end);
        if overlaps {
            return false;
        }
        self.out.edits.push(edit);
        true
    }

    fn replace(&mut self, f: &Def, b: &Def) {
        // Decorators, `export` and doc comments in the file are kept unless the block has its own.
        let wrapped = b.inner != b.range;
        let start = match (b.lead < b.range.start, wrapped) {
            (true, _) => f.lead,
            (false, true) => f.range.start,
            (false, false) => f.inner.start,
        };
        let from = if b.lead < b.range.start || wrapped {
            b.lead
        } else {
            b.inner.start
        };
        let indent = leading_ws(&self.file[line_start(self.file, start)..]).to_string();
        let replacement = self.text_for(from, b.range.end, &indent);
        let edit = Edit {
            path: self.path.to_path_buf(),
            range: start..f.range.end,
            replacement,
            strategy: Strategy::SyntaxNode,
        };
        if self.push(edit) {
            self.out.replaced.push(f.qualified.clone());
        } else {
            self.out.dropped.push(Dropped {
                name: b.qualified.clone(),
                reason: DropReason::Overlaps,
            });
        }
    }

    /// Adds `b` after `after` (the last sibling definition) when allowed, else records the drop.
    fn add_or_drop(&mut self, b: &Def, after: Option<&Def>, method: bool) {
        if !self.allow_new {
            self.out.dropped.push(Dropped {
                name: b.qualified.clone(),
                reason: DropReason::NotInFile,
            });
            return;
        }
        let (at, indent) = match after {
            Some(a) => (
                a.range.end,
                leading_ws(&self.file[line_start(self.file, a.lead)..]).to_string(),
            ),
            None => (self.file.trim_end().len(), String::new()),
        };
        let sep = if self.python && !method {
            "\n\n\n"
        } else {
            "\n\n"
        };
        let replacement = format!(
            "{sep}{indent}{}",
            self.text_for(b.lead, b.range.end, &indent)
        );
        let edit = Edit {
            path: self.path.to_path_buf(),
            range: at..at,
            replacement,
            strategy: Strategy::SyntaxNode,
        };
        if self.push(edit) {
            self.out.added.push(b.qualified.clone());
        } else {
            self.out.dropped.push(Dropped {
                name: b.qualified.clone(),
                reason: DropReason::Overlaps,
            });
        }
    }

    fn ambiguous(&mut self, b: &Def, lines: Vec<usize>) {
        self.out.dropped.push(Dropped {
            name: b.qualified.clone(),
            reason: DropReason::Ambiguous(lines),
        });
    }
}

#[cfg(test)]
#[path = "unit_tests.rs"]
mod tests;
