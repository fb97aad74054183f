//! Did a check execute the changed code? The evidence behind the word "verified".
//!
//! A change is *verified* only when a check that can fail on its behaviour (the project's tests,
//! the request's examples, the command the request says fails) ran the changed definitions:
//! - **Python**: every Python process a check starts imports a `sitecustomize` from a folder
//!   this module puts first on `PYTHONPATH`; it records each function called (`sys.setprofile`,
//!   code object file + first line) under the shadow tree and writes them at exit.
//! - **JavaScript**: `NODE_V8_COVERAGE` makes every Node process write V8's own coverage; a
//!   function counts when its call count is above zero.
//! - **Elsewhere** (C, C++, Rust, Go, Lua): no tracer runs; a check covers a definition when it
//!   names it, directly or through the code graph's callers (the test calls `f`, `f` calls the
//!   changed `g`).
//!
//! Units: lines are 1-based and inclusive, as the graph's [`SymbolHit`] gives them.
//!
//! [`SymbolHit`]: smallcode_core::graph::SymbolHit

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use smallcode_core::syntax::{language_for_path, ParserPool};

/// A definition whose text a change set altered (or added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Project-relative path.
    pub file: String,
    /// Bare name.
    pub name: String,
    /// Qualified name (`Cart.total`).
    pub qualified: String,
    /// First and last line in the new text (1-based, inclusive).
    pub lines: (u32, u32),
    /// Registry language name.
    pub lang: &'static str,
    /// A constant or top-level variable, not code a call runs: running its file as a program
    /// evaluates it.
    pub constant: bool,
}

/// A definition as the tags query sees it: name, qualified name, 1-based lines, text.
type Def = (String, String, (u32, u32), String);

/// Definitions (name, qualified, 1-based lines, text) of `text` as the tags query sees them.
fn definitions(rel: &str, text: &str) -> Vec<Def> {
    definitions_with_kind(rel, text)
        .into_iter()
        .map(|(d, _)| d)
        .collect()
}

/// [`definitions`], each with whether it is a constant (not callable code).
fn definitions_with_kind(rel: &str, text: &str) -> Vec<(Def, bool)> {
    let Some(lang) = language_for_path(Path::new(rel)) else {
        return Vec::new();
    };
    let mut pool = ParserPool::new();
    let Some(tree) = pool.parse(lang, text.as_bytes(), None) else {
        return Vec::new();
    };
    let mut cursor = tree_sitter::QueryCursor::new();
    let Some(syms) =
        smallcode_core::graph::extract::extract(lang, &tree, text.as_bytes(), &mut cursor, false)
    else {
        return Vec::new();
    };
    syms.symbols
        .iter()
        .map(|s| {
            let body = text
                .get(s.span.start_byte as usize..s.span.end_byte as usize)
                .unwrap_or("")
                .to_string();
            (
                (
                    s.name.clone(),
                    s.qualified.clone(),
                    (s.span.start_row + 1, s.span.end_row + 1),
                    body,
                ),
                s.kind == smallcode_core::graph::SymbolKind::Constant,
            )
        })
        .collect()
}

/// The definitions of `text` that overlap `lines` (1-based, inclusive), innermost only: the
/// units a selection touches. (name, qualified name, their lines.)
pub fn definitions_touching(
    rel: &str,
    text: &str,
    lines: (u32, u32),
) -> Vec<(String, String, (u32, u32))> {
    let defs: Vec<_> = definitions(rel, text)
        .into_iter()
        .filter(|(_, _, (s, e), _)| *s <= lines.1 && lines.0 <= *e)
        .collect();
    defs.iter()
        .filter(|(_, _, (s, e), _)| {
            !defs
                .iter()
                .any(|(_, _, (s2, e2), _)| (s2, e2) != (s, e) && s <= s2 && e2 <= e)
        })
        .map(|(n, q, l, _)| (n.clone(), q.clone(), *l))
        .collect()
}

/// The bare names of the definitions in `text` (`rel` picks the language).
pub fn definition_names(rel: &str, text: &str) -> Vec<String> {
    definitions(rel, text).into_iter().map(|d| d.0).collect()
}

/// The names `text` defines at its top level (not methods or nested functions), in order:
/// what another file can import from it.
pub fn top_level_names(rel: &str, text: &str) -> Vec<String> {
    definitions(rel, text)
        .into_iter()
        .filter(|d| d.0 == d.1)
        .map(|d| d.0)
        .collect()
}

/// The innermost definitions of `after` whose text differs from their namesake in `before` (or
/// that `before` lacks). A changed method reports the method, not its class too.
pub fn changed_definitions(rel: &str, before: &str, after: &str) -> Vec<Changed> {
    changed_texts(rel, before, after)
        .into_iter()
        .map(|(c, _, _)| c)
        .collect()
}

/// [`changed_definitions`] with each one's new text and the old text of its namesake (`None`
/// for a definition the change added): what [`crate::overfit`] reads.
pub fn changed_texts(
    rel: &str,
    before: &str,
    after: &str,
) -> Vec<(Changed, String, Option<String>)> {
    let Some(lang) = language_for_path(Path::new(rel)) else {
        return Vec::new();
    };
    let old: Vec<_> = definitions(rel, before);
    let with_kind = definitions_with_kind(rel, after);
    let constants: Vec<String> = with_kind
        .iter()
        .filter(|(_, c)| *c)
        .map(|((_, q, _, _), _)| q.clone())
        .collect();
    let new: Vec<_> = with_kind.into_iter().map(|(d, _)| d).collect();
    let differs = |q: &str, body: &str| !old.iter().any(|(_, oq, _, ob)| oq == q && ob == body);
    let changed: Vec<&(String, String, (u32, u32), String)> =
        new.iter().filter(|(_, q, _, b)| differs(q, b)).collect();
    changed
        .iter()
        .filter(|(_, _, (s, e), _)| {
            // Keep the innermost: drop a definition that contains another changed one.
            !changed
                .iter()
                .any(|(_, _, (s2, e2), _)| (s2, e2) != (s, e) && s <= s2 && e2 <= e)
        })
        .map(|(name, qualified, lines, body)| {
            let was = old
                .iter()
                .find(|(_, oq, _, _)| oq == qualified)
                .map(|(_, _, _, ob)| ob.clone());
            let c = Changed {
                file: rel.to_string(),
                name: name.clone(),
                qualified: qualified.clone(),
                lines: *lines,
                lang: lang.name,
                constant: constants.contains(qualified),
            };
            (c, body.clone(), was)
        })
        .collect()
}

const SITECUSTOMIZE: &str = r#"# smallcode: records which functions under SMALLCODE_TRACE_ROOT a check's Python code calls.
import os, sys
_out = os.environ.get("SMALLCODE_TRACE")
_root = os.environ.get("SMALLCODE_TRACE_ROOT")
if _out and _root:
    import atexit, threading
    _root = os.path.realpath(_root) + os.sep
    _seen = set()
    _mine = {}
    _args = {}
    _tries = {}
    def _smallcode_args(frame, c):
        # The literal arguments of a project function's first calls, for probes. Bounded
        # attempts: a function called with huge or unreadable arguments is not repr'd forever.
        got = _args.setdefault(c, [])
        tries = _tries.get(c, 0)
        if len(got) >= 6 or tries >= 24:
            return
        _tries[c] = tries + 1
        names = c.co_varnames[:c.co_argcount]
        if not names or names[0] in ("self", "cls"):
            return
        try:
            text = ", ".join(repr(frame.f_locals[n]) for n in names)
            if len(text) > 200 or text in got:
                return
            import ast
            ast.literal_eval("(" + text + ",)")
        except Exception:
            return
        got.append(text)
    def _smallcode_prof(frame, event, arg):
        if event == "call":
            c = frame.f_code
            _seen.add((c.co_filename, c.co_firstlineno))
            mine = _mine.get(c)
            if mine is None:
                fn = c.co_filename
                mine = _mine[c] = not fn.startswith("<") and os.path.realpath(fn).startswith(_root)
            if mine:
                _smallcode_args(frame, c)
    sys.setprofile(_smallcode_prof)
    threading.setprofile(_smallcode_prof)
    def _smallcode_dump():
        sys.setprofile(None)
        try:
            with open("%s.%d" % (_out, os.getpid()), "w") as f:
                for fn, line in _seen:
                    p = os.path.realpath(fn)
                    if p.startswith(_root):
                        f.write("%s\t%d\n" % (p[len(_root):], line))
                for c, calls in _args.items():
                    p = os.path.realpath(c.co_filename)[len(_root):]
                    for text in calls:
                        f.write("A\t%s\t%d\t%s\n" % (p, c.co_firstlineno, text.replace("\n", " ")))
        except OSError:
            pass
    atexit.register(_smallcode_dump)
"#;

/// Collects execution evidence from the checks of one run. Lives in a private folder outside
/// the project (removed on drop).
pub struct Tracer {
    dir: PathBuf,
}

impl Tracer {
    /// Creates the tracer's folder under `parent` (exclusively: an existing path is an error).
    pub fn new(parent: &Path) -> std::io::Result<Tracer> {
        let dir = parent.join("trace");
        std::fs::create_dir(&dir)?;
        std::fs::write(dir.join("sitecustomize.py"), SITECUSTOMIZE)?;
        std::fs::create_dir(dir.join("py"))?;
        std::fs::create_dir(dir.join("node"))?;
        Ok(Tracer { dir })
    }

    /// The environment every check of the run gets (`shadow` = the tree checks run in).
    pub fn env(&self, shadow: &Path) -> Vec<(String, String)> {
        let mut pythonpath = self.dir.display().to_string();
        if let Ok(p) = std::env::var("PYTHONPATH") {
            if !p.is_empty() {
                pythonpath = format!("{pythonpath}:{p}");
            }
        }
        vec![
            ("PYTHONPATH".into(), pythonpath),
            (
                "SMALLCODE_TRACE".into(),
                self.dir.join("py").join("t").display().to_string(),
            ),
            ("SMALLCODE_TRACE_ROOT".into(), shadow.display().to_string()),
            (
                "NODE_V8_COVERAGE".into(),
                self.dir.join("node").display().to_string(),
            ),
        ]
    }

    /// Forgets the evidence so far (before a new verification pass).
    pub fn reset(&self) {
        for sub in ["py", "node"] {
            if let Ok(rd) = std::fs::read_dir(self.dir.join(sub)) {
                for e in rd.flatten() {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }

    /// Every line the Python processes traced since the last reset wrote (one file each).
    fn python_lines(&self) -> Vec<String> {
        let Ok(rd) = std::fs::read_dir(self.dir.join("py")) else {
            return Vec::new();
        };
        rd.flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .flat_map(|text| text.lines().map(str::to_string).collect::<Vec<_>>())
            .collect()
    }

    /// Python functions called since the last reset: (project-relative file, first line).
    fn python_calls(&self) -> HashSet<(String, u32)> {
        let mut out = HashSet::new();
        for line in self.python_lines() {
            if let Some((f, l)) = line.split_once('\t') {
                if let Ok(l) = l.parse() {
                    out.insert((f.to_string(), l));
                }
            }
        }
        out
    }

    /// The literal arguments of the first calls (at most six per function) of each Python
    /// function since the last reset: (project-relative file, first line, `a, b` as Python
    /// literals). For probing a change with the tests' own calls perturbed.
    pub fn python_args(&self) -> Vec<(String, u32, String)> {
        let mut out = Vec::new();
        for line in self.python_lines() {
            let Some(rest) = line.strip_prefix("A\t") else {
                continue;
            };
            let mut parts = rest.splitn(3, '\t');
            let (Some(f), Some(l), Some(args)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            if let Ok(l) = l.parse() {
                let row = (f.to_string(), l, args.to_string());
                if !out.contains(&row) {
                    out.push(row);
                }
            }
        }
        out
    }

    /// Node functions called since the last reset: (absolute file, start offset) with count > 0,
    /// the module wrapper (a nameless function at offset 0) excluded.
    fn node_calls(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let Ok(rd) = std::fs::read_dir(self.dir.join("node")) else {
            return out;
        };
        for e in rd.flatten() {
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            for script in v["result"].as_array().into_iter().flatten() {
                let url = script["url"].as_str().unwrap_or("");
                let file = url.strip_prefix("file://").unwrap_or(url).to_string();
                for f in script["functions"].as_array().into_iter().flatten() {
                    let Some(r) = f["ranges"].as_array().and_then(|r| r.first()) else {
                        continue;
                    };
                    let start = r["startOffset"].as_u64().unwrap_or(0);
                    let count = r["count"].as_u64().unwrap_or(0);
                    let name = f["functionName"].as_str().unwrap_or("");
                    if count > 0 && !(start == 0 && name.is_empty()) {
                        out.push((file.clone(), start));
                    }
                }
            }
        }
        out
    }

    /// Which of `changed` the traced checks executed (Python and JavaScript only; `None` for a
    /// definition in a language without a tracer). `shadow` is where the checks ran and the
    /// new texts live.
    pub fn executed(&self, shadow: &Path, changed: &[Changed]) -> Vec<Option<bool>> {
        let py = self.python_calls();
        let node = self.node_calls();
        changed
            .iter()
            .map(|c| match c.lang {
                "python" => Some(py.iter().any(|(f, l)| {
                    f == &c.file && *l >= c.lines.0.saturating_sub(1) && *l <= c.lines.1
                })),
                "javascript" => {
                    let abs = shadow.join(&c.file);
                    let abs_real = std::fs::canonicalize(&abs).unwrap_or(abs.clone());
                    let Ok(text) = std::fs::read_to_string(&abs) else {
                        return Some(false);
                    };
                    let (lo, hi) = char_span(&text, c.lines);
                    Some(node.iter().any(|(f, off)| {
                        (Path::new(f) == abs || Path::new(f) == abs_real) && *off >= lo && *off < hi
                    }))
                }
                _ => None,
            })
            .collect()
    }
}

impl Drop for Tracer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The UTF-16 offsets V8 reports for lines `lines` (1-based, inclusive) of `text`.
fn char_span(text: &str, lines: (u32, u32)) -> (u64, u64) {
    let mut off = 0u64;
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i as u32 + 1;
        let len: u64 = line.encode_utf16().count() as u64;
        if n == lines.0 {
            lo = off;
        }
        if n == lines.1 {
            hi = off + len;
        }
        off += len;
    }
    (lo.min(off), hi.max(lo.min(off)))
}

/// Static coverage for languages without a tracer: the names a check mentions, widened through
/// `callees` (what a name's definitions call) up to `depth` steps. A changed definition is
/// covered when its bare name is in the result.
pub fn reachable(
    start: impl IntoIterator<Item = String>,
    callees: &dyn Fn(&str) -> Vec<String>,
    depth: usize,
) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = start.into_iter().collect();
    let mut frontier: Vec<String> = seen.iter().cloned().collect();
    for _ in 0..depth {
        let mut next = Vec::new();
        for n in &frontier {
            for c in callees(n) {
                if seen.insert(c.clone()) {
                    next.push(c);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    seen
}

/// Identifiers in `text` (test files, harness calls): the names a check can reach directly.
pub fn identifiers(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_definitions_are_the_innermost_that_differ() {
        let before = "class Cart:\n    def total(self):\n        return 1\n\n    def size(self):\n        return 0\n\n\ndef helper():\n    return 2\n";
        let after = before.replace("return 1", "return 3");
        let c = changed_definitions("cart.py", before, &after);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!((c[0].name.as_str(), c[0].lines), ("total", (2, 3)));
        assert!(changed_definitions("cart.py", before, before).is_empty());
        let added = format!("{before}\n\ndef extra():\n    pass\n");
        let c = changed_definitions("cart.py", before, &added);
        assert_eq!(
            c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["extra"]
        );
    }

    /// Writes `src` as `file` in a fresh project, runs `cmd` there under a tracer and returns
    /// what the tracer says of `defs` ((name, lines)); then the same after a reset.
    fn traced(
        file: &str,
        lang: &'static str,
        src: &str,
        cmd: &[&str],
        defs: &[(&str, (u32, u32))],
    ) -> (Vec<Option<bool>>, Vec<Option<bool>>) {
        let base = tempfile::tempdir().unwrap();
        let proj = base.path().join("proj");
        std::fs::create_dir_all(&proj).unwrap();
        std::fs::write(proj.join(file), src).unwrap();
        let tracer = Tracer::new(base.path()).unwrap();
        let status = std::process::Command::new(cmd[0])
            .args(&cmd[1..])
            .current_dir(&proj)
            .envs(tracer.env(&proj))
            .status()
            .unwrap();
        assert!(status.success());
        let changed: Vec<Changed> = defs
            .iter()
            .map(|(name, lines)| Changed {
                file: file.into(),
                name: (*name).into(),
                qualified: (*name).into(),
                lines: *lines,
                lang,
                constant: false,
            })
            .collect();
        let before = tracer.executed(&proj, &changed);
        tracer.reset();
        (before, tracer.executed(&proj, &changed))
    }

    #[test]
    fn python_calls_are_traced_through_sitecustomize() {
        let src = "def used():\n    return 1\n\n\ndef unused():\n    return 2\n";
        let (got, after_reset) = traced(
            "m.py",
            "python",
            src,
            &["python3", "-c", "import m; m.used()"],
            &[("used", (1, 2)), ("unused", (5, 6))],
        );
        assert_eq!(got, vec![Some(true), Some(false)]);
        assert_eq!(after_reset, vec![Some(false), Some(false)]);
    }

    /// The tests' own calls are recorded with their literal arguments (the first six distinct
    /// per function, never a method's `self`, never an argument that is not a literal).
    #[test]
    fn python_calls_keep_their_literal_arguments() {
        let base = tempfile::tempdir().unwrap();
        let proj = base.path().join("proj");
        std::fs::create_dir_all(&proj).unwrap();
        let src = "def find(items, x):\n    return -1\n\n\nclass C:\n    def m(self, a):\n        return a\n";
        std::fs::write(proj.join("m.py"), src).unwrap();
        let tracer = Tracer::new(base.path()).unwrap();
        let script = "import m\nfor i in range(9): m.find([1, 3], i)\nm.find([1, 3], 1)\nm.find(object(), 2)\nm.C().m(5)\n";
        let status = std::process::Command::new("python3")
            .args(["-c", script])
            .current_dir(&proj)
            .envs(tracer.env(&proj))
            .status()
            .unwrap();
        assert!(status.success());
        let args = tracer.python_args();
        let find: Vec<&str> = args
            .iter()
            .filter(|(f, l, _)| f == "m.py" && *l == 1)
            .map(|(_, _, a)| a.as_str())
            .collect();
        assert_eq!(
            find,
            [
                "[1, 3], 0",
                "[1, 3], 1",
                "[1, 3], 2",
                "[1, 3], 3",
                "[1, 3], 4",
                "[1, 3], 5"
            ]
        );
        assert!(
            args.iter().all(|(_, l, _)| *l == 1),
            "no method calls: {args:?}"
        );
        tracer.reset();
        assert!(tracer.python_args().is_empty());
    }

    #[test]
    fn node_calls_are_read_from_v8_coverage() {
        let src = "function used() {\n  return 1;\n}\n\nfunction unused() {\n  return 2;\n}\nmodule.exports = { used, unused };\n";
        let (got, after_reset) = traced(
            "m.js",
            "javascript",
            src,
            &["node", "-e", "require('./m.js').used()"],
            &[("used", (1, 3)), ("unused", (5, 7))],
        );
        assert_eq!(got, vec![Some(true), Some(false)]);
        assert_eq!(after_reset, vec![Some(false), Some(false)]);
    }

    #[test]
    fn reachable_follows_callees_to_a_depth() {
        let callees = |n: &str| match n {
            "test_main" => vec!["a".to_string()],
            "a" => vec!["b".to_string()],
            "b" => vec!["c".to_string()],
            _ => vec![],
        };
        let r = reachable(["test_main".to_string()], &callees, 2);
        assert!(r.contains("b") && !r.contains("c"), "{r:?}");
    }
}
