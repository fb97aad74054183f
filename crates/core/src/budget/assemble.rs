//! The allocator: fits whole pieces into a context window and lays them out stable-first.
//!
//! Policy, in order (documented for users in doc/budget.md, "Policy"):
//! 1. Reserve the reply ([`super::window::reply_reserve`]).
//! 2. Charge the fixed prefix: system prompt and tool schemas. If they alone overflow, fail.
//! 3. The project outline joins the prefix if it fits in its share, whole or not at all.
//! 4. First pass, in [`PieceKind::PRIORITY`] order: each kind takes pieces by descending score
//!    up to its share cap (the task is never capped), each piece at the most detailed rendering
//!    that fits — body, then signature, then name — or not at all. History is compacted first.
//! 5. Second pass: what is left upgrades stepped-down or dropped pieces, again in priority order.
//! 6. Layout: fixed prefix, outline, then kinds in [`PieceKind::LAYOUT`] order; code pieces sorted
//!    by place (path, line), history chronologically, others in input order. The same inputs
//!    always give byte-identical output.
//!
//! Invariant: the sum of the sections' tokens (calibrated, overheads included) never exceeds
//! context − reply reserve, and each section is exactly one rendering of one piece.

use std::fmt::Write as _;

use super::config::BudgetConfig;
use super::history::{self, Turn};
use super::piece::{Detail, Piece, PieceKind};
use super::tokens::{Calibration, TokenCache};
use super::window::reply_reserve;

/// What the allocator is given for one turn.
#[derive(Debug, Clone, Default)]
pub struct Input<'a> {
    /// The system prompt: keep it byte-identical across turns.
    pub system: &'a str,
    /// The tool schemas as they will be sent: keep them byte-identical across turns.
    pub tools: &'a str,
    /// A project outline for the stable prefix, if any.
    pub outline: Option<&'a str>,
    /// Every candidate piece except conversation history.
    pub pieces: Vec<Piece>,
    /// Finished turns, oldest first; compacted as needed.
    pub history: &'a [Turn],
}

/// Where a section comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// The system prompt.
    System,
    /// The tool schemas.
    Tools,
    /// The project outline.
    Outline,
    /// A piece of that kind.
    Piece(PieceKind),
}

/// One part of the assembled prompt, in prompt order.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Origin of the text.
    pub kind: SectionKind,
    /// The piece id (`system`, `tools`, `outline` for the fixed parts).
    pub id: String,
    /// Which rendering was used.
    pub detail: Detail,
    /// Exactly one rendering of the piece.
    pub text: String,
    /// Calibrated tokens charged, overhead included.
    pub tokens: usize,
}

/// A piece that was left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    /// The piece id (`outline`, `history:turn:N` for whole turns).
    pub id: String,
    /// Its kind, `None` for the outline.
    pub kind: Option<PieceKind>,
    /// Why, in words, e.g. `no room: smallest rendering 120 tokens, 40 left`.
    pub reason: String,
}

/// Use of one kind in the last assembly.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KindUse {
    /// Tokens taken, overheads included.
    pub used: usize,
    /// First-pass cap in tokens.
    pub cap: usize,
    /// Pieces shown whole.
    pub full: usize,
    /// Pieces shown as a signature.
    pub signature: usize,
    /// Pieces shown as a name.
    pub name: usize,
    /// Pieces left out.
    pub dropped: usize,
}

/// The split of one turn's window: what `/budget` shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BudgetReport {
    /// Context window in tokens.
    pub context: usize,
    /// Tokens kept for the reply (send as `max_tokens`).
    pub reply_reserve: usize,
    /// System prompt tokens.
    pub system: usize,
    /// Tool schema tokens.
    pub tools: usize,
    /// Outline tokens (0 if left out).
    pub outline: usize,
    /// Tokens left for pieces after reply, system and tools.
    pub free: usize,
    /// Per kind, in [`PieceKind::PRIORITY`] order.
    pub per_kind: Vec<(PieceKind, KindUse)>,
    /// Total prompt tokens (fixed + outline + pieces).
    pub prompt: usize,
    /// Pieces left out, with reasons.
    pub dropped: Vec<Dropped>,
    /// Pieces shown at less than their full rendering.
    pub stepped_down: Vec<(String, Detail)>,
    /// History turns kept verbatim / compacted / dropped.
    pub history_turns: (usize, usize, usize),
    /// Calibration ratio in use and how many server counts it is based on.
    pub calibration: (f64, u32),
    /// Safety margin in use.
    pub margin: f64,
}

impl BudgetReport {
    /// Use of `kind`.
    pub fn kind(&self, kind: PieceKind) -> &KindUse {
        &self
            .per_kind
            .iter()
            .find(|(k, _)| *k == kind)
            .expect("every kind is reported")
            .1
    }

    /// The `/budget` table: the split of the last turn, one line per part, then what was dropped.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Budget of the last turn: context {} tokens",
            self.context
        );
        let row = |s: &mut String, name: &str, n: usize, note: &str| {
            let _ = writeln!(s, "  {name:<14}{n:>7}  {note}");
        };
        row(&mut s, "reply reserve", self.reply_reserve, "");
        row(&mut s, "system prompt", self.system, "fixed");
        row(
            &mut s,
            "tool schemas",
            self.tools,
            if self.tools == 0 { "none" } else { "fixed" },
        );
        row(
            &mut s,
            "outline",
            self.outline,
            if self.outline == 0 {
                "left out"
            } else {
                "stable"
            },
        );
        for (kind, u) in &self.per_kind {
            let mut note = format!("cap {}", u.cap);
            if *kind == PieceKind::History {
                let (v, c, d) = self.history_turns;
                let _ = write!(note, "; turns {v} verbatim, {c} compacted, {d} dropped");
            } else if u.full + u.signature + u.name + u.dropped > 0 {
                let _ = write!(
                    note,
                    "; {} body, {} signature, {} name, {} dropped",
                    u.full, u.signature, u.name, u.dropped
                );
            }
            row(&mut s, kind.name(), u.used, &note);
        }
        let prompt_limit = self.context.saturating_sub(self.reply_reserve);
        row(&mut s, "prompt", self.prompt, &format!("of {prompt_limit}"));
        row(
            &mut s,
            "unused",
            prompt_limit.saturating_sub(self.prompt),
            "",
        );
        let (ratio, samples) = self.calibration;
        let calib = if samples == 0 {
            "initial guess".to_string()
        } else {
            format!("{samples} server counts")
        };
        let _ = writeln!(
            s,
            "Calibration: ×{ratio:.2} ({calib}), margin {:.0}%",
            self.margin * 100.0
        );
        if !self.stepped_down.is_empty() {
            let _ = writeln!(s, "Stepped down ({}):", self.stepped_down.len());
            for (id, d) in self.stepped_down.iter().take(12) {
                let _ = writeln!(s, "  {id}  shown as {d}");
            }
            if self.stepped_down.len() > 12 {
                let _ = writeln!(s, "  … {} more", self.stepped_down.len() - 12);
            }
        }
        if !self.dropped.is_empty() {
            let _ = writeln!(s, "Dropped ({}):", self.dropped.len());
            // The full list stays in `dropped`; the table shows the first ones.
            for d in self.dropped.iter().take(12) {
                let _ = writeln!(s, "  {}  {}", d.id, d.reason);
            }
            if self.dropped.len() > 12 {
                let _ = writeln!(s, "  … {} more", self.dropped.len() - 12);
            }
        }
        s
    }
}

/// The assembled prompt for one turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembly {
    /// Sections in prompt order.
    pub sections: Vec<Section>,
    /// The split, for `/budget` and logs.
    pub report: BudgetReport,
}

impl Assembly {
    /// The sections joined by blank lines: the flat prompt (for `/tokenize` checks and tests).
    pub fn prompt_text(&self) -> String {
        let parts: Vec<&str> = self.sections.iter().map(|s| s.text.as_str()).collect();
        parts.join("\n\n")
    }
}

/// Why assembly failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BudgetError {
    /// The system prompt and tool schemas alone do not fit beside the reply reserve.
    #[error("system prompt and tool schemas take {fixed} tokens but only {limit} fit beside the reply reserve")]
    FixedTooLarge {
        /// Tokens of system prompt plus tool schemas.
        fixed: usize,
        /// context − reply reserve.
        limit: usize,
    },
}

/// Holds the policy, the model's calibration and a token-count cache across turns.
#[derive(Debug, Clone)]
pub struct Assembler {
    cfg: BudgetConfig,
    calibration: Calibration,
    cache: TokenCache,
}

/// A piece under allocation: its chosen rendering and cost.
struct Slot {
    piece: Piece,
    order: usize,
    chosen: Option<(Detail, usize)>,
}

/// A rendering longer than this many bytes per token of room is not even counted: code
/// averages 3–4 bytes per cl100k token, so it would not fit. Skipping only ever leaves room
/// unused, never overfills, and it keeps assembly within its 20 ms on large candidate sets.
const MAX_BYTES_PER_TOKEN: usize = 8;

fn group(kind: PieceKind) -> usize {
    match kind {
        PieceKind::Task | PieceKind::Selection => 0,
        PieceKind::ToolOutput => 1,
        PieceKind::Symbol => 2,
        PieceKind::GraphContext => 3,
        PieceKind::History => 4,
        PieceKind::Memory => 5,
    }
}

impl Assembler {
    /// An assembler with `cfg` and an uncalibrated [`Calibration`] from its defaults.
    pub fn new(cfg: BudgetConfig) -> Self {
        let calibration = Calibration::new(cfg.initial_ratio, cfg.safety_margin);
        Self {
            cfg,
            calibration,
            cache: TokenCache::default(),
        }
    }

    /// The policy in use.
    pub fn config(&self) -> &BudgetConfig {
        &self.cfg
    }

    /// The model's calibration, to read.
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// The model's calibration, to feed server counts into.
    pub fn calibration_mut(&mut self) -> &mut Calibration {
        &mut self.calibration
    }

    /// Calibrated tokens of `text` plus the per-section overhead.
    pub fn cost(&mut self, text: &str) -> usize {
        self.calibration.to_model(self.cache.estimate(text)) + self.cfg.section_overhead
    }

    /// Assemble the prompt for a window of `context` tokens.
    pub fn assemble(&mut self, context: usize, input: Input<'_>) -> Result<Assembly, BudgetError> {
        let reply = reply_reserve(context, &self.cfg);
        let limit = context - reply;
        let system = self.cost(input.system);
        // No tools (plain chat): nothing is sent, nothing is charged.
        let tools = if input.tools.is_empty() {
            0
        } else {
            self.cost(input.tools)
        };
        if system + tools > limit {
            return Err(BudgetError::FixedTooLarge {
                fixed: system + tools,
                limit,
            });
        }
        let free = limit - system - tools;
        let mut left = free;
        let mut report = BudgetReport {
            context,
            reply_reserve: reply,
            system,
            tools,
            free,
            calibration: (self.calibration.ratio(), self.calibration.samples()),
            margin: self.calibration.margin(),
            ..BudgetReport::default()
        };

        let mut outline_section = None;
        if let Some(text) = input.outline {
            let c = self.cost(text);
            let cap = (free as f64 * self.cfg.shares.outline) as usize;
            if c <= cap {
                left -= c;
                report.outline = c;
                outline_section = Some(text);
            } else {
                let reason = format!("outline needs {c} tokens, its share is {cap}");
                tracing::debug!("[budget] dropping outline: {reason}");
                report.dropped.push(Dropped {
                    id: "outline".into(),
                    kind: None,
                    reason,
                });
            }
        }
        let after_fixed = left;

        // Candidates per kind, best score first (stable: equal scores keep input order).
        let mut slots: Vec<Vec<Slot>> = PieceKind::PRIORITY.iter().map(|_| Vec::new()).collect();
        for (order, piece) in input.pieces.into_iter().enumerate() {
            let k = PieceKind::PRIORITY
                .iter()
                .position(|&p| p == piece.kind)
                .expect("known kind");
            slots[k].push(Slot {
                piece,
                order,
                chosen: None,
            });
        }
        for s in &mut slots {
            s.sort_by(|a, b| b.piece.score.total_cmp(&a.piece.score));
        }
        // The same piece offered twice (a named symbol the graph also ranks) is shown once,
        // under the kind that comes first in priority order.
        let mut seen = std::collections::HashSet::new();
        for (k, &kind) in PieceKind::PRIORITY.iter().enumerate() {
            slots[k].retain(|slot| {
                if seen.insert(slot.piece.id.clone()) {
                    return true;
                }
                let reason = format!("{}: duplicate of a piece already offered", kind.name());
                tracing::debug!("[budget] dropping {}: {reason}", slot.piece.id);
                report.dropped.push(Dropped {
                    id: slot.piece.id.clone(),
                    kind: Some(kind),
                    reason,
                });
                false
            });
        }

        let caps: Vec<usize> = PieceKind::PRIORITY
            .iter()
            .map(|&k| {
                if k == PieceKind::Task {
                    after_fixed
                } else {
                    (after_fixed as f64 * self.cfg.shares.of(k)) as usize
                }
            })
            .collect();
        let mut group_used = [0usize; 6];
        let mut started = [false; 7];
        let mut history = history::Compacted::default();

        // First pass: in priority order, each kind up to its cap.
        for (k, &kind) in PieceKind::PRIORITY.iter().enumerate() {
            let cap_left = caps[k].saturating_sub(group_used[group(kind)]);
            if kind == PieceKind::History && !input.history.is_empty() {
                let room = cap_left.min(left).saturating_sub(self.cfg.group_overhead);
                history = self.compact(input.history, room);
                if !history.pieces.is_empty() {
                    let c = history.cost + self.cfg.group_overhead;
                    left -= c;
                    group_used[group(kind)] += c;
                    started[k] = true;
                }
            }
            for i in 0..slots[k].len() {
                let room = caps[k].saturating_sub(group_used[group(kind)]).min(left);
                let head = if started[k] {
                    0
                } else {
                    self.cfg.group_overhead
                };
                let mut pick = None;
                for d in Detail::STEPS {
                    let Some(text) = slots[k][i].piece.rendering(d) else {
                        continue;
                    };
                    if text.len() > room * MAX_BYTES_PER_TOKEN {
                        continue;
                    }
                    let c = self.cost(text);
                    if c + head <= room {
                        pick = Some((d, c));
                        break;
                    }
                }
                if let Some((d, c)) = pick {
                    slots[k][i].chosen = Some((d, c));
                    left -= c + head;
                    group_used[group(kind)] += c + head;
                    started[k] = true;
                }
            }
        }

        // Second pass: leftovers upgrade what was stepped down or left out, in priority order.
        for (k, &kind) in PieceKind::PRIORITY.iter().enumerate() {
            if kind == PieceKind::History && history.compacted + history.dropped > 0 && left > 0 {
                let had = if history.pieces.is_empty() {
                    0
                } else {
                    history.cost + self.cfg.group_overhead
                };
                let room = (had + left).saturating_sub(self.cfg.group_overhead);
                let more = self.compact(input.history, room);
                let now = if more.pieces.is_empty() {
                    0
                } else {
                    more.cost + self.cfg.group_overhead
                };
                let better = more.dropped < history.dropped
                    || (more.dropped == history.dropped && more.verbatim > history.verbatim);
                if better && now <= had + left {
                    left = left + had - now;
                    started[k] = !more.pieces.is_empty();
                    history = more;
                }
            }
            for i in 0..slots[k].len() {
                let current = slots[k][i].chosen;
                if matches!(current, Some((Detail::Full, _))) {
                    continue;
                }
                let (had, head) = match current {
                    Some((_, c)) => (c, 0),
                    None => (
                        0,
                        if started[k] {
                            0
                        } else {
                            self.cfg.group_overhead
                        },
                    ),
                };
                for d in Detail::STEPS {
                    if current.is_some_and(|(cd, _)| cd <= d) {
                        break;
                    }
                    let Some(text) = slots[k][i].piece.rendering(d) else {
                        continue;
                    };
                    if text.len() > (had + left) * MAX_BYTES_PER_TOKEN {
                        continue;
                    }
                    let c = self.cost(text);
                    if c + head <= had + left {
                        slots[k][i].chosen = Some((d, c));
                        left = left + had - c - head;
                        started[k] = true;
                        break;
                    }
                }
            }
        }

        // Report and layout.
        let mut sections = vec![
            Section {
                kind: SectionKind::System,
                id: "system".into(),
                detail: Detail::Full,
                text: input.system.into(),
                tokens: system,
            },
            Section {
                kind: SectionKind::Tools,
                id: "tools".into(),
                detail: Detail::Full,
                text: input.tools.into(),
                tokens: tools,
            },
        ];
        if let Some(text) = outline_section {
            sections.push(Section {
                kind: SectionKind::Outline,
                id: "outline".into(),
                detail: Detail::Full,
                text: text.into(),
                tokens: report.outline,
            });
        }
        for (k, &kind) in PieceKind::PRIORITY.iter().enumerate() {
            let mut u = KindUse {
                cap: caps[k],
                ..KindUse::default()
            };
            if started[k] {
                u.used += self.cfg.group_overhead;
            }
            if kind == PieceKind::History {
                u.used += history.cost;
                report.history_turns = (history.verbatim, history.compacted, history.dropped);
                if history.dropped > 0 {
                    let reason = format!(
                        "history: no room for even a compact record ({} turns)",
                        history.dropped
                    );
                    tracing::debug!("[budget] dropping history: {reason}");
                    report.dropped.push(Dropped {
                        id: "history".into(),
                        kind: Some(kind),
                        reason,
                    });
                }
            }
            for slot in &slots[k] {
                match slot.chosen {
                    Some((d, c)) => {
                        u.used += c;
                        match d {
                            Detail::Full => u.full += 1,
                            Detail::Signature => u.signature += 1,
                            Detail::Name => u.name += 1,
                        }
                        if d != Detail::Full {
                            tracing::debug!(
                                "[budget] {} shown as {d}: body does not fit",
                                slot.piece.id
                            );
                            report.stepped_down.push((slot.piece.id.clone(), d));
                        }
                    }
                    None => {
                        u.dropped += 1;
                        let smallest = Detail::STEPS
                            .iter()
                            .rev()
                            .find_map(|&d| slot.piece.rendering(d));
                        let reason = match smallest {
                            Some(t) => format!(
                                "{}: no room (smallest rendering {} tokens, {left} left)",
                                kind.name(),
                                self.cost(t)
                            ),
                            None => format!("{}: piece has no rendering", kind.name()),
                        };
                        tracing::debug!("[budget] dropping {}: {reason}", slot.piece.id);
                        report.dropped.push(Dropped {
                            id: slot.piece.id.clone(),
                            kind: Some(kind),
                            reason,
                        });
                    }
                }
            }
            report.per_kind.push((kind, u));
        }
        for &kind in &PieceKind::LAYOUT {
            let k = PieceKind::PRIORITY
                .iter()
                .position(|&p| p == kind)
                .expect("known kind");
            if kind == PieceKind::History {
                for p in &history.pieces {
                    let text = p.full.clone().unwrap_or_default();
                    let tokens = self.cost(&text);
                    sections.push(Section {
                        kind: SectionKind::Piece(kind),
                        id: p.id.clone(),
                        detail: Detail::Full,
                        text,
                        tokens,
                    });
                }
            }
            let mut chosen: Vec<&Slot> = slots[k].iter().filter(|s| s.chosen.is_some()).collect();
            match kind {
                PieceKind::Symbol | PieceKind::GraphContext => {
                    chosen.sort_by(|a, b| a.piece.layout_key().cmp(&b.piece.layout_key()))
                }
                _ => chosen.sort_by_key(|s| s.order),
            }
            for s in chosen {
                let (d, c) = s.chosen.expect("filtered");
                let text = s
                    .piece
                    .rendering(d)
                    .expect("chosen rendering exists")
                    .to_string();
                sections.push(Section {
                    kind: SectionKind::Piece(kind),
                    id: s.piece.id.clone(),
                    detail: d,
                    text,
                    tokens: c,
                });
            }
        }
        report.prompt = system
            + tools
            + report.outline
            + report.per_kind.iter().map(|(_, u)| u.used).sum::<usize>();
        debug_assert!(
            report.prompt <= limit,
            "prompt {} over limit {limit}",
            report.prompt
        );
        Ok(Assembly { sections, report })
    }

    fn compact(&mut self, turns: &[Turn], room: usize) -> history::Compacted {
        let keep = self.cfg.history_keep_last;
        history::compact(turns, room, keep, &mut |t| self.cost(t))
    }
}

#[cfg(test)]
#[path = "assemble_tests.rs"]
mod tests;
