//! Finding a model server and learning its real limits.
//!
//! With no endpoint configured, loopback is probed for the usual local servers in a fixed order
//! (Ollama :11434, LM Studio :1234, llama.cpp :8080, vLLM :8000); the first that answers wins.
//! Then the server is asked for its model list, the context size actually loaded and whether the
//! model does native tool calls. A large context is never assumed: when a server can't say, 4096
//! is used. vLLM says it in `/v1/models` (`max_model_len` of each model), and is told apart from
//! other OpenAI-compatible servers by that field (or `owned_by: "vllm"`), so a random web server
//! on :8000 is not mistaken for a model.
//! The candidate list can be overridden with `SMALLCODE_DISCOVER=kind=url,…` (tests, odd ports).

use std::process::ExitCode;
use std::sync::Once;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::LlmError;
use crate::config::{Config, ProviderKind, Timeouts};

/// Context size used when the server can't tell us (never assume a large default).
pub const FALLBACK_CONTEXT: u64 = 4096;
/// Upper bound we ask Ollama for by default (memory grows with `num_ctx`).
pub const OLLAMA_DEFAULT_CONTEXT: u64 = 8192;

/// Which server software answered. Decides the probe endpoints and the status text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerKind {
    /// llama.cpp's `llama-server`.
    LlamaCpp,
    /// Ollama.
    Ollama,
    /// LM Studio.
    LmStudio,
    /// vLLM's OpenAI-compatible server (`vllm serve`).
    Vllm,
    /// Some other OpenAI-compatible server (OpenAI, a proxy…).
    OpenAi,
}

impl ServerKind {
    /// Human name for the chat and the winbar.
    pub fn label(self) -> &'static str {
        match self {
            ServerKind::LlamaCpp => "llama.cpp",
            ServerKind::Ollama => "Ollama",
            ServerKind::LmStudio => "LM Studio",
            ServerKind::Vllm => "vLLM",
            ServerKind::OpenAi => "OpenAI-compatible",
        }
    }

    fn parse(s: &str) -> Option<ServerKind> {
        match s {
            "llamacpp" | "llama.cpp" | "llama" => Some(ServerKind::LlamaCpp),
            "ollama" => Some(ServerKind::Ollama),
            "lmstudio" => Some(ServerKind::LmStudio),
            "vllm" => Some(ServerKind::Vllm),
            "openai" => Some(ServerKind::OpenAi),
            _ => None,
        }
    }
}

/// A resolved, probed endpoint: everything needed to send a request and budget it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endpoint {
    /// Server software.
    pub kind: ServerKind,
    /// Wire format used.
    pub provider: ProviderKind,
    /// Base URL without trailing slash.
    pub url: String,
    /// Model name sent with each request.
    pub model: String,
    /// The context size requests must fit in.
    pub context: u64,
    /// Whether `context` came from the server (false = fallback guess).
    pub context_probed: bool,
    /// The model's trained maximum, where known (caps Ollama's `num_ctx`).
    pub trained_context: Option<u64>,
    /// Native tool calling, where the server says.
    pub tools: Option<bool>,
    /// Requests the server decodes in parallel (llama.cpp `/props` `total_slots`); `None` =
    /// unknown (Ollama's `OLLAMA_NUM_PARALLEL` is the server's own setting, not reported).
    pub slots: Option<u32>,
    /// `configured` or `discovered`.
    pub source: &'static str,
    /// The server's model list.
    pub models: Vec<String>,
}

impl Serialize for ProviderKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Endpoint {
    /// The winbar text: `llama.cpp · SmolLM2 · ctx 8192`.
    pub fn status_text(&self) -> String {
        let guess = if self.context_probed { "" } else { "?" };
        format!(
            "{} · {} · ctx {}{}",
            self.kind.label(),
            self.model,
            self.context,
            guess
        )
    }

    /// The chat line announcing what was picked.
    pub fn info_text(&self) -> String {
        let tools = match self.tools {
            Some(true) => "native tool calls",
            Some(false) => "no native tool calls",
            None => "tool support unknown",
        };
        let ctx = if self.context_probed {
            format!("context {}", self.context)
        } else {
            format!("context unknown, assuming {}", self.context)
        };
        format!(
            "Using {} at {} ({}), model {} ({ctx}, {tools})",
            self.kind.label(),
            self.url,
            self.source,
            self.model
        )
    }
}

/// rustls needs a process-wide crypto provider; we ship `ring` (builds faster than aws-lc).
pub fn ensure_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The loopback candidates probed when no endpoint is configured, in priority order.
pub fn candidates() -> Vec<(ServerKind, String)> {
    if let Ok(spec) = std::env::var("SMALLCODE_DISCOVER") {
        let parsed: Vec<_> = spec
            .split(',')
            .filter_map(|item| {
                let (k, u) = item.split_once('=')?;
                Some((
                    ServerKind::parse(k.trim())?,
                    u.trim().trim_end_matches('/').to_string(),
                ))
            })
            .collect();
        if !parsed.is_empty() {
            return parsed;
        }
    }
    vec![
        (ServerKind::Ollama, "http://127.0.0.1:11434".into()),
        (ServerKind::LmStudio, "http://127.0.0.1:1234".into()),
        (ServerKind::LlamaCpp, "http://127.0.0.1:8080".into()),
        (ServerKind::Vllm, "http://127.0.0.1:8000".into()),
    ]
}

/// Resolves the endpoint for `config`: the configured one, or the first server on loopback;
/// then probes model, context and tools.
pub async fn resolve(config: &Config) -> Result<Endpoint, LlmError> {
    let probe_timeouts = Timeouts {
        connect: config.timeouts.connect.min(2.0),
        ..config.timeouts
    };
    let http = super::client::http_client(&probe_timeouts);
    let (kind, url, source) = match &config.endpoint {
        Some(url) => {
            let url = url.trim_end_matches('/').to_string();
            let kind = identify(&http, &url, config.provider).await?;
            (kind, url, "configured")
        }
        None => {
            let mut tried = Vec::new();
            let mut found = None;
            for (kind, url) in candidates() {
                if answers(&http, kind, &url).await {
                    found = Some((kind, url));
                    break;
                }
                tried.push(format!("{} {url}", kind.label()));
            }
            match found {
                Some((k, u)) => (k, u, "discovered"),
                None => {
                    return Err(LlmError::NoServer {
                        tried: tried.join(", "),
                    })
                }
            }
        }
    };
    let provider = config.provider.unwrap_or(match kind {
        ServerKind::Ollama => ProviderKind::Ollama,
        _ => ProviderKind::Openai,
    });
    let mut ep = probe(&http, kind, &url, config).await?;
    ep.provider = provider;
    ep.source = source;
    Ok(ep)
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value, String> {
    let resp = tokio::time::timeout(Duration::from_secs(5), http.get(url).send())
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| super::client::root_cause(&e))?;
    let status = resp.status();
    let text = tokio::time::timeout(Duration::from_secs(5), resp.text())
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| super::client::root_cause(&e))?;
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    serde_json::from_str(&text).map_err(|_| "not JSON".to_string())
}

async fn post_json(http: &reqwest::Client, url: &str, body: &Value) -> Result<Value, String> {
    let resp = tokio::time::timeout(Duration::from_secs(5), http.post(url).json(body).send())
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| super::client::root_cause(&e))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(super::error::error_message(&text).unwrap_or_else(|| format!("HTTP {status}")));
    }
    serde_json::from_str(&text).map_err(|_| "not JSON".to_string())
}

/// Whether a server of `kind` answers at `url` (its cheapest identifying endpoint).
async fn answers(http: &reqwest::Client, kind: ServerKind, url: &str) -> bool {
    let path = match kind {
        ServerKind::Ollama => "/api/tags",
        ServerKind::LmStudio | ServerKind::OpenAi | ServerKind::Vllm => "/v1/models",
        ServerKind::LlamaCpp => "/props",
    };
    match get_json(http, &format!("{url}{path}")).await {
        // Port 8000 is every development web server's default: only a model list that looks
        // like vLLM's counts.
        Ok(v) if kind == ServerKind::Vllm => is_vllm(&v),
        Ok(_) => true,
        Err(_) => false,
    }
}

/// Whether a `/v1/models` answer comes from vLLM: its models carry `max_model_len` (or say
/// `owned_by: "vllm"`).
fn is_vllm(models: &Value) -> bool {
    models
        .get("data")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter().any(|m| {
                m.get("max_model_len").is_some()
                    || m.get("owned_by").and_then(Value::as_str) == Some("vllm")
            })
        })
}

/// Works out which server software runs at a configured URL.
async fn identify(
    http: &reqwest::Client,
    url: &str,
    provider: Option<ProviderKind>,
) -> Result<ServerKind, LlmError> {
    if provider == Some(ProviderKind::Ollama) {
        return Ok(ServerKind::Ollama);
    }
    if let Ok(v) = get_json(http, &format!("{url}/props")).await {
        if v.get("default_generation_settings").is_some() || v.get("n_ctx").is_some() {
            return Ok(ServerKind::LlamaCpp);
        }
    }
    if get_json(http, &format!("{url}/api/v0/models"))
        .await
        .is_ok()
    {
        return Ok(ServerKind::LmStudio);
    }
    if provider.is_none() && get_json(http, &format!("{url}/api/tags")).await.is_ok() {
        return Ok(ServerKind::Ollama);
    }
    match get_json(http, &format!("{url}/v1/models")).await {
        Ok(v) if is_vllm(&v) => Ok(ServerKind::Vllm),
        Ok(_) => Ok(ServerKind::OpenAi),
        Err(reason) => Err(LlmError::Connect {
            url: url.to_string(),
            reason,
        }),
    }
}

fn ids(v: &Value, list: &str, key: &str) -> Vec<String> {
    v.get(list)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| m.get(key)?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn pick_model(
    wanted: Option<&str>,
    preferred: Option<String>,
    models: &[String],
    url: &str,
) -> Result<String, LlmError> {
    if let Some(w) = wanted {
        let hit = models
            .iter()
            .find(|m| *m == w || m.strip_suffix(":latest") == Some(w));
        return match hit {
            Some(m) => Ok(m.clone()),
            None if models.is_empty() => Ok(w.to_string()),
            None => Err(LlmError::UnknownModel {
                model: w.to_string(),
                url: url.to_string(),
                available: models.join(", "),
            }),
        };
    }
    preferred
        .or_else(|| models.first().cloned())
        .ok_or_else(|| {
            LlmError::Config(format!(
                "the server at {url} lists no models; load or pull one first"
            ))
        })
}

/// Asks the server for model list, loaded context and tool support.
async fn probe(
    http: &reqwest::Client,
    kind: ServerKind,
    url: &str,
    config: &Config,
) -> Result<Endpoint, LlmError> {
    let wanted = config.model.as_deref();
    let conn = |reason: String| LlmError::Connect {
        url: url.to_string(),
        reason,
    };
    let mut ep = Endpoint {
        kind,
        provider: ProviderKind::Openai,
        url: url.to_string(),
        model: String::new(),
        context: FALLBACK_CONTEXT,
        context_probed: false,
        trained_context: None,
        tools: None,
        slots: None,
        source: "configured",
        models: Vec::new(),
    };
    let mut loaded_ctx = None;
    match kind {
        ServerKind::LlamaCpp => {
            let props = get_json(http, &format!("{url}/props"))
                .await
                .map_err(conn)?;
            loaded_ctx = props
                .pointer("/default_generation_settings/n_ctx")
                .or_else(|| props.get("n_ctx"))
                .and_then(Value::as_u64);
            ep.slots = props
                .get("total_slots")
                .and_then(Value::as_u64)
                .map(|n| n as u32);
            ep.tools = props
                .get("chat_template")
                .and_then(Value::as_str)
                .map(|t| t.contains("tools"));
            let list = get_json(http, &format!("{url}/v1/models"))
                .await
                .unwrap_or(Value::Null);
            ep.models = ids(&list, "data", "id");
            ep.trained_context = list
                .pointer("/data/0/meta/n_ctx_train")
                .and_then(Value::as_u64);
            ep.model = pick_model(wanted, None, &ep.models, url)?;
        }
        ServerKind::Ollama => {
            let tags = get_json(http, &format!("{url}/api/tags"))
                .await
                .map_err(conn)?;
            ep.models = ids(&tags, "models", "name");
            let ps = get_json(http, &format!("{url}/api/ps"))
                .await
                .unwrap_or(Value::Null);
            let running = ids(&ps, "models", "name").into_iter().next();
            ep.model = pick_model(wanted, running, &ep.models, url)?;
            let show = post_json(
                http,
                &format!("{url}/api/show"),
                &serde_json::json!({"model": ep.model}),
            )
            .await
            .map_err(|reason| {
                LlmError::Config(format!(
                    "Ollama could not describe model {}: {reason}",
                    ep.model
                ))
            })?;
            ep.trained_context = show
                .get("model_info")
                .and_then(Value::as_object)
                .and_then(|m| m.iter().find(|(k, _)| k.ends_with(".context_length")))
                .and_then(|(_, v)| v.as_u64());
            ep.tools = show
                .get("capabilities")
                .and_then(Value::as_array)
                .map(|c| c.iter().any(|x| x == "tools"));
            // We choose num_ctx for Ollama: bounded by the trained maximum.
            loaded_ctx = ep.trained_context.map(|t| t.min(OLLAMA_DEFAULT_CONTEXT));
        }
        ServerKind::LmStudio => {
            let v = get_json(http, &format!("{url}/api/v0/models"))
                .await
                .map_err(conn)?;
            let data = v
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            ep.models = ids(&v, "data", "id");
            let loaded = data
                .iter()
                .find(|m| m.get("state").and_then(Value::as_str) == Some("loaded"))
                .and_then(|m| m.get("id")?.as_str().map(str::to_string));
            ep.model = pick_model(wanted, loaded, &ep.models, url)?;
            let me = data
                .iter()
                .find(|m| m.get("id").and_then(Value::as_str) == Some(ep.model.as_str()));
            loaded_ctx = me
                .and_then(|m| m.get("loaded_context_length"))
                .and_then(Value::as_u64);
            ep.trained_context = me
                .and_then(|m| m.get("max_context_length"))
                .and_then(Value::as_u64);
            ep.tools = me
                .and_then(|m| m.get("capabilities"))
                .and_then(Value::as_array)
                .map(|c| c.iter().any(|x| x == "tool_use"));
        }
        ServerKind::Vllm => {
            // One model per server process; `max_model_len` is the context it was started
            // with (`--max-model-len`, else the model's own maximum), prompt and reply together.
            let v = get_json(http, &format!("{url}/v1/models"))
                .await
                .map_err(conn)?;
            ep.models = ids(&v, "data", "id");
            ep.model = pick_model(wanted, None, &ep.models, url)?;
            loaded_ctx = v
                .get("data")
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter()
                        .find(|m| m.get("id").and_then(Value::as_str) == Some(ep.model.as_str()))
                })
                .and_then(|m| m.get("max_model_len"))
                .and_then(Value::as_u64);
            ep.trained_context = loaded_ctx;
        }
        ServerKind::OpenAi => {
            let v = get_json(http, &format!("{url}/v1/models"))
                .await
                .map_err(conn)?;
            ep.models = ids(&v, "data", "id");
            ep.model = pick_model(wanted, None, &ep.models, url)?;
        }
    }
    if let Some(c) = loaded_ctx.filter(|c| *c > 0) {
        ep.context = c;
        ep.context_probed = true;
    }
    if let Some(c) = config.context.filter(|c| *c > 0) {
        // The user's choice, but never above what the server actually has loaded.
        ep.context = if kind == ServerKind::Ollama {
            ep.trained_context.map_or(c, |t| c.min(t))
        } else if ep.context_probed {
            c.min(ep.context)
        } else {
            c
        };
        ep.context_probed = true;
    }
    Ok(ep)
}

/// `smallcode probe`: resolve and print the endpoint as JSON (stdout is free outside rpc mode).
pub fn probe_cli(
    endpoint: Option<String>,
    provider: Option<String>,
    model: Option<String>,
) -> ExitCode {
    let provider = match provider.as_deref() {
        None => None,
        Some("openai") => Some(ProviderKind::Openai),
        Some("ollama") => Some(ProviderKind::Ollama),
        Some(other) => {
            eprintln!("smallcode: unknown provider {other:?}; use openai or ollama");
            return ExitCode::from(2);
        }
    };
    let config = Config {
        endpoint,
        provider,
        model,
        ..Config::default()
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("smallcode: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(resolve(&config)) {
        Ok(ep) => {
            println!("{}", serde_json::to_string_pretty(&ep).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("smallcode: {e}");
            ExitCode::FAILURE
        }
    }
}
