//! The unit of context: a whole piece with up to three renderings.
//!
//! Invariant: a piece is shown to the model as exactly one of its renderings or not at all.
//! Callers (the graph module, the agent) build the renderings from whole syntactic nodes; this
//! module never slices them. Lines are 1-based and inclusive, as the model sees them.

use std::fmt;

/// What a piece is, which decides its priority and where it sits in the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PieceKind {
    /// The user's request for this turn.
    Task,
    /// Text the user selected in Neovim (live buffer text).
    Selection,
    /// Output of the tool the model just ran, already reduced (see [`crate::budget::reduce`]).
    ToolOutput,
    /// A symbol the task names.
    Symbol,
    /// Context ranked by the code graph.
    GraphContext,
    /// A conversation turn or the compact record of older turns.
    History,
    /// A memory note.
    Memory,
}

impl PieceKind {
    /// Allocation order: earlier kinds are served first.
    pub const PRIORITY: [PieceKind; 7] = [
        PieceKind::Task,
        PieceKind::Selection,
        PieceKind::ToolOutput,
        PieceKind::Symbol,
        PieceKind::GraphContext,
        PieceKind::History,
        PieceKind::Memory,
    ];

    /// Prompt order after the fixed prefix: most stable first, most volatile last, so that the
    /// server's KV cache covers as long a prefix as possible (memory rarely changes, history
    /// only grows at its end, the task changes every turn).
    pub const LAYOUT: [PieceKind; 7] = [
        PieceKind::Memory,
        PieceKind::History,
        PieceKind::GraphContext,
        PieceKind::Symbol,
        PieceKind::ToolOutput,
        PieceKind::Selection,
        PieceKind::Task,
    ];

    /// Short lowercase name used in reports and logs.
    pub fn name(self) -> &'static str {
        match self {
            PieceKind::Task => "task",
            PieceKind::Selection => "selection",
            PieceKind::ToolOutput => "tool output",
            PieceKind::Symbol => "symbols",
            PieceKind::GraphContext => "graph",
            PieceKind::History => "history",
            PieceKind::Memory => "memory",
        }
    }
}

/// Which rendering of a piece is shown, from most to least detailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detail {
    /// The whole body.
    Full,
    /// The signature with the body elided (`⋮ N lines`).
    Signature,
    /// The name and location only.
    Name,
}

impl Detail {
    /// All details, most detailed first: the step-down order.
    pub const STEPS: [Detail; 3] = [Detail::Full, Detail::Signature, Detail::Name];
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Detail::Full => "body",
            Detail::Signature => "signature",
            Detail::Name => "name",
        })
    }
}

/// One candidate for the prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// Stable identifier, reported when the piece is dropped (e.g. `src/a.rs::parse`).
    pub id: String,
    /// Kind, deciding priority and layout.
    pub kind: PieceKind,
    /// File the piece comes from, if any.
    pub path: Option<String>,
    /// Symbol name, if the piece is a symbol.
    pub symbol: Option<String>,
    /// 1-based inclusive line span in `path`.
    pub lines: Option<(u32, u32)>,
    /// Rank within its kind: higher is served first. For history, recency.
    pub score: f64,
    /// The whole text.
    pub full: Option<String>,
    /// Signature with the body elided.
    pub signature: Option<String>,
    /// Name and location only.
    pub name: Option<String>,
}

impl Piece {
    /// A piece with a single full rendering (task, selection, memory note, tool output, turn).
    pub fn text(kind: PieceKind, id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            kind,
            path: None,
            symbol: None,
            lines: None,
            score: 0.0,
            full: Some(text.into()),
            signature: None,
            name: None,
        }
    }

    /// A code piece with the three renderings in the house format:
    /// `path:a-b` then the body; `path:a-b` then the signature; `path:a symbol (N lines)`.
    /// `signature` should already contain its elision marker (see [`elide`]); pass `None` when
    /// the body is so short that a signature would save nothing.
    pub fn code(
        kind: PieceKind,
        path: &str,
        symbol: &str,
        lines: (u32, u32),
        body: &str,
        signature: Option<&str>,
    ) -> Self {
        let (a, b) = lines;
        let n = b.saturating_sub(a) + 1;
        Self {
            id: format!("{path}::{symbol}@{a}"),
            kind,
            path: Some(path.to_string()),
            symbol: Some(symbol.to_string()),
            lines: Some(lines),
            score: 0.0,
            full: Some(format!("{path}:{a}-{b}\n{body}")),
            signature: signature.map(|s| format!("{path}:{a}-{b}\n{s}")),
            name: Some(format!("{path}:{a} {symbol} ({n} lines)")),
        }
    }

    /// The same piece under another kind (e.g. a symbol named in an earlier turn, offered
    /// again as context).
    pub fn with_kind(mut self, kind: PieceKind) -> Self {
        self.kind = kind;
        self
    }

    /// The same piece with another score.
    pub fn with_score(mut self, score: f64) -> Self {
        self.score = score;
        self
    }

    /// The text for `detail`, if the piece has that rendering.
    pub fn rendering(&self, detail: Detail) -> Option<&str> {
        match detail {
            Detail::Full => self.full.as_deref(),
            Detail::Signature => self.signature.as_deref(),
            Detail::Name => self.name.as_deref(),
        }
    }

    /// Key that orders code pieces in the prompt by place, not rank, so the same set of pieces
    /// always appears in the same order (byte-identical prompt, KV cache reuse).
    pub fn layout_key(&self) -> (&str, u32, &str) {
        (
            self.path.as_deref().unwrap_or(""),
            self.lines.map_or(0, |l| l.0),
            &self.id,
        )
    }
}

/// Build the signature rendering of a body: its `head` lines (the signature up to and including
/// the opening brace), a `⋮ N lines` marker for the elided lines, and the closing `tail`.
pub fn elide(head: &str, elided_lines: usize, tail: &str) -> String {
    let indent: String = head
        .lines()
        .last()
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let mut s = String::with_capacity(head.len() + tail.len() + 24);
    s.push_str(head.trim_end_matches('\n'));
    s.push('\n');
    s.push_str(&indent);
    s.push_str(&format!("    ⋮ {elided_lines} lines\n"));
    s.push_str(tail);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_piece_has_three_renderings() {
        let body = "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}";
        let sig = elide("fn add(a: i32, b: i32) -> i32 {", 1, "}");
        let p = Piece::code(
            PieceKind::Symbol,
            "src/m.rs",
            "add",
            (3, 5),
            body,
            Some(&sig),
        );
        assert_eq!(
            p.rendering(Detail::Full).unwrap(),
            format!("src/m.rs:3-5\n{body}")
        );
        assert_eq!(
            p.rendering(Detail::Signature).unwrap(),
            "src/m.rs:3-5\nfn add(a: i32, b: i32) -> i32 {\n    ⋮ 1 lines\n}"
        );
        assert_eq!(
            p.rendering(Detail::Name).unwrap(),
            "src/m.rs:3 add (3 lines)"
        );
    }

    #[test]
    fn elide_keeps_indent() {
        assert_eq!(
            elide("    fn f() {", 10, "    }"),
            "    fn f() {\n        ⋮ 10 lines\n    }"
        );
    }

    #[test]
    fn text_piece_has_only_full() {
        let p = Piece::text(PieceKind::Task, "task", "fix it");
        assert!(p.rendering(Detail::Signature).is_none());
        assert_eq!(p.rendering(Detail::Full), Some("fix it"));
    }
}
