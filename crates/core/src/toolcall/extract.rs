//! Finding tool calls in reply text, when the server returned none natively.
//!
//! Three stages, and the first that finds anything wins, so a JSON example quoted inside a
//! `<tool_call>` reply is never read twice:
//! 1. explicit markers: `<tool_call>`, `<tool_use>`, `[TOOL_REQUEST]`, `<function=…>`;
//! 2. Markdown code fences whose body starts with `{` or `[`;
//! 3. bare objects whose first key is call-like (`name`, `tool`, `arguments`, a tool's name…).
//!
//! Byte offsets come from an ASCII-lowercased copy of the text, which has the same offsets, and
//! all markers are ASCII, so every slice lands on a char boundary.

use super::error::{RepairError, RepairErrorKind};
use super::repair::{parse_prefix, MAX_CALL_BYTES};
use super::xml;
use super::CallError;
use super::Source;
use serde_json::{Map, Value};

/// Keys that name the tool in a call object.
pub(crate) const NAME_KEYS: &[&str] = &[
    "name",
    "tool",
    "tool_name",
    "function",
    "function_name",
    "action",
];
/// Keys that hold the arguments in a call object.
pub(crate) const ARG_KEYS: &[&str] = &[
    "arguments",
    "parameters",
    "args",
    "input",
    "params",
    "action_input",
];
/// Keys a model adds to think aloud inside the call; dropped, never passed as arguments.
pub(crate) const THOUGHT_KEYS: &[&str] = &[
    "thought",
    "thoughts",
    "thinking",
    "reasoning",
    "reason",
    "explanation",
];
/// How many unreadable candidates one reply may cost before the scan gives up; each costs a few
/// passes over the rest of the text, so this keeps a pathological reply linear.
const MAX_FAILED_READS: usize = 32;

/// How many cut points are tried for a truncated call followed by prose.
const MAX_CUTS: usize = 4;
/// How many markers or fences one reply may hold before the rest is ignored.
const MAX_REGIONS: usize = 64;

/// Other keys a call-like object may start with.
const WRAPPER_KEYS: &[&str] = &["tool_calls", "tool_call", "type", "id"];

/// One place in the text that holds, or tried to hold, a tool call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    /// Which format it was written in.
    pub source: Source,
    /// What was read there.
    pub body: Body,
}

/// The content of one found call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// A JSON value (one call, a list, or a wrapper) and whether its text needed repair.
    Json(Value, bool),
    /// XML-style call: the name and its arguments.
    Named { name: String, args: NamedArgs },
    /// A call was clearly attempted here but could not be read.
    Broken(Broken),
}

/// A call that could not be read: a snippet of it, and the JSON refusal when there was one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Broken {
    /// The start of the text, for the error line.
    pub snippet: String,
    /// Why the JSON repair refused it, if JSON was read.
    pub why: Option<RepairError>,
}

impl Broken {
    /// Text that is not a readable call at all (no JSON reason).
    pub fn text(s: &str) -> Broken {
        Broken {
            snippet: snippet(s),
            why: None,
        }
    }

    /// The line sent back, naming `tool` when the call's name is known. A refusal with a place
    /// (a quote, a bracket, an object closed early…) is sent as it is; text cut off or with no
    /// JSON in it gets the general "one complete JSON object" line.
    pub fn error(&self, tool: Option<&str>) -> CallError {
        match (&self.why, tool) {
            (Some(e), tool)
                if !matches!(
                    e.kind(),
                    RepairErrorKind::Truncated | RepairErrorKind::NoValue
                ) =>
            {
                CallError::json(tool, e)
            }
            (_, Some(tool)) => CallError::arguments(tool, &format!("`{}`", self.snippet)),
            (_, None) => CallError::unreadable(&self.snippet),
        }
    }
}

/// Arguments of an XML-style call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NamedArgs {
    /// One text value per parameter (types are coerced later without counting as a repair).
    Fields(Map<String, Value>),
    /// A JSON object written inside the XML.
    Json(Value, bool),
    /// JSON that could not be read.
    Broken(Broken),
}

/// Splits `<think>…</think>` (and `<thinking>`) out of `content`: returns (visible, thought).
/// An unclosed `<think>` hides the rest; a `</think>` with no opener hides what precedes it
/// (templates that open the think block in the prompt).
pub(crate) fn strip_think(content: &str) -> (String, String) {
    let lower = content.to_ascii_lowercase();
    let (mut visible, mut thought) = (String::new(), String::new());
    let mut pos = 0;
    let first_open = find_any(&lower, 0, &["<think>", "<thinking>"]);
    if let Some((close, tag)) = find_any(&lower, 0, &["</think>", "</thinking>"]) {
        if first_open.is_none_or(|(open, _)| open > close) {
            thought.push_str(&content[..close]);
            pos = close + tag.len();
        }
    }
    while let Some((open, tag)) = find_any(&lower, pos, &["<think>", "<thinking>"]) {
        visible.push_str(&content[pos..open]);
        let inner = open + tag.len();
        match find_any(&lower, inner, &["</think>", "</thinking>"]) {
            Some((close, ctag)) => {
                thought.push_str(&content[inner..close]);
                pos = close + ctag.len();
            }
            None => {
                thought.push_str(&content[inner..]);
                pos = content.len();
            }
        }
    }
    visible.push_str(&content[pos..]);
    (visible, thought)
}

/// The earliest occurrence at or after `from` of any of `tags` in `lower`, with the tag.
fn find_any<'t>(lower: &str, from: usize, tags: &[&'t str]) -> Option<(usize, &'t str)> {
    let hay = lower.get(from..)?;
    tags.iter()
        .filter_map(|t| hay.find(t).map(|i| (from + i, *t)))
        .min_by_key(|(i, _)| *i)
}

/// All calls found in `text`, by the first stage that finds any (see the module doc).
pub(crate) fn find(text: &str, tool_names: &[&str]) -> Vec<Found> {
    let lower = text.to_ascii_lowercase();
    let tagged = tags(text, &lower);
    if !tagged.is_empty() {
        return tagged;
    }
    let fenced = fences(text, tool_names);
    if !fenced.is_empty() {
        return fenced;
    }
    bare(text, tool_names)
}

/// Stage 1: explicit markers.
fn tags(text: &str, lower: &str) -> Vec<Found> {
    const OPENERS: &[&str] = &["<tool_call>", "<tool_use>", "[tool_request]", "<function="];
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((open, tag)) = find_any(lower, pos, OPENERS) {
        if out.len() >= MAX_REGIONS {
            break;
        }
        let inner = open + tag.len();
        let (close_tag, source) = match tag {
            "<tool_call>" => ("</tool_call>", Source::ToolCallTag),
            "<tool_use>" => ("</tool_use>", Source::ToolUseTag),
            "[tool_request]" => ("[end_tool_request]", Source::ToolRequest),
            _ => ("</function>", Source::FunctionXml),
        };
        // An unclosed marker runs to the next opener of its kind or the end (servers often eat
        // the closing tag as a stop sequence).
        let next_same = find_any(lower, inner, &[tag]).map(|(i, _)| i);
        let limit = next_same.unwrap_or(lower.len());
        let close = lower[inner..limit].find(close_tag).map(|i| inner + i);
        let end = close.or(next_same).unwrap_or(text.len());
        let body = &text[inner..end];
        pos = close.map_or(end, |c| c + close_tag.len());
        match source {
            Source::FunctionXml => out.push(Found {
                source,
                body: xml::function(body),
            }),
            _ if lower[inner..end].contains("<function=") => {
                out.extend(xml::functions(body).into_iter().map(|body| Found {
                    source: Source::FunctionXml,
                    body,
                }));
            }
            Source::ToolUseTag if !body.trim_start().starts_with(['{', '[']) => {
                out.push(Found {
                    source,
                    body: xml::tool_use(body),
                });
            }
            _ => out.push(Found {
                source,
                body: json_body(body),
            }),
        }
    }
    out
}

/// The JSON in a marker's body, or why it could not be read.
fn json_body(body: &str) -> Body {
    match read_json(body) {
        Ok((v, repaired, _)) => Body::Json(v, repaired),
        Err(why) => Body::Broken(Broken {
            snippet: snippet(body),
            why: Some(why),
        }),
    }
}

/// Reads the first JSON value in `text`, within the [`MAX_CALL_BYTES`] window: a call that does
/// not end inside it is refused, never closed at the cut.
pub(crate) fn read_json(text: &str) -> Result<(Value, bool, usize), RepairError> {
    let (text, cut) = window(text);
    let read = read_cut(text);
    let too_long = match &read {
        Ok((_, _, used)) => *used >= text.len(),
        Err(e) => e.kind() == RepairErrorKind::Truncated,
    };
    if cut && too_long {
        return Err(RepairError::too_long(None, MAX_CALL_BYTES));
    }
    read
}

/// Reads the first JSON value in `text`. If the text after it is not JSON (a truncated call
/// followed by prose), retries with the text cut after a closing bracket before the point where
/// reading failed, nearest first, but only where prose follows the cut: a cut before more of the
/// document (`, "key": …`) would silently drop it.
fn read_cut(text: &str) -> Result<(Value, bool, usize), RepairError> {
    let why = match parse_prefix(text) {
        Ok(found) => return Ok(found),
        Err(why) => why,
    };
    if !matches!(
        why.kind(),
        RepairErrorKind::Unexpected | RepairErrorKind::Truncated | RepairErrorKind::Quote
    ) {
        return Err(why);
    }
    let cuts = close_positions(&text[..why.offset().min(text.len())]);
    for cut in cuts.into_iter().rev().take(MAX_CUTS) {
        if !prose_follows(&text[cut..]) {
            continue;
        }
        if let Ok((v, _, used)) = parse_prefix(&text[..cut]) {
            return Ok((v, true, used));
        }
    }
    Err(why)
}

/// Whether `rest` starts (after whitespace) with something that cannot continue a JSON document:
/// not a `,`, `:`, `=`, quote or closing bracket, and not a bare `key:`.
fn prose_follows(rest: &str) -> bool {
    let t = rest.trim_start();
    if t.is_empty() || t.starts_with([',', ':', '=', '"', '\'', '}', ']']) {
        return false;
    }
    let word = t
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(t.len());
    word == 0 || !t[word..].trim_start().starts_with([':', '='])
}

/// `text` cut to [`MAX_CALL_BYTES`] (on a char boundary), and whether it was cut.
fn window(text: &str) -> (&str, bool) {
    if text.len() <= MAX_CALL_BYTES {
        return (text, false);
    }
    let mut end = MAX_CALL_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// Byte offsets just after each `}` / `]` outside double-quoted strings.
fn close_positions(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut in_str, mut escaped) = (false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_str = true,
                b'}' | b']' => out.push(i + 1),
                _ => {}
            }
        }
    }
    out
}

/// Stage 2: fenced code blocks whose body is JSON.
fn fences(text: &str, tool_names: &[&str]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut failed = 0;
    while let Some(rel) = text[pos..].find("```") {
        let lang_start = pos + rel + 3;
        let lang_len = text[lang_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len() - lang_start);
        let body_start = lang_start + lang_len;
        let end = fence_close(text, body_start);
        pos = (end + 3).min(text.len());
        let body = &text[body_start..end];
        if !body.trim_start().starts_with(['{', '[']) {
            continue;
        }
        if failed >= MAX_FAILED_READS {
            break;
        }
        // A closing fence inside a JSON string (code with raw newlines) cuts the body short;
        // then the text up to the end is the better guess.
        let read = read_json(body).or_else(|why| read_json(&text[body_start..]).map_err(|_| why));
        match read {
            Ok((v, repaired, _)) => out.push(Found {
                source: Source::FencedJson,
                body: Body::Json(v, repaired),
            }),
            Err(why) => {
                failed += 1;
                if looks_like_call(body, tool_names) {
                    out.push(Found {
                        source: Source::FencedJson,
                        body: Body::Broken(Broken {
                            snippet: snippet(body),
                            why: Some(why),
                        }),
                    });
                }
            }
        }
    }
    out
}

/// Where the fence opened before `from` closes: the next ``` at a line start, else any next ```,
/// else the end of the text.
fn fence_close(text: &str, from: usize) -> usize {
    let rest = &text[from..];
    let mut at_line_start = None;
    let mut search = 0;
    for _ in 0..8 {
        let Some(i) = rest[search..].find("```") else {
            break;
        };
        let abs = search + i;
        let line_start = rest[..abs].rfind('\n').map_or(0, |n| n + 1);
        if rest[line_start..abs].trim().is_empty() && abs > 0 {
            at_line_start = Some(abs);
            break;
        }
        search = abs + 3;
    }
    from + at_line_start
        .or_else(|| rest.find("```"))
        .unwrap_or(rest.len())
}

/// Stage 3: bare JSON objects (or arrays of them) that start like a call.
fn bare(text: &str, tool_names: &[&str]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut failed = 0;
    while let Some(rel) = text[pos..].find(['{', '[']) {
        let start = pos + rel;
        if !starts_like_call(&text[start..], tool_names) {
            pos = start + 1;
            continue;
        }
        match read_json(&text[start..]) {
            Ok((v, repaired, used)) => {
                out.push(Found {
                    source: Source::BareJson,
                    body: Body::Json(v, repaired),
                });
                pos = start + used.max(1);
            }
            Err(why) => {
                if looks_like_call(&text[start..], tool_names) {
                    out.push(Found {
                        source: Source::BareJson,
                        body: Body::Broken(Broken {
                            snippet: snippet(&text[start..]),
                            why: Some(why),
                        }),
                    });
                }
                failed += 1;
                if failed >= MAX_FAILED_READS {
                    break;
                }
                pos = start + 1;
            }
        }
    }
    out
}

/// Whether `s` (starting at `{` or `[`) opens an object whose first key is call-like.
fn starts_like_call(s: &str, tool_names: &[&str]) -> bool {
    let mut rest = s[1..].trim_start();
    if s.starts_with('[') {
        match rest.strip_prefix('{') {
            Some(r) => rest = r.trim_start(),
            None => return false,
        }
    }
    let quoted = rest.strip_prefix(['"', '\'']);
    let rest = quoted.unwrap_or(rest);
    let key_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let key = rest[..key_len].to_ascii_lowercase();
    let after = rest[key_len..].trim_start_matches(['"', '\'']).trim_start();
    if key.is_empty() || !after.starts_with([':', '=']) {
        return false;
    }
    [NAME_KEYS, ARG_KEYS, THOUGHT_KEYS, WRAPPER_KEYS]
        .iter()
        .any(|keys| keys.contains(&key.as_str()))
        || tool_names.iter().any(|n| n.eq_ignore_ascii_case(&key))
}

/// Whether unreadable text was still clearly meant as a call (so the model gets an error back
/// instead of its text being taken as a plain answer).
fn looks_like_call(s: &str, tool_names: &[&str]) -> bool {
    let lower = window_head(s).to_ascii_lowercase();
    let quoted = |k: &str| lower.contains(&format!("\"{k}\"")) || lower.contains(&format!("'{k}'"));
    let named = NAME_KEYS.iter().any(|k| quoted(k));
    named
        && (ARG_KEYS.iter().any(|k| quoted(k))
            || tool_names.iter().any(|n| quoted(&n.to_ascii_lowercase())))
}

/// The first 4 KiB of `s` (on a char boundary): where a call's keys are.
fn window_head(s: &str) -> &str {
    let mut end = s.len().min(4096);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The first 80 characters of `s`, trimmed, for an error line.
pub(crate) fn snippet(s: &str) -> String {
    let t = s.trim();
    let mut out: String = t.chars().take(80).collect();
    if out.len() < t.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_blocks_are_split_out() {
        assert_eq!(
            strip_think("<think>hmm</think>hi"),
            ("hi".into(), "hmm".into())
        );
        assert_eq!(
            strip_think("a<THINK>x</THINK>b<think>y"),
            ("ab".into(), "xy".into())
        );
        assert_eq!(
            strip_think("plan…</think>\nanswer"),
            ("\nanswer".into(), "plan…".into())
        );
        assert_eq!(strip_think("no tags"), ("no tags".into(), String::new()));
    }

    #[test]
    fn fence_close_prefers_line_start() {
        let t = "```json\n{\"a\": \"x ``` y\"}\n```\nafter";
        let end = fence_close(t, 7);
        assert_eq!(&t[end..end + 3], "```");
        assert!(t[..end].ends_with("}\n"));
    }

    #[test]
    fn call_like_starts() {
        assert!(starts_like_call("{\"name\": 1}", &[]));
        assert!(starts_like_call("[ {'tool': 1}]", &[]));
        assert!(starts_like_call("{read: {}}", &["read"]));
        assert!(!starts_like_call("{\"version\": 1}", &["read"]));
        assert!(!starts_like_call("{ x }", &[]));
    }

    #[test]
    fn truncated_call_before_prose_is_cut() {
        let t = "{\"name\": \"read\", \"arguments\": {\"path\": \"a\"}\nThen I will look.";
        let (v, repaired, _) = read_json(t).expect("readable");
        assert!(repaired);
        assert_eq!(v["arguments"]["path"], "a");
    }
}
