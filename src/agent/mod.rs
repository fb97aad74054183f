//! The agent: makes a small model finish coding tasks by doing the heavy lifting around it.
//!
//! - [`harness`]: the small-model pipeline (whole code in, plain code out, verify, feed back,
//!   decompose) — the default.
//! - [`naive`]: the control group for benchmarks (plain tool loop, native tool calls only).
//! - [`workspace`]: project confinement and the shadow tree edits are staged in.
//! - [`check`]: the improvement loop's checkers and their output parsing.
//! - [`context`] / [`apply`]: what the model sees; how its reply becomes staged changes.

pub mod apply;
pub mod check;
pub mod context;
pub mod harness;
pub mod naive;
pub mod report;
pub mod sink;
pub mod workspace;

pub use harness::{run, AgentConfig};
pub use report::Report;

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
