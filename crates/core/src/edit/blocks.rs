//! Splitting a model's reply into the blocks that carry edits.
//!
//! Two formats, chosen by model size (issue 5): small models write fenced code blocks holding a
//! whole function, class or file ([`Block::Code`], mapped by name in [`super::unit`]); larger
//! models write SEARCH/REPLACE blocks ([`Block::SearchReplace`], located by
//! [`super::matcher::locate`]). Replies are sloppy, so the parser tolerates: `~~~` fences, a
//! missing closing fence at the end of the reply, 5–9 marker characters, markers in any case,
//! SEARCH/REPLACE blocks wrapped in a fence (Aider's layout) and a file name on the line before.
//! Prose between blocks is skipped.
//!
//! Units: `line` fields are 1-based lines of the reply. Block text always uses `\n`.

/// One edit-carrying block of a reply, in reply order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A fenced code block.
    Code {
        /// First word of the info string (` ```python ` → `python`), if any.
        lang: Option<String>,
        /// A file name taken from the info string (` ```rust src/a.rs `, ` ```src/a.rs `) or from a
        /// path-like line just before the fence, if any.
        path: Option<String>,
        /// The code, lines joined with `\n`, ending with `\n` unless empty.
        code: String,
        /// False when the reply ended before the closing fence.
        closed: bool,
        /// 1-based reply line of the opening fence.
        line: usize,
    },
    /// A SEARCH/REPLACE pair.
    SearchReplace {
        /// The file name on the line before `<<<<<<< SEARCH` (or before its wrapping fence).
        path: Option<String>,
        /// The old text, ending with `\n` unless empty.
        search: String,
        /// The new text, ending with `\n` unless empty.
        replace: String,
        /// False when the reply ended before `>>>>>>> REPLACE` (the replace part is what came).
        closed: bool,
        /// 1-based reply line of the `<<<<<<< SEARCH` marker.
        line: usize,
    },
}

/// A marker line: `n` copies of `ch` (5 ≤ n ≤ 9) optionally followed by `word` (any case).
fn is_marker(line: &str, ch: char, word: &str) -> bool {
    let t = line.trim();
    let n = t.chars().take_while(|&c| c == ch).count();
    if !(5..=9).contains(&n) {
        return false;
    }
    let rest = t[n..].trim();
    if word.is_empty() {
        rest.is_empty()
    } else {
        rest.eq_ignore_ascii_case(word)
    }
}

/// An opening or closing fence: (fence char, run length, info string).
fn fence(line: &str) -> Option<(char, usize, &str)> {
    let t = line.trim_start();
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|&c| c == ch).count();
    (n >= 3).then(|| (ch, n, t[n..].trim()))
}

/// A line that looks like a file name: one token with a dot or slash, no code punctuation.
/// Decorations models add (`**`, backticks, a trailing colon, `File:`) are removed.
fn path_like(line: &str) -> Option<String> {
    let mut t = line
        .trim()
        .trim_matches(['*', '`', '#', ' '])
        .trim_end_matches(':')
        .trim();
    for prefix in ["File:", "file:", "Filename:", "filename:", "Path:", "path:"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim().trim_matches('`');
        }
    }
    let ok = !t.is_empty()
        && !t.contains(char::is_whitespace)
        && (t.contains('.') || t.contains('/'))
        && !t.contains(['(', ')', '{', '}', '=', ';', '<', '>', '"', '\'', ','])
        && !t.ends_with('.');
    ok.then(|| t.to_string())
}

fn joined(lines: &[&str]) -> String {
    let mut s = lines.join("\n");
    if !lines.is_empty() {
        s.push('\n');
    }
    s
}

struct OpenFence<'a> {
    ch: char,
    n: usize,
    lang: Option<String>,
    path: Option<String>,
    body: Vec<&'a str>,
    line: usize,
    /// Held SEARCH/REPLACE blocks: the fence is only their wrapper, not code.
    wrapper: bool,
}

struct OpenSr<'a> {
    path: Option<String>,
    search: Vec<&'a str>,
    replace: Vec<&'a str>,
    in_replace: bool,
    line: usize,
}

/// Parses `reply` into its blocks, in order. Never fails: unparseable parts are prose.
pub fn parse(reply: &str) -> Vec<Block> {
    let lines: Vec<&str> = reply
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = Vec::new();
    let mut fence_open: Option<OpenFence<'_>> = None;
    let mut sr: Option<OpenSr<'_>> = None;
    for (i, &line) in lines.iter().enumerate() {
        if let Some(cur) = sr.as_mut() {
            if !cur.in_replace && is_marker(line, '=', "") {
                cur.in_replace = true;
            } else if cur.in_replace && is_marker(line, '>', "REPLACE") {
                let cur = sr.take().expect("checked above");
                out.push(Block::SearchReplace {
                    path: cur.path,
                    search: joined(&cur.search),
                    replace: joined(&cur.replace),
                    closed: true,
                    line: cur.line,
                });
            } else if cur.in_replace {
                cur.replace.push(line);
            } else {
                cur.search.push(line);
            }
            continue;
        }
        if is_marker(line, '<', "SEARCH") {
            let prev = i.checked_sub(1).map(|p| lines[p]);
            let path = match fence_open.as_mut() {
                Some(f) => {
                    f.wrapper = true;
                    let inner = if f.body.is_empty() {
                        None
                    } else {
                        prev.and_then(path_like)
                    };
                    inner.or_else(|| f.path.clone())
                }
                None => prev.and_then(path_like),
            };
            sr = Some(OpenSr {
                path,
                search: Vec::new(),
                replace: Vec::new(),
                in_replace: false,
                line: i + 1,
            });
            if let Some(f) = fence_open.as_mut() {
                f.body.clear();
            }
            continue;
        }
        if let Some(f) = fence_open.as_mut() {
            match fence(line) {
                Some((ch, n, info)) if ch == f.ch && n >= f.n && info.is_empty() => {
                    let f = fence_open.take().expect("checked above");
                    if !f.wrapper {
                        out.push(Block::Code {
                            lang: f.lang,
                            path: f.path,
                            code: joined(&f.body),
                            closed: true,
                            line: f.line,
                        });
                    }
                }
                _ => f.body.push(line),
            }
            continue;
        }
        if let Some((ch, n, info)) = fence(line) {
            let mut words = info.split_whitespace();
            let first = words.next();
            let (lang, mut path) = match first {
                Some(w) if path_like(w).is_some() && !w.starts_with('.') => (None, path_like(w)),
                Some(w) => (
                    Some(w.trim_start_matches('{').trim_end_matches('}').to_string()),
                    None,
                ),
                None => (None, None),
            };
            if path.is_none() {
                path = words.next().and_then(path_like);
            }
            if path.is_none() {
                path = i.checked_sub(1).and_then(|p| path_like(lines[p]));
            }
            fence_open = Some(OpenFence {
                ch,
                n,
                lang,
                path,
                body: Vec::new(),
                line: i + 1,
                wrapper: false,
            });
        }
    }
    if let Some(mut cur) = sr {
        while cur.replace.last().is_some_and(|l| l.trim().is_empty()) {
            cur.replace.pop();
        }
        if cur.in_replace {
            out.push(Block::SearchReplace {
                path: cur.path,
                search: joined(&cur.search),
                replace: joined(&cur.replace),
                closed: false,
                line: cur.line,
            });
        }
    } else if let Some(f) = fence_open {
        if !f.wrapper {
            let mut body = f.body;
            while body.last().is_some_and(|l| l.trim().is_empty()) {
                body.pop();
            }
            out.push(Block::Code {
                lang: f.lang,
                path: f.path,
                code: joined(&body),
                closed: false,
                line: f.line,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(b: &Block) -> (&Option<String>, &Option<String>, &str, bool) {
        match b {
            Block::Code {
                lang,
                path,
                code,
                closed,
                ..
            } => (lang, path, code.as_str(), *closed),
            other => panic!("not code: {other:?}"),
        }
    }

    #[test]
    fn fenced_blocks_in_order_with_prose_between() {
        let reply = "Here is the fix:\n```python\ndef add(a, b):\n    return a + b\n```\nAnd a test:\n~~~\nassert add(1, 2) == 3\n~~~\n";
        let blocks = parse(reply);
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            code(&blocks[0]),
            (
                &Some("python".into()),
                &None,
                "def add(a, b):\n    return a + b\n",
                true
            )
        );
        assert_eq!(code(&blocks[1]).2, "assert add(1, 2) == 3\n");
    }

    #[test]
    fn missing_closing_fence_at_end_is_tolerated() {
        let blocks = parse("```rust\nfn main() {}\n\n");
        assert_eq!(
            code(&blocks[0]),
            (&Some("rust".into()), &None, "fn main() {}\n", false)
        );
    }

    #[test]
    fn longer_fence_holds_shorter_one() {
        let blocks = parse("````md\n```\nx\n```\n````\n");
        assert_eq!(code(&blocks[0]).2, "```\nx\n```\n");
    }

    #[test]
    fn file_name_from_info_or_previous_line() {
        let b = parse("```rust src/lib.rs\nfn a() {}\n```");
        assert_eq!(code(&b[0]).1, &Some("src/lib.rs".into()));
        let b = parse("**src/app.py**\n```python\npass\n```");
        assert_eq!(code(&b[0]).1, &Some("src/app.py".into()));
        let b = parse("Fix it like this:\n```python\npass\n```");
        assert_eq!(code(&b[0]).1, &None);
    }

    #[test]
    fn search_replace_with_file_name() {
        let reply = "src/a.rs\n<<<<<<< SEARCH\nlet x = 1;\n=======\nlet x = 2;\n>>>>>>> REPLACE\n";
        assert_eq!(
            parse(reply),
            vec![Block::SearchReplace {
                path: Some("src/a.rs".into()),
                search: "let x = 1;\n".into(),
                replace: "let x = 2;\n".into(),
                closed: true,
                line: 2,
            }]
        );
    }

    #[test]
    fn search_replace_inside_fence_is_not_code() {
        let reply =
            "```python\napp.py\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n```\n";
        let blocks = parse(reply);
        assert_eq!(blocks.len(), 1);
        match &blocks[0] {
            Block::SearchReplace {
                path,
                search,
                replace,
                ..
            } => {
                assert_eq!(path.as_deref(), Some("app.py"));
                assert_eq!((search.as_str(), replace.as_str()), ("a = 1\n", "a = 2\n"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn two_blocks_empty_replace_and_sloppy_markers() {
        let reply =
            "<<<<<<<< search\na\n=========\n>>>>>>> Replace\n\n<<<<<<< SEARCH\nb\n=======\nc\n";
        let blocks = parse(reply);
        assert_eq!(blocks.len(), 2);
        assert!(
            matches!(&blocks[0], Block::SearchReplace { replace, closed: true, .. } if replace.is_empty())
        );
        assert!(
            matches!(&blocks[1], Block::SearchReplace { replace, closed: false, .. } if replace == "c\n")
        );
    }
}
