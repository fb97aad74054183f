//! Separates `<think>…</think>` reasoning from visible content in a stream of deltas.
//!
//! Reasoning models served without a reasoning parser put their thoughts inline. Tags can be split
//! across deltas (`<thi` + `nk>`), so the splitter holds back a possible tag prefix until the next
//! delta decides it.

use super::StreamEvent;

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

/// Stateful splitter; feed every content delta in order, then call [`ThinkSplitter::finish`].
#[derive(Debug, Default)]
pub struct ThinkSplitter {
    inside: bool,
    pending: String,
}

impl ThinkSplitter {
    /// Splits one delta into content and reasoning events (possibly none, if all was held back).
    pub fn push(&mut self, delta: &str) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        self.pending.push_str(delta);
        loop {
            let tag = if self.inside { CLOSE } else { OPEN };
            if let Some(pos) = self.pending.find(tag) {
                let before: String = self.pending[..pos].to_string();
                self.emit(&before, &mut out);
                self.pending.drain(..pos + tag.len());
                self.inside = !self.inside;
                continue;
            }
            // Hold back the longest suffix that could still become the tag.
            let keep = longest_prefix_suffix(&self.pending, tag);
            let cut = self.pending.len() - keep;
            let text: String = self.pending[..cut].to_string();
            self.emit(&text, &mut out);
            self.pending.drain(..cut);
            return out;
        }
    }

    /// Flushes what was held back (an unfinished tag prefix is ordinary text after all).
    pub fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        let rest = std::mem::take(&mut self.pending);
        self.emit(&rest, &mut out);
        out
    }

    fn emit(&self, text: &str, out: &mut Vec<StreamEvent>) {
        if text.is_empty() {
            return;
        }
        out.push(if self.inside {
            StreamEvent::Reasoning(text.to_string())
        } else {
            StreamEvent::Content(text.to_string())
        });
    }
}

/// Length of the longest suffix of `s` that is a proper prefix of `tag` (on char boundaries).
fn longest_prefix_suffix(s: &str, tag: &str) -> usize {
    (1..tag.len().min(s.len() + 1))
        .rev()
        .find(|&n| s.is_char_boundary(s.len() - n) && s.ends_with(&tag[..n]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(parts: &[&str]) -> (String, String) {
        let mut s = ThinkSplitter::default();
        let mut evs: Vec<StreamEvent> = parts.iter().flat_map(|p| s.push(p)).collect();
        evs.extend(s.finish());
        let (mut c, mut r) = (String::new(), String::new());
        for e in evs {
            match e {
                StreamEvent::Content(t) => c.push_str(&t),
                StreamEvent::Reasoning(t) => r.push_str(&t),
                _ => {}
            }
        }
        (c, r)
    }

    #[test]
    fn tags_split_across_deltas() {
        assert_eq!(
            run(&["<thi", "nk>plan", " it</th", "ink>answer ", "<b>"]),
            ("answer <b>".to_string(), "plan it".to_string())
        );
    }

    #[test]
    fn no_tags_passes_through_and_lone_lt_is_kept() {
        assert_eq!(
            run(&["a < b", " <", "t"]),
            ("a < b <t".to_string(), String::new())
        );
        assert_eq!(run(&["x <thin"]), ("x <thin".to_string(), String::new()));
    }
}
