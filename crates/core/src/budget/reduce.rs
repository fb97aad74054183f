//! Deterministic reduction of long tool output (build logs, test runs, big reads).
//!
//! Keeps the head, the tail, and every line that looks like an error, a warning or a
//! `file:line[:col]` location; each run of dropped lines becomes one `⋮ K lines dropped` marker
//! and a last line says how much was dropped. The same input and limit always give the same
//! output, so a re-run of the same command does not disturb the prompt cache.

use super::tokens::Calibration;

/// How a tool output is reduced.
#[derive(Debug, Clone, PartialEq)]
pub struct ReduceConfig {
    /// Lines always kept from the start (the command line, the first error context).
    /// Defaults to 20.
    pub head: usize,
    /// Lines always kept from the end (summaries: `test result`, `N passed`, exit status).
    /// Defaults to 40.
    pub tail: usize,
    /// Longer lines are shortened with an explicit `… (+N chars)` marker: one minified line
    /// must not eat the window. Defaults to 400.
    pub max_line_chars: usize,
}

impl Default for ReduceConfig {
    fn default() -> Self {
        Self {
            head: 20,
            tail: 40,
            max_line_chars: 400,
        }
    }
}

/// A reduced output and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduced {
    /// The text to show the model.
    pub text: String,
    /// Lines in the input.
    pub total_lines: usize,
    /// Input lines dropped.
    pub dropped_lines: usize,
    /// Model tokens of `text` through the calibration used.
    pub tokens: usize,
}

/// How interesting a line is: 2 for errors, 1 for warnings and locations, 0 otherwise.
fn rank(line: &str) -> u8 {
    let l = line.to_ascii_lowercase();
    let t = l.trim_start();
    if t.starts_with("error")
        || l.contains("error:")
        || l.contains("error[")
        || l.contains("panicked")
        || l.contains("failed")
        || l.contains("fatal")
        || l.contains("traceback")
        || l.contains("exception")
        || line.starts_with("E ")
        || line.starts_with("FAILED")
    {
        2
    } else if l.contains("warning") || has_location(line) {
        1
    } else {
        0
    }
}

/// Whether `line` contains `path.ext:LINE` (optionally `:COL`) or Python's `File "x", line N`.
fn has_location(line: &str) -> bool {
    if line.contains("File \"") && line.contains(", line ") {
        return true;
    }
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c != b':' || i == 0 || !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        // Walk back over the path: it must contain a '.' extension right before the colon.
        let start = b[..i]
            .iter()
            .rposition(|&x| !(x.is_ascii_alphanumeric() || b"._/\\-+".contains(&x)))
            .map_or(0, |p| p + 1);
        let path = &line[start..i];
        if let Some(dot) = path.rfind('.') {
            let ext = &path[dot + 1..];
            if !ext.is_empty()
                && ext.len() <= 5
                && ext.bytes().all(|x| x.is_ascii_alphanumeric())
                && dot > 0
            {
                return true;
            }
        }
    }
    false
}

fn shorten(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        return line.to_string();
    }
    let keep: String = line.chars().take(max).collect();
    let rest = line.chars().count() - max;
    format!("{keep} … (+{rest} chars)")
}

/// Render with `head`/`tail` and at most `matched` interesting lines (errors first, then
/// warnings and locations; earliest first within a rank).
fn render(
    lines: &[&str],
    ranks: &[u8],
    head: usize,
    tail: usize,
    matched: usize,
    cfg: &ReduceConfig,
) -> (String, usize) {
    let n = lines.len();
    let mut keep = vec![false; n];
    for k in keep.iter_mut().take(head.min(n)) {
        *k = true;
    }
    for k in keep.iter_mut().skip(n.saturating_sub(tail)) {
        *k = true;
    }
    let mut budget = matched;
    for want in [2u8, 1] {
        for (i, &r) in ranks.iter().enumerate() {
            if budget == 0 {
                break;
            }
            if r == want && !keep[i] {
                keep[i] = true;
                budget -= 1;
            }
        }
    }
    let mut out = String::new();
    let mut gap = 0usize;
    let mut dropped = 0usize;
    for (i, line) in lines.iter().enumerate() {
        if keep[i] {
            if gap > 0 {
                out.push_str(&format!("⋮ {gap} lines dropped\n"));
                gap = 0;
            }
            out.push_str(&shorten(line, cfg.max_line_chars));
            out.push('\n');
        } else {
            gap += 1;
            dropped += 1;
        }
    }
    if gap > 0 {
        out.push_str(&format!("⋮ {gap} lines dropped\n"));
    }
    if dropped > 0 {
        out.push_str(&format!(
            "[output reduced: {dropped} of {n} lines dropped]\n"
        ));
    }
    (out, dropped)
}

/// Reduce `text` to at most `limit` model tokens (as counted through `cal`).
///
/// Short output that fits is returned unchanged (apart from over-long lines). Otherwise the
/// interesting lines are capped first, then the tail, then the head, halving each time, until
/// the result fits; if even a bare marker does not fit, the result is empty.
pub fn reduce(text: &str, limit: usize, cfg: &ReduceConfig, cal: &Calibration) -> Reduced {
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len();
    let ranks: Vec<u8> = lines.iter().map(|l| rank(l)).collect();
    let (mut head, mut tail, mut matched) = (n, 0, 0);
    // Output far larger than the limit (over 8 bytes per token of room; logs average 3–4) goes
    // straight to reduction without counting the whole of it.
    if text.len() > limit.saturating_mul(8) {
        (head, tail, matched) = (cfg.head.min(n), cfg.tail.min(n), n);
    }
    let mut switched = head != n;
    loop {
        let (out, dropped) = render(&lines, &ranks, head, tail, matched, cfg);
        let tokens = cal.count(&out);
        if tokens <= limit {
            if dropped > 0 {
                tracing::debug!("[budget] reduced tool output: {dropped} of {n} lines dropped to fit {limit} tokens");
            }
            return Reduced {
                text: out,
                total_lines: n,
                dropped_lines: dropped,
                tokens,
            };
        }
        if !switched {
            // The whole output does not fit: switch to head + tail + interesting lines. Once
            // only: with n <= cfg.head this changes nothing, and the halving below must run.
            switched = true;
            (head, tail, matched) = (cfg.head.min(n), cfg.tail.min(n), n);
        } else if matched > 8 {
            matched /= 2;
        } else if tail > 4 {
            tail /= 2;
        } else if head > 2 {
            head /= 2;
        } else if matched > 0 {
            matched -= 1;
        } else if tail > 0 {
            tail -= 1;
        } else if head > 0 {
            head -= 1;
        } else {
            let marker = format!("[output reduced: all {n} lines dropped]\n");
            let tokens = cal.count(&marker);
            if tokens <= limit {
                return Reduced {
                    text: marker,
                    total_lines: n,
                    dropped_lines: n,
                    tokens,
                };
            }
            return Reduced {
                text: String::new(),
                total_lines: n,
                dropped_lines: n,
                tokens: 0,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calibration {
        Calibration::new(1.0, 0.0)
    }

    fn cargo_log() -> String {
        let mut s = String::from("   Compiling smallcode v0.1.0 (/work/main)\n");
        for i in 0..300 {
            s.push_str(&format!("   Compiling dep{i} v1.0.{i}\n"));
        }
        s.push_str("error[E0308]: mismatched types\n --> crates/core/src/budget/assemble.rs:42:17\n   |\n42 |     let x: usize = \"a\";\n   |            -----   ^^^ expected `usize`, found `&str`\n   |\n");
        for i in 0..100 {
            s.push_str(&format!("   Compiling late{i} v0.{i}.0\n"));
        }
        s.push_str("warning: unused variable: `y`\n  --> src/main.rs:7:9\n");
        s.push_str("error: could not compile `smallcode` (lib) due to 1 previous error; 1 warning emitted\n");
        s
    }

    /// Regression: a few long lines over the limit (n <= head) looped forever and froze a
    /// benchmark run (the model had written a 400-character line into a compiler error).
    #[test]
    fn few_long_lines_over_the_limit_terminate() {
        let line = "error: ".to_string() + &"x_non_empty ".repeat(60);
        let text = format!("{line}\n{line}\n{line}\n");
        let r = reduce(&text, 30, &ReduceConfig::default(), &cal());
        assert!(r.tokens <= 30, "{r:?}");
        assert!(r.dropped_lines >= 1);
    }

    #[test]
    fn short_output_is_unchanged() {
        let r = reduce("ok\nall good\n", 100, &ReduceConfig::default(), &cal());
        assert_eq!(r.text, "ok\nall good\n");
        assert_eq!(r.dropped_lines, 0);
    }

    #[test]
    fn cargo_errors_and_locations_survive() {
        let log = cargo_log();
        let r = reduce(&log, 400, &ReduceConfig::default(), &cal());
        assert!(r.tokens <= 400, "{}", r.tokens);
        assert!(r.text.contains("error[E0308]: mismatched types"));
        assert!(r
            .text
            .contains("--> crates/core/src/budget/assemble.rs:42:17"));
        assert!(r.text.contains("could not compile"));
        assert!(r.text.contains("lines dropped"));
        assert!(r.text.contains("Compiling smallcode"), "head kept");
        assert!(
            !r.text.contains("Compiling dep150 "),
            "middle noise dropped"
        );
        assert!(r.dropped_lines > 300);
        assert_eq!(
            r.text,
            reduce(&log, 400, &ReduceConfig::default(), &cal()).text,
            "deterministic"
        );
    }

    #[test]
    fn gcc_and_pytest_lines_are_found() {
        let mut log = String::from("gcc -O2 -c foo.c\n");
        for i in 0..200 {
            log.push_str(&format!("note: expanded macro {i}\n"));
        }
        log.push_str("foo.c:12:5: error: implicit declaration of function 'bar'\n");
        for i in 0..200 {
            log.push_str(&format!("tests/test_x.py::test_{i} PASSED\n"));
        }
        log.push_str("    def test_add():\n>       assert add(1, 2) == 4\nE       assert 3 == 4\n\ntests/test_add.py:5: AssertionError\n");
        log.push_str("FAILED tests/test_add.py::test_add - assert 3 == 4\n");
        for i in 0..100 {
            log.push_str(&format!("filler {i}\n"));
        }
        log.push_str("==== 1 failed, 200 passed in 0.52s ====\n");
        let cfg = ReduceConfig {
            head: 2,
            tail: 2,
            ..ReduceConfig::default()
        };
        let r = reduce(&log, 300, &cfg, &cal());
        assert!(r.text.contains("foo.c:12:5: error: implicit declaration"));
        assert!(r.text.contains("E       assert 3 == 4"));
        assert!(r.text.contains("tests/test_add.py:5: AssertionError"));
        assert!(r.text.contains("FAILED tests/test_add.py::test_add"));
        assert!(r.text.contains("1 failed, 200 passed"));
        assert!(!r.text.contains("filler 50"));
    }

    #[test]
    fn locations_are_recognised() {
        assert!(has_location(" --> src/main.rs:4:5"));
        assert!(has_location("foo.c:12: warning"));
        assert!(has_location("  File \"x.py\", line 3, in <module>"));
        assert!(!has_location("time: 12:30"));
        assert!(!has_location("http://localhost:8080"));
    }

    #[test]
    fn always_fits_even_tiny_limits() {
        let log = cargo_log();
        for limit in [0, 1, 5, 20, 60, 150] {
            let r = reduce(&log, limit, &ReduceConfig::default(), &cal());
            assert!(r.tokens <= limit, "limit {limit}: {}", r.tokens);
        }
    }

    #[test]
    fn long_lines_are_marked_not_silently_cut() {
        let line = "x".repeat(1000);
        let r = reduce(&line, 10_000, &ReduceConfig::default(), &cal());
        assert!(r.text.contains("… (+600 chars)"));
    }
}
