//! The wire contract between the Lua plugin and the Rust process.
//!
//! Everything Lua and Rust must agree on lives here: the protocol version, the method names, the
//! parameters Lua sends (one `Deserialize` struct per method, read by [`decode`]) and the shape
//! of the events Rust pushes back. Lua's copy of these names is in `lua/smallcode/rpc.lua` and
//! `lua/smallcode/chat.lua`; bump [`PROTOCOL_VERSION`] whenever a name or a field changes so that
//! an old binary and a new plugin refuse each other loudly instead of misbehaving quietly.
//!
//! Direction and kind:
//! - Lua → Rust **requests** (`vim.rpcrequest`, the editor waits): only quick ones —
//!   [`REQ_HELLO`], [`REQ_PING`], [`REQ_STATUS`] (bounded by a short HTTP timeout), the stored
//!   chats ([`REQ_CHATS_LIST`], [`REQ_CHAT_RESUME`], [`REQ_CHATS_DELETE`]: one small database
//!   read or write) and [`REQ_SYMBOLS`] (names from the code graph in memory, for completion).
//! - Lua → Rust **notifications** (`vim.rpcnotify`, fire and forget): everything slow —
//!   [`NOTIFY_CHAT_SEND`], [`NOTIFY_CHAT_STOP`], [`NOTIFY_AGENT_RUN`], [`NOTIFY_REVIEW_CHECK`],
//!   the `graph_*` ones.
//! - Rust → Lua: `nvim_exec_lua` of [`LUA_ON_EVENT`] with one [`WireEvent`] map per call (the
//!   chat's [`Event`]s, mapped here); of [`LUA_REVIEW_CHANGE`] with a [`WireChange`] (a change
//!   set whose checks pass, for review); of [`LUA_REVIEW_CHECKED`] with a [`WireRecheck`].
//!
//! Every method takes exactly one map. Its fields are decoded strictly: a missing required field,
//! an unknown field or a value of the wrong type is a [`DecodeError`] that names the method and
//! the field (`chat_send: missing field \`chat\``), never a default. A request answers it as its
//! error reply; a notification cannot reply, so the error goes to the chat it names, else to
//! `vim.notify` ([`LUA_WARN`]).

use std::path::PathBuf;

use rmpv::Value;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use crate::chat::event::{ChatEvent, ErrorItem, Event};
use crate::chat::{AgentRequest, ChangeSet, EditorContext, LiveBuffer};
use smallcode_agent::check::Diagnostic;
use smallcode_agent::permission::Answer;
use smallcode_agent::EditFormat;

/// Version of this contract. Lua sends its own in `hello`; a mismatch is refused.
pub const PROTOCOL_VERSION: u64 = 3;

/// `hello({protocol, config, nvim})` → `{protocol, version, log_file, pid}`; also applies
/// `config` ([`Hello`]).
pub const REQ_HELLO: &str = "hello";
/// `ping()` → `"pong"`; used by `:checkhealth` and the RPC benchmark.
pub const REQ_PING: &str = "ping";
/// `status()` → the resolved endpoint and model probe (`{provider, endpoint, model, context, ...}`).
pub const REQ_STATUS: &str = "status";
/// `chat_send({chat, text, session?, project?, root?, file?, cursor?, selection? = {path, line1,
/// line2, text}, buffers? = {{path, text, tick}…}, diagnostics?, quickfix?})`: start a turn in
/// chat `chat` with the user's `text` and what the editor shows ([`ChatSend`]); `session` names
/// the stored chat it belongs to (saved in `project`'s data directory). `/budget`, `/stats`,
/// `/clear`, `/memory` and `/help` are answered without the model.
pub const NOTIFY_CHAT_SEND: &str = "chat_send";
/// `chat_stop({chat})`: cancel the turn in flight in chat `chat` (drops the HTTP request;
/// [`ChatStop`]).
pub const NOTIFY_CHAT_STOP: &str = "chat_stop";
/// `agent_run({chat, text, root, buffers = {{path, text, tick}…}, errors = {{file, line, col, text}…},
/// edit_format, range? = {path, line1, line2}, session?, project?})`: run the agent (its outcome
/// joins stored chat `session`'s history) (`errors`: what the editor
/// already reports, possibly none; `range`: `:'<,'>SmallCode fix`'s lines, which confine the
/// edit; [`AgentRun`]); a change set whose checks pass comes back through
/// [`LUA_REVIEW_CHANGE`].
pub const NOTIFY_AGENT_RUN: &str = "agent_run";
/// `review_check({chat, id, root, trusted?, files = {{path, text}…}})`: run the checks on the
/// part of change set `id` the user accepted so far (the files as the buffers now have them,
/// staged in a shadow copy, never written); the result goes to [`LUA_REVIEW_CHECKED`]
/// ([`ReviewCheck`]).
pub const NOTIFY_REVIEW_CHECK: &str = "review_check";

/// `chats_list({project})` → `{{id, title, created, updated, turns}…}`, newest first: the stored
/// chats of `project` ([`ChatsList`]).
pub const REQ_CHATS_LIST: &str = "chats_list";
/// `chat_resume({chat, session, project})` → `{id, title, turns = {{kind, state, at, user,
/// assistant, notes}…}}`: stored chat `session` ([`LAST_CHAT`]: the newest) becomes chat `chat`'s history (the model sees it
/// from the next message) and comes back for the transcript ([`ChatResume`]).
pub const REQ_CHAT_RESUME: &str = "chat_resume";
/// The `session` of a [`REQ_CHAT_RESUME`] that means the project's newest chat.
pub const LAST_CHAT: &str = "last";
/// `chats_delete({project, id})` → `true`: removes a stored chat ([`ChatsDelete`]).
pub const REQ_CHATS_DELETE: &str = "chats_delete";
/// `symbols({root, prefix})` → up to 50 definition names starting with `prefix` (case-insensitive),
/// sorted, from the code graph as far as it is indexed ([`Symbols`]).
pub const REQ_SYMBOLS: &str = "symbols";

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

/// The Lua function Rust calls with a change set whose checks pass ([`WireChange`]): it is shown
/// for review in the buffers, or lands at once when the user chose `review.auto_accept` and the
/// change is `verified`. Returns the lines for the chat (what is pending, what landed).
pub const LUA_REVIEW_CHANGE: &str = "return require('smallcode.review').receive(...)";

/// The Lua function Rust calls with the result of a [`NOTIFY_REVIEW_CHECK`] ([`WireRecheck`]).
pub const LUA_REVIEW_CHECKED: &str = "return require('smallcode.review').checked(...)";

/// The Lua function Rust calls with an [`Event::Errors`] (instead of the chat's handler): the
/// agent's current checker errors for the quickfix list.
pub const LUA_PUBLISH_ERRORS: &str = "return require('smallcode.quickfix').publish(...)";

/// The Lua function Rust calls to run one of the user's tools (`name`, `args`); it answers
/// `{ok, text}` (lua/smallcode/tools.lua).
pub const LUA_CALL_TOOL: &str = "return require('smallcode.tools').call(...)";

/// The Lua function Rust calls for every [`Event`].
pub const LUA_ON_EVENT: &str = "return require('smallcode.chat').on_event(...)";

/// What Rust calls with a message for the user that belongs to no chat: a notification whose
/// arguments could not be read (it has no reply to carry the error).
pub const LUA_WARN: &str = "vim.notify('(smallcode) ' .. select(1, ...), vim.log.levels.WARN)";

/// Why the arguments of a method could not be read. The text names the method and the field, so
/// that whoever reads it knows which side sent what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Lua sends every method's parameters as exactly one map.
    #[error("{method}: expected one map argument, got {count} arguments")]
    Arity {
        /// The method called.
        method: String,
        /// How many arguments came.
        count: usize,
    },
    /// A field is missing, unknown or of the wrong type; serde's text says which (and what
    /// was expected).
    #[error("{method}: {}{message}", at(.path))]
    Field {
        /// The method called.
        method: String,
        /// Where in the map (`chat`, `errors[2].file`); `None` for the map itself.
        path: Option<String>,
        /// serde's message (`missing field \`chat\``, `invalid type: …, expected u64`).
        message: String,
    },
    /// No such notification (a request of an unknown name gets its own reply).
    #[error("unknown notification {0:?}")]
    Unknown(String),
}

fn at(path: &Option<String>) -> String {
    path.as_ref().map(|p| format!("{p}: ")).unwrap_or_default()
}

/// Reads the one map argument of `method` into its parameter struct.
pub fn decode<T: DeserializeOwned>(method: &str, args: &[Value]) -> Result<T, DecodeError> {
    let [arg] = args else {
        return Err(DecodeError::Arity {
            method: method.to_string(),
            count: args.len(),
        });
    };
    serde_path_to_error::deserialize(super::value::to_json(arg)).map_err(|e| {
        let message = e.inner().to_string();
        let mut segments: Vec<_> = e.path().iter().collect();
        // The path of an unknown field ends at that field, which the message names already.
        if message.starts_with("unknown field") {
            segments.pop();
        }
        DecodeError::Field {
            method: method.to_string(),
            path: path_text(&segments),
            message,
        }
    })
}

/// `errors[2].file`, as `serde_path_to_error::Path` prints it; `None` for the map itself.
fn path_text(segments: &[&serde_path_to_error::Segment]) -> Option<String> {
    let mut out = String::new();
    for (i, s) in segments.iter().enumerate() {
        if i > 0 && !matches!(s, serde_path_to_error::Segment::Seq { .. }) {
            out.push('.');
        }
        out.push_str(&s.to_string());
    }
    (!out.is_empty()).then_some(out)
}

/// Field `key` of the map argument when it is an unsigned integer, read without decoding the
/// rest: the chat a malformed notification was meant for (to show the error there), the
/// protocol of a `hello` whose other fields may have another shape.
pub fn peek_u64(args: &[Value], key: &str) -> Option<u64> {
    match args.first()? {
        Value::Map(m) => m
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .and_then(|(_, v)| v.as_u64()),
        _ => None,
    }
}

/// [`REQ_HELLO`]'s map (lua/smallcode/rpc.lua `H.hello`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {protocol, config, nvim}")]
pub struct Hello {
    /// The plugin's contract version (`M.PROTOCOL`); must equal [`PROTOCOL_VERSION`].
    pub protocol: u64,
    /// The settings Rust reads (`require('smallcode.config').for_rust`, an empty map when the
    /// user set none), decoded by `Config::from_json`.
    pub config: serde_json::Value,
    /// Neovim's version (`tostring(vim.version())`), for the log.
    pub nvim: String,
}

/// [`NOTIFY_CHAT_SEND`]'s map (lua/smallcode/chat.lua `M.send`). The editor fields are left out
/// for a slash command, a message typed with no file window to come from, and a selection
/// without a file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a map {chat, text, session?, project?, root?, file?, cursor?, selection?, buffers?, diagnostics?, quickfix?}"
)]
pub struct ChatSend {
    /// Chat id (the chat buffer the reply goes to).
    pub chat: u64,
    /// The user's message.
    pub text: String,
    /// The stored chat this message belongs to (the editor's id for it); left out = not saved.
    pub session: Option<String>,
    /// The project the stored chat belongs to (its data directory holds the chat); required
    /// with `session`.
    pub project: Option<PathBuf>,
    /// Project root of the file the user came from (enables the code graph).
    pub root: Option<PathBuf>,
    /// That file (absolute).
    pub file: Option<PathBuf>,
    /// Cursor line (1-based) in `file`.
    pub cursor: Option<u32>,
    /// The visual selection (`:'<,'>SmallCode ask`).
    pub selection: Option<SelectionArg>,
    /// Loaded buffers whose unsaved text wins over the files on disk. Defaults to none (left
    /// out with the editor fields).
    #[serde(default)]
    pub buffers: Vec<BufferArg>,
    /// The current buffer's diagnostics, sent when the message names `#diagnostics`.
    #[serde(default)]
    pub diagnostics: Vec<ErrorArg>,
    /// The quickfix list, sent when the message names `#quickfix`.
    #[serde(default)]
    pub quickfix: Vec<ErrorArg>,
}

/// `chat_send`'s `selection`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {path?, line1, line2, text}")]
pub struct SelectionArg {
    /// File the lines come from (absolute); left out for a buffer without a name.
    pub path: Option<PathBuf>,
    /// First selected line (1-based).
    pub line1: u32,
    /// Last selected line (1-based, inclusive).
    pub line2: u32,
    /// The selected lines.
    pub text: String,
}

/// One entry of `buffers` (lua/smallcode/agent.lua `M.live_buffers`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {path, text, tick}")]
pub struct BufferArg {
    /// Absolute file path.
    pub path: PathBuf,
    /// The buffer's text, unsaved changes included.
    pub text: String,
    /// `b:changedtick` when read.
    pub tick: i64,
}

/// [`NOTIFY_CHAT_STOP`]'s map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {chat}")]
pub struct ChatStop {
    /// Chat id whose turn is cancelled.
    pub chat: u64,
}

/// [`NOTIFY_AGENT_RUN`]'s map (lua/smallcode/agent.lua `M.fix` and `M.feedback`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a map {chat, text, root, buffers, errors, edit_format, trusted, repair_templates?, range?, session?, project?}"
)]
pub struct AgentRun {
    /// Chat id (the chat buffer that shows the run).
    pub chat: u64,
    /// The request (with the selection quoted, when there was one).
    pub text: String,
    /// Project root the agent is confined to.
    pub root: PathBuf,
    /// Loaded buffers under the root whose text wins over the files on disk.
    pub buffers: Vec<BufferArg>,
    /// Errors the editor already shows (quickfix entries, ERROR diagnostics); may be empty.
    pub errors: Vec<ErrorArg>,
    /// `whole` or `tools` (`config.edit_format`).
    pub edit_format: EditFormat,
    /// The user trusts the project (lua/smallcode/trust.lua asked, or an earlier grant holds):
    /// its tests, the request's command and examples may run. False = restricted mode.
    pub trusted: bool,
    /// The user's own tools (`setup({ tools = … })`) for the `tools` format; Lua runs them.
    /// Left out (or empty) when there are none.
    #[serde(default, deserialize_with = "list_or_empty_map")]
    pub user_tools: Vec<UserToolArg>,
    /// `config.fix.repair_templates`: once the model's rounds are spent, try the small variants
    /// of the failing definition and the repairs the error message names. Left out = true.
    #[serde(default = "yes")]
    pub repair_templates: bool,
    /// The lines of `:'<,'>SmallCode fix` (or `<Plug>(SmallCodeFix)`): the edit is confined to
    /// the definitions they touch. Left out without a range.
    #[serde(default)]
    pub range: Option<RangeArg>,
    /// The stored chat the run belongs to (its outcome joins that chat's history).
    #[serde(default)]
    pub session: Option<String>,
    /// The project of `session`.
    #[serde(default)]
    pub project: Option<PathBuf>,
}

/// serde's default for a flag that is on unless the editor says otherwise.
fn yes() -> bool {
    true
}

/// [`REQ_CHATS_LIST`]'s map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {project}")]
pub struct ChatsList {
    /// The project whose chats are listed.
    pub project: PathBuf,
}

/// [`REQ_CHAT_RESUME`]'s map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {chat, session, project}")]
pub struct ChatResume {
    /// The chat (buffer) that takes the stored chat over.
    pub chat: u64,
    /// The stored chat's id.
    pub session: String,
    /// Its project.
    pub project: PathBuf,
}

/// [`REQ_CHATS_DELETE`]'s map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {project, id}")]
pub struct ChatsDelete {
    /// The project of the chat.
    pub project: PathBuf,
    /// The stored chat's id.
    pub id: String,
}

/// [`REQ_SYMBOLS`]'s map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {root, prefix}")]
pub struct Symbols {
    /// Project root.
    pub root: PathBuf,
    /// What was typed of the name so far (may be empty).
    pub prefix: String,
}

/// A stored chat's id and project as the chat layer takes them; `None` unless both came.
fn session_ref(id: Option<String>, project: Option<PathBuf>) -> Option<crate::chat::SessionRef> {
    match (id, project) {
        (Some(id), Some(project)) if !id.is_empty() && !project.as_os_str().is_empty() => {
            Some(crate::chat::SessionRef { id, project })
        }
        _ => None,
    }
}

/// One user tool in `agent_run`: `{name, description, params = {{name, type, required,
/// description}…}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {name, description, params}")]
pub struct UserToolArg {
    /// The name the model calls it by.
    pub name: String,
    /// One sentence for the model.
    pub description: String,
    /// Its parameters.
    #[serde(default, deserialize_with = "list_or_empty_map")]
    pub params: Vec<UserParamArg>,
}

/// A list that Lua may send as an empty map: an empty Lua table is encoded as an array by
/// Neovim, but as a map once it went through `vim.empty_dict()` or a Vimscript `{}`, and a user
/// tool without parameters must not make the whole request undecodable.
fn list_or_empty_map<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    struct Visitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            match map.next_key::<serde::de::IgnoredAny>()? {
                None => Ok(Vec::new()),
                Some(_) => Err(serde::de::Error::invalid_type(
                    serde::de::Unexpected::Map,
                    &self,
                )),
            }
        }
    }
    d.deserialize_any(Visitor(std::marker::PhantomData))
}

/// One parameter of a [`UserToolArg`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a map {name, type, required?, description?}"
)]
pub struct UserParamArg {
    /// The argument's key.
    pub name: String,
    /// `string`, `integer`, `boolean` or `string[]`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether a call must have it.
    #[serde(default)]
    pub required: bool,
    /// A few words for the model.
    #[serde(default)]
    pub description: String,
}

/// `agent_run`'s `range`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {path, line1, line2}")]
pub struct RangeArg {
    /// The file the lines are in (absolute).
    pub path: PathBuf,
    /// First line (1-based).
    pub line1: u32,
    /// Last line (1-based, inclusive).
    pub line2: u32,
}

/// [`NOTIFY_REVIEW_CHECK`]'s map (lua/smallcode/review.lua).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a map {chat, id, root, trusted?, files}"
)]
pub struct ReviewCheck {
    /// Chat id the change set came from (where the result is shown).
    pub chat: u64,
    /// The change set's id (Lua's), sent back with the result.
    pub id: u64,
    /// Project root (absolute).
    pub root: PathBuf,
    /// The user trusts the project: its tests may run. Defaults to false (syntax checks only).
    #[serde(default)]
    pub trusted: bool,
    /// Every file of the change set with its text as the buffer now has it.
    pub files: Vec<ReviewFile>,
}

/// One entry of `review_check`'s `files`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {path, text}")]
pub struct ReviewFile {
    /// Absolute path.
    pub path: PathBuf,
    /// The text to check.
    pub text: String,
}

/// One entry of `agent_run`'s `errors` (lua/smallcode/quickfix.lua `M.input`,
/// lua/smallcode/diagnostics.lua).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {file, line, col, text}")]
pub struct ErrorArg {
    /// Path relative to the project root.
    pub file: String,
    /// 1-based line; 0 = unknown (a quickfix entry without one).
    pub line: u64,
    /// 1-based column; 0 = unknown.
    pub col: u64,
    /// The message.
    pub text: String,
}

/// [`NOTIFY_GRAPH_QUERY`]'s map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {root, name}")]
pub struct GraphQuery {
    /// Project root (absolute).
    pub root: PathBuf,
    /// The symbol asked about.
    pub name: String,
}

/// [`NOTIFY_GRAPH_START`]'s map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {root}")]
pub struct GraphStart {
    /// Project root (absolute) to index.
    pub root: PathBuf,
}

/// [`NOTIFY_GRAPH_BUFFER`]'s map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {root, path, text}")]
pub struct GraphBuffer {
    /// Project root (absolute).
    pub root: PathBuf,
    /// The buffer's file (absolute).
    pub path: PathBuf,
    /// Its unsaved text.
    pub text: String,
}

/// The map of [`NOTIFY_GRAPH_SAVED`] and [`NOTIFY_GRAPH_CLOSED`] (one buffer of a project).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {root, path}")]
pub struct GraphFile {
    /// Project root (absolute).
    pub root: PathBuf,
    /// The buffer's file (absolute).
    pub path: PathBuf,
}

/// [`NOTIFY_GRAPH_SAVED`]'s map.
pub type GraphSaved = GraphFile;
/// [`NOTIFY_GRAPH_CLOSED`]'s map.
pub type GraphClosed = GraphFile;

/// `permission_answer`'s map (`super::permission::NOTIFY_ANSWER`, lua/smallcode/permission.lua).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a map {id, answer}")]
pub struct PermissionAnswer {
    /// The question's id (sent with the question).
    pub id: u64,
    /// `once`, `always` or `no`.
    pub answer: Answer,
}

impl ChatSend {
    /// The chat id, the message and what the editor shows. An empty `root` or `file` counts as
    /// none.
    pub fn into_parts(self) -> (u64, String, EditorContext) {
        let nonempty = |p: Option<PathBuf>| p.filter(|p| !p.as_os_str().is_empty());
        let ctx = EditorContext {
            root: nonempty(self.root),
            file: nonempty(self.file),
            cursor: self.cursor,
            selection: self.selection.map(|s| crate::chat::context::Selection {
                path: s.path,
                lines: (s.line1, s.line2.max(s.line1)),
                text: s.text,
            }),
            buffers: self.buffers.into_iter().map(LiveBuffer::from).collect(),
            diagnostics: self.diagnostics.into_iter().map(Diagnostic::from).collect(),
            quickfix: self.quickfix.into_iter().map(Diagnostic::from).collect(),
            session: session_ref(self.session, self.project),
        };
        (self.chat, self.text, ctx)
    }
}

impl AgentRun {
    /// The chat id and the agent's request.
    pub fn into_parts(self) -> (u64, AgentRequest) {
        let req = AgentRequest {
            text: self.text,
            root: self.root,
            buffers: self.buffers.into_iter().map(LiveBuffer::from).collect(),
            errors: self.errors.into_iter().map(Diagnostic::from).collect(),
            edit_format: self.edit_format,
            trusted: self.trusted,
            repair_templates: self.repair_templates,
            user_tools: self
                .user_tools
                .into_iter()
                .map(|t| {
                    (
                        t.name,
                        t.description,
                        t.params
                            .into_iter()
                            .map(|p| smallcode_agent::tools::user::UserParam {
                                name: p.name,
                                kind: p.kind,
                                required: p.required,
                                description: p.description,
                            })
                            .collect(),
                    )
                })
                .collect(),
            range: self.range.map(|r| (r.path, r.line1, r.line2.max(r.line1))),
            session: session_ref(self.session, self.project),
        };
        (self.chat, req)
    }
}

impl From<BufferArg> for LiveBuffer {
    fn from(b: BufferArg) -> LiveBuffer {
        LiveBuffer {
            path: b.path,
            text: b.text,
            tick: Some(b.tick),
        }
    }
}

impl From<ErrorArg> for Diagnostic {
    fn from(e: ErrorArg) -> Diagnostic {
        let known = |n: u64| (n > 0).then_some(n as usize);
        Diagnostic {
            file: e.file,
            line: known(e.line),
            col: known(e.col),
            message: e.text,
        }
    }
}

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
    Retract {
        text: &'a str,
    },
    Progress {
        text: &'a str,
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

/// The wire form of a [`ChangeSet`], the argument of [`LUA_REVIEW_CHANGE`]:
/// `{chat, root, verification, note, skipped, checks, files = {{path, text, base, tick?}…}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireChange<'a> {
    /// Chat id of the agent run.
    pub chat: u64,
    /// Project root (absolute).
    pub root: &'a str,
    /// `verified`, `checked` or `unverified` (`smallcode_agent::Verification::as_str`).
    pub verification: &'a str,
    /// Why the label is what it is, in one line.
    pub note: &'a str,
    /// Checks that could not run, each with the reason.
    pub skipped: &'a [String],
    /// The last round's check summaries (`py_compile: ok`, `tests: ok`).
    pub checks: &'a [String],
    /// One entry per changed file.
    pub files: Vec<WireFile<'a>>,
}

/// One file of a [`WireChange`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireFile<'a> {
    /// Absolute path.
    pub path: &'a str,
    /// The agent's whole new text.
    pub text: &'a str,
    /// The text the agent read (the three-way base when the buffer changed meanwhile).
    pub base: &'a str,
    /// `b:changedtick` when read, when known (informational; the guard is `base`).
    pub tick: Option<i64>,
}

impl<'a> From<&'a ChangeSet> for WireChange<'a> {
    fn from(c: &'a ChangeSet) -> WireChange<'a> {
        WireChange {
            chat: c.chat,
            root: &c.root,
            verification: &c.verification,
            note: &c.note,
            skipped: &c.skipped,
            checks: &c.checks,
            files: c
                .files
                .iter()
                .map(|f| WireFile {
                    path: &f.path,
                    text: &f.text,
                    base: &f.base,
                    tick: f.tick,
                })
                .collect(),
        }
    }
}

/// The reply of [`REQ_CHAT_RESUME`]: the chat's id (the newest one's for [`LAST_CHAT`]), its
/// title and its turns for the transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireResumed<'a> {
    /// The stored chat's id.
    pub id: &'a str,
    /// Its title (first message).
    pub title: &'a str,
    /// Its turns, oldest first.
    pub turns: Vec<WireTurn<'a>>,
}

/// One turn of a [`WireResumed`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireTurn<'a> {
    /// `chat` or `fix`.
    pub kind: crate::chat::store::TurnKind,
    /// `done` or `cut`.
    pub state: crate::chat::store::TurnState,
    /// Unix seconds.
    pub at: u64,
    /// The message (a fix run: its request).
    pub user: &'a str,
    /// The reply (a fix run: its outcome).
    pub assistant: &'a str,
    /// One-line notes shown under the reply.
    pub notes: &'a [String],
}

/// The argument of [`LUA_REVIEW_CHECKED`]: `{chat, id, ok, lines}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WireRecheck<'a> {
    /// Chat id the change set came from.
    pub chat: u64,
    /// The change set's id, as Lua sent it.
    pub id: u64,
    /// Every check passed.
    pub ok: bool,
    /// One summary line per check (`py_compile: ok`), then the checks that did not run.
    pub lines: &'a [String],
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
            Event::Retract { text } => WireKind::Retract { text },
            Event::Progress { text } => WireKind::Progress { text },
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

    /// `method`'s arguments as Lua sends them: one map.
    fn args(v: serde_json::Value) -> Vec<Value> {
        vec![super::super::value::from_json(&v)]
    }

    /// The message of decoding `v` as `T`, which must fail.
    fn refused<T: DeserializeOwned + std::fmt::Debug>(
        method: &str,
        v: serde_json::Value,
    ) -> String {
        decode::<T>(method, &args(v)).unwrap_err().to_string()
    }

    #[test]
    fn hello_decodes_and_names_its_fields() {
        let h: Hello = decode(
            REQ_HELLO,
            &args(serde_json::json!({"protocol": 1, "config": {"model": "m"}, "nvim": "0.11.0"})),
        )
        .unwrap();
        assert_eq!(h.protocol, 1);
        assert_eq!(h.config["model"], "m");
        assert_eq!(h.nvim, "0.11.0");
        assert_eq!(
            refused::<Hello>(REQ_HELLO, serde_json::json!({"config": {}, "nvim": "x"})),
            "hello: missing field `protocol`"
        );
        assert_eq!(
            refused::<Hello>(
                REQ_HELLO,
                serde_json::json!({"protocol": "1", "config": {}, "nvim": "x"})
            ),
            "hello: protocol: invalid type: string \"1\", expected u64"
        );
        let typo = refused::<Hello>(
            REQ_HELLO,
            serde_json::json!({"protocol": 1, "config": {}, "nvim": "x", "confg": {}}),
        );
        assert_eq!(
            typo,
            "hello: unknown field `confg`, expected one of `protocol`, `config`, `nvim`"
        );
        let nested = refused::<ChatSend>(
            NOTIFY_CHAT_SEND,
            serde_json::json!({"chat": 1, "text": "", "buffers": [{"path": "/a", "text": "", "tick": 1, "tik": 1}]}),
        );
        assert!(
            nested.starts_with("chat_send: buffers[0]: unknown field `tik`"),
            "{nested}"
        );
    }

    #[test]
    fn one_map_argument_is_required() {
        let e = decode::<ChatStop>(NOTIFY_CHAT_STOP, &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "chat_stop: expected one map argument, got 0 arguments"
        );
        let e = refused::<ChatStop>(NOTIFY_CHAT_STOP, serde_json::json!("stop"));
        assert_eq!(
            e,
            "chat_stop: invalid type: string \"stop\", expected a map {chat}"
        );
    }

    #[test]
    fn chat_send_decodes_the_editor_context() {
        let (chat, text, ctx) = decode::<ChatSend>(
            NOTIFY_CHAT_SEND,
            &args(serde_json::json!({
                "chat": 2, "text": "hi", "root": "/p", "file": "/p/a.py", "cursor": 7,
                "selection": {"line1": 3, "line2": 1, "text": "x = 1"},
                "buffers": [{"path": "/p/a.py", "text": "x = 1\n", "tick": 5}],
            })),
        )
        .unwrap()
        .into_parts();
        assert_eq!((chat, text.as_str()), (2, "hi"));
        assert_eq!(ctx.root.as_deref(), Some(std::path::Path::new("/p")));
        assert_eq!(ctx.cursor, Some(7));
        let sel = ctx.selection.unwrap();
        assert_eq!((sel.path, sel.lines), (None, (3, 3)));
        assert_eq!(ctx.buffers[0].tick, Some(5));
        // A slash command carries no editor context.
        let plain: ChatSend = decode(
            NOTIFY_CHAT_SEND,
            &args(serde_json::json!({"chat": 1, "text": "/budget"})),
        )
        .unwrap();
        assert!(plain.buffers.is_empty() && plain.root.is_none());
        assert_eq!(
            refused::<ChatSend>(NOTIFY_CHAT_SEND, serde_json::json!({"text": "hi"})),
            "chat_send: missing field `chat`"
        );
        assert_eq!(
            refused::<ChatSend>(
                NOTIFY_CHAT_SEND,
                serde_json::json!({"chat": "one", "text": "hi"})
            ),
            "chat_send: chat: invalid type: string \"one\", expected u64"
        );
        assert_eq!(
            refused::<ChatSend>(
                NOTIFY_CHAT_SEND,
                serde_json::json!({"chat": 1, "text": "hi", "buffers": [{"path": "/a", "text": ""}]})
            ),
            "chat_send: buffers[0]: missing field `tick`"
        );
        assert_eq!(
            refused::<ChatSend>(
                NOTIFY_CHAT_SEND,
                serde_json::json!({"chat": 1, "text": "hi", "selection": {"line1": 1, "line2": "2", "text": ""}})
            ),
            "chat_send: selection.line2: invalid type: string \"2\", expected u32"
        );
    }

    #[test]
    fn chat_send_names_its_stored_chat_and_named_context() {
        let (_, _, ctx) = decode::<ChatSend>(
            NOTIFY_CHAT_SEND,
            &args(serde_json::json!({
                "chat": 1, "text": "#quickfix", "session": "20250101-000000-abcd",
                "project": "/p",
                "quickfix": [{"file": "a.py", "line": 3, "col": 1, "text": "boom"}],
            })),
        )
        .unwrap()
        .into_parts();
        let s = ctx.session.unwrap();
        assert_eq!(
            (s.id.as_str(), s.project),
            ("20250101-000000-abcd", PathBuf::from("/p"))
        );
        assert_eq!(ctx.quickfix[0].to_string(), "a.py:3:1: boom");
        // A session without its project is not saved (no place to save it).
        let (_, _, ctx) = decode::<ChatSend>(
            NOTIFY_CHAT_SEND,
            &args(serde_json::json!({"chat": 1, "text": "x", "session": "s"})),
        )
        .unwrap()
        .into_parts();
        assert!(ctx.session.is_none());
        assert_eq!(
            refused::<ChatResume>(
                REQ_CHAT_RESUME,
                serde_json::json!({"chat": 1, "session": "s"})
            ),
            "chat_resume: missing field `project`"
        );
    }

    #[test]
    fn chat_stop_decodes() {
        let s: ChatStop = decode(NOTIFY_CHAT_STOP, &args(serde_json::json!({"chat": 3}))).unwrap();
        assert_eq!(s.chat, 3);
        assert_eq!(
            refused::<ChatStop>(NOTIFY_CHAT_STOP, serde_json::json!({})),
            "chat_stop: missing field `chat`"
        );
        assert_eq!(
            refused::<ChatStop>(NOTIFY_CHAT_STOP, serde_json::json!({"chat": -1})),
            "chat_stop: chat: invalid value: integer `-1`, expected u64"
        );
    }

    #[test]
    fn agent_run_decodes_errors_and_the_edit_format() {
        let good = serde_json::json!({
            "chat": 1, "text": "Fix the bug.", "root": "/p",
            "buffers": [{"path": "/p/calc.py", "text": "", "tick": 2}],
            "errors": [{"file": "calc.py", "line": 2, "col": 0, "text": "boom"}],
            "edit_format": "tools", "trusted": true,
        });
        let (chat, req) = decode::<AgentRun>(NOTIFY_AGENT_RUN, &args(good.clone()))
            .unwrap()
            .into_parts();
        assert_eq!(chat, 1);
        assert_eq!(req.edit_format, EditFormat::Tools);
        assert!(req.trusted);
        assert_eq!(req.root, PathBuf::from("/p"));
        assert_eq!(req.buffers[0].tick, Some(2));
        assert_eq!(req.errors[0].to_string(), "calc.py:2: boom");
        assert_eq!((req.errors[0].line, req.errors[0].col), (Some(2), None));
        // Repair templates are on unless `config.fix.repair_templates` turns them off.
        assert!(req.repair_templates);
        let mut off = good.clone();
        off["repair_templates"] = false.into();
        let (_, req) = decode::<AgentRun>(NOTIFY_AGENT_RUN, &args(off))
            .unwrap()
            .into_parts();
        assert!(!req.repair_templates);

        let mut bad = good.clone();
        bad["edit_format"] = "diff".into();
        assert_eq!(
            refused::<AgentRun>(NOTIFY_AGENT_RUN, bad),
            "agent_run: edit_format: unknown variant `diff`, expected `whole` or `tools`"
        );
        let mut bad = good.clone();
        bad.as_object_mut().unwrap().remove("root");
        assert_eq!(
            refused::<AgentRun>(NOTIFY_AGENT_RUN, bad),
            "agent_run: missing field `root`"
        );
        let mut bad = good;
        bad["errors"][0].as_object_mut().unwrap().remove("text");
        assert_eq!(
            refused::<AgentRun>(NOTIFY_AGENT_RUN, bad),
            "agent_run: errors[0]: missing field `text`"
        );
    }

    #[test]
    fn agent_run_takes_an_optional_range() {
        let base = serde_json::json!({
            "chat": 1, "text": "Fix it.", "root": "/p", "buffers": [], "errors": [],
            "edit_format": "whole", "trusted": false,
        });
        let (_, req) = decode::<AgentRun>(NOTIFY_AGENT_RUN, &args(base.clone()))
            .unwrap()
            .into_parts();
        assert_eq!(req.range, None);
        let mut with = base.clone();
        with["range"] = serde_json::json!({"path": "/p/calc.py", "line1": 4, "line2": 2});
        let (_, req) = decode::<AgentRun>(NOTIFY_AGENT_RUN, &args(with))
            .unwrap()
            .into_parts();
        assert_eq!(req.range, Some((PathBuf::from("/p/calc.py"), 4, 4)));
        let mut bad = base.clone();
        bad["range"] = serde_json::json!({"path": "/p/calc.py", "line1": 1});
        assert_eq!(
            refused::<AgentRun>(NOTIFY_AGENT_RUN, bad),
            "agent_run: range: missing field `line2`"
        );
        let mut bad = base;
        bad["range"] = serde_json::json!({"path": "/p/calc.py", "line1": 1, "line2": 2, "col": 3});
        assert!(refused::<AgentRun>(NOTIFY_AGENT_RUN, bad)
            .starts_with("agent_run: range: unknown field `col`"),);
    }

    #[test]
    fn agent_run_takes_user_tools_and_empty_lua_tables() {
        let base = serde_json::json!({
            "chat": 1, "text": "Fix it.", "root": "/p", "buffers": [], "errors": [],
            "edit_format": "tools", "trusted": true,
        });
        let (_, req) = decode::<AgentRun>(NOTIFY_AGENT_RUN, &args(base.clone()))
            .unwrap()
            .into_parts();
        assert!(req.user_tools.is_empty(), "left out = none");
        // Neovim sends an empty Lua table as an empty array, or as an empty map (empty_dict).
        for empty in [serde_json::json!([]), serde_json::json!({})] {
            let mut with = base.clone();
            with["user_tools"] = serde_json::json!([
                {"name": "now", "description": "The time", "params": empty.clone()},
                {"name": "shout", "description": "Upper-case", "params": [
                    {"name": "text", "type": "string", "required": true, "description": ""}
                ]},
            ]);
            let (_, req) = decode::<AgentRun>(NOTIFY_AGENT_RUN, &args(with))
                .unwrap()
                .into_parts();
            assert_eq!(req.user_tools.len(), 2);
            assert!(req.user_tools[0].2.is_empty());
            assert_eq!(req.user_tools[1].2[0].name, "text");
            let mut none = base.clone();
            none["user_tools"] = empty;
            let (_, req) = decode::<AgentRun>(NOTIFY_AGENT_RUN, &args(none))
                .unwrap()
                .into_parts();
            assert!(req.user_tools.is_empty());
        }
        let mut bad = base;
        bad["user_tools"] = serde_json::json!([{"name": "x"}]);
        assert!(refused::<AgentRun>(NOTIFY_AGENT_RUN, bad).starts_with("agent_run: user_tools"));
    }

    #[test]
    fn review_check_decodes_and_its_result_keeps_its_shape() {
        let r: ReviewCheck = decode(
            NOTIFY_REVIEW_CHECK,
            &args(serde_json::json!({
                "chat": 1, "id": 3, "root": "/p",
                "files": [{"path": "/p/calc.py", "text": "x = 1\n"}],
            })),
        )
        .unwrap();
        assert_eq!((r.chat, r.id, r.trusted), (1, 3, false));
        assert_eq!(r.files[0].text, "x = 1\n");
        assert_eq!(
            refused::<ReviewCheck>(
                NOTIFY_REVIEW_CHECK,
                serde_json::json!({"chat": 1, "id": 3, "root": "/p", "files": [{"path": "/p/a"}]})
            ),
            "review_check: files[0]: missing field `text`"
        );
        let lines = vec!["py_compile: ok".to_string()];
        let v = serde_json::to_value(WireRecheck {
            chat: 1,
            id: 3,
            ok: true,
            lines: &lines,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"chat": 1, "id": 3, "ok": true, "lines": ["py_compile: ok"]})
        );
    }

    #[test]
    fn a_change_set_carries_base_text_and_label() {
        let change = ChangeSet {
            chat: 2,
            root: "/p".into(),
            verification: "checked".into(),
            note: "no test ran add".into(),
            skipped: vec!["tests: project not trusted".into()],
            checks: vec!["py_compile: ok".into()],
            files: vec![crate::chat::FileEdit {
                path: "/p/calc.py".into(),
                text: "new\n".into(),
                base: "old\n".into(),
                tick: None,
            }],
        };
        let v = serde_json::to_value(WireChange::from(&change)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "chat": 2, "root": "/p", "verification": "checked", "note": "no test ran add",
                "skipped": ["tests: project not trusted"], "checks": ["py_compile: ok"],
                "files": [{"path": "/p/calc.py", "text": "new\n", "base": "old\n", "tick": null}],
            })
        );
    }

    #[test]
    fn graph_notifications_decode() {
        let q: GraphQuery = decode(
            NOTIFY_GRAPH_QUERY,
            &args(serde_json::json!({"root": "/p", "name": "add"})),
        )
        .unwrap();
        assert_eq!((q.root, q.name.as_str()), (PathBuf::from("/p"), "add"));
        assert_eq!(
            refused::<GraphQuery>(NOTIFY_GRAPH_QUERY, serde_json::json!({"root": "/p"})),
            "graph_query: missing field `name`"
        );
        let s: GraphStart =
            decode(NOTIFY_GRAPH_START, &args(serde_json::json!({"root": "/p"}))).unwrap();
        assert_eq!(s.root, PathBuf::from("/p"));
        assert_eq!(
            refused::<GraphStart>(NOTIFY_GRAPH_START, serde_json::json!({"root": 5})),
            "graph_start: root: invalid type: integer `5`, expected path string"
        );
        let b: GraphBuffer = decode(
            NOTIFY_GRAPH_BUFFER,
            &args(serde_json::json!({"root": "/p", "path": "/p/a.py", "text": "x\n"})),
        )
        .unwrap();
        assert_eq!(b.text, "x\n");
        assert_eq!(
            refused::<GraphBuffer>(
                NOTIFY_GRAPH_BUFFER,
                serde_json::json!({"root": "/p", "path": "/p/a.py"})
            ),
            "graph_buffer: missing field `text`"
        );
        for method in [NOTIFY_GRAPH_SAVED, NOTIFY_GRAPH_CLOSED] {
            let f: GraphFile = decode(
                method,
                &args(serde_json::json!({"root": "/p", "path": "/p/a.py"})),
            )
            .unwrap();
            assert_eq!(f.path, PathBuf::from("/p/a.py"));
            assert_eq!(
                refused::<GraphFile>(method, serde_json::json!({"root": "/p"})),
                format!("{method}: missing field `path`")
            );
        }
    }

    #[test]
    fn permission_answer_decodes_the_three_words_only() {
        let a: PermissionAnswer = decode(
            "permission_answer",
            &args(serde_json::json!({"id": 4, "answer": "always"})),
        )
        .unwrap();
        assert_eq!((a.id, a.answer), (4, Answer::Always));
        assert_eq!(
            refused::<PermissionAnswer>(
                "permission_answer",
                serde_json::json!({"id": 4, "answer": "yes"})
            ),
            "permission_answer: answer: unknown variant `yes`, expected one of `once`, `always`, `no`"
        );
        assert_eq!(
            refused::<PermissionAnswer>("permission_answer", serde_json::json!({"answer": "no"})),
            "permission_answer: missing field `id`"
        );
    }

    #[test]
    fn peek_reads_one_field_of_an_unreadable_map() {
        let a = args(serde_json::json!({"chat": 4, "text": 1}));
        assert_eq!(peek_u64(&a, "chat"), Some(4));
        assert_eq!(peek_u64(&a, "text"), Some(1));
        assert_eq!(peek_u64(&a, "root"), None);
        assert_eq!(peek_u64(&args(serde_json::json!("x")), "chat"), None);
        assert_eq!(peek_u64(&[], "chat"), None);
    }

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
