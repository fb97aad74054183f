//! Tolerant tool calls: getting a usable call out of whatever a small model wrote.
//!
//! Data flow: native `tool_calls` win when the server returned any. Otherwise `<think>` blocks are
//! split off and the visible text is searched ([`extract`]: markers, then fences, then bare JSON),
//! the JSON is repaired ([`repair`]), its shape read ([`shape`]), and every call is checked and
//! coerced against its [`ToolSpec`] ([`validate`]). The result is an [`Outcome`]: calls to run,
//! plain text, or one [`CallError`] line to send back for a single retry.
//!
//! Every repair is counted in [`RepairStats`] (shown by `/stats`). Pure: no I/O, and no input may
//! make it panic (fuzz-tested).

mod error;
mod extract;
mod fuzzy;
mod repair;
mod shape;
mod spec;
mod validate;
mod xml;

#[cfg(test)]
mod cases;
#[cfg(test)]
mod fuzz;

pub use error::{CallError, RepairError, RepairErrorKind};
pub use repair::repair_json;
pub use spec::{Param, ParamKind, ToolSpec};

use extract::{Body, NamedArgs};
use serde_json::{Map, Value};
use shape::RawCall;
use std::fmt;

/// Where a call was found, for stats and for tuning prompts per model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The server's `tool_calls` field.
    Native,
    /// A Markdown code fence holding JSON.
    FencedJson,
    /// A JSON object in the text with no wrapper.
    BareJson,
    /// Hermes/Qwen `<tool_call>{…}</tool_call>`.
    ToolCallTag,
    /// `<tool_use>…</tool_use>` with JSON or XML elements inside.
    ToolUseTag,
    /// Qwen-coder `<function=name><parameter=key>…`, or Llama `<function=name>{…}`.
    FunctionXml,
    /// LM Studio `[TOOL_REQUEST]{…}[END_TOOL_REQUEST]`.
    ToolRequest,
}

/// One validated call, ready to run: the name is a declared tool and every argument has the
/// declared kind, with required ones present.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The tool's declared name (after fuzzy matching).
    pub name: String,
    /// Arguments, keyed by declared parameter names, values of the declared kinds.
    pub args: Map<String, Value>,
    /// The format the model wrote it in.
    pub source: Source,
}

impl Call {
    /// A string argument, if present.
    pub fn str_arg(&self, key: &str) -> Option<&str> {
        self.args.get(key).and_then(Value::as_str)
    }

    /// An integer argument, if present.
    pub fn int_arg(&self, key: &str) -> Option<i64> {
        self.args.get(key).and_then(Value::as_i64)
    }

    /// A boolean argument, if present.
    pub fn bool_arg(&self, key: &str) -> Option<bool> {
        self.args.get(key).and_then(Value::as_bool)
    }

    /// A string-list argument, if present.
    pub fn list_arg(&self, key: &str) -> Option<Vec<&str>> {
        self.args
            .get(key)?
            .as_array()?
            .iter()
            .map(Value::as_str)
            .collect()
    }
}

/// Counts of how calls were obtained and what had to be fixed, summed over a session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairStats {
    /// Calls taken from the server's native `tool_calls`.
    pub native: u32,
    /// Calls extracted from reply text.
    pub from_text: u32,
    /// Syntax or shape repairs: broken JSON, stringified nested JSON, a fuzzy tool name.
    pub json_repaired: u32,
    /// Argument fixes: a value converted to its declared kind, a key renamed, an unknown key dropped.
    pub coerced: u32,
    /// Replies rejected with a [`CallError`].
    pub failed: u32,
}

impl RepairStats {
    /// Adds `other` into `self` (per-turn counts into the session's).
    pub fn add(&mut self, other: &RepairStats) {
        self.native += other.native;
        self.from_text += other.from_text;
        self.json_repaired += other.json_repaired;
        self.coerced += other.coerced;
        self.failed += other.failed;
    }
}

impl fmt::Display for RepairStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tool calls: {} native, {} from text; {} JSON repairs, {} coercions, {} rejected",
            self.native, self.from_text, self.json_repaired, self.coerced, self.failed
        )
    }
}

/// What a reply amounts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// One or more valid calls, in the order written (exact duplicates removed). Never empty.
    Calls(Vec<Call>),
    /// Plain text: no call was found or attempted.
    None,
    /// A call was attempted but cannot be used; send the error line back and retry once.
    Invalid(CallError),
}

/// Reads the tool calls in one model reply.
///
/// `native` holds the server's tool calls as (name, raw argument text); when non-empty they are
/// used and the text is ignored. Otherwise calls are extracted from `content` with `<think>`
/// blocks removed; `reasoning` (and the removed think text) is searched only when the visible
/// content is empty, for servers that file the whole reply under reasoning. Counts go into
/// `stats`: on [`Outcome::Invalid`] only `failed` moves.
pub fn parse(
    content: &str,
    reasoning: &str,
    native: &[(String, String)],
    specs: &[ToolSpec],
    stats: &mut RepairStats,
) -> Outcome {
    let mut local = RepairStats::default();
    let outcome = if native.is_empty() {
        from_text(content, reasoning, specs, &mut local)
    } else {
        from_native(native, specs, &mut local)
    };
    match &outcome {
        Outcome::Calls(calls) => {
            stats.add(&local);
            tracing::debug!("[toolcall] {} call(s), {local:?}", calls.len());
        }
        Outcome::Invalid(e) => {
            stats.failed += 1;
            tracing::debug!("[toolcall] rejected: {e}");
        }
        Outcome::None => {}
    }
    outcome
}

/// Calls from the server's `tool_calls`. Raw arguments go through the same [`repair`] as text,
/// within the same window ([`repair::MAX_CALL_BYTES`]): longer arguments are refused unread.
fn from_native(native: &[(String, String)], specs: &[ToolSpec], st: &mut RepairStats) -> Outcome {
    let mut calls = Vec::new();
    for (name, raw) in native {
        let read = if raw.trim().is_empty() {
            Ok((Value::Object(Map::new()), false))
        } else if raw.len() > repair::MAX_CALL_BYTES {
            Err(RepairError::too_long(
                Some(raw.len()),
                repair::MAX_CALL_BYTES,
            ))
        } else {
            repair_json(raw)
        };
        let args = match read {
            Ok((v, repaired)) => {
                st.json_repaired += u32::from(repaired);
                v
            }
            Err(why) => {
                let tool = validate::resolve_tool(name, specs, st)
                    .map(|s| s.name)
                    .unwrap_or(name);
                return Outcome::Invalid(CallError::json(Some(tool), &why));
            }
        };
        let raw = RawCall {
            name: name.clone(),
            args,
            source: Source::Native,
            textual: false,
            flat: false,
        };
        match validate::validate(raw, specs, st) {
            Ok(call) => calls.push(call),
            Err(e) => return Outcome::Invalid(e),
        }
    }
    st.native += calls.len() as u32;
    finish(calls)
}

fn from_text(content: &str, reasoning: &str, specs: &[ToolSpec], st: &mut RepairStats) -> Outcome {
    let (visible, thought) = extract::strip_think(content);
    let outcome = text_calls(&visible, specs, st);
    if outcome == Outcome::None && visible.trim().is_empty() {
        return text_calls(&format!("{thought}\n{reasoning}"), specs, st);
    }
    outcome
}

/// Extracts and validates every call in `text`. The first unusable call makes the whole reply
/// [`Outcome::Invalid`], except unreadable fences or bare JSON, which count only when nothing
/// else was found (a plain answer may quote broken JSON).
fn text_calls(text: &str, specs: &[ToolSpec], st: &mut RepairStats) -> Outcome {
    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut calls = Vec::new();
    let mut weak_error = None;
    for found in extract::find(text, &names) {
        let weak = matches!(found.source, Source::FencedJson | Source::BareJson);
        let (raws, repaired) = match found.body {
            Body::Broken(broken) if weak => {
                weak_error.get_or_insert(broken.error(None));
                continue;
            }
            Body::Broken(broken) => return Outcome::Invalid(broken.error(None)),
            Body::Json(v, repaired) => {
                let raws = shape::calls(&v, found.source, &names);
                if raws.is_empty() && !weak {
                    return Outcome::Invalid(CallError::unreadable(&CallError::render(&v)));
                }
                (raws, repaired)
            }
            Body::Named { name, args } => {
                let (args, textual, repaired) = match args {
                    NamedArgs::Fields(m) => (Value::Object(m), true, false),
                    NamedArgs::Json(v, repaired) => (v, false, repaired),
                    NamedArgs::Broken(broken) => {
                        let tool = validate::resolve_tool(&name, specs, st)
                            .map(|s| s.name)
                            .unwrap_or(&name);
                        return Outcome::Invalid(broken.error(Some(tool)));
                    }
                };
                (
                    vec![RawCall {
                        name,
                        args,
                        source: found.source,
                        textual,
                        flat: false,
                    }],
                    repaired,
                )
            }
        };
        let before = calls.len();
        for raw in raws {
            if weak && raw.flat && fuzzy::resolve(&raw.name, &names) == fuzzy::Match::None {
                continue; // `{"name": "my-crate", "version": …}` is data, not a call
            }
            match validate::validate(raw, specs, st) {
                Ok(call) => calls.push(call),
                Err(e) => return Outcome::Invalid(e),
            }
        }
        if repaired && calls.len() > before {
            st.json_repaired += 1;
        }
    }
    if calls.is_empty() {
        return weak_error.map_or(Outcome::None, Outcome::Invalid);
    }
    st.from_text += calls.len() as u32;
    finish(calls)
}

/// Drops exact repeats (small models loop) and maps an empty list to [`Outcome::None`].
fn finish(calls: Vec<Call>) -> Outcome {
    let mut out: Vec<Call> = Vec::with_capacity(calls.len());
    for call in calls {
        if !out
            .iter()
            .any(|c| c.name == call.name && c.args == call.args)
        {
            out.push(call);
        }
    }
    if out.is_empty() {
        Outcome::None
    } else {
        Outcome::Calls(out)
    }
}
