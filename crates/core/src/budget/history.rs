//! History compaction: old turns become a compact record, the last turns stay verbatim.
//!
//! The record is built deterministically from what the agent already knows about each turn
//! (files it touched, errors still open at its end, the first sentence of request and answer);
//! no model call, so it costs nothing and is byte-identical for the same turns. Turns are kept
//! or dropped whole.

use super::piece::{Piece, PieceKind};

/// One finished conversation turn, as the agent records it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Turn {
    /// The user's message.
    pub user: String,
    /// Context sent with the message in the same user message, before it (code pieces, the
    /// selection), exactly as sent: replaying it byte for byte keeps the server's KV cache valid.
    /// Empty when none.
    pub context: String,
    /// The model's final answer (tool calls already folded into `files`/`errors`).
    pub assistant: String,
    /// Files read or edited during the turn, in first-touch order.
    pub files: Vec<String>,
    /// Errors still open when the turn ended (failed build/test lines), empty if it went green.
    pub errors: Vec<String>,
}

impl Turn {
    /// The verbatim rendering of this turn.
    pub fn verbatim(&self) -> String {
        format!(
            "User: {}\nAssistant: {}",
            self.request().trim_end(),
            self.assistant.trim_end()
        )
    }

    /// The user message as sent: the context, a blank line, then the message.
    pub fn request(&self) -> String {
        if self.context.is_empty() {
            self.user.clone()
        } else {
            format!("{}\n\n{}", self.context, self.user)
        }
    }
}

/// Result of [`compact`]: the history pieces in chronological order and what happened.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Compacted {
    /// The compact record (if any) followed by the verbatim turns, oldest first.
    pub pieces: Vec<Piece>,
    /// Turns kept verbatim.
    pub verbatim: usize,
    /// Turns folded into the record.
    pub compacted: usize,
    /// Turns dropped entirely because not even the smallest record fitted.
    pub dropped: usize,
    /// Total cost of `pieces` as measured by the caller's cost function.
    pub cost: usize,
}

/// First sentence (or line) of `s`, at most `max` chars, shortened at a word with `…`.
fn gist(s: &str, max: usize) -> String {
    let s = s.trim();
    let end = s
        .char_indices()
        .find(|&(i, c)| {
            c == '\n' || (matches!(c, '.' | '!' | '?') && s[i + 1..].starts_with([' ', '\n']))
        })
        .map_or(s.len(), |(i, c)| if c == '\n' { i } else { i + 1 });
    let first = &s[..end];
    if first.chars().count() <= max {
        return first.to_string();
    }
    let cut: String = first.chars().take(max).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}

/// How much of the record to show; shrunk step by step until it fits.
#[derive(Clone, Copy)]
struct Detail {
    decisions: usize,
    errors: usize,
    files: usize,
}

fn record_text(older: &[Turn], first_turn: usize, d: Detail) -> String {
    let last = first_turn + older.len() - 1;
    let mut s = format!("Earlier conversation (turns {first_turn}–{last}, compacted):\n");
    let mut files: Vec<&str> = Vec::new();
    for f in older.iter().flat_map(|t| &t.files) {
        if !files.contains(&f.as_str()) {
            files.push(f);
        }
    }
    if !files.is_empty() && d.files > 0 {
        let shown = files.len().min(d.files);
        s.push_str(&format!("Files touched: {}", files[..shown].join(", ")));
        if shown < files.len() {
            s.push_str(&format!(" (+{} more)", files.len() - shown));
        }
        s.push('\n');
    }
    if d.decisions > 0 {
        s.push_str("Decisions:\n");
        let skip = older.len().saturating_sub(d.decisions);
        if skip > 0 {
            s.push_str(&format!("- … {skip} earlier turns\n"));
        }
        for (i, t) in older.iter().enumerate().skip(skip) {
            s.push_str(&format!(
                "- turn {}: {} → {}\n",
                first_turn + i,
                gist(&t.user, 80),
                gist(&t.assistant, 120)
            ));
        }
    }
    let open = older.last().map_or(&[][..], |t| &t.errors[..]);
    if !open.is_empty() && d.errors > 0 {
        s.push_str("Open errors:\n");
        for e in open.iter().take(d.errors) {
            s.push_str(&format!("- {}\n", gist(e, 160)));
        }
        if open.len() > d.errors {
            s.push_str(&format!("- (+{} more)\n", open.len() - d.errors));
        }
    }
    s.truncate(s.trim_end().len());
    s
}

/// The largest record for `older` that costs at most `budget`, with its cost.
fn fit_record(
    older: &[Turn],
    first_turn: usize,
    budget: usize,
    cost: &mut dyn FnMut(&str) -> usize,
) -> Option<(String, usize)> {
    let mut d = Detail {
        decisions: older.len(),
        errors: 5,
        files: 20,
    };
    loop {
        let text = record_text(older, first_turn, d);
        let c = cost(&text);
        if c <= budget {
            return Some((text, c));
        }
        if d.decisions > 0 {
            d.decisions /= 2;
        } else if d.errors > 1 {
            d.errors /= 2;
        } else if d.files > 3 {
            d.files = 3;
        } else if d.errors > 0 {
            d.errors = 0;
        } else if d.files > 0 {
            d.files = 0;
        } else {
            return None;
        }
    }
}

/// Fit `turns` (oldest first) into `budget`, measuring each candidate text with `cost` (which
/// should include any per-section overhead).
///
/// If every turn fits verbatim, all stay verbatim: history then only grows at its end, which
/// keeps the prompt prefix cacheable. Otherwise the most recent turns — at most `keep_last`, as
/// many as fit — stay verbatim and all older ones become one record; the record is shrunk
/// (older decisions first, then errors, then the file list) before a verbatim turn is given up.
pub fn compact(
    turns: &[Turn],
    budget: usize,
    keep_last: usize,
    cost: &mut dyn FnMut(&str) -> usize,
) -> Compacted {
    let n = turns.len();
    let verbatim: Vec<(String, usize)> = turns
        .iter()
        .map(|t| {
            let v = t.verbatim();
            let c = cost(&v);
            (v, c)
        })
        .collect();
    let turn_piece = |i: usize, text: &str| {
        Piece::text(PieceKind::History, format!("history:turn:{}", i + 1), text)
            .with_score((i + 1) as f64)
    };
    let all: usize = verbatim.iter().map(|v| v.1).sum();
    if all <= budget {
        return Compacted {
            pieces: verbatim
                .iter()
                .enumerate()
                .map(|(i, (v, _))| turn_piece(i, v))
                .collect(),
            verbatim: n,
            compacted: 0,
            dropped: 0,
            cost: all,
        };
    }
    for k in (0..=keep_last.min(n)).rev() {
        let recent: usize = verbatim[n - k..].iter().map(|v| v.1).sum();
        if recent > budget {
            continue;
        }
        let older = &turns[..n - k];
        let Some((record, rc)) = fit_record(older, 1, budget - recent, cost) else {
            continue;
        };
        let mut pieces = vec![Piece::text(
            PieceKind::History,
            format!("history:record:1-{}", n - k),
            record,
        )
        .with_score(0.0)];
        pieces.extend((n - k..n).map(|i| turn_piece(i, &verbatim[i].0)));
        tracing::debug!("[budget] history: {} turns compacted, {k} verbatim", n - k);
        return Compacted {
            pieces,
            verbatim: k,
            compacted: n - k,
            dropped: 0,
            cost: recent + rc,
        };
    }
    tracing::debug!(
        "[budget] history: all {n} turns dropped, budget {budget} too small for a record"
    );
    Compacted {
        dropped: n,
        ..Compacted::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::tokens::count_tokens;

    fn turns(n: usize) -> Vec<Turn> {
        (1..=n)
            .map(|i| Turn {
                user: format!("Please fix the failing test number {i} in the parser. It fails on empty input."),
                assistant: format!("I changed parse_{i} to return None on empty input. The test passes now.\n{}", "details ".repeat(40)),
                files: vec![format!("src/parse_{}.rs", i % 3), "src/lib.rs".into()],
                errors: if i % 2 == 0 { vec![format!("src/parse_{i}.rs:10:5: error[E0599]: no method")] } else { vec![] },
                ..Turn::default()
            })
            .collect()
    }

    fn cost(s: &str) -> usize {
        count_tokens(s) + 4
    }

    #[test]
    fn everything_verbatim_when_it_fits() {
        let t = turns(3);
        let c = compact(&t, 100_000, 2, &mut cost);
        assert_eq!((c.verbatim, c.compacted), (3, 0));
        assert_eq!(c.pieces.len(), 3);
    }

    #[test]
    fn older_turns_become_a_record() {
        let t = turns(10);
        let c = compact(&t, 600, 3, &mut cost);
        assert!(c.cost <= 600);
        assert_eq!(c.verbatim + c.compacted, 10);
        assert!(c.verbatim >= 1 && c.verbatim <= 3, "{}", c.verbatim);
        let rec = c.pieces[0].full.as_deref().unwrap();
        assert!(rec.starts_with("Earlier conversation (turns 1–"), "{rec}");
        assert!(
            rec.contains("Files touched: src/parse_1.rs, src/lib.rs"),
            "{rec}"
        );
        let last = c.pieces.last().unwrap().full.as_deref().unwrap();
        assert_eq!(last, t[9].verbatim(), "last turn verbatim, whole");
    }

    #[test]
    fn record_lists_open_errors_of_last_compacted_turn() {
        let t = turns(6);
        let c = compact(&t, 400, 2, &mut cost);
        let rec = c.pieces[0].full.as_deref().unwrap();
        let last_compacted = c.compacted;
        if !t[last_compacted - 1].errors.is_empty() {
            assert!(rec.contains("Open errors:"), "{rec}");
        }
        assert_eq!(c.pieces.len(), 1 + c.verbatim);
    }

    #[test]
    fn tiny_budget_drops_all_and_is_deterministic() {
        let t = turns(5);
        assert_eq!(compact(&t, 5, 2, &mut cost).dropped, 5);
        assert_eq!(
            compact(&t, 300, 2, &mut cost),
            compact(&t, 300, 2, &mut cost)
        );
    }

    #[test]
    fn gist_takes_first_sentence() {
        assert_eq!(gist("Fixed it. Then more.", 50), "Fixed it.");
        assert_eq!(gist("one two three four", 9), "one two…");
        assert_eq!(gist("v1.2 is out\nsecond", 50), "v1.2 is out");
    }
}
