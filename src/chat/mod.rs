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

pub use sink::{EventSink, VecSink};

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
        Arc::new(Chats {
            config: std::sync::RwLock::new(config),
            endpoint: Mutex::new(None),
            sessions: std::sync::Mutex::new(HashMap::new()),
            sink,
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
                _ = this.run_turn(chat, text) => {}
            }
            this.finish_turn(chat, turn_id);
        })
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

    async fn run_turn(&self, chat: u64, text: String) {
        let started = Instant::now();
        let config = self.config();
        let endpoint = {
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
                    ep
                }
                Err(e) => {
                    tracing::warn!("[chat] endpoint: {e}");
                    self.emit(
                        chat,
                        Event::Error {
                            text: e.to_string(),
                        },
                    );
                    return;
                }
            }
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
