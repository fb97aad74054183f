//! The user's own tools (issue #15): a Lua tool is offered to the model in the `tools` format,
//! called with the model's arguments, and its result and its error come back to the model.

use std::time::Duration;

use crate::support::nvim;
use smallcode_testkit::{Flavor, MockConfig, MockServer, Step};

fn call(name: &str, args: serde_json::Value) -> Step {
    Step::ToolCall {
        name: name.into(),
        arguments_json_fragments: vec![args.to_string()],
    }
}

#[test]
fn a_lua_user_tool_is_called_with_the_models_arguments_and_its_error_returns_to_the_model() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("shout", serde_json::json!({"text": "hi"})),
            call("shout", serde_json::json!({"text": "boom"})),
            call("today", serde_json::json!({})),
            call("done", serde_json::json!({"summary": "nothing to change"})),
        ],
    ));
    let dir = nvim::tempdir("user-tools");
    std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a - b\n").unwrap();
    // Plugin files a repository could ship: never loaded (tools come only from setup()).
    std::fs::create_dir_all(dir.join(".smallcode")).unwrap();
    let plant = "vim.g.smallcode_planted = true\nreturn { planted = { description = 'planted', run = function() return 'x' end } }\n";
    std::fs::write(dir.join(".smallcode/tools.lua"), plant).unwrap();
    std::fs::write(dir.join(".nvim.lua"), plant).unwrap();
    std::fs::write(dir.join(".smallcode.lua"), plant).unwrap();
    nvim::run_lua(
        "e2e/user_tools.lua",
        &[
            ("MOCK_URL", server.url()),
            ("PROJECT", dir.display().to_string()),
        ],
        Duration::from_secs(90),
    );
    let reqs = server.chat_requests();
    let tools = reqs[0]["tools"].to_string();
    assert!(
        tools.contains("\"shout\"") && tools.contains("Upper-case a text"),
        "{tools}"
    );
    assert!(
        !tools.contains("planted"),
        "a project file added a tool: {tools}"
    );
    let second = reqs[1]["messages"].to_string();
    assert!(second.contains("HI"), "the result went back: {second}");
    let third = reqs[2]["messages"].to_string();
    assert!(
        third.contains("error: shout failed") && third.contains("no boom allowed"),
        "the error went back: {third}"
    );
    assert!(
        tools.contains("\"today\"") && tools.contains("The date today"),
        "a tool without parameters is offered: {tools}"
    );
    let fourth = reqs[3]["messages"].to_string();
    assert!(
        fourth.contains("the 4th"),
        "called without arguments: {fourth}"
    );
}

fn reply(text: &str) -> Step {
    Step::Reply {
        pieces: text.split_inclusive(' ').map(str::to_string).collect(),
        delay_ms: 2,
    }
}

#[test]
fn a_user_command_sends_its_prompt_or_its_run_result_and_a_nil_result_sends_nothing() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![reply("explained."), reply("asked.")],
    ));
    let dir = nvim::tempdir("user-commands");
    std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a - b\n").unwrap();
    nvim::run_lua(
        "e2e/user_commands.lua",
        &[
            ("MOCK_URL", server.url()),
            ("PROJECT", dir.display().to_string()),
        ],
        Duration::from_secs(90),
    );
    let reqs = server.chat_requests();
    assert_eq!(reqs.len(), 2, "/mark sent nothing: {reqs:?}");
    let last_user = |r: &serde_json::Value| {
        r["messages"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
            .map(|m| m["content"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let first = last_user(&reqs[0]);
    assert!(
        first.contains("Explain recursion in one sentence.") && !first.contains("/explain"),
        "the template, filled in: {first}"
    );
    let second = last_user(&reqs[1]);
    assert!(
        second.contains("About calc.py: why the sign?"),
        "run's text: {second}"
    );
    let all = serde_json::Value::Array(reqs).to_string();
    assert!(!all.contains("/mark"), "{all}");
}
