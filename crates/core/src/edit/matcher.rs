//! Finding the model's old text in a file through a chain of ranked strategies.
//!
//! Small models rarely copy text byte for byte: they drop trailing spaces, turn tabs into spaces,
//! re-indent, add or drop blank lines, lose the `\r` of CRLF files and make the odd typo. Each
//! [`Strategy`] forgives a little more than the one before; [`locate`] stops at the first one that
//! finds exactly one place. Two or more places is never guessed at: the model gets the candidates
//! back ([`LocateError::Ambiguous`]) and must add context. Applying in the wrong place is worse
//! than refusing, because the model cannot see that it happened.
//!
//! Units: ranges are byte ranges into the haystack. Line-based strategies return whole lines,
//! from column 0 of the first line to the end of the last line's text (before its `\r\n`/`\n`).
//! Line numbers in errors are 1-based, as the model sees them.

use std::fmt;
use std::ops::Range;

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::indent_width;

/// How an edit's range was found, from strictest to loosest; recorded on every [`super::Edit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    /// Byte-for-byte substring.
    Exact,
    /// Same lines once trailing whitespace and `\r` are ignored.
    TrimmedLines,
    /// Same lines once runs of whitespace are collapsed and blank lines skipped; indentation must
    /// still have the same width (a tab counts four columns).
    WhitespaceNormalized,
    /// As [`Strategy::WhitespaceNormalized`] but ignoring indentation entirely.
    IndentFlexible,
    /// Closest block of the same number of non-blank lines, similarity ≥ [`FUZZY_THRESHOLD`]
    /// and clearly closer than any other block (see [`locate`]).
    Fuzzy,
    /// Not produced by [`locate`]: a definition found by name with tree-sitter ([`super::unit`]).
    SyntaxNode,
    /// Not produced by [`locate`]: the model rewrote a small file whole ([`super::unit`]).
    WholeFile,
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strategy::Exact => "exact",
            Strategy::TrimmedLines => "trimmed-lines",
            Strategy::WhitespaceNormalized => "whitespace-normalized",
            Strategy::IndentFlexible => "indent-flexible",
            Strategy::Fuzzy => "fuzzy",
            Strategy::SyntaxNode => "syntax-node",
            Strategy::WholeFile => "whole-file",
        })
    }
}

/// Minimum similarity (0–1, over the non-blank, whitespace-collapsed lines) for a fuzzy match.
pub const FUZZY_THRESHOLD: f32 = 0.85;

/// Blocks scoring below this are not worth mentioning as "closest" and are never diffed in full.
const CLOSEST_FLOOR: f32 = 0.6;

/// Where the needle was found and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Byte range in the haystack.
    pub range: Range<usize>,
    /// The strategy that found it (the strictest that found exactly one place).
    pub strategy: Strategy,
    /// 1.0 for all strategies but [`Strategy::Fuzzy`], where it is the similarity.
    pub score: f32,
}

/// Why the needle could not be placed. The `Display` text is written for the model: it says what
/// to do next.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LocateError {
    /// The SEARCH text was empty or only whitespace.
    #[error("the SEARCH text is empty: copy the exact lines to change from the file")]
    EmptyNeedle,
    /// Several places match at the strictest strategy that matched at all.
    #[error("{}", ambiguous_message(.strategy, .candidates))]
    Ambiguous {
        /// The strategy at which several places matched.
        strategy: Strategy,
        /// (1-based line, first line's text) of each place.
        candidates: Vec<(usize, String)>,
    },
    /// Nothing matched; `closest` is the most similar block (1-based line, first line, similarity)
    /// when one reached 60%.
    #[error("{}", not_found_message(.closest))]
    NotFound {
        /// The most similar block, if any was close enough to mention.
        closest: Option<(usize, String, f32)>,
    },
}

fn ambiguous_message(strategy: &Strategy, candidates: &[(usize, String)]) -> String {
    let places: Vec<String> = candidates
        .iter()
        .map(|(l, t)| format!("line {l} `{}`", t.trim()))
        .collect();
    format!(
        "the SEARCH text matches {} places ({strategy}): {}. Add a few unchanged lines around it so it matches one place",
        candidates.len(),
        places.join(", ")
    )
}

fn not_found_message(closest: &Option<(usize, String, f32)>) -> String {
    match closest {
        Some((line, text, score)) => format!(
            "the SEARCH text was not found. The closest block starts at line {line} `{}` ({:.0}% similar): copy those lines exactly from the file",
            text.trim(),
            score * 100.0
        ),
        None => "the SEARCH text was not found and no block is similar: read the file again and copy the lines to change exactly".to_string(),
    }
}

/// One line of a text: its byte span without the line break, and the text of that span.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

fn split_lines(s: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in s.split_inclusive('\n') {
        let text = piece.trim_end_matches('\n').trim_end_matches('\r');
        out.push(Line {
            start,
            end: start + text.len(),
            text,
        });
        start += piece.len();
    }
    out
}

/// Collapses every run of spaces/tabs to one space and trims both ends.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Finds `needle` in `haystack`: exact → trimmed lines → whitespace-normalized → indent-flexible
/// → fuzzy, stopping at the first strategy that finds anything. One place is a [`Match`]; several
/// are [`LocateError::Ambiguous`], never a guess.
///
/// The fuzzy step compares blocks with the same number of non-blank lines, line by line, by the
/// bytes a diff keeps (1.0 = identical once whitespace is collapsed). The best block must reach
/// [`FUZZY_THRESHOLD`] and be at least twice as close (in bytes changed) as the runner-up;
/// otherwise the top candidates come back as ambiguous. That margin is what keeps a near-duplicate
/// block (a copy differing in one token) from being edited by mistake.
pub fn locate(haystack: &str, needle: &str) -> Result<Match, LocateError> {
    if needle.trim().is_empty() {
        return Err(LocateError::EmptyNeedle);
    }
    let hay = split_lines(haystack);
    let line_of = |byte: usize| {
        hay.partition_point(|l| l.end < byte)
            .min(hay.len().saturating_sub(1))
    };

    // Exact: the needle as written, anywhere.
    let exact: Vec<usize> = haystack.match_indices(needle).map(|(i, _)| i).collect();
    match exact.len() {
        1 => {
            return Ok(Match {
                range: exact[0]..exact[0] + needle.len(),
                strategy: Strategy::Exact,
                score: 1.0,
            })
        }
        0 => {}
        _ => {
            let candidates = exact
                .iter()
                .map(|&b| (line_of(b) + 1, hay[line_of(b)].text.to_string()))
                .collect();
            return Err(LocateError::Ambiguous {
                strategy: Strategy::Exact,
                candidates,
            });
        }
    }

    let mut nlines = split_lines(needle);
    while nlines.first().is_some_and(|l| l.text.trim().is_empty()) {
        nlines.remove(0);
    }
    while nlines.last().is_some_and(|l| l.text.trim().is_empty()) {
        nlines.pop();
    }
    let needle_text: Vec<&str> = nlines.iter().map(|l| l.text).collect();

    type Norm = fn(&str) -> String;
    let steps: [(Strategy, Norm, bool); 3] = [
        (Strategy::TrimmedLines, |s| s.trim_end().to_string(), false),
        (
            Strategy::WhitespaceNormalized,
            |s| format!("{}|{}", indent_width(s), collapse(s)),
            true,
        ),
        (Strategy::IndentFlexible, collapse, true),
    ];
    for (strategy, norm, skip_blank) in steps {
        let found = windows_equal(&hay, &needle_text, norm, skip_blank);
        match found.len() {
            0 => continue,
            1 => {
                let (a, b) = found[0];
                return Ok(Match {
                    range: hay[a].start..hay[b].end,
                    strategy,
                    score: 1.0,
                });
            }
            _ => {
                let candidates = found
                    .iter()
                    .map(|&(a, _)| (a + 1, hay[a].text.to_string()))
                    .collect();
                return Err(LocateError::Ambiguous {
                    strategy,
                    candidates,
                });
            }
        }
    }
    fuzzy(&hay, &needle_text)
}

/// Every (first, last) haystack line index where the needle's lines equal the haystack's under
/// `norm`. With `skip_blank`, blank lines on both sides are ignored.
fn windows_equal(
    hay: &[Line<'_>],
    needle: &[&str],
    norm: fn(&str) -> String,
    skip_blank: bool,
) -> Vec<(usize, usize)> {
    let keep = |t: &str| !skip_blank || !t.trim().is_empty();
    let hay_idx: Vec<usize> = (0..hay.len()).filter(|&i| keep(hay[i].text)).collect();
    let hay_keys: Vec<String> = hay_idx.iter().map(|&i| norm(hay[i].text)).collect();
    let needle_keys: Vec<String> = needle.iter().filter(|t| keep(t)).map(|t| norm(t)).collect();
    let n = needle_keys.len();
    if n == 0 || n > hay_keys.len() {
        return Vec::new();
    }
    (0..=hay_keys.len() - n)
        .filter(|&s| hay_keys[s..s + n] == needle_keys[..])
        .map(|s| (hay_idx[s], hay_idx[s + n - 1]))
        .collect()
}

/// Upper bound on the bytes a diff of `a` and `b` can keep: the shared byte multiset.
fn quick_common(a: &[u16; 256], b: &[u16; 256]) -> usize {
    a.iter().zip(b).map(|(x, y)| usize::from(*x.min(y))).sum()
}

fn histogram(s: &str) -> [u16; 256] {
    let mut h = [0u16; 256];
    for &b in s.as_bytes() {
        h[usize::from(b)] = h[usize::from(b)].saturating_add(1);
    }
    h
}

/// Bytes kept by a Myers diff of `a` and `b`.
fn common(a: &str, b: &str) -> usize {
    if a == b {
        return a.len();
    }
    capture_diff_slices(Algorithm::Myers, a.as_bytes(), b.as_bytes())
        .iter()
        .map(|op| {
            if let DiffOp::Equal { len, .. } = op {
                *len
            } else {
                0
            }
        })
        .sum()
}

fn fuzzy(hay: &[Line<'_>], needle: &[&str]) -> Result<Match, LocateError> {
    let hay_idx: Vec<usize> = (0..hay.len())
        .filter(|&i| !hay[i].text.trim().is_empty())
        .collect();
    let hay_keys: Vec<String> = hay_idx.iter().map(|&i| collapse(hay[i].text)).collect();
    let needle_keys: Vec<String> = needle
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| collapse(t))
        .collect();
    let n = needle_keys.len();
    if n == 0 || n > hay_keys.len() {
        return Err(LocateError::NotFound { closest: None });
    }
    let needle_len: usize = needle_keys.iter().map(String::len).sum();
    let hay_hist: Vec<[u16; 256]> = hay_keys.iter().map(|k| histogram(k)).collect();
    let needle_hist: Vec<[u16; 256]> = needle_keys.iter().map(|k| histogram(k)).collect();

    // (distance in bytes, total bytes, window start) for every window worth a full diff.
    let mut scored: Vec<(usize, usize, usize)> = Vec::new();
    for s in 0..=hay_keys.len() - n {
        let total = needle_len + hay_keys[s..s + n].iter().map(String::len).sum::<usize>();
        if total == 0 {
            continue;
        }
        let bound: usize = (0..n)
            .map(|j| quick_common(&needle_hist[j], &hay_hist[s + j]))
            .sum();
        if (2 * bound) as f32 / (total as f32) < CLOSEST_FLOOR {
            continue;
        }
        let kept: usize = (0..n)
            .map(|j| common(&needle_keys[j], &hay_keys[s + j]))
            .sum();
        scored.push((total - 2 * kept, total, s));
    }
    scored.sort_by(|a, b| (a.0 * b.1).cmp(&(b.0 * a.1)).then(a.2.cmp(&b.2)));
    let score = |(d, t, _): (usize, usize, usize)| 1.0 - d as f32 / t as f32;
    let Some(&best) = scored.first() else {
        return Err(LocateError::NotFound { closest: None });
    };
    let first_line = |s: usize| (hay_idx[s] + 1, hay[hay_idx[s]].text.to_string());
    if score(best) < FUZZY_THRESHOLD {
        let (line, text) = first_line(best.2);
        let closest = (score(best) >= CLOSEST_FLOOR).then_some((line, text, score(best)));
        return Err(LocateError::NotFound { closest });
    }
    // Windows not diffed scored below CLOSEST_FLOOR, so they are more than twice as far as any
    // block above FUZZY_THRESHOLD: only diffed windows can be rivals.
    let rivals: Vec<&(usize, usize, usize)> = scored[1..]
        .iter()
        .filter(|r| r.0 < 2 * best.0.max(1))
        .collect();
    if !rivals.is_empty() {
        let mut candidates = vec![first_line(best.2)];
        candidates.extend(rivals.iter().take(4).map(|r| first_line(r.2)));
        return Err(LocateError::Ambiguous {
            strategy: Strategy::Fuzzy,
            candidates,
        });
    }
    let (a, b) = (hay_idx[best.2], hay_idx[best.2 + n - 1]);
    Ok(Match {
        range: hay[a].start..hay[b].end,
        strategy: Strategy::Fuzzy,
        score: score(best),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_message_points_at_closest_line() {
        let hay = "fn a() {\n    let total = compute(1, 2);\n    total\n}\n";
        let err = locate(hay, "fn b() {\n    let sum = other(9);\n}\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("not found"), "{msg}");
    }

    #[test]
    fn ambiguous_lists_every_place() {
        let hay = "x = 1\ny = 2\nx = 1\n";
        match locate(hay, "x = 1") {
            Err(LocateError::Ambiguous { candidates, .. }) => {
                assert_eq!(
                    candidates,
                    vec![(1, "x = 1".to_string()), (3, "x = 1".to_string())]
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_needle_is_refused() {
        assert_eq!(locate("abc", "  \n"), Err(LocateError::EmptyNeedle));
    }
}
