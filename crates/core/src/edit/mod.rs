//! Edits as values: locate old text, build an [`Edit`] (byte range + replacement), apply as one unit.
//!
//! Units: every range here is a byte range into the *original* text, on `char` boundaries; line
//! numbers shown to the model are 1-based. Nothing in this module talks to Neovim: the agent
//! hands the applied text to the editor (`lua/smallcode/edit.lua` lands it as one undo step).
//!
//! Data flow: the model's reply is split into blocks ([`blocks`]). A SEARCH/REPLACE block (larger
//! models) resolves its old text through the ranked strategies of [`matcher::locate`], and
//! [`Edit::from_match`] turns the match into an edit (re-basing indentation). A plain fenced code
//! block (small models) goes through [`unit::replace_units`], which maps the definitions it holds
//! onto the file's definitions by name with tree-sitter. Either way the result is a list of edits
//! that [`apply`] splices back to front, and [`diff::summary`] describes for the chat.
//!
//! Invariants: edits given to [`apply`] never overlap; an edit's `strategy` records how its range
//! was found, so the case table (`cases.rs`) can assert it and the agent can report it.

pub mod blocks;
#[cfg(test)]
mod cases;
pub mod diff;
pub mod matcher;
pub mod unit;

use std::ops::Range;
use std::path::PathBuf;

pub use matcher::{locate, LocateError, Match, Strategy};

/// One change to one file: replace the bytes in `range` of the original text with `replacement`.
///
/// A value, so it can be shown for review, logged, compared in tests and applied later as one
/// undoable unit (helix's `Transaction`).
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The file this edit belongs to (for reports; [`apply`] does not read it).
    pub path: PathBuf,
    /// Byte range in the original text, on `char` boundaries.
    pub range: Range<usize>,
    /// New text for the range. Bare `\n` become `\r\n` when the file is CRLF (see [`apply`]).
    pub replacement: String,
    /// How the range was found; asserted by the case table and reported to the model.
    pub strategy: Strategy,
}

/// Why a list of edits could not be applied. Each case names the offending range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    /// The range ends past the end of the text (or starts after it ends).
    #[error("edit range {start}..{end} is outside the text ({len} bytes)")]
    OutOfBounds {
        /// Start of the bad range.
        start: usize,
        /// End of the bad range.
        end: usize,
        /// Length of the text.
        len: usize,
    },
    /// A range boundary falls inside a multi-byte character.
    #[error("edit boundary {at} is inside a UTF-8 character")]
    NotCharBoundary {
        /// The offending byte offset.
        at: usize,
    },
    /// Two edits touch the same bytes; applying both would be order-dependent.
    #[error("edits {first:?} and {second:?} overlap")]
    Overlap {
        /// The earlier range.
        first: Range<usize>,
        /// The range that starts inside it.
        second: Range<usize>,
    },
}

/// Applies non-overlapping `edits` to `text`, back to front so earlier ranges stay valid.
///
/// Line endings are preserved: when `text` is mostly CRLF, bare `\n` in a replacement become
/// `\r\n` (idempotent, so a replacement that is already CRLF is left alone). Two empty ranges at
/// the same offset are both inserted, in the order given.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut order: Vec<&Edit> = edits.iter().collect();
    order.sort_by_key(|e| (e.range.start, e.range.end));
    for e in &order {
        let (start, end) = (e.range.start, e.range.end);
        if start > end || end > text.len() {
            return Err(EditError::OutOfBounds {
                start,
                end,
                len: text.len(),
            });
        }
        for at in [start, end] {
            if !text.is_char_boundary(at) {
                return Err(EditError::NotCharBoundary { at });
            }
        }
    }
    for pair in order.windows(2) {
        if pair[1].range.start < pair[0].range.end {
            return Err(EditError::Overlap {
                first: pair[0].range.clone(),
                second: pair[1].range.clone(),
            });
        }
    }
    let crlf = is_crlf(text);
    let mut out = text.to_string();
    // Stable sort above keeps the given order for equal starts; splicing back to front reverses
    // it, so insert the later of two same-offset inserts first.
    for e in order.iter().rev() {
        let rep = if crlf {
            to_crlf(&e.replacement)
        } else {
            e.replacement.clone()
        };
        out.replace_range(e.range.clone(), &rep);
    }
    Ok(out)
}

/// True when most line breaks in `text` are `\r\n`.
pub fn is_crlf(text: &str) -> bool {
    let lf = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    crlf > 0 && crlf * 2 >= lf
}

/// Turns every bare `\n` into `\r\n`, leaving existing `\r\n` alone.
pub fn to_crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    let mut prev = '\0';
    for c in s.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Width of a line's leading whitespace, tabs counting as [`TAB_WIDTH`] columns.
pub(crate) fn indent_width(line: &str) -> usize {
    let mut w = 0;
    for c in line.chars() {
        match c {
            ' ' => w += 1,
            '\t' => w += TAB_WIDTH,
            _ => break,
        }
    }
    w
}

/// Columns a tab counts for when comparing or re-basing indentation. Four is what nearly every
/// model writes when it turns tabs into spaces.
pub(crate) const TAB_WIDTH: usize = 4;

/// The leading whitespace of `line`.
pub(crate) fn leading_ws(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

impl Edit {
    /// Builds the edit for a SEARCH/REPLACE pair once [`locate`] found `m` in `haystack`.
    ///
    /// The model's indentation is not trusted: for line-based strategies (whose range starts at
    /// column 0), when the matched block's first line is indented differently from the needle's
    /// (another depth, or tabs for spaces), every replacement line is re-based by the same amount
    /// in the file's own indent style. Line-based ranges end before the final line break, so
    /// leading/trailing blank lines of the replacement are dropped; an empty replacement also
    /// removes that line break, so a deletion leaves no empty line behind. An exact match is
    /// taken literally: the model's text already agrees with the file byte for byte.
    pub fn from_match(
        path: impl Into<PathBuf>,
        haystack: &str,
        needle: &str,
        m: &Match,
        replacement: &str,
    ) -> Edit {
        let mut range = m.range.clone();
        if m.strategy == Strategy::Exact {
            return Edit {
                path: path.into(),
                range,
                replacement: replacement.to_string(),
                strategy: m.strategy,
            };
        }
        let mut rep = trim_blank_lines(&replacement.replace("\r\n", "\n")).to_string();
        let file_indent = leading_ws(&haystack[range.start..]);
        let needle_indent = leading_ws(needle.lines().find(|l| !l.trim().is_empty()).unwrap_or(""));
        rep = rebase_indent(&rep, needle_indent, file_indent, uses_tabs(haystack));
        if rep.is_empty() {
            let rest = &haystack[range.end..];
            range.end += if rest.starts_with("\r\n") {
                2
            } else {
                usize::from(rest.starts_with('\n'))
            };
        }
        Edit {
            path: path.into(),
            range,
            replacement: rep,
            strategy: m.strategy,
        }
    }
}

/// True when more indented lines of `text` start with a tab than with a space.
pub(crate) fn uses_tabs(text: &str) -> bool {
    let (mut tabs, mut spaces) = (0usize, 0usize);
    for line in text.lines() {
        match line.as_bytes().first() {
            Some(b'\t') => tabs += 1,
            Some(b' ') => spaces += 1,
            _ => {}
        }
    }
    tabs > spaces
}

/// `s` without leading and trailing blank lines (and without its final line break).
fn trim_blank_lines(s: &str) -> &str {
    let mut start = 0;
    for line in s.split_inclusive('\n') {
        if line.trim().is_empty() {
            start += line.len();
        } else {
            break;
        }
    }
    let s = &s[start.min(s.len())..];
    let mut end = s.len();
    while end > 0 {
        let cut = s[..end].trim_end_matches([' ', '\t', '\r']);
        match cut.strip_suffix('\n') {
            Some(stripped) => end = stripped.len(),
            None => break,
        }
    }
    &s[..end]
}

/// Re-bases every line of `text` from indentation `from` to `to`: each line's indentation width
/// moves by `to − from` columns (never below 0), so relative indentation survives even for lines
/// shallower than the first. Moved lines are written in the file's style (`tabs`: a tab per
/// [`TAB_WIDTH`] columns, spaces for the rest). When nothing moves, only lines indented in the
/// foreign style (tabs in a spaces file, a four-space run in a tabs file) are rewritten, so
/// deliberate alignment is left alone. Blank lines become empty.
pub(crate) fn rebase_indent(text: &str, from: &str, to: &str, tabs: bool) -> String {
    let delta = indent_width(to) as isize - indent_width(from) as isize;
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            out.push_str(&line[line.trim_end_matches(['\n', '\r']).len()..]);
            continue;
        }
        let ws = leading_ws(line);
        let foreign = if tabs {
            ws.contains("    ")
        } else {
            ws.contains('\t')
        };
        if delta == 0 && !foreign {
            out.push_str(line);
            continue;
        }
        let width = (indent_width(ws) as isize + delta).max(0) as usize;
        if tabs {
            out.push_str(&"\t".repeat(width / TAB_WIDTH));
            out.push_str(&" ".repeat(width % TAB_WIDTH));
        } else {
            out.push_str(&" ".repeat(width));
        }
        out.push_str(&line[ws.len()..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(range: Range<usize>, rep: &str) -> Edit {
        Edit {
            path: "f".into(),
            range,
            replacement: rep.into(),
            strategy: Strategy::Exact,
        }
    }

    #[test]
    fn applies_back_to_front() {
        let out = apply("abcdef", &[e(4..5, "E"), e(0..1, "AA"), e(2..2, "+")]).unwrap();
        assert_eq!(out, "AAb+cdEf");
    }

    #[test]
    fn refuses_overlap_and_bad_ranges() {
        assert!(matches!(
            apply("abcdef", &[e(0..3, "x"), e(2..4, "y")]),
            Err(EditError::Overlap { .. })
        ));
        assert!(matches!(
            apply("abc", &[e(1..9, "x")]),
            Err(EditError::OutOfBounds { end: 9, .. })
        ));
        assert!(matches!(
            apply("é", &[e(1..2, "x")]),
            Err(EditError::NotCharBoundary { at: 1 })
        ));
    }

    #[test]
    fn crlf_file_gets_crlf_replacement() {
        let out = apply("a\r\nb\r\nc\r\n", &[e(3..4, "x\ny")]).unwrap();
        assert_eq!(out, "a\r\nx\r\ny\r\nc\r\n");
        assert_eq!(to_crlf("a\r\nb\n"), "a\r\nb\r\n");
    }

    #[test]
    fn rebase_indent_converts_style() {
        assert_eq!(
            rebase_indent("if x:\n    y\n", "", "\t", true),
            "\tif x:\n\t\ty\n"
        );
        assert_eq!(
            rebase_indent("  a\n    b\n\n  c", "  ", "        ", false),
            "        a\n          b\n\n        c"
        );
    }

    #[test]
    fn trims_blank_lines() {
        assert_eq!(trim_blank_lines("\n\n  a\n  b\n\n"), "  a\n  b");
        assert_eq!(trim_blank_lines("a"), "a");
    }
}
