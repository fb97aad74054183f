//! XML-style calls: Qwen's `<function=name><parameter=key>value</parameter></function>` (also
//! with a JSON body, as Llama writes it) and the element forms seen inside `<tool_use>`.
//!
//! Values are kept as text; the validator turns them into the declared types. Unclosed elements
//! run to the next sibling or the end, because small models and stop sequences both drop them.

use super::extract::{read_json, snippet, Body, Broken, NamedArgs};
use serde_json::{Map, Value};

/// Every `<function=…>` call in `body` (the inside of a `<tool_call>`).
pub(crate) fn functions(body: &str) -> Vec<Body> {
    let lower = body.to_ascii_lowercase();
    let starts: Vec<usize> = lower
        .match_indices("<function=")
        .map(|(i, _)| i + "<function=".len())
        .collect();
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts
            .get(k + 1)
            .map_or(body.len(), |next| next - "<function=".len());
        out.push(function(&body[s..end]));
    }
    out
}

/// One call from the text right after `<function=`: `name>` then parameters or a JSON object.
pub(crate) fn function(body: &str) -> Body {
    let Some(gt) = body.find('>') else {
        return Body::Broken(Broken::text(body));
    };
    let name = clean_name(&body[..gt]);
    let mut rest = &body[gt + 1..];
    if let Some(close) = rest.to_ascii_lowercase().find("</function>") {
        rest = &rest[..close];
    }
    if name.is_empty() {
        return Body::Broken(Broken::text(body));
    }
    let args = if rest.trim_start().starts_with('{') {
        json_args(rest)
    } else {
        NamedArgs::Fields(parameters(rest))
    };
    Body::Named { name, args }
}

/// `<parameter=key>value</parameter>` and `<parameter name="key">value</parameter>` pairs.
fn parameters(text: &str) -> Map<String, Value> {
    let lower = text.to_ascii_lowercase();
    let mut map = Map::new();
    let starts: Vec<usize> = lower.match_indices("<parameter").map(|(i, _)| i).collect();
    for (k, &s) in starts.iter().enumerate() {
        let limit = starts.get(k + 1).copied().unwrap_or(text.len());
        let head = &text[s + "<parameter".len()..limit];
        let Some(gt) = head.find('>') else { continue };
        let key = head[..gt]
            .trim_start()
            .trim_start_matches("name")
            .trim_start()
            .trim_start_matches('=');
        let key = clean_name(key);
        let mut value = &head[gt + 1..];
        if let Some(close) = value.to_ascii_lowercase().find("</parameter>") {
            value = &value[..close];
        } else if let Some(close) = value.to_ascii_lowercase().find("</function>") {
            value = &value[..close];
        }
        if !key.is_empty() {
            map.entry(key)
                .or_insert_with(|| Value::String(strip_one_newline(value).to_string()));
        }
    }
    map
}

/// The body of a `<tool_use>` that is not JSON: `<name>read</name><arguments>{…}</arguments>`,
/// or `<read><path>a.rs</path></read>` (the element is the tool, its children the arguments).
pub(crate) fn tool_use(body: &str) -> Body {
    if let Some(name) = ["name", "tool_name"].iter().find_map(|t| element(body, t)) {
        let name = clean_name(name);
        let inner = ["arguments", "parameters", "input", "args"]
            .iter()
            .find_map(|t| element(body, t))
            .unwrap_or("");
        let args = if inner.trim_start().starts_with('{') {
            json_args(inner)
        } else {
            NamedArgs::Fields(children(inner))
        };
        return Body::Named { name, args };
    }
    let Some((tag, inner)) = first_element(body) else {
        return Body::Broken(Broken::text(body));
    };
    Body::Named {
        name: tag.to_string(),
        args: NamedArgs::Fields(children(inner)),
    }
}

fn json_args(text: &str) -> NamedArgs {
    match read_json(text) {
        Ok((v, repaired, _)) => NamedArgs::Json(v, repaired),
        Err(why) => NamedArgs::Broken(Broken {
            snippet: snippet(text),
            why: Some(why),
        }),
    }
}

/// The inside of the first `<tag>…</tag>` (to the end if unclosed).
fn element<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let lower = text.to_ascii_lowercase();
    let open = format!("<{tag}>");
    let start = lower.find(&open)? + open.len();
    let end = lower[start..]
        .find(&format!("</{tag}>"))
        .map_or(text.len(), |e| start + e);
    Some(&text[start..end])
}

/// The first element in `text`: its tag name and inside (to its close tag, or the end).
fn first_element(text: &str) -> Option<(&str, &str)> {
    let mut from = 0;
    while let Some(rel) = text[from..].find('<') {
        let s = from + rel + 1;
        let len = text[s..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(text.len() - s);
        if len > 0 && text[s + len..].starts_with('>') {
            let tag = &text[s..s + len];
            let inner_start = s + len + 1;
            let close = format!("</{tag}>");
            let end = text[inner_start..]
                .find(&close)
                .map_or(text.len(), |e| inner_start + e);
            return Some((tag, &text[inner_start..end]));
        }
        from = s;
    }
    None
}

/// Child elements as text fields: `<path>a.rs</path><n>3</n>` → {path: "a.rs", n: "3"}.
fn children(mut text: &str) -> Map<String, Value> {
    let mut map = Map::new();
    while let Some((tag, inner)) = first_element(text) {
        map.entry(tag.to_string())
            .or_insert_with(|| Value::String(strip_one_newline(inner).to_string()));
        let Some(pos) = text.find(&format!("</{tag}>")) else {
            break;
        };
        text = &text[pos + tag.len() + 3..];
    }
    map
}

/// A name with surrounding quotes and whitespace removed.
fn clean_name(s: &str) -> String {
    s.trim().trim_matches(['"', '\'', '`']).trim().to_string()
}

/// Qwen's format puts the value on its own lines; drop exactly one newline at each end so that
/// code values keep their own leading indentation and trailing blank lines.
fn strip_one_newline(s: &str) -> &str {
    let s = s
        .strip_prefix("\r\n")
        .or_else(|| s.strip_prefix('\n'))
        .unwrap_or(s);
    s.strip_suffix("\r\n")
        .or_else(|| s.strip_suffix('\n'))
        .unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(b: Body) -> (String, Value) {
        match b {
            Body::Named {
                name,
                args: NamedArgs::Fields(m),
            } => (name, Value::Object(m)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn qwen_function_parameters() {
        let b = function("read>\n<parameter=path>\nsrc/a.rs\n</parameter>\n<parameter=start>\n3\n</parameter>\n</function>");
        assert_eq!(
            fields(b),
            ("read".into(), json!({"path": "src/a.rs", "start": "3"}))
        );
    }

    #[test]
    fn unclosed_parameters_run_to_the_next() {
        let b = function("edit>\n<parameter=path>a.rs\n<parameter name=\"new\">x\n  y\n");
        assert_eq!(
            fields(b),
            ("edit".into(), json!({"path": "a.rs", "new": "x\n  y"}))
        );
    }

    #[test]
    fn tool_use_element_forms() {
        assert_eq!(
            fields(tool_use("\n<read>\n<path>a.rs</path>\n</read>\n")),
            ("read".into(), json!({"path": "a.rs"}))
        );
        let b = tool_use("<name>read</name><arguments>{\"path\": \"a\"}</arguments>");
        assert_eq!(
            b,
            Body::Named {
                name: "read".into(),
                args: NamedArgs::Json(json!({"path": "a"}), false)
            }
        );
    }
}
