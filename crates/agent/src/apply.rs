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
    /// Why a reply's edit was refused before staging, in words for the model's next round.
    pub refused: Option<String>,
}

/// Maps the reply onto the targets and stages the results in `ws`.
pub fn apply_reply(
    ws: &mut Workspace,
    targets: &[Target],
    reply: &str,
    narrowed: Option<&(usize, String)>,
) -> Applied {
    let mut applied = Applied::default();
    let blocks: Vec<(String, Option<String>, String, bool)> =
        smallcode_core::edit::blocks::parse(reply)
            .into_iter()
            .filter_map(|b| match b {
                smallcode_core::edit::blocks::Block::Code {
                    lang,
                    path,
                    code,
                    closed,
                    ..
                } => Some((lang.unwrap_or_default(), path, code, closed)),
                _ => None,
            })
            .collect();
    for (lang, path, code, closed) in blocks.iter().filter(|b| !b.2.trim().is_empty()) {
        if !closed {
            applied.repairs += 1;
        }
        let candidates: Vec<usize> = match narrowed {
            Some((i, _)) => vec![*i],
            None => (0..targets.len()).collect(),
        };
        for i in candidates {
            let t = &targets[i];
            if path
                .as_deref()
                .is_some_and(|p| !t.rel.ends_with(p) && !p.ends_with(&t.rel))
            {
                continue;
            }
            if !lang.is_empty() && !t.fence.is_empty() && !fence_matches(lang, t.fence) {
                continue;
            }
            let Ok(old) = ws.read(&t.path) else { continue };
            let Some((new, note, repairs)) = merge(&t.rel, &old, code) else {
                applied.notes.push(format!(
                    "{}: the reply's code matches no definition there",
                    t.rel
                ));
                continue;
            };
            if new == old {
                applied.repeated = true;
                applied
                    .notes
                    .push(format!("{}: the reply repeats the current code", t.rel));
                break;
            }
            let refusal = hardcoded_result(&old, &new)
                .map(|lit| {
                    format!(
                        "The reply returns the constant `{lit}` where the code computed a value \
                         (it would only satisfy the one test case)."
                    )
                })
                .or_else(|| {
                    lost_result(&t.rel, &old, &new).map(|name| {
                        format!(
                            "`{name}` no longer returns its result: the code before had a \
                             `return` with a value, the reply has none."
                        )
                    })
                });
            if let Some(why) = refusal {
                applied.notes.push(format!("{}: refused: {why}", t.rel));
                applied.refused = Some(why);
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

/// A small model asked to make a failing test pass often "fixes" `w + h` by returning the
/// expected `12`. When the only new line is a bare literal (optionally `return`ed) and it
/// replaces code that computed something, the edit is a test-fitting constant, not a fix.
fn hardcoded_result(old: &str, new: &str) -> Option<String> {
    let diff = similar::TextDiff::from_lines(old, new);
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for c in diff.iter_all_changes() {
        let line = c.value().trim();
        if line.is_empty() {
            continue;
        }
        match c.tag() {
            similar::ChangeTag::Insert => added.push(line.to_string()),
            similar::ChangeTag::Delete => removed.push(line.to_string()),
            similar::ChangeTag::Equal => {}
        }
    }
    let [line] = added.as_slice() else {
        return None;
    };
    let computed = |l: &str| literal(l).is_none() && l.chars().any(|c| c.is_alphabetic());
    let lit = literal(line)?;
    removed.iter().any(|l| computed(l)).then(|| lit.to_string())
}

/// A small model's body often stops early (`total = 0`, then a stop sequence or stray top-level
/// code), which parses and passes a test that only calls the function. A definition that had a
/// `return` with a value and now has no `return` or `yield` at all has lost its result, not been
/// fixed. Rust (tail expressions) and bodies turned into arrow functions are not judged.
fn lost_result(rel: &str, old: &str, new: &str) -> Option<String> {
    if rel.ends_with(".rs") {
        return None;
    }
    let text_of = |text: &str, rows: (usize, usize)| -> Vec<String> {
        text.lines()
            .skip(rows.0)
            .take(rows.1 + 1 - rows.0)
            .map(|l| l.trim().to_string())
            .collect()
    };
    let returns_value = |l: &String| {
        l.strip_prefix("return").is_some_and(|r| {
            r.starts_with([' ', '(']) && !r.trim().trim_end_matches(';').is_empty()
        })
    };
    let any_exit = |l: &String| l.starts_with("return") || l.starts_with("yield");
    let before = definitions(rel, old);
    definitions(rel, new).into_iter().find_map(|d| {
        let was = before.iter().find(|b| b.name == d.name)?;
        let (old_lines, new_lines) = (text_of(old, was.rows), text_of(new, d.rows));
        (old_lines != new_lines
            && old_lines.iter().any(returns_value)
            && !new_lines.iter().any(any_exit)
            && !new_lines.iter().any(|l| l.contains("=>")))
        .then_some(d.name)
    })
}

/// The literal a line consists of (`12`, `return 3;`, `"x"`, `True`), if that is all it is.
fn literal(line: &str) -> Option<&str> {
    let l = line.trim().trim_end_matches(';').trim();
    let l = l.strip_prefix("return ").map(str::trim).unwrap_or(l);
    let number = !l.is_empty()
        && l.trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
        && l.chars().any(|c| c.is_ascii_digit());
    let quoted = l.len() >= 2
        && ((l.starts_with('"') && l.ends_with('"')) || (l.starts_with('\'') && l.ends_with('\'')))
        && !l[1..l.len() - 1].contains(['"', '\'']);
    let keyword = matches!(
        l,
        "true" | "false" | "True" | "False" | "None" | "nil" | "null"
    );
    (number || quoted || keyword).then_some(l)
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

/// Merges `code` into `old` through [`smallcode_core::edit::unit`]: returns the new text, a note and the
/// number of repairs, or `None` when the block has nothing to do with this file. A file without
/// any definition (a script) is replaced whole.
fn merge(rel: &str, old: &str, code: &str) -> Option<(String, String, u32)> {
    use smallcode_core::edit::unit::{replace_units, UnitError, UnitOptions};
    let ext = rel.rsplit('.').next().unwrap_or("");
    match replace_units(
        std::path::Path::new(rel),
        old,
        ext,
        code,
        &UnitOptions::default(),
    ) {
        Ok(out) if !out.edits.is_empty() => {
            let new = smallcode_core::edit::apply(old, &out.edits).ok()?;
            let mut note = if out.whole_file {
                "replaced the whole file".to_string()
            } else {
                format!("replaced {}", out.replaced.join(", "))
            };
            let dropped: Vec<&str> = out.dropped.iter().map(|d| d.name.as_str()).collect();
            if !dropped.is_empty() {
                note.push_str(&format!("; dropped {}", dropped.join(", ")));
            }
            Some((new, note, u32::from(!dropped.is_empty())))
        }
        // A script (top-level statements; a `const` is no function to replace): the block is
        // the whole file, as it is for a file without definitions.
        Err(UnitError::NoDefinitions) | Ok(_)
            if definitions(rel, old).is_empty() || holds_no_unit(rel, old, ext) =>
        {
            let mut text = code.to_string();
            if old.ends_with('\n') && !text.ends_with('\n') {
                text.push('\n');
            }
            Some((text, "replaced the whole file".into(), 0))
        }
        _ => None,
    }
}

/// `text` has no function, method or class a reply could replace (the unit query finds none).
fn holds_no_unit(rel: &str, text: &str, ext: &str) -> bool {
    use smallcode_core::edit::unit::{replace_units, UnitError, UnitOptions};
    matches!(
        replace_units(
            std::path::Path::new(rel),
            text,
            ext,
            text,
            &UnitOptions::default()
        ),
        Err(UnitError::NoDefinitions)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scripts_whole_file_reply_replaces_it() {
        let old = "// Usage: node main.js N...\nconst args = process.argv.slice(2);\nconst total = args.reduce((sum, x) => sum + x, 0);\nconsole.log(total);\n";
        let reply = "const args = process.argv.slice(2).map(Number);\nconst total = args.reduce((sum, x) => sum + x, 0);\nconsole.log(total);";
        let (new, note, _) = merge("main.js", old, reply).unwrap();
        assert_eq!(new, format!("{reply}\n"));
        assert_eq!(note, "replaced the whole file");
        // A file with functions still takes only whole definitions from a reply.
        let lib = "function add(a, b) {\n  return a - b;\n}\nconst k = 1;\n";
        assert!(merge("lib.js", lib, "console.log(1);").is_none());
    }

    #[test]
    fn a_constant_replacing_computed_code_is_flagged() {
        let rs =
            "impl Rect {\n    pub fn area(&self) -> u32 {\n        self.w + self.h\n    }\n}\n";
        let fitted = rs.replace("self.w + self.h", "12");
        assert_eq!(hardcoded_result(rs, &fitted).as_deref(), Some("12"));
        let fixed = rs.replace("self.w + self.h", "self.w * self.h");
        assert_eq!(hardcoded_result(rs, &fixed), None);
        let py = "def last(items):\n    return items[len(items)]\n";
        assert!(hardcoded_result(py, "def last(items):\n    return 3\n").is_some());
        assert!(hardcoded_result(py, "def last(items):\n    return \"x\"\n").is_some());
        // A literal replacing a literal is an ordinary fix (a wrong constant).
        let k = "def limit():\n    return 17\n";
        assert_eq!(hardcoded_result(k, "def limit():\n    return 18\n"), None);
        // Adding a guard line plus logic is not a single literal.
        let g = "def f(x):\n    if x < 0:\n        return 0\n    return x\n";
        assert_eq!(hardcoded_result("def f(x):\n    return x\n", g), None);
    }

    #[test]
    fn a_body_that_lost_its_return_is_flagged() {
        let py = "def total_price(prices):\n    total = 0\n    for p in prices:\n        total = total + p\n    return totl\n";
        let cut = "def total_price(prices):\n    total = 0\n";
        assert_eq!(
            lost_result("shop.py", py, cut).as_deref(),
            Some("total_price")
        );
        let fixed = py.replace("totl", "total");
        assert_eq!(lost_result("shop.py", py, &fixed), None);
        let raising = "def total_price(prices):\n    raise ValueError(prices)\n";
        assert_eq!(
            lost_result("shop.py", py, raising).as_deref(),
            Some("total_price")
        );
        // A function that returned nothing may keep returning nothing.
        let show = "def show(x):\n    print(x)\n";
        assert_eq!(
            lost_result("s.py", show, "def show(x):\n    print(x, x)\n"),
            None
        );
        let js = "function sum(a) {\n  let t = 0;\n  return t;\n}\n";
        assert_eq!(
            lost_result("s.js", js, "function sum(a) {\n  let t = 0;\n}\n").as_deref(),
            Some("sum")
        );
        let rs = "fn f() -> u32 {\n    return 1;\n}\n";
        assert_eq!(lost_result("f.rs", rs, "fn f() -> u32 {\n    2\n}\n"), None);
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
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/calc.py"))
                .unwrap();
        let (new, note, _) =
            super::merge("calc.py", &old, "def add(a, b):\n    return a + b").unwrap();
        println!("{note}\n{new}");
        assert!(
            new.contains("def add(a, b):\n    return a + b\n\n\ndef mean"),
            "{new}"
        );
    }
}
