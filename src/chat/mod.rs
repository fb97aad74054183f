//! Plain streamed chat: one conversation per chat id, one turn in flight per chat.
//!
//! A turn resolves the endpoint (once, then cached), sends the history, and forwards the streamed
//! reply to the [`EventSink`]. Every turn owns a [`CancellationToken`]; `stop` or a new message
//! cancels it, which drops the HTTP request. Failures end as one `Error` event and leave the
//! history as it was before the turn, so the next message works.

pub mod sink;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

pub use sink::{Editor, EventSink, FileEdit, VecSink};

use crate::config::Config;
use crate::llm::{
    discover, ChatRequest, Endpoint, LlmClient, LlmError, Message, Role, StreamEvent,
};
use crate::rpc::protocol::{ChatEvent, Event};

/// Shared state of all chats in this process.
pub struct Chats {
    config: std::sync::RwLock<Config>,
    endpoint: Mutex<Option<Endpoint>>,
    sessions: std::sync::Mutex<HashMap<u64, Session>>,
    sink: Arc<dyn EventSink>,
    editor: Option<Arc<dyn Editor>>,
}

#[derive(Default)]
struct Session {
    history: Vec<Message>,
    turn: Option<(u64, CancellationToken)>,
    next_turn: u64,
}

impl Chats {
    /// Creates the chat state; events go to `sink`.
    pub fn new(config: Config, sink: Arc<dyn EventSink>) -> Arc<Chats> {
        Chats::with_editor(config, sink, None)
    }

    /// Like [`Chats::new`], with an editor that agent turns apply verified edits through.
    pub fn with_editor(
        config: Config,
        sink: Arc<dyn EventSink>,
        editor: Option<Arc<dyn Editor>>,
    ) -> Arc<Chats> {
        Arc::new(Chats {
            config: std::sync::RwLock::new(config),
            endpoint: Mutex::new(None),
            sessions: std::sync::Mutex::new(HashMap::new()),
            sink,
            editor,
        })
    }

    /// Replaces the configuration; the next turn re-resolves the endpoint.
    pub async fn set_config(&self, config: Config) {
        if let Ok(mut c) = self.config.write() {
            *c = config;
        }
        *self.endpoint.lock().await = None;
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> Config {
        self.config.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// The resolved endpoint, probing the server when not cached yet.
    pub async fn endpoint(&self) -> Result<Endpoint, LlmError> {
        let mut guard = self.endpoint.lock().await;
        if let Some(ep) = guard.as_ref() {
            return Ok(ep.clone());
        }
        let ep = discover::resolve(&self.config()).await?;
        tracing::info!("[llm] {}", ep.info_text());
        *guard = Some(ep.clone());
        Ok(ep)
    }

    fn emit(&self, chat: u64, event: Event) {
        self.sink.send(ChatEvent { chat, event });
    }

    /// Starts a turn in `chat` with the user's `text`, cancelling a turn still in flight there.
    /// Returns at once; the turn runs as its own task.
    pub fn send(self: &Arc<Self>, chat: u64, text: String) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        self.spawn_turn(chat, async move { this.run_turn(chat, text).await })
    }

    /// Starts an agent turn in `chat`: the harness works on `root` (live `buffers` win over
    /// files), and a change set that passes its checks lands through the editor as buffer
    /// changes. Cancels a turn still in flight there.
    pub fn agent(
        self: &Arc<Self>,
        chat: u64,
        request: AgentRequest,
    ) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        self.spawn_turn(chat, async move { this.run_agent(chat, request).await })
    }

    fn spawn_turn(
        self: &Arc<Self>,
        chat: u64,
        turn: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let token = CancellationToken::new();
        let turn_id = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            let s = sessions.entry(chat).or_default();
            if let Some((_, old)) = s.turn.take() {
                old.cancel();
            }
            s.next_turn += 1;
            s.turn = Some((s.next_turn, token.clone()));
            s.next_turn
        };
        let this = Arc::clone(self);
        tokio::spawn(async move {
            tokio::select! {
                _ = token.cancelled() => this.emit(chat, Event::Cancelled),
                _ = turn => {}
            }
            this.finish_turn(chat, turn_id);
        })
    }

    async fn run_agent(&self, chat: u64, req: AgentRequest) {
        let started = Instant::now();
        let config = self.config();
        let Some(endpoint) = self.announce_endpoint(chat).await else {
            return;
        };
        let api_key = match api_key(&config) {
            Ok(k) => k,
            Err(e) => {
                self.emit(chat, Event::Error { text: e });
                return;
            }
        };
        let client = LlmClient::new(endpoint, config.timeouts, api_key);
        self.emit(chat, Event::Start);
        let steps = ChatSteps {
            chat,
            sink: Arc::clone(&self.sink),
        };
        let cfg = crate::agent::AgentConfig {
            apply_to_disk: false,
            buffers: req
                .buffers
                .iter()
                .map(|b| (b.path.clone(), b.text.clone()))
                .collect(),
            ..Default::default()
        };
        let never = CancellationToken::new(); // the turn's own token cancels this whole future
        let report = match req.edit_format {
            crate::agent::EditFormat::Tools => {
                let opts = crate::agent::tool_loop::ToolOptions {
                    asker: self.editor.as_ref().and_then(|e| e.asker()),
                    ..Default::default()
                };
                let root = req.root.clone();
                crate::agent::tool_loop::run(root, &req.text, &client, &cfg, &opts, &steps, &never)
                    .await
            }
            crate::agent::EditFormat::Whole => {
                crate::agent::run(req.root.clone(), &req.text, &client, &cfg, &steps, &never).await
            }
        };
        if !report.passed {
            self.emit(
                chat,
                Event::Error {
                    text: format!("the agent did not finish: {}", report.outcome),
                },
            );
            return;
        }
        let edits: Vec<FileEdit> = report
            .staged
            .iter()
            .map(|(path, text)| FileEdit {
                path: path.display().to_string(),
                text: text.clone(),
                tick: req
                    .buffers
                    .iter()
                    .find(|b| b.path.canonicalize().ok().as_ref() == Some(path))
                    .and_then(|b| b.tick),
            })
            .collect();
        match &self.editor {
            Some(editor) => match editor.apply(edits).await {
                Ok(lines) => {
                    for l in lines {
                        self.emit(chat, Event::Info { text: l });
                    }
                }
                Err(e) => {
                    self.emit(
                        chat,
                        Event::Error {
                            text: format!("applying the verified edits failed: {e}"),
                        },
                    );
                    return;
                }
            },
            None => {
                self.emit(
                    chat,
                    Event::Error {
                        text: "no editor to apply the edits to".into(),
                    },
                );
                return;
            }
        }
        self.emit(
            chat,
            Event::Done {
                prompt_tokens: Some(report.tokens_in),
                completion_tokens: Some(report.tokens_out),
                elapsed_ms: started.elapsed().as_millis() as u64,
            },
        );
    }

    /// Cancels the turn in flight in `chat`, if any. Returns whether there was one.
    pub fn stop(&self, chat: u64) -> bool {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        match sessions.get_mut(&chat).and_then(|s| s.turn.take()) {
            Some((_, token)) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn finish_turn(&self, chat: u64, turn_id: u64) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = sessions.get_mut(&chat) {
            if s.turn.as_ref().is_some_and(|(id, _)| *id == turn_id) {
                s.turn = None;
            }
        }
    }

    fn history(&self, chat: u64) -> Vec<Message> {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .get(&chat)
            .map(|s| s.history.clone())
            .unwrap_or_default()
    }

    fn record(&self, chat: u64, user: String, reply: String) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let s = sessions.entry(chat).or_default();
        s.history.push(Message::new(Role::User, user));
        s.history.push(Message::new(Role::Assistant, reply));
    }

    /// The endpoint for a turn; the first time, tells the chat which server and model were
    /// picked. `None` after emitting the error line.
    async fn announce_endpoint(&self, chat: u64) -> Option<Endpoint> {
        let cached = self.endpoint.lock().await.is_some();
        match self.endpoint().await {
            Ok(ep) => {
                if !cached {
                    self.emit(
                        chat,
                        Event::Status {
                            text: ep.status_text(),
                        },
                    );
                    self.emit(
                        chat,
                        Event::Info {
                            text: ep.info_text(),
                        },
                    );
                }
                Some(ep)
            }
            Err(e) => {
                tracing::warn!("[chat] endpoint: {e}");
                self.emit(
                    chat,
                    Event::Error {
                        text: e.to_string(),
                    },
                );
                None
            }
        }
    }

    async fn run_turn(&self, chat: u64, text: String) {
        let started = Instant::now();
        let config = self.config();
        let Some(endpoint) = self.announce_endpoint(chat).await else {
            return;
        };
        let api_key = match api_key(&config) {
            Ok(k) => k,
            Err(e) => {
                self.emit(chat, Event::Error { text: e });
                return;
            }
        };
        let mut messages = vec![Message::new(Role::System, config.system_prompt.clone())];
        messages.extend(self.history(chat));
        messages.push(Message::new(Role::User, text.clone()));
        let req = ChatRequest {
            messages,
            max_tokens: config.max_tokens,
            temperature: config.temperature,
            num_ctx: Some(endpoint.context),
            ..Default::default()
        };
        let client = LlmClient::new(endpoint, config.timeouts, api_key);
        self.emit(chat, Event::Start);
        let sink = &self.sink;
        let mut on_event = |ev: &StreamEvent| {
            if let StreamEvent::Content(t) = ev {
                sink.send(ChatEvent {
                    chat,
                    event: Event::Delta { text: t.clone() },
                });
            }
        };
        match client.chat(&req, &mut on_event).await {
            Ok(done) => {
                self.record(chat, text, done.content.clone());
                self.emit(
                    chat,
                    Event::Done {
                        prompt_tokens: done.usage.prompt_tokens,
                        completion_tokens: done.usage.completion_tokens,
                        elapsed_ms: started.elapsed().as_millis() as u64,
                    },
                );
            }
            Err(e) => {
                tracing::warn!("[chat] turn failed: {e}");
                if matches!(e, LlmError::Connect { .. }) {
                    // The server may have moved or restarted: re-discover next time.
                    *self.endpoint.lock().await = None;
                }
                self.emit(
                    chat,
                    Event::Error {
                        text: e.to_string(),
                    },
                );
            }
        }
    }
}

/// The API key from the configured environment variable or command (never from a file in the
/// project). `None` when neither is configured.
pub fn api_key(config: &Config) -> Result<Option<String>, String> {
    if let Some(var) = &config.api_key_env {
        return match std::env::var(var) {
            Ok(k) if !k.trim().is_empty() => Ok(Some(k.trim().to_string())),
            _ => Err(format!("api_key_env names ${var}, but it is not set")),
        };
    }
    if let Some(cmd) = &config.api_key_cmd {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("api_key_cmd could not run: {e}"))?;
        let key = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        if !out.status.success() || key.is_empty() {
            return Err(format!(
                "api_key_cmd failed ({}) or printed nothing",
                out.status
            ));
        }
        return Ok(Some(key));
    }
    Ok(None)
}

/// What `:SmallCode fix` sends: the request, the project root and the live buffers.
#[derive(Debug, Clone, Default)]
pub struct AgentRequest {
    /// The user's request (with the selection quoted, when there was one).
    pub text: String,
    /// Project root the agent is confined to.
    pub root: std::path::PathBuf,
    /// Loaded buffers whose text wins over the files on disk.
    pub buffers: Vec<LiveBuffer>,
    /// `whole` (the small-model harness) or `tools` (the compound tool surface).
    pub edit_format: crate::agent::EditFormat,
}

/// One editor buffer's current text.
#[derive(Debug, Clone)]
pub struct LiveBuffer {
    /// Absolute file path.
    pub path: std::path::PathBuf,
    /// Text as in the buffer (unsaved changes included).
    pub text: String,
    /// `b:changedtick` when read; an edit lands only if it has not moved.
    pub tick: Option<i64>,
}

/// Shows agent steps in the chat as info lines.
struct ChatSteps {
    chat: u64,
    sink: Arc<dyn EventSink>,
}

impl crate::agent::sink::Steps for ChatSteps {
    fn step(&self, text: &str) {
        self.sink.send(ChatEvent {
            chat: self.chat,
            event: Event::Info {
                text: text.to_string(),
            },
        });
    }
    fn model_text(&self, _: &str) {}
}
