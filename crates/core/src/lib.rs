//! smallcode's pure layer: what the agent knows about code, with no async runtime, no HTTP and
//! no editor.
//!
//! - [`syntax`]: tree-sitter grammars, the language registry and the query files
//!   (`queries/<lang>/*.scm`) that hold the language knowledge.
//! - [`graph`]: the symbol graph (who defines what, who calls what), persisted in redb, updated
//!   from live buffers, walked by rank.
//! - [`budget`]: token counting and context assembly that never cuts code mid-node.
//! - [`edit`]: edits as values — matching old text, replacing whole definitions, diffs.
//! - [`toolcall`]: tolerant tool-call parsing and JSON repair for small models.
//! - [`secrets`]: redaction of credentials in text bound for a model or the disk.
//!
//! Everything here is synchronous and deterministic, so it is unit-tested and fuzzed alone; the
//! crates above it (`smallcode-llm`, `smallcode-agent`, `smallcode`) add I/O.

#![warn(missing_docs)]

pub mod budget;
pub mod edit;
pub mod graph;
pub mod secrets;
pub mod syntax;
pub mod toolcall;
