//! The one error line a model gets back when its call cannot be used, and the JSON refusal it is
//! often made from.
//!
//! The line names the tool, the field, what was expected and what was received, because a small
//! model can fix one named thing on a retry but not a vague "invalid call". A [`RepairError`]
//! carries the same for JSON that the repair refused: the place, and what a reading needed there.

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

    /// JSON the repair refused ([`RepairError`]): what a reading needed and where, then the text
    /// found there, e.g. `read: expected "," or "]" after the string "b" (JSON line 1, column
    /// 19), received `note], "next": ["c"]}``.
    pub fn json(tool: Option<&str>, e: &RepairError) -> CallError {
        let expected = match e.line {
            0 => e.expected.clone(),
            line => format!("{} (JSON line {line}, column {})", e.expected, e.column),
        };
        CallError {
            tool: tool.map(Into::into),
            field: None,
            expected,
            received: e.found.clone(),
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

/// Why the JSON repair refused a text: where, what a reading needed there, and what was written.
/// `Display` gives one sentence (`line 1, column 19: expected …, found …`);
/// [`CallError::json`] turns it into the line the model gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairError {
    pub(super) kind: RepairErrorKind,
    /// Byte offset into the text given to the parser.
    pub(super) offset: usize,
    /// 1-based line and column (in characters) from the start of the JSON value; 0 when the
    /// refusal has no place (a call too long to read).
    pub(super) line: usize,
    pub(super) column: usize,
    /// What a reading needed at that point, in words.
    pub(super) expected: String,
    /// What was written there: a backquoted snippet, or words such as "the end of the text".
    pub(super) found: String,
}

/// The classes of refusal, each with its own wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RepairErrorKind {
    /// No `{` or `[` to start from.
    NoValue,
    /// The text ends before the value does: inside a string, a number, after a key or `:`.
    Truncated,
    /// Something no reading allows at that point.
    Unexpected,
    /// A quote inside a string that neither ends it nor pairs with another one.
    Quote,
    /// The value closed, but the text goes on with more of the same document.
    ClosedEarly,
    /// A closing bracket too many, and which one is extra changes the meaning.
    ExtraClose,
    /// Nested deeper than the parser accepts.
    TooDeep,
    /// Longer than the window a call is read from.
    TooLong,
}

impl RepairError {
    /// The class of refusal.
    pub fn kind(&self) -> RepairErrorKind {
        self.kind
    }

    /// Byte offset into the text given to the parser where reading stopped.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// A call longer than `max` bytes; `len` is its length when known.
    pub(crate) fn too_long(len: Option<usize>, max: usize) -> RepairError {
        RepairError {
            kind: RepairErrorKind::TooLong,
            offset: max,
            line: 0,
            column: 0,
            expected: format!("a call of at most {max} bytes"),
            found: match len {
                Some(n) => format!("{n} bytes"),
                None => format!("one that does not end within {max} bytes"),
            },
        }
    }
}

impl fmt::Display for RepairError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}: ", self.line, self.column)?;
        }
        write!(f, "expected {}, found {}", self.expected, self.found)
    }
}

impl std::error::Error for RepairError {}

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
