//! End-to-end: the real headless Neovim, the plugin from this checkout, the debug `smallcode`
//! binary, and a scripted mock model server (crates/testkit/src/lib.rs). Each case pairs a mock
//! script (Rust) with a Lua script in tests/lua/e2e/ that drives `:SmallCode` and checks the chat
//! buffer; Rust then checks what reached the server.

use crate::support::nvim;
use smallcode_testkit as mock_llm;

use std::time::Duration;

use mock_llm::{Flavor, MockConfig, MockServer, Step};

/// The limit of one script: a hang catcher (the Lua waits have their own, `t.LIMIT`).
const LIMIT: Duration = Duration::from_secs(180);

fn reply(pieces: &[&str]) -> Step {
    Step::Reply {
        pieces: pieces.iter().map(|s| s.to_string()).collect(),
        delay_ms: 5,
    }
}

fn env(server: &MockServer, provider: &str) -> Vec<(&'static str, String)> {
    vec![
        ("MOCK_URL", server.url()),
        ("MOCK_PROVIDER", provider.to_string()),
    ]
}

#[test]
fn chat_streams_reply_over_sse_and_keeps_history() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply(&["Hello", " from", " mock\nline", " two"]),
            reply(&["second", " reply"]),
        ],
    ));
    nvim::run_lua("e2e/chat_stream.lua", &env(&server, "openai"), LIMIT);
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 2, "two chat requests");
    assert_eq!(reqs[0]["stream"], true);
    assert!(
        reqs[0]["max_tokens"].as_u64().is_some(),
        "max_tokens is always sent"
    );
    let roles: Vec<_> = reqs[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].clone())
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "user"],
        "history is sent back"
    );
    assert_eq!(
        reqs[1]["messages"][2]["content"],
        "Hello from mock\nline two"
    );
    assert_eq!(reqs[1]["messages"][3]["content"], "again");
}

#[test]
fn chat_streams_reply_over_ollama_ndjson_with_num_ctx() {
    let server = MockServer::start(MockConfig::new(
        Flavor::Ollama,
        vec![
            reply(&["Hello", " from", " mock\nline", " two"]),
            reply(&["second", " reply"]),
        ],
    ));
    nvim::run_lua("e2e/chat_stream.lua", &env(&server, "ollama"), LIMIT);
    let reqs = server.requests();
    let chat: Vec<_> = reqs.iter().filter(|r| r.path == "/api/chat").collect();
    assert_eq!(
        chat.len(),
        2,
        "requests went to Ollama's native /api/chat: {reqs:?}"
    );
    // A short prompt + the 1024-token reply reserve of a 4096 window, rounded up to 2048 (each
    // change of num_ctx makes Ollama reload the model), capped at the probed context.
    assert_eq!(
        chat[0].body["options"]["num_ctx"], 2048,
        "num_ctx = prompt + reply reserve, rounded"
    );
    assert!(chat[0].body["options"]["num_predict"].as_u64().is_some());
}

#[test]
fn stop_cancels_mid_stream_and_drops_the_http_request() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            Step::Stall {
                pieces: vec!["partial answer".into()],
            },
            reply(&["after cancel"]),
        ],
    ));
    // The disconnect is observed while Neovim and its process still run: the Lua script stops
    // the reply, then waits for our signal, so only the stop can have closed the connection
    // (its watchdogs are set far beyond this wait).
    let signals = nvim::tempdir("cancel-signals");
    let mut e = env(&server, "openai");
    e.push(("SIGNALS", signals.display().to_string()));
    let script = std::thread::spawn(move || nvim::run_lua("e2e/cancel.lua", &e, LIMIT));
    // Less than the Lua side's wait for the signal (150 s), so that a stop that does not drop
    // the request fails here, with this test's own message.
    let dropped = server.wait_disconnects(1, Duration::from_secs(90));
    let running = !script.is_finished();
    std::fs::write(signals.join("disconnect-seen"), "").unwrap();
    let joined = script.join();
    assert!(dropped, "the stalled HTTP request was dropped");
    if let Err(panic) = joined {
        // The script's own failure says more than "Neovim had exited".
        std::panic::resume_unwind(panic);
    }
    assert!(
        running,
        "the server saw the disconnect only after Neovim had exited"
    );
}

#[test]
fn every_server_fault_ends_in_an_error_line_and_the_next_message_works() {
    let ok = |i: usize| reply(&[&format!("recovered {i}")]);
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            Step::StallBeforeFirst,
            ok(1),
            Step::Stall {
                pieces: vec!["some".into(), " text".into()],
            },
            ok(2),
            Step::Drop {
                pieces: vec!["half".into()],
            },
            ok(3),
            Step::Status {
                code: 503,
                body:
                    r#"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#
                        .into(),
            },
            ok(4),
            Step::Status {
                code: 500,
                body: r#"{"error":{"message":"boom"}}"#.into(),
            },
            ok(5),
            Step::Garbage {
                body: "<html>502 Bad Gateway</html>\n".into(),
            },
            ok(6),
            Step::MidStreamError {
                pieces: vec!["par".into()],
                message: "out of memory".into(),
            },
            ok(7),
        ],
    ));
    nvim::run_lua("e2e/faults.lua", &env(&server, "openai"), LIMIT);
    assert_eq!(server.chat_requests().len(), 14);
}

#[test]
fn malformed_calls_are_refused_naming_the_field_and_the_process_keeps_working() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(&["still", " here"])],
    ));
    nvim::run_lua("e2e/malformed.lua", &env(&server, "openai"), LIMIT);
    assert_eq!(
        server.chat_requests().len(),
        1,
        "only the valid message reached the model"
    );
}

#[test]
fn killed_process_is_restarted_and_in_flight_turn_reports_error() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            Step::Stall {
                pieces: vec!["PIECE-1".into()],
            },
            reply(&["alive again"]),
        ],
    ));
    nvim::run_lua("e2e/restart.lua", &env(&server, "openai"), LIMIT);
}

#[test]
fn zero_config_discovery_picks_the_first_answering_server() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(&["found you"])],
    ));
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut e = env(&server, "");
    e.push((
        "SMALLCODE_DISCOVER",
        format!("ollama=http://127.0.0.1:{dead},llamacpp={}", server.url()),
    ));
    nvim::run_lua("e2e/discovery.lua", &e, LIMIT);
}

#[test]
fn no_server_found_lists_the_ports_tried() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = vec![(
        "SMALLCODE_DISCOVER",
        format!("ollama=http://127.0.0.1:{dead},lmstudio=http://127.0.0.1:{dead},llamacpp=http://127.0.0.1:{dead}"),
    )];
    nvim::run_lua("e2e/no_server.lua", &e, LIMIT);
}

#[test]
fn unknown_model_lists_the_servers_models() {
    let server = MockServer::start(MockConfig::new(Flavor::Ollama, vec![]));
    nvim::run_lua("e2e/unknown_model.lua", &env(&server, "ollama"), LIMIT);
    assert!(
        server.chat_requests().is_empty(),
        "no chat request for an unknown model"
    );
}

#[test]
fn lm_studio_loaded_context_is_probed() {
    let mut cfg = MockConfig::new(Flavor::LmStudio, vec![reply(&["hi from lm studio"])]);
    cfg.n_ctx = 6144;
    let server = MockServer::start(cfg);
    let mut e = env(&server, "");
    e.push(("EXPECT_WINBAR", "LM Studio · mock-model · ctx 6144".into()));
    nvim::run_lua("e2e/probe_winbar.lua", &e, LIMIT);
}

#[test]
fn fix_command_lands_a_verified_edit_as_one_undoable_buffer_change() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(&["    return a + b\n"])],
    ));
    let dir = nvim::tempdir("agent-project");
    std::fs::write(
        dir.join("calc.py"),
        "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("test_calc.py"),
        "from calc import add\nassert add(2, 3) == 5, add(2, 3)\n",
    )
    .unwrap();
    let mut e = env(&server, "openai");
    e.push(("PROJECT", dir.display().to_string()));
    nvim::run_lua("e2e/agent_fix.lua", &e, LIMIT);
    let body = server.chat_requests()[0]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        body.contains("# unsaved note"),
        "the model saw the unsaved buffer text: {body}"
    );
}

#[test]
fn fix_command_never_lands_an_answer_that_only_fools_the_example() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply(&["    n = len(s)\n    return n >= 0\n"]),
            reply(&["    t = s.replace(' ', '').lower()\n    return t == t[::-1]\n"]),
        ],
    ));
    let dir = nvim::tempdir("probe-project");
    std::fs::write(
        dir.join("words.py"),
        "def is_palindrome(s):\n    t = s.lower()\n    return t == t[::-1]\n",
    )
    .unwrap();
    let mut e = env(&server, "openai");
    e.push(("PROJECT", dir.display().to_string()));
    nvim::run_lua("e2e/agent_probe.lua", &e, LIMIT);
}

#[test]
fn checkhealth_reports_binary_ping_endpoint_model_and_context() {
    let server = MockServer::start(MockConfig::new(Flavor::LlamaCpp, vec![]));
    nvim::run_lua("e2e/health.lua", &env(&server, "openai"), LIMIT);
}

#[test]
fn graph_command_fills_the_quickfix_list_with_definition_and_callers() {
    let dir = nvim::tempdir("graph-project");
    std::fs::write(
        dir.join("calc.py"),
        "def add(a, b):\n    return a + b\n\n\ndef total(xs):\n    return add(xs[0], xs[1])\n",
    )
    .unwrap();
    nvim::run_lua(
        "e2e/graph.lua",
        &[("PROJECT", dir.display().to_string())],
        LIMIT,
    );
    assert!(
        !dir.join(".smallcode").exists(),
        "the graph database lives in the user's cache, never under the project's .smallcode/"
    );
}

#[test]
fn chat_sends_named_code_from_the_live_buffer_and_budget_shows_the_split() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply(&["mock", " answer"])],
    ));
    let dir = nvim::tempdir("chat-budget-project");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(
        dir.join("calc.py"),
        "def add(a, b):\n    return a + b\n\n\ndef total(xs):\n    return add(xs[0], xs[1])\n",
    )
    .unwrap();
    let mut e = env(&server, "openai");
    e.push(("PROJECT", dir.display().to_string()));
    nvim::run_lua("e2e/chat_budget.lua", &e, LIMIT);
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 1, "/budget never reaches the model");
    let system = reqs[0]["messages"][0]["content"].as_str().unwrap_or("");
    assert!(
        system.contains("calc.py:1-2\ndef add(a, b):\n    return a + b  # UNSAVED"),
        "the named function, from the unsaved buffer: {system}"
    );
    assert_eq!(
        reqs[0]["messages"][1]["content"],
        "why does `add` ignore negative numbers?"
    );
}
