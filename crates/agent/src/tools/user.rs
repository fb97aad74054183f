//! The user's own tools (plugins): declared in `setup({ tools = … })`, shown to the model in the
//! `tools` format next to the built-in ones, and run by the editor (a Lua function, or a shell
//! command the user consented to) when the model calls them.
//!
//! The agent only knows their specs and a [`UserToolCaller`]; a call's error (a Lua error, a
//! timeout, a command that failed or was declined) goes back to the model as the tool's result,
//! never ends the run.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use smallcode_core::toolcall::{Param, ParamKind, ToolSpec};

/// How long one user tool call may take before its result is "error: timed out".
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Someone who runs user tools: the Neovim editor (through RPC to Lua).
#[async_trait::async_trait]
pub trait UserToolCaller: Send + Sync {
    /// Runs tool `name` with the model's `args`; `Err` carries the error text for the model.
    async fn call(&self, name: &str, args: &serde_json::Value) -> Result<String, String>;
}

/// One parameter of a user tool as declared in Lua.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserParam {
    /// The argument's key.
    pub name: String,
    /// `string`, `integer`, `boolean` or `string[]`.
    pub kind: String,
    /// A call without it is refused (the model is told which is missing).
    pub required: bool,
    /// A few words for the model.
    pub description: String,
}

/// Tool specs hold `'static` strings (the built-in tools are constants); a user tool's strings
/// are interned once per distinct text, so repeated runs do not grow memory.
fn intern(s: &str) -> &'static str {
    static SEEN: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut guard = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let set = guard.get_or_insert_with(HashSet::new);
    if let Some(found) = set.get(s) {
        return found;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// The spec the model sees for a user tool; `Err` names what is wrong with the declaration.
pub fn spec(name: &str, description: &str, params: &[UserParam]) -> Result<ToolSpec, String> {
    let ident = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    if !ident(name) {
        return Err(format!(
            "user tool {name:?}: a name is letters, digits and _ (not first a digit)"
        ));
    }
    let mut out = Vec::new();
    for p in params {
        if !ident(&p.name) {
            return Err(format!(
                "user tool {name}: parameter {:?} is not a name",
                p.name
            ));
        }
        let kind = match p.kind.as_str() {
            "string" => ParamKind::String,
            "integer" | "number" => ParamKind::Integer,
            "boolean" => ParamKind::Boolean,
            "string[]" | "array" => ParamKind::StringList,
            other => {
                return Err(format!(
                    "user tool {name}: parameter {} has type {other:?}; use string, integer, boolean or string[]",
                    p.name
                ))
            }
        };
        out.push(Param {
            name: intern(&p.name),
            kind,
            required: p.required,
            description: intern(&p.description),
        });
    }
    Ok(ToolSpec {
        name: intern(name),
        description: intern(description),
        params: out,
    })
}

/// The model's result line of a user tool call.
pub fn result_text(name: &str, r: Result<String, String>) -> String {
    match r {
        Ok(text) => text,
        Err(e) => format!("error: {name} failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_become_specs_and_bad_ones_name_the_problem() {
        let p = |n: &str, k: &str| UserParam {
            name: n.into(),
            kind: k.into(),
            required: true,
            description: String::new(),
        };
        let s = spec("lookup_ticket", "Fetch a ticket", &[p("id", "integer")]).unwrap();
        assert_eq!(
            (s.name, s.params[0].kind),
            ("lookup_ticket", ParamKind::Integer)
        );
        assert!(spec("bad name", "", &[]).unwrap_err().contains("letters"));
        assert!(spec("t", "", &[p("x", "float")])
            .unwrap_err()
            .contains("use string"));
        assert!(
            std::ptr::eq(intern("same text"), intern("same text")),
            "interned once"
        );
    }
}
