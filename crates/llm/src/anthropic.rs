//! Anthropic Messages API (`POST {base}/v1/messages`): request body and reply parsing.
//!
//! Used only for escalation (a stronger cloud model gets one failing sub-task), so requests are
//! not streamed; a reply is still read whether the server answers with one JSON object or with
//! the Messages API's SSE events (`content_block_delta` … `message_stop`), so a proxy that
//! always streams works too. Headers (`x-api-key`, `anthropic-version`) are set by the caller,
//! which alone knows which host the key belongs to.

use serde_json::{json, Value};

use super::error::{error_message, snippet};
use super::{ChatRequest, LlmError, Role};

/// The path appended to the endpoint's base URL.
pub const MESSAGES_PATH: &str = "/v1/messages";

/// The API version header value this module speaks.
pub const API_VERSION: &str = "2023-06-01";

/// The default base URL of the `anthropic` provider.
pub const DEFAULT_BASE: &str = "https://api.anthropic.com";

/// What one Messages API call produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    /// The text blocks of the reply, joined.
    pub text: String,
    /// `usage.input_tokens`, when reported.
    pub input_tokens: Option<u64>,
    /// `usage.output_tokens`, when reported.
    pub output_tokens: Option<u64>,
    /// `stop_reason` (`end_turn`, `max_tokens`, `stop_sequence`), when reported.
    pub stop_reason: Option<String>,
}

/// Builds the request body: system messages go to the top-level `system` field (the Messages
/// API has no system role), the rest alternate user/assistant as given.
pub fn messages_body(model: &str, req: &ChatRequest) -> Value {
    let system: Vec<&str> = req
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let mut messages: Vec<Value> = req
        .messages
        .iter()
        .filter(|m| m.role != Role::System)
        .map(|m| {
            let role = if m.role == Role::Assistant {
                "assistant"
            } else {
                "user"
            };
            json!({"role": role, "content": m.content})
        })
        .collect();
    if let Some(p) = &req.prefill {
        messages.push(json!({"role": "assistant", "content": p}));
    }
    let mut body = json!({
        "model": model,
        "max_tokens": req.max_tokens.max(1),
        "messages": messages,
        "temperature": req.temperature.clamp(0.0, 1.0),
        "stream": false,
    });
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if !req.stop.is_empty() {
        body["stop_sequences"] = json!(req.stop);
    }
    body
}

/// Reads a reply body: a JSON message object, or SSE events when `content_type` says
/// `text/event-stream` (or the body starts like one).
pub fn parse_reply(content_type: &str, body: &str) -> Result<Reply, LlmError> {
    let looks_sse =
        body.trim_start().starts_with("event:") || body.trim_start().starts_with("data:");
    if content_type.contains("text/event-stream") || looks_sse {
        return parse_events(body);
    }
    let v: Value = serde_json::from_str(body.trim()).map_err(|_| LlmError::Garbage {
        format: "an Anthropic Messages reply",
        snippet: snippet(body, 120),
    })?;
    if v.get("type").and_then(Value::as_str) == Some("error") {
        return Err(LlmError::Server(
            error_message(body).unwrap_or_else(|| snippet(body, 200)),
        ));
    }
    let text = v
        .get("content")
        .and_then(Value::as_array)
        .map(|blocks| {
            blocks
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect::<String>()
        })
        .ok_or_else(|| LlmError::Garbage {
            format: "an Anthropic Messages reply (no `content`)",
            snippet: snippet(body, 120),
        })?;
    let usage = v.get("usage");
    Ok(Reply {
        text,
        input_tokens: usage
            .and_then(|u| u.get("input_tokens"))
            .and_then(Value::as_u64),
        output_tokens: usage
            .and_then(|u| u.get("output_tokens"))
            .and_then(Value::as_u64),
        stop_reason: v
            .get("stop_reason")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The streamed form: one JSON object per `data:` line, told apart by its `type`.
fn parse_events(body: &str) -> Result<Reply, LlmError> {
    let mut reply = Reply::default();
    let mut stopped = false;
    for line in body.lines() {
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        let v: Value = serde_json::from_str(data.trim()).map_err(|_| LlmError::Garbage {
            format: "Anthropic SSE JSON",
            snippet: snippet(data, 120),
        })?;
        match v.get("type").and_then(Value::as_str).unwrap_or("") {
            "message_start" => {
                let u = v.pointer("/message/usage");
                reply.input_tokens = u
                    .and_then(|u| u.get("input_tokens"))
                    .and_then(Value::as_u64);
            }
            "content_block_start" => {
                if let Some(t) = v.pointer("/content_block/text").and_then(Value::as_str) {
                    reply.text.push_str(t);
                }
            }
            "content_block_delta" => {
                if let Some(t) = v.pointer("/delta/text").and_then(Value::as_str) {
                    reply.text.push_str(t);
                }
            }
            "message_delta" => {
                if let Some(n) = v.pointer("/usage/output_tokens").and_then(Value::as_u64) {
                    reply.output_tokens = Some(n);
                }
                if let Some(r) = v.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    reply.stop_reason = Some(r.to_string());
                }
            }
            "message_stop" => stopped = true,
            "error" => {
                return Err(LlmError::Server(
                    error_message(&v.to_string()).unwrap_or_else(|| snippet(data, 200)),
                ))
            }
            _ => {} // ping, content_block_stop, future event types
        }
    }
    if !stopped {
        return Err(LlmError::Dropped {
            reason: "the event stream ended without message_stop".into(),
        });
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;

    #[test]
    fn system_goes_top_level_and_prefill_is_an_assistant_turn() {
        let req = ChatRequest {
            messages: vec![
                Message::new(Role::System, "be brief"),
                Message::new(Role::User, "fix it"),
            ],
            max_tokens: 100,
            temperature: 1.5,
            prefill: Some("```python\n".into()),
            stop: vec!["```".into()],
            ..Default::default()
        };
        let b = messages_body("claude-x", &req);
        assert_eq!(b["system"], "be brief");
        assert_eq!(
            b["messages"][0],
            json!({"role": "user", "content": "fix it"})
        );
        assert_eq!(b["messages"][1]["role"], "assistant");
        assert_eq!(b["max_tokens"], 100);
        assert_eq!(b["temperature"], 1.0);
        assert_eq!(b["stop_sequences"][0], "```");
        assert_eq!(b["stream"], false);
    }

    #[test]
    fn json_and_event_stream_replies_give_the_same_text() {
        let json = r#"{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"```py\nx = 1\n```"}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":7}}"#;
        let a = parse_reply("application/json", json).unwrap();
        assert_eq!(a.text, "```py\nx = 1\n```");
        assert_eq!((a.input_tokens, a.output_tokens), (Some(12), Some(7)));
        let sse = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12}}}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"```py\\nx = \"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"1\\n```\"}}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":7}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        let b = parse_reply("text/event-stream", sse).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn errors_are_values() {
        let e = parse_reply(
            "application/json",
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("Overloaded"), "{e}");
        let cut = "data: {\"type\":\"message_start\",\"message\":{}}\n\n";
        assert!(matches!(
            parse_reply("text/event-stream", cut),
            Err(LlmError::Dropped { .. })
        ));
        assert!(parse_reply("application/json", "<html>").is_err());
    }
}
