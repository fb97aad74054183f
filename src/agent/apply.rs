//! Turning a model reply into staged file changes.
//!
//! The reply's fenced code blocks are the edit. A block is mapped onto a target file by the
//! names of the definitions it contains: each same-named definition in the file is replaced
//! whole; definitions the file doesn't have and any prose or stray code are dropped (a 135M model
//! often writes the right function and then invents three more). A block that holds most of a
//! small file's definitions, or a file without definitions, replaces the whole file.

use super::context::{definitions, Target};
use super::workspace::Workspace;

/// What applying one reply did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Targets whose staged text changed.
    pub changed: Vec<String>,
    /// Human-readable steps (`staged calc.py: replaced add; dropped main`).
    pub notes: Vec<String>,
    /// Format repairs (unclosed fence, dropped rambling).
    pub repairs: u32,
    /// The reply repeats a target's current code unchanged.
    pub repeated: bool,
}

/// A fenced block of the reply: language tag (may be empty) and code.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The fence's info string.
    pub lang: String,
    /// The code inside.
    pub code: String,
    /// The block was not closed (reply cut by `max_tokens` or rambling).
    pub unclosed: bool,
}

/// Fenced blocks of `text` in order; an unclosed last block counts (marked `unclosed`).
pub fn code_blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur: Option<(String, Vec<&str>, &str)> = None;
    for line in text.lines() {
        let t = line.trim_start();
        match &mut cur {
            None => {
                for fence in ["```", "~~~"] {
                    if let Some(info) = t.strip_prefix(fence) {
                        cur = Some((info.trim().to_string(), Vec::new(), fence));
                        break;
                    }
                }
            }
            Some((lang, lines, fence)) => {
                if t.starts_with(*fence) && t.trim_end() == *fence {
                    out.push(Block {
                        lang: std::mem::take(lang),
                        code: lines.join("\n"),
                        unclosed: false,
                    });
                    cur = None;
                } else {
                    lines.push(line);
                }
            }
        }
    }
    if let Some((lang, lines, _)) = cur {
        if !lines.is_empty() {
            out.push(Block {
                lang,
                code: lines.join("\n"),
                unclosed: true,
            });
        }
    }
    out
}

/// Maps the reply onto the targets and stages the results in `ws`.
pub fn apply_reply(
    ws: &mut Workspace,
    targets: &[Target],
    reply: &str,
    narrowed: Option<&(usize, String)>,
) -> Applied {
    let mut applied = Applied::default();
    let blocks = code_blocks(reply);
    for block in blocks.iter().filter(|b| !b.code.trim().is_empty()) {
        if block.unclosed {
            applied.repairs += 1;
        }
        let candidates: Vec<usize> = match narrowed {
            Some((i, _)) => vec![*i],
            None => (0..targets.len()).collect(),
        };
        for i in candidates {
            let t = &targets[i];
            if !block.lang.is_empty() && !t.fence.is_empty() && !fence_matches(&block.lang, t.fence)
            {
                continue;
            }
            let Ok(old) = ws.read(&t.path) else { continue };
            let Some((new, note, repairs)) = merge(&t.rel, &old, &block.code) else {
                continue;
            };
            if new == old {
                applied.repeated = true;
                applied
                    .notes
                    .push(format!("{}: the reply repeats the current code", t.rel));
                break;
            }
            if let Err(e) = ws.stage(&t.path, new.clone()) {
                applied
                    .notes
                    .push(format!("could not stage {}: {e}", t.rel));
                break;
            }
            applied.repairs += repairs;
            applied.notes.push(format!(
                "staged {}: {note} ({})",
                t.rel,
                line_delta(&old, &new)
            ));
            if !applied.changed.contains(&t.rel) {
                applied.changed.push(t.rel.clone());
            }
            break;
        }
    }
    if blocks.is_empty() {
        applied.notes.push("the reply has no code block".into());
    }
    applied
}

fn fence_matches(lang: &str, fence: &str) -> bool {
    let l = lang
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    l == fence
        || matches!(
            (l.as_str(), fence),
            ("py" | "python3", "python")
                | ("rs", "rust")
                | ("js" | "node", "javascript")
                | ("ts", "typescript")
                | ("h", "c")
                | ("c++" | "cc", "cpp")
        )
}

fn line_delta(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let (mut add, mut del) = (0, 0);
    for c in diff.iter_all_changes() {
        match c.tag() {
            similar::ChangeTag::Insert => add += 1,
            similar::ChangeTag::Delete => del += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    format!("+{add} -{del} lines")
}

/// Merges `code` into `old`: returns the new text, a note and the number of repairs, or `None`
/// when the block has nothing to do with this file.
fn merge(rel: &str, old: &str, code: &str) -> Option<(String, String, u32)> {
    let file_defs = definitions(rel, old);
    let block_defs = definitions(rel, code);
    let keep_newline = |s: String| {
        if old.ends_with('\n') && !s.ends_with('\n') {
            s + "\n"
        } else {
            s
        }
    };
    if file_defs.is_empty() {
        return Some((
            keep_newline(code.to_string()),
            "replaced the whole file".into(),
            0,
        ));
    }
    let known: Vec<&str> = file_defs.iter().map(|d| d.name.as_str()).collect();
    let matching: Vec<_> = block_defs
        .iter()
        .filter(|d| known.contains(&d.name.as_str()))
        .collect();
    if matching.is_empty() {
        return None;
    }
    let distinct_file: std::collections::BTreeSet<&str> = known.iter().copied().collect();
    let distinct_hit: std::collections::BTreeSet<&str> =
        matching.iter().map(|d| d.name.as_str()).collect();
    let old_lines = old.lines().count();
    if distinct_hit.len() * 2 > distinct_file.len() && distinct_file.len() > 1 && old_lines < 150 {
        return Some((
            keep_newline(code.to_string()),
            "replaced the whole file".into(),
            0,
        ));
    }
    // Replace each matched outermost definition by the block's version (bottom-up by row).
    let code_lines: Vec<&str> = code.lines().collect();
    let mut lines: Vec<String> = old.lines().map(str::to_string).collect();
    let outermost = |defs: &[&super::context::Definition], d: &super::context::Definition| {
        !defs
            .iter()
            .any(|o| o.rows.0 <= d.rows.0 && d.rows.1 <= o.rows.1 && o.rows != d.rows)
    };
    let block_top: Vec<&super::context::Definition> = matching.to_vec();
    let mut replacements = Vec::new();
    for bd in block_top.iter().filter(|d| outermost(&block_top, d)) {
        let candidates: Vec<_> = file_defs.iter().filter(|fd| fd.name == bd.name).collect();
        if candidates.len() != 1 {
            continue; // ambiguous or missing: never guess the place
        }
        let fd = candidates[0];
        let body: Vec<String> = code_lines[bd.rows.0..=bd.rows.1.min(code_lines.len() - 1)]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let body = reindent(
            &body,
            indent_of(lines.get(fd.rows.0).map_or("", |s| s.as_str())),
        );
        replacements.push((fd.rows, body, bd.name.clone()));
    }
    if replacements.is_empty() {
        return None;
    }
    replacements.sort_by_key(|r| std::cmp::Reverse(r.0 .0));
    let mut names = Vec::new();
    for ((start, end), body, name) in replacements {
        let end = end.min(lines.len().saturating_sub(1));
        lines.splice(start..=end, body);
        names.push(name);
    }
    let dropped: Vec<&str> = block_defs
        .iter()
        .filter(|d| !known.contains(&d.name.as_str()))
        .map(|d| d.name.as_str())
        .collect();
    let mut note = format!("replaced {}", names.join(", "));
    let repairs = u32::from(!dropped.is_empty());
    if !dropped.is_empty() {
        note.push_str(&format!("; dropped {}", dropped.join(", ")));
    }
    let mut text = lines.join("\n");
    if old.ends_with('\n') {
        text.push('\n');
    }
    Some((text, note, repairs))
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// Re-bases a block's indentation so its first line starts at `indent`.
fn reindent(body: &[String], indent: &str) -> Vec<String> {
    let first = body.first().map_or("", |l| indent_of(l)).to_string();
    if first == indent {
        return body.to_vec();
    }
    body.iter()
        .map(|l| match l.strip_prefix(first.as_str()) {
            Some(rest) if !l.trim().is_empty() => format!("{indent}{rest}"),
            _ => l.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_closed_and_unclosed() {
        let b = code_blocks("text\n```python\ndef f():\n    pass\n```\nmore\n```\nx\n");
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].lang, "python");
        assert!(!b[0].unclosed && b[1].unclosed);
    }

    #[test]
    fn function_replaced_and_rambling_dropped() {
        let old = "def add(a, b):\n    return a - b\n\n\ndef mean(v):\n    return sum(v) / len(v)\n\n\nprint(add(1, 2))\n";
        let reply = "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n";
        let (new, note, repairs) = merge("calc.py", old, reply).unwrap();
        assert_eq!(
            new,
            "def add(a, b):\n    return a + b\n\n\ndef mean(v):\n    return sum(v) / len(v)\n\n\nprint(add(1, 2))\n"
        );
        assert!(
            note.contains("replaced add") && note.contains("dropped sub"),
            "{note}"
        );
        assert_eq!(repairs, 1);
    }

    #[test]
    fn method_reindented_into_class() {
        let old = "class C:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n\n\ndef h():\n    pass\n";
        let reply = "def f(self):\n    return 3\n";
        let (new, _, _) = merge("c.py", old, reply).unwrap();
        assert!(
            new.contains("    def f(self):\n        return 3\n"),
            "{new}"
        );
        assert!(new.contains("def g(self)"));
    }

    #[test]
    fn unrelated_block_is_not_applied() {
        assert!(merge(
            "a.py",
            "def a():\n    pass\n\ndef b():\n    pass\n",
            "def z():\n    pass\n"
        )
        .is_none());
    }
}
#[cfg(test)]
mod demo_case {
    #[test]
    fn demo_calc_add() {
        let old =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/calc.py")).unwrap();
        let (new, note, _) =
            super::merge("calc.py", &old, "def add(a, b):\n    return a + b").unwrap();
        println!("{note}\n{new}");
        assert!(
            new.contains("def add(a, b):\n    return a + b\n\n\ndef mean"),
            "{new}"
        );
    }
}
