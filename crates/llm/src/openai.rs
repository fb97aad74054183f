//! Request body for OpenAI-compatible `/v1/chat/completions` (llama.cpp, LM Studio, vLLM, OpenAI).

use serde_json::{json, Value};

use super::ChatRequest;

/// The path appended to the endpoint's base URL.
pub const CHAT_PATH: &str = "/v1/chat/completions";

/// Builds the streaming request body. `stream_options.include_usage` asks for the usage-only
/// final chunk; llama.cpp adds `timings` (with `cache_n`) on its own.
pub fn chat_body(model: &str, req: &ChatRequest) -> Value {
    let mut messages = serde_json::to_value(&req.messages).unwrap_or_else(|_| json!([]));
    if let (Some(prefill), Some(list)) = (&req.prefill, messages.as_array_mut()) {
        list.push(json!({"role": "assistant", "content": prefill}));
    }
    let mut body = json!({
        "model": model,
        "messages": messages,
        "stream": true,
        "stream_options": {"include_usage": true},
        "max_tokens": req.max_tokens,
        "temperature": req.temperature,
    });
    if !req.stop.is_empty() {
        body["stop"] = json!(req.stop);
    }
    if let Some(seed) = req.seed {
        body["seed"] = json!(seed);
    }
    if !req.tools.is_empty() {
        body["tools"] = Value::Array(req.tools.clone());
    }
    if let Some(schema) = &req.json_schema {
        body["response_format"] =
            json!({"type": "json_schema", "json_schema": {"name": "action", "schema": schema}});
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Message, Role};

    #[test]
    fn body_always_caps_tokens_and_streams() {
        let req = ChatRequest {
            messages: vec![Message::new(Role::User, "hi")],
            max_tokens: 64,
            temperature: 0.1,
            ..Default::default()
        };
        let b = chat_body("m", &req);
        assert_eq!(b["max_tokens"], 64);
        assert_eq!(b["stream"], true);
        assert_eq!(b["messages"][0]["role"], "user");
        assert!(b.get("tools").is_none());
    }
}
