//! Real-model tests: the cached llama.cpp `llama-server` with SmolLM2-135M-Instruct, driven from
//! the real headless Neovim through the plugin, from `smallcode run`, and asked for its own token
//! counts. They run whenever the cached build exists (scripts/demo.sh or
//! `scripts/deps.sh llama model` creates it) and must then pass; otherwise each prints plainly
//! that it did not run (scripts/test.sh repeats that in its last line).

use crate::support::llama;
use crate::support::nvim;
use crate::support::proc::OutputWithin;

use std::time::Duration;

use smallcode_core::budget::{count_tokens, Calibration};
use smallcode_llm::config::{ProviderKind, Timeouts};
use smallcode_llm::{Endpoint, LlmClient, ServerKind};

/// One `smallcode run` or hidden check against the real model: a hang catcher.
const RUN_LIMIT: Duration = Duration::from_secs(600);

#[test]
fn real_smollm2_answers_in_the_chat() {
    if let Err(why) = llama::cached() {
        println!("NOT RUN: real-model smoke test: {why}");
        eprintln!("NOT RUN: real-model smoke test: {why}");
        return;
    }
    let server = llama::start(2048).expect("llama-server starts");
    let run = nvim::run_lua(
        "e2e/real_model.lua",
        &[("MOCK_URL", server.url.clone())],
        Duration::from_secs(240),
    );
    println!("{}", run.stdout);
    assert!(run.stdout.contains("ok real_model"));
}

/// Issue #5: with the real small model, `smallcode run` completes a trivial fix end to end, and
/// the benchmark's hidden check agrees.
#[test]
fn real_smollm2_agent_fixes_a_name_error_end_to_end() {
    if let Err(why) = llama::cached() {
        println!("NOT RUN: real-model agent test: {why}");
        eprintln!("NOT RUN: real-model agent test: {why}");
        return;
    }
    let server = llama::start(4096).expect("llama-server starts");
    let task = nvim::repo().join("bench/tasks/py-t1-name-error");
    let work = nvim::tempdir("real-agent");
    for f in std::fs::read_dir(task.join("files")).unwrap().flatten() {
        std::fs::copy(f.path(), work.join(f.file_name())).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_smallcode"))
        .args(["run", "--trust", "--quiet", "--dir"])
        .arg(&work)
        .args(["--endpoint", &server.url, "--prompt-file"])
        .arg(task.join("prompt.md"))
        .output_within(RUN_LIMIT)
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{text}");
    assert!(
        out.status.success(),
        "agent failed:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = std::process::Command::new("bash")
        .arg(task.join("check"))
        .current_dir(&work)
        .env("TASK_DIR", &task)
        .output_within(RUN_LIMIT)
        .unwrap();
    assert!(
        check.status.success(),
        "hidden check: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Counts `content` with llama-server's own tokenizer, through the product's client (the same
/// HTTP stack and limits as the chat's exact count near the context limit).
async fn server_tokens(url: &str, content: &str) -> usize {
    let endpoint = Endpoint {
        kind: ServerKind::LlamaCpp,
        provider: ProviderKind::Openai,
        url: url.to_string(),
        model: String::new(),
        context: 0,
        context_probed: false,
        trained_context: None,
        tools: None,
        slots: None,
        source: "configured",
        models: vec![],
    };
    LlmClient::new(endpoint, Timeouts::default(), None)
        .tokenize(content)
        .await
        .expect("llama-server answers /tokenize")
}

/// The budget's calibration against the real tokenizer: after one sample, the calibrated count
/// of a different text covers the server's count (so a prompt planned with it fits).
#[tokio::test]
async fn calibration_against_llama_server() {
    if let Err(why) = llama::cached() {
        println!("NOT RUN: calibration against llama-server: {why}");
        eprintln!("NOT RUN: calibration against llama-server: {why}");
        return;
    }
    let server = llama::start(2048).expect("llama-server starts");
    let sample = include_str!("../../crates/core/src/budget/reduce.rs");
    let other = include_str!("../../crates/core/src/budget/assemble.rs");
    let mut cal = Calibration::new(1.0, 0.05);
    let real = server_tokens(&server.url, sample).await;
    cal.observe(count_tokens(sample), real);
    assert!(
        cal.ratio() > 0.5 && cal.ratio() < 3.0,
        "ratio {}",
        cal.ratio()
    );
    let real_other = server_tokens(&server.url, other).await;
    println!(
        "calibration: ratio {:.3} after one sample; other text: calibrated {} >= server {real_other}",
        cal.ratio(),
        cal.count(other)
    );
    assert!(
        cal.count(other) >= real_other,
        "calibrated {} < real {real_other}",
        cal.count(other)
    );
}
