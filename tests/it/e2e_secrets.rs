//! Keys never reach the log file or a saved chat (issue #15, SECURITY.md): a key set in the
//! environment (a secret-named variable) and the LLM key (read through `api_key_env` from a
//! variable whose name says nothing) are pasted by the user, repeated by the model and printed
//! by the project's tests during a chat and a fix run in real Neovim with the mock; then the log
//! (at trace level, request bodies included) and every file of the data directory (the chat
//! database, memory, trust) are grepped for them.

use std::path::Path;
use std::time::Duration;

use crate::support::nvim;
use smallcode_testkit::{Flavor, MockConfig, MockServer, Step};

const ENV_KEY: &str = "sc-test-7f3a9b2c1d0e4455aa";
const LLM_KEY: &str = "llmcred-90ab12cd34ef56";

fn reply(text: &str) -> Step {
    Step::Reply {
        pieces: text.split_inclusive(' ').map(str::to_string).collect(),
        delay_ms: 2,
    }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_with(dir: &Path, needle: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    out.push(p.display().to_string());
                }
            }
        }
    }
    out
}

#[test]
fn a_key_in_the_environment_never_reaches_the_log_or_a_saved_chat() {
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![
            reply(&format!(
                "It prints {ENV_KEY} because the test reads it; your key {LLM_KEY} is fine."
            )),
            Step::Reply {
                pieces: vec!["    return a + b\n".into()],
                delay_ms: 2,
            },
            reply(&format!("You are welcome ({ENV_KEY}).")),
        ],
    ));
    let dir = nvim::tempdir("secrets");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a - b\n").unwrap();
    std::fs::write(
        dir.join("test_calc.py"),
        "import os\nprint('token:', os.environ.get('SMALLCODE_TEST_API_KEY'))\nfrom calc import add\nassert add(2, 3) == 5, add(2, 3)\n",
    )
    .unwrap();
    let data = nvim::tempdir("secrets-data");
    let run = nvim::run_lua(
        "e2e/secrets.lua",
        &[
            ("MOCK_URL", server.url()),
            ("PROJECT", dir.display().to_string()),
            ("XDG_DATA_HOME", data.display().to_string()),
            ("SMALLCODE_TEST_API_KEY", ENV_KEY.to_string()),
            ("MYLLM_CRED", LLM_KEY.to_string()),
            ("SMALLCODE_LOG_LEVEL", "trace".to_string()),
        ],
        Duration::from_secs(120),
    );
    // The run did what the test relies on: the tests printed the key, requests were logged.
    assert!(
        run.log.contains("[llm] -> body"),
        "request bodies are logged at trace"
    );
    for key in [ENV_KEY, LLM_KEY] {
        assert!(
            !run.log.contains(key),
            "{key} is in the log:\n{}",
            run.log
                .lines()
                .filter(|l| l.contains(key))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let leaks = files_with(&data, key);
        assert!(leaks.is_empty(), "{key} is in {leaks:?}");
    }
    assert!(
        !files_with(&data, "[REDACTED]").is_empty(),
        "the saved chat holds the marker where the keys were"
    );
    // What went to the model: the tests' output is redacted on its way (the model's own echo
    // and the user's paste are the conversation, and stay in it).
    let fix = server.chat_requests()[1].to_string();
    assert!(
        fix.contains("token: [REDACTED]"),
        "the tests' output, redacted: {fix}"
    );
    assert!(
        !fix.contains(&format!("token: {ENV_KEY}")),
        "the test output reached the model: {fix}"
    );
}
