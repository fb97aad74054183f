//! Definitions the request asks to fill in that are still placeholders.
//!
//! "Fill in the `Stack` class: `push(x)`, `pop()`…" in a file whose methods are `pass`: a small
//! model's first reply often fills one method and compiles, and with no test or example that
//! tries the others, the syntax checks alone would land it (tiers 2–3 run T: `Stack` and `Cart`
//! landed in one round, labelled checked, wrong). A placeholder the request names, directly or
//! through its class, that is still a placeholder after the change is a failing check: the
//! model hears which one, the loop keeps the partial change (as after a syntax error) and goes
//! on, and nothing lands until none is left.

use crate::check::{CheckCmd, CheckResult, Diagnostic};
use crate::context::{definitions, Target};
use crate::workspace::Workspace;

/// The name the check goes by in the chat and the results.
pub const CHECK: &str = "placeholders";

/// A placeholder definition the request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The file, relative to the root.
    pub rel: String,
    /// The definition's name.
    pub name: String,
}

/// What a placeholder body says, after comments and docstrings are dropped: nothing (a brace
/// language's `{}`), `pass`, `...`, or a "not implemented" raise/throw/panic/error.
fn placeholder(body: &str) -> Option<&'static str> {
    let code: String = body
        .lines()
        .map(str::trim)
        .filter(|l| {
            !(l.is_empty()
                || l.starts_with('#')
                || l.starts_with("//")
                || l.starts_with("--")
                || l.starts_with("/*")
                || l.starts_with('*'))
        })
        .collect::<Vec<_>>()
        .join(" ");
    let code = strip_docstring(code.trim());
    let code = code
        .trim_end_matches(|c: char| c == '}' || c == ';' || c.is_whitespace())
        .trim_end_matches("end")
        .trim();
    let lower = code.to_ascii_lowercase();
    let says_todo = lower.contains("not implemented")
        || lower.contains("unimplemented")
        || lower.contains("todo");
    if code.is_empty() {
        Some("empty")
    } else if code == "pass" || code == "..." {
        Some(if code == "pass" { "`pass`" } else { "`...`" })
    } else if code.starts_with("raise NotImplementedError") {
        Some("`raise NotImplementedError`")
    } else if code.starts_with("todo!(") || code.starts_with("unimplemented!(") {
        Some("`todo!()`")
    } else if (code.starts_with("throw new Error(")
        || code.starts_with("panic(")
        || code.starts_with("error("))
        && says_todo
        && !code.contains(';')
    {
        Some("a \"not implemented\" error")
    } else {
        None
    }
}

/// `code` without a leading Python docstring.
fn strip_docstring(code: &str) -> &str {
    for q in ["\"\"\"", "'''"] {
        if let Some(rest) = code.strip_prefix(q) {
            if let Some(end) = rest.find(q) {
                return rest[end + q.len()..].trim();
            }
        }
    }
    code
}

/// The placeholders of `text`: each definition whose body (its rows after the header row) is
/// one, with what it says, and the 1-based header line.
fn placeholders(rel: &str, text: &str) -> Vec<(String, usize, &'static str, (usize, usize))> {
    let lines: Vec<&str> = text.lines().collect();
    definitions(rel, text)
        .into_iter()
        .filter(|d| d.rows.1 > d.rows.0)
        .filter_map(|d| {
            let body = lines.get(d.rows.0 + 1..=d.rows.1.min(lines.len().saturating_sub(1)))?;
            placeholder(&body.join("\n")).map(|what| (d.name, d.rows.0 + 1, what, d.rows))
        })
        .collect()
}

/// The placeholders of the targets (as they are before any edit) that the request names, or
/// whose enclosing definition (a class) it names, when it asks for code to be written
/// ("implement", "fill in", "write", "finish", "complete"): "add a `Circle` that overrides
/// `area`" names a base class's deliberate `raise NotImplementedError` without asking for it.
pub fn wanted(ws: &Workspace, targets: &[Target], prompt: &str) -> Vec<Wanted> {
    let lower = prompt.to_ascii_lowercase();
    let asks = ["implement", "fill in", "write", "finish", "complete"]
        .iter()
        .any(|v| lower.contains(v));
    if !asks {
        return Vec::new();
    }
    let named = |name: &str| {
        prompt.match_indices(name).any(|(i, _)| {
            let before = prompt[..i].chars().next_back();
            let after = prompt[i + name.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })
    };
    let mut out = Vec::new();
    for t in targets {
        let Ok(text) = ws.original(&t.path) else {
            continue;
        };
        let defs = definitions(&t.rel, &text);
        for (name, _, _, rows) in placeholders(&t.rel, &text) {
            let in_named = defs
                .iter()
                .any(|d| d.rows.0 < rows.0 && rows.1 <= d.rows.1 && named(&d.name));
            let w = Wanted {
                rel: t.rel.clone(),
                name,
            };
            if (named(&w.name) || in_named) && !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// The failing check for the `wanted` placeholders still in their files' current text (staged
/// or original), one diagnostic per placeholder at its header line; `None` when none is left.
/// A name that another definition in the file now gives a body (an override in a subclass)
/// counts as done.
pub fn remaining(ws: &Workspace, wanted: &[Wanted]) -> Option<CheckResult> {
    let mut diagnostics = Vec::new();
    let mut files: Vec<&str> = wanted.iter().map(|w| w.rel.as_str()).collect();
    files.dedup();
    for rel in files {
        let Ok(text) = ws.resolve(rel).and_then(|p| ws.read(&p)) else {
            continue;
        };
        let stubs = placeholders(rel, &text);
        let written: Vec<String> = definitions(rel, &text)
            .into_iter()
            .filter(|d| !stubs.iter().any(|s| s.3 == d.rows))
            .map(|d| d.name)
            .collect();
        for (name, line, what, _) in stubs.iter().cloned() {
            if wanted.iter().any(|w| w.rel == rel && w.name == name) && !written.contains(&name) {
                diagnostics.push(Diagnostic {
                    file: rel.to_string(),
                    line: Some(line),
                    col: None,
                    message: format!(
                        "`{name}` is still a placeholder ({what}): the request asks for it"
                    ),
                });
            }
        }
    }
    if diagnostics.is_empty() {
        return None;
    }
    let output = diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    Some(CheckResult {
        cmd: CheckCmd {
            name: CHECK.into(),
            command: String::new(),
        },
        ok: false,
        diagnostics,
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_bodies_in_each_language() {
        assert_eq!(placeholder("        pass"), Some("`pass`"));
        assert_eq!(
            placeholder("    \"\"\"Push x.\"\"\"\n    raise NotImplementedError"),
            Some("`raise NotImplementedError`")
        );
        assert_eq!(
            placeholder("  throw new Error(\"not implemented\");\n}"),
            Some("a \"not implemented\" error")
        );
        assert_eq!(placeholder("    todo!()\n}"), Some("`todo!()`"));
        assert_eq!(
            placeholder("\tpanic(\"TODO\")\n}"),
            Some("a \"not implemented\" error")
        );
        assert_eq!(
            placeholder("  error(\"not implemented\")\nend"),
            Some("a \"not implemented\" error")
        );
        assert_eq!(placeholder("  // TODO\n}"), Some("empty"));
        assert_eq!(placeholder("        return self._items.pop()"), None);
        assert_eq!(
            placeholder("  if (!ok) throw new Error(\"not implemented for x\");\n  return 1;\n}"),
            None
        );
        assert_eq!(placeholder("  x := 1\n  panic(\"TODO\")\n}"), None);
    }

    #[test]
    fn placeholders_named_directly_or_through_their_class() {
        let dir = tempfile::tempdir().unwrap();
        let src = "class Stack:\n    def __init__(self):\n        self._items = []\n\n    def push(self, x):\n        pass\n\n    def pop(self):\n        pass\n\n\ndef other():\n    pass\n";
        std::fs::write(dir.path().join("stack.py"), src).unwrap();
        let ws = Workspace::new(dir.path()).unwrap();
        let t = Target {
            rel: "stack.py".into(),
            path: dir.path().join("stack.py"),
            fence: "python",
        };
        let w = wanted(&ws, std::slice::from_ref(&t), "Fill in the `Stack` class.");
        let names: Vec<&str> = w.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["push", "pop"], "`other` is not asked for");
        let w2 = wanted(&ws, std::slice::from_ref(&t), "Implement other() please");
        assert_eq!(w2.len(), 1);
        assert_eq!(w2[0].name, "other");
        assert!(wanted(&ws, std::slice::from_ref(&t), "Implement others").is_empty());
        assert!(
            wanted(&ws, std::slice::from_ref(&t), "Why does `Stack` fail?").is_empty(),
            "not asked to write code"
        );

        let r = remaining(&ws, &w).unwrap();
        assert!(!r.ok);
        assert_eq!(r.diagnostics.len(), 2);
        assert_eq!(
            r.diagnostics[0].to_string(),
            "stack.py:5: `push` is still a placeholder (`pass`): the request asks for it"
        );
    }

    #[test]
    fn an_override_of_a_placeholder_counts_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let base = "class Shape:\n    def area(self):\n        raise NotImplementedError\n";
        std::fs::write(dir.path().join("shapes.py"), base).unwrap();
        let mut ws = Workspace::new(dir.path()).unwrap();
        let t = Target {
            rel: "shapes.py".into(),
            path: dir.path().join("shapes.py"),
            fence: "python",
        };
        let w = wanted(
            &ws,
            std::slice::from_ref(&t),
            "Write a `Circle` whose `area` works.",
        );
        assert_eq!(w.len(), 1);
        assert!(remaining(&ws, &w).is_some());
        let new =
            format!("{base}\n\nclass Circle(Shape):\n    def area(self):\n        return 3.14\n");
        ws.stage(&t.path, new).unwrap();
        assert!(remaining(&ws, &w).is_none());
    }
}
