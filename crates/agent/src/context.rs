//! What the model sees in a harness round: the target files, the errors, the task.
//!
//! Targets are the source files the request names (by path or file name); failing that, the
//! non-test source files the request's words rank first (the walk's lexical ranking, applied to
//! whole files). Files are shown whole when they
//! fit the context; otherwise (and after a decomposition) only the definition that matters, with
//! its line range — never code cut in the middle of a definition.

use std::path::PathBuf;

use streaming_iterator::StreamingIterator;

use super::check::CheckResult;
use super::workspace::Workspace;
use smallcode_core::budget::tokens::count_tokens;

/// Source extensions the agent edits.
const SOURCE: &[&str] = &[
    "py", "rs", "js", "mjs", "cjs", "ts", "tsx", "c", "h", "cc", "cpp", "hpp", "go", "lua", "java",
];

/// A file the model may change.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Path relative to the project root.
    pub rel: String,
    /// Absolute path.
    pub path: PathBuf,
    /// Fence language tag (`python`, `rust`…).
    pub fence: &'static str,
}

/// The fence tag for a file extension.
pub fn fence_for(rel: &str) -> &'static str {
    match rel.rsplit('.').next().unwrap_or("") {
        "py" => "python",
        "rs" => "rust",
        "js" | "mjs" | "cjs" => "javascript",
        "ts" => "typescript",
        "tsx" => "tsx",
        "c" | "h" => "c",
        "cc" | "cpp" | "hpp" => "cpp",
        "go" => "go",
        "lua" => "lua",
        "java" => "java",
        _ => "",
    }
}

fn is_source(rel: &str) -> bool {
    rel.rsplit_once('.')
        .is_some_and(|(_, e)| SOURCE.contains(&e))
}

/// Whether a file is a test (shown as context by the test run's output, not edited by default).
pub fn is_test(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.starts_with("test_")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || rel.starts_with("tests/")
        || rel.contains("/tests/")
}

/// Picks the files to edit for `prompt`.
pub fn pick_targets(ws: &Workspace, files: &[String], prompt: &str) -> Vec<Target> {
    let sources: Vec<&String> = files.iter().filter(|f| is_source(f)).collect();
    let mk = |rel: &String| Target {
        rel: rel.clone(),
        path: ws.root().join(rel),
        fence: fence_for(rel),
    };
    // A full relative path in the request wins over a bare file name (`demo/calc.py` must not
    // also pick every other `calc.py`).
    let by_path: Vec<&String> = sources
        .iter()
        .copied()
        .filter(|f| f.contains('/') && mentions_path(prompt, f))
        .collect();
    let named: Vec<&String> = if by_path.is_empty() {
        sources
            .iter()
            .copied()
            .filter(|f| {
                prompt.contains(f.as_str())
                    || mentions_word(prompt, f.rsplit('/').next().unwrap_or(f))
            })
            .collect()
    } else {
        by_path
    };
    let named_code: Vec<&String> = named.iter().copied().filter(|f| !is_test(f)).collect();
    // Files the request's own words name win over those only its commands and pasted output
    // name: "Make list_sum in list.c handle NULL" with `gcc -o demo main.c list.c` and a gdb
    // trace through main.c is about list.c.
    let words = prose(prompt);
    let in_words: Vec<&String> = named_code
        .iter()
        .copied()
        .filter(|f| {
            let base = f.rsplit('/').next().unwrap_or(f);
            words.contains(f.as_str()) || mentions_word(&words, base)
        })
        .collect();
    if !in_words.is_empty() {
        return in_words.into_iter().take(3).map(mk).collect();
    }
    if !named_code.is_empty() {
        return named_code.into_iter().take(3).map(mk).collect();
    }
    let code: Vec<&String> = sources.iter().copied().filter(|f| !is_test(f)).collect();
    if code.len() <= 2 {
        return code.into_iter().map(mk).collect();
    }
    // Rank the files by the request's words as the code graph's walk ranks definitions (BM25
    // over split identifiers, comments and strings; stop words such as `when` never count).
    let texts: Vec<String> = code
        .iter()
        .map(|f| ws.read(&ws.root().join(f)).unwrap_or_default())
        .collect();
    let docs: Vec<(&str, &str)> = code
        .iter()
        .zip(&texts)
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    smallcode_core::graph::lexical::rank_texts(prompt, &docs)
        .into_iter()
        .take(2)
        .map(|(i, _)| mk(code[i]))
        .collect()
}

/// The request without its fenced blocks (pasted output) and without the inline spans that are
/// commands (`gcc -o demo main.c`, `python3 main.py`).
fn prose(prompt: &str) -> String {
    const COMMANDS: [&str; 14] = [
        "gcc", "g++", "cc", "clang", "clang++", "python", "python3", "node", "lua", "lua5.4", "go",
        "cargo", "rustc", "make",
    ];
    let mut out = String::new();
    for outside in prompt.split("```").step_by(2) {
        for (k, piece) in outside.split('`').enumerate() {
            let command = k % 2 == 1
                && piece
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| COMMANDS.contains(&w) || w.starts_with("./"));
            if !command {
                out.push_str(piece);
                out.push(' ');
            }
        }
    }
    out
}

/// `path` occurs in `text` not as the tail of a longer path (`a/calc.py` vs `demo/a/calc.py`).
fn mentions_path(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "`'\"(".contains(c))
    })
}

/// `word` occurs in `text` delimited by non-identifier characters, and not as a file's stem
/// (`main` in `main.c` names the file, not the function).
fn mentions_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back().is_none_or(|c| !ident(c));
        let mut rest = text[i + word.len()..].chars();
        let after = match rest.next() {
            None => true,
            Some('.') => !rest.next().is_some_and(|c| c.is_alphanumeric()),
            Some(c) => !ident(c),
        };
        before && after
    })
}

/// A definition found by the language's tags query.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// Its name.
    pub name: String,
    /// 0-based first and last row.
    pub rows: (usize, usize),
}

/// Definitions of `text` (functions, methods, classes…) by the bundled tags query; empty when the
/// language is not bundled or fails to parse.
pub fn definitions(rel: &str, text: &str) -> Vec<Definition> {
    let Some(lang) = smallcode_core::syntax::language_for_path(std::path::Path::new(rel)) else {
        return Vec::new();
    };
    let Some(query) = lang.tags_query() else {
        return Vec::new();
    };
    let mut pool = smallcode_core::syntax::ParserPool::new();
    let Some(tree) = pool.parse(lang, text.as_bytes(), None) else {
        return Vec::new();
    };
    let names = query.capture_names();
    let mut cursor = tree_sitter::QueryCursor::new();
    let mut it = cursor.matches(query, tree.root_node(), text.as_bytes());
    let mut out = Vec::new();
    while let Some(m) = it.next() {
        let mut name = None;
        let mut node = None;
        for c in m.captures() {
            let cap = names[c.index as usize];
            if cap == "name" {
                name = c.node.utf8_text(text.as_bytes()).ok().map(str::to_string);
            } else if cap.starts_with("definition.") {
                node = Some(c.node);
            }
        }
        if let (Some(name), Some(node)) = (name, node) {
            let d = Definition {
                name,
                rows: (node.start_position().row, node.end_position().row),
            };
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// After the same error twice: the target and the innermost definition containing the first
/// diagnostic's line, so the next round asks for that one unit only.
pub fn narrow(
    ws: &Workspace,
    targets: &[Target],
    results: &[CheckResult],
) -> Option<(usize, String)> {
    let d = results
        .iter()
        .filter(|r| !r.ok)
        .flat_map(|r| r.diagnostics.iter())
        .find(|d| d.line.is_some())?;
    let (idx, t) = targets
        .iter()
        .enumerate()
        .find(|(_, t)| d.file.ends_with(&t.rel) || t.rel.ends_with(&d.file))?;
    let text = ws.read(&t.path).ok()?;
    let row = d.line? - 1;
    definitions(&t.rel, &text)
        .into_iter()
        .filter(|def| def.rows.0 <= row && row <= def.rows.1)
        .min_by_key(|def| def.rows.1 - def.rows.0)
        .map(|def| (idx, def.name))
}

/// The user message of one round.
pub fn render_prompt(
    ws: &Workspace,
    targets: &[Target],
    task: &str,
    errors: &[CheckResult],
    narrowed: Option<&(usize, String)>,
    context_tokens: u64,
) -> String {
    // Room for files: the context minus the reply reserve and the rest of the prompt.
    let room = (context_tokens as usize).saturating_sub(1024 + 400 + count_tokens(task));
    let mut out = String::new();
    let mut used = 0;
    for (i, t) in targets.iter().enumerate() {
        let text = ws.read(&t.path).unwrap_or_default();
        let focus = narrowed
            .filter(|(n, _)| *n == i)
            .map(|(_, name)| name.as_str());
        let whole_fits = used + count_tokens(&text) <= room;
        if focus.is_none() && whole_fits {
            out.push_str(&format!(
                "{}:\n```{}\n{}\n```\n\n",
                t.rel,
                t.fence,
                text.trim_end()
            ));
            used += count_tokens(&text);
            continue;
        }
        // Show one definition: the focus, else the ones the task or errors name.
        let defs = definitions(&t.rel, &text);
        let lines: Vec<&str> = text.lines().collect();
        let wanted: Vec<&Definition> = match focus {
            Some(name) => defs.iter().filter(|d| d.name == name).take(1).collect(),
            None => defs
                .iter()
                .filter(|d| mentions_word(task, &d.name))
                .take(2)
                .collect(),
        };
        for d in wanted {
            let body = lines[d.rows.0..=d.rows.1.min(lines.len().saturating_sub(1))].join("\n");
            if used + count_tokens(&body) > room {
                continue;
            }
            used += count_tokens(&body);
            out.push_str(&format!(
                "{} (lines {}-{}, `{}` only):\n```{}\n{}\n```\n\n",
                t.rel,
                d.rows.0 + 1,
                d.rows.1 + 1,
                d.name,
                t.fence,
                body
            ));
        }
    }
    let failing: Vec<&CheckResult> = errors.iter().filter(|r| !r.ok).collect();
    if !failing.is_empty() {
        out.push_str("Errors:\n");
        for r in failing.iter().take(2) {
            let detail: Vec<&str> = r.output.lines().filter(|l| !l.trim().is_empty()).collect();
            let tail = &detail[detail.len().saturating_sub(25)..];
            out.push_str(&format!("$ {}\n{}\n", r.cmd.name, tail.join("\n")));
        }
        out.push('\n');
    }
    let mut shown_errors = task.to_string();
    for r in failing.iter().take(2) {
        shown_errors.push_str(&r.output);
    }
    for hint in super::hints::typo_hints(ws, &shown_errors) {
        out.push_str(&format!("Note: {hint}\n"));
    }
    match narrowed {
        Some((i, name)) => out.push_str(&format!(
            "Task: {task}\nFix only `{name}` in {}. Reply with the whole corrected `{name}` in one code block.",
            targets.get(*i).map_or("", |t| t.rel.as_str())
        )),
        None => out.push_str(&format!("Task: {task}\nReply with the corrected code in one code block.")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_named_in_the_prompt_win_and_tests_are_not_edited() {
        let t = crate::workspace::tempdir::TempTree::new("ctx-test").unwrap();
        for (f, s) in [
            ("calc.py", "def add(a, b):\n    return a - b\n"),
            ("test_calc.py", "from calc import add\n"),
            ("util.py", "X = 1\n"),
            ("other.py", "Y = 2\n"),
        ] {
            std::fs::write(t.path().join(f), s).unwrap();
        }
        let ws = Workspace::new(t.path()).unwrap();
        let files = ws.files(100);
        let picked = pick_targets(&ws, &files, "Fix add in calc.py: test_calc.py fails");
        assert_eq!(
            picked.iter().map(|t| t.rel.as_str()).collect::<Vec<_>>(),
            ["calc.py"]
        );
        let picked = pick_targets(&ws, &files, "add() returns the wrong sign");
        assert_eq!(
            picked.iter().map(|t| t.rel.as_str()).collect::<Vec<_>>(),
            ["calc.py"]
        );
    }

    #[test]
    fn python_definitions_have_row_spans() {
        let defs = definitions(
            "m.py",
            "import os\n\ndef a():\n    return 1\n\nclass B:\n    def c(self):\n        pass\n",
        );
        let names: Vec<_> = defs.iter().map(|d| (d.name.as_str(), d.rows)).collect();
        assert!(names.contains(&("a", (2, 3))), "{names:?}");
        assert!(names.contains(&("c", (6, 7))), "{names:?}");
    }
}

/// The definition a round should rewrite, when the task or the errors single one out: a
/// definition of a target named in the task, else the one containing the first diagnostic, else
/// the one the failing output mentions. `None` when zero or several qualify.
pub fn pick_focus(
    ws: &Workspace,
    targets: &[Target],
    task: &str,
    errors: &[CheckResult],
) -> Option<(usize, String)> {
    let defs: Vec<(usize, Vec<Definition>)> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                i,
                definitions(&t.rel, &ws.read(&t.path).unwrap_or_default()),
            )
        })
        .collect();
    let unique = |hits: Vec<(usize, String)>| {
        let mut hits = hits;
        hits.sort();
        hits.dedup();
        (hits.len() == 1).then(|| hits.remove(0))
    };
    let named: Vec<(usize, String)> = defs
        .iter()
        .flat_map(|(i, ds)| {
            ds.iter()
                .filter(|d| mentions_word(task, &d.name))
                .map(move |d| (*i, d.name.clone()))
        })
        .collect();
    // Several named (e.g. `area` and the test `area_of_3_by_4` quoted in a panic message): the
    // one the user marked as code — `area` or area() — is meant.
    let marked: Vec<(usize, String)> = named
        .iter()
        .filter(|(_, n)| task.contains(&format!("`{n}`")) || task.contains(&format!("{n}(")))
        .cloned()
        .collect();
    if let Some(hit) = unique(named).or_else(|| unique(marked)) {
        return Some(hit);
    }

    let failing: Vec<&CheckResult> = errors.iter().filter(|r| !r.ok).collect();
    for r in &failing {
        for d in &r.diagnostics {
            let Some(line) = d.line else { continue };
            for (i, ds) in &defs {
                if d.file.ends_with(&targets[*i].rel) {
                    if let Some(def) = ds
                        .iter()
                        .filter(|def| def.rows.0 < line && line <= def.rows.1 + 1)
                        .min_by_key(|def| def.rows.1 - def.rows.0)
                    {
                        return Some((*i, def.name.clone()));
                    }
                }
            }
        }
    }
    let mentioned: Vec<(usize, String)> = defs
        .iter()
        .flat_map(|(i, ds)| {
            ds.iter()
                .filter(|d| failing.iter().any(|r| mentions_word(&r.output, &d.name)))
                .map(move |d| (*i, d.name.clone()))
        })
        .collect();
    // Else one definition in all the targets (a script's `main`): nothing else to choose.
    unique(mentioned).or_else(|| {
        let all: Vec<(usize, String)> = defs
            .iter()
            .flat_map(|(i, ds)| ds.iter().map(move |d| (*i, d.name.clone())))
            .collect();
        (all.len() == 1).then(|| all[0].clone())
    })
}

#[cfg(test)]
mod focus_tests {
    use super::*;

    #[test]
    fn focus_prefers_the_name_marked_as_code() {
        let t = crate::workspace::tempdir::TempTree::new("focus-test").unwrap();
        let src = "pub fn area(w: u32, h: u32) -> u32 {\n    w + h\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn area_of_3_by_4() {\n        assert_eq!(super::area(3, 4), 12);\n    }\n}\n";
        std::fs::write(t.path().join("lib.rs"), src).unwrap();
        let ws = Workspace::new(t.path()).unwrap();
        let targets = vec![Target {
            rel: "lib.rs".into(),
            path: ws.root().join("lib.rs"),
            fence: "rust",
        }];
        let task =
            "`cargo test` fails for `area` in lib.rs:\n---- tests::area_of_3_by_4 stdout ----";
        assert_eq!(
            pick_focus(&ws, &targets, task, &[]),
            Some((0, "area".to_string()))
        );
    }

    #[test]
    fn the_requests_own_words_pick_the_file_over_its_commands() {
        let p = "`./listdemo` crashes (built with `gcc -o listdemo main.c list.c`):\n```\nat main.c:9\n```\nMake list_sum in list.c handle NULL.";
        let w = prose(p);
        assert!(w.contains("list.c") && !w.contains("main.c"), "{w}");
        assert!(!prose("run `python3 main.py` now").contains("main.py"));
        assert!(prose("fix `main.py`").contains("main.py"));
    }

    #[test]
    fn a_file_name_does_not_name_a_definition() {
        assert!(!mentions_word("build it with gcc -o dist main.c", "main"));
        assert!(mentions_word("main must add them up.", "main"));
        assert!(mentions_word("fix main. It fails", "main"));
        assert!(mentions_word("strs.Reverse breaks", "Reverse"));
    }
}
