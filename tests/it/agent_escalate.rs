//! Escalation against two scripted mock servers (the local model and the escalation endpoint),
//! with the real checker (python3): the local model fails twice → decomposition → its rounds are
//! spent → only the failing sub-task goes to the escalation endpoint (Anthropic wire format),
//! whose answer is verified and applied. Keys go only to their own hosts, also across redirects.
//! Without escalation the run ends with a clear "not solved" summary.

use crate::support::proc::{OutputWithin, CLI_LIMIT};
use smallcode_testkit as mock_llm;
use smallcode_testkit::project;

use std::path::{Path, PathBuf};
use std::process::Command;

use mock_llm::{Flavor, MockConfig, MockServer, Recorded, Step};
use smallcode_agent::escalate::Escalator;
use smallcode_agent::{sink, AgentConfig};
use smallcode_llm::config::{Escalation, Timeouts};
use smallcode_llm::LlmClient;
use tokio_util::sync::CancellationToken;

const CALC: &str = "def add(a, b):\n    \"\"\"Return the sum.\"\"\"\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n";
const TEST: &str =
    "from calc import add, mul\nassert add(2, 3) == 5, add(2, 3)\nassert mul(2, 3) == 6\n";
const MAIN_KEY: &str = "main-key-0001";
const ESC_KEY: &str = "esc-key-0002";

fn reply(text: &str) -> Step {
    Step::text(text)
}

/// An Anthropic Messages API reply holding `text`.
fn anthropic(text: &str) -> Step {
    let body = serde_json::json!({
        "id": "msg_mock", "type": "message", "role": "assistant", "model": "big",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 120, "output_tokens": 30}
    });
    Step::Raw {
        status: 200,
        content_type: "application/json".into(),
        chunks: vec![body.to_string()],
        delay_ms: 0,
    }
}

fn project(files: &[(&str, &str)]) -> PathBuf {
    project::temp_project("escalate", files)
}

/// The local model: the same wrong fix over and over.
fn failing_main() -> MockServer {
    MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("    return a * b\n"),
            reply("    return a * b\n"),
            reply("    return a * b\n"),
        ],
    ))
}

fn header<'a>(r: &'a Recorded, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// No request to `server` carried `key` anywhere (headers or body).
fn never_saw(server: &MockServer, key: &str) -> bool {
    server
        .requests()
        .iter()
        .all(|r| !r.raw_body.contains(key) && r.headers.iter().all(|(_, v)| !v.contains(key)))
}

fn run_cli(dir: &Path, main: &MockServer, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_smallcode"))
        .args(["run", "--trust", "--dir"])
        .arg(dir)
        .args(["--endpoint", &main.url(), "--quiet", "--json"])
        .args(["--prompt", "Fix add in calc.py", "--max-rounds", "3"])
        // The fixtures' bugs are one operator: the templates would fix them before escalating.
        .arg("--no-repair-templates")
        .args(extra)
        .env("SMALLCODE_LOG", dir.with_extension("log"))
        .env("SMALLCODE_TEST_ESC_KEY", ESC_KEY)
        .output_within(CLI_LIMIT)
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn spent_rounds_escalate_only_the_failing_subtask_and_its_answer_is_verified_and_applied() {
    let main = failing_main();
    let esc = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![anthropic(
            "Here is the fix:\n```python\ndef add(a, b):\n    \"\"\"Return the sum.\"\"\"\n    return a + b\n```\n",
        )],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run_cli(
        &dir,
        &main,
        &[
            "--escalate-provider",
            "anthropic",
            "--escalate-endpoint",
            &esc.url(),
            "--escalate-model",
            "big",
            "--escalate-key-env",
            "SMALLCODE_TEST_ESC_KEY",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("decompose:"),
        "decomposition came first: {out}"
    );
    assert!(
        out.contains("escalate: asking big at 127.0.0.1 to fix only `add`"),
        "{out}"
    );
    let calc = std::fs::read_to_string(dir.join("calc.py")).unwrap();
    assert!(
        calc.contains("return a + b") && calc.contains("def mul"),
        "{calc}"
    );
    let report: serde_json::Value =
        serde_json::from_str(out.lines().rev().find(|l| l.starts_with('{')).unwrap()).unwrap();
    assert_eq!(report["escalations"], 1, "{report}");
    assert_eq!(report["escalation_tokens"], 150, "{report}");
    assert_eq!(report["passed"], true);
    assert!(report["outcome"]
        .as_str()
        .unwrap()
        .starts_with("checks pass after escalation"));

    // The local model had all its rounds; none of them went to the escalation endpoint.
    assert_eq!(main.chat_requests().len(), 3);
    assert!(main.requests().iter().all(|r| r.path != "/v1/messages"));
    // One Anthropic request with the focused sub-task only: `add` and its error, not `mul`, not
    // the failed attempts.
    let reqs = esc.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(header(r, "x-api-key"), Some(ESC_KEY));
    assert_eq!(header(r, "anthropic-version"), Some("2023-06-01"));
    assert_eq!(header(r, "authorization"), None);
    assert_eq!(r.body["model"], "big");
    assert!(r.body["system"].as_str().is_some_and(|s| !s.is_empty()));
    let user = r.body["messages"][0]["content"].as_str().unwrap();
    assert!(
        user.contains("def add(a, b):") && user.contains("Fix only `add`"),
        "{user}"
    );
    assert!(!user.contains("def mul"), "only the failing unit: {user}");
    assert!(user.contains("AssertionError"), "with its error: {user}");
    assert!(!user.contains("a * b"), "no failed attempt: {user}");
    assert!(
        never_saw(&main, ESC_KEY),
        "the local model never sees the escalation key"
    );
}

#[test]
fn without_escalation_the_run_ends_with_a_clear_not_solved_summary() {
    let main = failing_main();
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out) = run_cli(&dir, &main, &[]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("not solved: checks still fail after 3 rounds (narrowed to `add`); no escalation configured; nothing applied; left: "),
        "{out}"
    );
    assert!(out.contains("AssertionError"), "says what is left: {out}");
    assert_eq!(std::fs::read_to_string(dir.join("calc.py")).unwrap(), CALC);
}

fn client(server: &MockServer, key: Option<&str>) -> LlmClient {
    crate::support::mock_client(server.url(), None, key)
}

fn escalator(provider: &str, url: &str, key: &str) -> Escalator {
    let cfg = Escalation {
        provider: provider.into(),
        endpoint: Some(url.into()),
        model: "big".into(),
        api_key_env: None,
        max_tokens: 256,
    };
    Escalator::new(&cfg, Some(key.into()), &Timeouts::default()).unwrap()
}

async fn run_agent(dir: &Path, main: &LlmClient, esc: Escalator) -> smallcode_agent::Report {
    let cfg = AgentConfig {
        max_rounds: 3,
        escalation: Some(esc),
        trusted: true,
        repair_templates: false,
        ..AgentConfig::default()
    };
    smallcode_agent::run(
        dir.to_path_buf(),
        "Fix add in calc.py",
        main,
        &cfg,
        &sink::Quiet,
        &CancellationToken::new(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_key_goes_only_to_its_own_host() {
    // Main endpoint with its own key; an OpenAI-compatible escalation endpoint with another.
    let main = failing_main();
    let esc = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("```python\ndef add(a, b):\n    return a + b\n```\n")],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let report = run_agent(
        &dir,
        &client(&main, Some(MAIN_KEY)),
        escalator("openai", &esc.url(), ESC_KEY),
    )
    .await;
    assert!(report.passed, "{}", report.outcome);
    assert_eq!(report.escalations, 1);
    for r in main.requests() {
        assert_eq!(
            header(&r, "authorization"),
            Some(&*format!("Bearer {MAIN_KEY}"))
        );
    }
    let er = esc.requests();
    assert_eq!(er.len(), 1);
    assert_eq!(er[0].path, "/v1/chat/completions");
    assert_eq!(er[0].body["stream"], false);
    assert_eq!(
        header(&er[0], "authorization"),
        Some(&*format!("Bearer {ESC_KEY}"))
    );
    assert!(
        never_saw(&main, ESC_KEY),
        "main endpoint never sees the escalation key"
    );
    assert!(
        never_saw(&esc, MAIN_KEY),
        "escalation endpoint never gets the main key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_host_never_carries_a_key() {
    // "localhost" and "127.0.0.1" are different hosts to a client: the redirect leaves the
    // origin the key was configured for.
    let elsewhere = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("```python\ndef add(a, b):\n    return a + b\n```\n")],
    ));
    let other = format!("http://localhost:{}", elsewhere.port());

    // The escalation endpoint redirects its Messages call elsewhere: refused, nothing sent there.
    let main = failing_main();
    let esc = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![Step::Redirect {
            code: 307,
            location: format!("{other}/v1/messages"),
        }],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let report = run_agent(
        &dir,
        &client(&main, None),
        escalator("anthropic", &esc.url(), ESC_KEY),
    )
    .await;
    assert!(!report.passed, "{}", report.outcome);
    assert_eq!(report.escalations, 1);
    assert_eq!(esc.requests().len(), 1);
    assert!(
        elsewhere.requests().is_empty(),
        "the redirect was not followed"
    );
    assert!(
        report.outcome.contains("escalation failed: cannot reach")
            && report.outcome.contains("refused a redirect to localhost"),
        "{}",
        report.outcome
    );

    // The main endpoint redirecting its chat call elsewhere: followed, but without the key.
    let main = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![Step::Redirect {
            code: 307,
            location: format!("{other}/v1/chat/completions"),
        }],
    ));
    let c = client(&main, Some(MAIN_KEY));
    let req = smallcode_llm::ChatRequest {
        messages: vec![smallcode_llm::Message::new(smallcode_llm::Role::User, "hi")],
        max_tokens: 8,
        ..Default::default()
    };
    let _ = c.chat(&req, &mut |_| {}).await;
    assert_eq!(
        elsewhere.requests().len(),
        1,
        "the main client followed the redirect"
    );
    assert!(
        never_saw(&elsewhere, MAIN_KEY),
        "{:?}",
        elsewhere.requests()
    );
    assert!(never_saw(&elsewhere, ESC_KEY));
}

/// The `tools` format escalates as the harness does: a model that never calls a tool ends the
/// loop, the harness's round fails as well, and only the failing sub-task goes to the escalation
/// endpoint, whose answer is verified and lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tools_format_escalates_the_failing_sub_task_too() {
    let main = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("The code looks fine to me."),
            reply("It is still fine."),
            reply("    return a * b\n"),
        ],
    ));
    let esc = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("```python\ndef add(a, b):\n    return a + b\n```\n")],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let cfg = AgentConfig {
        max_rounds: 1,
        escalation: Some(escalator("openai", &esc.url(), ESC_KEY)),
        trusted: true,
        repair_templates: false,
        ..AgentConfig::default()
    };
    let report = smallcode_agent::tool_loop::run(
        dir.clone(),
        "Fix add in calc.py",
        &crate::support::mock_client(main.url(), Some(true), None),
        &cfg,
        &smallcode_agent::tool_loop::ToolOptions::default(),
        &sink::Quiet,
        &CancellationToken::new(),
    )
    .await;
    assert!(report.passed, "{}", report.outcome);
    assert_eq!(report.escalations, 1);
    assert!(
        report.outcome.contains("checks pass after escalation"),
        "{}",
        report.outcome
    );
    assert_eq!(
        main.chat_requests().len(),
        3,
        "two tool-loop calls, one harness round"
    );
    assert_eq!(esc.requests().len(), 1);
    assert!(std::fs::read_to_string(dir.join("calc.py"))
        .unwrap()
        .contains("return a + b"));
}
