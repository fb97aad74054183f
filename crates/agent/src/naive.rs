//! The control group: the same model with a plain loop — `read_file` / `write_file` / `run`
//! tools, native tool calls only, no repair, no improvement loop, no budgeting, no
//! decomposition. It exists so benchmarks can show what the harness adds.

use std::time::Instant;

use serde_json::{json, Value};

use super::check;
use super::report::Report;
use super::sink::Steps;
use super::workspace::Workspace;
use super::{AgentConfig, Permissions};
use smallcode_llm::{ChatRequest, LlmClient, Message, Role};

const STEPS: u32 = 8;

fn tools() -> Vec<Value> {
    let f = |name: &str, desc: &str, params: Value, req: &[&str]| {
        json!({"type": "function", "function": {"name": name, "description": desc,
            "parameters": {"type": "object", "properties": params, "required": req}}})
    };
    vec![
        f(
            "read_file",
            "Read a file",
            json!({"path": {"type": "string"}}),
            &["path"],
        ),
        f(
            "write_file",
            "Write a whole file",
            json!({"path": {"type": "string"}, "content": {"type": "string"}}),
            &["path", "content"],
        ),
        f(
            "run",
            "Run a shell command",
            json!({"command": {"type": "string"}}),
            &["command"],
        ),
        f(
            "done",
            "Finish",
            json!({"summary": {"type": "string"}}),
            &["summary"],
        ),
    ]
}

/// Runs the plain loop on the files at `root` (writes go straight to disk).
pub async fn run(
    root: std::path::PathBuf,
    prompt: &str,
    client: &LlmClient,
    cfg: &AgentConfig,
    perms: &Permissions,
    steps: &dyn Steps,
) -> Report {
    let started = Instant::now();
    let mut report = Report::default();
    let ws = match Workspace::new(&root) {
        Ok(ws) => ws,
        Err(e) => {
            report.outcome = e.to_string();
            return report;
        }
    };
    let files = ws.files(200).join("\n");
    let mut messages = vec![
        Message::new(
            Role::System,
            "You are a coding agent. Use the tools to change files, then call done.",
        ),
        Message::new(Role::User, format!("Files:\n{files}\n\nTask: {prompt}")),
    ];
    report.outcome = "the model stopped calling tools".into();
    for round in 1..=STEPS {
        report.rounds = round;
        let req = ChatRequest {
            messages: messages.clone(),
            max_tokens: cfg.reply_tokens,
            temperature: cfg.temperature,
            tools: tools(),
            ..Default::default()
        };
        let done = match client.chat(&req, &mut |_| {}).await {
            Ok(d) => d,
            Err(e) => {
                report.outcome = crate::AgentError::Model(e).to_string();
                break;
            }
        };
        report.tokens_in += done.usage.prompt_tokens.unwrap_or(0);
        report.tokens_out += done.usage.completion_tokens.unwrap_or(0);
        report.cached_tokens += done.usage.cached_tokens.unwrap_or(0);
        if done.tool_calls.is_empty() {
            steps.step("model answered without a tool call");
            break;
        }
        messages.push(Message::new(Role::Assistant, done.content.clone()));
        let mut finished = false;
        for call in &done.tool_calls {
            report.tool_calls += 1;
            // No repair: arguments that are not valid JSON are an error result.
            let args: Value = serde_json::from_str(&call.arguments).unwrap_or(Value::Null);
            let arg = |k: &str| {
                args.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let result = match call.name.as_str() {
                "read_file" => ws
                    .resolve(&arg("path"))
                    .map_err(|e| e.to_string())
                    .and_then(|p| std::fs::read_to_string(p).map_err(|e| e.to_string()))
                    .unwrap_or_else(|e| format!("error: {e}")),
                "write_file" => match ws.resolve(&arg("path")) {
                    Ok(p) => match std::fs::write(&p, arg("content")) {
                        Ok(()) => {
                            report.changed.push(ws.rel(&p));
                            "written".to_string()
                        }
                        Err(e) => format!("error: {e}"),
                    },
                    Err(e) => format!("error: {e}"),
                },
                "run" => {
                    let c = arg("command");
                    if perms.allows(&c) {
                        let cmd = check::CheckCmd {
                            name: "run".into(),
                            command: c,
                        };
                        check::run(ws.root(), &cmd, cfg.check_timeout).await.output
                    } else {
                        "error: command not allowed".to_string()
                    }
                }
                "done" => {
                    finished = true;
                    "ok".to_string()
                }
                other => format!("error: unknown tool {other}"),
            };
            steps.step(&format!(
                "{}({}) -> {}",
                call.name,
                call.arguments.chars().take(60).collect::<String>(),
                result.lines().next().unwrap_or("")
            ));
            messages.push(Message::new(
                Role::User,
                format!("Result of {}: {result}", call.name),
            ));
        }
        if finished {
            report.outcome = "the model called done".into();
            break;
        }
    }
    // Exit status like the harness: passes when the project's checks pass after the run.
    let files: Vec<String> = ws.files(5000);
    if let Some(tests) = cfg
        .test_cmd
        .clone()
        .map(|c| check::CheckCmd {
            name: "tests".into(),
            command: c,
        })
        .or_else(|| check::detect_tests(ws.root(), &files))
    {
        let r = check::run(ws.root(), &tests, cfg.check_timeout).await;
        report.checks += 1;
        report.passed = r.ok && !report.changed.is_empty();
    }
    report.wall_ms = started.elapsed().as_millis() as u64;
    steps.step(&format!(
        "{} — {}",
        if report.passed { "PASS" } else { "FAIL" },
        report.outcome
    ));
    report
}
