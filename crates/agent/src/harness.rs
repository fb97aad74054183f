//! The small-model pipeline: show whole code, take plain code back, verify, feed errors back.
//!
//! Why this shape: small models edit best when they write plain code (not code inside JSON) and
//! replace whole units; most of the repair gain comes in the first two rounds of feeding errors
//! back; a 135M model often writes the right function and then rambles. So each round:
//! 1. **context** — the target file(s) whole, plus the errors the checks printed (the project's
//!    tests are run once before the first round, so a failing test's output is in the prompt);
//! 2. **generate** — one short request; the reply's fenced code block is the edit;
//! 3. **apply** — the block is mapped onto the file by definition name (tree-sitter, see
//!    [`smallcode_core::edit`]); extra code the model rambled on with is dropped; the result is *staged*
//!    in the shadow tree, never written to the user's files yet;
//! 4. **verify** — syntax checkers for the changed files, then the test command;
//! 5. **feedback / decompose** — errors go back with the code around them; the same error twice
//!    narrows the next round to the one definition that fails, at a higher temperature.
//!
//! Only a change set whose checks pass is applied.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::apply::apply_reply;
use super::best_of::{best_of_n, candidates, BestOf};
use super::check::{self, CheckCmd, CheckResult, Diagnostic};
use super::context::{self, Target};
use super::error::{AgentError, EscalationFailure};
use super::escalate::{self, Escalator};
use super::oracle::{label, LazyGraph, Oracle};
use super::prefill::{self, assemble_counted, generated};
use super::prefill::{ignores_prefill, remember_ignores_prefill};
use super::report::{Report, Verification};
use super::sink::{Quiet, Steps};
use super::workspace::Workspace;
use smallcode_llm::{ChatRequest, LlmClient, Message, Role, ServerKind, StreamEvent};

/// Limits and knobs of one run. Every field has a documented default.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Model calls at most. Defaults to 4.
    pub max_rounds: u32,
    /// Wall-clock limit of the whole run. Defaults to 600 s.
    pub max_wall: Duration,
    /// Prompt + completion tokens at most over the run. Defaults to 60,000.
    pub max_tokens_total: u64,
    /// Reply cap per call. Defaults to 1024.
    pub reply_tokens: u32,
    /// Temperature until the model gives a wrong answer (checks fail, or the code comes back
    /// unchanged); later rounds resample at [`AgentConfig::retry_temperature`]. An empty or
    /// unusable reply does not count. Defaults to 0.2.
    pub temperature: f32,
    /// Temperature for resampling after a failure. Defaults to 0.7.
    pub retry_temperature: f32,
    /// Test command; `None` = detected from the project's files.
    pub test_cmd: Option<String>,
    /// Limit per checker run. Defaults to 120 s.
    pub check_timeout: Duration,
    /// Write a verified change set to the files (headless). When false (Neovim), the change set
    /// is returned in [`Report::staged`] for the editor to apply as buffer changes.
    pub apply_to_disk: bool,
    /// Live buffer texts (path, text) that win over the files on disk.
    pub buffers: Vec<(PathBuf, String)>,
    /// Errors the editor already knows (quickfix entries, LSP diagnostics; paths relative to
    /// the root): part of the task's errors from the first round on.
    pub errors: Vec<Diagnostic>,
    /// Opt-in stronger model for the failing sub-task once the rounds are spent.
    pub escalation: Option<Escalator>,
    /// `:'<,'>SmallCode fix`'s file (absolute) and lines (1-based, inclusive): the edit must
    /// stay within the definitions those lines touch. Defaults to None (no confinement).
    pub confine: Option<(PathBuf, u32, u32)>,
    /// The user trusts this project: its test command, the command the request names and the
    /// request's examples (which import project code) may run. Untrusted, only checks that
    /// execute no project code run, and nothing can be `verified`. Defaults to false.
    pub trusted: bool,
    /// Candidates asked for at once after a wrong answer (best-of-N on the server's parallel
    /// slots, each verified in its own shadow copy, the first that passes kept). `None` = the
    /// server's slot count (llama.cpp `total_slots`), else 1. At most
    /// [`crate::best_of::MAX_CANDIDATES`].
    pub candidates: Option<usize>,
    /// The user's data directory (the trust store, each project's "always" commands); never
    /// inside the project. Defaults to [`crate::trust::default_data_dir`].
    pub data_dir: PathBuf,
    /// Headless: write a change whose checks pass even when it is only `checked` (today's
    /// scripts); otherwise only a `verified` change is written. Defaults to false.
    pub accept_unverified: bool,
    /// When the rounds are spent, try the focused definition's small variants
    /// ([`crate::mutate`]) — only where a test or two or more examples can tell them apart.
    /// Defaults to true.
    pub repair_templates: bool,
    /// The editor's code graph of the project (persisted in redb, kept up to date with the
    /// buffers): searched by the `tools` format and read for callees by the labels, so a run
    /// in a large project does not index it again. `None` = indexed in memory per run, on
    /// first use (headless). Defaults to None.
    pub graph: Option<smallcode_core::graph::Graph>,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            max_rounds: 4,
            max_wall: Duration::from_secs(600),
            max_tokens_total: 60_000,
            reply_tokens: 1024,
            temperature: 0.2,
            retry_temperature: 0.7,
            test_cmd: None,
            check_timeout: Duration::from_secs(120),
            apply_to_disk: true,
            buffers: Vec::new(),
            errors: Vec::new(),
            escalation: None,
            confine: None,
            trusted: false,
            candidates: None,
            data_dir: crate::trust::default_data_dir(),
            accept_unverified: false,
            repair_templates: true,
            graph: None,
        }
    }
}

/// The system prompt of the edit rounds: one sentence, because every token of instructions is
/// a token of code the small model doesn't see.
pub const SYSTEM: &str =
    "You are an expert programmer. Reply with the corrected code in one fenced code block.";

/// Runs the task at `root` and returns what happened. Never panics on model output; a
/// cancelled token ends the run at the next await with `outcome = "cancelled"`.
pub async fn run(
    root: PathBuf,
    prompt: &str,
    client: &LlmClient,
    cfg: &AgentConfig,
    steps: &dyn Steps,
    cancel: &CancellationToken,
) -> Report {
    let started = Instant::now();
    let mut report = Report::default();
    let fut = run_inner(
        root,
        prompt,
        client,
        cfg,
        steps,
        &mut report,
        Start::default(),
    );
    if let Some(why) = super::report::bounded(fut, cfg.max_wall, cancel).await {
        report.outcome = why;
    }
    report.wall_ms = started.elapsed().as_millis() as u64;
    steps.step(&format!(
        "{} — {} (rounds {}, tokens {} in / {} out, {} ms)",
        if report.passed { "PASS" } else { "FAIL" },
        report.outcome,
        report.rounds,
        report.tokens_in,
        report.tokens_out,
        report.wall_ms
    ));
    report
}

/// How a harness run begins: fresh, or taking over from the `tools` format's failed loop.
#[derive(Debug, Default)]
struct Start {
    /// A wrong answer was already given: the first round samples hotter, best of N.
    after_failure: bool,
    /// The definition (file, name) the failed attempt's checks pointed at: the first round is
    /// narrowed to it unless the request's own checks point elsewhere.
    focus: Option<(String, String)>,
}

/// The harness's side of "one harness, two formats": after the `tools` loop ended with no
/// passing change, its rounds run from the unchanged project — best of N from the first round
/// (a wrong answer was given), narrowed to the definition the loop's checks pointed at, then
/// the error repairs, repair templates and escalation — so both formats get the same sampling,
/// narrowing and escalation. `report` holds only what this part did.
pub(crate) async fn take_over(
    root: PathBuf,
    prompt: &str,
    client: &LlmClient,
    cfg: &AgentConfig,
    steps: &dyn Steps,
    report: &mut Report,
    focus: Option<(String, String)>,
) -> Result<(), AgentError> {
    let start = Start {
        after_failure: true,
        focus,
    };
    run_inner(root, prompt, client, cfg, steps, report, start).await
}

async fn run_inner(
    root: PathBuf,
    prompt: &str,
    client: &LlmClient,
    cfg: &AgentConfig,
    steps: &dyn Steps,
    report: &mut Report,
    start: Start,
) -> Result<(), AgentError> {
    let mut ws = Workspace::new(&root)?.with_buffers(cfg.buffers.iter().cloned());
    let files = ws.files(5000);
    let targets = context::pick_targets(&ws, &files, prompt);
    if targets.is_empty() {
        return Err(AgentError::NoTargets);
    }
    steps.step(&format!(
        "targets: {}",
        targets
            .iter()
            .map(|t| t.rel.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let oracle = Oracle::new(
        &ws,
        &files,
        &targets,
        prompt,
        cfg.test_cmd.as_deref(),
        cfg.trusted,
    );
    for r in &oracle.requests {
        if r.cmd.is_some() && cfg.trusted {
            steps.step(&format!("check request: {}", r.expectation.describe()));
        }
    }
    for why in &oracle.skipped {
        steps.step(&format!("not checked: {why}"));
    }
    report.skipped = oracle.skipped.clone();
    report.test_command = oracle.test_command();
    let graph = LazyGraph::with(cfg.graph.clone());

    // Baseline: what do the checks say before any edit? This puts a failing test's output or a
    // compile error into the very first prompt ("fix from the error").
    let mut errors = verify(&mut ws, &targets, &oracle, cfg, steps, report).await?;
    if !cfg.errors.is_empty() {
        errors.push(editor_errors(&cfg.errors));
    }
    publish(steps, &ws, &errors);
    let baseline = errors.clone();
    let baseline_failed = !errors.iter().all(|r| r.ok);
    // A request that asks only for renames: carried out over every file from the syntax tree
    // (an editor's rename), verified like any candidate; the model is asked only if it fails.
    if let Some((mut cand, results, what)) =
        renames(&ws, &files, &targets, prompt, (&oracle, cfg, steps), report).await?
    {
        publish(steps, &cand, &results);
        let (verification, note) = label(&mut cand, &oracle, &results, &graph).await?;
        let note = format!("{note}; {what} carried out by the harness, not by the model");
        return land(
            &mut cand,
            cfg,
            report,
            "checks pass after the rename",
            (verification, note),
        );
    }
    // Sub-tasks: the definitions the failing request checks point at, one at a time; a change
    // that makes more behavioural checks pass (or fewer tests fail) without breaking anything
    // is kept as the base the next sub-task builds on.
    let mut best = oracle.score(&errors);
    let mut checkpoint: Vec<(PathBuf, String)> = Vec::new();
    let mut narrowed: Option<(usize, String)> = subtask(&oracle, &targets, &errors).or_else(|| {
        let (rel, name) = start.focus.as_ref()?;
        let i = targets.iter().position(|t| &t.rel == rel)?;
        Some((i, name.clone()))
    });
    // A selection (`:'<,'>SmallCode fix`): the definitions it touches are the whole task.
    let confined = confinement(&ws, &targets, cfg.confine.as_ref());
    if let Some(c) = &confined {
        steps.step(&format!(
            "confined to `{}` ({} lines {}-{})",
            c.names.join("`, `"),
            c.rel,
            c.lines.0,
            c.lines.1
        ));
        if let Some(i) = targets.iter().position(|t| t.rel == c.rel) {
            if let Some(first) = c.names.first() {
                narrowed = Some((i, first.clone()));
            }
        }
    }
    let mut last_first_error: Option<String> = None;
    let mut any_edit = false;
    let mut empty_body = false;
    // Empty bodies in a row: after two, the header prefill is dropped (the model is asked to
    // write the definition itself, fence only), since more of the same prompt gives the same.
    let mut empty_bodies = 0u32;
    let mut wrong_answer = start.after_failure;

    for round in 1..=cfg.max_rounds {
        if report.tokens_in + report.tokens_out > cfg.max_tokens_total {
            return Err(AgentError::TokenBudget {
                limit: cfg.max_tokens_total,
            });
        }
        report.rounds = round;
        // Resample hotter only after a wrong answer; an empty or unusable reply is a format
        // slip, and the next request already differs (no docstring, or the error text).
        let temperature = if wrong_answer {
            cfg.retry_temperature
        } else {
            cfg.temperature
        };
        let user = context::render_prompt(
            &ws,
            &targets,
            prompt,
            &errors,
            narrowed.as_ref(),
            client.endpoint().context,
        );
        // Make the reply *be* the code: start it with the focused definition's own header (or
        // at least the code fence) and stop where the definition ends, so a small model can
        // neither drift off the name nor ramble on after it (fewer tokens = less time on a CPU).
        let continues = matches!(
            client.endpoint().kind,
            ServerKind::LlamaCpp | ServerKind::Ollama
        ) && !ignores_prefill(client);
        let focus = narrowed
            .clone()
            .or_else(|| context::pick_focus(&ws, &targets, prompt, &errors));
        let prefill = focus
            .as_ref()
            .filter(|_| continues && empty_bodies < 2)
            .and_then(|(i, name)| {
                let t = &targets[*i];
                // After an empty body, leave the docstring out: the model then starts the code.
                prefill::prefill_for(t, &ws.read(&t.path).unwrap_or_default(), name, !empty_body)
            })
            .or_else(|| {
                (continues && targets.len() == 1).then(|| prefill::Prefill {
                    text: format!("```{}\n", targets[0].fence),
                    stop: vec!["```".into()],
                    ..prefill::Prefill::default()
                })
            });
        if let Some((_, name)) = &focus {
            steps.step(&format!("focus: `{name}`"));
        }
        let shown = smallcode_core::budget::tokens::count_tokens(&user) as u32;
        let req = ChatRequest {
            messages: vec![
                Message::new(Role::System, SYSTEM),
                Message::new(Role::User, user),
            ],
            max_tokens: cfg.reply_tokens.min(shown * 2 + 256).min(
                prefill
                    .as_ref()
                    .and_then(|p| p.reply_cap)
                    .unwrap_or(u32::MAX),
            ),
            temperature,
            num_ctx: Some(client.endpoint().context),
            stop: prefill.as_ref().map(|p| p.stop.clone()).unwrap_or_default(),
            prefill: prefill.as_ref().map(|p| p.text.clone()),
            ..Default::default()
        };
        let n = candidates(cfg, client);
        let results = if wrong_answer && n > 1 {
            steps.step(&format!(
                "round {round}: asking for {n} candidates at once (best of {n}, verified)"
            ));
            let best = best_of_n(
                &ws,
                &targets,
                &req,
                prefill.as_ref(),
                narrowed.as_ref(),
                n,
                (client, cfg, steps, &oracle),
                report,
            )
            .await?;
            match best {
                BestOf::Passed(mut cand, results) => {
                    publish(steps, &cand, &results);
                    let label = label(&mut cand, &oracle, &results, &graph).await?;
                    return land(&mut cand, cfg, report, "checks pass", label);
                }
                BestOf::Failed(results) => {
                    any_edit = true;
                    results
                }
                BestOf::Unusable(why) => {
                    // As after a single unusable reply: an empty body drops the docstring from
                    // the prefill (and, twice, the prefill); the unchanged code is said.
                    empty_body = why.empty > 0 && why.empty >= why.repeated;
                    empty_bodies = if empty_body { empty_bodies + 1 } else { 0 };
                    if why.repeated > 0 {
                        errors.retain(|r| r.cmd.name != "edit");
                        errors.push(format_error(
                            "edit",
                            "Your replies repeated the current code unchanged. Change the code so that the failing check passes.",
                        ));
                    }
                    continue;
                }
            }
        } else {
            steps.step(&format!(
                "round {round}: asking the model (temperature {temperature})"
            ));
            let mut on_event = |ev: &StreamEvent| {
                if let StreamEvent::Content(t) = ev {
                    steps.model_text(t);
                }
            };
            let done = client
                .chat(&req, &mut on_event)
                .await
                .map_err(AgentError::Model)?;
            steps.model_text("\n");
            report.tokens_in += done.usage.prompt_tokens.unwrap_or_else(|| estimate(&req));
            report.tokens_out += done.usage.completion_tokens.unwrap_or_else(|| {
                smallcode_core::budget::tokens::count_tokens(&done.content) as u64
            });
            report.cached_tokens += done.usage.cached_tokens.unwrap_or(0);

            tracing::trace!("[agent] raw reply {:?}", done.content);
            let restart = prefill
                .as_ref()
                .and_then(|p| prefill::restarted(p, &done.content));
            let restarted = restart.is_some();
            let reply = match (&prefill, restart) {
                (Some(_), Some(whole)) => {
                    // Used whole, not glued after the header; this server (or model) is asked
                    // without a prefill from now on.
                    steps.step(
                        "the reply restarted the definition: taken whole; no prefill from now on",
                    );
                    remember_ignores_prefill(client);
                    report.repairs += 1;
                    whole
                }
                (Some(p), None) => {
                    let (code, mended) = assemble_counted(p, &done.content);
                    report.repairs += mended;
                    code
                }
                (None, _) => done.content.clone(),
            };
            // A reply that ran into its cap is a loop, not a format slip: resample hotter.
            if done.finish_reason.as_deref() == Some("length") {
                steps.step(&format!(
                    "the reply ran to its cap of {} tokens",
                    req.max_tokens
                ));
                wrong_answer = true;
            }
            empty_body = !restarted
                && prefill
                    .as_ref()
                    .is_some_and(|p| generated(p, &done.content).trim().is_empty());
            empty_bodies = if empty_body { empty_bodies + 1 } else { 0 };
            if empty_body {
                steps.step("the model wrote an empty body; resampling");
                continue;
            }
            let mut applied = apply_reply(&mut ws, &targets, &reply, narrowed.as_ref());
            report.repairs += applied.repairs;
            for note in &applied.notes {
                steps.step(note);
            }
            if let Some(why) = confined.as_ref().and_then(|c| c.violation(&ws)) {
                steps.step(&format!("refused: {why}"));
                restore(&mut ws, &checkpoint)?;
                applied.changed.clear();
                applied.refused = Some(why);
            }
            let results = if applied.changed.is_empty() {
                if let Some(why) = &applied.refused {
                    // Keep the checks' errors: the refusal adds to them, it does not replace them.
                    wrong_answer = true;
                    errors.retain(|r| r.cmd.name != "edit");
                    errors.push(format_error("edit", why));
                    continue;
                }
                if !applied.repeated {
                    errors = vec![format_error(
                        "edit",
                        "Your reply had no usable code block. Reply with the complete corrected code in one ```block.",
                    )];
                    continue;
                }
                // The model handed back the current code: the same failure again (or, when the
                // checks already passed, no progress at all).
                if errors.iter().all(|r| r.ok) {
                    wrong_answer = true;
                    errors = vec![format_error(
                        "edit",
                        "Your reply repeats the current code unchanged. Change the code to do what the task asks.",
                    )];
                    continue;
                }
                errors.clone()
            } else {
                any_edit = true;
                report.tool_calls += applied.changed.len() as u32;
                verify(&mut ws, &targets, &oracle, cfg, steps, report).await?
            };
            results
        };
        publish(steps, &ws, &results);
        if results.iter().all(|r| r.ok) && !ws.staged().is_empty() {
            let label = label(&mut ws, &oracle, &results, &graph).await?;
            return land(&mut ws, cfg, report, "checks pass", label);
        }
        wrong_answer = true;
        let syntax_failed = results
            .iter()
            .any(|r| !r.ok && !oracle.behavioural.iter().any(|b| b.name == r.cmd.name));
        let score = oracle.score(&results);
        if !syntax_failed && !ws.staged().is_empty() && progressed(best, score) {
            // Progress: keep this change as the base and move on to what still fails.
            best = score;
            checkpoint = ws
                .staged()
                .iter()
                .map(|(p, t)| (p.clone(), t.clone()))
                .collect();
            let next = subtask(&oracle, &targets, &results)
                .or_else(|| context::narrow(&ws, &targets, &results));
            steps.step(&format!(
                "progress: {} check(s) pass now; kept{}",
                score.0,
                next.as_ref()
                    .map(|(_, n)| format!("; next sub-task: `{n}`"))
                    .unwrap_or_default()
            ));
            report.decompositions += 1;
            narrowed = next;
            wrong_answer = false;
            last_first_error = None;
            errors = results;
            continue;
        }
        // Same first error twice: stop retrying the same thing, narrow to the failing unit.
        let first = first_error(&results);
        if first.is_some() && first == last_first_error {
            let n = context::narrow(&ws, &targets, &results)
                .or_else(|| context::pick_focus(&ws, &targets, prompt, &results));
            if let Some(n) = n {
                steps.step(&format!(
                    "decompose: the same error twice; next round fixes only `{}`",
                    n.1
                ));
                report.decompositions += 1;
                narrowed = Some(n);
            }
            // Start the narrowed attempt from the last kept base: the failed one misleads.
            restore(&mut ws, &checkpoint)?;
        }
        // A change that compiles but fails the tests is dropped: the next sample starts from the
        // last kept base with the test output (a failed attempt misleads a small model more
        // than it helps). A syntax error is kept, so the next round repairs it.
        if !syntax_failed {
            restore(&mut ws, &checkpoint)?;
        }
        last_first_error = first;
        errors = results;
    }
    // The rounds are spent: the one-token variants of the failing definition, where the checks
    // can tell a right one from a wrong one.
    if cfg.repair_templates && cfg.trusted {
        restore(&mut ws, &checkpoint)?;
        let focus = narrowed
            .clone()
            .or_else(|| context::pick_focus(&ws, &targets, prompt, &errors));
        if let Some((mut cand, results, what)) = error_fixes(
            &ws,
            &targets,
            &baseline,
            prompt,
            (&oracle, cfg, steps),
            report,
        )
        .await?
        {
            publish(steps, &cand, &results);
            let (verification, note) = label(&mut cand, &oracle, &results, &graph).await?;
            let note = format!("{note}; read from the error message ({what}), not by the model");
            return land(
                &mut cand,
                cfg,
                report,
                "checks pass after a fix the error message names",
                (verification, note),
            );
        }
        let evidence = template_evidence(&oracle, &baseline);
        if let Some((mut cand, results, found)) = repair_templates(
            &ws,
            &targets,
            focus.as_ref(),
            evidence != Evidence::None,
            (&oracle, cfg, steps),
            report,
        )
        .await?
        {
            publish(steps, &cand, &results);
            let (mut verification, mut note) = label(&mut cand, &oracle, &results, &graph).await?;
            // Forty variants against one example: a pass may be a coincidence (see Evidence).
            if evidence == Evidence::OneExample
                && verification == Verification::Verified
                && !oracle.answers_kept()
            {
                verification = Verification::Checked;
                note = format!(
                    "{note}, but it is the request's only example and {} variant(s) were tried \
                     against it: it may pass by coincidence",
                    found.tried
                );
            }
            let (what, tried) = (found.what, found.tried);
            // How many variants were tried says how much the pass proves (the benchmark rows
            // carry it; a threshold for test-judged variants is not set yet, doc/agent.md).
            let note = format!(
                "{note}; found by a repair template ({what}, variant {tried} tried), not by the model"
            );
            return land(
                &mut cand,
                cfg,
                report,
                "checks pass after a repair template",
                (verification, note),
            );
        }
    }
    // The rounds (and the decomposition) are spent: hand the failing sub-task up, if allowed.
    let mut escalation_failed: Option<EscalationFailure> = None;
    if let Some(esc) = &cfg.escalation {
        let focus = narrowed
            .clone()
            .or_else(|| context::pick_focus(&ws, &targets, prompt, &errors));
        let what = focus
            .as_ref()
            .map_or_else(|| "the task".to_string(), |(_, n)| format!("`{n}`"));
        steps.step(&format!(
            "escalate: asking {} to fix only {what}",
            esc.label()
        ));
        report.escalations += 1;
        let user = escalate::subtask_prompt(&ws, &targets, prompt, &errors, focus.as_ref());
        match esc.ask(SYSTEM, &user).await {
            Err(e) => {
                let failed = EscalationFailure::Request(e);
                steps.step(&failed.to_string());
                escalation_failed = Some(failed);
            }
            Ok(answer) => {
                report.escalation_tokens += answer.tokens;
                steps.model_text(&answer.text);
                steps.model_text("\n");
                let applied = apply_reply(&mut ws, &targets, &answer.text, focus.as_ref());
                for note in &applied.notes {
                    steps.step(&format!("escalation: {note}"));
                }
                if applied.changed.is_empty() {
                    // A refusal is already among the notes shown above.
                    escalation_failed = Some(match &applied.refused {
                        Some(why) => EscalationFailure::Refused(why.clone()),
                        None => {
                            steps.step("escalation: the answer had no usable code block");
                            EscalationFailure::NoCode
                        }
                    });
                } else {
                    any_edit = true;
                    let results = verify(&mut ws, &targets, &oracle, cfg, steps, report).await?;
                    publish(steps, &ws, &results);
                    if results.iter().all(|r| r.ok) {
                        let label = label(&mut ws, &oracle, &results, &graph).await?;
                        return land(&mut ws, cfg, report, "checks pass after escalation", label);
                    }
                    errors = results;
                }
            }
        }
    }
    if !any_edit {
        return Err(AgentError::NoUsableEdit {
            escalation: escalation_failed,
        });
    }
    if !baseline_failed && oracle.behavioural.is_empty() {
        report.outcome = "no checks apply to this project; change not verified, not applied".into();
    } else {
        // Say what is left, so the user knows where to pick up.
        let left = first_error(&errors).unwrap_or_default();
        let decomposed = narrowed
            .as_ref()
            .map(|(_, n)| format!(" (narrowed to `{n}`)"))
            .unwrap_or_default();
        let escalation = match (&escalation_failed, &cfg.escalation) {
            (Some(e), _) => e.to_string(),
            (None, Some(_)) => "the escalation model's answer failed the checks too".into(),
            (None, None) => "no escalation configured".into(),
        };
        report.outcome = format!(
            "not solved: checks still fail after {} rounds{decomposed}; {escalation}; nothing applied; left: {left}",
            cfg.max_rounds
        );
    }
    Ok(())
}

/// Lands a change set whose checks pass: written to disk (headless; only a `verified` one unless
/// [`AgentConfig::accept_unverified`]) or handed back in [`Report::staged`] for the editor, which
/// reviews anything not verified; clears the published errors.
fn land(
    ws: &mut Workspace,
    cfg: &AgentConfig,
    report: &mut Report,
    why: &str,
    (verification, note): (Verification, String),
) -> Result<(), AgentError> {
    report.verification = verification;
    report.verification_note = note.clone();
    report.base = ws
        .staged()
        .keys()
        .map(|p| (p.clone(), ws.original(p).unwrap_or_default()))
        .collect();
    report.changed = ws.staged().keys().map(|p| ws.rel(p)).collect();
    let label = format!("{}: {note}", verification.as_str());
    if cfg.apply_to_disk {
        if verification != Verification::Verified && !cfg.accept_unverified {
            report.outcome = format!(
                "{why}, but the change is only {label}; not written (--allow-unverified writes it): {}",
                report.changed.join(", ")
            );
            return Ok(());
        }
        let written = ws.apply()?;
        report.changed = written.iter().map(|p| ws.rel(p)).collect();
    } else {
        report.staged = ws
            .staged()
            .iter()
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
    }
    report.passed = true;
    let verb = if cfg.apply_to_disk {
        "applied"
    } else {
        "staged for the editor"
    };
    report.outcome = format!("{why}; {label}; {verb} {}", report.changed.join(", "));
    Ok(())
}

/// What a selection confines the change to: a file and the definitions its lines touch.
struct Confined {
    rel: String,
    lines: (u32, u32),
    names: Vec<String>,
    qualified: Vec<String>,
}

impl Confined {
    /// Why the staged change is outside the selection, if it is: another file, or a definition
    /// the selected lines do not touch.
    fn violation(&self, ws: &Workspace) -> Option<String> {
        for (path, new) in ws.staged() {
            let rel = ws.rel(path);
            if rel != self.rel {
                return Some(format!(
                    "the change touches {rel}; change only `{}` in {} (the selected lines {}-{})",
                    self.names.join("`, `"),
                    self.rel,
                    self.lines.0,
                    self.lines.1
                ));
            }
            let old = ws.original(path).unwrap_or_default();
            if let Some(c) = crate::coverage::changed_definitions(&rel, &old, new)
                .into_iter()
                .find(|c| !self.qualified.contains(&c.qualified) && !self.names.contains(&c.name))
            {
                return Some(format!(
                    "the change touches `{}` outside the selected lines {}-{}; change only `{}`",
                    c.qualified,
                    self.lines.0,
                    self.lines.1,
                    self.names.join("`, `")
                ));
            }
        }
        None
    }
}

/// The confinement of `confine` (absolute file, lines), when the file is a target and the lines
/// touch at least one definition.
fn confinement(
    ws: &Workspace,
    targets: &[Target],
    confine: Option<&(PathBuf, u32, u32)>,
) -> Option<Confined> {
    let (path, l1, l2) = confine?;
    let path = path.canonicalize().unwrap_or_else(|_| path.clone());
    let rel = ws.rel(&path);
    let t = targets.iter().find(|t| t.rel == rel)?;
    let text = ws.read(&t.path).ok()?;
    let defs = crate::coverage::definitions_touching(&rel, &text, (*l1, *l2));
    (!defs.is_empty()).then(|| Confined {
        rel,
        lines: (*l1, *l2),
        names: defs.iter().map(|d| d.0.clone()).collect(),
        qualified: defs.iter().map(|d| d.1.clone()).collect(),
    })
}

/// Back to the last kept base: the staged changes of `checkpoint` (nothing when empty).
fn restore(ws: &mut Workspace, checkpoint: &[(PathBuf, String)]) -> Result<(), AgentError> {
    ws.discard();
    for (p, t) in checkpoint {
        ws.stage(p, t.clone())?;
    }
    Ok(())
}

/// Most variants one run verifies, and the wall time they may take together.
const MAX_TEMPLATES: usize = 40;
const TEMPLATES_WALL: Duration = Duration::from_secs(60);

/// How much the checks can say about a one-token variant that passes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// Nothing behavioural to tell variants apart: none are tried.
    None,
    /// One request example and no failing test: of forty variants, one may pass it by
    /// coincidence (`total := 1` makes "`go run . 1 2 3` prints 6" pass as well as the fix), so
    /// what passes is *checked*, unless it is a crash fix the probes found keeping every other
    /// answer (the empty-input guard; [`Oracle::answers_kept`]).
    OneExample,
    /// The project's tests failed before any edit (they exercise the bug; `go test` in a project
    /// without tests passes and proves nothing), or two or more examples.
    Strong,
}

/// What the checks of this run can say about a repair template's variant. The caller runs
/// templates only in a trusted project (they run its code).
fn template_evidence(oracle: &Oracle, baseline: &[CheckResult]) -> Evidence {
    let tests_failed = baseline.iter().any(|r| !r.ok && r.cmd.name == "tests");
    match (tests_failed, oracle.examples()) {
        (true, _) | (false, 2..) => Evidence::Strong,
        (false, 1) => Evidence::OneExample,
        (false, _) => Evidence::None,
    }
}

/// The variant a repair template found: what it changed, and how many variants were
/// verified to find it.
struct Found {
    what: String,
    tried: usize,
}

/// Verifies the variants of the focused definition (else of each definition of a lone target,
/// at most three) one by one in a fork of `ws` — the empty-input guards the request's examples
/// ask for, then, when `variants_allowed`, the one-token variants; the first that passes every
/// check is returned with its results and what was found.
async fn repair_templates(
    ws: &Workspace,
    targets: &[Target],
    focus: Option<&(usize, String)>,
    variants_allowed: bool,
    (oracle, cfg, steps): (&Oracle, &AgentConfig, &dyn Steps),
    report: &mut Report,
) -> Result<Option<(Workspace, Vec<CheckResult>, Found)>, AgentError> {
    let mut spans: Vec<(usize, String, (usize, usize))> = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let text = ws.read(&t.path).unwrap_or_default();
        for d in context::definitions(&t.rel, &text) {
            let wanted = match focus {
                Some((fi, name)) => *fi == i && d.name == *name,
                None => targets.len() == 1,
            };
            if wanted && !spans.iter().any(|s| s.0 == i && s.2 == d.rows) {
                spans.push((i, d.name, d.rows));
            }
        }
    }
    spans.truncate(3);
    let started = Instant::now();
    let mut tried = 0usize;
    for (i, name, (first, last)) in spans {
        let t = &targets[i];
        let text = ws.read(&t.path).unwrap_or_default();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        if last >= lines.len() {
            continue;
        }
        let def = lines[first..=last].concat();
        let (before, after) = (lines[..first].concat(), lines[last + 1..].concat());
        // The request's "`f([])` should be X": a guard for the empty input, even on one example.
        let mut variants: Vec<crate::mutate::Mutant> = oracle
            .requests
            .iter()
            .filter(|r| r.cmd.is_some() && r.expectation.callee() == Some(name.as_str()))
            .filter_map(|r| match &r.expectation {
                crate::expect::Expectation::Value { call, expected } => {
                    crate::mutate::empty_guard(t.fence, &def, call, expected)
                }
                _ => None,
            })
            .collect();
        if variants_allowed {
            variants.extend(crate::mutate::mutants(
                t.fence,
                &def,
                MAX_TEMPLATES.saturating_sub(tried + variants.len()),
            ));
        }
        if variants.is_empty() {
            continue;
        }
        steps.step(&format!(
            "repair templates: trying {} small variant(s) of `{name}`",
            variants.len()
        ));
        for m in variants {
            if started.elapsed() > TEMPLATES_WALL || tried >= MAX_TEMPLATES {
                steps.step(&format!("repair templates: stopped after {tried} variants"));
                return Ok(None);
            }
            tried += 1;
            report.templates += 1;
            let mut cand = ws.fork();
            cand.stage(&t.path, format!("{before}{}{after}", m.text))?;
            // Not shown step by step: a chat of forty check lines says nothing.
            let results = verify(&mut cand, targets, oracle, cfg, &Quiet, report).await?;
            if results.iter().all(|r| r.ok) {
                steps.step(&format!(
                    "repair templates: {} passes every check (variant {tried})",
                    m.what
                ));
                // The checks that passed, shown as any round's are: the review lists them.
                for r in &results {
                    steps.step(&format!("check {}", r.summary()));
                }
                let found = Found {
                    what: m.what,
                    tried,
                };
                return Ok(Some((cand, results, found)));
            }
        }
    }
    if tried > 0 {
        steps.step(&format!(
            "repair templates: none of {tried} variants passes"
        ));
    }
    Ok(None)
}

/// Verifies the repairs the failing checks' messages before any edit point at
/// ([`crate::error_fix`]) one by one in a fork of `ws`; the first that passes every check is
/// returned with its results and what it changed. The error text the request pastes is read
/// too: it is the compiler's full message, where a checker may print only its first line
/// (`cargo check --message-format short` drops rustc's notes).
async fn error_fixes(
    ws: &Workspace,
    targets: &[Target],
    baseline: &[CheckResult],
    prompt: &str,
    (oracle, cfg, steps): (&Oracle, &AgentConfig, &dyn Steps),
    report: &mut Report,
) -> Result<Option<(Workspace, Vec<CheckResult>, String)>, AgentError> {
    let mut output: Vec<&str> = baseline
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.output.as_str())
        .collect();
    if output.is_empty() {
        return Ok(None);
    }
    output.push(prompt);
    // Only project files: a compiler's note may name a system header.
    let read = |rel: &str| ws.resolve(rel).ok().and_then(|p| ws.read(&p).ok());
    let fixes = crate::error_fix::candidates(&output.join("\n"), &read);
    if fixes.is_empty() {
        return Ok(None);
    }
    steps.step(&format!(
        "error message: trying {} fix(es) it names",
        fixes.len()
    ));
    for f in fixes {
        let Ok(path) = ws.resolve(&f.rel) else {
            continue;
        };
        report.templates += 1;
        let mut cand = ws.fork();
        cand.stage(&path, f.text)?;
        let results = verify(&mut cand, targets, oracle, cfg, &Quiet, report).await?;
        if results.iter().all(|r| r.ok) {
            steps.step(&format!("error message: {} passes every check", f.what));
            for r in &results {
                steps.step(&format!("check {}", r.summary()));
            }
            return Ok(Some((cand, results, f.what)));
        }
    }
    steps.step("error message: none of its fixes passes");
    Ok(None)
}

/// The renames the request asks for ([`crate::rename`]) carried out over every project file in
/// a fork of `ws` and verified with every check (the syntax checkers of every changed file, not
/// only the targets'); `None` when the request asks for no rename, a name is not one the project
/// defines, the new name is taken, or a check fails (then the model gets the request).
async fn renames(
    ws: &Workspace,
    files: &[String],
    targets: &[Target],
    prompt: &str,
    (oracle, cfg, steps): (&Oracle, &AgentConfig, &dyn Steps),
    report: &mut Report,
) -> Result<Option<(Workspace, Vec<CheckResult>, String)>, AgentError> {
    use crate::rename::{apply, requested, usage};
    let wanted = requested(prompt);
    if wanted.is_empty() {
        return Ok(None);
    }
    let mut pool = smallcode_core::syntax::ParserPool::new();
    let mut texts: Vec<(String, PathBuf, String)> = files
        .iter()
        .filter(|rel| {
            smallcode_core::syntax::language_for_path(std::path::Path::new(rel)).is_some()
        })
        .filter_map(|rel| {
            let p = ws.resolve(rel).ok()?;
            let text = ws.read(&p).ok()?;
            Some((rel.clone(), p, text))
        })
        .collect();
    let mut done = Vec::new();
    for r in &wanted {
        let (mut defined, mut field, mut taken) = (false, false, false);
        for (rel, _, text) in &texts {
            let u = usage(rel, text, &r.old, &mut pool);
            defined |= u.defined;
            field |= u.field;
            taken |= usage(rel, text, &r.new, &mut pool).defined;
        }
        if !(defined || field) || taken {
            let why = if taken {
                "is already defined"
            } else {
                "is not a name this project defines"
            };
            let name = if taken { &r.new } else { &r.old };
            steps.step(&format!("rename: `{name}` {why}; asking the model"));
            return Ok(None);
        }
        let mut files_changed = 0;
        for (rel, _, text) in texts.iter_mut() {
            if let Some(new) = apply(rel, text, r, field && !defined, &mut pool) {
                *text = new;
                files_changed += 1;
            }
        }
        done.push(format!(
            "`{}` → `{}` ({files_changed} file(s))",
            r.old, r.new
        ));
    }
    let mut cand = ws.fork();
    let mut checked: Vec<Target> = targets.to_vec();
    for (rel, path, text) in texts {
        if ws.read(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        cand.stage(&path, text)?;
        if !checked.iter().any(|t| t.rel == rel) {
            let fence = context::fence_for(&rel);
            checked.push(Target { rel, path, fence });
        }
    }
    if cand.staged().is_empty() {
        return Ok(None);
    }
    let what = format!("rename {}", done.join(", "));
    steps.step(&format!("{what}: from the syntax tree, checking"));
    report.templates += 1;
    let results = verify(&mut cand, &checked, oracle, cfg, steps, report).await?;
    if results.iter().all(|r| r.ok) {
        return Ok(Some((cand, results, what)));
    }
    steps.step("rename: a check fails after it; asking the model");
    Ok(None)
}

/// More behavioural checks pass, or as many pass with fewer reported failures.
fn progressed(before: (usize, usize), now: (usize, usize)) -> bool {
    now.0 > before.0 || (now.0 == before.0 && now.1 < before.1)
}

/// The next sub-task: the first failing request check's callee, when a target defines it.
fn subtask(
    oracle: &Oracle,
    targets: &[Target],
    results: &[CheckResult],
) -> Option<(usize, String)> {
    oracle
        .failing_callees(results)
        .into_iter()
        .find_map(|(name, file)| {
            targets
                .iter()
                .position(|t| t.rel == file)
                .map(|i| (i, name))
        })
}

/// The editor's known errors as one failing check, so they reach the prompt, the focus pick and
/// the decomposition exactly like a checker's.
fn editor_errors(diags: &[Diagnostic]) -> CheckResult {
    CheckResult {
        cmd: CheckCmd {
            name: "editor diagnostics".into(),
            command: String::new(),
        },
        ok: false,
        diagnostics: diags.to_vec(),
        output: diags
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Tells the editor the current checker errors (the quickfix list follows the loop).
fn publish(steps: &dyn Steps, ws: &Workspace, results: &[CheckResult]) {
    let diags: Vec<Diagnostic> = results
        .iter()
        .filter(|r| !r.ok)
        .flat_map(|r| r.diagnostics.iter().cloned())
        .collect();
    steps.errors(ws.root(), &diags);
}

pub(crate) fn estimate(req: &ChatRequest) -> u64 {
    req.messages
        .iter()
        .map(|m| smallcode_core::budget::tokens::count_tokens(&m.content) as u64)
        .sum()
}

fn format_error(name: &str, text: &str) -> CheckResult {
    CheckResult {
        cmd: CheckCmd {
            name: name.into(),
            command: String::new(),
        },
        ok: false,
        diagnostics: Vec::new(),
        output: text.into(),
    }
}

/// The first failing check's first error line (the "same error twice" test of narrowing).
pub(crate) fn first_error(results: &[CheckResult]) -> Option<String> {
    results
        .iter()
        .find(|r| !r.ok)
        .map(|r| match r.diagnostics.first() {
            Some(d) => d.to_string(),
            None => r
                .output
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .to_string(),
        })
}

/// Adds the headers gcc's fix-its name to each staged C/C++ target ([`check::missing_includes`]);
/// true when a file changed.
async fn add_missing_includes(
    ws: &mut Workspace,
    targets: &[Target],
    dir: &std::path::Path,
    cfg: &AgentConfig,
    steps: &dyn Steps,
    report: &mut Report,
) -> Result<bool, AgentError> {
    let mut changed = false;
    for t in targets {
        if !ws.staged().contains_key(&t.path) {
            continue;
        }
        let adds = check::missing_includes(dir, &t.rel, cfg.check_timeout).await;
        if adds.is_empty() {
            continue;
        }
        let text = ws.read(&t.path)?;
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
        let mut sorted = adds.clone();
        sorted.sort_by_key(|a| std::cmp::Reverse(a.0));
        for (at, line) in sorted {
            lines.insert(at.saturating_sub(1).min(lines.len()), line);
        }
        ws.stage(&t.path, lines.concat())?;
        report.repairs += 1;
        let names: Vec<&str> = adds.iter().map(|(_, l)| l.trim_end()).collect();
        steps.step(&format!(
            "gcc's fix-it: `{}` added to {}",
            names.join("`, `"),
            t.rel
        ));
        changed = true;
    }
    Ok(changed)
}

/// Runs the syntax checkers for every target, then every behavioural check (tests, the
/// request's command, the request's examples), in the shadow tree with the coverage tracer's
/// environment. Stops at the first failing syntax checker (tests of code that doesn't compile
/// only add noise).
pub(crate) async fn verify(
    ws: &mut Workspace,
    targets: &[Target],
    oracle: &Oracle,
    cfg: &AgentConfig,
    steps: &dyn Steps,
    report: &mut Report,
) -> Result<Vec<CheckResult>, AgentError> {
    let mut dir = ws.shadow_root()?;
    if add_missing_includes(ws, targets, &dir, cfg, steps, report).await? {
        dir = ws.shadow_root()?;
    }
    let mut out = Vec::new();
    for t in targets {
        for cmd in check::checkers_for(ws.root(), &t.rel) {
            let r = check::run(&dir, &cmd, cfg.check_timeout).await;
            report.checks += 1;
            steps.step(&format!("check {}", r.summary()));
            let failed = !r.ok;
            out.push(r);
            if failed {
                return Ok(out);
            }
        }
    }
    oracle.reset();
    let env = oracle.env(&dir);
    for cmd in &oracle.behavioural {
        let started = Instant::now();
        let limit = oracle.time_limit(&cmd.name, cfg.check_timeout);
        let r = check::run_env(&dir, cmd, limit, &env).await;
        oracle.record_run(&cmd.name, started.elapsed());
        report.checks += 1;
        steps.step(&format!("check {}", r.summary()));
        out.push(r);
    }
    // A placeholder the request asks for and the change left: not done yet.
    if let Some(r) = crate::stubs::remaining(ws, &oracle.placeholders) {
        steps.step(&format!("check {}", r.summary()));
        out.push(r);
    }
    // A pass that only echoes the example, answers every input alike or breaks inputs that
    // worked is no pass: the model hears why and samples again.
    if out.iter().all(|r| r.ok) && !ws.staged().is_empty() {
        let fooled = match oracle.overfit(ws) {
            Some(f) => Some(f),
            None => match oracle.probe_verdict(ws, &dir, cfg.check_timeout).await {
                Some(f) => Some(f),
                None => oracle.test_call_verdict(ws).await,
            },
        };
        if let Some((name, why)) = fooled {
            if let Some(r) = out.iter_mut().find(|r| r.cmd.name == name) {
                r.ok = false;
                r.output = why;
                steps.step(&format!("check {name}: passes, but {}", r.output));
            }
        }
    }
    Ok(out)
}
