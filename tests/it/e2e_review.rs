//! End-to-end (real headless Neovim, debug binary, scripted mock model, real python3): review
//! before a change lands (issue #14). The Lua halves are tests/lua/e2e/review_*.lua; Rust checks
//! what reached the model and the process's log.
//!
//! Review is on (no `auto_accept`), so every change goes to review whatever its verification
//! label; the tests do not depend on the label, nor on whether the project is trusted.

use crate::support::nvim;
use smallcode_testkit as mock_llm;

use std::path::{Path, PathBuf};
use std::time::Duration;

use mock_llm::{Flavor, MockConfig, MockServer, Step};
use serde_json::json;

const LIMIT: Duration = Duration::from_secs(180);

const CALC: &str = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n";

fn call(name: &str, args: serde_json::Value) -> Step {
    Step::ToolCall {
        name: name.to_string(),
        arguments_json_fragments: vec![args.to_string()],
    }
}

fn slow(pieces: &[&str], delay_ms: u64) -> Step {
    Step::Reply {
        pieces: pieces.iter().map(|s| s.to_string()).collect(),
        delay_ms,
    }
}

/// `calc.py` with its bug and no test: the checks pass before any edit, trusted or not.
fn bare_project(tag: &str) -> PathBuf {
    let dir = nvim::tempdir(tag);
    std::fs::write(dir.join("calc.py"), CALC).unwrap();
    dir
}

fn project(tag: &str) -> PathBuf {
    let dir = bare_project(tag);
    std::fs::write(
        dir.join("test_calc.py"),
        "from calc import add\nassert add(2, 3) == 5, add(2, 3)\n",
    )
    .unwrap();
    dir
}

fn run(script: &str, server: &MockServer, dir: &Path, extra: &[(&'static str, String)]) -> String {
    let mut env = vec![
        ("MOCK_URL", server.url()),
        ("PROJECT", dir.display().to_string()),
    ];
    env.extend(extra.iter().cloned());
    nvim::run_lua(script, &env, LIMIT).log
}

/// The user message of every chat request, in order.
fn prompts(server: &MockServer) -> Vec<String> {
    server
        .chat_requests()
        .iter()
        .map(|r| {
            r["messages"]
                .as_array()
                .and_then(|m| m.iter().find(|m| m["role"] == "user"))
                .and_then(|m| m["content"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn review_shows_hunks_and_accepting_one_of_two_lands_it_rechecks_and_keeps_the_other() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("find_read", json!({"query": "calc.py"})),
            call(
                "edit",
                json!({"path": "calc.py", "search": "return a - b", "replace": "return a + b"}),
            ),
            call(
                "edit",
                json!({"path": "calc.py", "search": "return a * b", "replace": "return b * a"}),
            ),
            call("done", json!({"summary": "fixed add, tidied mul"})),
        ],
    ));
    let dir = project("review-accept");
    let log = run("e2e/review_accept.lua", &server, &dir, &[]);
    assert!(
        log.contains("[review] re-check of change 1 (1 files"),
        "the accepted part was re-checked in Rust: {log}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("calc.py")).unwrap(),
        CALC,
        "nothing was written to disk"
    );
}

#[test]
fn reject_leaves_a_crlf_file_byte_identical() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("find_read", json!({"query": "dos.py"})),
            call(
                "edit",
                json!({"path": "dos.py", "search": "return a - b", "replace": "return a + b"}),
            ),
            call("done", json!({"summary": "fixed add"})),
        ],
    ));
    let dir = bare_project("review-crlf");
    let crlf = CALC.replace('\n', "\r\n");
    std::fs::write(dir.join("dos.py"), &crlf).unwrap();
    run("e2e/review_reject.lua", &server, &dir, &[]);
    assert_eq!(
        std::fs::read(dir.join("dos.py")).unwrap(),
        crlf.as_bytes(),
        "written back byte for byte after the reject"
    );
}

#[test]
fn typing_in_a_touched_unmodified_non_current_buffer_during_a_run_survives_the_landing() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![slow(&["    return", " a", " +", " b\n"], 300)],
    ));
    let dir = project("review-typing");
    std::fs::write(dir.join("other.py"), "X = 1\n").unwrap();
    run(
        "e2e/review_typing.lua",
        &server,
        &dir,
        &[("MODE", "top".into())],
    );
    let p = prompts(&server);
    assert!(
        !p[0].contains("# typed while the agent ran"),
        "the model read calc.py before the user typed: {}",
        p[0]
    );
}

#[test]
fn an_overlapping_user_edit_becomes_a_conflict_not_a_revert() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![slow(&["    return", " a", " +", " b\n"], 300)],
    ));
    let dir = project("review-conflict");
    std::fs::write(dir.join("other.py"), "X = 1\n").unwrap();
    run(
        "e2e/review_typing.lua",
        &server,
        &dir,
        &[("MODE", "overlap".into())],
    );
}

#[test]
fn undo_reverts_the_last_landed_change_set_in_both_files_then_the_one_before() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("find_read", json!({"query": "calc.py"})),
            call("find_read", json!({"query": "util.py"})),
            call(
                "edit",
                json!({"path": "calc.py", "search": "return a - b", "replace": "return a + b"}),
            ),
            call(
                "edit",
                json!({"path": "calc.py", "search": "return a * b", "replace": "return b * a"}),
            ),
            call(
                "edit",
                json!({"path": "util.py", "search": "return x", "replace": "return x + 0"}),
            ),
            call("done", json!({"summary": "three hunks in two files"})),
        ],
    ));
    let dir = project("review-undo");
    std::fs::write(dir.join("util.py"), "def ident(x):\n    return x\n").unwrap();
    run("e2e/review_undo.lua", &server, &dir, &[]);
}

#[test]
fn fix_on_a_range_sends_only_the_ranges_diagnostics_and_the_range() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            Step::text("    return a + b\n"),
            Step::text("    return b * a\n"),
            Step::text("    return a + b\n"),
        ],
    ));
    // No test: the second run (confined to `mul`) must not face a failing test of `add`.
    let dir = bare_project("review-range");
    let log = run("e2e/review_range.lua", &server, &dir, &[]);
    let p = prompts(&server);
    assert_eq!(p.len(), 3, "{p:#?}");
    assert!(
        p[0].contains("fake-lsp: inside the range"),
        "the range's diagnostic went along: {}",
        p[0]
    );
    assert!(
        !p[0].contains("fake-lsp: outside the range"),
        "a diagnostic outside the range did not: {}",
        p[0]
    );
    let calc = dir.join("calc.py").canonicalize().unwrap();
    assert!(
        log.contains(&format!("[agent] confined to {}:1-2", calc.display()))
            || log.contains(&format!(
                "[agent] confined to {}:1-2",
                dir.join("calc.py").display()
            )),
        "the range reached the agent: {log}"
    );
    assert!(
        log.contains("calc.py:5-6"),
        "<Plug>(SmallCodeFix) in normal mode sends the definition under the cursor: {log}"
    );
}

#[test]
fn a_message_sent_mid_stream_is_answered_after_the_current_reply() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            slow(&["first", " reply", " streams", " slowly"], 250),
            slow(&["second", " reply"], 5),
        ],
    ));
    let dir = project("review-queue");
    run("e2e/review_queue.lua", &server, &dir, &[]);
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 2, "both messages reached the model");
    let msgs = reqs[1]["messages"].as_array().unwrap();
    assert_eq!(
        msgs[msgs.len() - 2]["content"],
        "first reply streams slowly",
        "the first reply ran to its end before the queued message went out"
    );
    assert!(msgs[msgs.len() - 1]["content"]
        .as_str()
        .unwrap()
        .contains("queued question"));
}
