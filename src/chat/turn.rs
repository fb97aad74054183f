//! One chat turn's prompt: the assembler's allocation turned into chat messages.
//!
//! Layout (KV-cache friendly, [`Layout::Stable`]): the conversation is append-only.
//! - system message: the system prompt and the project outline, byte-identical across turns
//!   (plus the compact record of older turns once history outgrows its share);
//! - earlier turns, each user message replayed exactly as it was sent (its code context
//!   included) and the reply;
//! - the new user message: code pieces not already visible in the turns above (memory notes,
//!   graph context, named symbols, the selection) and the message last.
//!
//! So turn N's prompt starts with turn N−1's prompt, and llama.cpp serves that prefix from its
//! cache. [`Layout::Naive`] is the usual alternative, kept for the `bench kv` comparison: the
//! context regenerated every turn in front of the system prompt, history as plain messages.

use std::collections::HashMap;

use crate::budget::{
    count_tokens, Assembler, Assembly, BudgetError, BudgetReport, Detail, Input, Piece, PieceKind,
    SectionKind, Turn,
};
use crate::llm::{Message, Role};

/// Where the per-turn context goes. See the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Append-only conversation, stable prefix first (what the chat uses).
    Stable,
    /// Context regenerated in front of the system prompt every turn (benchmark baseline).
    Naive,
}

/// What one turn is built from.
#[derive(Debug, Clone)]
pub struct TurnPlan<'a> {
    /// The system prompt (byte-identical across turns).
    pub system: &'a str,
    /// The project outline, if any (byte-identical across turns).
    pub outline: Option<&'a str>,
    /// The user's message.
    pub task: &'a str,
    /// Candidate pieces besides the task: selection, named symbols, graph context, memory.
    pub pieces: Vec<Piece>,
    /// Finished turns, oldest first.
    pub turns: &'a [Turn],
    /// For each finished turn, the ids of the pieces its context showed (body or signature).
    pub shown: &'a [Vec<String>],
}

/// A turn ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The chat messages, system first.
    pub messages: Vec<Message>,
    /// The split, for `/budget`.
    pub report: BudgetReport,
    /// The context part of the new user message (record it in the [`Turn`]).
    pub context: String,
    /// Ids of the pieces that context shows at body or signature detail.
    pub shown: Vec<String>,
    /// `max_tokens` to send: the configured cap within the reply reserve.
    pub max_tokens: u32,
    /// Estimator (cl100k) tokens of all message contents, for calibration.
    pub estimate: usize,
}

/// Heading of a kind's group in the user message (`None`: the piece speaks for itself).
fn heading(kind: PieceKind) -> Option<&'static str> {
    match kind {
        PieceKind::Memory => Some("Notes:"),
        PieceKind::GraphContext => Some("Related code:"),
        PieceKind::Symbol => Some("Code the message names:"),
        PieceKind::ToolOutput => Some("Tool output:"),
        _ => None,
    }
}

/// Allocates the window and builds the messages for one turn.
///
/// Pieces already shown by a turn that stays verbatim are not offered again (the model sees
/// them above); if the allocation compacts that turn, they are offered again.
pub fn prepare(
    asm: &mut Assembler,
    context: usize,
    plan: TurnPlan<'_>,
    layout: Layout,
    max_tokens: u32,
) -> Result<Prepared, BudgetError> {
    let mut shown_in: HashMap<&str, usize> = HashMap::new();
    if layout == Layout::Stable {
        for (i, ids) in plan.shown.iter().enumerate() {
            for id in ids {
                shown_in.insert(id, i);
            }
        }
    }
    let n = plan.turns.len();
    let mut visible_from = 0usize; // turns from this index on are assumed verbatim
    let mut assembly = None;
    for _ in 0..2 {
        let mut pieces: Vec<Piece> = plan
            .pieces
            .iter()
            .filter(|p| {
                shown_in
                    .get(p.id.as_str())
                    .is_none_or(|&t| t < visible_from)
            })
            .cloned()
            .collect();
        pieces.push(Piece::text(PieceKind::Task, "task", plan.task));
        let a = asm.assemble(
            context,
            Input {
                system: plan.system,
                tools: "",
                outline: plan.outline,
                pieces,
                history: plan.turns,
            },
        )?;
        let verbatim_from = n - a.report.history_turns.0;
        let done = verbatim_from <= visible_from || shown_in.is_empty();
        assembly = Some(a);
        if done {
            break;
        }
        visible_from = verbatim_from;
    }
    let a = assembly.expect("assembled at least once");
    Ok(build(a, plan.turns, plan.task, layout, max_tokens))
}

fn build(a: Assembly, turns: &[Turn], task: &str, layout: Layout, max_tokens: u32) -> Prepared {
    let mut fixed: Vec<&str> = Vec::new();
    let mut record: Vec<&str> = Vec::new();
    let mut history: Vec<&Turn> = Vec::new();
    let mut context = String::new();
    let mut shown = Vec::new();
    let mut last_kind = None;
    for s in &a.sections {
        match s.kind {
            SectionKind::System | SectionKind::Outline => {
                if !s.text.is_empty() {
                    fixed.push(&s.text)
                }
            }
            SectionKind::Tools => {}
            SectionKind::Piece(PieceKind::History) => {
                match s
                    .id
                    .strip_prefix("history:turn:")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| turns.get(i.wrapping_sub(1)))
                {
                    Some(t) => history.push(t),
                    None => record.push(&s.text),
                }
            }
            SectionKind::Piece(PieceKind::Task) => {}
            SectionKind::Piece(kind) => {
                if !context.is_empty() {
                    context.push_str("\n\n");
                }
                if last_kind != Some(kind) {
                    if let Some(h) = heading(kind) {
                        context.push_str(h);
                        context.push('\n');
                    }
                    last_kind = Some(kind);
                }
                context.push_str(&s.text);
                if s.detail != Detail::Name && s.id.contains("::") {
                    shown.push(s.id.clone());
                }
            }
        }
    }
    let mut messages = Vec::new();
    let join = |parts: &[&str]| parts.join("\n\n");
    match layout {
        Layout::Stable => {
            let mut sys = fixed.clone();
            sys.extend(&record);
            messages.push(Message::new(Role::System, join(&sys)));
            for t in &history {
                messages.push(Message::new(Role::User, t.request()));
                messages.push(Message::new(Role::Assistant, t.assistant.clone()));
            }
            let now = Turn {
                user: task.to_string(),
                context: context.clone(),
                ..Turn::default()
            };
            messages.push(Message::new(Role::User, now.request()));
        }
        Layout::Naive => {
            let mut sys: Vec<&str> = Vec::new();
            if !context.is_empty() {
                sys.push(&context);
            }
            sys.extend(&fixed);
            sys.extend(&record);
            messages.push(Message::new(Role::System, join(&sys)));
            for t in &history {
                messages.push(Message::new(Role::User, t.user.clone()));
                messages.push(Message::new(Role::Assistant, t.assistant.clone()));
            }
            messages.push(Message::new(Role::User, task.to_string()));
        }
    }
    let estimate = messages.iter().map(|m| count_tokens(&m.content)).sum();
    let reserve = u32::try_from(a.report.reply_reserve).unwrap_or(u32::MAX);
    Prepared {
        messages,
        context: if layout == Layout::Stable {
            context
        } else {
            String::new()
        },
        shown,
        max_tokens: max_tokens.min(reserve).max(1),
        estimate,
        report: a.report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::BudgetConfig;

    fn code(id: &str, n: usize) -> Piece {
        let body: Vec<String> = (0..n).map(|i| format!("    let x{i} = {i};")).collect();
        Piece::code(
            PieceKind::GraphContext,
            "src/a.rs",
            id,
            (1, n as u32 + 2),
            &format!("fn {id}() {{\n{}\n}}", body.join("\n")),
            None,
        )
    }

    fn plan<'a>(
        task: &'a str,
        pieces: Vec<Piece>,
        turns: &'a [Turn],
        shown: &'a [Vec<String>],
    ) -> TurnPlan<'a> {
        TurnPlan {
            system: "You are a coding assistant.",
            outline: Some("Project files:\nsrc: a.rs"),
            task,
            pieces,
            turns,
            shown,
        }
    }

    /// Runs `tasks` as a conversation with the same candidate pieces; returns each turn's
    /// messages.
    fn converse(tasks: &[&str], pieces: Vec<Piece>, layout: Layout) -> Vec<Vec<Message>> {
        let mut asm = Assembler::new(BudgetConfig::default());
        let (mut turns, mut shown, mut out) = (Vec::new(), Vec::new(), Vec::new());
        for task in tasks {
            let p = prepare(
                &mut asm,
                8192,
                plan(task, pieces.clone(), &turns, &shown),
                layout,
                256,
            )
            .expect("fits");
            out.push(p.messages.clone());
            turns.push(Turn {
                user: task.to_string(),
                context: p.context,
                assistant: format!("answer to {task}"),
                ..Turn::default()
            });
            shown.push(p.shown);
        }
        out
    }

    #[test]
    fn stable_layout_is_append_only() {
        let turns = converse(
            &["explain a", "and b?", "thanks"],
            vec![code("a", 5), code("b", 5)],
            Layout::Stable,
        );
        for w in turns.windows(2) {
            let (prev, next) = (&w[0], &w[1]);
            assert_eq!(
                &next[..prev.len()],
                &prev[..],
                "turn N+1 starts with turn N's prompt"
            );
        }
        let first_user = &turns[0][1].content;
        assert!(first_user.contains("Related code:") && first_user.ends_with("explain a"));
        assert_eq!(
            turns[1].last().map(|m| m.content.as_str()),
            Some("and b?"),
            "pieces shown in an earlier turn are not repeated"
        );
    }

    #[test]
    fn naive_layout_puts_context_before_the_system_prompt() {
        let turns = converse(&["explain a", "and b?"], vec![code("a", 5)], Layout::Naive);
        let sys = &turns[1][0].content;
        assert!(sys.starts_with("Related code:"), "{sys}");
        assert_eq!(turns[1].last().map(|m| m.content.as_str()), Some("and b?"));
    }

    #[test]
    fn compacted_turns_no_longer_hide_their_pieces() {
        let mut asm = Assembler::new(BudgetConfig::default());
        let long = "word ".repeat(400);
        let turns: Vec<Turn> = (0..8)
            .map(|i| Turn {
                user: format!("question {i}"),
                assistant: long.clone(),
                context: if i == 0 {
                    code("a", 5).full.unwrap()
                } else {
                    String::new()
                },
                ..Turn::default()
            })
            .collect();
        let mut shown = vec![Vec::new(); 8];
        shown[0] = vec![code("a", 5).id];
        let p = prepare(
            &mut asm,
            4096,
            plan("again", vec![code("a", 5)], &turns, &shown),
            Layout::Stable,
            256,
        )
        .expect("fits");
        assert!(p.report.history_turns.1 > 0, "history was compacted");
        assert!(
            p.context.contains("fn a()"),
            "piece of a compacted turn is offered again: {}",
            p.context
        );
    }
}
