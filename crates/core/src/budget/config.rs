//! Budget policy knobs: every threshold is a named field with a documented default.

use super::piece::PieceKind;

/// Caps on how much of the free budget (context − reply reserve − fixed prefix) each kind may
/// take in the first allocation pass, as fractions.
///
/// Why caps and not fixed slices: a kind that needs less leaves the rest to the next kind, and
/// the second pass lets any leftover upgrade pieces that were stepped down or dropped. The caps
/// only stop an early kind from starving the later ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares {
    /// The task and the user's selection together. Defaults to 0.45.
    pub task_selection: f64,
    /// Output of the tool the model just ran (already reduced). Defaults to 0.25.
    pub tool_output: f64,
    /// Symbols the task names. Defaults to 0.30.
    pub symbols: f64,
    /// Graph-ranked context. Defaults to 0.25.
    pub graph: f64,
    /// Conversation history (verbatim turns plus the compact record). Defaults to 0.25.
    pub history: f64,
    /// Memory notes. Defaults to 0.05.
    pub memory: f64,
    /// The project outline, part of the stable prefix, taken whole or not at all. Defaults to 0.10.
    pub outline: f64,
}

impl Default for Shares {
    fn default() -> Self {
        Self {
            task_selection: 0.45,
            tool_output: 0.25,
            symbols: 0.30,
            graph: 0.25,
            history: 0.25,
            memory: 0.05,
            outline: 0.10,
        }
    }
}

impl Shares {
    /// The first-pass cap for `kind`, as a fraction of the free budget.
    pub fn of(&self, kind: PieceKind) -> f64 {
        match kind {
            PieceKind::Task | PieceKind::Selection => self.task_selection,
            PieceKind::ToolOutput => self.tool_output,
            PieceKind::Symbol => self.symbols,
            PieceKind::GraphContext => self.graph,
            PieceKind::History => self.history,
            PieceKind::Memory => self.memory,
        }
    }
}

/// Everything the allocator needs to decide, besides its inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetConfig {
    /// Fraction of the context kept for the model's reply. Defaults to 0.25.
    pub reply_fraction: f64,
    /// Lower bound on the reply reserve, in tokens: an edit needs room. Defaults to 256.
    pub reply_min: usize,
    /// Upper bound on the reply reserve, in tokens: small models ramble, and `max_tokens` is
    /// always sent with this value. Defaults to 2048.
    pub reply_max: usize,
    /// Ratio model tokens / cl100k tokens assumed before the server has counted anything.
    /// Conservative because small-vocabulary tokenizers (SmolLM2) need more tokens for code.
    /// Defaults to 1.2.
    pub initial_ratio: f64,
    /// Fraction added on top of every calibrated count. Defaults to 0.05.
    pub safety_margin: f64,
    /// Tokens charged per section for separators and chat-template markers. Defaults to 4.
    pub section_overhead: usize,
    /// Tokens charged per non-empty kind for a heading the prompt template may add. Defaults to 8.
    pub group_overhead: usize,
    /// First-pass caps per kind. See [`Shares`].
    pub shares: Shares,
    /// Most recent history turns kept verbatim when history must be compacted. Defaults to 4.
    pub history_keep_last: usize,
    /// When the calibrated prompt reaches this fraction of its limit, the caller should count it
    /// exactly with the server before sending. Defaults to 0.9.
    pub exact_check_fraction: f64,
    /// Ollama `num_ctx` is rounded up to a multiple of this, because every change of `num_ctx`
    /// makes Ollama reload the model and drop its KV cache. Defaults to 2048.
    pub num_ctx_step: usize,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self {
            reply_fraction: 0.25,
            reply_min: 256,
            reply_max: 2048,
            initial_ratio: 1.2,
            safety_margin: 0.05,
            section_overhead: 4,
            group_overhead: 8,
            shares: Shares::default(),
            history_keep_last: 4,
            exact_check_fraction: 0.9,
            num_ctx_step: 2048,
        }
    }
}
