//! The compound tool surface for models that can call tools (issue #5): at most six tools, flat
//! short schemas, each doing in one call what would otherwise take a chain of calls a small
//! model loses track of.
//!
//! - [`find_read`]: a symbol name, a description or a path → graph lookup + the code, budgeted;
//! - [`edit`]: locate (by symbol, or search text through the matcher chain) → stage → check, with
//!   the checker's verdict in the same result; refuses stale or never-read text;
//! - [`create`]: a new file, staged and checked the same way;
//! - [`run`]: a shell command in the shadow tree, deny-by-default ([`super::permission`]);
//! - `done(summary)`: handled by the loop ([`super::tool_loop`]), which lands the change set.
//!
//! Invariants: every path goes through [`Workspace::resolve`] (confined to the project root);
//! every write is staged — the user's files change only when the loop lands a change set whose
//! checks pass.

pub mod create;
pub mod edit;
pub mod find_read;
pub mod run;
pub mod user;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::check::{self, CheckCmd, CheckResult};
use super::permission::Gate;
use super::workspace::Workspace;
use smallcode_core::toolcall::{Param, ParamKind, ToolSpec};

/// Names of the tools, as the model calls them.
pub const FIND_READ: &str = "find_read";
/// See [`FIND_READ`].
pub const EDIT: &str = "edit";
/// See [`FIND_READ`].
pub const CREATE: &str = "create";
/// See [`FIND_READ`].
pub const RUN: &str = "run";
/// See [`FIND_READ`].
pub const DONE: &str = "done";

fn p(name: &'static str, required: bool, description: &'static str) -> Param {
    Param {
        name,
        kind: ParamKind::String,
        required,
        description,
    }
}

/// The tools the model sees. `envelope` = constrained-action mode: the code-carrying arguments
/// (`replace`, `content`) are left out, because the code comes afterwards as plain text (small
/// models write far worse code inside JSON than in a fenced block).
pub fn specs(envelope: bool) -> Vec<ToolSpec> {
    let mut edit = vec![
        p("path", true, ""),
        p("symbol", false, "function to replace whole"),
    ];
    if !envelope {
        edit.push(p("search", false, "exact lines to change"));
        edit.push(p("replace", true, "new code"));
    }
    let mut create = vec![p("path", true, "")];
    if !envelope {
        create.push(p("content", true, ""));
    }
    vec![
        ToolSpec {
            name: FIND_READ,
            description: "Find code by symbol name, description or file path, and read it.",
            // In the envelope every tool shares one argument list, and small models fill in
            // `path`/`symbol` for a read: take those too rather than reject the call.
            params: if envelope {
                vec![
                    p("query", false, ""),
                    p("path", false, ""),
                    p("symbol", false, ""),
                ]
            } else {
                vec![p("query", true, "")]
            },
        },
        ToolSpec {
            name: EDIT,
            description: "Change a file; checks run at once.",
            params: edit,
        },
        ToolSpec {
            name: CREATE,
            description: "Create a file.",
            params: create,
        },
        ToolSpec {
            name: RUN,
            description: "Run a shell command.",
            params: vec![p("command", true, "")],
        },
        ToolSpec {
            name: DONE,
            description: "Finish.",
            // Optional: a missing summary is no reason to reject the end of a task.
            params: vec![p("summary", false, "")],
        },
    ]
}

/// Longest argument the constrained envelope lets the model write (paths, names, commands).
pub const ENVELOPE_ARG_CHARS: u64 = 200;

/// The JSON schema of one constrained action: `{"action": <tool>, "args": {…}}`.
///
/// Keys are `action`/`args` (both read by [`smallcode_core::toolcall`]) because serde_json writes object
/// keys in sorted order and llama.cpp's grammar follows the schema's key order: the tool must
/// be chosen before its arguments. `args` lists every short argument of every tool as an optional
/// bounded string with no other keys allowed, so a grammar cannot wander off into nested junk
/// (SmolLM2-135M does, under a bare `{"type": "object"}`); which ones a tool requires is checked
/// afterwards by the validator, whose errors are ours and precise.
pub fn envelope_schema(specs: &[ToolSpec]) -> serde_json::Value {
    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    let mut props = serde_json::Map::new();
    for p in specs.iter().flat_map(|s| &s.params) {
        props.insert(
            p.name.to_string(),
            serde_json::json!({"type": "string", "maxLength": ENVELOPE_ARG_CHARS}),
        );
    }
    serde_json::json!({
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": names},
            "args": {"type": "object", "properties": props, "additionalProperties": false},
        },
        "required": ["action", "args"],
        "additionalProperties": false,
    })
}

/// The editor's live view of a file: `(b:changedtick, text)` of its loaded buffer, if any.
/// Lets the read-before-write guard see edits the user makes while the agent runs.
#[async_trait::async_trait]
pub trait LiveBuffers: Send + Sync {
    /// The buffer of `path` (absolute), or `None` when it is not loaded.
    async fn snapshot(&self, path: &Path) -> Option<(i64, String)>;
}

/// What one tool call produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    /// The text the model reads back.
    pub text: String,
    /// One line for the chat / transcript.
    pub step: String,
    /// The call staged a change.
    pub staged: bool,
}

impl ToolResult {
    fn new(text: impl Into<String>, step: impl Into<String>) -> ToolResult {
        ToolResult {
            text: text.into(),
            step: step.into(),
            staged: false,
        }
    }

    fn error(tool: &str, why: impl std::fmt::Display) -> ToolResult {
        let why = why.to_string();
        ToolResult::new(
            format!("error: {why}"),
            format!("{tool}: {}", why.lines().next().unwrap_or("")),
        )
    }
}

/// What the model saw of a file when it last read it: the read-before-write guard compares this
/// with the file now.
#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    /// The real file's modification time (moves when the user or another tool writes it).
    mtime: Option<SystemTime>,
    /// Hash of the text the model was shown (staged text included).
    hash: u64,
    /// The buffer's `b:changedtick` then, when the file is loaded in the editor.
    tick: Option<i64>,
}

/// Why an edit must not go ahead on what the model last saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// The text is what the model read (or wrote) last.
    Fresh,
    /// The model never read this file.
    NeverRead,
    /// The file changed since the model read it.
    Stale,
}

/// The tools' shared state for one task: the workspace (with its staged change set), the code
/// graph (opened on first search), what the model has read, and the command gate.
pub struct Toolbox {
    /// Project root, shadow tree and staged changes.
    pub ws: Workspace,
    /// Command permissions.
    pub gate: Gate,
    /// The project's test command, run after a staged change's syntax checks pass.
    pub tests: Option<CheckCmd>,
    /// Limit per checker / command run.
    pub check_timeout: Duration,
    /// Tokens a read may return.
    pub read_budget: usize,
    /// The editor's buffers, when there is an editor.
    pub live: Option<std::sync::Arc<dyn LiveBuffers>>,
    /// The run's behavioural checks (tests, the request's command and examples) with the
    /// coverage tracer; when set they replace [`Toolbox::tests`].
    pub oracle: Option<std::sync::Arc<crate::oracle::Oracle>>,
    graph: Option<smallcode_core::graph::Graph>,
    /// The editor's graph is borrowed ([`Toolbox::with_graph`]): what each overlaid path held
    /// before (its open buffer's text, or none), put back when the toolbox is dropped.
    borrowed: Option<HashMap<PathBuf, Option<String>>>,
    reads: HashMap<PathBuf, Stamp>,
    ticks: HashMap<PathBuf, i64>,
    /// The failing checks' diagnostics of the last [`Toolbox::check`], until taken.
    errors: Option<Vec<check::Diagnostic>>,
    /// The results of the last [`Toolbox::check`] (for narrowing: the same error twice).
    last: Vec<CheckResult>,
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Toolbox {
    /// A toolbox over `ws`. The checker commands of the project's files and the test command
    /// are added to the gate's free list: running them is the harness's own business.
    pub fn new(ws: Workspace, mut gate: Gate, tests: Option<CheckCmd>, timeout: Duration) -> Self {
        for rel in ws.files(500) {
            for c in check::checkers_for(ws.root(), &rel) {
                gate.free.push(c.command);
            }
        }
        if let Some(t) = &tests {
            gate.free.push(t.command.clone());
        }
        Toolbox {
            ws,
            gate,
            tests,
            check_timeout: timeout,
            read_budget: 1500,
            live: None,
            oracle: None,
            graph: None,
            borrowed: None,
            reads: HashMap::new(),
            ticks: HashMap::new(),
            errors: None,
            last: Vec::new(),
        }
    }

    /// The failing checks' diagnostics of the last check run since the last call (empty when
    /// they passed), for the editor's quickfix list; `None` when no check ran since.
    pub fn take_errors(&mut self) -> Option<Vec<check::Diagnostic>> {
        self.errors.take()
    }

    /// What the last check run said (empty before the first).
    pub fn last_results(&self) -> &[CheckResult] {
        &self.last
    }

    /// Pulls the editor's current buffer of `path` (if loaded) into the workspace, so reads
    /// and the guard see what the user sees now.
    pub async fn refresh(&mut self, path: &Path) {
        let Some(live) = self.live.clone() else {
            return;
        };
        if let Some((tick, text)) = live.snapshot(path).await {
            if self.ticks.get(path) != Some(&tick) {
                if self.graph.is_some() && !self.ws.staged().contains_key(path) {
                    self.overlay(path, &text);
                }
                if let Err(e) = self.ws.set_buffer(path, text) {
                    tracing::warn!("[tools] buffer refresh of {}: {e}", path.display());
                }
                self.ticks.insert(path.to_path_buf(), tick);
            }
        }
    }

    /// Searches the editor's own code graph (persisted, kept up to date with the buffers)
    /// instead of indexing the project in memory. The buffers and staged texts of this run are
    /// overlaid on it as open buffers and taken off again when the toolbox is dropped (a
    /// rejected change must not stay in the editor's graph).
    pub fn with_graph(mut self, graph: smallcode_core::graph::Graph) -> Self {
        self.graph = Some(graph);
        self.borrowed = Some(HashMap::new());
        self.overlay_workspace();
        self
    }

    /// Overlays every buffer and staged text of the workspace on the graph.
    fn overlay_workspace(&mut self) {
        let overlays: Vec<(PathBuf, String)> = self
            .ws
            .overlays()
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
        for (p, t) in overlays {
            self.overlay(&p, &t);
        }
    }

    /// Puts `text` into the graph as `path`'s open buffer (remembering, on a borrowed graph,
    /// what was there first).
    fn overlay(&mut self, path: &Path, text: &str) {
        let Some(g) = &self.graph else {
            return;
        };
        if let Some(borrowed) = &mut self.borrowed {
            borrowed
                .entry(path.to_path_buf())
                .or_insert_with(|| g.open_buffer(path));
        }
        if let Err(e) = g.update_buffer(path, text) {
            tracing::debug!("[tools] graph overlay {}: {e}", path.display());
        }
    }

    /// The code graph if a search already opened it (never indexes: for cheap hints).
    fn graph_if_open(&self) -> Option<&smallcode_core::graph::Graph> {
        self.graph.as_ref()
    }

    /// The `b:changedtick` of each buffer as last read, for the landing guard.
    pub fn ticks(&self) -> Vec<(PathBuf, i64)> {
        self.ticks.iter().map(|(p, t)| (p.clone(), *t)).collect()
    }

    /// Records that the model has now seen `path` as it currently is.
    pub fn mark_read(&mut self, path: &Path) {
        let text = self.ws.read(path).unwrap_or_default();
        self.reads.insert(
            path.to_path_buf(),
            Stamp {
                mtime: mtime(path),
                hash: hash(&text),
                tick: self.ticks.get(path).copied(),
            },
        );
    }

    /// Whether the model's last view of `path` is still what the file holds.
    pub fn freshness(&self, path: &Path) -> Freshness {
        let Some(seen) = self.reads.get(path) else {
            return Freshness::NeverRead;
        };
        let now = self.ws.read(path).unwrap_or_default();
        let tick = self.ticks.get(path).copied();
        if seen.mtime != mtime(path) || seen.hash != hash(&now) || seen.tick != tick {
            Freshness::Stale
        } else {
            Freshness::Fresh
        }
    }

    /// Stages `text` for `path`, keeps the graph in step, notes that the model knows the new
    /// text, and runs the checks. Returns the tool result (`staged …; checks pass` / errors).
    async fn stage_and_check(&mut self, path: &Path, old: &str, text: String) -> ToolResult {
        let rel = self.ws.rel(path);
        if let Err(e) = self.ws.stage(path, text.clone()) {
            return ToolResult::error(EDIT, e);
        }
        self.overlay(path, &text);
        self.mark_read(path);
        let diff = smallcode_core::edit::diff::summary_with(old, &text, Path::new(&rel), 0);
        let diff = diff.lines().next().unwrap_or("").to_string();
        let results = self.check(std::slice::from_ref(&rel)).await;
        let verdict = verdict(&results);
        ToolResult {
            text: format!("staged {rel}; {verdict}"),
            step: format!("staged {diff}; {}", verdict.lines().next().unwrap_or("")),
            staged: true,
        }
    }

    /// Syntax checkers for `files`, then (when they pass) the test command, in the shadow tree.
    /// Their errors are kept for [`Toolbox::take_errors`].
    pub async fn check(&mut self, files: &[String]) -> Vec<CheckResult> {
        let out = self.run_checks(files).await;
        self.errors = Some(
            out.iter()
                .filter(|r| !r.ok)
                .flat_map(|r| r.diagnostics.iter().cloned())
                .collect(),
        );
        self.last = out.clone();
        out
    }

    async fn run_checks(&mut self, files: &[String]) -> Vec<CheckResult> {
        let dir = match self.ws.shadow_root() {
            Ok(d) => d,
            Err(e) => {
                return vec![CheckResult {
                    cmd: CheckCmd {
                        name: "shadow".into(),
                        command: String::new(),
                    },
                    ok: false,
                    diagnostics: Vec::new(),
                    output: e.to_string(),
                }]
            }
        };
        let mut out = Vec::new();
        for rel in files {
            for cmd in check::checkers_for(self.ws.root(), rel) {
                let r = check::run(&dir, &cmd, self.check_timeout).await;
                let failed = !r.ok;
                out.push(r);
                if failed {
                    return out;
                }
            }
        }
        match &self.oracle {
            Some(o) => {
                o.reset();
                let env = o.env(&dir);
                for cmd in &o.behavioural {
                    out.push(check::run_env(&dir, cmd, self.check_timeout, &env).await);
                }
                out.extend(crate::stubs::remaining(&self.ws, &o.placeholders));
            }
            None => {
                if let Some(t) = &self.tests {
                    out.push(check::run(&dir, t, self.check_timeout).await);
                }
            }
        }
        out
    }

    /// Whether any check exercises behaviour (so a baseline run is worth showing).
    pub fn has_behavioural(&self) -> bool {
        self.oracle
            .as_ref()
            .map_or(self.tests.is_some(), |o| !o.behavioural.is_empty())
    }
}

/// `checks pass`, or the failing checker's summary plus its reduced output.
pub fn verdict(results: &[CheckResult]) -> String {
    match results.iter().find(|r| !r.ok) {
        None if results.is_empty() => "no checker for this file".into(),
        None => "checks pass".into(),
        Some(r) => {
            let out = r.output.trim();
            if out.is_empty() {
                r.summary()
            } else {
                format!("{}\n{out}", r.summary())
            }
        }
    }
}

/// The text of `path` as the model should see it: fenced, with the path on top, reduced to the
/// read budget when long.
pub fn show_file(rel: &str, text: &str, budget: usize) -> String {
    use smallcode_core::budget::reduce::{reduce, ReduceConfig};
    use smallcode_core::budget::tokens::{count_tokens, Calibration};
    let body = if count_tokens(text) > budget {
        reduce(
            text,
            budget,
            &ReduceConfig::default(),
            &Calibration::default(),
        )
        .text
    } else {
        text.to_string()
    };
    let fence = super::context::fence_for(rel);
    format!("{rel}:\n```{fence}\n{}\n```", body.trim_end_matches('\n'))
}

impl Drop for Toolbox {
    /// A borrowed graph gets back what its overlaid paths held before this run.
    fn drop(&mut self) {
        let (Some(g), Some(borrowed)) = (&self.graph, self.borrowed.take()) else {
            return;
        };
        for (path, before) in borrowed {
            let r = match before {
                Some(text) => g.update_buffer(&path, &text).map(|_| ()),
                None => g.close_buffer(&path),
            };
            if let Err(e) = r {
                tracing::debug!(
                    "[tools] graph overlay of {} not taken off: {e}",
                    path.display()
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_six_flat_tools() {
        for envelope in [false, true] {
            let s = specs(envelope);
            assert!(s.len() <= 6);
            for t in &s {
                let v = t.openai_schema().to_string();
                assert!(!v.contains("anyOf") && !v.contains("null"), "{v}");
            }
        }
        let e = specs(true);
        assert!(e
            .iter()
            .all(|t| t.param("replace").is_none() && t.param("content").is_none()));
    }

    /// The prompt cost of the tool surface (doc/agent.md states it; the estimator is the
    /// project's shared one, the doc also gives the SmolLM2 tokenizer's count).
    #[test]
    fn tool_schemas_stay_small() {
        use smallcode_core::budget::tokens::count_tokens;
        let native: Vec<_> = specs(false).iter().map(ToolSpec::openai_schema).collect();
        let native = serde_json::Value::Array(native).to_string();
        let envelope = envelope_schema(&specs(true)).to_string();
        if std::env::var_os("SMALLCODE_PRINT_SCHEMAS").is_some() {
            println!("NATIVE {native}");
            println!("ENVELOPE {envelope}");
            println!("SYSTEM {}", crate::tool_loop::system_text(&specs(true)));
        }
        assert!(count_tokens(&native) < 400, "{}", count_tokens(&native));
        assert!(count_tokens(&envelope) < 150, "{}", count_tokens(&envelope));
    }
}
