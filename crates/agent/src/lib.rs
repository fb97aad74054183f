//! The agent: makes a small model finish coding tasks by doing the heavy lifting around it.
//!
//! - [`harness`]: the small-model pipeline (whole code in, plain code out, verify, feed back,
//!   decompose) — the default.
//! - [`naive`]: the control group for benchmarks (plain tool loop, native tool calls only).
//! - [`workspace`]: project confinement and the shadow tree edits are staged in.
//! - [`check`]: the improvement loop's checkers and their output parsing.
//! - [`context`] / [`prefill`] / [`apply`]: what the model sees; how its reply is started and
//!   put back together; how it becomes staged changes.
//! - [`tool_loop`] + [`tools`]: the `tools` edit format — a compound tool surface (find_read,
//!   edit, create, run, done) for models that can call tools; [`permission`] gates `run`. A
//!   loop that ends with nothing to land is handed to the harness's rounds (one harness, two
//!   formats).
//! - [`oracle`] / [`expect`] / [`request_check`] / [`coverage`] / [`overfit`] / [`probe`]: what
//!   tells a right change from a wrong one (tests, the request's examples as checks), what a pass
//!   proves (verified / checked / unverified), and passes that only echo the example or answer
//!   every input alike.
//! - [`mutate`]: repair templates — the failing definition's one-token variants, verified like
//!   a model's candidates once the rounds are spent, where tests or examples tell them apart;
//!   [`error_fix`]: the repairs an error message all but states (a missing import's real name,
//!   a C declaration that conflicts with its definition, a Lua local indexed while nil);
//!   [`rename`]: renames the request asks for, carried out from the syntax tree before the model
//!   is asked.
//! - [`escalate`]: the opt-in stronger model that gets only the failing sub-task.
//! - [`error`]: [`AgentError`], why a run stopped early (its text becomes the report's outcome)
//!   or a part of one could not be built.

//!
//! Builds on `smallcode-core` (syntax, graph, budget, edit, toolcall) and `smallcode-llm`; the
//! editor reaches it only through the traits in [`sink`] and [`tools`], so it runs the same
//! headless (`smallcode run`, the benchmark) and in Neovim.

#![warn(missing_docs)]

pub mod apply;
pub mod best_of;
pub mod check;
pub mod context;
pub mod coverage;
pub mod error;
pub mod error_fix;
pub mod escalate;
pub mod expect;
pub mod harness;
pub mod hints;
pub mod mutate;
pub mod naive;
pub mod oracle;
pub mod overfit;
pub mod permission;
pub mod prefill;
pub mod probe;
pub mod rename;
pub mod report;
pub mod request_check;
pub mod sink;
pub mod stubs;
pub mod tool_loop;
pub mod tools;
pub mod trust;
pub mod workspace;

pub use error::AgentError;
pub use harness::{run, AgentConfig};
pub use report::{Report, Verification};

/// How the model hands back edits, chosen per model: `whole` (the default, for small models: one
/// plain code block holding a whole definition, see [`harness`]) or `tools` (the compound tool
/// surface of [`tool_loop`], for models that can call tools natively or through the
/// constrained envelope). On the wire (`agent_run`'s `edit_format`) it is the lowercase name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditFormat {
    /// Whole definitions in a plain code block ([`harness`]).
    #[default]
    Whole,
    /// Tool calls over [`tools`] ([`tool_loop`]).
    Tools,
}

impl std::str::FromStr for EditFormat {
    type Err = AgentError;
    fn from_str(s: &str) -> Result<EditFormat, AgentError> {
        match s.trim() {
            "" | "whole" => Ok(EditFormat::Whole),
            "tools" => Ok(EditFormat::Tools),
            other => Err(AgentError::UnknownEditFormat(other.to_string())),
        }
    }
}

/// Which commands the model may run (deny by default). The harness's own checkers and the test
/// command are not subject to this: they are the harness's, not the model's.
#[derive(Debug, Clone, Default)]
pub struct Permissions {
    /// Command prefixes allowed (`--allow PREFIX`).
    pub prefixes: Vec<String>,
    /// Everything allowed (`--allow-all`, for throwaway copies such as benchmark tasks).
    pub all: bool,
}

impl Permissions {
    /// Whether `command` may run without asking.
    pub fn allows(&self, command: &str) -> bool {
        let c = command.trim();
        self.all
            || self
                .prefixes
                .iter()
                .any(|p| c == p || c.starts_with(&format!("{p} ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_by_default_and_prefixes_match_whole_words() {
        let p = Permissions {
            prefixes: vec!["cargo test".into()],
            all: false,
        };
        assert!(p.allows("cargo test"));
        assert!(p.allows("cargo test --lib"));
        assert!(!p.allows("cargo testx"));
        assert!(!p.allows("rm -rf /"));
        assert!(!Permissions::default().allows("ls"));
        assert!(Permissions {
            prefixes: vec![],
            all: true
        }
        .allows("anything"));
    }
}
