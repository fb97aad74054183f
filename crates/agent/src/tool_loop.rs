//! The `tools` edit format: a tool loop over the compound tool surface ([`super::tools`]) for
//! models that can call tools — natively, or through a constrained action envelope.
//!
//! Each step: one model call → tool calls read tolerantly ([`smallcode_core::toolcall`]: native
//! `tool_calls` first, then calls written as text, repaired and validated) → each call runs →
//! its result goes back as the next user message. A reply with no usable call gets one precise
//! error line and one retry; a second miss in a row ends the run. Every repair is counted in
//! [`Report::repairs`].
//!
//! **Constrained envelope** (models without native tool calling, where the server can constrain
//! output to a JSON schema): the reply is forced into `{"name": <tool enum>, "arguments": {…}}`
//! with short arguments only; the code of `edit`/`create` comes in a following *unconstrained*
//! call as a plain fenced block (small models write much worse code inside JSON).
//!
//! Landing: `done` (or the step limit) runs the checks over every staged file; only a change set
//! that passes is applied (files in headless mode, [`Report::staged`] for the editor otherwise).
//! A `done` with failing checks is refused once with the errors.
//!
//! Shared with the harness ([`crate::harness`]): the editor's errors as the task's errors and
//! the quickfix publishing, the oracle and its labels, the editor's persisted code graph
//! ([`crate::AgentConfig::graph`]), narrowing (the same error twice names the failing
//! definition), and — when the loop ends with nothing to land — the harness's own rounds on the
//! unchanged project (best of N, repair templates, escalation; `take_over`).

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::check::{self, CheckCmd};
use super::error::AgentError;
use super::permission::{Asker, Gate};
use super::report::Report;
use super::sink::Steps;
use super::tools::{self, verdict, ToolResult, Toolbox};
use super::workspace::Workspace;
use super::{AgentConfig, Permissions};
use smallcode_core::budget::tokens::count_tokens;
use smallcode_core::toolcall::{self, Call, Outcome, RepairStats, ToolSpec};
use smallcode_llm::{ChatRequest, LlmClient, Message, Role, ServerKind, StreamEvent};

/// Knobs of the tool loop that the `whole` harness does not have.
#[derive(Clone, Default)]
pub struct ToolOptions {
    /// Model calls at most. 0 = 12.
    pub max_steps: u32,
    /// Constrained action envelope: `None` = on exactly when the probe says the model has no
    /// native tool calling.
    pub envelope: Option<bool>,
    /// Headless command allowances (`--allow`, `--allow-all`).
    pub perms: Permissions,
    /// Who to ask about other commands (the Neovim user); `None` = deny them.
    pub asker: Option<std::sync::Arc<dyn Asker>>,
    /// The editor's live buffers, for the read-before-write guard (`None` headless).
    pub live: Option<std::sync::Arc<dyn tools::LiveBuffers>>,
    /// The user's own tools (`setup({ tools = … })`), shown after the built-in ones.
    pub user_tools: Vec<smallcode_core::toolcall::ToolSpec>,
    /// Who runs them (the editor); without one they are not offered.
    pub user_caller: Option<std::sync::Arc<dyn tools::user::UserToolCaller>>,
}

/// Reply cap of a constrained envelope call.
const ENVELOPE_REPLY_TOKENS: u32 = 160;

/// System prompt with native tool calling: the schemas carry the rest.
const SYSTEM_NATIVE: &str = "You are a coding agent. Read code with find_read, change it with edit (checks run at once), call done when checks pass.";

/// Runs the task at `root` with the tool loop. Never panics on model output; a cancelled token
/// ends the run with `outcome = "cancelled"`.
pub async fn run(
    root: PathBuf,
    prompt: &str,
    client: &LlmClient,
    cfg: &AgentConfig,
    opts: &ToolOptions,
    steps: &dyn Steps,
    cancel: &CancellationToken,
) -> Report {
    let started = Instant::now();
    let mut report = Report::default();
    let fut = run_inner(root, prompt, client, cfg, opts, steps, &mut report);
    if let Some(why) = super::report::bounded(fut, cfg.max_wall, cancel).await {
        report.outcome = why;
    }
    report.wall_ms = started.elapsed().as_millis() as u64;
    steps.step(&format!(
        "{} — {} (steps {}, tool calls {}, repairs {}, tokens {} in / {} out, {} ms)",
        if report.passed { "PASS" } else { "FAIL" },
        report.outcome,
        report.rounds,
        report.tool_calls,
        report.repairs,
        report.tokens_in,
        report.tokens_out,
        report.wall_ms
    ));
    report
}

/// The whole-system prompt for text and envelope modes: the tool list in one line each.
pub fn system_text(specs: &[ToolSpec]) -> String {
    let list: Vec<String> = specs
        .iter()
        .map(|s| {
            let args: Vec<String> = s
                .params
                .iter()
                .map(|p| {
                    if p.required {
                        p.name.to_string()
                    } else {
                        format!("{}?", p.name)
                    }
                })
                .collect();
            format!("{}({}): {}", s.name, args.join(", "), s.description)
        })
        .collect();
    format!(
        "You are a coding agent. Reply with one JSON object {{\"action\": tool, \"args\": {{…}}}}. Tools:\n{}",
        list.join("\n")
    )
}

struct Loop<'a> {
    client: &'a LlmClient,
    cfg: &'a AgentConfig,
    steps: &'a dyn Steps,
    tb: Toolbox,
    specs: Vec<ToolSpec>,
    envelope: bool,
    messages: Vec<Message>,
    stats: RepairStats,
    opts: &'a ToolOptions,
    /// The task's target files (the harness's pick), for narrowing.
    targets: Vec<crate::context::Target>,
    /// The first error of the last failing check run, for "the same error twice".
    last_first: Option<String>,
}

async fn run_inner(
    root: PathBuf,
    prompt: &str,
    client: &LlmClient,
    cfg: &AgentConfig,
    opts: &ToolOptions,
    steps: &dyn Steps,
    report: &mut Report,
) -> Result<(), AgentError> {
    let ws = Workspace::new(&root)?.with_buffers(cfg.buffers.iter().cloned());
    let files = ws.files(5000);
    let tests = cfg
        .test_cmd
        .clone()
        .map(|c| CheckCmd {
            name: "tests".into(),
            command: c,
        })
        .or_else(|| check::detect_tests(ws.root(), &files));
    // The behavioural checks (the project's tests, the request's command and examples) run
    // only in a trusted project; the oracle lists the skipped ones and labels the change.
    let targets = crate::context::pick_targets(&ws, &files, prompt);
    let oracle = std::sync::Arc::new(crate::oracle::Oracle::new(
        &ws,
        &files,
        &targets,
        prompt,
        cfg.test_cmd.as_deref(),
        cfg.trusted,
    ));
    for why in &oracle.skipped {
        steps.step(&format!("not checked: {why}"));
    }
    report.skipped = oracle.skipped.clone();
    report.test_command = oracle.test_command();
    let tests = if cfg.trusted { tests } else { None };
    let gate = Gate {
        perms: opts.perms.clone(),
        free: Vec::new(),
        asker: opts.asker.clone(),
        root: ws.root().to_path_buf(),
        allowed_file: crate::trust::project_data_dir(&cfg.data_dir, ws.root())
            .join(crate::permission::ALLOWED_FILE),
        trusted: cfg.trusted,
    };
    let mut tb = Toolbox::new(ws, gate, tests, cfg.check_timeout);
    if let Some(g) = &cfg.graph {
        tb = tb.with_graph(g.clone());
    }
    tb.live = opts.live.clone();
    tb.oracle = Some(std::sync::Arc::clone(&oracle));
    let ctx = client.endpoint().context as usize;
    tb.read_budget = (ctx / 4).clamp(400, 4000);
    let envelope = opts
        .envelope
        .unwrap_or(client.endpoint().tools == Some(false));
    let mut specs = tools::specs(envelope);
    if opts.user_caller.is_some() {
        specs.extend(opts.user_tools.iter().cloned());
    }
    // What the tool schemas cost in every prompt (the tiny-toolset rule; shown by /stats).
    report.schema_tokens = smallcode_core::budget::count_tokens(
        &serde_json::Value::Array(specs.iter().map(|t| t.openai_schema()).collect()).to_string(),
    ) as u64;
    if !opts.user_tools.is_empty() {
        steps.step(&format!(
            "tools: {} built-in + {} of yours ({} schema tokens)",
            specs.len() - opts.user_tools.len(),
            opts.user_tools.len(),
            report.schema_tokens
        ));
    }
    steps.step(&format!(
        "edit format: tools ({})",
        if envelope {
            "constrained envelope, code as plain text"
        } else {
            "native tool calls, text calls repaired"
        }
    ));
    // The baseline: a failing test's output belongs in the first prompt.
    let mut baseline = if tb.has_behavioural() {
        let r = tb.check(&[]).await;
        report.checks += r.len() as u32;
        format!("\n\nTests now: {}", verdict(&r))
    } else {
        String::new()
    };
    // The editor's known errors (quickfix entries, diagnostics) are the task's errors too, and
    // the editor's quickfix list follows the checks from here on (as in the harness).
    let mut known = tb.take_errors().unwrap_or_default();
    if !cfg.errors.is_empty() {
        let lines: Vec<String> = cfg.errors.iter().map(|d| d.to_string()).collect();
        baseline.push_str(&format!("\n\nErrors now:\n{}", lines.join("\n")));
        known.extend(cfg.errors.iter().cloned());
    }
    steps.errors(tb.ws.root(), &known);
    let shown: Vec<&str> = files.iter().take(60).map(String::as_str).collect();
    let system = if envelope {
        system_text(&specs)
    } else {
        SYSTEM_NATIVE.to_string()
    };
    let mut lp = Loop {
        client,
        cfg,
        steps,
        tb,
        specs,
        envelope,
        opts,
        targets,
        last_first: None,
        messages: vec![
            Message::new(Role::System, system),
            Message::new(
                Role::User,
                format!("Files: {}\n\nTask: {prompt}{baseline}", shown.join(", ")),
            ),
        ],
        stats: RepairStats::default(),
    };
    let max_steps = if opts.max_steps == 0 {
        12
    } else {
        opts.max_steps
    };
    let r = lp.steps_loop(max_steps, report).await;
    // In the envelope, JSON in the text is the protocol, not a repair.
    let from_text = if lp.envelope { 0 } else { lp.stats.from_text };
    report.repairs = lp.stats.json_repaired + lp.stats.coerced + from_text + lp.stats.failed;
    // No passing change set (or no usable tool call at all): the harness's rounds take over.
    let handed = match &r {
        Ok(()) => !report.passed && report.changed.is_empty(),
        Err(e) => matches!(e, AgentError::NoToolCall),
    };
    if !handed || lp.targets.is_empty() {
        return r;
    }
    let focus = lp.focus();
    drop(lp); // the borrowed graph gets its overlays back before the harness reads it
    let why = match &r {
        Ok(()) => report.outcome.clone(),
        Err(e) => e.to_string(),
    };
    take_over(root, prompt, client, cfg, steps, report, focus, &why).await
}

/// The harness's rounds after the tool loop ended with nothing to land (`why`): best of N,
/// narrowed to `focus`, repair templates and escalation, from the unchanged project (a failed
/// attempt misleads a small model more than it helps). The report sums both parts.
#[allow(clippy::too_many_arguments)]
async fn take_over(
    root: PathBuf,
    prompt: &str,
    client: &LlmClient,
    cfg: &AgentConfig,
    steps: &dyn Steps,
    report: &mut Report,
    focus: Option<(String, String)>,
    why: &str,
) -> Result<(), AgentError> {
    steps.step(&format!(
        "tools: {why}; the harness takes over{} (best of N, repair templates, escalation)",
        focus
            .as_ref()
            .map(|(rel, n)| format!(" narrowed to `{n}` in {rel}"))
            .unwrap_or_default()
    ));
    let mut part = Report::default();
    let r = crate::harness::take_over(root, prompt, client, cfg, steps, &mut part, focus).await;
    let tools = std::mem::replace(report, part);
    report.add_counts(&tools);
    report.decompositions += 1;
    // An unsolved run says both halves: why the loop handed over, then what the harness found.
    match r {
        Ok(()) if report.passed => {}
        Ok(()) => report.outcome = format!("{why}; then the harness: {}", report.outcome),
        Err(e) => report.outcome = format!("{why}; then the harness: {e}"),
    }
    Ok(())
}

impl Loop<'_> {
    async fn steps_loop(&mut self, max_steps: u32, report: &mut Report) -> Result<(), AgentError> {
        let mut retried = false;
        let mut done_refused = false;
        let mut last_read: Option<String> = None;
        let mut nudged = false;
        while report.rounds < max_steps {
            if report.tokens_in + report.tokens_out > self.cfg.max_tokens_total {
                return Err(AgentError::TokenBudget {
                    limit: self.cfg.max_tokens_total,
                });
            }
            self.fit_history();
            // After a nudge the grammar itself takes find_read away for one step.
            let offered: Vec<ToolSpec> = self
                .specs
                .iter()
                .filter(|t| !(nudged && t.name == tools::FIND_READ))
                .cloned()
                .collect();
            nudged = false;
            let schema = self.envelope.then(|| tools::envelope_schema(&offered));
            let tools: Vec<Value> = if self.envelope {
                Vec::new()
            } else {
                self.specs.iter().map(ToolSpec::openai_schema).collect()
            };
            let req = ChatRequest {
                messages: self.messages.clone(),
                // An envelope is a tool name and a few short strings.
                max_tokens: if self.envelope {
                    ENVELOPE_REPLY_TOKENS.min(self.cfg.reply_tokens)
                } else {
                    self.cfg.reply_tokens
                },
                temperature: self.cfg.temperature,
                tools,
                json_schema: schema,
                num_ctx: Some(self.client.endpoint().context),
                ..Default::default()
            };
            let done = self.ask(&req, report).await?;
            let native: Vec<(String, String)> = done
                .tool_calls
                .iter()
                .map(|c| (c.name.clone(), c.arguments.clone()))
                .collect();
            let outcome = toolcall::parse(
                &done.content,
                &done.reasoning,
                &native,
                &self.specs,
                &mut self.stats,
            );
            let said = if done.content.trim().is_empty() {
                native
                    .iter()
                    .map(|(n, a)| format!("{{\"name\":\"{n}\",\"arguments\":{a}}}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                done.content.clone()
            };
            let calls = match outcome {
                Outcome::Calls(calls) => calls,
                Outcome::None | Outcome::Invalid(_) if retried => {
                    return Err(AgentError::NoToolCall);
                }
                Outcome::None => {
                    self.stats.failed += 1;
                    let names: Vec<&str> = self.specs.iter().map(|s| s.name).collect();
                    self.steps
                        .step("no tool call in the reply; asking once more");
                    self.exchange(
                        &said,
                        &format!("No tool call found. Call one of: {}.", names.join(", ")),
                    );
                    retried = true;
                    continue;
                }
                Outcome::Invalid(e) => {
                    self.steps
                        .step(&format!("tool call rejected: {e}; retrying once"));
                    self.exchange(&said, &e.retry_prompt());
                    retried = true;
                    continue;
                }
            };
            retried = false;
            for call in calls {
                report.tool_calls += 1;
                let shown = render_call(&call, self.envelope);
                if call.name == tools::DONE {
                    match self.finish(report, done_refused).await? {
                        Some(text) => {
                            done_refused = true;
                            self.exchange(&shown, &text);
                            break;
                        }
                        None => return Ok(()),
                    }
                }
                // A small model that read something tends to read it again and again: the
                // same read twice in a row is answered with a nudge instead of the same text.
                if call.name == tools::FIND_READ && last_read.as_deref() == Some(shown.as_str()) {
                    self.steps.step("find_read repeated; nudging towards edit");
                    nudged = true;
                    self.exchange(
                        &shown,
                        "You just read this; it is above. Change it with edit, or call done.",
                    );
                    continue;
                }
                last_read = (call.name == tools::FIND_READ).then(|| shown.clone());
                let result = self.execute(&call, report).await?;
                self.steps.step(&result.step);
                self.publish();
                let hint = if result.staged {
                    self.narrow_hint(report)
                } else {
                    String::new()
                };
                self.exchange(
                    &shown,
                    &format!("Result of {}: {}{hint}", call.name, result.text),
                );
            }
        }
        // Out of steps: land what passes, as `done` would.
        if self.tb.ws.staged().is_empty() {
            report.outcome = format!("step limit of {max_steps} reached without a change");
            return Ok(());
        }
        self.finish(report, true).await?;
        Ok(())
    }

    /// One model call with accounting and streaming to the steps sink.
    async fn ask(
        &mut self,
        req: &ChatRequest,
        report: &mut Report,
    ) -> Result<smallcode_llm::Completion, AgentError> {
        report.rounds += 1;
        let steps = self.steps;
        let mut on_event = |ev: &StreamEvent| {
            if let StreamEvent::Content(t) = ev {
                steps.model_text(t);
            }
        };
        let done = self
            .client
            .chat(req, &mut on_event)
            .await
            .map_err(AgentError::Model)?;
        steps.model_text("\n");
        report.tokens_in += done.usage.prompt_tokens.unwrap_or_else(|| {
            req.messages
                .iter()
                .map(|m| count_tokens(&m.content) as u64)
                .sum()
        });
        report.tokens_out += done
            .usage
            .completion_tokens
            .unwrap_or_else(|| count_tokens(&done.content) as u64);
        report.cached_tokens += done.usage.cached_tokens.unwrap_or(0);
        Ok(done)
    }

    /// Appends the model's turn and our answer to the history.
    fn exchange(&mut self, assistant: &str, user: &str) {
        self.messages.push(Message::new(Role::Assistant, assistant));
        self.messages.push(Message::new(Role::User, user));
    }

    /// Drops the oldest exchanges (never the system prompt or the task) until the history fits
    /// the context with room for the reply.
    fn fit_history(&mut self) {
        let limit = (self.client.endpoint().context as usize)
            .saturating_sub(self.cfg.reply_tokens as usize + 256);
        let cost = |m: &[Message]| {
            m.iter()
                .map(|x| count_tokens(&x.content) + 4)
                .sum::<usize>()
        };
        while self.messages.len() > 4 && cost(&self.messages) > limit {
            self.messages.drain(2..4);
        }
    }

    async fn execute(
        &mut self,
        call: &Call,
        report: &mut Report,
    ) -> Result<ToolResult, AgentError> {
        let s = |k: &str| call.str_arg(k).unwrap_or("").to_string();
        let r = match call.name.as_str() {
            tools::FIND_READ => {
                let q = ["symbol", "query", "path"]
                    .iter()
                    .find_map(|k| call.str_arg(k).filter(|v| !v.trim().is_empty()))
                    .unwrap_or("")
                    .to_string();
                self.tb.find_read(&q).await
            }
            tools::EDIT if self.envelope => {
                let path = s("path");
                // A symbol only helps where a grammar can find it; elsewhere ask for a
                // SEARCH/REPLACE block instead of failing on the language.
                let has_grammar = smallcode_core::syntax::language::language_for_path(
                    std::path::Path::new(&path),
                )
                .is_some();
                let symbol = call
                    .str_arg("symbol")
                    .filter(|s| has_grammar && !s.trim().is_empty())
                    .map(str::to_string);
                // The guard first: no follow-up call for an edit that would be refused anyway.
                if let Err(refused) = self.tb.fresh_text(&path).await {
                    return Ok(refused);
                }
                let ask = match &symbol {
                    Some(name) => format!("Write the whole new `{name}` for {path} in one code block."),
                    None => format!("Write the change to {path} as one block:\n<<<<<<< SEARCH\nexact old lines\n=======\nnew lines\n>>>>>>> REPLACE"),
                };
                let code = self
                    .code_followup(
                        call,
                        &ask,
                        symbol.is_some().then_some(path.as_str()),
                        report,
                    )
                    .await?;
                self.tb
                    .edit_from_text(&path, symbol.as_deref(), &code)
                    .await
            }
            tools::EDIT => {
                self.tb
                    .edit(
                        &s("path"),
                        call.str_arg("symbol"),
                        call.str_arg("search"),
                        &s("replace"),
                    )
                    .await
            }
            tools::CREATE if self.envelope => {
                let path = s("path");
                let code = self
                    .code_followup(
                        call,
                        &format!("Write the content of {path} in one code block."),
                        Some(&path),
                        report,
                    )
                    .await?;
                let content = smallcode_core::edit::blocks::parse(&code)
                    .into_iter()
                    .find_map(|b| match b {
                        smallcode_core::edit::blocks::Block::Code { code, .. } => Some(code),
                        _ => None,
                    })
                    .unwrap_or(code);
                self.tb.create(&path, &content).await
            }
            tools::CREATE => self.tb.create(&s("path"), &s("content")).await,
            tools::RUN => self.tb.run(&s("command")).await,
            name if self.opts.user_tools.iter().any(|t| t.name == name) => {
                match &self.opts.user_caller {
                    Some(caller) => {
                        let args = serde_json::Value::Object(call.args.clone());
                        let r = match tokio::time::timeout(
                            tools::user::CALL_TIMEOUT,
                            caller.call(name, &args),
                        )
                        .await
                        {
                            Ok(r) => r,
                            Err(_) => Err(format!(
                                "timed out after {} s",
                                tools::user::CALL_TIMEOUT.as_secs()
                            )),
                        };
                        let ok = r.is_ok();
                        let text = tools::user::result_text(name, r);
                        ToolResult {
                            step: format!(
                                "{name} (your tool): {}",
                                if ok { "ok" } else { text.as_str() }
                            ),
                            text,
                            staged: false,
                        }
                    }
                    None => ToolResult {
                        text: format!("error: {name} is not available here"),
                        step: format!("{name}: no editor to run it"),
                        staged: false,
                    },
                }
            }
            other => ToolResult {
                text: format!("error: unknown tool {other}"),
                step: format!("unknown tool {other}"),
                staged: false,
            },
        };
        Ok(r)
    }

    /// The unconstrained follow-up of an envelope call: the code as a plain fenced block. For
    /// servers that continue a prefilled reply, the fence is opened for the model and generation
    /// stops at the closing fence.
    async fn code_followup(
        &mut self,
        call: &Call,
        ask: &str,
        fenced_for: Option<&str>,
        report: &mut Report,
    ) -> Result<String, AgentError> {
        let continues = matches!(
            self.client.endpoint().kind,
            ServerKind::LlamaCpp | ServerKind::Ollama
        );
        let prefill = fenced_for
            .filter(|_| continues)
            .map(|p| format!("```{}\n", super::context::fence_for(p)));
        let mut messages = self.messages.clone();
        messages.push(Message::new(
            Role::Assistant,
            render_call(call, self.envelope),
        ));
        messages.push(Message::new(Role::User, ask));
        let req = ChatRequest {
            messages,
            max_tokens: self.cfg.reply_tokens,
            temperature: self.cfg.temperature,
            num_ctx: Some(self.client.endpoint().context),
            stop: if prefill.is_some() {
                vec!["```".into()]
            } else {
                Vec::new()
            },
            prefill: prefill.clone(),
            ..Default::default()
        };
        self.steps
            .step(&format!("{}: asking for the code", call.name));
        let done = self.ask(&req, report).await?;
        Ok(match prefill {
            Some(p) => {
                let body = done
                    .content
                    .strip_prefix(p.as_str())
                    .unwrap_or(&done.content);
                let body = body.split("```").next().unwrap_or("");
                format!("{p}{}\n```\n", body.trim_end())
            }
            None => done.content,
        })
    }

    /// Narrowing, as the harness does it: when the checks fail with the same first error twice
    /// in a row, the next message names the one definition that fails and asks for a change to
    /// it only. Empty otherwise.
    fn narrow_hint(&mut self, report: &mut Report) -> String {
        let results = self.tb.last_results();
        let first = crate::harness::first_error(results);
        let again = first.is_some() && first == self.last_first;
        self.last_first = first;
        if !again {
            return String::new();
        }
        let Some((i, name)) = crate::context::narrow(&self.tb.ws, &self.targets, results) else {
            return String::new();
        };
        let rel = &self.targets[i].rel;
        self.steps.step(&format!(
            "decompose: the same error twice; asking for a change to `{name}` only"
        ));
        report.decompositions += 1;
        format!("\nThe same error as before: it is in `{name}` ({rel}). Change only `{name}`.")
    }

    /// The definition the last failing checks point at, as (file, name), for the take-over.
    fn focus(&self) -> Option<(String, String)> {
        let results = self.tb.last_results();
        if results.iter().all(|r| r.ok) {
            return None;
        }
        let (i, name) = crate::context::narrow(&self.tb.ws, &self.targets, results)?;
        Some((self.targets[i].rel.clone(), name))
    }

    /// Tells the editor the errors of the checks the last call ran, if it ran any (the
    /// quickfix list follows the loop; empty once they pass).
    fn publish(&mut self) {
        if let Some(diags) = self.tb.take_errors() {
            self.steps.errors(self.tb.ws.root(), &diags);
        }
    }

    /// `done`: checks every staged file and lands a passing change set. `Some(text)` = refused
    /// (text goes back to the model); `None` = the run is over.
    async fn finish(
        &mut self,
        report: &mut Report,
        final_try: bool,
    ) -> Result<Option<String>, AgentError> {
        if self.tb.ws.staged().is_empty() {
            if report.outcome.is_empty() {
                report.outcome = "the model finished without a change".into();
            }
            return Ok(None);
        }
        let rels: Vec<String> = self
            .tb
            .ws
            .staged()
            .keys()
            .map(|p| self.tb.ws.rel(p))
            .collect();
        let results = self.tb.check(&rels).await;
        self.publish();
        report.checks += results.len() as u32;
        if results.iter().any(|r| !r.ok) {
            let v = verdict(&results);
            self.steps
                .step(&format!("done refused: {}", v.lines().next().unwrap_or("")));
            if final_try {
                report.outcome = "checks still fail; nothing applied".into();
                return Ok(None);
            }
            let hint = self.narrow_hint(report);
            return Ok(Some(format!(
                "Not done: {v}{hint}\nFix this, then call done again."
            )));
        }
        // What the passing checks prove (the same rule as the whole-definition harness).
        let (verification, note) = match &self.tb.oracle {
            Some(o) => {
                let graph = crate::oracle::LazyGraph::with(self.cfg.graph.clone());
                crate::oracle::label(&mut self.tb.ws, o, &results, &graph).await?
            }
            None => (
                crate::Verification::Checked,
                "syntax/compile checks only".into(),
            ),
        };
        report.verification = verification;
        report.verification_note = note.clone();
        report.base = self
            .tb
            .ws
            .staged()
            .keys()
            .map(|p| (p.clone(), self.tb.ws.original(p).unwrap_or_default()))
            .collect();
        let label = format!("{}: {note}", verification.as_str());
        if self.cfg.apply_to_disk
            && verification != crate::Verification::Verified
            && !self.cfg.accept_unverified
        {
            report.changed = rels;
            report.outcome = format!(
                "checks pass, but the change is only {label}; not written (--allow-unverified writes it): {}",
                report.changed.join(", ")
            );
            return Ok(None);
        }
        if self.cfg.apply_to_disk {
            let written = self.tb.ws.apply()?;
            report.changed = written.iter().map(|p| self.tb.ws.rel(p)).collect();
        } else {
            report.staged = self
                .tb
                .ws
                .staged()
                .iter()
                .map(|(p, t)| (p.clone(), t.clone()))
                .collect();
            report.changed = rels;
            report.buffer_ticks = self.tb.ticks();
        }
        report.passed = true;
        let verb = if self.cfg.apply_to_disk {
            "applied"
        } else {
            "staged for the editor"
        };
        report.outcome = format!("checks pass; {label}; {verb} {}", report.changed.join(", "));
        Ok(None)
    }
}

/// A call as the model's turn in the history (compact JSON, the shape the model should write).
fn render_call(call: &Call, envelope: bool) -> String {
    if envelope {
        json!({"action": call.name, "args": call.args}).to_string()
    } else {
        json!({"name": call.name, "arguments": call.args}).to_string()
    }
}
