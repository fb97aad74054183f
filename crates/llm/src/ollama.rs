//! Request body for Ollama's native `/api/chat`.
//!
//! The native API is used (not Ollama's OpenAI-compatible one) because only it accepts
//! `options.num_ctx`; without it Ollama runs a small default context and silently drops overflow.

use serde_json::{json, Value};

use super::ChatRequest;

/// The path appended to the endpoint's base URL.
pub const CHAT_PATH: &str = "/api/chat";

/// Builds the streaming request body.
pub fn chat_body(model: &str, req: &ChatRequest) -> Value {
    let mut options = json!({
        "num_predict": req.max_tokens,
        "temperature": req.temperature,
    });
    if !req.stop.is_empty() {
        options["stop"] = json!(req.stop);
    }
    if let Some(seed) = req.seed {
        options["seed"] = json!(seed);
    }
    if let Some(n) = req.num_ctx {
        options["num_ctx"] = json!(n);
    }
    let mut messages = serde_json::to_value(&req.messages).unwrap_or_else(|_| json!([]));
    if let (Some(prefill), Some(list)) = (&req.prefill, messages.as_array_mut()) {
        // Ollama continues a trailing assistant message.
        list.push(json!({"role": "assistant", "content": prefill}));
    }
    let mut body = json!({
        "model": model,
        "messages": messages,
        "stream": true,
        "options": options,
    });
    if !req.tools.is_empty() {
        body["tools"] = Value::Array(req.tools.clone());
    }
    if let Some(schema) = &req.json_schema {
        body["format"] = schema.clone();
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Message, Role};

    #[test]
    fn num_ctx_and_num_predict_are_sent() {
        let req = ChatRequest {
            messages: vec![Message::new(Role::System, "s")],
            max_tokens: 100,
            num_ctx: Some(4096),
            ..Default::default()
        };
        let b = chat_body("qwen", &req);
        assert_eq!(b["options"]["num_ctx"], 4096);
        assert_eq!(b["options"]["num_predict"], 100);
        assert_eq!(b["model"], "qwen");
    }
}
