//! What one agent run did, for the transcript, `/stats` and the benchmark.

use serde::Serialize;

/// How much the checks prove about a landed change: the word the chat, `smallcode run` and the
/// benchmark print next to it. "Verified" is a promise: only a check that can fail on the
/// change's behaviour, and that executed the changed code, earns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verification {
    /// A test or request check that exercises behaviour ran every changed definition and
    /// passed.
    Verified,
    /// Syntax/compile checks passed, but no behavioural check ran the change (none exists, the
    /// project is not trusted, or the ones that ran did not reach the changed code).
    Checked,
    /// No check applied at all (or the run ended without a change).
    #[default]
    Unverified,
}

impl Verification {
    /// The lowercase word (`verified`, `checked`, `unverified`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Verified => "verified",
            Verification::Checked => "checked",
            Verification::Unverified => "unverified",
        }
    }
}

/// Counters and outcome of one task run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The agent finished with every check passing and its change applied.
    pub passed: bool,
    /// Model calls made.
    pub rounds: u32,
    /// Prompt tokens (server-reported when available, else estimated).
    pub tokens_in: u64,
    /// Generated tokens.
    pub tokens_out: u64,
    /// Prompt tokens served from the server's KV cache (llama.cpp `cache_n`).
    pub cached_tokens: u64,
    /// Tool calls executed (naive mode) or edits staged (harness mode).
    pub tool_calls: u32,
    /// Tool-call / JSON / edit-format repairs the harness made.
    pub repairs: u32,
    /// Times a failing target was narrowed to a smaller sub-task.
    pub decompositions: u32,
    /// Sub-tasks handed to the escalation model.
    pub escalations: u32,
    /// Prompt + reply tokens the escalation model reported (kept apart from the local budget).
    pub escalation_tokens: u64,
    /// Checker runs.
    pub checks: u32,
    /// Tokens the tool schemas cost in every prompt of the `tools` format (the tiny-toolset
    /// rule, user tools included); 0 in the `whole` format.
    pub schema_tokens: u64,
    /// Best-of-N candidates verified (each in its own shadow copy).
    pub candidates: u32,
    /// Best-of-N candidates skipped because an earlier one had the same code.
    pub duplicate_candidates: u32,
    /// Repair-template variants verified ([`crate::mutate`]).
    pub templates: u32,
    /// Wall time in milliseconds.
    pub wall_ms: u64,
    /// Files changed (relative paths) when applied.
    pub changed: Vec<String>,
    /// One line on why the run ended.
    pub outcome: String,
    /// What the checks prove about the change (see [`Verification`]).
    pub verification: Verification,
    /// Why the label is what it is, in one line (which check ran which definition, or what
    /// did not run).
    pub verification_note: String,
    /// Checks that could not run, each with the reason (not trusted, not executable).
    pub skipped: Vec<String>,
    /// The project's test command (configured or detected) when this run ran it: only in a
    /// trusted project. With `tests: ok` in the last checks it is a command known to work,
    /// which the chat may propose to remember (src/chat/learn.rs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_command: Option<String>,
    /// The change set whose checks passed (absolute path, new text) when not applied to disk.
    #[serde(skip)]
    pub staged: Vec<(std::path::PathBuf, String)>,
    /// The text each staged file had when the agent read it (same order as `staged`): the base
    /// an editor rebases the change onto when the user typed meanwhile.
    #[serde(skip)]
    pub base: Vec<(std::path::PathBuf, String)>,
    /// `b:changedtick` of buffers the agent re-read during the run (the `tools` format); the
    /// landing guard compares against these instead of the ticks sent with the request.
    #[serde(skip)]
    pub buffer_ticks: Vec<(std::path::PathBuf, i64)>,
}

impl Report {
    /// Adds `other`'s counters (rounds, tokens, tool calls, repairs, decompositions,
    /// escalations, checks) to these: session totals and multi-round benchmark trials sum runs.
    pub fn add_counts(&mut self, other: &Report) {
        self.rounds += other.rounds;
        self.tokens_in += other.tokens_in;
        self.tokens_out += other.tokens_out;
        self.cached_tokens += other.cached_tokens;
        self.tool_calls += other.tool_calls;
        self.repairs += other.repairs;
        self.decompositions += other.decompositions;
        self.escalations += other.escalations;
        self.checks += other.checks;
        self.candidates += other.candidates;
        self.duplicate_candidates += other.duplicate_candidates;
        self.templates += other.templates;
        self.wall_ms += other.wall_ms;
    }
}

/// Runs an agent loop under its wall-time cap and the user's cancel, and says why it ended when
/// it did not end by itself (`cancelled`, the loop's own error, the time limit). The harness and
/// the tools loop share it so both stop the same way.
pub(crate) async fn bounded<F>(
    fut: F,
    max_wall: std::time::Duration,
    cancel: &tokio_util::sync::CancellationToken,
) -> Option<String>
where
    F: std::future::Future<Output = Result<(), crate::AgentError>>,
{
    tokio::select! {
        _ = cancel.cancelled() => Some("cancelled".into()),
        r = tokio::time::timeout(max_wall, fut) => match r {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some(format!("wall-time limit of {}s reached", max_wall.as_secs())),
        },
    }
}
