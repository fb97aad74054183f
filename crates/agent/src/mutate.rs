//! Repair templates: the small variants of one definition that fix most one-token bugs — a
//! comparison's boundary, a constant or bound off by one, an operator, `min`/`max`, a Rust
//! range's end, two parameters used the wrong way round, a counter set instead of added to —
//! and a few whole bug shapes (idioms): a split on one space, `floor` for rounding, a C integer
//! division in a `double` function, a maximum starting at 0, Go bytes for characters, a Lua
//! pattern not anchored at its end.
//!
//! A small model that cannot see the fix often hands back the same wrong line four rounds in a
//! row; when a test or several examples can tell a right variant from a wrong one, trying the
//! few dozen variants costs seconds and no model call. The variants come from a token scan of the
//! definition that skips strings and comments, so text is never mutated; each is verified by the
//! caller exactly like a model's candidate (all checks, the probes, the label).

use std::ops::Range;

/// One variant of a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// The definition's text with the change made.
    pub text: String,
    /// What changed, for the chat and the report (`` `<=` → `<` on line 3 ``).
    pub what: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Number,
    Op,
    Open,
    Close,
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    at: Range<usize>,
    /// 0-based line within the definition.
    line: usize,
    /// Whitespace (or the text's start) right before it.
    space_before: bool,
    /// Whitespace (or the text's end) right after it.
    space_after: bool,
}

/// What the scanner must skip in a language: comments and string literals.
struct Lexis {
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    quotes: &'static [u8],
    triple_quotes: bool,
    rust_quote: bool,
}

fn lexis(fence: &str) -> Lexis {
    match fence {
        "python" => Lexis {
            line_comments: &["#"],
            block_comment: None,
            quotes: b"\"'",
            triple_quotes: true,
            rust_quote: false,
        },
        "lua" => Lexis {
            line_comments: &["--"],
            block_comment: None,
            quotes: b"\"'",
            triple_quotes: false,
            rust_quote: false,
        },
        "rust" => Lexis {
            line_comments: &["//"],
            block_comment: Some(("/*", "*/")),
            quotes: b"\"",
            triple_quotes: false,
            rust_quote: true,
        },
        _ => Lexis {
            line_comments: &["//"],
            block_comment: Some(("/*", "*/")),
            quotes: b"\"'`",
            triple_quotes: false,
            rust_quote: false,
        },
    }
}

/// Operators, longest first (a prefix of a longer one must come after it).
const OPS: [&str; 40] = [
    "..=", "===", "!==", "...", "<<=", ">>=", "<=", ">=", "==", "!=", "~=", "&&", "||", "..", "+=",
    "-=", "*=", "/=", "++", "--", "->", "=>", "::", "<<", ">>", ":=", "<", ">", "+", "-", "*", "/",
    "%", "=", "!", "&", "|", ",", ";", ":",
];

/// The code tokens of `src` (strings and comments skipped).
fn tokens(src: &str, lx: &Lexis) -> Vec<Tok> {
    let b = src.as_bytes();
    let mut out: Vec<Tok> = Vec::new();
    let mut i = 0;
    let mut line = 0;
    let skip_to = |from: usize, end: &str, line: &mut usize| -> usize {
        let at = src[from..]
            .find(end)
            .map_or(src.len(), |k| from + k + end.len());
        *line += src[from..at].matches('\n').count();
        at
    };
    while i < b.len() {
        let c = b[i];
        let rest = &src[i..];
        if c == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if lx.line_comments.iter().any(|p| rest.starts_with(p)) {
            i = src[i..].find('\n').map_or(src.len(), |k| i + k);
            continue;
        }
        if let Some((open, close)) = lx.block_comment {
            if rest.starts_with(open) {
                i = skip_to(i + open.len(), close, &mut line);
                continue;
            }
        }
        if lx.triple_quotes && (rest.starts_with("\"\"\"") || rest.starts_with("'''")) {
            i = skip_to(i + 3, &rest[..3], &mut line);
            continue;
        }
        if lx.quotes.contains(&c) {
            let mut j = i + 1;
            while j < b.len() && b[j] != c && (c == b'`' || b[j] != b'\n') {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            line += src[i..j.min(b.len())].matches('\n').count();
            i = (j + 1).min(b.len());
            continue;
        }
        if lx.rust_quote && c == b'\'' {
            // A char literal ('a', '\n') or a lifetime ('a): only the first is skipped whole.
            let lit = rest.get(1..).and_then(|r| {
                let mut cs = r.char_indices();
                let (_, first) = cs.next()?;
                if first == '\\' {
                    r.find('\'').map(|k| k + 2)
                } else {
                    let (k, next) = cs.next()?;
                    (next == '\'').then_some(k + 2)
                }
            });
            i += lit.unwrap_or(1);
            continue;
        }
        let start = i;
        let kind = if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            Kind::Ident
        } else if c.is_ascii_digit() {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'_'
                    || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            Kind::Number
        } else if matches!(c, b'(' | b'[' | b'{') {
            i += 1;
            Kind::Open
        } else if matches!(c, b')' | b']' | b'}') {
            i += 1;
            Kind::Close
        } else if let Some(op) = OPS.iter().find(|o| rest.starts_with(**o)) {
            i += op.len();
            Kind::Op
        } else {
            // Anything else (`.`, `#`, `?`, non-ASCII): a one-character operator.
            i += rest.chars().next().map_or(1, char::len_utf8);
            Kind::Op
        };
        out.push(Tok {
            kind,
            at: start..i,
            line,
            space_before: start == 0 || b[start - 1].is_ascii_whitespace(),
            space_after: i >= b.len() || b[i].is_ascii_whitespace(),
        });
    }
    out
}

/// Words after which `+`/`-` is a sign, not a binary operator.
const NOT_OPERANDS: [&str; 12] = [
    "return", "in", "not", "and", "or", "if", "elif", "while", "then", "do", "else", "case",
];

fn is_operand_end(src: &str, t: &Tok) -> bool {
    match t.kind {
        Kind::Number | Kind::Close => true,
        Kind::Ident => !NOT_OPERANDS.contains(&&src[t.at.clone()]),
        _ => false,
    }
}

/// A variant before it is made: its edits (byte range → new text) and what they change.
type Candidate = (Vec<(Range<usize>, String)>, String);

/// The classes of variants, in the order they are tried: the first that passes every check is
/// kept, so with few checks (one example) the order decides between variants that all pass.
/// Idioms (a whole known bug shape: a counter set instead of added to, a split on one space)
/// come first; a variable's starting value comes late.
const IDIOM: usize = 0;
const BOUNDARY: usize = 1;
const CONST: usize = 2;
const DROP: usize = 3;
const ADD: usize = 4;
const ARITH: usize = 5;
const LOGIC: usize = 6;
const INIT: usize = 7;
const PARAMS: usize = 8;
const CLASSES: usize = 9;

/// Whether body token `n` (a number) is a variable's starting value: `total = 0`, `let mut
/// best = 0;`, `local n = 0`, `total := 0` — only words before the name on its line, the value
/// last on it. A loop header's `int i = 1` (after a parenthesis) is not one.
fn initialiser(def: &str, toks: &[Tok], body: &[usize], n: usize) -> bool {
    let t = &toks[body[n]];
    let Some(eq) = n.checked_sub(1).map(|m| &toks[body[m]]) else {
        return false;
    };
    if !matches!(&def[eq.at.clone()], "=" | ":=") || eq.line != t.line {
        return false;
    }
    let before_ok = body[..n - 1]
        .iter()
        .rev()
        .map(|&k| &toks[k])
        .take_while(|u| u.line == t.line)
        .all(|u| u.kind == Kind::Ident);
    let ends = body
        .get(n + 1)
        .is_none_or(|&q| toks[q].line != t.line || &def[toks[q].at.clone()] == ";");
    before_ok && n >= 2 && toks[body[n - 2]].line == t.line && ends
}

/// The end (exclusive) of the bracket group opening at `open`, quotes respected.
fn close_paren(s: &str, open: usize) -> Option<usize> {
    crate::expect::balanced_end(s, open).map(|close| close + 1)
}

/// Whole-shape fixes of classic bugs, found in the body's text (the header is never changed):
/// a split on one space where any whitespace was meant, `floor(x)` where rounding was meant,
/// an integer division in a C function that returns a floating-point value, and a maximum or
/// minimum that starts from 0 instead of the first element.
fn idioms(fence: &str, def: &str, toks: &[Tok]) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let body_at = def.find('\n').map_or(def.len(), |k| k + 1);
    let line_at = |at: usize| def[..at].matches('\n').count() + 1;
    let code_at = |at: usize| toks.iter().any(|t| t.at.start == at);
    // A split on one space: `"a  b".split(' ')` has an empty word between the spaces.
    for pat in [".split(' ')", ".split(\" \")"] {
        let new = match fence {
            "python" => ".split()",
            "rust" => ".split_whitespace()",
            "javascript" | "typescript" => ".split(/\\s+/).filter(Boolean)",
            _ => continue,
        };
        for (at, _) in def[body_at..].match_indices(pat) {
            let at = body_at + at;
            let what = format!("`{pat}` → `{new}` on line {}", line_at(at));
            out.push((vec![(at..at + pat.len(), new.to_string())], what));
        }
    }
    if fence == "go" {
        for (at, _) in def[body_at..].match_indices("strings.Split(") {
            let at = body_at + at;
            let open = at + "strings.Split".len();
            let Some(end) = close_paren(def, open) else {
                continue;
            };
            let args = &def[open + 1..end - 1];
            if let Some(first) = args.strip_suffix(", \" \"") {
                let new = format!("strings.Fields({first})");
                let what = format!(
                    "`strings.Split(…, \" \")` → `{new}` on line {}",
                    line_at(at)
                );
                out.push((vec![(at..end, new)], what));
            }
        }
    }
    // Go: a string's bytes where its characters were meant (`[]byte(s)` splits an `é`).
    if fence == "go" {
        let hits: Vec<usize> = def[body_at..]
            .match_indices("[]byte(")
            .map(|(at, _)| body_at + at)
            .collect();
        if let Some(&first) = hits.first() {
            let edits = hits
                .iter()
                .map(|&at| (at..at + "[]byte(".len(), "[]rune(".to_string()))
                .collect();
            let what = format!("`[]byte(…)` → `[]rune(…)` from line {}", line_at(first));
            out.push((edits, what));
        }
    }
    // Lua: a pattern anchored at its start and ending in a repetition that may match nothing
    // (`"^%s*(.-)%s*"`) captures nothing unless it is anchored at the end too.
    if fence == "lua" {
        for q in ['"', '\''] {
            let mut from = body_at;
            while let Some(k) = def[from..].find(&format!("{q}^")) {
                let open = from + k;
                let Some(len) = def[open + 1..].find([q, '\n']) else {
                    break;
                };
                let close = open + 1 + len;
                from = close + 1;
                let pat = &def[open + 1..close];
                if def[close..].starts_with(q)
                    && pat.ends_with(['*', '-', '?'])
                    && !pat.ends_with("%-")
                {
                    let what = format!(
                        "the pattern `{pat}` anchored at its end (`$`) on line {}",
                        line_at(open)
                    );
                    out.push((vec![(close..close, "$".to_string())], what));
                }
            }
        }
    }
    // Rounding written as `floor(x)`: `floor(x + 0.5)` rounds halves up.
    for name in ["floor(", "Floor("] {
        for (at, _) in def[body_at..].match_indices(name) {
            let at = body_at + at;
            let open = at + name.len() - 1;
            let word_start = def[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            if !word_start || !code_at(at) {
                continue;
            }
            let Some(end) = close_paren(def, open) else {
                continue;
            };
            let what = format!("`+ 0.5` added inside `{name}…)` on line {}", line_at(at));
            out.push((vec![(end - 1..end - 1, " + 0.5".to_string())], what));
        }
    }
    // `part / whole` of two integers in a function that returns `double`: the fraction is lost.
    let header = &def[..body_at];
    let floating = header
        .split('(')
        .next()
        .unwrap_or("")
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w == "double" || w == "float");
    if matches!(fence, "c" | "cpp" | "java") && floating {
        let ints = int_parameters(header);
        for (k, t) in toks.iter().enumerate() {
            if t.line == 0 || &def[t.at.clone()] != "/" {
                continue;
            }
            let Some(left) = k.checked_sub(1).map(|p| &toks[p]) else {
                continue;
            };
            let name = &def[left.at.clone()];
            if left.kind == Kind::Ident && ints.iter().any(|p| p == name) {
                let what = format!("`{name}` divided as a `double` on line {}", t.line + 1);
                out.push((
                    vec![(left.at.start..left.at.start, "(double) ".into())],
                    what,
                ));
                break;
            }
        }
    }
    out.extend(first_element_start(fence, def, toks));
    out
}

/// The names of a C-like header's `int`/`long` parameters (`double percent(int part, int whole)`).
fn int_parameters(header: &str) -> Vec<String> {
    let Some(open) = header.find('(') else {
        return Vec::new();
    };
    let inner = header[open + 1..].split(')').next().unwrap_or("");
    inner
        .split(',')
        .filter_map(|p| {
            let words: Vec<&str> = p.split_whitespace().collect();
            let (name, types) = words.split_last()?;
            types
                .iter()
                .any(|w| matches!(*w, "int" | "long" | "short" | "unsigned"))
                .then(|| name.trim_start_matches('*').to_string())
        })
        .collect()
}

/// A largest (smallest) value that starts at 0 and is compared with each element: with only
/// negative (positive) elements it stays 0. Starting from the first element of the parameter
/// the loop runs over (`best := 0` → `best := xs[0]`; Lua `t[1]`).
fn first_element_start(fence: &str, def: &str, toks: &[Tok]) -> Vec<Candidate> {
    let text = |t: &Tok| &def[t.at.clone()];
    let body: Vec<usize> = (0..toks.len()).filter(|&k| toks[k].line > 0).collect();
    let params = parameters(def, toks);
    // The parameter a loop runs over: on a line starting with `for`, after `in`/`of`/`range`/
    // `ipairs(`/`pairs(`.
    let looped = params.iter().find(|p| {
        body.iter().enumerate().any(|(n, &k)| {
            let t = &toks[k];
            text(t) == p.as_str()
                && body[..n]
                    .iter()
                    .rev()
                    .map(|&q| &toks[q])
                    .take_while(|u| u.line == t.line)
                    .any(|u| text(u) == "for")
                && n.checked_sub(1).is_some_and(|m| {
                    matches!(text(&toks[body[m]]), "in" | "of" | "range" | "(" | "&")
                })
        })
    });
    let Some(p) = looped else {
        return Vec::new();
    };
    let first = if fence == "lua" {
        format!("{p}[1]")
    } else {
        format!("{p}[0]")
    };
    let mut out = Vec::new();
    for n in 0..body.len() {
        let t = &toks[body[n]];
        if text(t) != "0" || !initialiser(def, toks, &body, n) {
            continue;
        }
        let name = text(&toks[body[n - 2]]);
        let compared = body.windows(2).any(|w| {
            let (a, b) = (&toks[w[0]], &toks[w[1]]);
            (text(a) == name && matches!(text(b), "<" | ">" | "<=" | ">="))
                || (text(b) == name && matches!(text(a), "<" | ">" | "<=" | ">="))
        });
        if compared {
            let what = format!(
                "`{name}` starts at `{first}` instead of 0 on line {}",
                t.line + 1
            );
            out.push((vec![(t.at.clone(), first.clone())], what));
        }
    }
    out
}

/// Identifier pairs whose swap is a classic one-word bug.
const SWAPS: [(&str, &str); 4] = [
    ("min", "max"),
    ("floor", "ceil"),
    ("and", "or"),
    ("true", "false"),
];

/// Adds a one-edit variant to its class.
fn push(classes: &mut [Vec<Candidate>], class: usize, at: Range<usize>, new: String, what: String) {
    classes[class].push((vec![(at, new)], what));
}

/// Adds the variant that writes `new` in place of token `t` (`` `<=` → `<` on line 3 ``).
fn swap(classes: &mut [Vec<Candidate>], class: usize, t: &Tok, old: &str, new: &str, line: usize) {
    let what = format!("`{old}` → `{new}` on line {line}");
    push(classes, class, t.at.clone(), new.to_string(), what);
}

/// The variants of `def` (a definition's whole text; its first line, the header, is never
/// changed), most likely first, at most `limit`, without duplicates. `fence` is the fence tag
/// of the file's language (`python`, `rust`…).
pub fn mutants(fence: &str, def: &str, limit: usize) -> Vec<Mutant> {
    let toks = tokens(def, &lexis(fence));
    let text = |t: &Tok| &def[t.at.clone()];
    let body: Vec<usize> = (0..toks.len()).filter(|&k| toks[k].line > 0).collect();
    // Edits per class, in the order the classes are tried (see the constants).
    let mut classes: Vec<Vec<Candidate>> = vec![Vec::new(); CLASSES];
    classes[IDIOM] = idioms(fence, def, &toks);

    let line_of = |t: &Tok| t.line + 1;
    for (n, &k) in body.iter().enumerate() {
        let t = &toks[k];
        let s = text(t);
        let prev = n
            .checked_sub(1)
            .map(|p| &toks[body[p]])
            .filter(|p| p.line == t.line);
        let next = body.get(n + 1).map(|&q| &toks[q]);
        let binary = prev.is_some_and(|p| is_operand_end(def, p));
        let l = line_of(t);
        match (t.kind, s) {
            // A comparison's boundary; `<`/`>` only when spaced, so generics stay alone.
            (Kind::Op, "<=" | ">=") => {
                let new = &s[..1];
                swap(&mut classes, BOUNDARY, t, s, new, l);
            }
            (Kind::Op, "<" | ">") if t.space_before && t.space_after => {
                let new = format!("{s}=");
                swap(&mut classes, BOUNDARY, t, s, &new, l);
                let flip = if s == "<" { ">" } else { "<" };
                swap(&mut classes, LOGIC, t, s, flip, l);
            }
            (Kind::Number, _) if s.bytes().all(|c| c.is_ascii_digit()) && s.len() < 10 => {
                let v: u64 = s.parse().unwrap_or(0);
                // `x - 1` → `x - 0` is the dropped term below, written worse.
                let term = prev.is_some_and(|p| matches!(text(p), "+" | "-"));
                // A variable's starting value (`total := 0`) is seldom the bug an example
                // shows, and its ±1 passes many one-example checks by coincidence: tried late.
                let class = if initialiser(def, &toks, &body, n) {
                    INIT
                } else {
                    CONST
                };
                if v > 0 && !(v == 1 && term) {
                    let new = (v - 1).to_string();
                    swap(&mut classes, class, t, s, &new, l);
                }
                let new = (v + 1).to_string();
                swap(&mut classes, class, t, s, &new, l);
            }
            (Kind::Op, "+" | "-") if binary => {
                // `x - 1` → `x`: a bound off by one.
                let drops_one = next.is_some_and(|x| text(x) == "1" && x.line == t.line)
                    && body
                        .get(n + 2)
                        .map(|&q| &toks[q])
                        .is_none_or(|after| !matches!(text(after), "*" | "/" | "." | "%"));
                if drops_one {
                    let from = def[..t.at.start].trim_end().len();
                    let to = next.map_or(t.at.end, |x| x.at.end);
                    push(
                        &mut classes,
                        DROP,
                        from..to,
                        String::new(),
                        format!("`{s} 1` dropped on line {l}"),
                    );
                }
                let new = if s == "+" { "-" } else { "+" };
                swap(&mut classes, ARITH, t, s, new, l);
                if s == "+" {
                    swap(&mut classes, ARITH, t, s, "*", l);
                }
            }
            (Kind::Op, "*" | "/") if binary => {
                let new = if s == "*" { "/" } else { "*" };
                swap(&mut classes, ARITH, t, s, new, l);
                if s == "*" {
                    swap(&mut classes, ARITH, t, s, "+", l);
                }
            }
            (Kind::Op, "+=" | "-=") => {
                let new = if s == "+=" { "-=" } else { "+=" };
                swap(&mut classes, ARITH, t, s, new, l);
            }
            (Kind::Op, ".." | "..=") if fence == "rust" => {
                let new = if s == ".." { "..=" } else { ".." };
                swap(&mut classes, ADD, t, s, new, l);
            }
            (Kind::Op, "==" | "!=" | "~=" | "===" | "!==") => {
                let new = match (s, fence) {
                    ("==", "lua") => "~=",
                    ("==", _) => "!=",
                    ("===", _) => "!==",
                    ("!==", _) => "===",
                    _ => "==",
                };
                swap(&mut classes, LOGIC, t, s, new, l);
            }
            (Kind::Op, "&&" | "||") => {
                let new = if s == "&&" { "||" } else { "&&" };
                swap(&mut classes, LOGIC, t, s, new, l);
            }
            (Kind::Ident, _) => {
                for (a, b) in SWAPS {
                    let new = if s == a {
                        b
                    } else if s == b {
                        a
                    } else {
                        continue;
                    };
                    swap(&mut classes, LOGIC, t, s, new, l);
                }
            }
            _ => {}
        }
        // An argument, index or loop bound one short or one long: `x` → `x + 1` / `x - 1`.
        let ends_operand = is_operand_end(def, t) && t.kind != Kind::Number;
        let bound = next.is_some_and(|x| {
            x.line == t.line && matches!(text(x), ")" | "]" | ";" | "do" | "{" | ":")
        });
        let already = prev.is_some_and(|p| matches!(text(p), "+" | "-"));
        if ends_operand && bound && !already {
            for op in ["+", "-"] {
                push(
                    &mut classes,
                    ADD,
                    t.at.end..t.at.end,
                    format!(" {op} 1"),
                    format!("`{op} 1` added after `{s}` on line {l}"),
                );
            }
        }
    }
    // A counter set where it should be added to: a later `n = 1` after `n = 0` → `n = n + 1`.
    for (n, &k) in body.iter().enumerate() {
        let (Some(&eq), Some(&val)) = (body.get(n + 1), body.get(n + 2)) else {
            continue;
        };
        let (t, e, v) = (&toks[k], &toks[eq], &toks[val]);
        let first_on_line =
            n == 0 || toks[body[n - 1]].line != t.line || text(&toks[body[n - 1]]) == "local";
        let value_alone = body
            .get(n + 3)
            .is_none_or(|&q| toks[q].line != v.line || text(&toks[q]) == ";");
        if t.kind != Kind::Ident
            || text(e) != "="
            || v.kind != Kind::Number
            || !first_on_line
            || !value_alone
        {
            continue;
        }
        let name = text(t);
        let assigned_before = body[..n].iter().enumerate().any(|(m, &q)| {
            text(&toks[q]) == name
                && body
                    .get(m + 1)
                    .is_some_and(|&r| matches!(text(&toks[r]), "=" | ":="))
        });
        if assigned_before {
            let new = format!("{name} + {}", text(v));
            let what = format!(
                "`{name} = {}` → `{name} = {new}` on line {}",
                text(v),
                line_of(t)
            );
            classes[IDIOM].push((vec![(v.at.clone(), new)], what));
        }
    }
    // Two parameters used the wrong way round: every use of one becomes the other.
    let params = parameters(def, &toks);
    for (x, a) in params.iter().enumerate() {
        for b in &params[x + 1..] {
            let mut edits = Vec::new();
            for &k in &body {
                let t = &toks[k];
                let after_dot = def[..t.at.start].ends_with('.');
                if t.kind != Kind::Ident || after_dot {
                    continue;
                }
                let s = text(t);
                if s == a {
                    edits.push((t.at.clone(), b.clone()));
                } else if s == b {
                    edits.push((t.at.clone(), a.clone()));
                }
            }
            let uses_both = edits.iter().any(|(_, n)| n == a) && edits.iter().any(|(_, n)| n == b);
            if uses_both {
                classes[PARAMS].push((edits, format!("`{a}` and `{b}` swapped in the body")));
            }
        }
    }
    let mut out: Vec<Mutant> = Vec::new();
    for (edits, what) in classes.into_iter().flatten() {
        if out.len() >= limit {
            break;
        }
        let text = apply(def, &edits);
        if text != def && !out.iter().any(|m| m.text == text) {
            out.push(Mutant { text, what });
        }
    }
    out
}

/// An empty collection or string as a call argument, as the request writes it.
fn is_empty_literal(arg: &str) -> bool {
    let a: String = arg.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        a.as_str(),
        "[]" | "{}" | "\"\"" | "''" | "vec![]" | "&[]" | "Vec::new()"
    ) || (a.starts_with("[]") && a.ends_with("{}"))
}

/// The top-level, comma-separated arguments of `call` (`f([], 2)` → `[]`, `2`).
pub(crate) fn arguments(call: &str) -> Vec<&str> {
    let Some(open) = call.find('(') else {
        return Vec::new();
    };
    let inner = call[open + 1..]
        .strip_suffix(')')
        .unwrap_or(&call[open + 1..]);
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if !inner.trim().is_empty() {
        out.push(inner[start..].trim());
    }
    out
}

/// The edge-case guard a request like "`avg([])` should be 0.0" asks for: `if not xs: return
/// 0.0` at the top of the body. It changes the answer for the empty input only, so unlike the
/// variants above one example is enough to try it. `None` when the call passes no empty
/// collection, the parameter is not found or the language has no guard here (C: no lengths).
pub fn empty_guard(fence: &str, def: &str, call: &str, expected: &str) -> Option<Mutant> {
    let args = arguments(call);
    let k = args.iter().position(|a| is_empty_literal(a))?;
    let toks = tokens(def, &lexis(fence));
    let param = parameters_all(def, &toks).into_iter().nth(k)?;
    let lines: Vec<&str> = def.split_inclusive('\n').collect();
    // After the header (and a Python docstring), at the body's indentation.
    let mut at = 1;
    let first = lines.get(at)?.trim_start();
    if fence == "python" && (first.starts_with("\"\"\"") || first.starts_with("'''")) {
        let q = &first[..3];
        if first[3..].contains(q) {
            at += 1;
        } else {
            at += 1;
            while at < lines.len() && !lines[at].contains(q) {
                at += 1;
            }
            at += 1;
        }
    }
    let body = lines.get(at)?;
    let indent: String = body
        .chars()
        .take_while(|c| c.is_whitespace() && *c != '\n')
        .collect();
    let step = if indent.starts_with('\t') {
        "\t"
    } else {
        "    "
    };
    let guard = match fence {
        "python" => format!("{indent}if not {param}:\n{indent}{step}return {expected}\n"),
        "javascript" | "typescript" => {
            format!("{indent}if ({param}.length === 0) return {expected};\n")
        }
        "lua" => format!("{indent}if #{param} == 0 then return {expected} end\n"),
        "go" => format!(
            "{indent}if len({param}) == 0 {{\n{indent}{step}return {expected}\n{indent}}}\n"
        ),
        "rust" => format!(
            "{indent}if {param}.is_empty() {{\n{indent}{step}return {expected};\n{indent}}}\n"
        ),
        _ => return None,
    };
    let text = format!("{}{guard}{}", lines[..at].concat(), lines[at..].concat());
    Some(Mutant {
        text,
        what: format!(
            "an empty `{param}` returns `{expected}` (guard added at line {})",
            at + 1
        ),
    })
}

/// Every parameter name of the header, in order (first line, first parenthesis).
fn parameters_all(def: &str, toks: &[Tok]) -> Vec<String> {
    let Some(open) = toks
        .iter()
        .position(|t| t.line == 0 && &def[t.at.clone()] == "(")
    else {
        return Vec::new();
    };
    let mut depth = 0;
    let mut out: Vec<String> = Vec::new();
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Kind::Ident if depth == 1 => {
                let s = &def[t.at.clone()];
                let prev = &def[toks[k - 1].at.clone()];
                let starts = matches!(prev, "(" | ",") || prev == "mut";
                if starts && s != "self" && s != "mut" {
                    out.push(s.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

/// The header's parameter names that the body uses, for the swaps.
fn parameters(def: &str, toks: &[Tok]) -> Vec<String> {
    let mut out = parameters_all(def, toks);
    out.retain(|p| {
        toks.iter()
            .any(|u| u.line > 0 && u.kind == Kind::Ident && &def[u.at.clone()] == p)
    });
    out.dedup();
    out
}

/// `def` with the (non-overlapping) edits made.
fn apply(def: &str, edits: &[(Range<usize>, String)]) -> String {
    let mut sorted: Vec<&(Range<usize>, String)> = edits.iter().collect();
    sorted.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(def.len() + 8);
    let mut at = 0;
    for (r, new) in sorted {
        if r.start < at {
            continue;
        }
        out.push_str(&def[at..r.start]);
        out.push_str(new);
        at = r.end;
    }
    out.push_str(&def[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(fence: &str, def: &str, want: &str) -> bool {
        mutants(fence, def, 200).iter().any(|m| m.text == want)
    }

    #[test]
    fn off_by_one_bounds_and_constants() {
        let py = "def sum_to(n):\n    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n";
        assert!(has(
            "python",
            py,
            &py.replace("range(1, n)", "range(1, n + 1)")
        ));
        let go = "func Sum(xs []int) int {\n\tfor i := 0; i < len(xs)-1; i++ {\n\t}\n}\n";
        assert!(has("go", go, &go.replace("len(xs)-1", "len(xs)")));
        let js = "function range(n) {\n  for (let i = 0; i <= n; i++) {}\n}\n";
        assert!(has("javascript", js, &js.replace("i <= n", "i < n")));
        let c = "int sum(const int *xs, int n) {\n    for (int i = 1; i < n; i++) {}\n}\n";
        assert!(has("c", c, &c.replace("i = 1", "i = 0")));
        let rs = "pub fn factorial(n: u64) -> u64 {\n    (1..n).product()\n}\n";
        assert!(has("rust", rs, &rs.replace("1..n", "1..=n")));
        let py = "def last(items):\n    return items[len(items)]\n";
        assert!(has(
            "python",
            py,
            &py.replace("len(items)]", "len(items) - 1]")
        ));
    }

    #[test]
    fn operators_swaps_counters_and_parameters() {
        let rs = "pub fn area(&self) -> u32 {\n    self.w + self.h\n}\n";
        assert!(has("rust", rs, &rs.replace(" + ", " * ")));
        let lua = "function M.count(t, x)\n  local n = 0\n  for _, v in ipairs(t) do\n    if v == x then\n      n = 1\n    end\n  end\n  return n\nend\n";
        assert!(has("lua", lua, &lua.replace("n = 1", "n = n + 1")));
        let py = "def clamp(x, lo, hi):\n    return min(lo, max(x, hi))\n";
        assert!(has(
            "python",
            py,
            "def clamp(x, lo, hi):\n    return min(hi, max(x, lo))\n"
        ));
    }

    #[test]
    fn strings_comments_headers_and_generics_are_never_changed() {
        let py =
            "def f(n):\n    \"\"\"n < 1 + 2\"\"\"\n    # i < 3\n    return '<' + str(n)  # 5 - 1\n";
        for m in mutants("python", py, 200) {
            assert!(
                m.text.contains("\"\"\"n < 1 + 2\"\"\"\n    # i < 3\n"),
                "{}",
                m.text
            );
            assert!(
                m.text.ends_with("# 5 - 1\n") && m.text.contains("'<'"),
                "{}",
                m.text
            );
            assert!(m.text.starts_with("def f(n):\n"), "{}", m.text);
        }
        let rs = "fn f(v: Vec<u32>) -> Option<u32> {\n    let w: Vec<u32> = v; // 1 < 2\n    w.first().copied()\n}\n";
        let all = mutants("rust", rs, 200);
        assert!(!all.is_empty());
        for m in all {
            assert!(m.text.matches("Vec<u32>").count() == 2, "{}", m.text);
            assert!(m.text.contains("// 1 < 2\n"), "{}", m.text);
        }
    }

    #[test]
    fn an_empty_input_guard_goes_after_the_docstring() {
        let py = "def avg(xs):\n    \"\"\"Mean.\"\"\"\n    return sum(xs) / len(xs)\n";
        let m = empty_guard("python", py, "avg([])", "0.0").unwrap();
        assert_eq!(
            m.text,
            "def avg(xs):\n    \"\"\"Mean.\"\"\"\n    if not xs:\n        return 0.0\n    return sum(xs) / len(xs)\n"
        );
        let js = "function lastN(xs, n) {\n  return xs.slice(-n);\n}\n";
        let m = empty_guard("javascript", js, "lastN([], 2)", "[]").unwrap();
        assert!(
            m.text
                .contains("  if (xs.length === 0) return [];\n  return"),
            "{}",
            m.text
        );
        let go = "func Max(xs []int) int {\n\tbest := 0\n\treturn best\n}\n";
        let m = empty_guard("go", go, "Max([]int{})", "0").unwrap();
        assert!(
            m.text
                .contains("\tif len(xs) == 0 {\n\t\treturn 0\n\t}\n\tbest"),
            "{}",
            m.text
        );
        assert!(empty_guard("python", py, "avg([1, 2])", "1.5").is_none());
        assert!(empty_guard("c", "int f(int *x) {\n  return 0;\n}\n", "f([])", "0").is_none());
    }

    /// The first variant of `def` that `passes` accepts, as a one-example check would pick it.
    fn first_passing(fence: &str, def: &str, passes: impl Fn(&str) -> bool) -> Option<String> {
        mutants(fence, def, 40)
            .into_iter()
            .map(|m| m.text)
            .find(|t| passes(t))
    }

    #[test]
    fn idioms_of_classic_bugs() {
        let rs = "pub fn count_words(s: &str) -> usize {\n    s.split(' ').count()\n}\n";
        assert!(has(
            "rust",
            rs,
            &rs.replace(".split(' ')", ".split_whitespace()")
        ));
        let py = "def words(s):\n    return s.split(\" \")\n";
        assert!(has("python", py, &py.replace(".split(\" \")", ".split()")));
        let go = "func Words(s string) []string {\n\treturn strings.Split(s, \" \")\n}\n";
        assert!(has(
            "go",
            go,
            &go.replace("strings.Split(s, \" \")", "strings.Fields(s)")
        ));
        let lua = "function M.round(x)\n  return math.floor(x)\nend\n";
        assert!(has("lua", lua, &lua.replace("floor(x)", "floor(x + 0.5)")));
        let lua = "function M.trim(s)\n  return (s:match(\"^%s*(.-)%s*\"))\nend\n";
        assert!(has("lua", lua, &lua.replace("%s*\"", "%s*$\"")));
        let anchored = "function M.trim(s)\n  return (s:match(\"^%s*(.-)%s*$\"))\nend\n";
        assert!(!mutants("lua", anchored, 200)
            .iter()
            .any(|m| m.text.contains("$$")));
        let go = "func Reverse(s string) string {\n\tb := []byte(s)\n\treturn string(b)\n}\n";
        assert!(has("go", go, &go.replace("[]byte(s)", "[]rune(s)")));
        let c = "double percent(int part, int whole) {\n    return part / whole * 100;\n}\n";
        assert!(has(
            "c",
            c,
            &c.replace("part / whole", "(double) part / whole")
        ));
        // Not in an int function, and never a parameter that is already a double.
        let c = "int half(int n) {\n    return n / 2;\n}\n";
        assert!(!mutants("c", c, 200)
            .iter()
            .any(|m| m.text.contains("(double)")));
        let go = "func Max(xs []int) int {\n\tbest := 0\n\tfor _, x := range xs {\n\t\tif x > best {\n\t\t\tbest = x\n\t\t}\n\t}\n\treturn best\n}\n";
        assert!(has("go", go, &go.replace("best := 0", "best := xs[0]")));
        let lua = "function M.max(t)\n  local best = 0\n  for _, v in ipairs(t) do\n    if v > best then best = v end\n  end\n  return best\nend\n";
        assert!(has("lua", lua, &lua.replace("best = 0", "best = t[1]")));
        // A sum that starts at 0 is not compared with anything: left alone.
        let py = "def total(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n";
        assert!(!mutants("python", py, 200)
            .iter()
            .any(|m| m.text.contains("xs[0]")));
    }

    #[test]
    fn with_one_example_the_likely_fix_comes_before_coincidences() {
        // `go run . 1 2 3` prints 5, wants 6: `total := 1` passes that example too.
        let go = "func main() {\n\ttotal := 0\n\tfor _, a := range os.Args[2:] {\n\t\ttotal += 1\n\t}\n}\n";
        let first = first_passing("go", go, |t| {
            t.contains("Args[1:]") || t.contains("total := 1")
        });
        assert_eq!(
            first.as_deref(),
            Some(go.replace("Args[2:]", "Args[1:]").as_str())
        );
        // `count({1, 2, 2, 3}, 2)` is 1, wants 2: `n = 2` passes it too.
        let lua = "function M.count(t, x)\n  local n = 0\n  for _, v in ipairs(t) do\n    if v == x then\n      n = 1\n    end\n  end\n  return n\nend\n";
        let first = first_passing("lua", lua, |t| {
            t.contains("n = n + 1") || t.contains("n = 2")
        });
        assert_eq!(
            first.as_deref(),
            Some(lua.replace("n = 1\n", "n = n + 1\n").as_str())
        );
        // `round(2.7)` is 2, wants 3: `ceil` passes it too, and rounds 2.2 wrong.
        let lua = "function M.round(x)\n  return math.floor(x)\nend\n";
        let first = first_passing("lua", lua, |t| {
            t.contains("ceil") || t.contains("+ 0.5") || t.contains("x + 1")
        });
        assert_eq!(
            first.as_deref(),
            Some(lua.replace("floor(x)", "floor(x + 0.5)").as_str())
        );
    }

    #[test]
    fn variants_are_unique_and_capped() {
        let js = "function f(a, b) {\n  return a + b + 1 + 2 + 3 - a * b;\n}\n";
        let all = mutants("javascript", js, 200);
        let mut texts: Vec<&str> = all.iter().map(|m| m.text.as_str()).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), all.len());
        assert_eq!(mutants("javascript", js, 5).len(), 5);
        assert!(all
            .iter()
            .all(|m| m.what.contains("line") || m.what.contains("swapped")));
    }
}
