//! Spine benchmark: `cargo bench --bench spine`. Prints the figures issue #2 asks for, measured
//! in the real headless Neovim against the scripted mock streaming at 500 tokens/s:
//! rpc ping round trip, 1 ms timer jitter idle vs while streaming (side by side, same run), and
//! the Rust process's idle RSS. Figures are recorded in doc/spine.md.

#[path = "../tests/it/support/nvim.rs"]
mod nvim;
#[path = "../tests/it/support/proc.rs"]
mod proc;

use smallcode_testkit as mock_llm;

use std::time::Duration;

use mock_llm::{Flavor, MockConfig, MockServer, Step};

fn main() {
    // 5,000 "tokens" at 500 tokens/s: a 10 s stream, lines of ~12 words.
    let text: String = (0..5000)
        .map(|i| {
            if i % 12 == 11 {
                format!("w{i}\n")
            } else {
                format!("w{i} ")
            }
        })
        .collect();
    let server = MockServer::start(MockConfig::new(
        Flavor::LlamaCpp,
        vec![Step::ReplyRate {
            text,
            tokens_per_sec: 500,
        }],
    ));
    let run = nvim::run_script(
        &nvim::repo().join("benches/lua/spine.lua"),
        &[
            ("MOCK_URL", server.url()),
            ("SMALLCODE_LOG_LEVEL", "info".into()),
        ],
        Duration::from_secs(180),
    );
    println!("spine benchmark (release binary, headless Neovim, mock at 500 tok/s)");
    for line in run.stdout.lines() {
        println!("  {line}");
    }
}
