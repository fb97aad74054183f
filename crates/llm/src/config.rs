//! The model-facing settings: where the server is, how to talk to it, how long to wait, and the
//! key (resolved here, from the environment or a command — never from a project file).
//!
//! The Rust process receives them from Lua (`setup()` → `hello`, decoded by the rpc layer into
//! JSON and handed to [`Config::from_json`]) or builds them from the command line. Every field
//! is optional: a missing key means "use the default documented here", which matches
//! `lua/smallcode/config.lua`. Lua validates types before sending; this side still refuses
//! unknown providers with a message naming the allowed values.

use std::time::Duration;

use serde::Deserialize;

/// Which wire format to speak to the model server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI-compatible `/v1/chat/completions` with SSE (llama.cpp, LM Studio, vLLM, OpenAI).
    Openai,
    /// Ollama's native `/api/chat` with NDJSON (the only Ollama API that honours `num_ctx`).
    Ollama,
}

impl ProviderKind {
    /// The name used in config and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Openai => "openai",
            ProviderKind::Ollama => "ollama",
        }
    }
}

/// Watchdog limits for one model request. A local CPU server can take tens of seconds to read a
/// long prompt, so the first-token limit is generous; between tokens a healthy server is fast.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default)]
pub struct Timeouts {
    /// Seconds to wait for TCP connect + response headers. Defaults to 5.
    pub connect: f64,
    /// Seconds from sending the request to the first streamed token. Defaults to 180.
    pub first_token: f64,
    /// Seconds allowed between two streamed chunks once tokens flow. Defaults to 30.
    pub idle: f64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: 5.0,
            first_token: 180.0,
            idle: 30.0,
        }
    }
}

impl Timeouts {
    /// `connect` as a [`Duration`] (negative or NaN values clamp to a small positive one).
    pub fn connect(&self) -> Duration {
        secs(self.connect)
    }
    /// `first_token` as a [`Duration`].
    pub fn first_token(&self) -> Duration {
        secs(self.first_token)
    }
    /// `idle` as a [`Duration`].
    pub fn idle(&self) -> Duration {
        secs(self.idle)
    }
}

fn secs(s: f64) -> Duration {
    if s.is_finite() && s > 0.0 {
        Duration::from_secs_f64(s.min(86_400.0))
    } else {
        Duration::from_millis(100)
    }
}

/// The model-facing configuration. Mirrors the keys of `require("smallcode").setup()`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Wire format; `None` = decided by discovery (or `openai` for a configured endpoint that is
    /// not recognisably Ollama).
    pub provider: Option<ProviderKind>,
    /// Base URL such as `http://127.0.0.1:8080`; `None` = probe loopback for a running server.
    pub endpoint: Option<String>,
    /// Model name; `None` = the server's loaded (or first listed) model.
    pub model: Option<String>,
    /// Context size to use. `None` = what the server has loaded (llama.cpp, LM Studio), or
    /// `min(trained, 8192)` for Ollama (sent as `num_ctx`), or 4096 when the server can't say.
    pub context: Option<u64>,
    /// Name of the environment variable holding the API key (never read from a project file).
    pub api_key_env: Option<String>,
    /// A shell command whose first output line is the API key (e.g. a password manager call).
    pub api_key_cmd: Option<String>,
    /// Watchdog limits.
    pub timeouts: Timeouts,
    /// Upper bound of tokens the model may generate per reply. Always sent: llama.cpp generates
    /// until the context is full without one. Defaults to 512.
    pub max_tokens: u32,
    /// Sampling temperature. Defaults to 0.2.
    pub temperature: f32,
    /// The system prompt for plain chat. Kept short: every token here is one the model's code
    /// context cannot use.
    pub system_prompt: String,
    /// Opt-in stronger model that gets only the failing sub-task once the local model's
    /// rounds are spent; `None` = never escalate.
    pub escalation: Option<Escalation>,
}

/// Where escalated sub-tasks go (`escalation = { provider, endpoint, model, api_key_env }`).
/// The key is read from the named environment variable and only ever sent to `endpoint`'s host.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// `anthropic` (Messages API) or `openai` (any OpenAI-compatible endpoint).
    pub provider: String,
    /// Base URL, e.g. `https://api.anthropic.com`. Defaults to Anthropic's API for `anthropic`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Model name, e.g. `claude-sonnet-4-5`.
    pub model: String,
    /// Name of the environment variable holding the key; `None` = send no key (local servers).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Reply cap of the escalation model. Defaults to 2048.
    #[serde(default = "default_escalation_tokens")]
    pub max_tokens: u32,
}

fn default_escalation_tokens() -> u32 {
    2048
}

/// The default chat system prompt (short on purpose).
pub const DEFAULT_SYSTEM_PROMPT: &str =
    "You are smallcode, a coding assistant inside Neovim. Answer briefly. Put code in fenced blocks.";

impl Default for Config {
    fn default() -> Self {
        Config {
            provider: None,
            endpoint: None,
            model: None,
            context: None,
            api_key_env: None,
            api_key_cmd: None,
            timeouts: Timeouts::default(),
            max_tokens: 512,
            temperature: 0.2,
            system_prompt: DEFAULT_SYSTEM_PROMPT.to_string(),
            escalation: None,
        }
    }
}

impl Config {
    /// Decodes the `setup()` table (as JSON); unknown keys are ignored (Lua owns UI-only
    /// keys), bad values name the key.
    pub fn from_json(v: serde_json::Value) -> Result<Config, String> {
        if v.is_null() {
            return Ok(Config::default());
        }
        serde_json::from_value(v).map_err(|e| format!("invalid smallcode config: {e}"))
    }

    /// The API key from the configured environment variable or command (never from a file in
    /// the project). `None` when neither is configured.
    pub fn api_key(&self) -> Result<Option<String>, String> {
        if let Some(var) = &self.api_key_env {
            return match std::env::var(var) {
                Ok(k) if !k.trim().is_empty() => Ok(Some(k.trim().to_string())),
                _ => Err(format!("api_key_env names ${var}, but it is not set")),
            };
        }
        if let Some(cmd) = &self.api_key_cmd {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_map_gives_defaults() {
        let c = Config::from_json(serde_json::json!({})).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn keys_are_read_and_bad_provider_is_named() {
        let v = serde_json::json!({
            "provider": "ollama",
            "endpoint": "http://127.0.0.1:1",
            "timeouts": { "idle": 0.5 },
        });
        let c = Config::from_json(v).unwrap();
        assert_eq!(c.provider, Some(ProviderKind::Ollama));
        assert_eq!(c.timeouts.idle(), Duration::from_millis(500));
        assert_eq!(c.timeouts.first_token, 180.0);
        let esc = serde_json::json!({
            "escalation": { "provider": "anthropic", "model": "big", "api_key_env": "ANTHROPIC_API_KEY" },
        });
        let e = Config::from_json(esc).unwrap().escalation.unwrap();
        assert_eq!((e.provider.as_str(), e.max_tokens), ("anthropic", 2048));
        assert_eq!(e.endpoint, None);
        let typo = serde_json::json!({
            "escalation": { "provider": "openai", "model": "m", "api_key": "sk-in-config" },
        });
        let err = Config::from_json(typo).unwrap_err();
        assert!(
            err.contains("api_key"),
            "a key in the config is refused: {err}"
        );
        let bad = serde_json::json!({ "provider": "grpc" });
        let err = Config::from_json(bad).unwrap_err();
        assert!(err.contains("openai") && err.contains("ollama"), "{err}");
    }
}
