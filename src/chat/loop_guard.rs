//! Stops a streamed reply that starts writing again what it already wrote.
//!
//! Small models loop: asked "What does mean() do?", SmolLM2 wrote the same five paragraphs twice
//! before the token cap. The guard watches the reply word by word; once the last [`WINDOW`]
//! words (whitespace-separated, compared exactly) already appeared earlier in the reply, the
//! reply is repeating itself, and the copy began where that window begins. The reply is cut
//! there, so exactly one copy stays: for a block of P words written twice, the first repeated
//! window ends at word P + WINDOW, and it starts at word P, the first word of the second copy.
//! A loop of a short line (period under the window) is caught the same way.
//!
//! Why a word window and not paragraphs: a looping model rarely repeats paragraph breaks
//! exactly, and code in a reply repeats lines legitimately; [`WINDOW`] words of identical text
//! (around 2–3 lines of prose) almost never recur in an answer that is not looping. Words are
//! hashed once each (rolling over the window), so the cost stays linear in the reply.

use std::collections::HashMap;

/// Words of identical text that count as a repetition.
pub const WINDOW: usize = 40;
/// Repeated text shorter than this (bytes) is not cut: a window of very short words (a list
/// of numbers, `} } }`) is not prose a model loops on.
pub const MIN_BYTES: usize = 160;
/// Replies are watched up to this size (bytes); a loop shows long before, and a huge reply
/// (the client caps them at 16 MB) is not copied again here.
pub const MAX_WATCH: usize = 1 << 20;

/// What the guard decided after some more text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// Length in bytes of the reply to keep (one copy, trailing whitespace dropped).
    pub keep: usize,
    /// Words dropped so far (the part of the second copy already written).
    pub dropped_words: usize,
}

/// Watches one reply.
#[derive(Debug, Default)]
pub struct LoopGuard {
    text: String,
    /// Byte offset of each finished word's start, and its hash.
    words: Vec<(usize, u64)>,
    /// Where the unfinished last word starts, if the text ends inside one.
    open_word: Option<usize>,
    /// Window hash → index of the window's last word (first occurrence).
    seen: HashMap<u64, usize>,
    cut: Option<Cut>,
}

impl LoopGuard {
    /// A guard for a new reply.
    pub fn new() -> LoopGuard {
        LoopGuard::default()
    }

    /// The reply so far (everything fed, including what a cut drops).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text to keep: all of it, or the first copy after a cut.
    pub fn kept(&self) -> &str {
        match &self.cut {
            Some(c) => &self.text[..c.keep],
            None => &self.text,
        }
    }

    /// The cut, once the reply repeated itself.
    pub fn cut(&self) -> Option<&Cut> {
        self.cut.as_ref()
    }

    /// Adds streamed text; returns the cut the first time the reply repeats itself.
    pub fn feed(&mut self, delta: &str) -> Option<Cut> {
        if self.cut.is_some() || self.text.len() >= MAX_WATCH {
            return None;
        }
        let base = self.text.len();
        self.text.push_str(delta);
        // Walk the new bytes only (a word may have started before them): linear in the reply,
        // even for one endless word.
        let mut i = base;
        let mut start: Option<usize> = self.open_word.take();
        while i < self.text.len() {
            let ws = self.text.as_bytes()[i].is_ascii_whitespace();
            match (start, ws) {
                (None, false) => start = Some(i),
                (Some(s), true) => {
                    if let Some(c) = self.finish_word(s, i) {
                        return Some(c);
                    }
                    start = None;
                }
                _ => {}
            }
            i += 1;
        }
        self.open_word = start;
        None
    }

    /// Ends the reply: its last word counts too.
    pub fn finish(&mut self) -> Option<Cut> {
        if self.cut.is_some() {
            return None;
        }
        let s = self.open_word.take()?;
        self.finish_word(s, self.text.len())
    }

    fn finish_word(&mut self, s: usize, e: usize) -> Option<Cut> {
        let h = hash(&self.text.as_bytes()[s..e]);
        self.words.push((s, h));
        let n = self.words.len();
        if n < WINDOW {
            return None;
        }
        let first = n - WINDOW;
        let window = self.words[first..]
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |acc, (_, w)| {
                (acc ^ w).wrapping_mul(0x0100_0000_01b3)
            });
        match self.seen.get(&window) {
            Some(&earlier) if self.same(earlier, n - 1) => {
                let at = self.words[first].0;
                let keep = self.text[..at].trim_end().len();
                if at - self.words[earlier + 1 - WINDOW].0 < MIN_BYTES
                    && self.text[self.words[first].0..e].len() < MIN_BYTES
                {
                    self.seen.insert(window, n - 1);
                    return None;
                }
                let cut = Cut {
                    keep,
                    dropped_words: WINDOW,
                };
                self.cut = Some(cut.clone());
                Some(cut)
            }
            _ => {
                // The latest occurrence: the distance to it is the loop's period.
                self.seen.insert(window, n - 1);
                None
            }
        }
    }

    /// Whether the windows ending at words `a` and `b` are the same text (hashes can collide).
    fn same(&self, a: usize, b: usize) -> bool {
        let word = |i: usize| {
            let s = self.words[i].0;
            let rest = &self.text[s..];
            let len = rest
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            &rest[..len]
        };
        (0..WINDOW).all(|k| word(a + 1 - WINDOW + k) == word(b + 1 - WINDOW + k))
    }
}

fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |acc, b| {
        (acc ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARA: &str = "The mean function adds up every number in the list and divides the \
        sum by how many numbers there are. It returns a float. When the list is empty it \
        raises ZeroDivisionError, because there is nothing to divide by. You can pass any \
        iterable of numbers, such as a list or a tuple, and it will work the same way.";

    fn stream(text: &str, piece: usize) -> (LoopGuard, Option<Cut>) {
        let mut g = LoopGuard::new();
        let chars: Vec<char> = text.chars().collect();
        for chunk in chars.chunks(piece) {
            let s: String = chunk.iter().collect();
            if let Some(c) = g.feed(&s) {
                return (g, Some(c));
            }
        }
        let c = g.finish();
        (g, c)
    }

    #[test]
    fn paragraphs_written_twice_keep_one_copy() {
        let once = format!(
            "{PARA}\n\nIn other words, it computes the arithmetic mean of the values you give \
             it, so mean([1, 2, 3]) returns 2.0 and mean([2, 4]) returns 3.0, which is what you \
             would expect from an average.\n\n"
        );
        let twice = format!("{once}{once}{once}");
        for piece in [1, 3, 17, 400] {
            let (g, cut) = stream(&twice, piece);
            assert!(cut.is_some(), "piece {piece}");
            assert_eq!(g.kept(), once.trim_end(), "piece {piece}");
        }
    }

    #[test]
    fn a_short_line_looping_is_cut_after_one_copy() {
        let line = "Remember to call mean() with a non-empty list of numbers always.\n";
        let text = line.repeat(30);
        let (g, cut) = stream(&text, 5);
        assert!(cut.is_some());
        assert_eq!(g.kept(), line.trim_end());
    }

    #[test]
    fn an_answer_that_does_not_repeat_is_untouched() {
        let text = format!(
            "{PARA}\n\n```python\ndef mean(xs):\n    return sum(xs) / len(xs)\n```\n\nIn short: \
             it averages. Another sentence with new words."
        );
        let (g, cut) = stream(&text, 4);
        assert_eq!(cut, None);
        assert_eq!(g.kept(), text);
    }

    #[test]
    fn one_endless_word_costs_linear_time() {
        let mut g = LoopGuard::new();
        let chunk = "x".repeat(1000);
        let t = std::time::Instant::now();
        for _ in 0..4000 {
            assert_eq!(g.feed(&chunk), None);
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            t.elapsed()
        );
        assert!(
            g.text().len() <= MAX_WATCH + 1000,
            "watched up to its limit"
        );
    }

    #[test]
    fn repeated_short_tokens_are_not_prose() {
        let text = "0 1 2 3 4 5 6 7 8 9 ".repeat(20);
        let (_, cut) = stream(&text, 7);
        assert_eq!(cut, None, "a table of numbers is not a loop");
    }
}
