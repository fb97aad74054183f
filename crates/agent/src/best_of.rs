//! Verified best-of-N: after a wrong answer, several candidates at once on the server's parallel
//! slots, each verified in its own fork of the workspace as it arrives; the first that passes
//! wins and the rest are cancelled. Sampling is cheap next to a small model's failure rate, and
//! verification is what makes more samples worth having.

use super::apply::apply_reply;
use super::check::CheckResult;
use super::context::Target;
use super::harness::{estimate, verify, AgentConfig};
use super::oracle::Oracle;
use super::prefill::{self, assemble_counted, generated};
use super::report::Report;
use super::sink::Steps;
use super::workspace::Workspace;
use crate::AgentError;
use smallcode_llm::{ChatRequest, LlmClient};

/// Most candidates one best-of-N round asks for (each costs a server slot and a verification).
pub const MAX_CANDIDATES: usize = 4;

/// Temperatures of a best-of-N round's candidates, in order: diverse, so they differ.
const CANDIDATE_TEMPERATURES: [f32; MAX_CANDIDATES] = [0.7, 1.0, 0.5, 0.9];

/// How many candidates a best-of-N round asks for.
pub fn candidates(cfg: &AgentConfig, client: &LlmClient) -> usize {
    cfg.candidates
        .unwrap_or_else(|| client.endpoint().slots.unwrap_or(1) as usize)
        .clamp(1, MAX_CANDIDATES)
}

/// How a best-of-N round ended.
pub enum BestOf {
    /// A candidate passed every check: its workspace (the change staged) and the results.
    Passed(Workspace, Vec<CheckResult>),
    /// None passed; the results of the first one that made a checkable edit.
    Failed(Vec<CheckResult>),
    /// No candidate made a checkable edit: why, so the next round asks differently.
    Unusable(Unusable),
}

/// Why the candidates of a round made no checkable edit (counts per reason).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Unusable {
    /// An empty body after the prefilled header.
    pub empty: usize,
    /// The current code handed back unchanged.
    pub repeated: usize,
    /// No code block at all, or the request failed.
    pub no_code: usize,
}

/// One best-of-N round: `n` requests at once (diverse temperatures and seeds) on the server's
/// parallel slots; each reply, as it arrives, is applied to a fork of `ws` and verified there;
/// the first that passes wins and the requests still running are cancelled (their connections
/// dropped). Identical candidates are verified once.
#[allow(clippy::too_many_arguments)]
pub async fn best_of_n(
    ws: &Workspace,
    targets: &[Target],
    req: &ChatRequest,
    prefill: Option<&prefill::Prefill>,
    narrowed: Option<&(usize, String)>,
    n: usize,
    (client, cfg, steps, oracle): (&LlmClient, &AgentConfig, &dyn Steps, &Oracle),
    report: &mut Report,
) -> Result<BestOf, AgentError> {
    let mut set = tokio::task::JoinSet::new();
    for k in 0..n {
        let mut r = req.clone();
        r.temperature = CANDIDATE_TEMPERATURES[k % MAX_CANDIDATES];
        r.seed = Some(0x5eed + k as u64);
        let client = client.clone();
        set.spawn(async move {
            let done = client.chat(&r, &mut |_| {}).await;
            (k, r, done)
        });
    }
    let mut seen: Vec<String> = Vec::new();
    let mut first_failed: Option<Vec<CheckResult>> = None;
    let mut unusable = Unusable::default();
    while let Some(joined) = set.join_next().await {
        let Ok((k, r, done)) = joined else { continue };
        let done = match done {
            Ok(d) => d,
            Err(e) => {
                steps.step(&format!("candidate {}: the request failed: {e}", k + 1));
                unusable.no_code += 1;
                continue;
            }
        };
        report.tokens_in += done.usage.prompt_tokens.unwrap_or_else(|| estimate(&r));
        report.tokens_out += done
            .usage
            .completion_tokens
            .unwrap_or_else(|| smallcode_core::budget::tokens::count_tokens(&done.content) as u64);
        report.cached_tokens += done.usage.cached_tokens.unwrap_or(0);
        let reply = match prefill {
            Some(p) => match prefill::restarted(p, &done.content) {
                Some(whole) => whole,
                None if generated(p, &done.content).trim().is_empty() => {
                    unusable.empty += 1;
                    continue;
                }
                None => assemble_counted(p, &done.content).0,
            },
            None => done.content.clone(),
        };
        let mut cand = ws.fork();
        let applied = apply_reply(&mut cand, targets, &reply, narrowed);
        if applied.changed.is_empty() {
            if applied.repeated {
                unusable.repeated += 1;
            } else {
                unusable.no_code += 1;
            }
            continue;
        }
        // The same code as an earlier candidate: its verdict is already known.
        let key: String = cand
            .staged()
            .values()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\u{0}");
        if seen.contains(&key) {
            report.duplicate_candidates += 1;
            steps.step(&format!("candidate {}: same code as an earlier one", k + 1));
            continue;
        }
        seen.push(key);
        report.candidates += 1;
        report.tool_calls += applied.changed.len() as u32;
        steps.step(&format!(
            "candidate {} (temperature {}): verifying",
            k + 1,
            r.temperature
        ));
        let results = verify(&mut cand, targets, oracle, cfg, steps, report).await?;
        if results.iter().all(|x| x.ok) && !cand.staged().is_empty() {
            set.abort_all();
            steps.step(&format!(
                "candidate {} passes; the others are cancelled",
                k + 1
            ));
            return Ok(BestOf::Passed(cand, results));
        }
        if first_failed.is_none() {
            first_failed = Some(results);
        }
    }
    Ok(match first_failed {
        Some(results) => BestOf::Failed(results),
        None => {
            steps.step(&format!(
                "no candidate made a checkable edit ({} empty, {} unchanged, {} without code)",
                unusable.empty, unusable.repeated, unusable.no_code
            ));
            BestOf::Unusable(unusable)
        }
    })
}
