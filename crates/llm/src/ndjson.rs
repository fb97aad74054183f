//! Incremental parser for Ollama's newline-delimited JSON stream (`/api/chat`).
//!
//! Each line is one object: `message.content` / `message.thinking` / `message.tool_calls`,
//! `done`, and on the last line `prompt_eval_count`/`eval_count`. Errors come as `{"error": "…"}`.

use serde_json::Value;

use super::error::snippet;
use super::think::ThinkSplitter;
use super::{LlmError, StreamEvent, Usage};

/// Feed bytes with [`NdjsonParser::push`]; call [`NdjsonParser::finish`] at end of body.
#[derive(Debug, Default)]
pub struct NdjsonParser {
    line: Vec<u8>,
    think: ThinkSplitter,
    done: bool,
    next_tool_index: usize,
}

impl NdjsonParser {
    /// True once a line with `"done": true` was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Parses every complete line in `bytes` (plus what was buffered before).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<StreamEvent, LlmError>> {
        let mut out = Vec::new();
        for &b in bytes {
            if b == b'\n' {
                let line = std::mem::take(&mut self.line);
                self.parse_line(&line, &mut out);
            } else {
                self.line.push(b);
            }
        }
        out
    }

    /// Parses a last line without a newline and flushes held-back text.
    pub fn finish(&mut self) -> Vec<Result<StreamEvent, LlmError>> {
        let mut out = Vec::new();
        let line = std::mem::take(&mut self.line);
        self.parse_line(&line, &mut out);
        out.extend(self.think.finish().into_iter().map(Ok));
        out
    }

    fn parse_line(&mut self, line: &[u8], out: &mut Vec<Result<StreamEvent, LlmError>>) {
        let text = String::from_utf8_lossy(line);
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => {
                out.push(Err(LlmError::Garbage {
                    format: "JSON lines",
                    snippet: snippet(text, 80),
                }));
                return;
            }
        };
        if let Some(err) = v.get("error") {
            let msg = err.as_str().map_or_else(|| err.to_string(), str::to_string);
            out.push(Err(LlmError::Server(msg)));
            return;
        }
        if let Some(msg) = v.get("message") {
            if let Some(t) = msg
                .get("thinking")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                out.push(Ok(StreamEvent::Reasoning(t.to_string())));
            }
            if let Some(c) = msg
                .get("content")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                out.extend(self.think.push(c).into_iter().map(Ok));
            }
            if let Some(calls) = msg.get("tool_calls").and_then(Value::as_array) {
                for call in calls {
                    let f = call.get("function");
                    let args = f.and_then(|f| f.get("arguments"));
                    out.push(Ok(StreamEvent::ToolCall {
                        index: self.next_tool_index,
                        id: None,
                        name: f
                            .and_then(|f| f.get("name"))
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        // Ollama sends arguments as an object; keep the wire text uniform (JSON string).
                        arguments: args
                            .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
                            .unwrap_or_default(),
                    }));
                    self.next_tool_index += 1;
                }
            }
        }
        if v.get("done").and_then(Value::as_bool) == Some(true) {
            self.done = true;
            out.extend(self.think.finish().into_iter().map(Ok));
            let num = |k: &str| v.get(k).and_then(Value::as_u64);
            if num("prompt_eval_count").is_some() || num("eval_count").is_some() {
                out.push(Ok(StreamEvent::Usage(Usage {
                    prompt_tokens: num("prompt_eval_count"),
                    completion_tokens: num("eval_count"),
                    cached_tokens: None,
                })));
            }
            let reason = v
                .get("done_reason")
                .and_then(Value::as_str)
                .map(str::to_string);
            out.push(Ok(StreamEvent::Done {
                finish_reason: reason,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&str]) -> Vec<Result<StreamEvent, LlmError>> {
        let mut p = NdjsonParser::default();
        let mut out: Vec<_> = chunks.iter().flat_map(|c| p.push(c.as_bytes())).collect();
        out.extend(p.finish());
        out
    }

    #[test]
    fn content_thinking_done_and_counts() {
        let evs = all(&[
            "{\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"hm\"},\"done\":false}\n{\"message\":{\"content\":\"he",
            "llo\"},\"done\":false}\n",
            "{\"message\":{\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":30,\"eval_count\":2}\n",
        ]);
        let oks: Vec<_> = evs.into_iter().map(|e| e.unwrap()).collect();
        assert_eq!(
            oks,
            vec![
                StreamEvent::Reasoning("hm".into()),
                StreamEvent::Content("hello".into()),
                StreamEvent::Usage(Usage {
                    prompt_tokens: Some(30),
                    completion_tokens: Some(2),
                    cached_tokens: None
                }),
                StreamEvent::Done {
                    finish_reason: Some("stop".into())
                },
            ]
        );
    }

    #[test]
    fn tool_calls_with_object_arguments() {
        let evs = all(&[
            "{\"message\":{\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"read\",\"arguments\":{\"path\":\"a.rs\"}}}]},\"done\":false}\n",
        ]);
        match &evs[0] {
            Ok(StreamEvent::ToolCall {
                index: 0,
                name: Some(n),
                arguments,
                ..
            }) => {
                assert_eq!(n, "read");
                assert_eq!(arguments, "{\"path\":\"a.rs\"}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn error_line_and_garbage() {
        let evs = all(&["{\"error\":\"model 'x' not found\"}\n"]);
        assert!(matches!(&evs[0], Err(LlmError::Server(m)) if m.contains("not found")));
        let evs = all(&["data: nope\n"]);
        assert!(matches!(&evs[0], Err(LlmError::Garbage { .. })));
    }
}
