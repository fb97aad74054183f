//! Talking to local model servers: one file per wire format behind one small surface.
//!
//! - [`sse`] / [`ndjson`]: incremental stream parsers (bytes in, [`StreamEvent`]s out). Pure.
//! - [`think`]: splits `<think>…</think>` out of content deltas, across chunk boundaries.
//! - [`openai`] / [`ollama`]: request bodies for each API.
//! - [`anthropic`]: the Messages API, used only for escalation (`crates/agent/src/escalate.rs`).
//! - [`client`]: the HTTP request with the first-token and idle watchdogs.
//! - [`discover`]: finding a server on loopback and probing its real context size.
//! - [`config`]: the model-facing settings (endpoint, provider, timeouts, key resolution).
//!
//! Depends on nothing else of smallcode: the agent and the chat build on it.

#![warn(missing_docs)]

pub mod anthropic;
pub mod client;
pub mod config;
pub mod discover;
pub mod error;
pub mod ndjson;
pub mod ollama;
pub mod openai;
pub mod sse;
pub mod think;

pub use client::{Completion, LlmClient};
pub use discover::{Endpoint, ServerKind};
pub use error::LlmError;

use serde::{Deserialize, Serialize};

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Harness instructions.
    System,
    /// The user (or the harness speaking for the user, e.g. checker output).
    User,
    /// The model.
    Assistant,
    /// A tool result.
    Tool,
}

/// One chat message as sent to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Speaker.
    pub role: Role,
    /// Text content.
    pub content: String,
}

impl Message {
    /// Shorthand constructor.
    pub fn new(role: Role, content: impl Into<String>) -> Message {
        Message {
            role,
            content: content.into(),
        }
    }
}

/// What to ask the model. The wire-specific builders turn this into JSON.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatRequest {
    /// The conversation, system prompt first.
    pub messages: Vec<Message>,
    /// Reply cap; always sent (llama.cpp otherwise generates until the context is full).
    pub max_tokens: u32,
    /// Sampling temperature.
    pub temperature: f32,
    /// OpenAI-style tool definitions, if the model has native tool calling.
    pub tools: Vec<serde_json::Value>,
    /// A JSON schema to constrain the reply to (llama.cpp `json_schema`, Ollama `format`).
    pub json_schema: Option<serde_json::Value>,
    /// Ollama `options.num_ctx`: prompt + reply budget, so Ollama does not silently truncate.
    pub num_ctx: Option<u64>,
    /// Stop sequences: generation ends when one appears (e.g. the closing code fence, so a small
    /// model cannot ramble on after its code block).
    pub stop: Vec<String>,
    /// Start of the assistant's reply, written for the model (llama.cpp continues it): e.g. an
    /// opening code fence, so the reply *is* code. The completion's content excludes it.
    pub prefill: Option<String>,
    /// Sampling seed, so parallel candidates at the same temperature still differ (sent as
    /// `seed`, Ollama `options.seed`). `None` = the server's own.
    pub seed: Option<u64>,
}

/// One parsed piece of a streamed reply.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// Visible reply text.
    Content(String),
    /// Reasoning text (`reasoning_content`, `reasoning`, `thinking`, or `<think>` tags).
    Reasoning(String),
    /// A fragment of a native tool call; fragments with the same `index` concatenate.
    ToolCall {
        /// Which call of the reply this fragment belongs to.
        index: usize,
        /// The call's id, in the fragment that carries it.
        id: Option<String>,
        /// The tool's name, in the fragment that carries it.
        name: Option<String>,
        /// More of the JSON arguments text.
        arguments: String,
    },
    /// Token accounting, usually in the last chunk.
    Usage(Usage),
    /// The server signalled the end of the stream.
    Done {
        /// Why generation stopped (`stop`, `length`, `tool_calls`…), if the server said.
        finish_reason: Option<String>,
    },
}

/// Token counts a server reports for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Prompt tokens (Ollama `prompt_eval_count`, OpenAI `prompt_tokens`).
    pub prompt_tokens: Option<u64>,
    /// Generated tokens.
    pub completion_tokens: Option<u64>,
    /// Prompt tokens served from the KV cache (llama.cpp `timings.cache_n`).
    pub cached_tokens: Option<u64>,
}
