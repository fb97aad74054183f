//! What a chat (and an agent run started from it) emits, in the chat's own terms. The rpc layer
//! maps these to the wire contract (`crate::rpc::protocol`); tests and headless runs read them
//! directly.

/// One thing the chat UI must show. The rpc layer maps it to the wire (`crate::rpc::protocol::WireEvent`).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The winbar text: server kind, model and context size.
    Status {
        /// `llama.cpp · SmolLM2 · ctx 8192`.
        text: String,
    },
    /// A line of harness information (which server was picked, what was probed).
    Info {
        /// One line.
        text: String,
    },
    /// The assistant's reply begins.
    Start,
    /// More reply text; may contain newlines or end mid-line. Append as is.
    Delta {
        /// The new text.
        text: String,
    },
    /// The reply ended normally.
    Done {
        /// Prompt tokens, as the server counted them.
        prompt_tokens: Option<u64>,
        /// Reply tokens, as the server counted them.
        completion_tokens: Option<u64>,
        /// Wall time of the turn.
        elapsed_ms: u64,
    },
    /// The turn failed; `text` is one line saying what happened and what to do.
    Error {
        /// What happened and what to do.
        text: String,
    },
    /// The user stopped the turn.
    Cancelled,
    /// Take back the end of the reply: `text` is exactly the last text sent in deltas (a reply
    /// the loop guard stopped keeps one copy of what it repeated).
    Retract {
        /// The text to remove from the end of the reply.
        text: String,
    },
    /// What the turn is waiting for, shown in the winbar while it lasts (`indexing 120/900`);
    /// an empty text ends it.
    Progress {
        /// One short phrase, or empty.
        text: String,
    },
    /// The agent's current checker errors (empty once the checks pass), paths relative to
    /// `root`; goes to the quickfix list, not the transcript.
    Errors {
        /// The project root the paths are relative to.
        root: String,
        /// The errors.
        items: Vec<ErrorItem>,
    },
}

/// One error for the quickfix list: `file:line:col: text` (`line`/`col` 1-based, 0 = unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorItem {
    /// Path relative to the event's `root`, as the checker printed it.
    pub file: String,
    /// 1-based line; 0 when the checker gave none.
    pub line: u64,
    /// 1-based column; 0 when the checker gave none.
    pub col: u64,
    /// The message.
    pub text: String,
}

impl From<&smallcode_agent::check::Diagnostic> for ErrorItem {
    fn from(d: &smallcode_agent::check::Diagnostic) -> ErrorItem {
        ErrorItem {
            file: d.file.clone(),
            line: d.line.unwrap_or(0) as u64,
            col: d.col.unwrap_or(0) as u64,
            text: d.message.clone(),
        }
    }
}

/// An [`Event`] addressed to one chat.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatEvent {
    /// Which chat buffer the event is for (the id Lua sent with `chat_send`).
    pub chat: u64,
    /// What happened.
    pub event: Event,
}
