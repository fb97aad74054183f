//! Every way a model request can fail, each worded as the one line the chat shows after `Error:`.

use thiserror::Error;

/// A failed model request. The `Display` text is user-facing: it says what happened and, where
/// there is one, what to do about it.
#[derive(Debug, Error)]
pub enum LlmError {
    /// TCP connect or request send failed.
    #[error(
        "cannot reach {url}: {reason}. Is the model server running? (set `endpoint` in setup())"
    )]
    Connect {
        /// The URL requested.
        url: String,
        /// What the HTTP stack said.
        reason: String,
    },
    /// The server answered with a non-success status.
    #[error("{}", status_text(*code, body))]
    Status {
        /// The HTTP status.
        code: u16,
        /// The response body (servers put the reason there).
        body: String,
    },
    /// Nothing arrived before the first-token deadline.
    #[error("no reply within {secs:.0}s (first-token timeout; raise timeouts.first_token for slow CPU servers)")]
    FirstTokenTimeout {
        /// The limit that ran out.
        secs: f64,
    },
    /// The stream went quiet for longer than the idle limit.
    #[error("the server stopped streaming: nothing for {secs:.1}s (idle timeout)")]
    IdleTimeout {
        /// The limit that ran out.
        secs: f64,
    },
    /// The connection closed before the stream's end marker.
    #[error("the connection dropped mid-stream ({reason})")]
    Dropped {
        /// What the HTTP stack said.
        reason: String,
    },
    /// The body is not the wire format we asked for.
    #[error("the server sent data that is not {format}: {snippet:?}")]
    Garbage {
        /// The format expected (`SSE`, `NDJSON`, `JSON`).
        format: &'static str,
        /// The start of what came instead.
        snippet: String,
    },
    /// The reply went past [`crate::client::MAX_REPLY_BYTES`] (a server ignoring `max_tokens`).
    #[error("the reply went past {limit_mb} MB (the server ignores max_tokens?); stopped")]
    TooLarge {
        /// The limit, in MB.
        limit_mb: usize,
    },
    /// The server reported an error inside the stream.
    #[error("the server reported an error: {0}")]
    Server(String),
    /// Discovery found nothing on loopback.
    #[error("no model server found. Tried: {tried}. Start one (ollama serve, LM Studio, llama-server) or set `endpoint` in setup()")]
    NoServer {
        /// The URLs probed.
        tried: String,
    },
    /// The configured model is not on the server.
    #[error("model {model:?} is not available on {url}; it has: {available}")]
    UnknownModel {
        /// The model asked for.
        model: String,
        /// The server.
        url: String,
        /// The models it has, comma-separated.
        available: String,
    },
    /// The API key command failed or a setting is unusable.
    #[error("{0}")]
    Config(String),
}

fn status_text(code: u16, body: &str) -> String {
    let msg = error_message(body).unwrap_or_else(|| snippet(body, 200));
    if code == 503 {
        return format!("the server is not ready (503: {msg}); it may still be loading the model, try again shortly");
    }
    if code == 404 && msg.to_lowercase().contains("model") {
        return format!("the server does not know this model (404: {msg})");
    }
    format!("the server answered HTTP {code}: {msg}")
}

/// Pulls the human message out of the usual JSON error shapes (`{"error": "…"}`,
/// `{"error": {"message": "…"}}`, `{"message": "…"}`).
pub fn error_message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    let e = v.get("error").unwrap_or(&v);
    if let Some(s) = e.as_str() {
        return Some(s.to_string());
    }
    e.get("message")
        .and_then(|m| m.as_str())
        .map(str::to_string)
}

/// At most `max` characters of `s` on one line, for error messages.
pub fn snippet(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.chars().count() > max {
        format!("{}…", trimmed.chars().take(max).collect::<String>())
    } else {
        trimmed.to_string()
    }
}
