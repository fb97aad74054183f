//! Context the user names in a chat message: `#buffer`, `#file:PATH`, `#symbol:NAME`,
//! `#diagnostics`, `#quickfix`, `#selection`.
//!
//! The names are parsed here (the Lua side completes them and sends the editor state they need:
//! buffers, diagnostics, the quickfix list, the selection). Each becomes a candidate piece the
//! assembler fits like any other, never a slice of code: a symbol is its whole definition (or
//! its signature when the body does not fit), a file is its whole text (or the outline of its
//! definitions), diagnostics and quickfix entries are lines. The message itself is sent as
//! typed, names included, so the model sees what the user pointed at.

use std::path::{Path, PathBuf};

use smallcode_agent::check::Diagnostic;
use smallcode_core::budget::{Piece, PieceKind};
use smallcode_core::graph::Graph;

use super::context::{EditorContext, Sources};

/// One `#` name in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    /// `#buffer`: the file the user came from, as its buffer has it.
    Buffer,
    /// `#file:PATH`: a file, relative to the project root or absolute.
    File(String),
    /// `#symbol:NAME`: every definition of NAME in the code graph.
    Symbol(String),
    /// `#diagnostics`: the diagnostics of the current buffer.
    Diagnostics,
    /// `#quickfix`: the quickfix list.
    Quickfix,
    /// `#selection`: the last visual selection.
    Selection,
}

/// The names that take no argument, and the ones that do (`#file:`, `#symbol:`), for help and
/// completion.
pub const NAMES: &[&str] = &[
    "buffer",
    "file:",
    "symbol:",
    "diagnostics",
    "quickfix",
    "selection",
];

/// Score of a named piece: above anything the message names by accident or the graph ranks.
const NAMED: f64 = 1000.0;
/// Largest file text offered whole (bytes); a larger one is offered as its outline only.
const MAX_FILE: usize = 256 * 1024;
/// Diagnostics or quickfix lines offered, at most.
const MAX_LINES: usize = 50;

/// The `#` names in `text`, in order, without repeats. A name starts at the beginning or after
/// a space or an opening bracket, so `a#b`, `# heading` and `#include` name nothing.
pub fn parse(text: &str) -> Vec<Ref> {
    let mut out: Vec<Ref> = Vec::new();
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('#') {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        if before.is_some_and(|b| !(b.is_ascii_whitespace() || b"([{'\"`".contains(&b))) {
            continue;
        }
        let rest = &text[i + 1..];
        let word_end = rest
            .find(|c: char| c.is_whitespace() || "`'\")]}".contains(c))
            .unwrap_or(rest.len());
        let word = rest[..word_end].trim_end_matches(['.', ',', ';', '!', '?', ':']);
        let r = match word.split_once(':') {
            Some(("file", p)) if !p.is_empty() => Ref::File(p.to_string()),
            Some(("symbol", n)) if !n.is_empty() => Ref::Symbol(n.to_string()),
            None => match word {
                "buffer" => Ref::Buffer,
                "diagnostics" => Ref::Diagnostics,
                "quickfix" => Ref::Quickfix,
                "selection" => Ref::Selection,
                _ => continue,
            },
            _ => continue,
        };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// The pieces for `refs`, and one line for each name that gave nothing (shown in the chat).
/// `#selection` is the editor's selection, which [`super::context::gather`] offers already.
pub fn pieces(
    graph: Option<&Graph>,
    root: Option<&Path>,
    refs: &[Ref],
    ctx: &EditorContext,
) -> (Vec<Piece>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let sources = graph.map(|g| Sources::new(g, &ctx.buffers));
    for r in refs {
        match r {
            Ref::Symbol(name) => {
                let Some((g, src)) = graph.zip(sources.as_ref()) else {
                    notes.push(format!("#symbol:{name}: no code graph (no project root)"));
                    continue;
                };
                let defs = g.definitions(name);
                if defs.is_empty() {
                    let close: Vec<String> = g
                        .find(name, true)
                        .into_iter()
                        .map(|h| h.name)
                        .take(3)
                        .collect();
                    notes.push(match close.is_empty() {
                        true => format!("#symbol:{name}: no such definition in the code graph"),
                        false => format!(
                            "#symbol:{name}: no such definition (did you mean {}?)",
                            close.join(", ")
                        ),
                    });
                    continue;
                }
                for (i, hit) in defs.iter().take(6).enumerate() {
                    if let Some(p) = src.piece(PieceKind::Symbol, hit) {
                        out.push(p.with_score(NAMED - i as f64));
                    }
                }
            }
            Ref::Buffer => match &ctx.file {
                Some(f) => match file_piece(graph, root, f, ctx) {
                    Some(p) => out.push(p),
                    None => notes.push(format!("#buffer: cannot read {}", f.display())),
                },
                None => notes.push("#buffer: no file window to take it from".into()),
            },
            Ref::File(p) => {
                let path = resolve(root, p);
                match file_piece(graph, root, &path, ctx) {
                    Some(piece) => out.push(piece),
                    None => notes.push(format!("#file:{p}: no such file")),
                }
            }
            Ref::Diagnostics => {
                if ctx.diagnostics.is_empty() {
                    notes.push("#diagnostics: the buffer has none".into());
                } else {
                    out.push(lines_piece("diagnostics", "Diagnostics", &ctx.diagnostics));
                }
            }
            Ref::Quickfix => {
                if ctx.quickfix.is_empty() {
                    notes.push("#quickfix: the quickfix list is empty".into());
                } else {
                    out.push(lines_piece("quickfix", "Quickfix list", &ctx.quickfix));
                }
            }
            Ref::Selection => {
                if ctx.selection.is_none() {
                    notes.push("#selection: nothing selected".into());
                }
            }
        }
    }
    (out, notes)
}

fn resolve(root: Option<&Path>, p: &str) -> PathBuf {
    let path = PathBuf::from(p);
    match root {
        Some(r) if path.is_relative() => r.join(path),
        _ => path,
    }
}

/// A whole file: its text (the live buffer's when loaded) with the outline of its top-level
/// definitions as the smaller rendering.
fn file_piece(
    graph: Option<&Graph>,
    root: Option<&Path>,
    path: &Path,
    ctx: &EditorContext,
) -> Option<Piece> {
    let live = ctx
        .buffers
        .iter()
        .find(|b| b.path == path)
        .map(|b| b.text.clone());
    let text = match live {
        Some(t) => t,
        None => std::fs::read_to_string(path).ok()?,
    };
    let key = match (graph, root) {
        (Some(g), _) => g.key_for(path),
        (None, Some(r)) => path
            .strip_prefix(r)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.display().to_string()),
        (None, None) => path.display().to_string(),
    };
    let n = text.lines().count().max(1) as u32;
    let outline = graph.and_then(|g| g.file_symbols(path)).map(|fs| {
        let tops: Vec<String> = fs
            .symbols
            .iter()
            .filter(|s| s.parent.is_none())
            .map(|s| format!("{} ⋮", s.signature))
            .collect();
        tops.join("\n")
    });
    let outline = outline.filter(|o| !o.is_empty());
    let body = if text.len() > MAX_FILE {
        // Too large to ever fit: the outline stands in for the text.
        outline.clone().unwrap_or_default()
    } else {
        text.trim_end().to_string()
    };
    Some(
        Piece::code(
            PieceKind::Symbol,
            &key,
            "file",
            (1, n),
            &body,
            outline.as_deref(),
        )
        .with_score(NAMED + 10.0),
    )
}

fn lines_piece(id: &str, title: &str, items: &[Diagnostic]) -> Piece {
    let mut text = format!("{title}:");
    for d in items.iter().take(MAX_LINES) {
        text.push('\n');
        text.push_str(&d.to_string());
    }
    if items.len() > MAX_LINES {
        text.push_str(&format!("\n(+{} more)", items.len() - MAX_LINES));
    }
    Piece::text(PieceKind::ToolOutput, id, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_parsed_where_they_stand_alone() {
        assert_eq!(
            parse("why does #symbol:add fail, see #file:src/calc.py and #diagnostics."),
            vec![
                Ref::Symbol("add".into()),
                Ref::File("src/calc.py".into()),
                Ref::Diagnostics
            ]
        );
        assert_eq!(
            parse("(#buffer) #quickfix #selection #buffer"),
            vec![Ref::Buffer, Ref::Quickfix, Ref::Selection]
        );
        assert!(parse("a#buffer # buffer #include <x> #file: #symbol").is_empty());
    }
}
