//! Token budgeting and context assembly for small context windows.
//!
//! Small local models run with 4k–32k contexts and, on a CPU, every prompt token costs time.
//! Servers silently drop what overflows. So every token is spent deliberately:
//!
//! - [`tokens`] counts with one shared cl100k encoder and corrects the count per model with a
//!   [`tokens::Calibration`] fed by the server's own counts.
//! - [`piece`] is the unit of context: a whole syntactic piece with up to three renderings
//!   (body, signature with the body elided, name). Nothing is ever cut in the middle.
//! - [`assemble`] allocates the window: reply reserve, fixed prefix, then pieces in priority
//!   order, stepping a piece down (body → signature → name) when it does not fit, and lays the
//!   result out stable-first so the server's KV cache is reused across turns.
//! - [`reduce`] shrinks long tool output deterministically (head, tail, error and location lines).
//! - [`history`] turns old conversation turns into a compact record.
//! - [`window`] derives the reply reserve and Ollama's `num_ctx`.
//! - [`whole`] checks with tree-sitter that a code section is whole nodes or an explicit
//!   elision (the benchmark's "0 cut mid-symbol").
//!
//! Invariant: every number called "tokens" in this module is in the model's tokens as
//! estimated through the calibration (never raw cl100k counts), except where a name says `est`.

pub mod assemble;
pub mod config;
pub mod history;
pub mod piece;
pub mod reduce;
pub mod tokens;
pub mod whole;
pub mod window;

pub use assemble::{
    Assembler, Assembly, BudgetError, BudgetReport, Dropped, Input, Section, SectionKind,
};
pub use config::{BudgetConfig, Shares};
pub use history::Turn;
pub use piece::{Detail, Piece, PieceKind};
pub use reduce::{reduce, ReduceConfig, Reduced};
pub use tokens::{count_tokens, Calibration};
pub use window::{ollama_num_ctx, reply_reserve};
