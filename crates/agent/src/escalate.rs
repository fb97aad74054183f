//! Escalation (opt-in): a stronger model gets **only the failing sub-task** once the local
//! model's rounds (and its decomposition) are spent.
//!
//! What it sees is what a decomposed round shows — the focused definition, its errors and the
//! task — never the history of failed attempts, so a cloud call costs a few hundred tokens. Its
//! answer goes through the same apply → verify path as the local model's (the harness does
//! that); nothing it says lands unchecked.
//!
//! Keys: the key is read from the environment variable named in the config and sent only to the
//! configured endpoint's origin. Redirects are followed only within that origin (reqwest drops
//! `Authorization` on a cross-host redirect but would forward `x-api-key`, so the policy here
//! refuses any redirect that leaves the origin). No proxy is used: the key never passes through
//! a host the user did not name.

use std::time::Duration;

use serde_json::Value;

use super::check::CheckResult;
use super::context::{self, Target};
use super::error::AgentError;
use super::workspace::Workspace;
use smallcode_llm::config::{Escalation, Timeouts};
use smallcode_llm::error::{error_message, snippet};
use smallcode_llm::{anthropic, openai, ChatRequest, LlmError, Message, Role, StreamEvent};

/// Which wire format the escalation endpoint speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// Anthropic Messages API: `POST /v1/messages`, `x-api-key`, `anthropic-version`.
    Anthropic,
    /// OpenAI-compatible `POST /v1/chat/completions` with a bearer token.
    Openai,
}

/// A configured escalation endpoint, ready to ask. `Debug` never shows the key.
#[derive(Clone)]
pub struct Escalator {
    wire: Wire,
    base: reqwest::Url,
    model: String,
    key: Option<String>,
    max_tokens: u32,
    timeout: Duration,
    http: reqwest::Client,
}

impl std::fmt::Debug for Escalator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Escalator")
            .field("wire", &self.wire)
            .field("base", &self.base.as_str())
            .field("model", &self.model)
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// What one escalation call produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// The reply text (holds the code block).
    pub text: String,
    /// Prompt + reply tokens as reported (0 when the server says nothing).
    pub tokens: u64,
}

impl Escalator {
    /// Builds the escalator from config, reading the key from `api_key_env`. A named variable
    /// that is unset or empty is an error (escalating without the key would only fail later).
    pub fn from_config(cfg: &Escalation, timeouts: &Timeouts) -> Result<Escalator, AgentError> {
        let key = match cfg.api_key_env.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(var) => match std::env::var(var) {
                Ok(k) if !k.trim().is_empty() => Some(k.trim().to_string()),
                _ => {
                    return Err(AgentError::EscalationKeyUnset {
                        var: var.to_string(),
                    })
                }
            },
        };
        Escalator::new(cfg, key, timeouts)
    }

    /// Builds the escalator with an explicit key (tests; callers that got the key elsewhere).
    pub fn new(
        cfg: &Escalation,
        key: Option<String>,
        timeouts: &Timeouts,
    ) -> Result<Escalator, AgentError> {
        let wire = match cfg.provider.as_str() {
            "anthropic" => Wire::Anthropic,
            "openai" => Wire::Openai,
            other => {
                return Err(AgentError::EscalationProvider {
                    provider: other.to_string(),
                })
            }
        };
        let base_text = match (&cfg.endpoint, wire) {
            (Some(e), _) if !e.trim().is_empty() => e.trim().to_string(),
            (_, Wire::Anthropic) => anthropic::DEFAULT_BASE.to_string(),
            (_, Wire::Openai) => return Err(AgentError::EscalationNoEndpoint),
        };
        let trimmed = base_text.trim_end_matches('/');
        let trimmed = trimmed.strip_suffix("/v1").unwrap_or(trimmed);
        let base =
            reqwest::Url::parse(trimmed).map_err(|error| AgentError::EscalationBadEndpoint {
                endpoint: base_text.clone(),
                error,
            })?;
        if base.host_str().is_none() || !matches!(base.scheme(), "http" | "https") {
            return Err(AgentError::EscalationNotHttp {
                endpoint: base_text,
            });
        }
        if cfg.model.trim().is_empty() {
            return Err(AgentError::EscalationNoModel);
        }
        smallcode_llm::discover::ensure_crypto_provider();
        let origin = base.clone();
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            let next = attempt.url();
            let same = next.scheme() == origin.scheme()
                && next.host_str() == origin.host_str()
                && next.port_or_known_default() == origin.port_or_known_default();
            if !same {
                let to = next.host_str().unwrap_or("?").to_string();
                attempt.error(format!(
                    "refused a redirect to {to}: the escalation key is only sent to {}",
                    origin.host_str().unwrap_or("?")
                ))
            } else if attempt.previous().len() > 5 {
                attempt.error("too many redirects")
            } else {
                attempt.follow()
            }
        });
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect())
            .redirect(policy)
            .no_proxy()
            .build()
            .map_err(AgentError::EscalationClient)?;
        Ok(Escalator {
            wire,
            base,
            model: cfg.model.clone(),
            key,
            max_tokens: cfg.max_tokens.max(1),
            timeout: timeouts.first_token(),
            http,
        })
    }

    /// `model at host`, for the transcript.
    pub fn label(&self) -> String {
        format!("{} at {}", self.model, self.base.host_str().unwrap_or("?"))
    }

    /// Sends one system + user exchange and returns the reply (not streamed; bounded by the
    /// first-token timeout).
    pub async fn ask(&self, system: &str, user: &str) -> Result<Answer, LlmError> {
        let req = ChatRequest {
            messages: vec![
                Message::new(Role::System, system),
                Message::new(Role::User, user),
            ],
            max_tokens: self.max_tokens,
            temperature: 0.2,
            ..Default::default()
        };
        let base = self.base.as_str().trim_end_matches('/');
        let (url, body) = match self.wire {
            Wire::Anthropic => (
                format!("{base}{}", anthropic::MESSAGES_PATH),
                anthropic::messages_body(&self.model, &req),
            ),
            Wire::Openai => {
                let mut b = openai::chat_body(&self.model, &req);
                b["stream"] = Value::Bool(false);
                if let Some(o) = b.as_object_mut() {
                    o.remove("stream_options");
                }
                (format!("{base}{}", openai::CHAT_PATH), b)
            }
        };
        let mut builder = self.http.post(&url).json(&body);
        match (self.wire, &self.key) {
            (Wire::Anthropic, Some(k)) => builder = builder.header("x-api-key", k),
            (Wire::Openai, Some(k)) => builder = builder.bearer_auth(k),
            (_, None) => {}
        }
        if self.wire == Wire::Anthropic {
            builder = builder.header("anthropic-version", anthropic::API_VERSION);
        }
        tracing::debug!("[escalate] -> POST {url}");
        let send = async {
            let resp = builder.send().await.map_err(|e| LlmError::Connect {
                url: url.clone(),
                reason: smallcode_llm::client::root_cause(&e),
            })?;
            let status = resp.status();
            let ctype = resp
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let text = resp.text().await.map_err(|e| LlmError::Dropped {
                reason: smallcode_llm::client::root_cause(&e),
            })?;
            Ok::<_, LlmError>((status, ctype, text))
        };
        let (status, ctype, text) =
            tokio::time::timeout(self.timeout, send)
                .await
                .map_err(|_| LlmError::FirstTokenTimeout {
                    secs: self.timeout.as_secs_f64(),
                })??;
        if !status.is_success() {
            return Err(LlmError::Status {
                code: status.as_u16(),
                body: text,
            });
        }
        match self.wire {
            Wire::Anthropic => {
                let r = anthropic::parse_reply(&ctype, &text)?;
                Ok(Answer {
                    text: r.text,
                    tokens: r.input_tokens.unwrap_or(0) + r.output_tokens.unwrap_or(0),
                })
            }
            Wire::Openai => parse_openai(&ctype, &text),
        }
    }
}

/// An OpenAI-compatible reply: one `chat.completion` object, or SSE chunks when the server
/// streams anyway.
fn parse_openai(ctype: &str, body: &str) -> Result<Answer, LlmError> {
    if ctype.contains("text/event-stream") || body.trim_start().starts_with("data:") {
        let mut p = smallcode_llm::sse::SseParser::default();
        let mut events = p.push(body.as_bytes());
        events.extend(p.finish());
        let mut a = Answer::default();
        for ev in events {
            match ev? {
                StreamEvent::Content(t) => a.text.push_str(&t),
                StreamEvent::Usage(u) => {
                    a.tokens = u.prompt_tokens.unwrap_or(0) + u.completion_tokens.unwrap_or(0)
                }
                _ => {}
            }
        }
        return Ok(a);
    }
    let v: Value = serde_json::from_str(body.trim()).map_err(|_| LlmError::Garbage {
        format: "an OpenAI chat completion",
        snippet: snippet(body, 120),
    })?;
    if v.get("error").is_some() {
        return Err(LlmError::Server(
            error_message(body).unwrap_or_else(|| snippet(body, 200)),
        ));
    }
    let text = v
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| LlmError::Garbage {
            format: "an OpenAI chat completion (no choices[0].message.content)",
            snippet: snippet(body, 120),
        })?;
    let n = |p: &str| v.pointer(p).and_then(Value::as_u64).unwrap_or(0);
    Ok(Answer {
        text: text.to_string(),
        tokens: n("/usage/prompt_tokens") + n("/usage/completion_tokens"),
    })
}

/// The sub-task the escalation model gets: the focused definition (or, without a focus, the
/// target files), the current errors and the task — the same shape as a decomposed round, and
/// nothing of the failed attempts.
pub fn subtask_prompt(
    ws: &Workspace,
    targets: &[Target],
    task: &str,
    errors: &[CheckResult],
    focus: Option<&(usize, String)>,
) -> String {
    // A generous view for a large cloud context; with a focus only that definition is shown.
    context::render_prompt(ws, targets, task, errors, focus, 32_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(provider: &str, endpoint: Option<&str>) -> Escalation {
        Escalation {
            provider: provider.into(),
            endpoint: endpoint.map(str::to_string),
            model: "big".into(),
            api_key_env: Some("SMALLCODE_TEST_SURELY_UNSET_VAR".into()),
            max_tokens: 100,
        }
    }

    #[test]
    fn config_is_checked_and_the_key_is_never_printed() {
        let t = Timeouts::default();
        let e = Escalator::from_config(&cfg("anthropic", None), &t)
            .unwrap_err()
            .to_string();
        assert!(e.contains("SMALLCODE_TEST_SURELY_UNSET_VAR"), "{e}");
        assert!(Escalator::new(&cfg("grpc", None), None, &t)
            .unwrap_err()
            .to_string()
            .contains("anthropic or openai"));
        assert!(Escalator::new(&cfg("openai", None), None, &t).is_err());
        let a = Escalator::new(&cfg("anthropic", None), Some("sk-secret".into()), &t).unwrap();
        assert_eq!(a.label(), "big at api.anthropic.com");
        assert!(!format!("{a:?}").contains("sk-secret"));
        let o = Escalator::new(&cfg("openai", Some("http://h:9/v1/")), None, &t).unwrap();
        assert_eq!(o.base.as_str(), "http://h:9/");
    }

    #[test]
    fn openai_replies_parse_as_json_or_events() {
        let j = r#"{"choices":[{"message":{"role":"assistant","content":"ok"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#;
        assert_eq!(
            parse_openai("application/json", j).unwrap(),
            Answer {
                text: "ok".into(),
                tokens: 4
            }
        );
        let s = "data: {\"choices\":[{\"delta\":{\"content\":\"o\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"k\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        assert_eq!(parse_openai("text/event-stream", s).unwrap().text, "ok");
        assert!(parse_openai("application/json", r#"{"error":{"message":"nope"}}"#).is_err());
    }
}
