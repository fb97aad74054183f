//! What can go wrong in the agent: one case per failure, each naming the bad value.
//!
//! A run does not return these: it ends with a [`crate::Report`] whose `outcome` is the text of
//! the error that stopped it (what the chat, `smallcode run` and the benchmark show), so the
//! `Display` texts are part of the interface and tests assert on them. Building the parts of a
//! run (the escalation model, the edit format) returns them directly; inside the `tools` loop
//! they become the error text a tool call gets back.
//!
//! Where a case wraps another error, its text already includes that error's; no case also exposes
//! it as `source()`, or a printer of the cause chain (`anyhow`'s `{:#}`) would say it twice.

use thiserror::Error;

use crate::workspace::WorkspaceError;
use smallcode_core::edit::unit::UnitError;
use smallcode_core::edit::EditError;
use smallcode_core::graph::GraphError;
use smallcode_llm::LlmError;

/// Why an agent run stopped early, or a part of one could not be built.
#[derive(Debug, Error)]
pub enum AgentError {
    /// The project root or a file in it could not be used: a path outside the project, or a
    /// filesystem failure (with its path).
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// Nothing in the project looks like a source file to change.
    #[error("no source file to work on was found in the project")]
    NoTargets,
    /// Prompt + completion tokens went over [`crate::AgentConfig::max_tokens_total`].
    #[error("token budget of {limit} spent")]
    TokenBudget {
        /// The budget (tokens).
        limit: u64,
    },
    /// A call to the working model failed (connection, HTTP status, broken stream).
    #[error("model request failed: {0}")]
    Model(LlmError),
    /// The `tools` loop: two replies in a row held no usable tool call.
    #[error("the model did not produce a usable tool call after one retry")]
    NoToolCall,
    /// The `whole` harness: no round (nor the escalation, when there is one) produced an edit
    /// that could be checked.
    #[error("the model never produced a usable edit{}", escalation_suffix(.escalation))]
    NoUsableEdit {
        /// Why the escalation did not help either, when one was tried.
        escalation: Option<EscalationFailure>,
    },
    /// A `symbol` edit: the code could not be mapped onto the file's definitions.
    #[error("{rel}: {error}")]
    Units {
        /// The file (relative to the root).
        rel: String,
        /// What the mapping said.
        error: UnitError,
    },
    /// A `symbol` edit replaced no definition of the name the model gave.
    #[error(
        "{rel}: no definition `{name}` was replaced{}; write the whole definition of `{name}`",
        dropped_suffix(.dropped)
    )]
    NotReplaced {
        /// The file (relative to the root).
        rel: String,
        /// The definition the model named.
        name: String,
        /// Definitions of the reply that were dropped, with the reason (`` `f` (Unchanged) ``).
        dropped: Vec<String>,
    },
    /// Located edits could not be applied to the text (out of bounds, overlapping).
    #[error(transparent)]
    Edit(#[from] EditError),
    /// The code graph `find_read` searches could not be opened or indexed.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// The graph's indexing task panicked or was cancelled.
    #[error("indexing failed: {0}")]
    IndexTask(tokio::task::JoinError),
    /// The escalation's `api_key_env` names a variable that is unset or empty.
    #[error("escalation: environment variable {var} (api_key_env) is not set")]
    EscalationKeyUnset {
        /// The variable's name.
        var: String,
    },
    /// The escalation's `provider` is not one the agent speaks.
    #[error("escalation: unknown provider {provider:?}: use anthropic or openai")]
    EscalationProvider {
        /// The provider configured.
        provider: String,
    },
    /// The `openai` escalation provider has no default endpoint.
    #[error("escalation: provider openai needs an endpoint")]
    EscalationNoEndpoint,
    /// The escalation endpoint is not a URL.
    #[error("escalation: bad endpoint {endpoint:?}: {error}")]
    EscalationBadEndpoint {
        /// The endpoint configured.
        endpoint: String,
        /// What the URL parser said.
        error: url::ParseError,
    },
    /// The escalation endpoint is a URL, but not http(s) with a host.
    #[error("escalation: endpoint {endpoint:?} must be an http(s) URL")]
    EscalationNotHttp {
        /// The endpoint configured.
        endpoint: String,
    },
    /// The escalation's `model` is empty.
    #[error("escalation: model is empty")]
    EscalationNoModel,
    /// The escalation's HTTP client could not be built (TLS setup).
    #[error("escalation: cannot build the HTTP client: {0}")]
    EscalationClient(reqwest::Error),
    /// An edit format other than `whole` or `tools` (`--edit-format`).
    #[error("edit format {0:?}: use whole or tools")]
    UnknownEditFormat(String),
}

/// Why the escalation model's answer was not used (the run goes on to report the failure).
#[derive(Debug, Error)]
pub enum EscalationFailure {
    /// The request to the escalation model failed.
    #[error("escalation failed: {0}")]
    Request(LlmError),
    /// The answer's code was refused before staging (the reason the apply step gave).
    #[error("the escalation answer was refused: {0}")]
    Refused(String),
    /// The answer held no code block to apply.
    #[error("the escalation answer had no usable code")]
    NoCode,
}

fn escalation_suffix(escalation: &Option<EscalationFailure>) -> String {
    escalation
        .as_ref()
        .map(|e| format!("; {e}"))
        .unwrap_or_default()
}

fn dropped_suffix(dropped: &[String]) -> String {
    if dropped.is_empty() {
        String::new()
    } else {
        format!(" (dropped: {})", dropped.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_ones_users_see() {
        assert_eq!(
            AgentError::NoUsableEdit { escalation: None }.to_string(),
            "the model never produced a usable edit"
        );
        assert_eq!(
            AgentError::NoUsableEdit {
                escalation: Some(EscalationFailure::NoCode)
            }
            .to_string(),
            "the model never produced a usable edit; the escalation answer had no usable code"
        );
        assert_eq!(
            AgentError::NotReplaced {
                rel: "calc.py".into(),
                name: "add".into(),
                dropped: vec!["`sub` (Unchanged)".into()],
            }
            .to_string(),
            "calc.py: no definition `add` was replaced (dropped: `sub` (Unchanged)); write the whole definition of `add`"
        );
        assert_eq!(
            AgentError::TokenBudget { limit: 60_000 }.to_string(),
            "token budget of 60000 spent"
        );
        assert_eq!(
            AgentError::UnknownEditFormat("diff".into()).to_string(),
            "edit format \"diff\": use whole or tools"
        );
    }
}
