//! msgpack-rpc with Neovim over stdio: the handler for Lua's requests and notifications.
//!
//! nvim-rs spawns a task per request but handles notifications one at a time on its io loop, so
//! notification handlers only *start* work (`tokio::spawn`) and return. Requests answered here
//! are all quick (`hello`, `ping`) or bounded by short HTTP timeouts (`status`).

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
    NOTIFY_AGENT_RUN, NOTIFY_CHAT_SEND, NOTIFY_CHAT_STOP, PROTOCOL_VERSION, REQ_HELLO, REQ_PING,
    REQ_STATUS,
};
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
                let graphs = self.graphs.clone();
                chats.set_graph_source(Arc::new(move |root| graphs.open_indexed(root)));
                chats
            })
            .clone()
    }

    async fn hello(&self, args: &[Value], nvim: &Nvim) -> Result<Value, Value> {
        let arg = args.first().cloned().unwrap_or(Value::Nil);
        let get = |k: &str| match &arg {
            Value::Map(m) => m
                .iter()
                .find(|(key, _)| key.as_str() == Some(k))
                .map(|(_, v)| v.clone()),
            _ => None,
        };
        let theirs = get("protocol").and_then(|v| v.as_u64()).unwrap_or(0);
        if theirs != PROTOCOL_VERSION {
            return Err(Value::from(format!(
                "protocol mismatch: binary speaks {PROTOCOL_VERSION}, plugin sent {theirs}; rebuild with cargo build --release"
            )));
        }
        let config = Config::from_json(value::to_json(&get("config").unwrap_or(Value::Nil)))
            .map_err(Value::from)?;
        tracing::info!(
            "[rpc] hello from nvim {:?}",
            get("nvim").and_then(|v| v.as_str().map(str::to_string))
        );
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

fn chat_args(args: &[Value]) -> (u64, String) {
    let json = args.first().map(value::to_json).unwrap_or_default();
    let chat = json.get("chat").and_then(|c| c.as_u64()).unwrap_or(1);
    let text = json
        .get("text")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_string();
    (chat, text)
}

/// One `{file, line, col, text}` of `agent_run`'s `errors` (quickfix entries, diagnostics).
fn error_arg(v: &serde_json::Value) -> Option<smallcode_agent::check::Diagnostic> {
    let pos = |k: &str| {
        v.get(k)
            .and_then(|n| n.as_u64())
            .filter(|n| *n > 0)
            .map(|n| n as usize)
    };
    Some(smallcode_agent::check::Diagnostic {
        file: v.get("file")?.as_str()?.to_string(),
        line: pos("line"),
        col: pos("col"),
        message: v.get("text")?.as_str()?.to_string(),
    })
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
            other => Err(Value::from(format!("unknown request {other:?}"))),
        }
    }

    async fn handle_notify(&self, name: String, args: Vec<Value>, nvim: Nvim) {
        tracing::debug!("[rpc] <- notify {name}");
        match name.as_str() {
            NOTIFY_CHAT_SEND => {
                let (chat, text) = chat_args(&args);
                let json = args.first().map(value::to_json).unwrap_or_default();
                let ctx = crate::chat::EditorContext::from_json(&json);
                self.chats(&nvim).send_with(chat, text, ctx);
            }
            NOTIFY_AGENT_RUN => {
                let (chat, text) = chat_args(&args);
                let json = args.first().map(value::to_json).unwrap_or_default();
                let root = json
                    .get("root")
                    .and_then(|r| r.as_str())
                    .unwrap_or(".")
                    .into();
                let buffers = json
                    .get("buffers")
                    .and_then(|b| b.as_array())
                    .map(|list| {
                        list.iter()
                            .filter_map(|b| {
                                Some(crate::chat::LiveBuffer {
                                    path: b.get("path")?.as_str()?.into(),
                                    text: b.get("text")?.as_str()?.to_string(),
                                    tick: b.get("tick").and_then(|t| t.as_i64()),
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let errors = json
                    .get("errors")
                    .and_then(|b| b.as_array())
                    .map(|list| list.iter().filter_map(error_arg).collect())
                    .unwrap_or_default();
                let req = crate::chat::AgentRequest {
                    text,
                    root,
                    buffers,
                    errors,
                    edit_format: json
                        .get("edit_format")
                        .and_then(|f| f.as_str())
                        .and_then(|f| f.parse().ok())
                        .unwrap_or_default(),
                };
                self.chats(&nvim).agent(chat, req);
            }
            protocol::NOTIFY_GRAPH_QUERY => {
                let json = args.first().map(value::to_json).unwrap_or_default();
                let name = json_str(&json, "name").to_string();
                self.graphs.query(nvim, json_path(&json, "root"), name);
            }
            protocol::NOTIFY_GRAPH_START => {
                let json = args.first().map(value::to_json).unwrap_or_default();
                self.graphs.start(nvim, json_path(&json, "root"));
            }
            protocol::NOTIFY_GRAPH_BUFFER => {
                let json = args.first().map(value::to_json).unwrap_or_default();
                let text = json_str(&json, "text").to_string();
                let (root, path) = (json_path(&json, "root"), json_path(&json, "path"));
                self.graphs.buffer(root, path, text);
            }
            protocol::NOTIFY_GRAPH_SAVED => {
                let json = args.first().map(value::to_json).unwrap_or_default();
                let (root, path) = (json_path(&json, "root"), json_path(&json, "path"));
                self.graphs.saved(root, path);
            }
            protocol::NOTIFY_GRAPH_CLOSED => {
                let json = args.first().map(value::to_json).unwrap_or_default();
                let (root, path) = (json_path(&json, "root"), json_path(&json, "path"));
                self.graphs.closed(root, path);
            }
            NOTIFY_CHAT_STOP => {
                let (chat, _) = chat_args(&args);
                let stopped = self.chats(&nvim).stop(chat);
                tracing::info!(
                    "[chat] stop chat {chat}: {}",
                    if stopped {
                        "cancelled"
                    } else {
                        "nothing in flight"
                    }
                );
            }
            permission::NOTIFY_ANSWER => permission::questions().answer(&args),
            other => tracing::warn!("[rpc] unknown notification {other:?}"),
        }
    }
}

/// String field `key` of a notification's argument map ("" when missing).
fn json_str<'a>(json: &'a serde_json::Value, key: &str) -> &'a str {
    json.get(key).and_then(|v| v.as_str()).unwrap_or_default()
}

/// Path field `key` of a notification's argument map ("." when missing).
fn json_path(json: &serde_json::Value, key: &str) -> std::path::PathBuf {
    match json_str(json, key) {
        "" => ".".into(),
        s => s.into(),
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

/// Applies verified edits to Neovim buffers through `lua/smallcode/edit.lua`.
struct NvimEditor(Nvim);

#[async_trait]
impl crate::chat::Editor for NvimEditor {
    async fn apply(&self, edits: Vec<crate::chat::FileEdit>) -> Result<Vec<String>, String> {
        let reply = self
            .0
            .exec_lua(protocol::LUA_APPLY_EDITS, vec![value::to_value(&edits)])
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
}
