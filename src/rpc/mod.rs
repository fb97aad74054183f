//! msgpack-rpc with Neovim over stdio: the handler for Lua's requests and notifications.
//!
//! nvim-rs spawns a task per request but handles notifications one at a time on its io loop, so
//! notification handlers only *start* work (`tokio::spawn`) and return. Requests answered here
//! are all quick (`hello`, `ping`) or bounded by short HTTP timeouts (`status`).
//!
//! Arguments are decoded into the structs of [`protocol`]; one that cannot be read is answered
//! with an error naming the method and the field (requests), or shown to the user
//! (notifications, see `Handler::refuse`), never replaced by a default.

pub mod buffers;
pub mod graph;
pub mod permission;
pub mod protocol;
pub mod push;
pub mod value;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use nvim_rs::compat::tokio::Compat;
use rmpv::Value;

use crate::chat::Chats;
use protocol::{
    decode, AgentRun, ChatSend, ChatStop, DecodeError, ReviewCheck, NOTIFY_AGENT_RUN,
    NOTIFY_CHAT_SEND, NOTIFY_CHAT_STOP, NOTIFY_GRAPH_BUFFER, NOTIFY_GRAPH_CLOSED,
    NOTIFY_GRAPH_QUERY, NOTIFY_GRAPH_SAVED, NOTIFY_GRAPH_START, NOTIFY_REVIEW_CHECK,
    PROTOCOL_VERSION, REQ_CHATS_DELETE, REQ_CHATS_LIST, REQ_CHAT_RESUME, REQ_HELLO, REQ_PING,
    REQ_STATUS, REQ_SYMBOLS,
};
use smallcode_agent::permission::Answer;
use smallcode_llm::config::Config;

/// The Neovim handle type for a process started by `jobstart(…, {rpc = true})`.
pub type Nvim = nvim_rs::Neovim<Compat<tokio::fs::File>>;

/// Request/notification handler. Chat state is created on the first message, when the pusher
/// (which needs the Neovim handle) can be started.
#[derive(Clone)]
pub struct Handler {
    chats: Arc<std::sync::OnceLock<Arc<Chats>>>,
    pending_config: Arc<std::sync::Mutex<Config>>,
    log_file: PathBuf,
    graphs: graph::Graphs,
}

impl Handler {
    fn chats(&self, nvim: &Nvim) -> Arc<Chats> {
        self.chats
            .get_or_init(|| {
                let config = self
                    .pending_config
                    .lock()
                    .map(|c| c.clone())
                    .unwrap_or_default();
                let chats = Chats::with_editor(
                    config,
                    Arc::new(push::spawn(nvim.clone())),
                    Some(Arc::new(NvimEditor(nvim.clone()))),
                );
                chats.set_graph_source(Arc::new(self.graphs.clone()));
                chats
            })
            .clone()
    }

    async fn hello(&self, args: &[Value], nvim: &Nvim) -> Result<Value, Value> {
        // A plugin of another version may send another shape: the mismatch is what to report.
        if let Some(theirs) = protocol::peek_u64(args, "protocol") {
            if theirs != PROTOCOL_VERSION {
                return Err(Value::from(format!(
                    "protocol mismatch: binary speaks {PROTOCOL_VERSION}, plugin sent {theirs}; rebuild with cargo build --release"
                )));
            }
        }
        let hello: protocol::Hello = protocol::decode(REQ_HELLO, args).map_err(|e| {
            tracing::warn!("[rpc] {e}");
            Value::from(e.to_string())
        })?;
        let config = Config::from_json(hello.config).map_err(Value::from)?;
        tracing::info!("[rpc] hello from nvim {}", hello.nvim);
        if let Ok(mut p) = self.pending_config.lock() {
            *p = config.clone();
        }
        self.chats(nvim).set_config(config).await;
        Ok(Value::Map(vec![
            ("protocol".into(), Value::from(PROTOCOL_VERSION)),
            ("version".into(), Value::from(env!("CARGO_PKG_VERSION"))),
            (
                "log_file".into(),
                Value::from(self.log_file.display().to_string()),
            ),
            ("pid".into(), Value::from(std::process::id())),
        ]))
    }

    async fn status(&self, nvim: &Nvim) -> Value {
        let chats = self.chats(nvim);
        let config = chats.config();
        let mut m = serde_json::json!({
            "provider": config.provider.map(|p| p.as_str()),
            "endpoint": config.endpoint,
            "model": config.model,
            "log_file": self.log_file.display().to_string(),
        });
        match chats.endpoint().await {
            Ok(ep) => {
                m["provider"] = ep.provider.as_str().into();
                m["server"] = ep.kind.label().into();
                m["endpoint"] = ep.url.clone().into();
                m["model"] = ep.model.clone().into();
                m["context"] = ep.context.into();
                m["context_probed"] = ep.context_probed.into();
                m["tools"] = serde_json::json!(ep.tools);
                m["source"] = ep.source.into();
                m["models"] = serde_json::json!(ep.models);
            }
            Err(e) => m["error"] = e.to_string().into(),
        }
        value::from_json(&m)
    }
}

impl Handler {
    /// The stored-chat requests: `chats_list`, `chat_resume`, `chats_delete`.
    async fn chats_request(&self, name: &str, args: &[Value], nvim: &Nvim) -> Result<Value, Value> {
        let refuse = |e: DecodeError| {
            tracing::warn!("[rpc] {e}");
            Value::from(e.to_string())
        };
        let chats = self.chats(nvim);
        let reply = match name {
            REQ_CHATS_LIST => {
                let q = decode::<protocol::ChatsList>(name, args).map_err(refuse)?;
                let list = chats.list_stored(&q.project).await.map_err(Value::from)?;
                serde_json::to_value(list).unwrap_or_default()
            }
            REQ_CHAT_RESUME => {
                let q = decode::<protocol::ChatResume>(name, args).map_err(refuse)?;
                // `last`: the newest chat, found here rather than by a list request first.
                let t0 = std::time::Instant::now();
                let id = if q.session == protocol::LAST_CHAT {
                    let list = chats.list_stored(&q.project).await.map_err(Value::from)?;
                    match list.first() {
                        Some(c) => c.id.clone(),
                        None => {
                            return Err(Value::from(format!(
                                "no saved chats for {}",
                                q.project.display()
                            )))
                        }
                    }
                } else {
                    q.session
                };
                let r = crate::chat::SessionRef {
                    id: id.clone(),
                    project: q.project,
                };
                let loaded = chats.resume(q.chat, &r).await.map_err(Value::from)?;
                // Straight to msgpack: a 500-turn chat is ~1 MB of text.
                let wire = protocol::WireResumed {
                    id: &id,
                    title: loaded.meta.as_ref().map_or("", |m| m.title.as_str()),
                    turns: loaded
                        .turns
                        .iter()
                        .map(|(_, t)| protocol::WireTurn {
                            kind: t.kind,
                            state: t.state,
                            at: t.at,
                            user: &t.user,
                            assistant: &t.assistant,
                            notes: &t.notes,
                        })
                        .collect(),
                };
                let v = value::to_value(&wire);
                tracing::debug!(
                    "[rpc] chat_resume {id}: answered in {:.1} ms",
                    t0.elapsed().as_secs_f64() * 1000.0
                );
                return Ok(v);
            }
            _ => {
                let q = decode::<protocol::ChatsDelete>(name, args).map_err(refuse)?;
                chats
                    .delete_stored(&q.project, &q.id)
                    .await
                    .map_err(Value::from)?;
                serde_json::Value::Bool(true)
            }
        };
        Ok(value::from_json(&reply))
    }

    /// `symbols({root, prefix})`: definition names for completion, from the graph as loaded.
    async fn symbols(&self, args: &[Value]) -> Result<Value, Value> {
        let q = decode::<protocol::Symbols>(REQ_SYMBOLS, args)
            .map_err(|e| Value::from(e.to_string()))?;
        let graphs = self.graphs.clone();
        let names = tokio::task::spawn_blocking(move || graphs.names(&q.root, &q.prefix, 50))
            .await
            .map_err(|e| Value::from(e.to_string()))?
            .map_err(Value::from)?;
        Ok(Value::Array(names.into_iter().map(Value::from).collect()))
    }

    /// Starts what notification `name` asks for; `Err` when its arguments cannot be read.
    fn notify(&self, name: &str, args: &[Value], nvim: &Nvim) -> Result<(), DecodeError> {
        match name {
            NOTIFY_CHAT_SEND => {
                let (chat, text, ctx) = decode::<ChatSend>(name, args)?.into_parts();
                self.chats(nvim).send_with(chat, text, ctx);
            }
            NOTIFY_AGENT_RUN => {
                let (chat, req) = decode::<AgentRun>(name, args)?.into_parts();
                self.chats(nvim).agent(chat, req);
            }
            NOTIFY_REVIEW_CHECK => {
                let req = decode::<ReviewCheck>(name, args)?;
                tokio::spawn(review_check(nvim.clone(), req));
            }
            NOTIFY_CHAT_STOP => {
                let chat = decode::<ChatStop>(name, args)?.chat;
                let stopped = self.chats(nvim).stop(chat);
                tracing::info!(
                    "[chat] stop chat {chat}: {}",
                    if stopped {
                        "cancelled"
                    } else {
                        "nothing in flight"
                    }
                );
            }
            NOTIFY_GRAPH_QUERY => {
                let q = decode::<protocol::GraphQuery>(name, args)?;
                self.graphs.query(nvim.clone(), q.root, q.name);
            }
            NOTIFY_GRAPH_START => {
                let q = decode::<protocol::GraphStart>(name, args)?;
                self.graphs.start(nvim.clone(), q.root);
            }
            NOTIFY_GRAPH_BUFFER => {
                let b = decode::<protocol::GraphBuffer>(name, args)?;
                self.graphs.buffer(b.root, b.path, b.text);
            }
            NOTIFY_GRAPH_SAVED => {
                let f = decode::<protocol::GraphSaved>(name, args)?;
                self.graphs.saved(f.root, f.path);
            }
            NOTIFY_GRAPH_CLOSED => {
                let f = decode::<protocol::GraphClosed>(name, args)?;
                self.graphs.closed(f.root, f.path);
            }
            permission::NOTIFY_ANSWER => match decode::<protocol::PermissionAnswer>(name, args) {
                Ok(a) => permission::questions().answer(a.id, a.answer),
                Err(e) => {
                    // Unanswered, the question would hold the agent until its timeout.
                    if let Some(id) = protocol::peek_u64(args, "id") {
                        permission::questions().answer(id, Answer::No);
                    }
                    return Err(e);
                }
            },
            other => return Err(DecodeError::Unknown(other.to_string())),
        }
        Ok(())
    }

    /// Tells the user about a notification that could not be read (it has no reply to carry
    /// the error): in the chat it was meant for, when that is known (the chat is waiting for
    /// a reply that will not come), else through `vim.notify`.
    fn refuse(&self, name: &str, args: &[Value], nvim: &Nvim, err: DecodeError) {
        let text = err.to_string();
        tracing::warn!("[rpc] {text}");
        let chat = matches!(
            name,
            NOTIFY_CHAT_SEND | NOTIFY_AGENT_RUN | NOTIFY_REVIEW_CHECK
        )
        .then(|| protocol::peek_u64(args, "chat"))
        .flatten();
        if let Some(chat) = chat {
            self.chats(nvim).error(chat, text);
            return;
        }
        // Not awaited here: notifications are handled on the io loop, which must stay free to
        // read the reply.
        let nvim = nvim.clone();
        tokio::spawn(async move {
            if let Err(e) = nvim
                .exec_lua(protocol::LUA_WARN, vec![Value::from(text)])
                .await
            {
                tracing::warn!("[rpc] could not show the warning: {e}");
            }
        });
    }
}

#[async_trait]
impl nvim_rs::Handler for Handler {
    type Writer = Compat<tokio::fs::File>;

    async fn handle_request(
        &self,
        name: String,
        args: Vec<Value>,
        nvim: Nvim,
    ) -> Result<Value, Value> {
        tracing::debug!("[rpc] <- request {name}");
        match name.as_str() {
            REQ_PING => Ok(Value::from("pong")),
            REQ_HELLO => self.hello(&args, &nvim).await,
            REQ_STATUS => Ok(self.status(&nvim).await),
            REQ_CHATS_LIST | REQ_CHAT_RESUME | REQ_CHATS_DELETE => {
                self.chats_request(&name, &args, &nvim).await
            }
            REQ_SYMBOLS => self.symbols(&args).await,
            other => Err(Value::from(format!("unknown request {other:?}"))),
        }
    }

    async fn handle_notify(&self, name: String, args: Vec<Value>, nvim: Nvim) {
        tracing::debug!("[rpc] <- notify {name}");
        if let Err(e) = self.notify(&name, &args, &nvim) {
            self.refuse(&name, &args, &nvim, e);
        }
    }
}

/// Serves Neovim on stdin/stdout until Neovim closes the channel.
pub fn serve_stdio() -> ExitCode {
    let log_file = crate::logging::init(&crate::logging::default_log_path());
    tracing::info!(
        "[rpc] smallcode {} starting (pid {})",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    // Folders a killed process left in $TMPDIR (its drops never ran); off the RPC path.
    std::thread::spawn(|| {
        let n = smallcode_agent::workspace::tempdir::sweep_stale(
            smallcode_agent::workspace::tempdir::RUN_TAGS,
            std::time::Duration::from_secs(3600),
        );
        if n > 0 {
            tracing::info!("[rpc] removed {n} stale smallcode-* temp folder(s)");
        }
    });
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("smallcode: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let handler = Handler {
        chats: Arc::new(std::sync::OnceLock::new()),
        pending_config: Arc::new(std::sync::Mutex::new(Config::default())),
        log_file,
        graphs: graph::Graphs::default(),
    };
    let result = rt.block_on(async move {
        let (_nvim, io) = nvim_rs::create::tokio::new_parent(handler).await?;
        match io.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) if e.is_reader_error() => Ok(()), // Neovim closed the channel: normal exit
            Ok(Err(e)) => Err(anyhow::anyhow!("rpc loop failed: {e}")),
            Err(e) => Err(anyhow::anyhow!("rpc task failed: {e}")),
        }
    });
    match result {
        Ok(()) => {
            tracing::info!("[rpc] channel closed, exiting");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("[rpc] {e:#}");
            eprintln!("smallcode: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a [`NOTIFY_REVIEW_CHECK`] (`crate::chat::review::recheck`) and hands the result to
/// `lua/smallcode/review.lua`.
async fn review_check(nvim: Nvim, req: ReviewCheck) {
    let files: Vec<_> = req.files.into_iter().map(|f| (f.path, f.text)).collect();
    tracing::info!(
        "[review] re-check of change {} ({} files, trusted: {})",
        req.id,
        files.len(),
        req.trusted
    );
    let r = crate::chat::review::recheck(
        &req.root,
        &files,
        req.trusted,
        crate::chat::review::CHECK_TIMEOUT,
    )
    .await;
    let wire = protocol::WireRecheck {
        chat: req.chat,
        id: req.id,
        ok: r.ok,
        lines: &r.lines,
    };
    if let Err(e) = nvim
        .exec_lua(protocol::LUA_REVIEW_CHECKED, vec![value::to_value(&wire)])
        .await
    {
        tracing::warn!("[review] could not deliver the re-check of {}: {e}", req.id);
    }
}

/// Hands change sets to `lua/smallcode/review.lua` (review in the buffers, or landed at once).
struct NvimEditor(Nvim);

#[async_trait]
impl crate::chat::Editor for NvimEditor {
    async fn land(&self, change: crate::chat::ChangeSet) -> Result<Vec<String>, String> {
        let wire = protocol::WireChange::from(&change);
        let reply = self
            .0
            .exec_lua(protocol::LUA_REVIEW_CHANGE, vec![value::to_value(&wire)])
            .await
            .map_err(|e| e.to_string())?;
        Ok(match value::to_json(&reply) {
            serde_json::Value::Array(lines) => lines
                .iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect(),
            other => vec![other.to_string()],
        })
    }

    fn live_buffers(&self) -> Option<Arc<dyn smallcode_agent::tools::LiveBuffers>> {
        Some(Arc::new(buffers::NvimBuffers(self.0.clone())))
    }

    fn asker(&self) -> Option<Arc<dyn smallcode_agent::permission::Asker>> {
        Some(Arc::new(permission::NvimAsker {
            nvim: self.0.clone(),
            questions: Arc::clone(permission::questions()),
        }))
    }

    fn user_tools(&self) -> Option<Arc<dyn smallcode_agent::tools::user::UserToolCaller>> {
        Some(Arc::new(NvimTools(self.0.clone())))
    }
}

/// Runs the user's tools in Lua (`require('smallcode.tools').call`), which answers
/// `{ok = bool, text = string}`.
struct NvimTools(Nvim);

#[async_trait]
impl smallcode_agent::tools::user::UserToolCaller for NvimTools {
    async fn call(&self, name: &str, args: &serde_json::Value) -> Result<String, String> {
        let reply = self
            .0
            .exec_lua(
                protocol::LUA_CALL_TOOL,
                vec![Value::from(name), value::from_json(args)],
            )
            .await
            .map_err(|e| format!("the editor could not run it: {e}"))?;
        let reply = value::to_json(&reply);
        let text = reply["text"].as_str().unwrap_or("").to_string();
        if reply["ok"].as_bool() == Some(true) {
            Ok(text)
        } else {
            Err(text)
        }
    }
}
