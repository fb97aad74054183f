//! Real-model smoke test: the cached llama.cpp `llama-server` with SmolLM2-135M-Instruct, driven
//! from the real headless Neovim through the plugin. Runs whenever the cached build exists
//! (scripts/demo.sh or `scripts/deps.sh llama model` creates it) and must then pass; otherwise it
//! prints plainly that it did not run (scripts/test.sh repeats that in its summary).

use crate::support::llama;
use crate::support::nvim;

use std::time::Duration;

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
        .output()
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
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "hidden check: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}
