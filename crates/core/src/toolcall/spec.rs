//! Tool declarations as data: what the model may call and how each argument is typed.
//!
//! Schemas are deliberately flat (four scalar kinds, no `anyOf`, no `null` unions): small models
//! and the grammar compilers behind constrained decoding both handle flat objects far better, and
//! every extra schema token is prompt budget a 4k-context model does not have.

use serde_json::{json, Map, Value};

/// The type of one tool argument. Flat on purpose: see the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A JSON string (paths, code, patterns).
    String,
    /// A JSON integer (line numbers, counts).
    Integer,
    /// A JSON boolean (flags).
    Boolean,
    /// An array of strings (several paths, several symbols).
    StringList,
}

impl ParamKind {
    /// The JSON-schema fragment for this kind.
    fn schema(self) -> Value {
        match self {
            ParamKind::String => json!({"type": "string"}),
            ParamKind::Integer => json!({"type": "integer"}),
            ParamKind::Boolean => json!({"type": "boolean"}),
            ParamKind::StringList => json!({"type": "array", "items": {"type": "string"}}),
        }
    }

    /// How the kind is named in an error line the model reads back (plain words, not schema).
    pub fn expected(self) -> &'static str {
        match self {
            ParamKind::String => "string",
            ParamKind::Integer => "integer",
            ParamKind::Boolean => "boolean",
            ParamKind::StringList => "list of strings",
        }
    }
}

/// One named argument of a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The key the model must use (also what a fuzzy key is matched against).
    pub name: &'static str,
    /// Its type; values of another type are coerced when the conversion is lossless.
    pub kind: ParamKind,
    /// Whether a call without it is rejected (with an error naming it) instead of run.
    pub required: bool,
    /// A few words for the model; keep short, it is paid for in every prompt.
    pub description: &'static str,
}

/// A tool the model may call: flat schema only (no anyOf, no null unions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolSpec {
    /// The name the model calls it by; unique within one tool set.
    pub name: &'static str,
    /// One short sentence for the model.
    pub description: &'static str,
    /// Its arguments, in the order they are shown to the model.
    pub params: Vec<Param>,
}

impl ToolSpec {
    /// The OpenAI `tools[]` entry for servers with native tool calling:
    /// `{"type":"function","function":{name,description,parameters}}`.
    pub fn openai_schema(&self) -> Value {
        json!({
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters_schema(),
            }
        })
    }

    /// The `{type: object, properties, required}` schema of this tool's arguments.
    pub fn parameters_schema(&self) -> Value {
        let mut props = Map::new();
        for p in &self.params {
            let mut s = p.kind.schema();
            if !p.description.is_empty() {
                s["description"] = Value::from(p.description);
            }
            props.insert(p.name.to_string(), s);
        }
        let required: Vec<&str> = self
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name)
            .collect();
        json!({"type": "object", "properties": props, "required": required})
    }

    /// A JSON schema for one `{"name": <tool>, "arguments": {…}}` object, for constrained decoding
    /// (llama.cpp `json_schema`, Ollama `format`) on models without native tool calling. Only the
    /// name is enumerated; the arguments are checked by [`super::parse`] afterwards, which keeps the
    /// grammar small and the error messages ours.
    pub fn json_schema_envelope(specs: &[ToolSpec]) -> Value {
        let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "enum": names},
                "arguments": {"type": "object"},
            },
            "required": ["name", "arguments"],
        })
    }

    /// The parameter called `name`, if any.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read() -> ToolSpec {
        ToolSpec {
            name: "read",
            description: "Read a file.",
            params: vec![
                Param {
                    name: "path",
                    kind: ParamKind::String,
                    required: true,
                    description: "file",
                },
                Param {
                    name: "start",
                    kind: ParamKind::Integer,
                    required: false,
                    description: "",
                },
                Param {
                    name: "paths",
                    kind: ParamKind::StringList,
                    required: false,
                    description: "",
                },
            ],
        }
    }

    #[test]
    fn openai_schema_has_flat_parameters() {
        let v = read().openai_schema();
        assert_eq!(v["type"], "function");
        assert_eq!(v["function"]["name"], "read");
        let params = &v["function"]["parameters"];
        assert_eq!(params["required"], json!(["path"]));
        assert_eq!(
            params["properties"]["path"],
            json!({"type": "string", "description": "file"})
        );
        assert_eq!(params["properties"]["start"], json!({"type": "integer"}));
        assert_eq!(
            params["properties"]["paths"]["items"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn envelope_enumerates_names() {
        let v = ToolSpec::json_schema_envelope(&[read()]);
        assert_eq!(v["properties"]["name"]["enum"], json!(["read"]));
        assert_eq!(v["required"], json!(["name", "arguments"]));
    }
}
