//! From a parsed JSON value to raw calls: which key holds the name and which the arguments.
//!
//! Accepted shapes: `{"name", "arguments"}` and its spellings (`parameters`, `args`, `input`,
//! `tool`, `action`/`action_input`…), OpenAI's `{"function": {…}}` and `{"tool_calls": […]}`,
//! `{"read": {…}}` keyed by a tool name, flat `{"name": "read", "path": …}`, a list of any of
//! these, and a whole call serialised into a string.

use super::extract::{ARG_KEYS, NAME_KEYS, THOUGHT_KEYS};
use super::repair::repair_json;
use super::Source;
use serde_json::{Map, Value};

/// A call as written, before the name is resolved and the arguments checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawCall {
    /// The tool name as the model wrote it.
    pub name: String,
    /// The arguments as written (an object, a string holding JSON, null…).
    pub args: Value,
    /// The format it came in.
    pub source: Source,
    /// Whether every value is text by nature of the format (XML), so turning `"3"` into `3` is
    /// the normal reading and not counted as a coercion.
    pub textual: bool,
    /// Whether the arguments sat beside the name with no arguments key; such an object is only
    /// a call when its name is a known tool (`{"name": "my-crate", "version": …}` is not).
    pub flat: bool,
}

/// The calls in `v`, or an empty list when `v` does not look like a call at all.
pub(crate) fn calls(v: &Value, source: Source, tool_names: &[&str]) -> Vec<RawCall> {
    let mut out = Vec::new();
    collect(v, source, tool_names, 0, &mut out);
    out
}

fn collect(v: &Value, source: Source, tool_names: &[&str], depth: usize, out: &mut Vec<RawCall>) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => items
            .iter()
            .for_each(|it| collect(it, source, tool_names, depth + 1, out)),
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => {
            if let Ok((inner, _)) = repair_json(s) {
                collect(&inner, source, tool_names, depth + 1, out);
            }
        }
        Value::Object(m) => object(m, source, tool_names, depth, out),
        _ => {}
    }
}

fn object(
    m: &Map<String, Value>,
    source: Source,
    tool_names: &[&str],
    depth: usize,
    out: &mut Vec<RawCall>,
) {
    // Keys are tried in priority order (the map itself is sorted alphabetically).
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|key| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
    };
    if let Some((_, list)) = get(&["tool_calls", "tool_call", "calls"]) {
        return collect(list, source, tool_names, depth + 1, out);
    }
    if let Some((_, f @ Value::Object(_))) = get(&["function"]) {
        return collect(f, source, tool_names, depth + 1, out);
    }
    let name = NAME_KEYS.iter().find_map(|key| {
        m.iter().find_map(|(k, v)| match v {
            Value::String(s) if k.eq_ignore_ascii_case(key) && !s.trim().is_empty() => {
                Some((k.clone(), s.trim().to_string()))
            }
            _ => None,
        })
    });
    if let Some((name_key, name)) = name {
        if let Some((_, args)) = get(ARG_KEYS) {
            out.push(RawCall {
                name,
                args: args.clone(),
                source,
                textual: false,
                flat: false,
            });
            return;
        }
        let rest: Map<String, Value> = m
            .iter()
            .filter(|(k, _)| **k != name_key && !["id", "type"].contains(&k.as_str()))
            .filter(|(k, _)| !THOUGHT_KEYS.contains(&k.to_ascii_lowercase().as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push(RawCall {
            name,
            args: Value::Object(rest),
            source,
            textual: false,
            flat: true,
        });
        return;
    }
    // `{"read": {"path": …}}`: the only (non-thought) key is a tool name.
    let mut keys = m
        .iter()
        .filter(|(k, _)| !THOUGHT_KEYS.contains(&k.to_ascii_lowercase().as_str()));
    if let (Some((k, args @ Value::Object(_))), None) = (keys.next(), keys.next()) {
        if tool_names.iter().any(|n| n.eq_ignore_ascii_case(k)) {
            out.push(RawCall {
                name: k.clone(),
                args: args.clone(),
                source,
                textual: false,
                flat: false,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(v: Value) -> Vec<(String, Value, bool)> {
        calls(&v, Source::BareJson, &["read"])
            .into_iter()
            .map(|c| (c.name, c.args, c.flat))
            .collect()
    }

    #[test]
    fn spellings() {
        let want = vec![("read".to_string(), json!({"path": "a"}), false)];
        assert_eq!(
            names(json!({"name": "read", "arguments": {"path": "a"}})),
            want
        );
        assert_eq!(names(json!({"tool": "read", "args": {"path": "a"}})), want);
        assert_eq!(
            names(json!({"action": "read", "action_input": {"path": "a"}})),
            want
        );
        assert_eq!(
            names(
                json!({"type": "function", "function": {"name": "read", "arguments": {"path": "a"}}})
            ),
            want
        );
        assert_eq!(
            names(
                json!({"tool_calls": [{"function": {"name": "read", "arguments": {"path": "a"}}}]})
            ),
            want
        );
        assert_eq!(names(json!({"read": {"path": "a"}})), want);
        assert_eq!(
            names(json!(
                "{\"name\": \"read\", \"arguments\": {\"path\": \"a\"}}"
            )),
            want
        );
    }

    #[test]
    fn flat_and_thoughts() {
        let got = names(json!({"thought": "need file", "name": "read", "path": "a"}));
        assert_eq!(got, vec![("read".to_string(), json!({"path": "a"}), true)]);
    }

    #[test]
    fn not_calls() {
        assert!(names(json!({"version": "1.0"})).is_empty());
        assert!(names(json!([1, 2])).is_empty());
        assert!(names(json!({"edit": {"path": "a"}})).is_empty());
    }
}
