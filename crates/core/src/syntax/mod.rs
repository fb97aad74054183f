//! Tree-sitter parsers, the language registry and query loading.
//!
//! Language knowledge lives in data: each language is one row of [`language::LANGUAGES`]
//! (name, file extensions, grammar) plus its `queries/<lang>/` folder — `tags.scm` (symbols and
//! references for the graph), `units.scm` (what a definition is, see [`units`]) and
//! `attach.scm` (what attaches above one, see [`attach`]) — embedded with `include_str!` so the
//! binary works from any directory. Queries compile lazily, once per process; a query that fails
//! to compile (or a grammar whose ABI this tree-sitter cannot load) is logged once and the
//! language is skipped, never fatal (helix's `compile_syntax_config`).
//!
//! Units: tree-sitter works in bytes and 0-based rows; so does everything in this module.

pub mod attach;
pub mod language;
pub mod parser;
mod shape;
pub mod tags;
pub mod units;

pub use attach::Attach;
pub use language::{all_languages, language_for_path, Lang};
pub use parser::ParserPool;
pub use tags::{for_each_match, Tags};
pub use units::Units;
