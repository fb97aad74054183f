//! The wire contract between the Lua plugin and the Rust process.
//!
//! Everything Lua and Rust must agree on lives here: the protocol version, the method names, and
//! the shape of the events Rust pushes back. Lua's copy of these names is in
//! `lua/smallcode/rpc.lua` and `lua/smallcode/chat.lua`; bump [`PROTOCOL_VERSION`] whenever a
//! name or a field changes so that an old binary and a new plugin refuse each other loudly
//! instead of misbehaving quietly.
//!
//! Direction and kind:
//! - Lua → Rust **requests** (`vim.rpcrequest`, the editor waits): only quick ones —
//!   [`REQ_HELLO`], [`REQ_PING`], [`REQ_STATUS`] (bounded by a short HTTP timeout).
//! - Lua → Rust **notifications** (`vim.rpcnotify`, fire and forget): everything slow —
//!   [`NOTIFY_CHAT_SEND`], [`NOTIFY_CHAT_STOP`], [`NOTIFY_AGENT_RUN`].
//! - Rust → Lua: `nvim_exec_lua` of [`LUA_ON_EVENT`] with one [`Event`] map per call.

use serde::Serialize;

/// Version of this contract. Lua sends its own in `hello`; a mismatch is refused.
pub const PROTOCOL_VERSION: u64 = 1;

/// `hello({protocol, config})` → `{protocol, version, log_file}`; also applies `config`.
pub const REQ_HELLO: &str = "hello";
/// `ping()` → `"pong"`; used by `:checkhealth` and the RPC benchmark.
pub const REQ_PING: &str = "ping";
/// `status()` → the resolved endpoint and model probe (`{provider, endpoint, model, context, ...}`).
pub const REQ_STATUS: &str = "status";
/// `chat_send({chat, text, root?, file?, cursor?, selection? = {path, line1, line2, text},
/// buffers? = {{path, text, tick}…}})`: start a turn in chat `chat` with the user's `text` and
/// what the editor shows (see `crate::chat::EditorContext`). `/budget`, `/stats`, `/clear` and
/// `/help` are answered without the model.
pub const NOTIFY_CHAT_SEND: &str = "chat_send";
/// `chat_stop({chat})`: cancel the turn in flight in chat `chat` (drops the HTTP request).
pub const NOTIFY_CHAT_STOP: &str = "chat_stop";
/// `agent_run({chat, text, root, buffers = {{path, text, tick}…}, errors = {{file, line, col, text}…}})`:
/// run the agent (`errors`: what the editor already reports, optional); a verified
/// change set comes back through [`LUA_APPLY_EDITS`].
pub const NOTIFY_AGENT_RUN: &str = "agent_run";

/// `graph_query({root, name})`: definitions, callers and callees of `name`, pushed to
/// `require('smallcode.graph').show` (see `src/rpc/graph.rs`).
pub const NOTIFY_GRAPH_QUERY: &str = "graph_query";
/// `graph_start({root})`: index `root` in the background; progress and a summary are pushed to
/// `require('smallcode.graph').progress` / `.indexed`.
pub const NOTIFY_GRAPH_START: &str = "graph_start";
/// `graph_buffer({root, path, text})`: a buffer's unsaved text replaces its file in the graph.
pub const NOTIFY_GRAPH_BUFFER: &str = "graph_buffer";
/// `graph_saved({root, path})`: the buffer was written (its record is stored).
pub const NOTIFY_GRAPH_SAVED: &str = "graph_saved";
/// `graph_closed({root, path})`: the buffer was unloaded (the file on disk counts again).
pub const NOTIFY_GRAPH_CLOSED: &str = "graph_closed";

/// The Lua function Rust calls with the verified edits (`{{path, text, tick}…}`); returns one
/// line per file.
pub const LUA_APPLY_EDITS: &str = "return require('smallcode.edit').apply(...)";

/// The Lua function Rust calls with an [`Event::Errors`] (instead of the chat's handler): the
/// agent's current checker errors for the quickfix list.
pub const LUA_PUBLISH_ERRORS: &str = "return require('smallcode.quickfix').publish(...)";

/// The Lua function Rust calls for every [`Event`].
pub const LUA_ON_EVENT: &str = "return require('smallcode.chat').on_event(...)";

/// One thing the chat UI must show. Serialised as a map with a `type` field plus the fields below
/// and the chat id under `chat`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The winbar text: server kind, model and context size.
    Status { text: String },
    /// A line of harness information (which server was picked, what was probed).
    Info { text: String },
    /// The assistant's reply begins.
    Start,
    /// More reply text; may contain newlines or end mid-line. Append as is.
    Delta { text: String },
    /// The reply ended normally.
    Done {
        prompt_tokens: Option<u64>,
        completion_tokens: Option<u64>,
        elapsed_ms: u64,
    },
    /// The turn failed; `text` is one line saying what happened and what to do.
    Error { text: String },
    /// The user stopped the turn.
    Cancelled,
    /// The agent's current checker errors (empty once the checks pass), paths relative to
    /// `root`; goes to the quickfix list, not the transcript.
    Errors { root: String, items: Vec<ErrorItem> },
}

/// One error for the quickfix list: `file:line:col: text` (`line`/`col` 1-based, 0 = unknown).
#[derive(Debug, Clone, PartialEq, Serialize)]
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

impl From<&crate::agent::check::Diagnostic> for ErrorItem {
    fn from(d: &crate::agent::check::Diagnostic) -> ErrorItem {
        ErrorItem {
            file: d.file.clone(),
            line: d.line.unwrap_or(0) as u64,
            col: d.col.unwrap_or(0) as u64,
            text: d.message.clone(),
        }
    }
}

/// An [`Event`] addressed to one chat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatEvent {
    /// Which chat buffer the event is for (the id Lua sent with `chat_send`).
    pub chat: u64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}
