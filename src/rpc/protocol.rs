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
//! - Rust → Lua: `nvim_exec_lua` of [`LUA_ON_EVENT`] with one [`WireEvent`] map per call (the
//!   chat's [`Event`]s, mapped here).

use serde::Serialize;

pub use crate::chat::event::{ChatEvent, ErrorItem, Event};

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

/// The wire form of a [`ChatEvent`]: a map with a `type` field, the event's fields and the chat
/// id under `chat` (what `require('smallcode.chat').on_event` reads). Kept separate from the
/// chat's own type so a rename there cannot silently change what Lua receives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireEvent<'a> {
    /// Which chat buffer the event is for.
    pub chat: u64,
    /// What happened.
    #[serde(flatten)]
    pub event: WireKind<'a>,
}

/// The `type`-tagged body of a [`WireEvent`]; one variant per [`Event`] variant, same fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(missing_docs)] // each field is documented on the chat's `Event`
pub enum WireKind<'a> {
    Status {
        text: &'a str,
    },
    Info {
        text: &'a str,
    },
    Start,
    Delta {
        text: &'a str,
    },
    Done {
        prompt_tokens: Option<u64>,
        completion_tokens: Option<u64>,
        elapsed_ms: u64,
    },
    Error {
        text: &'a str,
    },
    Cancelled,
    Errors {
        root: &'a str,
        items: Vec<WireError<'a>>,
    },
}

/// One quickfix entry on the wire: `{file, line, col, text}` (1-based, 0 = unknown).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[allow(missing_docs)] // the fields of the chat's `ErrorItem`
pub struct WireError<'a> {
    pub file: &'a str,
    pub line: u64,
    pub col: u64,
    pub text: &'a str,
}

impl<'a> From<&'a ChatEvent> for WireEvent<'a> {
    fn from(ev: &'a ChatEvent) -> WireEvent<'a> {
        let event = match &ev.event {
            Event::Status { text } => WireKind::Status { text },
            Event::Info { text } => WireKind::Info { text },
            Event::Start => WireKind::Start,
            Event::Delta { text } => WireKind::Delta { text },
            Event::Done {
                prompt_tokens,
                completion_tokens,
                elapsed_ms,
            } => WireKind::Done {
                prompt_tokens: *prompt_tokens,
                completion_tokens: *completion_tokens,
                elapsed_ms: *elapsed_ms,
            },
            Event::Error { text } => WireKind::Error { text },
            Event::Cancelled => WireKind::Cancelled,
            Event::Errors { root, items } => WireKind::Errors {
                root,
                items: items
                    .iter()
                    .map(|i| WireError {
                        file: &i.file,
                        line: i.line,
                        col: i.col,
                        text: &i.text,
                    })
                    .collect(),
            },
        };
        WireEvent {
            chat: ev.chat,
            event,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_keep_their_wire_shape() {
        let ev = ChatEvent {
            chat: 3,
            event: Event::Done {
                prompt_tokens: Some(10),
                completion_tokens: None,
                elapsed_ms: 7,
            },
        };
        let v = serde_json::to_value(WireEvent::from(&ev)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"chat": 3, "type": "done", "prompt_tokens": 10,
                               "completion_tokens": null, "elapsed_ms": 7})
        );
        let ev = ChatEvent {
            chat: 1,
            event: Event::Errors {
                root: "/p".into(),
                items: vec![ErrorItem {
                    file: "a.py".into(),
                    line: 2,
                    col: 0,
                    text: "boom".into(),
                }],
            },
        };
        let v = serde_json::to_value(WireEvent::from(&ev)).unwrap();
        assert_eq!(v["type"], "errors");
        assert_eq!(v["items"][0]["file"], "a.py");
    }
}
