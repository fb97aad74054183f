//! One streamed model request with watchdogs.
//!
//! The editor must never wait on a model server, and a local server fails in every way: it
//! refuses connections, answers 503 while loading, stalls, drops the connection, or sends
//! garbage. Every one of those ends here as an [`LlmError`] within a bounded time:
//! - before the first token, the whole wait is bounded by `timeouts.first_token` (a CPU server
//!   may be silent for tens of seconds while it reads a long prompt);
//! - after it, every gap between chunks is bounded by `timeouts.idle`.
//!
//! Cancellation is dropping the future: the response and its connection are dropped with it.

use std::time::Instant;

use tokio::time::{timeout_at, Instant as TokioInstant};

use super::discover::Endpoint;
use super::ndjson::NdjsonParser;
use super::sse::SseParser;
use super::{ollama, openai, ChatRequest, LlmError, StreamEvent, Usage};
use crate::config::{ProviderKind, Timeouts};

/// A native tool call assembled from its streamed fragments.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ToolCall {
    /// Server-assigned id, when given.
    pub id: Option<String>,
    /// Function name.
    pub name: String,
    /// Raw argument text (JSON as the model wrote it; may need repair).
    pub arguments: String,
}

/// Everything one request produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Completion {
    /// Visible reply text.
    pub content: String,
    /// Reasoning text, kept apart so it never reaches the chat or an edit.
    pub reasoning: String,
    /// Native tool calls in index order.
    pub tool_calls: Vec<ToolCall>,
    /// Token counts, if the server reported them.
    pub usage: Usage,
    /// Why generation stopped (`stop`, `length`, `tool_calls`…), if said.
    pub finish_reason: Option<String>,
    /// Milliseconds from sending the request to the first token.
    pub first_token_ms: Option<u64>,
}

/// A client bound to one resolved endpoint.
#[derive(Clone)]
pub struct LlmClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    timeouts: Timeouts,
    api_key: Option<String>,
}

impl LlmClient {
    /// Builds a client; `api_key` is sent (as a bearer token) only to `endpoint.url`.
    pub fn new(endpoint: Endpoint, timeouts: Timeouts, api_key: Option<String>) -> LlmClient {
        LlmClient {
            http: http_client(&timeouts),
            endpoint,
            timeouts,
            api_key,
        }
    }

    /// The endpoint this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Counts `content` with the server's own tokenizer (llama.cpp's `POST /tokenize`), bounded
    /// by the connect and first-token limits. Used near the context limit, where the local
    /// estimate is not good enough; other servers answer with an error the caller ignores.
    pub async fn tokenize(&self, content: &str) -> Result<usize, LlmError> {
        let url = format!("{}/tokenize", self.endpoint.url);
        let body = serde_json::json!({ "content": content, "add_special": false });
        let mut builder = self.http.post(&url).json(&body);
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        let deadline = TokioInstant::now() + self.timeouts.first_token();
        let resp = match timeout_at(deadline, builder.send()).await {
            Err(_) => {
                return Err(LlmError::FirstTokenTimeout {
                    secs: self.timeouts.first_token,
                })
            }
            Ok(Err(e)) => return Err(connect_error(&url, &e)),
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        let text = match timeout_at(deadline, resp.text()).await {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                return Err(LlmError::Dropped {
                    reason: e.to_string(),
                })
            }
            Err(_) => {
                return Err(LlmError::FirstTokenTimeout {
                    secs: self.timeouts.first_token,
                })
            }
        };
        if !status.is_success() {
            return Err(LlmError::Status {
                code: status.as_u16(),
                body: text,
            });
        }
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["tokens"].as_array().map(Vec::len))
            .ok_or_else(|| {
                LlmError::Server(format!(
                    "/tokenize answered without a tokens array: {text:.200}"
                ))
            })
    }

    /// Sends `req` and streams the reply, calling `on_event` for every parsed event in order.
    pub async fn chat(
        &self,
        req: &ChatRequest,
        on_event: &mut (dyn FnMut(&StreamEvent) + Send),
    ) -> Result<Completion, LlmError> {
        let (path, body) = match self.endpoint.provider {
            ProviderKind::Openai => (
                openai::CHAT_PATH,
                openai::chat_body(&self.endpoint.model, req),
            ),
            ProviderKind::Ollama => (
                ollama::CHAT_PATH,
                ollama::chat_body(&self.endpoint.model, req),
            ),
        };
        let url = format!("{}{}", self.endpoint.url, path);
        let started = Instant::now();
        let first_deadline = TokioInstant::now() + self.timeouts.first_token();
        let mut builder = self.http.post(&url).json(&body);
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key);
        }
        tracing::debug!("[llm] -> POST {url} ({} messages)", req.messages.len());
        tracing::trace!("[llm] -> body {body}");
        let resp = match timeout_at(first_deadline, builder.send()).await {
            Err(_) => {
                return Err(LlmError::FirstTokenTimeout {
                    secs: self.timeouts.first_token,
                })
            }
            Ok(Err(e)) => return Err(connect_error(&url, &e)),
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        if !status.is_success() {
            let body = timeout_at(first_deadline, error_body(resp)).await.ok();
            return Err(LlmError::Status {
                code: status.as_u16(),
                body: body.unwrap_or_default(),
            });
        }
        let mut parser = Parser::new(self.endpoint.provider);
        let mut acc = Accumulator::default();
        let mut resp = resp;
        let mut last_chunk = TokioInstant::now();
        let mut received = 0usize;
        loop {
            let deadline = if acc.got_token {
                last_chunk + self.timeouts.idle()
            } else {
                first_deadline
            };
            let chunk = match timeout_at(deadline, resp.chunk()).await {
                Err(_) if acc.got_token => {
                    return Err(LlmError::IdleTimeout {
                        secs: self.timeouts.idle().as_secs_f64(),
                    })
                }
                Err(_) => {
                    return Err(LlmError::FirstTokenTimeout {
                        secs: self.timeouts.first_token,
                    })
                }
                Ok(Err(e)) => {
                    return Err(LlmError::Dropped {
                        reason: root_cause(&e),
                    })
                }
                Ok(Ok(c)) => c,
            };
            last_chunk = TokioInstant::now();
            if let Some(bytes) = &chunk {
                received += bytes.len();
                if received > MAX_REPLY_BYTES {
                    return Err(LlmError::TooLarge {
                        limit_mb: MAX_REPLY_BYTES >> 20,
                    });
                }
            }
            let events = match &chunk {
                Some(bytes) => parser.push(bytes),
                None => parser.finish(),
            };
            for ev in events {
                let ev = ev?;
                if !acc.got_token && ev.is_token() {
                    acc.completion.first_token_ms = Some(started.elapsed().as_millis() as u64);
                }
                acc.add(&ev);
                on_event(&ev);
            }
            if chunk.is_none() {
                break;
            }
            if parser.is_done() {
                // Both formats end with an explicit marker; don't wait for the server to close.
                for ev in parser.finish() {
                    let ev = ev?;
                    acc.add(&ev);
                    on_event(&ev);
                }
                break;
            }
        }
        if !acc.done {
            return Err(LlmError::Dropped {
                reason: "the stream ended before the reply was complete".into(),
            });
        }
        tracing::debug!(
            "[llm] <- done in {} ms, {} chars, usage {:?}",
            started.elapsed().as_millis(),
            acc.completion.content.len(),
            acc.completion.usage
        );
        Ok(acc.finish())
    }
}

impl StreamEvent {
    /// Whether this event is model output (as opposed to bookkeeping) for the watchdog.
    fn is_token(&self) -> bool {
        matches!(
            self,
            StreamEvent::Content(_) | StreamEvent::Reasoning(_) | StreamEvent::ToolCall { .. }
        )
    }
}

/// Bytes one streamed reply may take: far above any `max_tokens` a small model gets (a 4,096-
/// token reply is well under 100 kB of SSE), so only a server that ignores the cap, or streams
/// garbage forever, reaches it.
pub const MAX_REPLY_BYTES: usize = 16 << 20;

/// An error response's body, at most 64 kB of it (a reason fits; a 50 MB page is not read).
async fn error_body(mut resp: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= 64 << 10 {
            body.truncate(64 << 10);
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// An HTTP client with the connect timeout applied; no overall timeout (streams are long), the
/// watchdogs above bound each wait instead.
pub fn http_client(timeouts: &Timeouts) -> reqwest::Client {
    crate::discover::ensure_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(timeouts.connect())
        // No idle connection reuse: a local server may close a kept-alive connection at any time
        // (seen with llama-server: "connection closed before message completed" on reuse), and a
        // fresh loopback connection costs well under a millisecond.
        .pool_max_idle_per_host(0)
        .no_proxy()
        .build()
        .unwrap_or_default()
}

fn connect_error(url: &str, e: &reqwest::Error) -> LlmError {
    LlmError::Connect {
        url: url.to_string(),
        reason: root_cause(e),
    }
}

/// The innermost error message (reqwest's top level says only "error sending request").
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

enum Parser {
    Sse(SseParser),
    Ndjson(NdjsonParser),
}

impl Parser {
    fn new(p: ProviderKind) -> Parser {
        match p {
            ProviderKind::Openai => Parser::Sse(SseParser::default()),
            ProviderKind::Ollama => Parser::Ndjson(NdjsonParser::default()),
        }
    }
    fn push(&mut self, b: &[u8]) -> Vec<Result<StreamEvent, LlmError>> {
        match self {
            Parser::Sse(p) => p.push(b),
            Parser::Ndjson(p) => p.push(b),
        }
    }
    fn finish(&mut self) -> Vec<Result<StreamEvent, LlmError>> {
        match self {
            Parser::Sse(p) => p.finish(),
            Parser::Ndjson(p) => p.finish(),
        }
    }
    fn is_done(&self) -> bool {
        match self {
            Parser::Sse(p) => p.is_done(),
            Parser::Ndjson(p) => p.is_done(),
        }
    }
}

#[derive(Default)]
struct Accumulator {
    completion: Completion,
    got_token: bool,
    done: bool,
}

impl Accumulator {
    fn add(&mut self, ev: &StreamEvent) {
        let c = &mut self.completion;
        match ev {
            StreamEvent::Content(t) => c.content.push_str(t),
            StreamEvent::Reasoning(t) => c.reasoning.push_str(t),
            StreamEvent::ToolCall {
                index,
                id,
                name,
                arguments,
            } => {
                if c.tool_calls.len() <= *index {
                    c.tool_calls.resize(*index + 1, ToolCall::default());
                }
                let call = &mut c.tool_calls[*index];
                if id.is_some() {
                    call.id.clone_from(id);
                }
                if let Some(n) = name {
                    call.name.push_str(n);
                }
                call.arguments.push_str(arguments);
            }
            StreamEvent::Usage(u) => {
                c.usage.prompt_tokens = u.prompt_tokens.or(c.usage.prompt_tokens);
                c.usage.completion_tokens = u.completion_tokens.or(c.usage.completion_tokens);
                c.usage.cached_tokens = u.cached_tokens.or(c.usage.cached_tokens);
            }
            StreamEvent::Done { finish_reason } => {
                self.done = true;
                if finish_reason.is_some() {
                    c.finish_reason.clone_from(finish_reason);
                }
            }
        }
        if ev.is_token() {
            self.got_token = true;
        }
    }

    fn finish(mut self) -> Completion {
        self.completion.tool_calls.retain(|t| !t.name.is_empty());
        self.completion
    }
}
