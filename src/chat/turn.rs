//! One chat turn's prompt: the assembler's allocation turned into chat messages.
//!
//! Layout (KV-cache friendly, [`Layout::Stable`]), most stable first:
//! - system message: the system prompt and the project outline (byte-identical across turns),
//!   then the *working set* of code: the pieces shown in earlier turns, in the order they first
//!   appeared, followed by this turn's new pieces; then the compact record of older turns once
//!   history outgrows its share;
//! - earlier turns, each user message replayed exactly as it was sent (with its selection),
//!   and the reply;
//! - the new user message: the selection and tool output, the memory notes chosen for this
//!   message, then the message. The notes are chosen per message (by relevance), so they sit
//!   at the volatile end and are not replayed with the turn: a different choice next time
//!   changes nothing before this message.
//!
//! Earlier pieces are offered again first (oldest best), so they stay while they fit; when room
//! runs out the most recently added go first. New code therefore only ever joins at the end of
//! the working set, and turn N's prompt shares with turn N−1's everything up to the first new
//! piece — llama.cpp serves that prefix from its cache. [`Layout::Naive`] is the usual
//! alternative, kept for the `bench kv` comparison: each turn's context retrieved afresh, most
//! relevant first (the symbols the message names, then graph context by rank), in front of the
//! system prompt.

use std::collections::HashMap;

use smallcode_core::budget::{
    count_tokens, Assembler, Assembly, BudgetError, BudgetReport, Detail, Input, Piece, PieceKind,
    SectionKind, Turn,
};
use smallcode_llm::{Message, Role};

/// Where the per-turn context goes. See the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Stable prefix, sticky working set, append-only conversation (what the chat uses).
    Stable,
    /// Context retrieved afresh each turn, most relevant first, in front of the system prompt
    /// (benchmark baseline).
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
    /// The working set after the previous turn, in prompt order.
    pub working: &'a [Piece],
}

/// A turn ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The chat messages, system first.
    pub messages: Vec<Message>,
    /// The split, for `/budget`.
    pub report: BudgetReport,
    /// The text sent before the message in the new user message (selection, tool output);
    /// record it as the [`Turn`]'s `context` so the turn replays byte for byte.
    pub context: String,
    /// The working set after this turn, in prompt order (pass it to the next turn).
    pub working: Vec<Piece>,
    /// `max_tokens` to send: the configured cap within the reply reserve.
    pub max_tokens: u32,
    /// Estimator (cl100k) tokens of all message contents, for calibration.
    pub estimate: usize,
}

/// Score that ranks working-set pieces above any fresh candidate, oldest first.
const STICKY: f64 = 1e9;

/// Allocates the window and builds the messages for one turn.
pub fn prepare(
    asm: &mut Assembler,
    context: usize,
    plan: TurnPlan<'_>,
    layout: Layout,
    max_tokens: u32,
) -> Result<Prepared, BudgetError> {
    let sticky = if layout == Layout::Stable {
        plan.working
    } else {
        &[]
    };
    // The working set must stay a contiguous prefix: a hole in it breaks the cached prefix at
    // the hole, and younger pieces kept after it are wasted. So when the allocation leaves a
    // hole, retry with the younger pieces withdrawn (the freed room may let the hole piece in),
    // and if it still does not fit, cut the working set there.
    let mut keep = sticky.len();
    let mut tries = 0;
    loop {
        tries += 1;
        let (a, by_id, order) = allocate(asm, context, &plan, &sticky[..keep])?;
        let chosen: std::collections::HashSet<&str> = a
            .sections
            .iter()
            .filter(|s| matches!(s.kind, SectionKind::Piece(_)))
            .map(|s| s.id.as_str())
            .collect();
        let hole = sticky[..keep]
            .iter()
            .position(|w| !chosen.contains(w.id.as_str()));
        let younger_kept = hole.is_some_and(|h| {
            sticky[h + 1..keep]
                .iter()
                .any(|w| chosen.contains(w.id.as_str()))
        });
        match hole {
            Some(h) if younger_kept && tries < 3 => keep = if tries == 1 { h + 1 } else { h },
            _ => {
                return Ok(build(
                    a, &by_id, &order, plan.turns, plan.task, layout, max_tokens,
                ))
            }
        }
    }
}

type Allocation = (Assembly, HashMap<String, Piece>, HashMap<String, usize>);

/// One assembly with `working` offered first (oldest best), each with its one rendering.
fn allocate(
    asm: &mut Assembler,
    context: usize,
    plan: &TurnPlan<'_>,
    working: &[Piece],
) -> Result<Allocation, BudgetError> {
    let mut pieces = plan.pieces.clone();
    let mut order: HashMap<String, usize> = HashMap::new();
    for (i, w) in working.iter().enumerate() {
        order.insert(w.id.clone(), i);
        // Offered with the one rendering it had: kept byte for byte or left out, never
        // re-rendered at another detail in the middle of the cached prefix.
        let score = STICKY - i as f64;
        match pieces.iter_mut().find(|p| p.id == w.id) {
            Some(p) => {
                let kind = p.kind;
                *p = w.clone().with_kind(kind).with_score(score);
            }
            None => pieces.push(
                w.clone()
                    .with_kind(PieceKind::GraphContext)
                    .with_score(score),
            ),
        }
    }
    let by_id: HashMap<String, Piece> = pieces.iter().map(|p| (p.id.clone(), p.clone())).collect();
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
    Ok((a, by_id, order))
}

/// The piece with only the rendering that was shown.
fn only(p: &Piece, d: Detail) -> Piece {
    let mut p = p.clone();
    if d != Detail::Full {
        p.full = None;
    }
    if d != Detail::Signature {
        p.signature = None;
    }
    if d != Detail::Name {
        p.name = None;
    }
    p
}

fn build(
    a: Assembly,
    by_id: &HashMap<String, Piece>,
    order: &HashMap<String, usize>,
    turns: &[Turn],
    task: &str,
    layout: Layout,
    max_tokens: u32,
) -> Prepared {
    let mut fixed: Vec<&str> = Vec::new();
    let mut record: Vec<&str> = Vec::new();
    let mut memory: Vec<&str> = Vec::new();
    let mut history: Vec<&Turn> = Vec::new();
    let mut code: Vec<(&str, &str, Detail)> = Vec::new(); // (id, text, rendering)
    let mut tail: Vec<&str> = Vec::new();
    for s in &a.sections {
        match s.kind {
            SectionKind::System | SectionKind::Outline => fixed.push(&s.text),
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
            SectionKind::Piece(PieceKind::Memory) => memory.push(&s.text),
            SectionKind::Piece(PieceKind::Symbol | PieceKind::GraphContext) => {
                code.push((&s.id, &s.text, s.detail))
            }
            SectionKind::Piece(_) => tail.push(&s.text),
        }
    }
    let score = |id: &str| by_id.get(id).map_or(0.0, |p| p.score);
    match layout {
        // Working-set pieces in their old order, then new ones by place (ids start with the path).
        Layout::Stable => code.sort_by(|x, y| {
            let kx = order.get(x.0).copied().unwrap_or(usize::MAX);
            let ky = order.get(y.0).copied().unwrap_or(usize::MAX);
            kx.cmp(&ky).then_with(|| x.0.cmp(y.0))
        }),
        // Most relevant first, as retrieval-then-stuff prompts usually do: the symbols this
        // message names, then graph context by rank.
        Layout::Naive => code.sort_by(|x, y| {
            let named = |id: &str| by_id.get(id).is_some_and(|p| p.kind == PieceKind::Symbol);
            named(y.0)
                .cmp(&named(x.0))
                .then_with(|| score(y.0).total_cmp(&score(x.0)))
        }),
    }
    let working: Vec<Piece> = code
        .iter()
        .filter_map(|(id, _, d)| by_id.get(*id).map(|p| only(p, *d)))
        .collect();
    let code_block = (!code.is_empty()).then(|| {
        let texts: Vec<&str> = code.iter().map(|c| c.1).collect();
        format!("Code:\n{}", texts.join("\n\n"))
    });
    let memory_block = (!memory.is_empty()).then(|| format!("Notes:\n{}", memory.join("\n\n")));
    let context = tail.join("\n\n");
    let now = Turn {
        user: task.to_string(),
        context: context.clone(),
        ..Turn::default()
    };
    let mut sys: Vec<&str> = Vec::new();
    match layout {
        Layout::Stable => {
            sys.extend(&fixed);
            sys.extend(code_block.as_deref());
        }
        Layout::Naive => {
            sys.extend(code_block.as_deref());
            sys.extend(memory_block.as_deref());
            sys.extend(&fixed);
        }
    }
    sys.extend(&record);
    let mut messages = vec![Message::new(Role::System, sys.join("\n\n"))];
    for t in &history {
        messages.push(Message::new(Role::User, t.request()));
        messages.push(Message::new(Role::Assistant, t.assistant.clone()));
    }
    let last = match (layout, &memory_block) {
        (Layout::Stable, Some(notes)) => {
            let mut parts: Vec<&str> = Vec::new();
            if !context.is_empty() {
                parts.push(&context);
            }
            parts.push(notes);
            parts.push(task);
            parts.join("\n\n")
        }
        _ => now.request(),
    };
    messages.push(Message::new(Role::User, last));
    let estimate = messages.iter().map(|m| count_tokens(&m.content)).sum();
    let reserve = u32::try_from(a.report.reply_reserve).unwrap_or(u32::MAX);
    Prepared {
        messages,
        context,
        working: if layout == Layout::Stable {
            working
        } else {
            Vec::new()
        },
        max_tokens: max_tokens.min(reserve).max(1),
        estimate,
        report: a.report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smallcode_core::budget::BudgetConfig;

    fn code(id: &str, line: u32) -> Piece {
        let body: Vec<String> = (0..5).map(|i| format!("    let x{i} = {i};")).collect();
        Piece::code(
            PieceKind::GraphContext,
            "src/a.rs",
            id,
            (line, line + 6),
            &format!("fn {id}() {{\n{}\n}}", body.join("\n")),
            None,
        )
    }

    /// Runs a conversation where turn i is offered `offers[i]`; returns each turn's messages.
    fn converse(offers: &[Vec<Piece>], layout: Layout) -> Vec<Vec<Message>> {
        let mut asm = Assembler::new(BudgetConfig::default());
        let (mut turns, mut working, mut out) = (Vec::new(), Vec::new(), Vec::new());
        for (i, pieces) in offers.iter().enumerate() {
            let task = format!("question {i}");
            let p = prepare(
                &mut asm,
                8192,
                TurnPlan {
                    system: "You are a coding assistant.",
                    outline: Some("Project files:\nsrc: a.rs"),
                    task: &task,
                    pieces: pieces.clone(),
                    turns: &turns,
                    working: &working,
                },
                layout,
                256,
            )
            .expect("fits");
            out.push(p.messages.clone());
            turns.push(Turn {
                user: task.clone(),
                context: p.context,
                assistant: format!("answer {i}"),
                ..Turn::default()
            });
            working = p.working;
        }
        out
    }

    #[test]
    fn same_context_makes_each_prompt_extend_the_last() {
        let offer = vec![code("b", 20), code("a", 1)];
        let turns = converse(&[offer.clone(), offer.clone(), offer], Layout::Stable);
        for w in turns.windows(2) {
            let (prev, next) = (&w[0], &w[1]);
            assert_eq!(
                &next[..prev.len()],
                &prev[..],
                "turn N+1 starts with turn N's prompt"
            );
        }
        let sys = &turns[0][0].content;
        assert!(sys.starts_with("You are a coding assistant."), "{sys}");
        assert!(
            sys.find("fn a()") < sys.find("fn b()"),
            "new pieces by place"
        );
    }

    #[test]
    fn new_pieces_join_the_working_set_at_its_end() {
        let turns = converse(
            &[
                vec![code("b", 20)],
                vec![code("a", 1)],
                vec![code("c", 40), code("b", 20)],
            ],
            Layout::Stable,
        );
        let sys: Vec<&str> = turns.iter().map(|t| t[0].content.as_str()).collect();
        assert!(sys[1].starts_with(sys[0]), "b stays first, a is appended");
        assert!(sys[2].starts_with(sys[1]), "c is appended after b and a");
        assert!(sys[1].find("fn b()") < sys[1].find("fn a()"));
    }

    #[test]
    fn the_latest_pieces_give_way_first() {
        // A window that holds about two pieces: the oldest stays, the newest is replaced.
        let mut asm = Assembler::new(BudgetConfig::default());
        let big = |id: &str, line: u32| {
            let body = "    let value = compute(value, other_value);\n".repeat(30);
            Piece::code(
                PieceKind::GraphContext,
                "src/a.rs",
                id,
                (line, line + 31),
                &format!("fn {id}() {{\n{body}}}"),
                None,
            )
        };
        let working = vec![big("old", 1), big("newer", 100)];
        let p = prepare(
            &mut asm,
            1200,
            TurnPlan {
                system: "sys",
                outline: None,
                task: "next",
                pieces: vec![big("fresh", 200)],
                turns: &[],
                working: &working,
            },
            Layout::Stable,
            64,
        )
        .expect("fits");
        let ids: Vec<&str> = p.working.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids.first(), Some(&"src/a.rs::old@1"), "{ids:?}");
        assert!(
            !ids.contains(&"src/a.rs::fresh@200") || ids.len() == 3,
            "{ids:?}"
        );
    }

    #[test]
    fn working_set_stays_a_contiguous_prefix() {
        // Small, big, medium, medium: when a named symbol needs room, the big one must not be
        // skipped while the younger small ones stay (that would break the cached prefix at it).
        let sized = |id: &str, line: u32, n: usize| {
            let body = "    let value = compute(value, other_value);\n".repeat(n);
            Piece::code(
                PieceKind::GraphContext,
                "src/a.rs",
                id,
                (line, line + n as u32 + 1),
                &format!("fn {id}() {{\n{body}}}"),
                None,
            )
        };
        // As carried from the turn before: each with the one rendering it was shown at.
        let working: Vec<Piece> = [
            sized("w0", 1, 4),
            sized("w1", 100, 40),
            sized("w2", 200, 14),
            sized("w3", 300, 14),
        ]
        .iter()
        .map(|p| only(p, Detail::Full))
        .collect();
        let named = sized("named", 400, 30).with_kind(PieceKind::Symbol);
        for context in (1000..3200).step_by(40) {
            let mut asm = Assembler::new(BudgetConfig::default());
            let p = prepare(
                &mut asm,
                context,
                TurnPlan {
                    system: "sys",
                    outline: None,
                    task: "next",
                    pieces: vec![named.clone()],
                    turns: &[],
                    working: &working,
                },
                Layout::Stable,
                64,
            )
            .expect("fits");
            let kept: Vec<&str> = p
                .working
                .iter()
                .map(|w| w.id.as_str())
                .filter(|id| !id.contains("named"))
                .collect();
            let old: Vec<&str> = working.iter().map(|w| w.id.as_str()).collect();
            assert_eq!(kept, old[..kept.len()], "context {context}: {kept:?}");
        }
    }

    #[test]
    fn memory_goes_to_the_new_message_and_is_not_replayed() {
        let mut asm = Assembler::new(BudgetConfig::default());
        let note = Piece::text(PieceKind::Memory, "memory:1", "Tests run with pytest -q.");
        let p = prepare(
            &mut asm,
            8192,
            TurnPlan {
                system: "sys",
                outline: None,
                task: "how do I run the tests?",
                pieces: vec![code("a", 1), note],
                turns: &[],
                working: &[],
            },
            Layout::Stable,
            256,
        )
        .expect("fits");
        assert!(
            !p.messages[0].content.contains("pytest"),
            "not in the prefix"
        );
        let last = &p.messages.last().unwrap().content;
        assert_eq!(
            last,
            "Notes:\nTests run with pytest -q.\n\nhow do I run the tests?"
        );
        assert!(p.context.is_empty(), "the replayed turn carries no notes");
    }

    #[test]
    fn naive_layout_puts_context_before_the_system_prompt() {
        let turns = converse(&[vec![code("a", 1)], vec![code("b", 20)]], Layout::Naive);
        let sys = &turns[1][0].content;
        assert!(sys.starts_with("Code:\nsrc/a.rs:20-26\nfn b()"), "{sys}");
        assert!(!sys.contains("fn a()"), "naive retrieves afresh: {sys}");
        assert_eq!(
            turns[1].last().map(|m| m.content.as_str()),
            Some("question 1")
        );
    }
}
