//! Results: one row per trial, pass@1 with Wilson 95% intervals, CSV + markdown + SVG chart.

use std::collections::BTreeMap;
use std::fmt::Write;

/// One trial of one task in one mode.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// Task folder name.
    pub task: String,
    /// `harness` or `naive`.
    pub mode: String,
    /// Trial number from 1.
    pub trial: u32,
    /// Every check up to the last round passed.
    pub passed: bool,
    /// Tier from task.toml.
    pub tier: u32,
    /// Category from task.toml.
    pub category: String,
    /// Language from task.toml.
    pub language: String,
    /// Model calls.
    pub rounds: u32,
    /// Prompt tokens.
    pub tokens_in: u64,
    /// Generated tokens.
    pub tokens_out: u64,
    /// Prompt tokens served from the KV cache.
    pub cached_tokens: u64,
    /// Tool calls / edits.
    pub tool_calls: u32,
    /// Repairs.
    pub repairs: u32,
    /// Decompositions.
    pub decompositions: u32,
    /// Escalations.
    pub escalations: u32,
    /// Wall time of the agent, ms.
    pub wall_ms: u64,
    /// Why the agent stopped / what the check said.
    pub note: String,
}

impl Row {
    /// Adds one agent run's counters (a multi-round task runs the agent once per round).
    pub fn add_run(&mut self, r: &smallcode_agent::Report) {
        self.rounds += r.rounds;
        self.tokens_in += r.tokens_in;
        self.tokens_out += r.tokens_out;
        self.cached_tokens += r.cached_tokens;
        self.tool_calls += r.tool_calls;
        self.repairs += r.repairs;
        self.decompositions += r.decompositions;
        self.escalations += r.escalations;
        self.wall_ms += r.wall_ms;
    }
}

/// Wilson score interval (95%) for `k` successes in `n` trials, as fractions.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let z = 1.96_f64;
    let (n, p) = (n as f64, k as f64 / n as f64);
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

fn median(mut v: Vec<u64>) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[v.len() / 2]
}

/// CSV with a header; at least `task,mode,trial,passed` first.
pub fn csv(rows: &[Row]) -> String {
    let mut s = format!("{CSV_HEADER}\n");
    for r in rows {
        let _ = writeln!(s, "{}", csv_line(r));
    }
    s
}

/// The header line of [`csv`], also written first by the runner's progressive file.
pub const CSV_HEADER: &str = "task,mode,trial,passed,tier,category,language,rounds,tokens_in,tokens_out,cached_tokens,tool_calls,repairs,decompositions,escalations,wall_ms,note";

/// One row as a CSV line (no newline), the format [`parse_csv`] reads back.
pub fn csv_line(r: &Row) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"",
        r.task,
        r.mode,
        r.trial,
        r.passed,
        r.tier,
        r.category,
        r.language,
        r.rounds,
        r.tokens_in,
        r.tokens_out,
        r.cached_tokens,
        r.tool_calls,
        r.repairs,
        r.decompositions,
        r.escalations,
        r.wall_ms,
        r.note.replace('"', "'")
    )
}

/// Reads rows back from a `results.csv` this runner wrote, so runs made at different times
/// (modes, models, peers) can be reported and charted together. Errors name the line.
pub fn parse_csv(text: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 && line.starts_with("task,") || line.trim().is_empty() {
            continue;
        }
        // The note is the 17th column, quoted by this runner; a spreadsheet or script that
        // rewrote the file may have left it unquoted.
        let (head, note) = match line.find(",\"") {
            Some(at) => (&line[..at], line[at + 2..].trim_end_matches('"')),
            None => match line.match_indices(',').nth(15) {
                Some((at, _)) => (&line[..at], &line[at + 1..]),
                None => (line, ""),
            },
        };
        let f: Vec<&str> = head.split(',').collect();
        if f.len() != 16 {
            return Err(format!(
                "line {}: expected 17 columns ({CSV_HEADER}), found {}",
                i + 1,
                f.len() + 1
            ));
        }
        let num = |k: usize| -> Result<u64, String> {
            f[k].parse().map_err(|_| {
                format!(
                    "line {}: column {} is not a number: {:?}",
                    i + 1,
                    k + 1,
                    f[k]
                )
            })
        };
        rows.push(Row {
            task: f[0].to_string(),
            mode: f[1].to_string(),
            trial: num(2)? as u32,
            passed: match f[3] {
                "true" => true,
                "false" => false,
                other => {
                    return Err(format!(
                        "line {}: passed must be true/false, not {other:?}",
                        i + 1
                    ))
                }
            },
            tier: num(4)? as u32,
            category: f[5].to_string(),
            language: f[6].to_string(),
            rounds: num(7)? as u32,
            tokens_in: num(8)?,
            tokens_out: num(9)?,
            cached_tokens: num(10)?,
            tool_calls: num(11)? as u32,
            repairs: num(12)? as u32,
            decompositions: num(13)? as u32,
            escalations: num(14)? as u32,
            wall_ms: num(15)?,
            note: note.to_string(),
        });
    }
    Ok(rows)
}

/// A group's pass count and totals.
#[derive(Default, Clone)]
struct Agg {
    n: usize,
    k: usize,
    wall: Vec<u64>,
    tokens: u64,
    tokens_solved: u64,
    cached: u64,
    tool_calls: u64,
    repairs: u64,
    decompositions: u64,
    escalations: u64,
}

fn aggregate<'a>(rows: impl Iterator<Item = &'a Row>) -> Agg {
    let mut a = Agg::default();
    for r in rows {
        a.n += 1;
        a.k += usize::from(r.passed);
        a.wall.push(r.wall_ms);
        a.tokens += r.tokens_in + r.tokens_out;
        if r.passed {
            a.tokens_solved += r.tokens_in + r.tokens_out;
        }
        a.cached += r.cached_tokens;
        a.tool_calls += u64::from(r.tool_calls);
        a.repairs += u64::from(r.repairs);
        a.decompositions += u64::from(r.decompositions);
        a.escalations += u64::from(r.escalations);
    }
    a
}

fn rate(a: &Agg) -> String {
    if a.n == 0 {
        return "—".into();
    }
    let (lo, hi) = wilson(a.k, a.n);
    format!(
        "{}/{} = {:.0}% [{:.0}–{:.0}%]",
        a.k,
        a.n,
        100.0 * a.k as f64 / a.n.max(1) as f64,
        100.0 * lo,
        100.0 * hi
    )
}

/// The markdown report: pass@1 per mode, per tier and per category, plus costs.
pub fn markdown(rows: &[Row], title: &str) -> String {
    let mut s = format!("# {title}\n\n");
    let modes: Vec<String> = {
        let mut m: Vec<String> = rows.iter().map(|r| r.mode.clone()).collect();
        m.sort();
        m.dedup();
        m
    };
    s.push_str("| mode | pass@1 (Wilson 95%) | median wall s | tokens / solved task | cached prompt tokens | tool calls | repairs | decompositions | escalations |\n|---|---|---|---|---|---|---|---|---|\n");
    for m in &modes {
        let a = aggregate(rows.iter().filter(|r| &r.mode == m));
        let per_solved = if a.k > 0 {
            (a.tokens as f64 / a.k as f64).round().to_string()
        } else {
            "—".into()
        };
        let _ = writeln!(
            s,
            "| {m} | {} | {:.1} | {per_solved} | {} | {} | {} | {} | {} |",
            rate(&a),
            median(a.wall.clone()) as f64 / 1000.0,
            a.cached,
            a.tool_calls,
            a.repairs,
            a.decompositions,
            a.escalations
        );
    }
    for (label, key) in [("tier", 0), ("category", 1), ("language", 2)] {
        let _ = writeln!(
            s,
            "\n## By {label}\n\n| {label} | {} |\n|---|{}",
            modes.join(" | "),
            "---|".repeat(modes.len())
        );
        let mut groups: BTreeMap<String, ()> = BTreeMap::new();
        for r in rows {
            groups.insert(group_key(r, key), ());
        }
        for g in groups.keys() {
            let cells: Vec<String> = modes
                .iter()
                .map(|m| {
                    rate(&aggregate(
                        rows.iter()
                            .filter(|r| &r.mode == m && &group_key(r, key) == g),
                    ))
                })
                .collect();
            let _ = writeln!(s, "| {g} | {} |", cells.join(" | "));
        }
    }
    s.push_str(&calibration(rows, &modes));
    s
}

/// What the agent claimed about a trial's change, read from its note: `verified`, `checked`,
/// `unverified` for labelled runs; a run from before labels that ended with its checks passing
/// claimed the change verified ("checks pass; applied …" / "PASS"); `None` when nothing landed.
pub fn claimed(r: &Row) -> Option<&'static str> {
    // The runner's note is "<what the hidden check said>; agent: <the agent's outcome>".
    let n = r
        .note
        .split_once("agent: ")
        .map_or(r.note.as_str(), |(_, agent)| agent);
    if !n.starts_with("checks pass") {
        return None;
    }
    for l in ["unverified", "verified", "checked"] {
        if n.contains(&format!("; {l}: ")) || n.contains(&format!("only {l}: ")) {
            return Some(l);
        }
    }
    Some("verified")
}

/// The calibration table: for changes that landed, by the label the agent gave them, how many
/// the hidden check found wrong. A wrong change labelled verified is the number that must be 0.
fn calibration(rows: &[Row], modes: &[String]) -> String {
    let mut s = String::from(
        "\n## Calibration: landed changes by label, and how many the hidden check found wrong\n\n| mode | label | landed | wrong |\n|---|---|---|---|\n",
    );
    for m in modes {
        for l in ["verified", "checked", "unverified"] {
            let landed: Vec<&Row> = rows
                .iter()
                .filter(|r| &r.mode == m && claimed(r) == Some(l))
                .collect();
            if landed.is_empty() {
                continue;
            }
            let wrong = landed.iter().filter(|r| !r.passed).count();
            let _ = writeln!(s, "| {m} | {l} | {} | {wrong} |", landed.len());
        }
    }
    s
}

fn group_key(r: &Row, key: u8) -> String {
    match key {
        0 => format!("tier {}", r.tier),
        1 => r.category.clone(),
        _ => r.language.clone(),
    }
}

/// A bar chart (SVG) of pass@1 per tier for each mode, with interval whiskers.
pub fn svg(rows: &[Row], title: &str) -> String {
    let mut modes: Vec<String> = rows.iter().map(|r| r.mode.clone()).collect();
    modes.sort();
    modes.dedup();
    let mut tiers: Vec<u32> = rows.iter().map(|r| r.tier).collect();
    tiers.sort_unstable();
    tiers.dedup();
    let colors = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759"];
    let (w, h, top, left, bottom) = (640.0, 320.0, 40.0, 50.0, 40.0);
    let plot_h = h - top - bottom;
    let group_w = (w - left - 20.0) / tiers.len().max(1) as f64;
    let bar_w = group_w * 0.8 / modes.len().max(1) as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"20\" font-size=\"14\">{}</text>\n",
        xml(title)
    );
    for pct in [0, 25, 50, 75, 100] {
        let y = top + plot_h * (1.0 - pct as f64 / 100.0);
        let _ = writeln!(s, "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"10\" y=\"{}\">{pct}%</text>", w - 20.0, y + 4.0);
    }
    for (ti, tier) in tiers.iter().enumerate() {
        let gx = left + ti as f64 * group_w + group_w * 0.1;
        for (mi, m) in modes.iter().enumerate() {
            let a = aggregate(rows.iter().filter(|r| &r.mode == m && r.tier == *tier));
            let p = a.k as f64 / a.n.max(1) as f64;
            let (lo, hi) = wilson(a.k, a.n);
            let x = gx + mi as f64 * bar_w;
            let bh = plot_h * p;
            let _ = writeln!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{}\"/><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\"/>",
                top + plot_h - bh,
                bar_w * 0.9,
                colors[mi % colors.len()],
                x + bar_w * 0.45,
                x + bar_w * 0.45,
                top + plot_h * (1.0 - lo),
                top + plot_h * (1.0 - hi)
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\">tier {tier}</text>",
            gx + group_w * 0.3,
            h - 15.0
        );
    }
    for (mi, m) in modes.iter().enumerate() {
        let _ = writeln!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            w - 150.0,
            top + mi as f64 * 16.0,
            colors[mi % colors.len()],
            w - 135.0,
            top + 9.0 + mi as f64 * 16.0,
            xml(m)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trips_and_bad_lines_name_the_line() {
        let row = Row {
            task: "py-t1-x".into(),
            mode: "aider".into(),
            trial: 2,
            passed: true,
            tier: 1,
            category: "fix-test".into(),
            language: "python".into(),
            rounds: 3,
            tokens_in: 1200,
            tokens_out: 80,
            cached_tokens: 900,
            tool_calls: 1,
            repairs: 0,
            decompositions: 1,
            escalations: 0,
            wall_ms: 4242,
            note: "round 1: check 1 failed, \"quoted\"".into(),
        };
        let back = parse_csv(&csv(std::slice::from_ref(&row))).unwrap();
        let mut want = row.clone();
        want.note = want.note.replace('"', "'");
        assert_eq!(back, vec![want]);
        let e = parse_csv("task,mode\nx,harness,1,maybe,1,a,b,1,1,1,1,1,1,1,1,1,\"\"").unwrap_err();
        assert!(e.contains("line 2") && e.contains("true/false"), "{e}");
        assert!(parse_csv("x,y,z").unwrap_err().contains("17 columns"));
        // An unquoted note (a CSV rewritten by another tool) is read too.
        let plain =
            parse_csv("t,naive,2,false,1,fix-test,c,1,5,6,0,0,0,0,0,900,checks pass; ok").unwrap();
        assert_eq!(
            (plain[0].trial, plain[0].note.as_str()),
            (2, "checks pass; ok")
        );
    }

    #[test]
    fn claimed_labels_are_read_from_the_note() {
        let row = |note: &str, passed: bool| Row {
            task: "t".into(),
            mode: "harness".into(),
            trial: 1,
            passed,
            tier: 1,
            category: "by-example".into(),
            language: "python".into(),
            rounds: 1,
            tokens_in: 0,
            tokens_out: 0,
            cached_tokens: 0,
            tool_calls: 0,
            repairs: 0,
            decompositions: 0,
            escalations: 0,
            wall_ms: 0,
            note: note.into(),
        };
        let v = row(
            "checks pass; verified: `slug` executed by request 1; applied slug.py",
            true,
        );
        let c = row(
            "checks pass; checked: syntax/compile checks only: x; applied a.py",
            false,
        );
        let old = row(
            "round 1: check 1 failed (Some(1)): FAIL x; agent: checks pass; applied calc.py",
            false,
        );
        let fail = row("not solved: checks still fail", false);
        assert_eq!(claimed(&v), Some("verified"));
        assert_eq!(claimed(&c), Some("checked"));
        assert_eq!(
            claimed(&old),
            Some("verified"),
            "before labels, passing meant verified"
        );
        assert_eq!(claimed(&fail), None);
        let md = markdown(&[v, c, old, fail], "t");
        assert!(md.contains("| harness | verified | 2 | 1 |"), "{md}");
        assert!(md.contains("| harness | checked | 1 | 1 |"), "{md}");
    }

    #[test]
    fn wilson_matches_known_values() {
        let (lo, hi) = wilson(5, 10);
        assert!(
            (lo - 0.2366).abs() < 1e-3 && (hi - 0.7634).abs() < 1e-3,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 10);
        assert!(lo == 0.0 && (hi - 0.2775).abs() < 1e-3);
        assert_eq!(wilson(0, 0), (0.0, 0.0));
    }
}
