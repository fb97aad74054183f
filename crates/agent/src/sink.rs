//! Where the agent reports its steps: the chat in Neovim, stdout in headless mode.

/// Receives the visible steps of a run (tool called, one-line result, diff summary).
pub trait Steps: Send + Sync {
    /// A harness step (`check: py_compile ok`, `staged calc.py: +1 -1`).
    fn step(&self, text: &str);
    /// Streamed model text.
    fn model_text(&self, text: &str);
    /// The improvement loop's current errors (paths relative to `root`, the real project
    /// root), so an editor can publish them (quickfix list); empty once the checks pass.
    fn errors(&self, _root: &std::path::Path, _errors: &[super::check::Diagnostic]) {}
}

/// Prints the transcript to stdout (headless `smallcode run`).
pub struct Stdout {
    /// Also print streamed model text (off for quiet benchmark runs).
    pub show_model: bool,
}

impl Steps for Stdout {
    fn step(&self, text: &str) {
        println!("» {text}");
    }
    fn model_text(&self, text: &str) {
        if self.show_model {
            use std::io::Write;
            print!("{text}");
            let _ = std::io::stdout().flush();
        }
    }
}

/// Discards everything (benchmark trials running in parallel).
pub struct Quiet;

impl Steps for Quiet {
    fn step(&self, _: &str) {}
    fn model_text(&self, _: &str) {}
}
