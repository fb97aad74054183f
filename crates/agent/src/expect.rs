//! The request's stated expectations, read deterministically (never by the model).
//!
//! Users state behaviour by example: "`slug('Hi There')` must return `'hi-there'`", "it must
//! print `3 9`", "`avg([])` raises ZeroDivisionError; it should return 0.0", "calling
//! `parse_price('$4.50')` gives 4.5 instead of 450.0". In a small project with no tests those
//! examples are the only oracle there is, so each becomes an [`Expectation`] that
//! [`crate::request_check`] turns into an executable check in the target language.
//!
//! What is read (inline code spans and the words right after them; fenced blocks are output, not
//! requests, and are skipped):
//! - `` `CALL` VERB VALUE `` with VERB one of *should be/return/equal/give*, *must …*, *returns*,
//!   *gives*, *is*, *equals*, `==`, `->`, `→`; "… instead of VALUE2" or "… but should VERB
//!   VALUE2" make VALUE2 the expected value (the user quoted the wrong one first);
//! - `` `CALL == VALUE` `` inside one span;
//! - `` `CALL` raises|throws ERROR … should return VALUE `` (a value), `` `CALL` should raise
//!   ERROR `` (an exception), `` `CALL` should not crash|raise|throw `` (no exception);
//! - *must/should print|output VALUE*, *so that it prints VALUE*, *prints A but should print B*,
//!   with the command in the nearest preceding code span when it is one (`node main.js 2 3`).
//!
//! Calls typed as plain prose, without backticks, are read by [`parse_bare`], only with
//! literal arguments and only when followed by one of the shapes above.
//!
//! Invariant: a phrase that does not match one of these shapes yields nothing (never a guess); a
//! CALL is an identifier path followed by one balanced argument list.

/// One behaviour the request states, as written (source text, not parsed values: the check in
/// the target language parses them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// `call` must evaluate to `expected`.
    Value {
        /// The call as written (`slug('Hi There')`).
        call: String,
        /// The expected value as written (`'hi-there'`, `0.0`, `True`).
        expected: String,
    },
    /// `call` must raise / throw; `error` names the exception when the request does.
    Raises {
        /// The call as written.
        call: String,
        /// The exception's name (`ValueError`), if given.
        error: Option<String>,
    },
    /// `call` must complete without raising.
    NoRaise {
        /// The call as written.
        call: String,
    },
    /// The program must print `output` (whitespace-normalised comparison).
    Output {
        /// The command from the request (`node main.js 2 3`); `None` = the project's main
        /// program with no arguments.
        command: Option<String>,
        /// The expected output.
        output: String,
    },
}

impl Expectation {
    /// The one-line form shown in the chat (`slug('Hi There') == 'hi-there'`).
    pub fn describe(&self) -> String {
        match self {
            Expectation::Value { call, expected } => format!("{call} == {expected}"),
            Expectation::Raises { call, error } => match error {
                Some(e) => format!("{call} raises {e}"),
                None => format!("{call} raises"),
            },
            Expectation::NoRaise { call } => format!("{call} does not raise"),
            Expectation::Output { command, output } => match command {
                Some(c) => format!("`{c}` prints {output:?}"),
                None => format!("the program prints {output:?}"),
            },
        }
    }

    /// The call this expectation exercises, if it is one.
    pub fn call(&self) -> Option<&str> {
        match self {
            Expectation::Value { call, .. }
            | Expectation::Raises { call, .. }
            | Expectation::NoRaise { call } => Some(call),
            Expectation::Output { .. } => None,
        }
    }

    /// The function a call names: the last segment of its callee path (`m.slug(x)` → `slug`).
    pub fn callee(&self) -> Option<&str> {
        let call = self.call()?;
        let head = &call[..call.find('(')?];
        head.rsplit(['.', ':']).next().map(str::trim)
    }
}

use crate::probe::split_top;

/// The request without its fenced blocks: they hold output or code, not requests.
fn outside_fences(request: &str) -> String {
    request
        .split("```")
        .step_by(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every expectation the request states, in order, without duplicates.
pub fn parse(request: &str) -> Vec<Expectation> {
    let mut out: Vec<Expectation> = Vec::new();
    let push = |out: &mut Vec<Expectation>, e: Expectation| {
        if !out.contains(&e) {
            out.push(e);
        }
    };
    let text = outside_fences(request);
    let spans = code_spans(&text);
    for span in &spans {
        let inner = span.text.trim();
        if let Some((call, expected)) = split_inline(inner) {
            push(&mut out, Expectation::Value { call, expected });
            continue;
        }
        let after = &text[span.end..];
        if is_call(inner) {
            if let Some(e) = after_call(inner, after) {
                push(&mut out, e);
            }
            continue;
        }
        // A command span followed by "prints …".
        if looks_like_command(inner) {
            let before = text[..span.end - span.text.len() - 2]
                .trim_end()
                .to_ascii_lowercase();
            let wanted = before.ends_with("so that") || before.ends_with("so");
            if let Some(output) =
                printed(after).or_else(|| wanted.then(|| demand_print(after)).flatten())
            {
                push(
                    &mut out,
                    Expectation::Output {
                        command: Some(inner.to_string()),
                        output,
                    },
                );
            }
        }
    }
    // "it must print `3 9`" with no command span before it: the project's main program.
    if !out.iter().any(|e| matches!(e, Expectation::Output { .. })) {
        let lower = text.to_ascii_lowercase();
        for verb in PRINT_PHRASES {
            let mut from = 0;
            while let Some(at) = lower[from..].find(verb) {
                let pos = from + at;
                from = pos + verb.len();
                // Skip "prints A but should print B": the first verb is the wrong output.
                if let Some(output) = printed(&text[pos..]) {
                    push(
                        &mut out,
                        Expectation::Output {
                            command: None,
                            output,
                        },
                    );
                    break;
                }
            }
        }
    }
    out
}

/// Expectations stated with calls typed as plain prose, without backticks:
/// "slug('Hi There') must return 'hi-there'", "avg([]) should return 0.0". Users type requests
/// like that; with no check built a right change is only *checked* and waits for review.
///
/// Read more strictly than code spans, so prose is never taken for a call: the call must stand
/// on its own (no letter, digit, `_` or backtick right before its name), every argument must be
/// a literal (numbers, quoted strings, `True`/`null`…, brackets of literals, `name=literal`),
/// and the words after it must be one of the shapes [`parse`] reads. Calls inside code spans
/// are left to [`parse`]. The caller keeps only calls whose function the project defines.
pub fn parse_bare(request: &str) -> Vec<Expectation> {
    let mut text = outside_fences(request);
    // Blank the code spans (same length, so offsets stay): their calls are `parse`'s.
    let spans: Vec<(usize, usize)> = code_spans(&text)
        .iter()
        .map(|s| (s.end - s.text.len() - 2, s.end))
        .collect();
    for (a, b) in spans {
        text.replace_range(a..b, &" ".repeat(b - a));
    }
    let mut out: Vec<Expectation> = Vec::new();
    let bytes = text.as_bytes();
    for (open, _) in text.match_indices('(') {
        let start = text[..open]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphanumeric() || "_.:".contains(c))
            .last()
            .map_or(open, |(i, _)| i);
        let head = &text[start..open];
        let standalone = start == 0 || {
            let prev = text[..start].chars().next_back().unwrap_or(' ');
            !(prev.is_alphanumeric() || prev == '_' || prev == '`' || prev == '\'')
        };
        if head.is_empty() || !standalone || head.ends_with(['.', ':']) {
            continue;
        }
        let Some(close) = balanced_end(&text, open) else {
            continue;
        };
        if bytes.get(close) != Some(&b')') {
            continue;
        }
        let call = &text[start..=close];
        if !is_call(call) || !literal_args(&text[open + 1..close]) {
            continue;
        }
        if let Some(e) = after_call(call, &text[close + 1..]) {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out
}

/// Whether every top-level argument is a literal (or `name=literal`); no arguments is fine.
fn literal_args(args: &str) -> bool {
    split_top(args, ',').iter().all(|a| {
        let a = a.trim();
        let value = match top_level_find(a, "=") {
            Some(at) if !a[at..].starts_with("==") => {
                let name = a[..at].trim();
                if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return false;
                }
                a[at + 1..].trim()
            }
            _ => a,
        };
        is_literal(value)
    }) || args.trim().is_empty()
}

/// A literal value: a number, a quoted string, a keyword constant, or brackets holding literals
/// (`[1, 2]`, `{'a': 1}`, `(1,)`).
fn is_literal(v: &str) -> bool {
    let v = v.trim();
    let Some(first) = v.chars().next() else {
        return false;
    };
    match first {
        '"' | '\'' => balanced_quote(v) == Some(v.len() - 1),
        '[' | '{' | '(' => {
            balanced_end(v, 0) == Some(v.len() - 1)
                && split_top(&v[1..v.len() - 1], ',').iter().all(|item| {
                    // A dict's `key: value` is two literals.
                    split_top(item, ':')
                        .iter()
                        .all(|x| x.trim().is_empty() || is_literal(x))
                })
        }
        _ => {
            v.parse::<f64>().is_ok()
                || matches!(
                    v,
                    "True" | "False" | "None" | "true" | "false" | "null" | "nil" | "undefined"
                )
        }
    }
}

/// Python doctest examples (`>>> call` then the expected value on the next line) in `source`.
pub fn doctests(source: &str) -> Vec<Expectation> {
    let mut out = Vec::new();
    let lines: Vec<&str> = source.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(call) = line.trim_start().strip_prefix(">>> ") else {
            continue;
        };
        let call = call.trim();
        let Some(next) = lines.get(i + 1).map(|l| l.trim()) else {
            continue;
        };
        if !is_call(call) || next.is_empty() || next.starts_with(">>>") || next.contains("\"\"\"") {
            continue;
        }
        if let Some(err) = next.strip_prefix("Traceback") {
            let _ = err;
            continue;
        }
        out.push(Expectation::Value {
            call: call.to_string(),
            expected: next.to_string(),
        });
    }
    out
}

/// An inline code span: its text and the byte offset just after its closing backtick.
struct Span<'a> {
    text: &'a str,
    end: usize,
}

fn code_spans(text: &str) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find('`') {
        let start = rest + open + 1;
        let Some(close) = text[start..].find('`') else {
            break;
        };
        out.push(Span {
            text: &text[start..start + close],
            end: start + close + 1,
        });
        rest = start + close + 1;
    }
    out
}

/// `f(x) == y` / `f(x) -> y` / `f(x) → y` written inside one span.
fn split_inline(s: &str) -> Option<(String, String)> {
    for op in ["==", "->", "→", "=>"] {
        if let Some(at) = top_level_find(s, op) {
            let (l, r) = (s[..at].trim(), s[at + op.len()..].trim());
            if is_call(l) && !r.is_empty() {
                return Some((l.to_string(), r.to_string()));
            }
        }
    }
    None
}

/// The first occurrence of `op` outside brackets and quotes.
fn top_level_find(s: &str, op: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ if depth == 0 && s[i..].starts_with(op) => return Some(i),
                _ => {}
            },
        }
    }
    None
}

/// An identifier path followed by exactly one balanced argument list: `f(1)`, `m.f('a', [1])`.
fn is_call(s: &str) -> bool {
    let s = s.trim();
    let Some(open) = s.find('(') else {
        return false;
    };
    let head = s[..open].trim_end();
    let ident_ok = !head.is_empty()
        && head
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && head
            .chars()
            .all(|c| c.is_alphanumeric() || "_.:".contains(c));
    if !ident_ok || !s.ends_with(')') {
        return false;
    }
    balanced_end(s, open) == Some(s.len() - 1) && !is_signature(&s[open + 1..s.len() - 1])
}

/// Arguments that are all bare names (`get(cfg, path)`): the request describes the function's
/// parameters, it does not give an example (the names mean nothing to a check).
fn is_signature(args: &str) -> bool {
    let literal = |a: &str| {
        matches!(
            a,
            "true" | "false" | "True" | "False" | "None" | "nil" | "null" | "undefined"
        )
    };
    let parts: Vec<&str> = args.split(',').map(str::trim).collect();
    !args.trim().is_empty()
        && parts.iter().all(|a| {
            a.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && a.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !literal(a)
        })
}

/// The index of the bracket closing the one at `open`, quotes respected.
pub(crate) fn balanced_end(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in outside_quotes(&s[open..], &['\'', '"']) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + open);
                }
            }
            _ => {}
        }
    }
    None
}

/// The characters of `s` outside the quotes in `quotes` (backslash escapes respected), with
/// their byte indices; the quote characters themselves are left out. The scanner the call
/// readers share (here and [`crate::probe`]).
pub(crate) fn outside_quotes<'a>(
    s: &'a str,
    quotes: &'a [char],
) -> impl Iterator<Item = (usize, char)> + 'a {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    s.char_indices().filter(move |&(_, c)| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            return false;
        }
        if quotes.contains(&c) {
            quote = Some(c);
            return false;
        }
        true
    })
}

/// Verbs that introduce the value a call should have, longest first.
const VALUE_VERBS: [&str; 22] = [
    "should evaluate to",
    "should give back",
    "should return",
    "must return",
    "should equal",
    "must equal",
    "should give",
    "must give",
    "should be",
    "must be",
    "is expected to return",
    "is expected to be",
    "to return",
    "returns",
    "return",
    "gives",
    "equals",
    "yields",
    "is",
    "==",
    "->",
    "→",
];

/// Verbs of a present-tense report ("returns 3"): a following "instead of X" names the right
/// value, not the wrong one.
fn indicative(verb: &str) -> bool {
    matches!(
        verb,
        "returns" | "return" | "gives" | "is" | "equals" | "yields"
    )
}

/// What the words after a call span say about it.
fn after_call(call: &str, after: &str) -> Option<Expectation> {
    let mut rest = after.trim_start();
    // "`trim(x)` in strings.lua must return …": a file named between the call and the verb.
    if let Some(r) = strip_word(rest, "in") {
        let file: String = r
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ',')
            .collect();
        if file.contains('.') {
            rest = r[file.len()..].trim_start();
        }
    }
    for filler in [",", "it", "currently", "now", "always", "still", "actually"] {
        rest = strip_word(rest, filler).unwrap_or(rest);
    }
    let lower = rest.to_ascii_lowercase();
    // Exceptions first: "raises X" (a report) or "should raise X" (a demand).
    for demand in [
        "should raise",
        "must raise",
        "should throw",
        "must throw",
        "should fail with",
    ] {
        if lower.starts_with(demand) {
            let error = word(&rest[demand.len()..]);
            return Some(Expectation::Raises {
                call: call.into(),
                error,
            });
        }
    }
    for not in [
        "should not raise",
        "should not throw",
        "should not crash",
        "must not raise",
        "must not throw",
        "must not crash",
        "shouldn't raise",
        "shouldn't throw",
        "shouldn't crash",
    ] {
        if lower.starts_with(not) {
            return Some(Expectation::NoRaise { call: call.into() });
        }
    }
    for report in ["raises", "throws", "crashes", "fails with", "panics"] {
        if lower.starts_with(report) {
            // "`avg([])` raises ZeroDivisionError; it should return 0.0"
            let tail = &rest[report.len()..];
            let window = &tail[..sentence_end(tail, 2)];
            if let Some(v) = demanded_value(window) {
                return Some(Expectation::Value {
                    call: call.into(),
                    expected: v,
                });
            }
            return Some(Expectation::NoRaise { call: call.into() });
        }
    }
    let verb = VALUE_VERBS.iter().find(|v| {
        lower.starts_with(**v)
            && lower[v.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })?;
    let rest = rest[verb.len()..].trim_start();
    let (value, used) = value_at(rest)?;
    let tail = rest[used..].trim_start();
    let tail_lower = tail.to_ascii_lowercase();
    if let Some(t) = tail_lower.strip_prefix("instead of") {
        let skip = tail.len() - t.len();
        if let Some((other, _)) = value_at(tail[skip..].trim_start()) {
            let expected = if indicative(verb) { other } else { value };
            return Some(Expectation::Value {
                call: call.into(),
                expected,
            });
        }
    }
    if indicative(verb) {
        // "returns 4 but should return 5" / "returns 4, expected 5" — in the same sentence.
        if let Some(v) = demanded_value(&tail[..sentence_end(tail, 1)]) {
            return Some(Expectation::Value {
                call: call.into(),
                expected: v,
            });
        }
        if tail_lower.starts_with("but") || tail_lower.starts_with(", but") {
            return None; // a report of the wrong value with no right one given
        }
    }
    Some(Expectation::Value {
        call: call.into(),
        expected: value,
    })
}

/// The end of the first `n` sentences of `s` (a `.` followed by whitespace or the end, or a
/// newline), so "0.0" does not end one.
fn sentence_end(s: &str, n: usize) -> usize {
    let b = s.as_bytes();
    let mut seen = 0;
    for (i, &c) in b.iter().enumerate() {
        let ends =
            c == b'\n' || (c == b'.' && b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()));
        if ends {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    s.len()
}

/// "… should return V" / "expected V" anywhere in `s` (the first one).
fn demanded_value(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    for d in [
        "should return",
        "must return",
        "should be",
        "must be",
        "should give",
        "must give",
        "expected",
        "want",
    ] {
        if let Some(at) = lower.find(d) {
            let rest = s[at + d.len()..].trim_start_matches([' ', ':']);
            if let Some((v, _)) = value_at(rest) {
                return Some(v);
            }
        }
    }
    None
}

/// The phrases that introduce a program's expected output.
const PRINT_PHRASES: [&str; 12] = [
    "must print",
    "should print",
    "must still print",
    "should still print",
    "must output",
    "should output",
    "so that it prints",
    "so it prints",
    "to print",
    "should display",
    "must display",
    "should show",
];

/// The expected output after a print phrase at the start of `s` (or after "prints A but should
/// print B" / "prints A instead of B").
fn printed(s: &str) -> Option<String> {
    let s = s.trim_start_matches([' ', ',']);
    let lower = s.to_ascii_lowercase();
    for p in PRINT_PHRASES {
        if let Some(r) = lower.strip_prefix(p) {
            let at = s.len() - r.len();
            return output_value(s[at..].trim_start());
        }
    }
    for report in ["prints", "outputs", "shows"] {
        if let Some(r) = lower.strip_prefix(report) {
            let at = s.len() - r.len();
            let rest = s[at..].trim_start();
            let (_, used) = value_at(rest)?;
            let tail = rest[used..].trim_start();
            let tl = tail.to_ascii_lowercase();
            if let Some(t) = tl.strip_prefix("instead of") {
                return output_value(tail[tail.len() - t.len()..].trim_start());
            }
            for p in PRINT_PHRASES {
                if let Some(at) = tl.find(p) {
                    return output_value(tail[at + p.len()..].trim_start());
                }
            }
            return None;
        }
    }
    None
}

/// "prints VALUE" read as a demand (after "so that `cmd`").
fn demand_print(s: &str) -> Option<String> {
    let s = s.trim_start();
    let lower = s.to_ascii_lowercase();
    for verb in ["prints", "outputs", "shows"] {
        if let Some(r) = lower.strip_prefix(verb) {
            return output_value(s[s.len() - r.len()..].trim_start());
        }
    }
    None
}

/// An expected output: a code span or quoted string (required: bare words are prose).
fn output_value(s: &str) -> Option<String> {
    let first = s.chars().next()?;
    if !matches!(first, '`' | '"' | '\'') {
        // A bare number is output too ("must print 42").
        let tok: String = s
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .collect();
        let tok = tok.trim_end_matches('.').to_string();
        return (!tok.is_empty() && tok.chars().any(|c| c.is_ascii_digit())).then_some(tok);
    }
    let end = s[1..].find(first)? + 1;
    let v = &s[1..end];
    let v = v.replace("\\n", "\n");
    (!v.trim().is_empty()).then(|| v.to_string())
}

/// A value at the start of `s` and how many bytes it took: a code span (its inside), a quoted
/// string (with its quotes), a bracketed literal, or one bare token (number, word).
fn value_at(s: &str) -> Option<(String, usize)> {
    let first = s.chars().next()?;
    match first {
        '`' => {
            let end = s[1..].find('`')? + 1;
            let v = s[1..end].trim();
            (!v.is_empty()).then(|| (v.to_string(), end + 1))
        }
        '"' | '\'' => {
            let end = balanced_quote(s)?;
            Some((s[..=end].to_string(), end + 1))
        }
        '[' | '{' | '(' => {
            let end = balanced_end(s, 0)?;
            Some((s[..=end].to_string(), end + 1))
        }
        _ => {
            let tok: String = s
                .chars()
                .take_while(|c| c.is_alphanumeric() || "._-+".contains(*c))
                .collect();
            let tok = tok.trim_end_matches('.');
            if tok.is_empty() {
                return None;
            }
            // Prose words are not values ("is correct", "returns the sum").
            let is_value = tok.parse::<f64>().is_ok()
                || matches!(
                    tok,
                    "True"
                        | "False"
                        | "None"
                        | "true"
                        | "false"
                        | "null"
                        | "nil"
                        | "undefined"
                        | "NaN"
                );
            is_value.then(|| (tok.to_string(), tok.len()))
        }
    }
}

fn balanced_quote(s: &str) -> Option<usize> {
    let q = s.chars().next()?;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == q {
            return Some(i);
        }
    }
    None
}

fn strip_word<'a>(s: &'a str, w: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(w)?;
    (rest.is_empty() || !rest.starts_with(|c: char| c.is_alphanumeric())).then(|| rest.trim_start())
}

fn word(s: &str) -> Option<String> {
    let w: String = s
        .trim_start_matches([' ', ':', '`'])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let w = w.trim_end_matches('.');
    (!w.is_empty() && w.chars().next().is_some_and(char::is_uppercase)).then(|| w.to_string())
}

/// Whether a code span is a shell command rather than code.
fn looks_like_command(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "node"
            | "python"
            | "python3"
            | "lua"
            | "lua5.4"
            | "luajit"
            | "go"
            | "cargo"
            | "deno"
            | "bun"
            | "java"
    ) || first.starts_with("./")
}

/// An input the request states behaviour for without an example call: "for n = 0", "when
/// `count` is 0", "if xs == []". A check-less promise like that is what a one-example fix most
/// often breaks (`xs.slice(-n)` for the last n items passes `lastN([1, 2, 3, 4], 2)` and returns
/// everything for n = 0), so a change is not called verified while no check tried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The parameter's name as written (`n`).
    pub name: String,
    /// The value as written (`0`, `[]`, `None`).
    pub value: String,
}

/// Every "for|when|if|with NAME =|==|is|equals VALUE" of the request (code spans read as
/// text, fenced blocks skipped), VALUE a number or an empty/none literal.
pub fn conditions(request: &str) -> Vec<Condition> {
    let text = outside_fences(request).replace('`', " ");
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.', ';', ':', ')']))
        .collect();
    let mut out: Vec<Condition> = Vec::new();
    for w in words.windows(4) {
        let lead = w[0].trim_start_matches('(').to_ascii_lowercase();
        if !matches!(lead.as_str(), "for" | "when" | "if" | "with" | "where") {
            continue;
        }
        let name = w[1];
        let is_name = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name.len() <= 24;
        let is_verb = matches!(w[2], "=" | "==" | "===" | "is" | "equals");
        let value = w[3];
        let number = value.strip_prefix('-').unwrap_or(value);
        let is_value = (!number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit() || c == '.')
            && number.starts_with(|c: char| c.is_ascii_digit()))
            || matches!(
                value,
                "[]" | "{}" | "\"\"" | "''" | "None" | "nil" | "null" | "undefined"
            );
        let common = matches!(name, "it" | "the" | "a" | "an" | "this" | "that" | "there");
        let c = Condition {
            name: name.to_string(),
            value: value.to_string(),
        };
        if is_name && is_verb && is_value && !common && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// The rules a request states in prose, without an example: each clause of a sentence that
/// holds no example and lists two or more of them ("A leading `?` is ignored, empty pieces are
/// skipped, … and when a key repeats the last value wins."). They cannot be made executable,
/// so the chat lists them as not checked, and a change that only one example judged is not
/// called verified while they stand beside it (`parseQuery` passing `a=1&b=two` says nothing of
/// `?`, `+` or repeated keys). A one-clause sentence ("It should count how often the character
/// occurs.") restates the example and is not counted.
pub fn rules(request: &str) -> Vec<String> {
    let text = outside_fences(request);
    let mut out = Vec::new();
    // Rules beside examples: with no example, the whole request is prose, and listing it back
    // says nothing.
    if parse(&text).is_empty() {
        return out;
    }
    for sentence in sentences(&text) {
        let example = !parse(sentence).is_empty()
            || code_spans(sentence)
                .iter()
                .any(|s| is_call(s.text.trim()) || looks_like_command(s.text.trim()));
        if example {
            continue;
        }
        // A rule says what happens to some input in three words or more; "fix it", "please"
        // and "thanks" are the user talking to us.
        let clauses: Vec<String> = clauses(sentence)
            .into_iter()
            .filter(|c| c.split_whitespace().count() >= 3 && !addressed_to_us(c))
            .collect();
        if clauses.len() >= 2 {
            out.extend(clauses);
        }
    }
    out
}

/// Whether a clause is an instruction or courtesy to the agent, not a rule of the code.
fn addressed_to_us(clause: &str) -> bool {
    let first = clause
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        first.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''),
        "fix"
            | "please"
            | "thanks"
            | "thank"
            | "implement"
            | "write"
            | "finish"
            | "help"
            | "can"
            | "could"
            | "would"
            | "i"
            | "i'm"
            | "we"
    )
}

/// `text` cut after each `.`, `!` or `?` that is followed by white space or the end and stands
/// outside code spans and brackets (`4.50`, `` `?` `` and "(e.g. this)" do not end one).
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut code, mut depth) = (0, false, 0i32);
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '`' => code = !code,
            '(' | '[' if !code => depth += 1,
            ')' | ']' if !code => depth -= 1,
            '.' | '!' | '?'
                if !code && depth <= 0 && it.peek().is_none_or(|(_, n)| n.is_whitespace()) =>
            {
                let s = text[start..i].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    let s = text[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// A sentence's clauses: cut at `,`, `;`, `:` and the word "and" outside code spans and
/// brackets; a one-word piece ("keys" of "keys and values are decoded") joins the next, and a
/// piece starting with "not" ("characters, not bytes") contrasts the one before and joins it.
fn clauses(sentence: &str) -> Vec<String> {
    // Each piece with the text that cut it off (`,`, ` and `), for rejoining.
    let mut pieces: Vec<(String, &str)> = Vec::new();
    let (mut start, mut code, mut depth) = (0, false, 0i32);
    let bytes = sentence.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let cut = match c {
            b'`' => {
                code = !code;
                None
            }
            b'(' | b'[' | b'{' if !code => {
                depth += 1;
                None
            }
            b')' | b']' | b'}' if !code => {
                depth -= 1;
                None
            }
            b',' | b';' | b':' if !code && depth <= 0 => Some(1),
            b' ' if !code && depth <= 0 && sentence[i..].starts_with(" and ") => Some(5),
            _ => None,
        };
        if let Some(len) = cut {
            pieces.push((sentence[start..i].trim().to_string(), &sentence[i..i + len]));
            start = i + len;
            i += len;
        } else {
            i += 1;
        }
    }
    pieces.push((sentence[start..].trim().to_string(), ""));
    let mut out: Vec<String> = Vec::new();
    let mut carry = String::new();
    for (p, sep) in pieces {
        let p = p.strip_prefix("and ").unwrap_or(&p).trim().to_string();
        if p.is_empty() {
            continue;
        }
        let joined = if carry.is_empty() {
            p
        } else {
            format!("{} {p}", std::mem::take(&mut carry))
        };
        if joined.starts_with("not ") {
            if let Some(last) = out.last_mut() {
                last.push_str(", ");
                last.push_str(&joined);
                continue;
            }
        }
        if joined.split_whitespace().count() < 2 {
            carry = format!("{joined}{}", sep.trim_end());
        } else {
            out.push(joined);
        }
    }
    if !carry.is_empty() {
        match out.last_mut() {
            Some(last) => {
                last.push(' ');
                last.push_str(&carry);
            }
            None => out.push(carry),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(call: &str, expected: &str) -> Expectation {
        Expectation::Value {
            call: call.into(),
            expected: expected.into(),
        }
    }

    #[test]
    fn bare_calls_with_literal_arguments_are_read() {
        assert_eq!(
            parse_bare("fix slug('Hi There') must return 'hi-there' in slug.py"),
            [value("slug('Hi There')", "'hi-there'")]
        );
        assert_eq!(
            parse_bare("avg([]) raises ZeroDivisionError; it should return 0.0."),
            [value("avg([])", "0.0")]
        );
        assert_eq!(
            parse_bare("total({'a': 1, 'b': [2]}) should be 3"),
            [value("total({'a': 1, 'b': [2]})", "3")]
        );
        assert_eq!(
            parse_bare(
                "make sure total(items=[1, 2.5]) == 3.5 and parse('') should raise ValueError"
            ),
            [
                value("total(items=[1, 2.5])", "3.5"),
                Expectation::Raises {
                    call: "parse('')".into(),
                    error: Some("ValueError".into())
                }
            ]
        );
    }

    #[test]
    fn prose_is_never_read_as_a_bare_call() {
        for request in [
            // Arguments that are names, not values.
            "add(a, b) should return the sum",
            "get(cfg, 'x') should return None",
            // No shape after the call, or no value.
            "slug('Hi There') is wrong",
            "call slug('x') from the CLI",
            // Part of a word, a method call's tail, a parenthesis in prose.
            "the result (3) should be 4",
            "x.slug('a')returns",
            "fix it (it should return 3)",
            // Inside a code span: parse() reads those.
            "`slug('Hi There')` must return 'hi-there'",
            // Inside a fenced block.
            "see\n```\nslug('a') == 'b'\n```",
        ] {
            assert_eq!(parse_bare(request), [], "{request}");
        }
    }

    #[test]
    fn a_call_and_its_value_in_the_usual_phrasings() {
        assert_eq!(
            parse("`slug('Hi There')` must return `'hi-there'`."),
            vec![value("slug('Hi There')", "'hi-there'")]
        );
        assert_eq!(
            parse("`avg([])` should be 0.0"),
            vec![value("avg([])", "0.0")]
        );
        assert_eq!(
            parse("Fix it: `is_leap(1900)` returns False and `is_leap(2000)` returns True."),
            vec![
                value("is_leap(1900)", "False"),
                value("is_leap(2000)", "True")
            ]
        );
        assert_eq!(
            parse("fix mean so `mean([1,2,3]) == 2`"),
            vec![value("mean([1,2,3])", "2")]
        );
        assert_eq!(
            parse("`clamp(5, 0, 3)` → 3"),
            vec![value("clamp(5, 0, 3)", "3")]
        );
        assert_eq!(
            parse("`total({\"a\": 2})` should equal {'a': 2}"),
            vec![value("total({\"a\": 2})", "{'a': 2}")]
        );
    }

    #[test]
    fn instead_of_and_but_should_pick_the_right_value() {
        assert_eq!(
            parse("calling `parse_price('$4.50')` gives 4.5 instead of 450.0"),
            vec![value("parse_price('$4.50')", "450.0")],
            "a report: the value after 'instead of' is the wanted one"
        );
        assert_eq!(
            parse("`f(2)` should return 4 instead of 5"),
            vec![value("f(2)", "4")],
            "a demand: the demanded value wins"
        );
        assert_eq!(
            parse("`f(2)` returns 5 but should return 4."),
            vec![value("f(2)", "4")]
        );
        assert_eq!(
            parse("`f(2)` returns 5, expected 4."),
            vec![value("f(2)", "4")]
        );
        assert_eq!(parse("`f(2)` returns 5 but that is wrong."), vec![]);
    }

    #[test]
    fn exceptions_must_or_must_not_happen() {
        assert_eq!(
            parse("`avg([])` raises ZeroDivisionError; it should return 0.0"),
            vec![value("avg([])", "0.0")]
        );
        assert_eq!(
            parse("`avg([])` crashes. Please fix."),
            vec![Expectation::NoRaise {
                call: "avg([])".into()
            }]
        );
        assert_eq!(
            parse("`parse('x')` should raise ValueError."),
            vec![Expectation::Raises {
                call: "parse('x')".into(),
                error: Some("ValueError".into())
            }]
        );
        assert_eq!(
            parse("`load(None)` should not crash"),
            vec![Expectation::NoRaise {
                call: "load(None)".into()
            }]
        );
    }

    #[test]
    fn program_output_with_and_without_a_command() {
        assert_eq!(
            parse("`./demo` must still print `n=10`"),
            vec![Expectation::Output {
                command: Some("./demo".into()),
                output: "n=10".into(),
            }]
        );
        assert_eq!(
            parse("it must print `3 9`"),
            vec![Expectation::Output {
                command: None,
                output: "3 9".into()
            }]
        );
        assert_eq!(
            parse("running `node main.js 2 3` prints 5 but it should print 6"),
            vec![Expectation::Output {
                command: Some("node main.js 2 3".into()),
                output: "6".into()
            }]
        );
        assert_eq!(
            parse("Change main.c so that it prints \"hello, world\""),
            vec![Expectation::Output {
                command: None,
                output: "hello, world".into()
            }]
        );
    }

    #[test]
    fn phrasings_found_in_the_by_example_tasks() {
        assert_eq!(
            parse("`human_size(512)` returns `'512 B'`. Otherwise use KB, so `human_size(1536)` must return `'1.5 KB'`."),
            vec![
                value("human_size(512)", "'512 B'"),
                value("human_size(1536)", "'1.5 KB'")
            ],
            "a demand in a later sentence does not override the first call"
        );
        assert_eq!(
            parse("Fix it so that `python3 total.py orders.csv` prints `42`."),
            vec![Expectation::Output {
                command: Some("python3 total.py orders.csv".into()),
                output: "42".into()
            }]
        );
        assert_eq!(
            parse("`trim(\"  hi  \")` in strings.lua must return `\"hi\"`"),
            vec![value("trim(\"  hi  \")", "\"hi\"")]
        );
    }

    #[test]
    fn prose_and_code_fences_give_nothing() {
        assert_eq!(parse("Fix add() in calc.py, it is wrong."), vec![]);
        assert_eq!(parse("`add` is broken"), vec![]);
        assert_eq!(
            parse("Here:\n```\n`f(1)` returns 2\n```\n"),
            vec![],
            "fenced blocks are output, not requests"
        );
        assert_eq!(parse("`f(1)` returns the wrong thing"), vec![]);
    }

    #[test]
    fn doctest_examples_are_expectations() {
        let src = "def sq(x):\n    \"\"\"Square.\n\n    >>> sq(3)\n    9\n    >>> sq(-2)\n    4\n    \"\"\"\n    return x\n";
        assert_eq!(
            doctests(src),
            vec![value("sq(3)", "9"), value("sq(-2)", "4")]
        );
    }

    #[test]
    fn callee_is_the_last_path_segment() {
        assert_eq!(value("m.slug('x')", "1").callee(), Some("slug"));
        assert_eq!(value("M:f(1)", "1").callee(), Some("f"));
        assert_eq!(value("f(1)", "1").callee(), Some("f"));
    }

    #[test]
    fn conditions_stated_without_an_example() {
        let c = conditions(
            "lastN returns one too many: `lastN([1, 2], 1)` must return `[2]`. Keep what the \
             comment promises for n = 0 and for n bigger than the array.",
        );
        assert_eq!(
            c,
            vec![Condition {
                name: "n".into(),
                value: "0".into()
            }]
        );
        assert_eq!(conditions("when `xs` is [] it returns 0")[0].value, "[]");
        assert_eq!(conditions("if count == -1, stop")[0].name, "count");
        // Prose that is not a condition on an input.
        assert!(
            conditions("when it is 5 o'clock, for the 2 of us, for n bigger than 3").is_empty()
        );
        assert!(conditions("```\nfor n = 0\n```").is_empty());
    }

    #[test]
    fn a_call_with_only_parameter_names_is_a_signature_not_an_example() {
        assert!(parse("`get(cfg, path)` should return nil when the path is missing").is_empty());
        assert_eq!(parse("`is_empty(None)` should return True").len(), 1);
        assert_eq!(parse("`main()` should return 0").len(), 1);
    }

    #[test]
    fn rules_stated_without_an_example_are_listed() {
        let r = rules(
            "Implement parseQuery in query.js: `parseQuery('a=1&b=two')` should return \
             `{ a: '1', b: 'two' }`. A leading `?` is ignored, empty pieces are skipped, keys \
             and values are URL-decoded (`+` means a space), a key without `=` gets `''`, and \
             when a key repeats the last value wins.",
        );
        assert_eq!(
            r,
            vec![
                "A leading `?` is ignored",
                "empty pieces are skipped",
                "keys and values are URL-decoded (`+` means a space)",
                "a key without `=` gets `''`",
                "when a key repeats the last value wins",
            ]
        );
        assert_eq!(
            rules(
                "`cargo run -- b a b c a b` must print `b 3`. On a tie print the first \
                   alphabetically; with no words print `none`."
            ),
            vec![
                "On a tie print the first alphabetically",
                "with no words print `none`"
            ]
        );
    }

    #[test]
    fn a_one_clause_sentence_or_a_sentence_with_an_example_is_no_rule_list() {
        assert!(rules(
            "In strutil.c, `count_char(\"banana\", 'a')` gives 6 instead of 3. It should \
             count how often the character occurs in the string."
        )
        .is_empty());
        assert!(rules(
            "`Reverse(\"héllo\")` must return `\"olléh\"`. It should reverse \
                       characters, not bytes."
        )
        .is_empty());
        assert!(rules(
            "`human_size(512)` returns `'512 B'`. Otherwise divide by 1024, and use KB, MB or \
             GB, so `human_size(1536)` must return `'1.5 KB'`."
        )
        .is_empty());
        assert!(rules(
            "is_leap forgets a rule (every 4th year, except centuries, except \
                       every 400th year). `is_leap(2000)` returns True."
        )
        .is_empty());
        assert!(rules("```\na, b, and c.\n```").is_empty());
        assert!(
            rules("In foo.py, bar() crashes on empty input, fix it.").is_empty(),
            "no example: nothing to set rules beside"
        );
        assert!(rules("`f(2)` should be 4. Fix it, please, and thanks a lot.").is_empty());
    }
}
