//! Real-model smoke test: the cached llama.cpp `llama-server` with SmolLM2-135M-Instruct, driven
//! from the real headless Neovim through the plugin. Runs whenever the cached build exists
//! (scripts/demo.sh or `scripts/deps.sh llama model` creates it) and must then pass; otherwise it
//! prints plainly that it did not run (scripts/test.sh repeats that in its summary).

#[path = "support/llama.rs"]
mod llama;
#[path = "support/nvim.rs"]
mod nvim;

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
