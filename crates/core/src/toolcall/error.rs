//! The one error line a model gets back when its call cannot be used.
//!
//! The line names the tool, the field, what was expected and what was received, because a small
//! model can fix one named thing on a retry but not a vague "invalid call".

use serde_json::Value;
use std::fmt;

/// Why a tool call was rejected. `Display` is the single line sent back to the model, e.g.
/// `edit: field "path": expected string, received 42`.
///
/// Shapes: `tool` + `field` for a bad or missing argument; `tool` alone for arguments that are not
/// an object; `field == Some("name")` with no `tool` for an unknown tool (`expected` then lists the
/// tools); neither for text that was meant as a call but could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CallError {
    /// The resolved tool, when the name was recognised.
    pub tool: Option<String>,
    /// The argument at fault, if one is.
    pub field: Option<String>,
    /// What would have been accepted, in words.
    pub expected: String,
    /// What the model wrote, shortened (`nothing` when missing).
    pub received: String,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (expected, received) = (&self.expected, &self.received);
        match (&self.tool, &self.field) {
            (None, Some(field)) if field == "name" => {
                write!(f, "unknown tool {received}; tools are: {expected}")
            }
            (Some(tool), Some(field)) => write!(
                f,
                "{tool}: field \"{field}\": expected {expected}, received {received}"
            ),
            (Some(tool), None) => write!(f, "{tool}: expected {expected}, received {received}"),
            (None, Some(field)) => write!(
                f,
                "field \"{field}\": expected {expected}, received {received}"
            ),
            (None, None) => write!(f, "expected {expected}, received {received}"),
        }
    }
}

/// Longest rendering of a received value, in characters.
const MAX_RECEIVED: usize = 60;

impl CallError {
    /// A tool name that matches no tool, even fuzzily.
    pub fn unknown_tool(name: &str, tools: &[&str]) -> CallError {
        CallError {
            tool: None,
            field: Some("name".into()),
            expected: tools.join(", "),
            received: CallError::render(&Value::String(name.to_string())),
        }
    }

    /// An argument of the wrong type that could not be coerced.
    pub fn field(tool: &str, field: &str, expected: &str, received: &Value) -> CallError {
        CallError {
            tool: Some(tool.into()),
            field: Some(field.into()),
            expected: expected.into(),
            received: CallError::render(received),
        }
    }

    /// A required argument that is absent (or null).
    pub fn missing(tool: &str, field: &str, expected: &str) -> CallError {
        CallError {
            tool: Some(tool.into()),
            field: Some(field.into()),
            expected: format!("{expected} (required)"),
            received: "nothing".into(),
        }
    }

    /// Arguments that are not an object (and not a string that could stand for one).
    pub fn arguments(tool: &str, received: &str) -> CallError {
        CallError {
            tool: Some(tool.into()),
            field: None,
            expected: "arguments as a JSON object".into(),
            received: received.into(),
        }
    }

    /// Text clearly meant as a call that could not be read (often cut off mid-string).
    pub fn unreadable(snippet: &str) -> CallError {
        CallError {
            tool: None,
            field: None,
            expected: "one complete JSON object {\"name\": …, \"arguments\": {…}}".into(),
            received: format!("`{snippet}`"),
        }
    }

    /// The message to send back for the single retry: the error line plus what to do.
    pub fn retry_prompt(&self) -> String {
        format!("Tool call rejected: {self}. Reply with the corrected call only.")
    }

    /// A value as the model wrote it, as compact JSON cut to a readable length.
    pub fn render(v: &Value) -> String {
        let full = v.to_string();
        if full.chars().count() <= MAX_RECEIVED {
            return full;
        }
        let mut cut: String = full.chars().take(MAX_RECEIVED).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lines() {
        assert_eq!(
            CallError::field("edit", "path", "string", &json!(42)).to_string(),
            "edit: field \"path\": expected string, received 42"
        );
        assert_eq!(
            CallError::unknown_tool("reed", &["read", "edit", "done"]).to_string(),
            "unknown tool \"reed\"; tools are: read, edit, done"
        );
        assert_eq!(
            CallError::missing("read", "path", "string").to_string(),
            "read: field \"path\": expected string (required), received nothing"
        );
        assert!(CallError::render(&json!("x".repeat(200))).ends_with('…'));
    }
}
