//! Slash commands typed in the chat input (`/budget`, `/stats`, `/clear`, `/memory`, `/help`,
//! and the editor's own: `/model`, `/resume`, `/undo`, `/fix`, `/graph`).
//!
//! They are answered by smallcode itself and never sent to the model. A message is a command
//! when its first word is `/` followed by letters only, so a path such as `/usr/lib/x` still
//! goes to the model. The editor's commands act on Neovim (switching the model, reopening a
//! chat, undoing a change, running the agent, the graph's quickfix list): the Lua chat runs
//! them itself and they reach this process only when typed where it could not.

use std::fmt::Write as _;

use smallcode_agent::report::Report;
use smallcode_core::budget::BudgetReport;

/// The commands, with the one-line help `/help` and the Lua palette show.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "budget",
        "token split of the last turn: system, task, selection, symbols, graph, history, memory, reply",
    ),
    (
        "stats",
        "the last agent run and session totals: rounds, tokens, cache, tools, repairs, checks",
    ),
    (
        "clear",
        "start a new chat (this one stays listed by /resume)",
    ),
    (
        "memory",
        "project notes for the model: /memory add TEXT, /memory list, /memory forget N, /memory accept|dismiss (a proposed note)",
    ),
    ("model", "list the server's models and switch (/model NAME)"),
    ("resume", "reopen a saved chat of this project (/resume last)"),
    ("undo", "revert the last landed change set"),
    ("fix", "let the agent fix TEXT in the current file (as :SmallCode fix)"),
    ("graph", "definitions, callers and callees of NAME in the quickfix list"),
    ("help", "list these commands"),
];

/// The commands the editor runs itself (see the module docs).
pub const EDITOR_COMMANDS: &[&str] = &["model", "resume", "undo", "fix", "graph"];

/// What `/memory` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoryAction {
    /// `/memory add TEXT`
    Add(String),
    /// `/memory list` (and `/memory` alone)
    List,
    /// `/memory forget N`
    Forget(String),
    /// `/memory accept`: writes the note the agent proposed after a run (src/chat/learn.rs).
    Accept,
    /// `/memory dismiss`: drops it (it is not proposed again).
    Dismiss,
    /// Anything else: the usage.
    Usage,
}

/// A parsed slash command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/budget`
    Budget,
    /// `/stats`
    Stats,
    /// `/clear`
    Clear,
    /// `/memory add|list|forget`
    Memory(MemoryAction),
    /// One of [`EDITOR_COMMANDS`], typed where the editor did not run it.
    Editor(String),
    /// `/help`
    Help,
    /// `/something` else: answered with the list, not sent to the model.
    Unknown(String),
}

/// The command in `text`, or `None` when it is a message for the model.
pub fn parse(text: &str) -> Option<Command> {
    let first = text.split_whitespace().next()?;
    let name = first.strip_prefix('/')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let rest = text.trim_start()[first.len()..].trim();
    Some(match lower.as_str() {
        "budget" => Command::Budget,
        "stats" => Command::Stats,
        "clear" => Command::Clear,
        "help" => Command::Help,
        "memory" => Command::Memory(memory_action(rest)),
        n if EDITOR_COMMANDS.contains(&n) => Command::Editor(lower),
        _ => Command::Unknown(name.to_string()),
    })
}

fn memory_action(rest: &str) -> MemoryAction {
    let (verb, arg) = match rest.split_once(char::is_whitespace) {
        Some((v, a)) => (v, a.trim()),
        None => (rest, ""),
    };
    match verb {
        "" | "list" if arg.is_empty() => MemoryAction::List,
        "add" => MemoryAction::Add(arg.to_string()),
        "forget" => MemoryAction::Forget(arg.to_string()),
        "accept" | "yes" if arg.is_empty() => MemoryAction::Accept,
        "dismiss" | "no" if arg.is_empty() => MemoryAction::Dismiss,
        _ => MemoryAction::Usage,
    }
}

/// Runs a `/memory` command for the project at `root`; the text to show.
pub fn run_memory(root: &std::path::Path, action: &MemoryAction) -> String {
    let line = |r: Result<String, String>| match r {
        Ok(s) | Err(s) => format!("{s}\n"),
    };
    match action {
        MemoryAction::Add(text) => line(super::memory::add(root, text)),
        MemoryAction::List => super::memory::list(root),
        MemoryAction::Forget(n) => line(super::memory::forget(root, n)),
        // A proposal belongs to the chat's session: `Chats::command` answers these.
        MemoryAction::Accept | MemoryAction::Dismiss | MemoryAction::Usage => {
            "usage: /memory add TEXT | /memory list | /memory forget N | /memory accept | /memory dismiss\n"
                .to_string()
        }
    }
}

/// Running totals of a chat session, over plain turns and agent runs.
#[derive(Debug, Clone, Default)]
pub struct SessionStats {
    /// Plain chat turns answered.
    pub chat_turns: u32,
    /// Agent runs.
    pub agent_runs: u32,
    /// Summed counters (rounds, tokens, cached tokens, tool calls, repairs, decompositions,
    /// escalations, checks) of every turn and run.
    pub totals: Report,
    /// Replies stopped because they started repeating themselves.
    pub loops_stopped: u32,
}

impl SessionStats {
    /// Adds one plain chat turn's usage.
    pub fn add_chat(&mut self, usage: &smallcode_llm::client::Completion) {
        self.chat_turns += 1;
        self.totals.add_counts(&Report {
            rounds: 1,
            tokens_in: usage.usage.prompt_tokens.unwrap_or(0),
            tokens_out: usage.usage.completion_tokens.unwrap_or(0),
            cached_tokens: usage.usage.cached_tokens.unwrap_or(0),
            ..Report::default()
        });
    }

    /// Adds one agent run.
    pub fn add_agent(&mut self, r: &Report) {
        self.agent_runs += 1;
        self.totals.add_counts(r);
    }
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The counter lines shared by the last run and the session totals.
fn counters(out: &mut String, r: &Report) {
    let _ = writeln!(
        out,
        "  tool calls {}, repairs {}, decompositions {}, escalations {}, checks {}",
        r.tool_calls, r.repairs, r.decompositions, r.escalations, r.checks
    );
}

/// The `/stats` text.
pub fn render_stats(last: Option<&Report>, s: &SessionStats) -> String {
    let mut out = String::new();
    match last {
        Some(r) => {
            let _ = writeln!(
                out,
                "Last agent run: {} ({})",
                if r.passed { "passed" } else { "not finished" },
                r.outcome
            );
            let _ = writeln!(
                out,
                "  rounds {}, tokens in {} (cached {}, {}), out {}, {:.1} s",
                r.rounds,
                r.tokens_in,
                r.cached_tokens,
                pct(r.cached_tokens, r.tokens_in),
                r.tokens_out,
                r.wall_ms as f64 / 1000.0
            );
            counters(&mut out, r);
            if !r.changed.is_empty() {
                let _ = writeln!(out, "  changed: {}", r.changed.join(", "));
            }
        }
        None => out.push_str("Last agent run: none in this chat\n"),
    }
    let _ = writeln!(
        out,
        "Session: {} chat turns, {} agent runs",
        s.chat_turns, s.agent_runs
    );
    let t = &s.totals;
    let _ = writeln!(
        out,
        "  rounds {}, tokens in {} (cached {}, {}), out {}",
        t.rounds,
        t.tokens_in,
        t.cached_tokens,
        pct(t.cached_tokens, t.tokens_in),
        t.tokens_out
    );
    counters(&mut out, t);
    if s.loops_stopped > 0 {
        let _ = writeln!(
            out,
            "  replies stopped for repeating themselves: {}",
            s.loops_stopped
        );
    }
    out
}

/// The `/budget` text.
pub fn render_budget(last: Option<&BudgetReport>) -> String {
    match last {
        Some(r) => r.render(),
        None => "No turn yet in this chat: /budget shows the split of the last one.\n".into(),
    }
}

/// The `/help` text.
pub fn render_help() -> String {
    let mut s = String::from("Commands (answered by smallcode, never sent to the model):\n");
    for (name, what) in COMMANDS {
        let _ = writeln!(s, "  /{name:<8}{what}");
    }
    s.push_str("In a message: #buffer #file:PATH #symbol:NAME #diagnostics #quickfix #selection\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_but_not_paths_or_prose() {
        assert_eq!(parse("/budget"), Some(Command::Budget));
        assert_eq!(parse("  /STATS please"), Some(Command::Stats));
        assert_eq!(parse("/clear"), Some(Command::Clear));
        assert_eq!(parse("/help"), Some(Command::Help));
        assert_eq!(parse("/frob"), Some(Command::Unknown("frob".into())));
        assert_eq!(
            parse("/memory add  tests run with pytest -q"),
            Some(Command::Memory(MemoryAction::Add(
                "tests run with pytest -q".into()
            )))
        );
        assert_eq!(parse("/memory"), Some(Command::Memory(MemoryAction::List)));
        assert_eq!(
            parse("/memory forget 2"),
            Some(Command::Memory(MemoryAction::Forget("2".into())))
        );
        assert_eq!(
            parse("/memory accept"),
            Some(Command::Memory(MemoryAction::Accept))
        );
        assert_eq!(
            parse("/memory dismiss"),
            Some(Command::Memory(MemoryAction::Dismiss))
        );
        assert_eq!(
            parse("/memory frob"),
            Some(Command::Memory(MemoryAction::Usage))
        );
        assert_eq!(parse("/model"), Some(Command::Editor("model".into())));
        assert_eq!(parse("/usr/lib/libc.so is missing"), None);
        assert_eq!(parse("why does /budget fail"), None);
        assert_eq!(parse("/"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn stats_sum_agent_runs() {
        let mut s = SessionStats::default();
        let r = Report {
            passed: true,
            rounds: 3,
            tokens_in: 1000,
            tokens_out: 50,
            cached_tokens: 800,
            tool_calls: 2,
            repairs: 1,
            checks: 2,
            outcome: "checks pass".into(),
            ..Report::default()
        };
        s.add_agent(&r);
        s.add_agent(&r);
        let text = render_stats(Some(&r), &s);
        assert!(
            text.contains("Last agent run: passed (checks pass)"),
            "{text}"
        );
        assert!(
            text.contains("rounds 6, tokens in 2000 (cached 1600, 80%), out 100"),
            "{text}"
        );
        assert!(text.contains("tool calls 4, repairs 2, decompositions 0, escalations 0, checks 4"));
    }

    #[test]
    fn help_lists_every_command() {
        let h = render_help();
        for (name, _) in COMMANDS {
            assert!(h.contains(&format!("/{name}")));
        }
    }
}
