//! Checking a raw call against its [`ToolSpec`]: resolve the tool name, map argument keys to
//! parameters, coerce values to the declared kinds, and name the first thing that cannot be fixed.
//!
//! Coercions are the lossless ones only (`"42"` → 42, `"yes"` → true, `"a"` → `["a"]`, 3 → `"3"`,
//! a list of lines → one string). Anything else becomes a [`CallError`] naming the tool, the
//! field, what was expected and what was received, which is what the model gets back.

use super::error::CallError;
use super::extract::{snippet, THOUGHT_KEYS};
use super::fuzzy::{resolve, Match};
use super::repair::repair_json;
use super::shape::RawCall;
use super::spec::{Param, ParamKind, ToolSpec};
use super::{Call, RepairStats};
use serde_json::{Map, Value};

/// Common other names for parameters, tried after exact and fuzzy matching, and only when the
/// tool declares the parameter on the left.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "path",
        &[
            "file",
            "filename",
            "file_path",
            "filepath",
            "file_name",
            "fname",
        ],
    ),
    (
        "old",
        &[
            "old_string",
            "old_str",
            "old_text",
            "search",
            "find",
            "original",
        ],
    ),
    (
        "new",
        &[
            "new_string",
            "new_str",
            "new_text",
            "replace",
            "replacement",
        ],
    ),
    ("content", &["contents", "text", "body", "code"]),
    ("query", &["q", "search", "pattern", "term"]),
    ("pattern", &["regex", "query", "search"]),
    ("command", &["cmd"]),
];

/// The spec `name` resolves to, counting a fuzzy match as a repair.
pub(crate) fn resolve_tool<'s>(
    name: &str,
    specs: &'s [ToolSpec],
    st: &mut RepairStats,
) -> Result<&'s ToolSpec, CallError> {
    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    match resolve(name, &names) {
        Match::Exact(i) => Ok(&specs[i]),
        Match::Fuzzy(i) => {
            st.json_repaired += 1;
            tracing::debug!("[toolcall] tool {name:?} read as {:?}", specs[i].name);
            Ok(&specs[i])
        }
        Match::None => Err(CallError::unknown_tool(name, &names)),
    }
}

/// Validates and coerces `raw` into a [`Call`].
pub(crate) fn validate(
    raw: RawCall,
    specs: &[ToolSpec],
    st: &mut RepairStats,
) -> Result<Call, CallError> {
    let spec = resolve_tool(&raw.name, specs, st)?;
    let given = arguments_object(raw.args, spec, st)?;
    let mut args = Map::new();
    for (key, value) in given {
        if THOUGHT_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
            continue;
        }
        let Some(param) = find_param(spec, &key, st) else {
            st.coerced += 1; // an unknown field, dropped
            tracing::debug!("[toolcall] {}: dropped unknown field {key:?}", spec.name);
            continue;
        };
        if value.is_null() || args.contains_key(param.name) {
            continue; // null means absent; a second spelling of a field already given is dropped
        }
        let (value, changed) = coerce(param.kind, value, raw.textual)
            .map_err(|bad| CallError::field(spec.name, param.name, param.kind.expected(), &bad))?;
        if changed {
            st.coerced += 1;
        }
        args.insert(param.name.to_string(), value);
    }
    if let Some(missing) = spec
        .params
        .iter()
        .find(|p| p.required && !args.contains_key(p.name))
    {
        return Err(CallError::missing(
            spec.name,
            missing.name,
            missing.kind.expected(),
        ));
    }
    Ok(Call {
        name: spec.name.to_string(),
        args,
        source: raw.source,
    })
}

/// The arguments as an object: parses stringified JSON, and gives a bare string to a tool's only
/// parameter (`{"name": "read", "arguments": "src/a.rs"}`).
fn arguments_object(
    args: Value,
    spec: &ToolSpec,
    st: &mut RepairStats,
) -> Result<Map<String, Value>, CallError> {
    match args {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        Value::String(s) if s.trim().is_empty() => Ok(Map::new()),
        Value::String(s) => {
            if let Some((Value::Object(m), _)) = repair_json(&s)
                .ok()
                .filter(|_| s.trim_start().starts_with(['{', '`']))
            {
                st.json_repaired += 1; // stringified nested JSON
                return Ok(m);
            }
            match sole_param(spec) {
                Some(p) => {
                    st.coerced += 1;
                    Ok(Map::from_iter([(p.name.to_string(), Value::String(s))]))
                }
                None => Err(CallError::arguments(spec.name, &snippet(&s))),
            }
        }
        other => Err(CallError::arguments(spec.name, &CallError::render(&other))),
    }
}

/// The parameter a lone string argument belongs to: the only required one, else the only one.
fn sole_param(spec: &ToolSpec) -> Option<&Param> {
    let mut required = spec.params.iter().filter(|p| p.required);
    match (required.next(), required.next()) {
        (Some(p), None) => Some(p),
        (None, None) if spec.params.len() == 1 => spec.params.first(),
        _ => None,
    }
}

/// The parameter `key` names: exactly, fuzzily, or by a common alias (the last two are counted).
fn find_param<'s>(spec: &'s ToolSpec, key: &str, st: &mut RepairStats) -> Option<&'s Param> {
    let names: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
    let index = match resolve(key, &names) {
        Match::Exact(i) => return spec.params.get(i),
        Match::Fuzzy(i) => Some(i),
        Match::None => {
            let lower = key.to_ascii_lowercase();
            ALIASES
                .iter()
                .filter(|(_, alts)| alts.contains(&lower.as_str()))
                .find_map(|(canon, _)| names.iter().position(|n| n == canon))
        }
    }?;
    st.coerced += 1;
    spec.params.get(index)
}

/// Converts `v` to `kind`; returns the value and whether it changed, or the offending value.
/// With `textual` (XML arguments) parsing text into a number, boolean or list is not a change.
fn coerce(kind: ParamKind, v: Value, textual: bool) -> Result<(Value, bool), Value> {
    let from_text = |v: Value| Ok((v, !textual));
    match (kind, v) {
        (ParamKind::String, v @ Value::String(_)) => Ok((v, false)),
        (ParamKind::String, Value::Number(n)) => Ok((Value::String(n.to_string()), true)),
        (ParamKind::String, Value::Bool(b)) => Ok((Value::String(b.to_string()), true)),
        (ParamKind::String, Value::Array(items)) if items.iter().all(is_scalar_text) => {
            let lines: Vec<String> = items.iter().map(scalar_text).collect();
            Ok((Value::String(lines.join("\n")), true))
        }
        (ParamKind::Integer, Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(_), _) => Ok((Value::Number(n), false)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Ok((Value::from(f as i64), true))
            }
            _ => Err(Value::Number(n)),
        },
        (ParamKind::Integer, Value::String(s)) => match int_text(&s) {
            Some(i) => from_text(Value::from(i)),
            None => Err(Value::String(s)),
        },
        (ParamKind::Boolean, v @ Value::Bool(_)) => Ok((v, false)),
        (ParamKind::Boolean, Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "on" => from_text(Value::Bool(true)),
            "false" | "no" | "n" | "0" | "off" => from_text(Value::Bool(false)),
            _ => Err(Value::String(s)),
        },
        (ParamKind::Boolean, Value::Number(n))
            if n.as_i64() == Some(0) || n.as_i64() == Some(1) =>
        {
            Ok((Value::Bool(n.as_i64() == Some(1)), true))
        }
        (ParamKind::StringList, Value::Array(items)) => {
            let mut changed = false;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(_) => out.push(item),
                    ref s if is_scalar_text(s) => {
                        changed = true;
                        out.push(Value::String(scalar_text(s)));
                    }
                    _ => return Err(item),
                }
            }
            Ok((Value::Array(out), changed))
        }
        (ParamKind::StringList, Value::String(s)) => list_text(&s, textual).map_or_else(
            || Ok((Value::Array(vec![Value::String(s.clone())]), !textual)),
            |list| Ok((list, !textual)),
        ),
        (ParamKind::StringList, Value::Number(n)) => {
            Ok((Value::Array(vec![Value::String(n.to_string())]), true))
        }
        (_, v) => Err(v),
    }
}

/// An integer written as text: `"42"`, `" 42 "`, `"42.0"`.
fn int_text(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// A list written as text: a JSON array (stringified), or, in XML, one item per line.
fn list_text(s: &str, textual: bool) -> Option<Value> {
    if s.trim_start().starts_with('[') {
        if let Ok((Value::Array(items), _)) = repair_json(s) {
            if items.iter().all(is_scalar_text) {
                return Some(Value::Array(
                    items
                        .iter()
                        .map(|i| Value::String(scalar_text(i)))
                        .collect(),
                ));
            }
        }
    }
    let lines: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if textual && lines.len() > 1 {
        return Some(Value::Array(
            lines
                .into_iter()
                .map(|l| Value::String(l.to_string()))
                .collect(),
        ));
    }
    None
}

fn is_scalar_text(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coercions() {
        assert_eq!(
            coerce(ParamKind::Integer, json!("42"), false),
            Ok((json!(42), true))
        );
        assert_eq!(
            coerce(ParamKind::Integer, json!("42"), true),
            Ok((json!(42), false))
        );
        assert_eq!(
            coerce(ParamKind::Integer, json!(3.0), false),
            Ok((json!(3), true))
        );
        assert_eq!(
            coerce(ParamKind::Integer, json!(3.5), false),
            Err(json!(3.5))
        );
        assert_eq!(
            coerce(ParamKind::Integer, json!("ten"), false),
            Err(json!("ten"))
        );
        assert_eq!(
            coerce(ParamKind::Boolean, json!("Yes"), false),
            Ok((json!(true), true))
        );
        assert_eq!(
            coerce(ParamKind::Boolean, json!(0), false),
            Ok((json!(false), true))
        );
        assert_eq!(
            coerce(ParamKind::Boolean, json!("maybe"), false),
            Err(json!("maybe"))
        );
        assert_eq!(
            coerce(ParamKind::String, json!(42), false),
            Ok((json!("42"), true))
        );
        assert_eq!(
            coerce(ParamKind::String, json!(["a", "b"]), false),
            Ok((json!("a\nb"), true))
        );
        assert_eq!(
            coerce(ParamKind::String, json!({"a": 1}), false),
            Err(json!({"a": 1}))
        );
        assert_eq!(
            coerce(ParamKind::StringList, json!("a.rs"), false),
            Ok((json!(["a.rs"]), true))
        );
        assert_eq!(
            coerce(ParamKind::StringList, json!("[\"a\", 'b']"), false),
            Ok((json!(["a", "b"]), true))
        );
        assert_eq!(
            coerce(ParamKind::StringList, json!("a\nb\n"), true),
            Ok((json!(["a", "b"]), false))
        );
        assert_eq!(
            coerce(ParamKind::StringList, json!(["a", 1]), false),
            Ok((json!(["a", "1"]), true))
        );
        assert_eq!(
            coerce(ParamKind::StringList, json!([["a"]]), false),
            Err(json!(["a"]))
        );
    }
}
