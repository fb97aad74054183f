//! Incremental parser for OpenAI-compatible Server-Sent Events (`/v1/chat/completions`).
//!
//! Bytes arrive in arbitrary pieces (a UTF-8 character or a `data:` line may be split), so the
//! parser buffers until a full line, and dispatches on the blank line that ends an event. It
//! understands `:` comment pings, `[DONE]`, fragmented `tool_calls` keyed by `index`, a usage-only
//! final chunk, llama.cpp's `timings`, reasoning in `reasoning_content`/`reasoning`, and an
//! `{"error": …}` object sent mid-stream.

use serde_json::Value;

use super::error::{error_message, snippet};
use super::think::ThinkSplitter;
use super::{LlmError, StreamEvent, Usage};

/// Feed bytes with [`SseParser::push`]; call [`SseParser::finish`] at end of body.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    data: String,
    think: ThinkSplitter,
    done: bool,
}

impl SseParser {
    /// True once `[DONE]` (or a chunk with a finish reason followed by `[DONE]`) was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Parses as much as the bytes allow; errors are in-order items of the result.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<StreamEvent, LlmError>> {
        let mut out = Vec::new();
        for &b in bytes {
            if b == b'\n' {
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.line_complete(&line, &mut out);
            } else {
                self.line.push(b);
            }
        }
        out
    }

    /// Ends the body: dispatches a final event not followed by a blank line and flushes held-back
    /// `<think>` prefixes.
    pub fn finish(&mut self) -> Vec<Result<StreamEvent, LlmError>> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.line_complete(&line, &mut out);
        }
        self.dispatch(&mut out);
        out.extend(self.think.finish().into_iter().map(Ok));
        out
    }

    fn line_complete(&mut self, line: &[u8], out: &mut Vec<Result<StreamEvent, LlmError>>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with(':') {
            return; // comment / keep-alive ping
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        match field {
            "data" => {
                if !self.data.is_empty() {
                    self.data.push('\n');
                }
                self.data.push_str(value);
            }
            "event" | "id" | "retry" => {}
            _ => {
                // Not SSE at all: a plain JSON error body or HTML from a proxy.
                if let Some(msg) = error_message(&line) {
                    out.push(Err(LlmError::Server(msg)));
                } else {
                    out.push(Err(LlmError::Garbage {
                        format: "server-sent events",
                        snippet: snippet(&line, 80),
                    }));
                }
            }
        }
    }

    fn dispatch(&mut self, out: &mut Vec<Result<StreamEvent, LlmError>>) {
        let data = std::mem::take(&mut self.data);
        let data = data.trim();
        if data.is_empty() {
            return;
        }
        if data == "[DONE]" {
            self.done = true;
            out.extend(self.think.finish().into_iter().map(Ok));
            out.push(Ok(StreamEvent::Done {
                finish_reason: None,
            }));
            return;
        }
        let v: Value = match serde_json::from_str(data) {
            Ok(v) => v,
            Err(_) => {
                out.push(Err(LlmError::Garbage {
                    format: "JSON in server-sent events",
                    snippet: snippet(data, 80),
                }));
                return;
            }
        };
        chunk_events(&v, &mut self.think, out);
    }
}

/// Turns one `chat.completion.chunk` JSON object into events.
fn chunk_events(
    v: &Value,
    think: &mut ThinkSplitter,
    out: &mut Vec<Result<StreamEvent, LlmError>>,
) {
    if let Some(err) = v.get("error") {
        let msg = err
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                err.get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| snippet(&err.to_string(), 200));
        out.push(Err(LlmError::Server(msg)));
        return;
    }
    if let Some(choice) = v.get("choices").and_then(|c| c.get(0)) {
        let delta = choice.get("delta").or_else(|| choice.get("message"));
        if let Some(delta) = delta {
            for key in ["reasoning_content", "reasoning"] {
                if let Some(r) = delta
                    .get(key)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                {
                    out.push(Ok(StreamEvent::Reasoning(r.to_string())));
                }
            }
            if let Some(c) = delta
                .get("content")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                out.extend(think.push(c).into_iter().map(Ok));
            }
            if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
                for (pos, call) in calls.iter().enumerate() {
                    let f = call.get("function");
                    out.push(Ok(StreamEvent::ToolCall {
                        index: call
                            .get("index")
                            .and_then(Value::as_u64)
                            .map_or(pos, |i| i as usize),
                        id: call.get("id").and_then(Value::as_str).map(str::to_string),
                        name: f
                            .and_then(|f| f.get("name"))
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        arguments: f
                            .and_then(|f| f.get("arguments"))
                            .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
                            .unwrap_or_default(),
                    }));
                }
            }
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            out.extend(think.finish().into_iter().map(Ok));
            out.push(Ok(StreamEvent::Done {
                finish_reason: Some(reason.to_string()),
            }));
        }
    }
    if let Some(u) = usage(v) {
        out.push(Ok(StreamEvent::Usage(u)));
    }
}

fn usage(v: &Value) -> Option<Usage> {
    let u = v.get("usage").filter(|u| u.is_object());
    let t = v.get("timings").filter(|t| t.is_object());
    if u.is_none() && t.is_none() {
        return None;
    }
    let num = |o: Option<&Value>, k: &str| o.and_then(|o| o.get(k)).and_then(Value::as_u64);
    let cached = num(t, "cache_n").or_else(|| {
        u.and_then(|u| u.get("prompt_tokens_details"))
            .and_then(|d| d.get("cached_tokens"))
            .and_then(Value::as_u64)
    });
    Some(Usage {
        prompt_tokens: num(u, "prompt_tokens").or_else(|| {
            // llama.cpp timings: prompt_n is what was evaluated, cache_n what was reused.
            Some(num(t, "prompt_n")? + num(t, "cache_n").unwrap_or(0))
        }),
        completion_tokens: num(u, "completion_tokens").or_else(|| num(t, "predicted_n")),
        cached_tokens: cached,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(chunks: &[&str]) -> Vec<Result<StreamEvent, LlmError>> {
        let mut p = SseParser::default();
        let mut out: Vec<_> = chunks.iter().flat_map(|c| p.push(c.as_bytes())).collect();
        out.extend(p.finish());
        out
    }

    fn content(evs: &[Result<StreamEvent, LlmError>]) -> String {
        evs.iter()
            .filter_map(|e| match e {
                Ok(StreamEvent::Content(c)) => Some(c.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn content_split_mid_line_and_mid_utf8() {
        let full = "data: {\"choices\":[{\"delta\":{\"content\":\"héllo\"}}]}\n\n";
        let bytes = full.as_bytes();
        let mut p = SseParser::default();
        let mut evs = Vec::new();
        for b in bytes.chunks(3) {
            evs.extend(p.push(b));
        }
        assert_eq!(content(&evs), "héllo");
    }

    #[test]
    fn done_comments_and_usage_only_chunk() {
        let evs = parse_all(&[
            ": ping\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}\n\n",
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3},\"timings\":{\"cache_n\":8,\"prompt_n\":4}}\n\n",
            "data: [DONE]\n\n",
        ]);
        assert_eq!(content(&evs), "a");
        assert!(evs
            .iter()
            .any(|e| matches!(e, Ok(StreamEvent::Done { finish_reason: Some(r) }) if r == "stop")));
        assert!(evs.iter().any(|e| matches!(
            e,
            Ok(StreamEvent::Usage(Usage {
                prompt_tokens: Some(12),
                completion_tokens: Some(3),
                cached_tokens: Some(8)
            }))
        )));
        assert!(matches!(
            evs.last(),
            Some(Ok(StreamEvent::Done {
                finish_reason: None
            }))
        ));
        assert!(evs.iter().all(|e| e.is_ok()));
    }

    #[test]
    fn fragmented_tool_call_arguments_keyed_by_index() {
        let evs = parse_all(&[
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"read\",\"arguments\":\"{\\\"pa\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"name\":\"done\",\"arguments\":\"{}\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"th\\\":\\\"a.rs\\\"}\"}}]}}]}\n\n",
            "data: [DONE]\n\n",
        ]);
        let mut args = [String::new(), String::new()];
        let mut names = vec![];
        for e in &evs {
            if let Ok(StreamEvent::ToolCall {
                index,
                name,
                arguments,
                ..
            }) = e
            {
                args[*index].push_str(arguments);
                names.extend(name.clone());
            }
        }
        assert_eq!(args[0], "{\"path\":\"a.rs\"}");
        assert_eq!(args[1], "{}");
        assert_eq!(names, vec!["read", "done"]);
    }

    #[test]
    fn reasoning_fields_and_think_tags() {
        let evs = parse_all(&[
            "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"r1\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"reasoning\":\"r2\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"<think>r3</think>ok\"}}]}\n\n",
            "data: [DONE]\n\n",
        ]);
        let reasoning: String = evs
            .iter()
            .filter_map(|e| match e {
                Ok(StreamEvent::Reasoning(r)) => Some(r.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(reasoning, "r1r2r3");
        assert_eq!(content(&evs), "ok");
    }

    #[test]
    fn mid_stream_error_object() {
        let evs = parse_all(&[
            "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n",
            "data: {\"error\":{\"message\":\"context overflow\",\"code\":500}}\n\n",
        ]);
        assert_eq!(content(&evs), "par");
        assert!(matches!(evs.last(), Some(Err(LlmError::Server(m))) if m == "context overflow"));
    }

    #[test]
    fn garbage_is_reported_not_swallowed() {
        let evs = parse_all(&["<html>bad gateway</html>\n"]);
        assert!(matches!(evs.first(), Some(Err(LlmError::Garbage { .. }))));
        let evs = parse_all(&["data: {not json\n\n"]);
        assert!(matches!(evs.first(), Some(Err(LlmError::Garbage { .. }))));
    }

    #[test]
    fn crlf_and_multiline_data() {
        let evs =
            parse_all(&["data: {\"choices\":\r\ndata: [{\"delta\":{\"content\":\"x\"}}]}\r\n\r\n"]);
        assert_eq!(content(&evs), "x");
    }
}
