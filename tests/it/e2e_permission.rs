//! End-to-end (real headless Neovim, debug binary, scripted mock model, real python3): the
//! `tools` edit format asking the user before running a command (`vim.ui.select`, stubbed in
//! tests/lua/e2e/agent_permission.lua to answer "always" once, then "no"), the read-before-write
//! guard seeing a buffer change the user made during the run (`b:changedtick`), and what the
//! model was told.

use crate::support::nvim;
use smallcode_testkit as mock_llm;

use std::time::Duration;

use mock_llm::{Flavor, MockConfig, MockServer, Step};
use serde_json::json;

fn call(name: &str, args: serde_json::Value) -> Step {
    Step::ToolCall {
        name: name.to_string(),
        arguments_json_fragments: vec![args.to_string()],
    }
}

#[test]
fn run_permission_is_asked_with_vim_ui_select_and_a_buffer_changed_meanwhile_refuses_the_edit() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            call("run", json!({"command": "echo one"})),
            call("run", json!({"command": "echo one"})),
            call("find_read", json!({"query": "calc.py"})),
            // While this question is open the user edits calc.py in the editor.
            call("run", json!({"command": "echo two"})),
            call(
                "edit",
                json!({"path": "calc.py", "search": "return a - b", "replace": "return a + b"}),
            ),
            call(
                "edit",
                json!({"path": "calc.py", "search": "return a - b", "replace": "return a + b"}),
            ),
            call("done", json!({"summary": "fixed add"})),
        ],
    ));
    let dir = nvim::tempdir("permission-project");
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
    let env = vec![
        ("MOCK_URL", server.url()),
        ("PROJECT", dir.display().to_string()),
    ];
    nvim::run_lua("e2e/agent_permission.lua", &env, Duration::from_secs(180));
    let fed: Vec<String> = server
        .chat_requests()
        .iter()
        .map(|r| {
            r["messages"]
                .as_array()
                .and_then(|m| m.last())
                .and_then(|m| m["content"].as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert!(
        fed[1].contains("exit 0") && fed[1].contains("one"),
        "{}",
        fed[1]
    );
    assert!(
        fed[4].contains("denied: the user declined `echo two`"),
        "{}",
        fed[4]
    );
    assert!(
        fed[5].contains("refused: the file changed since you read calc.py")
            && fed[5].contains("# user note"),
        "the stale edit is refused with the buffer's fresh text: {}",
        fed[5]
    );
    assert!(fed[6].contains("staged calc.py; checks pass"), "{}", fed[6]);
    assert!(
        std::fs::read_to_string(dir.join("calc.py"))
            .unwrap()
            .contains("return a - b"),
        "the edit landed as a buffer change, not a file write"
    );
}
