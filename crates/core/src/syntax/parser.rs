//! A small pool of parsers and query cursors, one per language, for one thread.
//!
//! `tree_sitter::Parser` is `Send` but not `Sync` and costs an allocation to create, so each
//! indexing thread owns a pool and reuses it for every file it parses.

use std::collections::HashMap;

use tree_sitter::{Parser, QueryCursor, Tree};

use super::Lang;

/// Parsers keyed by language name, plus one reusable query cursor.
#[derive(Default)]
pub struct ParserPool {
    parsers: HashMap<&'static str, Parser>,
    /// Shared cursor: a cursor keeps its allocation between queries.
    pub cursor: QueryCursor,
}

impl ParserPool {
    /// An empty pool; parsers are created on first use of each language.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `text` as `lang`, reusing `old` (already `edit`ed) for an incremental parse.
    /// `None` when the grammar cannot be loaded by this tree-sitter (logged by the caller).
    pub fn parse(&mut self, lang: &'static Lang, text: &[u8], old: Option<&Tree>) -> Option<Tree> {
        let parser = match self.parsers.entry(lang.name) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let mut p = Parser::new();
                if let Err(e) = p.set_language(&lang.grammar()) {
                    tracing::warn!("[graph] grammar {} unusable: {e}", lang.name);
                    return None;
                }
                v.insert(p)
            }
        };
        parser.parse(text, old)
    }
}
