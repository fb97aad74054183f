//! Describing an applied edit for the chat: a one-line count plus a short unified diff.
//!
//! The model and the user both read this, so it is short: the count line always, then at most
//! `max_lines` diff lines, with a note saying how many were cut.

use std::path::Path;

use similar::{ChangeTag, TextDiff};

/// Diff lines shown by [`summary`]; enough for a function-sized change.
pub const DEFAULT_MAX_LINES: usize = 40;

/// "+a −b lines in path" followed by a unified diff of at most [`DEFAULT_MAX_LINES`] lines.
pub fn summary(old: &str, new: &str, path: &Path) -> String {
    summary_with(old, new, path, DEFAULT_MAX_LINES)
}

/// [`summary`] with an explicit cap on diff lines (the count line is always shown).
pub fn summary_with(old: &str, new: &str, path: &Path, max_lines: usize) -> String {
    // CRLF vs LF is not a change worth showing: the edit layer preserves the file's endings.
    let (old, new) = (old.replace("\r\n", "\n"), new.replace("\r\n", "\n"));
    let diff = TextDiff::from_lines(&old, &new);
    let (mut added, mut removed) = (0usize, 0usize);
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    let name = path.display();
    let mut out = format!("+{added} \u{2212}{removed} lines in {name}\n");
    if added + removed == 0 {
        return out;
    }
    let unified = diff
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    let lines: Vec<&str> = unified.lines().collect();
    for l in lines.iter().take(max_lines) {
        out.push_str(l);
        out.push('\n');
    }
    if lines.len() > max_lines {
        out.push_str(&format!("… {} more diff lines\n", lines.len() - max_lines));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_diff() {
        let s = summary("a\nb\nc\n", "a\nB\nc\nd\n", Path::new("x.py"));
        assert!(s.starts_with("+2 \u{2212}1 lines in x.py\n"), "{s}");
        assert!(s.contains("-b\n+B\n"), "{s}");
    }

    #[test]
    fn caps_long_diffs_and_ignores_line_endings() {
        let old: String = (0..100).map(|i| format!("{i}\n")).collect();
        let new: String = (0..100).map(|i| format!("{}\n", i * 2)).collect();
        let s = summary_with(&old, &new, Path::new("n"), 10);
        assert_eq!(s.lines().count(), 12, "{s}");
        assert!(s.ends_with("more diff lines\n"));
        assert_eq!(
            summary("a\r\nb\r\n", "a\nb\n", Path::new("n")),
            "+0 \u{2212}0 lines in n\n"
        );
    }
}
