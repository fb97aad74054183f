//! The `tools` edit format (compound tool surface) against the scripted mock model, with the real
//! python3 checkers: malformed tool calls recovered in the loop, a compound edit staged and
//! reporting the checker's errors while the real file stays untouched, stale and ambiguous edits
//! refused, a command denied in headless mode, and the constrained envelope's request shape.

use crate::support::proc::{OutputWithin, CLI_LIMIT};
use smallcode_testkit as mock_llm;
use smallcode_testkit::project;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use mock_llm::{Flavor, MockConfig, MockServer, Step};
use serde_json::Value;
use smallcode_agent::permission::Gate;
use smallcode_agent::tools::Toolbox;
use smallcode_agent::workspace::Workspace;
use smallcode_agent::Permissions;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_smallcode")
}

fn reply(text: &str) -> Step {
    Step::text(text)
}

fn call(name: &str, args: Value) -> Step {
    let s = args.to_string();
    // Cut the arguments where a model's tokens would: fragments must be joined by the client.
    let mid = s
        .char_indices()
        .nth(s.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    Step::ToolCall {
        name: name.to_string(),
        arguments_json_fragments: vec![s[..mid].to_string(), s[mid..].to_string()],
    }
}

fn project(files: &[(&str, &str)]) -> PathBuf {
    project::temp_project("tools", files)
}

/// `smallcode run --edit-format tools --json`: (exit ok, transcript, report).
fn run(dir: &Path, server: &MockServer, extra: &[&str]) -> (bool, String, Value) {
    let out = Command::new(bin())
        .args([
            "run",
            "--trust",
            "--edit-format",
            "tools",
            "--json",
            "--quiet",
            "--dir",
        ])
        .arg(dir)
        .args(["--endpoint", &server.url()])
        .args(["--prompt", "Fix add in calc.py"])
        .args(extra)
        .env("SMALLCODE_LOG", dir.with_extension("log"))
        .output_within(CLI_LIMIT)
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let report = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
        .unwrap_or(Value::Null);
    let text = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text, report)
}

/// The user messages the model received, in request order (last message of each request).
fn fed_back(server: &MockServer) -> Vec<String> {
    server
        .chat_requests()
        .iter()
        .map(|r| {
            let msgs = r["messages"].as_array().cloned().unwrap_or_default();
            msgs.iter()
                .rev()
                .find(|m| m["role"] == "user")
                .and_then(|m| m["content"].as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

const CALC: &str = "def add(a, b):\n    \"\"\"Return the sum.\"\"\"\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n";
const TEST: &str =
    "from calc import add, mul\nassert add(2, 3) == 5, add(2, 3)\nassert mul(2, 3) == 6\n";

#[test]
fn compound_edit_is_staged_reports_checker_errors_and_lands_only_when_checks_pass() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("find_read", serde_json::json!({"query": "calc.py"})),
            call(
                "edit",
                serde_json::json!({"path": "calc.py", "search": "    return a - b", "replace": "    return a +"}),
            ),
            call("done", serde_json::json!({"summary": "fixed"})),
            call(
                "edit",
                serde_json::json!({"path": "calc.py", "search": "return a +", "replace": "return a + b"}),
            ),
            call("done", serde_json::json!({"summary": "fixed"})),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out, report) = run(&dir, &server, &[]);
    assert!(ok, "{out}");
    let fed = fed_back(&server);
    assert!(
        fed[0].contains("AssertionError: -1"),
        "baseline test output in the task: {}",
        fed[0]
    );
    assert!(fed[1].contains("return a - b"), "find_read showed the file");
    assert!(
        fed[2].contains("staged calc.py; py_compile: 1 problem(s): calc.py:3"),
        "the checker's verdict is in the edit's own result: {}",
        fed[2]
    );
    assert!(
        fed[3].contains("Not done") && fed[3].contains("SyntaxError"),
        "done with failing checks is refused: {}",
        fed[3]
    );
    assert!(fed[4].contains("staged calc.py; checks pass"), "{}", fed[4]);
    let calc = std::fs::read_to_string(dir.join("calc.py")).unwrap();
    assert!(
        calc.contains("return a + b\n") && calc.contains("def mul"),
        "{calc}"
    );
    assert_eq!(report["passed"], true);
    assert_eq!(report["tool_calls"], 5);
    // The request carried the flat native tool schemas.
    let tools = server.chat_requests()[0]["tools"]
        .as_array()
        .unwrap()
        .clone();
    assert!(tools.len() <= 6);
    assert!(!Value::Array(tools).to_string().contains("anyOf"));
}

#[test]
fn files_stay_untouched_when_the_model_gives_up_with_failing_checks() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("find_read", serde_json::json!({"query": "add"})),
            call(
                "edit",
                serde_json::json!({"path": "calc.py", "symbol": "add", "replace": "def add(a, b):\n    return a + c\n"}),
            ),
            call("done", serde_json::json!({"summary": "x"})),
            call("done", serde_json::json!({"summary": "x"})),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out, report) = run(&dir, &server, NO_TEMPLATES);
    assert!(!ok, "{out}");
    let fed = fed_back(&server);
    assert!(
        fed[1].contains("calc.py lines 1-3") && fed[1].contains("return a - b"),
        "find_read by symbol name went through the graph: {}",
        fed[1]
    );
    assert!(
        fed[2].contains("staged calc.py; tests") && fed[2].contains("NameError"),
        "{}",
        fed[2]
    );
    assert_eq!(std::fs::read_to_string(dir.join("calc.py")).unwrap(), CALC);
    assert_eq!(report["passed"], false);
    assert!(
        report["outcome"]
            .as_str()
            .unwrap()
            .contains("nothing applied"),
        "{report}"
    );
}

#[test]
fn malformed_tool_calls_in_text_are_recovered_and_counted() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            // Hermes/Qwen tag around the call, after some thinking.
            reply("<think>look first</think><tool_call>{\"name\": \"find_read\", \"arguments\": {\"query\": \"calc.py\"}}</tool_call>"),
            // A fenced block with single quotes and a trailing comma.
            reply("```json\n{'name': 'edit', 'arguments': {'path': 'calc.py', 'search': '    return a - b', 'replace': '    return a + b',},}\n```"),
            // Qwen-coder XML.
            reply("<function=done>\n<parameter=summary>\nfixed\n</parameter>\n</function>"),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out, report) = run(&dir, &server, &[]);
    assert!(ok, "{out}");
    assert!(std::fs::read_to_string(dir.join("calc.py"))
        .unwrap()
        .contains("return a + b"));
    assert!(report["repairs"].as_u64().unwrap() >= 4, "{report}");
}

#[test]
fn an_unusable_call_gets_one_precise_error_and_one_retry() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            // `path` missing: the error names the field, what was expected and what came.
            reply("{\"name\": \"edit\", \"arguments\": {\"search\": \"a - b\", \"replace\": \"a + b\"}}"),
            reply("[TOOL_REQUEST]{\"name\": \"find_read\", \"arguments\": {\"query\": \"calc.py\"}}[END_TOOL_REQUEST]"),
            reply("still no call"),
            reply("nor here"),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out, _) = run(&dir, &server, NO_TEMPLATES);
    assert!(!ok, "{out}");
    let fed = fed_back(&server);
    assert!(
        fed[1].contains("edit: field \"path\": expected string (required), received nothing"),
        "{}",
        fed[1]
    );
    assert!(
        fed[2].contains("calc.py:"),
        "the retry's call ran: {}",
        fed[2]
    );
    assert!(fed[3].contains("No tool call found"), "{}", fed[3]);
    // A second miss in a row ends the tool loop; the harness's rounds follow (no tools).
    let reqs = server.chat_requests();
    assert!(reqs[..4].iter().all(|r| r.get("tools").is_some()));
    assert!(reqs.len() > 4 && reqs[4].get("tools").is_none(), "{out}");
    assert!(
        out.contains("tools: the model did not produce a usable tool call after one retry; the harness takes over"),
        "{out}"
    );
}

/// `smallcode run` flags for tests of a failing tool loop: the harness's take-over gets no
/// repair templates (which would fix these projects' one-token bug without the model).
const NO_TEMPLATES: &[&str] = &["--no-repair-templates"];

#[test]
fn run_is_denied_in_headless_mode_unless_allowed() {
    let steps = || {
        vec![
            call("run", serde_json::json!({"command": "rm calc.py"})),
            call("run", serde_json::json!({"command": "echo hi-there"})),
            call(
                "run",
                serde_json::json!({"command": "python3 test_calc.py"}),
            ),
            call("done", serde_json::json!({"summary": "nothing"})),
        ]
    };
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, steps()));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (_, out, _) = run(
        &dir,
        &server,
        &["--allow", "echo", "--test", "python3 test_calc.py"],
    );
    let fed = fed_back(&server);
    assert!(
        fed[1].contains("denied") && fed[1].contains("--allow"),
        "{}",
        fed[1]
    );
    assert!(dir.join("calc.py").exists(), "{out}");
    assert!(
        fed[2].contains("exit 0") && fed[2].contains("hi-there"),
        "{}",
        fed[2]
    );
    assert!(
        fed[3].contains("AssertionError"),
        "the test command runs freely: {}",
        fed[3]
    );
}

#[test]
fn constrained_envelope_carries_the_schema_and_code_comes_as_plain_text() {
    let mut cfg = MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("{\"action\": \"find_read\", \"args\": {\"query\": \"add\"}}"),
            reply("{\"action\": \"edit\", \"args\": {\"path\": \"calc.py\", \"symbol\": \"add\"}}"),
            // The unconstrained follow-up continues the prefilled fence with plain code.
            reply("def add(a, b):\n    return a + b\n```\nrambling"),
            reply("{\"action\": \"done\", \"args\": {\"summary\": \"fixed\"}}"),
        ],
    );
    cfg.tools = false; // the probe says: no native tool calling → envelope on
    let server = MockServer::start(cfg);
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out, _) = run(&dir, &server, &[]);
    assert!(ok, "{out}");
    let reqs = server.chat_requests();
    let schema = &reqs[0]["response_format"]["json_schema"]["schema"];
    assert_eq!(reqs[0]["response_format"]["type"], "json_schema");
    assert_eq!(
        schema["properties"]["action"]["enum"],
        serde_json::json!(["find_read", "edit", "create", "run", "done"])
    );
    // Only short arguments: the code-carrying ones are not in the envelope.
    let args = schema["properties"]["args"]["properties"]
        .as_object()
        .unwrap();
    let mut keys: Vec<&str> = args.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["command", "path", "query", "summary", "symbol"]);
    assert!(reqs[0]["max_tokens"].as_u64().unwrap() <= 160);
    assert!(reqs[0].get("tools").is_none());
    let follow = &reqs[2];
    assert!(
        follow.get("response_format").is_none(),
        "code is unconstrained"
    );
    let msgs = follow["messages"].as_array().unwrap();
    assert_eq!(msgs.last().unwrap()["content"], "```python\n");
    assert!(std::fs::read_to_string(dir.join("calc.py"))
        .unwrap()
        .contains("return a + b"));
}

// ---- the tools directly (deterministic file changes between calls) ----

fn toolbox(dir: &Path) -> Toolbox {
    let ws = Workspace::new(dir).unwrap();
    let gate = Gate {
        perms: Permissions::default(),
        free: Vec::new(),
        asker: None,
        root: dir.to_path_buf(),
        allowed_file: dir.with_extension("allowed"),
        trusted: true,
    };
    Toolbox::new(ws, gate, None, Duration::from_secs(30))
}

#[tokio::test]
async fn a_stale_or_unread_edit_is_refused_with_the_fresh_text() {
    let dir = project(&[("calc.py", CALC)]);
    let mut tb = toolbox(&dir);
    let r = tb
        .edit("calc.py", None, Some("return a - b"), "return a + b")
        .await;
    assert!(
        r.text.starts_with("refused: you have not read calc.py") && r.text.contains("return a - b"),
        "{}",
        r.text
    );
    assert!(!r.staged);
    // Read, then the user changes the file: the model's view is stale.
    tb.find_read("calc.py").await;
    crate::support::write_with_new_mtime(&dir.join("calc.py"), &CALC.replace("a * b", "b * a"));
    let r = tb
        .edit("calc.py", None, Some("return a - b"), "return a + b")
        .await;
    assert!(
        r.text
            .starts_with("refused: the file changed since you read calc.py")
            && r.text.contains("b * a"),
        "{}",
        r.text
    );
    // The refusal showed the fresh text, so the retry goes through (staged, file untouched).
    let r = tb
        .edit("calc.py", None, Some("return a - b"), "return a + b")
        .await;
    assert!(r.staged, "{}", r.text);
    assert!(
        r.text.starts_with("staged calc.py; checks pass"),
        "{}",
        r.text
    );
    assert!(std::fs::read_to_string(dir.join("calc.py"))
        .unwrap()
        .contains("return a - b"));
}

#[tokio::test]
async fn an_ambiguous_search_is_refused_with_the_candidates() {
    let src = "def f(x):\n    return x + 1\n\n\ndef g(x):\n    return x + 1\n";
    let dir = project(&[("m.py", src)]);
    let mut tb = toolbox(&dir);
    tb.find_read("m.py").await;
    let r = tb
        .edit("m.py", None, Some("return x + 1"), "return x + 2")
        .await;
    assert!(!r.staged);
    assert!(
        r.text.contains("matches 2 places")
            && r.text.contains("line 2")
            && r.text.contains("line 6"),
        "{}",
        r.text
    );
    // By symbol it is unambiguous.
    let r = tb
        .edit("m.py", Some("g"), None, "def g(x):\n    return x + 2\n")
        .await;
    assert!(r.staged, "{}", r.text);
    let staged = tb.ws.staged().values().next().unwrap().clone();
    assert_eq!(
        staged,
        "def f(x):\n    return x + 1\n\n\ndef g(x):\n    return x + 2\n"
    );
}

#[tokio::test]
async fn file_tools_are_confined_to_the_project() {
    let dir = project(&[("calc.py", CALC)]);
    let mut tb = toolbox(&dir);
    let r = tb.create("../evil.py", "x = 1\n").await;
    assert!(r.text.contains("outside the project"), "{}", r.text);
    let r = tb.find_read("/etc/passwd").await;
    assert!(!r.text.contains("root:"), "{}", r.text);
    let r = tb.create("calc.py", "x = 1\n").await;
    assert!(r.text.contains("exists: use edit"), "{}", r.text);
}

#[test]
fn constrained_envelope_goes_out_as_ollama_format() {
    let mut cfg = MockConfig::new(
        Flavor::Ollama,
        vec![
            reply("{\"action\": \"edit\", \"args\": {\"path\": \"calc.py\", \"symbol\": \"add\"}}"),
            reply("{\"action\": \"done\", \"args\": {\"summary\": \"nothing\"}}"),
        ],
    );
    cfg.tools = false;
    let server = MockServer::start(cfg);
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out, _) = run(
        &dir,
        &server,
        &["--provider", "ollama", "--no-repair-templates"],
    );
    assert!(!ok, "{out}");
    let reqs = server.chat_requests();
    assert_eq!(
        reqs[0]["format"]["properties"]["action"]["enum"][0], "find_read",
        "{}",
        reqs[0]
    );
    assert!(reqs[0].get("tools").is_none());
    // The unread file was refused before any code was asked for: no follow-up call.
    assert!(fed_back(&server)[1].contains("refused: you have not read calc.py"));
    // Then the harness's rounds: no envelope there (plain code, not JSON).
    assert!(reqs[1].get("format").is_some(), "{out}");
    assert!(reqs.len() > 2 && reqs[2].get("format").is_none(), "{out}");
}

#[test]
fn the_same_read_twice_in_a_row_gets_a_nudge_not_the_same_text() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("find_read", serde_json::json!({"query": "calc.py"})),
            call("find_read", serde_json::json!({"query": "calc.py"})),
            call(
                "edit",
                serde_json::json!({"path": "calc.py", "symbol": "add", "replace": "def add(a, b):\n    return a + b\n"}),
            ),
            call("done", serde_json::json!({"summary": "fixed"})),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let (ok, out, _) = run(&dir, &server, &[]);
    assert!(ok, "{out}");
    let fed = fed_back(&server);
    assert!(fed[2].starts_with("You just read this"), "{}", fed[2]);
    assert!(fed[3].contains("staged calc.py; checks pass"), "{}", fed[3]);
    // A whole-definition edit replaces the definition as written (docstring included).
    let calc = std::fs::read_to_string(dir.join("calc.py")).unwrap();
    assert!(
        calc.starts_with("def add(a, b):\n    return a + b\n"),
        "{calc}"
    );
}

#[test]
fn in_the_envelope_a_repeated_read_takes_find_read_out_of_the_next_grammar() {
    let mut cfg = MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("{\"action\": \"find_read\", \"args\": {\"query\": \"calc.py\"}}"),
            reply("{\"action\": \"find_read\", \"args\": {\"query\": \"calc.py\"}}"),
            reply("{\"action\": \"done\", \"args\": {\"summary\": \"x\"}}"),
        ],
    );
    cfg.tools = false;
    let server = MockServer::start(cfg);
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    run(&dir, &server, &[]);
    let enums: Vec<Value> = server
        .chat_requests()
        .iter()
        .map(|r| {
            r["response_format"]["json_schema"]["schema"]["properties"]["action"]["enum"].clone()
        })
        .collect();
    assert_eq!(enums[1][0], "find_read");
    assert_eq!(
        enums[2],
        serde_json::json!(["edit", "create", "run", "done"]),
        "after the nudge the model must act"
    );
}

#[test]
fn in_the_envelope_a_file_without_a_grammar_is_edited_by_search_replace() {
    let mut cfg = MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply("{\"action\": \"find_read\", \"args\": {\"query\": \"README.md\"}}"),
            reply(
                "{\"action\": \"edit\", \"args\": {\"path\": \"README.md\", \"symbol\": \"add\"}}",
            ),
            reply("<<<<<<< SEARCH\nAdds numbers.\n=======\nAdds two numbers.\n>>>>>>> REPLACE\n"),
            reply("{\"action\": \"done\", \"args\": {\"summary\": \"doc\"}}"),
        ],
    );
    cfg.tools = false;
    let server = MockServer::start(cfg);
    let dir = project(&[("README.md", "# Calc\n\nAdds numbers.\n")]);
    let (ok, out, _) = run(&dir, &server, &["--allow-unverified"]);
    assert!(ok, "{out}");
    let follow = &server.chat_requests()[2];
    let ask = follow["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ask.contains("<<<<<<< SEARCH"), "{ask}");
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "# Calc\n\nAdds two numbers.\n"
    );
}

#[tokio::test]
async fn a_symbol_edit_in_the_wrong_file_says_where_the_symbol_lives() {
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let mut tb = toolbox(&dir);
    tb.find_read("add").await;
    tb.find_read("test_calc.py").await;
    let r = tb
        .edit(
            "test_calc.py",
            Some("add"),
            None,
            "def add(a, b):\n    return a + b\n",
        )
        .await;
    assert!(!r.staged);
    assert!(
        r.text.contains("no definition `add` was replaced")
            && r.text.contains("`add` is defined in calc.py:1"),
        "{}",
        r.text
    );
}

/// A sink that keeps what is published to the quickfix list (`.0`) and the steps (`.1`).
#[derive(Default)]
struct Published(
    std::sync::Mutex<Vec<Vec<String>>>,
    std::sync::Mutex<Vec<String>>,
);

impl smallcode_agent::sink::Steps for Published {
    fn step(&self, text: &str) {
        self.1.lock().unwrap().push(text.to_string());
    }
    fn model_text(&self, _text: &str) {}
    fn errors(&self, _root: &Path, errors: &[smallcode_agent::check::Diagnostic]) {
        let list = errors.iter().map(|d| d.to_string()).collect();
        self.0.lock().unwrap().push(list);
    }
}

/// The `tools` format takes the editor's errors (quickfix entries) as the task's errors, and
/// publishes its checks' errors as the harness does: the syntax error an edit makes, then an
/// empty list once the checks pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tools_format_takes_quickfix_input_and_publishes_its_errors() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("find_read", serde_json::json!({"query": "calc.py"})),
            call(
                "edit",
                serde_json::json!({"path": "calc.py", "search": "    return a - b", "replace": "    return a +"}),
            ),
            call(
                "edit",
                serde_json::json!({"path": "calc.py", "search": "return a +", "replace": "return a + b"}),
            ),
            call("done", serde_json::json!({"summary": "fixed"})),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let client = crate::support::mock_client(server.url(), Some(true), None);
    let cfg = smallcode_agent::AgentConfig {
        trusted: true,
        errors: vec![smallcode_agent::check::Diagnostic {
            file: "calc.py".into(),
            line: Some(3),
            col: Some(12),
            message: "qf-error: add subtracts".into(),
        }],
        ..Default::default()
    };
    let published = Published::default();
    let report = smallcode_agent::tool_loop::run(
        dir.clone(),
        "Fix add in calc.py",
        &client,
        &cfg,
        &smallcode_agent::tool_loop::ToolOptions::default(),
        &published,
        &tokio_util::sync::CancellationToken::new(),
    )
    .await;
    assert!(report.passed, "{}", report.outcome);
    let fed = fed_back(&server);
    assert!(
        fed[0].contains("Errors now:\ncalc.py:3:12: qf-error: add subtracts"),
        "the quickfix entry is in the task: {}",
        fed[0]
    );
    let lists = published.0.lock().unwrap().clone();
    assert!(
        lists[0].iter().any(|e| e.contains("qf-error")),
        "the editor's errors are published first: {lists:?}"
    );
    assert!(
        lists.iter().any(|l| l
            .iter()
            .any(|e| e.starts_with("calc.py:3") && e.contains("SyntaxError"))),
        "the edit's syntax error is published: {lists:?}"
    );
    assert_eq!(
        lists.last(),
        Some(&Vec::new()),
        "cleared once checks pass: {lists:?}"
    );
}

/// One harness, two formats: when the tool loop's checks fail with the same error twice, the
/// next message names the failing definition (narrowing); when the loop ends with nothing to
/// land, the harness's rounds take over from the unchanged project — narrowed to that
/// definition, best of N (two candidates at once; the one that passes lands, verified).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_tool_loop_narrows_then_the_harness_takes_over_with_best_of_n() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("find_read", serde_json::json!({"query": "calc.py"})),
            call(
                "edit",
                serde_json::json!({"path": "calc.py", "search": "return a - b", "replace": "return a + c"}),
            ),
            call(
                "edit",
                serde_json::json!({"path": "calc.py", "search": "return a + c", "replace": "return a + c  # sum"}),
            ),
            call("done", serde_json::json!({"summary": "x"})),
            call("done", serde_json::json!({"summary": "x"})),
            // The harness's first round: two candidates at once.
            reply("    return a * b\n"),
            reply("    return a + b\n"),
        ],
    ));
    let dir = project(&[("calc.py", CALC), ("test_calc.py", TEST)]);
    let client = crate::support::mock_client(server.url(), Some(true), None);
    let cfg = smallcode_agent::AgentConfig {
        trusted: true,
        max_rounds: 1,
        candidates: Some(2),
        repair_templates: false,
        ..Default::default()
    };
    let seen = Published::default();
    let report = smallcode_agent::tool_loop::run(
        dir.clone(),
        "Fix add in calc.py",
        &client,
        &cfg,
        &smallcode_agent::tool_loop::ToolOptions::default(),
        &seen,
        &tokio_util::sync::CancellationToken::new(),
    )
    .await;
    assert!(report.passed, "{}", report.outcome);
    assert_eq!(report.verification, smallcode_agent::Verification::Verified);
    assert!(
        std::fs::read_to_string(dir.join("calc.py"))
            .unwrap()
            .contains("return a + b"),
        "the verified candidate is written"
    );
    let fed = fed_back(&server);
    assert!(
        fed[3].contains("The same error as before: it is in `add` (calc.py). Change only `add`."),
        "the second identical failure narrows: {}",
        fed[3]
    );
    let steps = seen.1.lock().unwrap().clone();
    assert!(
        steps.iter().any(|s| s.starts_with("tools: checks still fail; nothing applied; the harness takes over narrowed to `add` in calc.py")),
        "{steps:#?}"
    );
    assert!(
        steps
            .iter()
            .any(|s| s.contains("asking for 2 candidates at once")),
        "{steps:#?}"
    );
    assert_eq!(
        server.chat_requests().len(),
        7,
        "5 tool-loop calls + 2 candidates"
    );
    // The first candidate that passes wins; one still running is cancelled uncounted.
    assert!(report.candidates >= 1, "{}", report.candidates);
    assert!(report.decompositions >= 2, "{}", report.decompositions);
    assert!(report.tool_calls >= 5, "the tool loop's counts are kept");
}

/// The `tools` format searches the editor's persisted graph instead of indexing the project
/// again, sees the editor's unsaved text through it, and takes its own overlays (a staged edit,
/// a created file) off again when it is done: a rejected change never stays in the editor's graph.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_borrowed_graph_is_searched_and_gets_its_buffers_back() {
    use smallcode_core::graph::{DbLocation, Graph, GraphConfig};
    let dir = project(&[("calc.py", CALC)]);
    let cfg = GraphConfig {
        // In a directory of its own (the store git-ignores only a directory it makes).
        db: DbLocation::File(dir.with_extension("cache").join("graph.redb")),
        ..GraphConfig::default()
    };
    let g = Graph::open(&dir, cfg).unwrap();
    g.index(|_| {}).unwrap();
    // The editor's unsaved text: a definition the file on disk does not have.
    let typed = format!("{CALC}\n\ndef typed_by_user(x):\n    return x\n");
    g.update_buffer(&dir.join("calc.py"), &typed).unwrap();

    let mut tb = toolbox(&dir).with_graph(g.clone());
    let r = tb.find_read("typed_by_user").await;
    assert!(
        r.text.contains("typed_by_user") && r.text.contains("calc.py"),
        "found through the editor's graph (not on disk): {}",
        r.text
    );
    tb.find_read("calc.py").await;
    let r = tb
        .edit(
            "calc.py",
            None,
            Some("    return a * b\n"),
            "    return a * b\n\n\ndef staged_helper(x):\n    return x\n",
        )
        .await;
    assert!(r.staged, "{}", r.text);
    tb.create("extra.py", "def created_here():\n    return 1\n")
        .await;
    assert_eq!(
        g.definitions("staged_helper").len(),
        1,
        "overlaid while the run lasts"
    );
    assert_eq!(g.definitions("created_here").len(), 1);
    drop(tb);
    assert!(
        g.definitions("staged_helper").is_empty(),
        "the staged edit is taken off"
    );
    assert!(
        g.definitions("created_here").is_empty(),
        "the created file is gone"
    );
    assert_eq!(
        g.open_buffer(&dir.join("calc.py")).as_deref(),
        Some(typed.as_str()),
        "the editor's own buffer text is back"
    );
    assert_eq!(g.definitions("typed_by_user").len(), 1);
}
