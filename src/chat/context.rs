//! What a chat turn can show the model besides the conversation: the editor's state (selection,
//! current file, cursor, unsaved buffers) and candidate pieces from the code graph.
//!
//! Everything here only *offers* pieces; [`smallcode_core::budget::Assembler`] decides what fits. Code
//! pieces are whole definitions (the graph's tree-sitter spans, whole lines) with a signature
//! rendering whose body is elided (`⋮ N lines`), never a slice of one. Unsaved buffer text wins
//! over the file on disk, both for the graph (updated from the buffers first) and for the text.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use smallcode_core::budget::piece::elide;
use smallcode_core::budget::{Piece, PieceKind};
use smallcode_core::graph::{Graph, Seeds, SymbolHit};

use super::LiveBuffer;

/// The user's selection in the editor.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// File it comes from (absolute), if a file.
    pub path: Option<PathBuf>,
    /// 1-based inclusive lines.
    pub lines: (u32, u32),
    /// The selected text as in the buffer.
    pub text: String,
}

/// What the editor tells a chat turn about where the user is. All optional: a chat sent from
/// a scratch buffer has none of it, and the turn is then the message and history only. In
/// Neovim it comes from `chat_send`'s map (`crate::rpc::protocol::ChatSend`).
#[derive(Debug, Clone, Default)]
pub struct EditorContext {
    /// Project root (enables the code graph).
    pub root: Option<PathBuf>,
    /// Current file (absolute).
    pub file: Option<PathBuf>,
    /// Cursor line (1-based) in `file`.
    pub cursor: Option<u32>,
    /// The visual selection, when the message was sent with a range.
    pub selection: Option<Selection>,
    /// Loaded buffers whose unsaved text wins over the files on disk.
    pub buffers: Vec<LiveBuffer>,
    /// The current buffer's diagnostics, sent when the message names `#diagnostics`.
    pub diagnostics: Vec<smallcode_agent::check::Diagnostic>,
    /// The quickfix list, sent when the message names `#quickfix`.
    pub quickfix: Vec<smallcode_agent::check::Diagnostic>,
    /// The stored chat the message belongs to (see [`super::store`]); `None` = not saved.
    pub session: Option<SessionRef>,
}

/// Which stored chat a message or a fix run belongs to: its id and the project whose data
/// directory holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRef {
    /// The chat's id (letters, digits, `-`, `_`), chosen by the editor.
    pub id: String,
    /// The project root (the store lives in its data directory).
    pub project: PathBuf,
}

/// Named symbols offered per turn, at most.
const MAX_NAMED: usize = 6;
/// Graph-ranked symbols offered per turn, at most (the assembler keeps what fits).
const MAX_RANKED: usize = 40;
/// Files listed in the outline, at most.
const OUTLINE_FILES: usize = 400;

/// Candidate pieces for one turn, besides the task (which the caller adds).
pub fn gather(graph: Option<&Graph>, text: &str, ctx: &EditorContext) -> Vec<Piece> {
    let mut pieces = Vec::new();
    if let Some(sel) = &ctx.selection {
        let place = match (&sel.path, graph) {
            (Some(p), Some(g)) => format!("{}:{}-{}", g.key_for(p), sel.lines.0, sel.lines.1),
            (Some(p), None) => format!("{}:{}-{}", p.display(), sel.lines.0, sel.lines.1),
            (None, _) => format!("lines {}-{}", sel.lines.0, sel.lines.1),
        };
        pieces.push(Piece::text(
            PieceKind::Selection,
            "selection",
            format!("Selected ({place}):\n{}", sel.text.trim_end()),
        ));
    }
    let Some(graph) = graph else {
        return pieces;
    };
    let texts = Sources::new(graph, &ctx.buffers);
    let named = named_symbols(graph, text);
    let mut seen = HashSet::new();
    for (i, hit) in named.iter().enumerate() {
        if let Some(p) = texts.piece(PieceKind::Symbol, hit) {
            seen.insert(p.id.clone());
            pieces.push(p.with_score((MAX_NAMED - i) as f64));
        }
    }
    let seeds = Seeds {
        text: text.to_string(),
        symbols: named.iter().map(|h| h.qualified.clone()).collect(),
        files: ctx.file.iter().cloned().collect(),
        cursor: match (&ctx.file, ctx.cursor) {
            (Some(f), Some(l)) => Some((f.clone(), l)),
            _ => None,
        },
    };
    // The walk's ranking without its rendering: the assembler decides what fits.
    for hit in graph.rank_hits(&seeds, MAX_RANKED).iter() {
        if let Some(p) = texts.piece(PieceKind::GraphContext, hit) {
            if seen.insert(p.id.clone()) {
                let score = hit.score.unwrap_or(0.0);
                pieces.push(p.with_score(score));
            }
        }
    }
    pieces
}

/// Feeds unsaved buffer text into the graph so ranking and spans follow what the user sees.
pub fn update_graph(graph: &Graph, buffers: &[LiveBuffer]) {
    for b in buffers {
        if let Err(e) = graph.update_buffer(&b.path, &b.text) {
            tracing::debug!("[chat] graph update {}: {e}", b.path.display());
        }
    }
}

/// Definitions the message names: words marked as code (in backticks, `snake_case`,
/// `CamelCase`, `a::b`) that have at most [`MAX_NAMED`] definitions.
fn named_symbols(graph: &Graph, text: &str) -> Vec<SymbolHit> {
    let mut out: Vec<SymbolHit> = Vec::new();
    let mut tried = HashSet::new();
    let mut words: Vec<(&str, bool)> = Vec::new();
    for (i, w) in text.split('`').enumerate() {
        // Odd segments are inside backticks.
        for word in w.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
            let word = word.trim_matches(':');
            if word.len() < 3 {
                continue;
            }
            let codey = i % 2 == 1
                || word.contains('_')
                || word.contains("::")
                || word.chars().skip(1).any(|c| c.is_uppercase());
            words.push((word, codey));
        }
    }
    for (word, codey) in words {
        if out.len() >= MAX_NAMED || !tried.insert(word) {
            continue;
        }
        // Plain words ("history", "build") name code too often by accident: only words marked
        // as code count (backticks, snake_case, CamelCase, `a::b`).
        if !codey {
            continue;
        }
        let defs = graph.definitions(word);
        if defs.is_empty() || defs.len() > MAX_NAMED {
            continue;
        }
        out.extend(defs);
    }
    out.truncate(MAX_NAMED);
    out
}

/// File texts for rendering pieces: live buffers first, then the disk, read once per turn.
pub(super) struct Sources<'a> {
    graph: &'a Graph,
    live: HashMap<String, &'a str>,
    disk: std::cell::RefCell<HashMap<String, Option<String>>>,
}

impl<'a> Sources<'a> {
    pub(super) fn new(graph: &'a Graph, buffers: &'a [LiveBuffer]) -> Self {
        let live = buffers
            .iter()
            .map(|b| (graph.key_for(&b.path), b.text.as_str()))
            .collect();
        Sources {
            graph,
            live,
            disk: Default::default(),
        }
    }

    fn lines(&self, path: &str, a: u32, b: u32) -> Option<Vec<String>> {
        let from_text = |t: &str| -> Option<Vec<String>> {
            let lines: Vec<String> = t
                .lines()
                .skip(a.saturating_sub(1) as usize)
                .take((b.saturating_sub(a) + 1) as usize)
                .map(str::to_string)
                .collect();
            (lines.len() == (b.saturating_sub(a) + 1) as usize).then_some(lines)
        };
        if let Some(t) = self.live.get(path) {
            return from_text(t);
        }
        let mut disk = self.disk.borrow_mut();
        let text = disk
            .entry(path.to_string())
            .or_insert_with(|| std::fs::read_to_string(self.graph.root().join(path)).ok());
        text.as_deref().and_then(from_text)
    }

    /// The piece for a definition: its whole lines, and a signature rendering when eliding
    /// the body saves something.
    pub(super) fn piece(&self, kind: PieceKind, hit: &SymbolHit) -> Option<Piece> {
        let (a, b) = (hit.line, hit.end_line.max(hit.line));
        let lines = self.lines(&hit.path, a, b)?;
        let body = lines.join("\n");
        let head_n = hit.signature.lines().count().clamp(1, lines.len());
        let last = lines.last().map(|l| l.trim()).unwrap_or("");
        let closes = matches!(last, "}" | "};" | ")" | "];" | "]" | "end" | "},")
            || (last.starts_with('}') && last.len() <= 3);
        let tail_n = usize::from(closes && lines.len() > head_n);
        let elided = lines.len() - head_n - tail_n;
        let signature = (elided >= 3).then(|| {
            elide(
                &lines[..head_n].join("\n"),
                elided,
                &lines[lines.len() - tail_n..].join("\n"),
            )
        });
        Some(Piece::code(
            kind,
            &hit.path,
            &hit.name,
            (a, b),
            &body,
            signature.as_deref(),
        ))
    }
}

/// A compact, deterministic project outline: directories with their file names, sorted, so
/// it is byte-identical across turns while the file set does not change (stable prefix).
pub fn outline(root: &Path) -> Option<String> {
    let mut files: Vec<String> = ignore::WalkBuilder::new(root)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| smallcode_core::syntax::language_for_path(e.path()).is_some())
        .filter_map(|e| {
            e.path()
                .strip_prefix(root)
                .ok()
                .map(|p| p.to_string_lossy().into_owned())
        })
        .collect();
    if files.is_empty() {
        return None;
    }
    files.sort();
    let more = files.len().saturating_sub(OUTLINE_FILES);
    files.truncate(OUTLINE_FILES);
    let mut dirs: Vec<(String, Vec<String>)> = Vec::new();
    for f in &files {
        let (dir, name) = match f.rsplit_once('/') {
            Some((d, n)) => (d.to_string(), n.to_string()),
            None => (".".to_string(), f.clone()),
        };
        match dirs.last_mut() {
            Some((d, names)) if *d == dir => names.push(name),
            _ => dirs.push((dir, vec![name])),
        }
    }
    let mut s = String::from("Project files:\n");
    for (d, names) in dirs {
        s.push_str(&format!("{d}: {}\n", names.join(" ")));
    }
    if more > 0 {
        s.push_str(&format!("(+{more} more files)\n"));
    }
    Some(s.trim_end().to_string())
}
