//! Slash commands typed in the chat input (`/budget`, `/stats`, `/clear`, `/help`).
//!
//! They are answered by smallcode itself and never sent to the model. A message is a command
//! when its first word is `/` followed by letters only, so a path such as `/usr/lib/x` still
//! goes to the model.

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
        "forget this chat's history (the next turn starts fresh)",
    ),
    ("help", "list these commands"),
];

/// A parsed slash command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/budget`
    Budget,
    /// `/stats`
    Stats,
    /// `/clear`
    Clear,
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
    Some(match name.to_ascii_lowercase().as_str() {
        "budget" => Command::Budget,
        "stats" => Command::Stats,
        "clear" => Command::Clear,
        "help" => Command::Help,
        _ => Command::Unknown(name.to_string()),
    })
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
