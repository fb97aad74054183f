//! Make the reply *be* the code: the model's reply is started with the focused definition's own
//! header (so the name and signature cannot drift) and stopped where the definition ends (so
//! nothing is rambled after it); what comes back is put together into one fenced code block,
//! mending the indentation slips a small model makes after a prefilled line.

use super::context::{definitions, Target};
use smallcode_core::budget::tokens::count_tokens;

/// How to make the model write exactly one definition: the reply starts with the definition's
/// own first line(s) (so the name and signature cannot drift) and stops where the definition
/// ends (so nothing is rambled after it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prefill {
    /// Opening fence plus the definition's header lines, ending in a newline.
    pub text: String,
    /// Stop sequences.
    pub stop: Vec<String>,
    /// Text to put back after the model's part (the stop sequence that ended it, e.g. `}`).
    pub closer: String,
    /// For an off-side-rule language (Python): the header's and the body's indentation widths.
    /// A small model often writes its first line at the prefilled indentation and the rest as
    /// if the body started at the header's column; this lets the harness indent them back.
    pub offside: Option<(usize, usize)>,
    /// The docstring lines the prefill left out (a model that stops right after a prefilled
    /// docstring is asked without it), put back after the header unless the model wrote one.
    pub docstring: String,
    /// Reply tokens at most: a rewrite of one definition is about its size, while a small
    /// model that loops (the same `elif` line until the reply cap) costs most of a run's time
    /// on a CPU. [`REPLY_CAP_FACTOR`] times the definition's tokens, at least
    /// [`REPLY_CAP_FLOOR`].
    pub reply_cap: Option<u32>,
}

/// A focused rewrite may be this many times the definition's tokens.
pub const REPLY_CAP_FACTOR: u32 = 4;
/// ...and always at least this many (a stub to implement is short, its body is not).
pub const REPLY_CAP_FLOOR: u32 = 384;

/// The quotes a Python docstring opens with.
const DOC_QUOTES: [&str; 2] = ["\"\"\"", "'''"];

/// Leading spaces of a line (a tab is not indentation the mending below can reason about).
fn lead(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Last line of a docstring that opens right after the header at `header_end`, if any.
fn docstring_end(body: &[&str], header_end: usize) -> Option<usize> {
    let first = body.get(header_end + 1)?.trim();
    let quote = DOC_QUOTES.into_iter().find(|q| first.starts_with(q))?;
    if first.len() >= 6 && first[3..].contains(quote) {
        return Some(header_end + 1);
    }
    (header_end + 2..body.len().min(header_end + 30)).find(|&i| body[i].contains(quote))
}

/// Indentation of the first non-blank line after the header (the model continues from it: a
/// prefill ending right after the header makes small models close the block at once).
fn body_indent(body: &[&str], header_end: usize) -> String {
    body.iter()
        .skip(header_end + 1)
        .find(|l| !l.trim().is_empty())
        .map(|l| l[..l.len() - l.trim_start().len()].to_string())
        .unwrap_or_default()
}

/// The [`Prefill`] for definition `name` of target `t` whose text is `text`.
pub fn prefill_for(t: &Target, text: &str, name: &str, with_doc: bool) -> Option<Prefill> {
    let def = definitions(&t.rel, text)
        .into_iter()
        .filter(|d| d.name == name)
        .min_by_key(|d| d.rows.0)?;
    let lines: Vec<&str> = text.lines().collect();
    let body = lines.get(def.rows.0..=def.rows.1.min(lines.len().saturating_sub(1)))?;
    let first = body.first()?;
    let indent = &first[..first.len() - first.trim_start().len()];
    let fence = format!("```{}\n", t.fence);
    let header_end = |pred: &dyn Fn(&str) -> bool| body.iter().take(6).position(|l| pred(l));
    let cap = REPLY_CAP_FLOOR.max(REPLY_CAP_FACTOR * count_tokens(&body.join("\n")) as u32);
    let prefill = match t.fence {
        "python" => {
            let end = header_end(&|l: &str| l.trim_end().ends_with(':'))?;
            let mut stop = vec![
                "```".to_string(),
                format!("\n{indent}def "),
                format!("\n{indent}class "),
                format!("\n{indent}@"),
            ];
            if indent.is_empty() {
                stop.extend([
                    "\nif __name__".to_string(),
                    "\nprint(".to_string(),
                    "\n#".to_string(),
                ]);
            }
            // Keep the docstring: it is context for the model and must survive the rewrite.
            // Left out of the prefill (after an empty body), it is put back by `assemble`.
            let doc_end = docstring_end(body, end);
            let (end, docstring) = match doc_end {
                Some(d) if with_doc => (d, String::new()),
                Some(d) => (end, body[end + 1..=d].join("\n")),
                None => (end, String::new()),
            };
            if end + 1 >= body.len() {
                return None;
            }
            let body_indent = body_indent(body, end);
            Some(Prefill {
                text: format!("{fence}{}\n{body_indent}", body[..=end].join("\n")),
                stop,
                closer: String::new(),
                offside: Some((indent.len(), body_indent.len())),
                docstring,
                ..Prefill::default()
            })
        }
        "lua" => {
            let last = body.last()?;
            (last.trim() == "end").then(|| Prefill {
                text: format!("{fence}{first}\n{}", body_indent(body, 0)),
                stop: vec!["```".to_string(), format!("\n{last}")],
                closer: last.to_string(),
                ..Prefill::default()
            })
        }
        "" => None,
        _ => {
            let end = header_end(&|l: &str| l.contains('{'))?;
            let last = body.last()?;
            let closer_ok = matches!(last.trim(), "}" | "};");
            (closer_ok && end + 1 < body.len()).then(|| Prefill {
                text: format!(
                    "{fence}{}\n{}",
                    body[..=end].join("\n"),
                    body_indent(body, end)
                ),
                stop: vec!["```".to_string(), format!("\n{last}")],
                closer: last.to_string(),
                ..Prefill::default()
            })
        }
    };
    prefill.map(|p| Prefill {
        reply_cap: Some(cap),
        ..p
    })
}

/// The start of the prefilled definition's header, as it would be written again by a model
/// that restarts the definition: its first line up to the opening parenthesis (`def add(`,
/// `int add(`), or the whole first line when it has none.
fn header_key(p: &Prefill) -> Option<&str> {
    let first = p.text.lines().nth(1)?.trim();
    let key = first.find('(').map_or(first, |i| &first[..=i]);
    (key.len() >= 3).then_some(key)
}

/// A reply that ignored the prefill and wrote the definition again — in a fenced block after
/// some prose (servers that do not continue a trailing assistant message: OpenAI's API, vLLM
/// without `continue_final_message`, some LM Studio versions), or as the header again right
/// after the prefill (a small model starting over). Returns the reply to use whole instead of
/// gluing it after the prefill; `None` for an ordinary continuation.
pub fn restarted(p: &Prefill, content: &str) -> Option<String> {
    let key = header_key(p)?;
    let fence = p.text.lines().next().unwrap_or("```");
    let rest = content.strip_prefix(p.text.as_str()).unwrap_or(content);
    // The header again at the start of what was generated: the definition, unfenced.
    let head = rest.trim_start();
    if head.starts_with(key) {
        let body = head.split("```").next().unwrap_or(head).trim_end();
        return Some(format!("{fence}\n{body}\n```\n"));
    }
    // An opened fenced block (a language tag after the fence, or a fence starting the reply)
    // holding the header: the reply is whole; prose around it is dropped.
    let mut at = 0;
    while let Some(i) = rest[at..].find("```") {
        let open = at + i;
        let after = &rest[open + 3..];
        let tag_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || "+#-".contains(c)))
            .unwrap_or(after.len());
        let opens =
            after[tag_len..].starts_with('\n') && (tag_len > 0 || rest[..open].trim().is_empty());
        at = open + 3;
        if !opens {
            continue;
        }
        let code_start = open + 3 + tag_len + 1;
        let code_end = rest[code_start..]
            .find("```")
            .map_or(rest.len(), |e| code_start + e);
        let code = &rest[code_start..code_end];
        if code.lines().any(|l| l.trim_start().starts_with(key)) {
            return Some(format!("{fence}\n{}\n```\n", code.trim_end()));
        }
        at = code_end.max(at);
    }
    None
}

/// What the model generated after the prefill (some servers echo the prefill back), up to a
/// closing fence. Empty means the model wrote no body at all.
pub fn generated<'a>(p: &Prefill, content: &'a str) -> &'a str {
    let rest = content.strip_prefix(p.text.as_str()).unwrap_or(content);
    rest.split("```").next().unwrap_or("")
}

/// Endpoints (URL + model) seen to ignore a prefilled assistant message: the reply restarted
/// the definition instead of continuing it. Process-wide, so every later run skips the prefill
/// there (the focus and the reply cap stay).
static IGNORES_PREFILL: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn endpoint_key(client: &smallcode_llm::LlmClient) -> String {
    let e = client.endpoint();
    format!("{} {}", e.url, e.model)
}

/// Whether this endpoint was seen to restart a prefilled definition: ask it without one.
pub fn ignores_prefill(client: &smallcode_llm::LlmClient) -> bool {
    let key = endpoint_key(client);
    IGNORES_PREFILL
        .lock()
        .map(|v| v.contains(&key))
        .unwrap_or(false)
}

/// Remembers (process-wide) that this endpoint restarts a prefilled definition.
pub fn remember_ignores_prefill(client: &smallcode_llm::LlmClient) {
    let key = endpoint_key(client);
    if let Ok(mut v) = IGNORES_PREFILL.lock() {
        if !v.contains(&key) {
            tracing::info!(
                "[agent] {key} does not continue a prefilled reply: no prefill from now on"
            );
            v.push(key);
        }
    }
}

/// [`assemble_counted`] without the count.
#[cfg(test)]
pub fn assemble(p: &Prefill, content: &str) -> String {
    assemble_counted(p, content).0
}

/// The code block a prefilled reply stands for: the prefill, what the model generated with its
/// indentation mended (`drop_tokenizer_space`, `reindent_forgotten_body`), plus the closer
/// the stop sequence swallowed. The count is 1 when a forgotten body indentation was mended (a
/// format repair, like dropped rambling; the tokenizer's space is too common to count).
pub fn assemble_counted(p: &Prefill, content: &str) -> (String, u32) {
    let generated = drop_tokenizer_space(p, generated(p, content));
    let (generated, mended) = match p.offside {
        Some((header, body)) => match reindent_forgotten_body(&generated, header, body) {
            Some(fixed) => (fixed, 1),
            None => (generated, 0),
        },
        None => (generated, 0),
    };
    let wrote_doc = DOC_QUOTES
        .iter()
        .any(|q| generated.trim_start().starts_with(q));
    let mut code = if p.docstring.is_empty() || wrote_doc {
        format!("{}{}", p.text, generated.trim_end())
    } else {
        let header = p.text.trim_end_matches(' ');
        let indent = &p.text[header.len()..];
        format!("{header}{}\n{indent}{}", p.docstring, generated.trim_end())
    };
    if !p.closer.is_empty() && !code.trim_end().ends_with(p.closer.trim()) {
        code.push('\n');
        code.push_str(&p.closer);
    }
    (format!("{code}\n```\n"), mended)
}

/// The tokenizer often adds one space to the prefill's indentation (" return"), and a model
/// often repeats the indentation the prefill already wrote ("    if not xs:"). The first line
/// loses that lead; the later lines lose it too when the model went on writing in that shifted
/// frame. For Python the frame is the one in which the body parses as a body: every later line
/// at or right of the body's column, whole indentation steps from it, and deeper after a line
/// that opens a block (lines already at the right depth must stay there: 3 spaces, or an
/// `if` with nothing under it, would not parse).
fn drop_tokenizer_space(p: &Prefill, generated: &str) -> String {
    let extra = lead(generated);
    if !p.text.ends_with(' ') || extra == 0 {
        return generated.to_string();
    }
    let shifted = match p.offside {
        Some((header, body)) if body > header => {
            let step = body - header;
            let fits = |offset: usize| offside_fits(generated, offset, body, step);
            // Neither frame parses (a body written from the header's column, mended later):
            // shift only when every later line sits whole steps from the shifted column.
            fits(extra)
                || (!fits(0)
                    && generated
                        .split('\n')
                        .skip(1)
                        .filter(|l| !l.trim().is_empty())
                        .all(|l| lead(l) >= extra && (lead(l) - extra) % step == 0))
        }
        _ => true,
    };
    generated
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || shifted {
                &l[lead(l).min(extra)..]
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `generated` (its first line placed at column `body`) parses as a Python body when
/// every later line is moved left by `offset`: each at or right of `body`, whole `step`s from
/// it, and deeper than a line ending in `:` before it.
fn offside_fits(generated: &str, offset: usize, body: usize, step: usize) -> bool {
    let mut prev: Option<(usize, bool)> = None;
    for (i, l) in generated.split('\n').enumerate() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let col = if i == 0 {
            body
        } else {
            match lead(l).checked_sub(offset) {
                Some(c) => c,
                None => return false,
            }
        };
        if col < body || (col - body) % step != 0 {
            return false;
        }
        if let Some((pcol, opens)) = prev {
            if opens && col <= pcol {
                return false;
            }
        }
        prev = Some((col, t.ends_with(':')));
    }
    true
}

/// Python's off-side rule, as a small model gets it wrong: the first line sits at the prefilled
/// body indentation, the rest is written as if the body started at the header's column
/// (`total = 0` / `for p in prices:` / `return total`, the last two at column 0). Dropping those
/// lines as stray top-level code would land a body that returns nothing. A `return` or `yield`
/// at or left of the header's column can never be valid there, so when the run of lines from the
/// first such dedent on holds one, the whole run is indented back by `body - header`; `None`
/// when nothing needed that.
fn reindent_forgotten_body(generated: &str, header: usize, body: usize) -> Option<String> {
    let lines: Vec<&str> = generated.split('\n').collect();
    let from =
        (1..lines.len()).find(|&i| !lines[i].trim().is_empty() && lead(lines[i]) <= header)?;
    let only_in_a_body = |l: &str| {
        let t = l.trim_start();
        lead(l) <= header
            && ["return", "yield"].iter().any(|k| {
                t.strip_prefix(k)
                    .is_some_and(|r| r.is_empty() || r.starts_with([' ', '(', '[']))
            })
    };
    if body <= header || !lines[from..].iter().any(|l| only_in_a_body(l)) {
        return None;
    }
    let pad = " ".repeat(body - header);
    let fixed = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i >= from && !l.trim().is_empty() {
                format!("{pad}{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn target(rel: &str) -> Target {
        Target {
            rel: rel.into(),
            path: PathBuf::from(rel),
            fence: super::super::context::fence_for(rel),
        }
    }

    #[test]
    fn a_restarted_definition_is_taken_whole() {
        let p = Prefill {
            text: "```python\ndef add(a, b):\n    ".into(),
            ..Prefill::default()
        };
        let prose = "Here is the fix:\n\n```python\ndef add(a, b):\n    return a + b\n```\n\nThis returns the sum.";
        assert_eq!(
            restarted(&p, prose).as_deref(),
            Some("```python\ndef add(a, b):\n    return a + b\n```\n")
        );
        let again = "def add(a, b):\n    return a + b\n";
        assert_eq!(
            restarted(&p, again).as_deref(),
            Some("```python\ndef add(a, b):\n    return a + b\n```\n")
        );
        assert_eq!(restarted(&p, "return a + b\n"), None, "a continuation");
        assert_eq!(
            restarted(&p, "```python\ndef add(a, b):\n    return a + b\n"),
            None,
            "the prefill echoed back, then the body: a continuation"
        );
        assert_eq!(
            restarted(&p, "Sure!\n```python\nprint(add(1, 2))\n```"),
            None,
            "a block without the definition"
        );
    }

    #[test]
    fn python_prefill_keeps_the_docstring() {
        let text = "def add(a, b):\n    \"\"\"Sum.\n\n    Really.\"\"\"\n    return a - b\n";
        let p = prefill_for(&target("calc.py"), text, "add", true).unwrap();
        assert_eq!(
            p.text,
            "```python\ndef add(a, b):\n    \"\"\"Sum.\n\n    Really.\"\"\"\n    "
        );
        let one = "def add(a, b):\n    \"\"\"Sum.\"\"\"\n    return a - b\n";
        assert!(prefill_for(&target("calc.py"), one, "add", true)
            .unwrap()
            .text
            .ends_with("\"\"\"Sum.\"\"\"\n    "));
        // Without the docstring (after an empty body): asked without it, landed with it.
        let p = prefill_for(&target("calc.py"), text, "add", false).unwrap();
        assert_eq!(p.text, "```python\ndef add(a, b):\n    ");
        assert_eq!(
            assemble(&p, "return a + b\n"),
            "```python\ndef add(a, b):\n    \"\"\"Sum.\n\n    Really.\"\"\"\n    return a + b\n```\n"
        );
        assert_eq!(
            assemble(&p, "\"\"\"Add.\"\"\"\n    return a + b\n"),
            "```python\ndef add(a, b):\n    \"\"\"Add.\"\"\"\n    return a + b\n```\n",
            "a docstring the model wrote is not doubled"
        );
    }

    #[test]
    fn python_prefill_is_the_signature_and_stops_at_the_next_definition() {
        let text = "def add(a, b):\n    return a - b\n\n\ndef mean(v):\n    return 0\n";
        let p = prefill_for(&target("calc.py"), text, "add", true).unwrap();
        assert_eq!(p.text, "```python\ndef add(a, b):\n    ");
        assert!(p.stop.contains(&"\ndef ".to_string()));
        assert_eq!(p.closer, "");
    }

    #[test]
    fn brace_prefill_puts_the_closer_back() {
        let text =
            "int add(int a, int b) {\n    return a - b;\n}\n\nint main(void) {\n    return 0;\n}\n";
        let p = prefill_for(&target("calc.c"), text, "add", true).unwrap();
        assert_eq!(p.text, "```c\nint add(int a, int b) {\n    ");
        assert_eq!(p.stop, vec!["```".to_string(), "\n}".to_string()]);
        assert_eq!(p.closer, "}");
    }

    #[test]
    fn assemble_strips_echoed_prefill_fixes_first_indent_and_adds_closer() {
        let p = Prefill {
            text: "```python\ndef add(a, b):\n    ".into(),
            stop: vec![],
            offside: Some((0, 4)),
            ..Prefill::default()
        };
        assert_eq!(
            assemble(&p, "```python\ndef add(a, b):\n     return a + b\n"),
            "```python\ndef add(a, b):\n    return a + b\n```\n"
        );
        assert_eq!(
            assemble(&p, "return a + b\n```\nrambling"),
            "```python\ndef add(a, b):\n    return a + b\n```\n"
        );
        assert_eq!(
            assemble(&p, " \"\"\"Doc.\"\"\"\n     if a:\n         return a + b\n"),
            "```python\ndef add(a, b):\n    \"\"\"Doc.\"\"\"\n    if a:\n        return a + b\n```\n"
        );
        let c = Prefill {
            text: "```c\nint f(void) {\n    ".into(),
            stop: vec![],
            closer: "}".into(),
            ..Prefill::default()
        };
        assert_eq!(
            assemble(&c, "return 1;"),
            "```c\nint f(void) {\n    return 1;\n}\n```\n"
        );
    }

    #[test]
    fn a_repeated_body_indentation_on_the_first_line_is_dropped_from_it_alone() {
        let t = target("stats.py");
        let src = "def avg(xs):\n    return sum(xs) / len(xs)\n";
        let p = prefill_for(&t, src, "avg", true).unwrap();
        // The prefill wrote the body's four spaces; the model wrote them again, then went on at
        // the right depth.
        let code = assemble(
            &p,
            "    if not xs:\n        return 0.0\n    return sum(xs) / len(xs)\n",
        );
        assert!(
            code.contains(
                "def avg(xs):\n    if not xs:\n        return 0.0\n    return sum(xs) / len(xs)\n"
            ),
            "{code}"
        );
        // Written wholly in the shifted frame, every line moves back.
        let code = assemble(
            &p,
            "    if not xs:\n            return 0.0\n        return 1\n",
        );
        assert!(
            code.contains("def avg(xs):\n    if not xs:\n        return 0.0\n    return 1\n"),
            "{code}"
        );
    }

    #[test]
    fn assemble_indents_back_a_body_written_from_the_header_column() {
        let p = Prefill {
            text: "```python\ndef total_price(prices):\n    ".into(),
            offside: Some((0, 4)),
            ..Prefill::default()
        };
        // Seen from SmolLM2-135M: the loop and the return at column 0.
        assert_eq!(
            assemble(
                &p,
                "total = 0\nfor p in prices:\n    total = total + p\n\nreturn total\n"
            ),
            "```python\ndef total_price(prices):\n    total = 0\n    for p in prices:\n        total = total + p\n\n    return total\n```\n"
        );
        // A method (header at 4, body at 8).
        let m = Prefill {
            text: "```python\n    def total(self):\n        ".into(),
            offside: Some((4, 8)),
            ..Prefill::default()
        };
        assert_eq!(
            assemble(&m, "t = 0\n    return t"),
            "```python\n    def total(self):\n        t = 0\n        return t\n```\n"
        );
        // Seen too: the tokenizer's extra space on the first line only, the rest in place.
        assert_eq!(
            assemble(
                &p,
                " total = 0.0\n    for p in prices:\n        total = total + p\n    return total\n"
            ),
            "```python\ndef total_price(prices):\n    total = 0.0\n    for p in prices:\n        total = total + p\n    return total\n```\n"
        );
        // ... and with the body written from the header's column.
        assert_eq!(
            assemble(&p, " t = 0\nfor p in prices:\n    t += p\nreturn t"),
            "```python\ndef total_price(prices):\n    t = 0\n    for p in prices:\n        t += p\n    return t\n```\n"
        );
        // Top-level code after a complete body stays as written (apply drops it).
        for kept in [
            "return sum(prices)\ntotal_price([1, 2])",
            "x = 1\n    return x",
            "total = 0\nreturned = total",
        ] {
            assert_eq!(
                assemble(&p, kept),
                format!("```python\ndef total_price(prices):\n    {kept}\n```\n")
            );
        }
    }
}
