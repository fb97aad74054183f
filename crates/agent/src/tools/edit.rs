//! `edit(path, symbol?, search?, replace)`: locate → stage → verify in one call.
//!
//! Locating: with `symbol`, `replace` is a whole definition mapped onto the file's same-named one
//! by tree-sitter ([`smallcode_core::edit::unit`]); with `search`, the matcher chain finds the old lines
//! ([`smallcode_core::edit::matcher`]) and two or more places are refused with the candidates. The
//! read-before-write guard comes first: a file the model never read, or one that changed since,
//! is refused and its fresh text returned (which counts as a read).

use std::path::Path;

use super::{show_file, Freshness, ToolResult, Toolbox, EDIT};
use crate::error::AgentError;
use smallcode_core::edit::blocks::{self, Block};
use smallcode_core::edit::unit::{replace_units, UnitOptions};
use smallcode_core::edit::{self as editing, locate, Edit};

impl Toolbox {
    /// Runs `edit`. Exactly one of `symbol` / `search` locates the change (`symbol` wins).
    pub async fn edit(
        &mut self,
        path: &str,
        symbol: Option<&str>,
        search: Option<&str>,
        replace: &str,
    ) -> ToolResult {
        let (abs, old) = match self.fresh_text(path).await {
            Ok(x) => x,
            Err(r) => return r,
        };
        let rel = self.ws.rel(&abs);
        let symbol = symbol.map(str::trim).filter(|s| !s.is_empty());
        let search = search.filter(|s| !s.trim().is_empty());
        let new = match (symbol, search) {
            (Some(name), _) => match by_symbol(&abs, &rel, &old, name, replace) {
                Ok(t) => t,
                Err(e) => return ToolResult::error(EDIT, format!("{e}{}", self.elsewhere(name, &rel))),
            },
            (None, Some(search)) => match locate(&old, search) {
                Ok(m) => {
                    let e = Edit::from_match(&abs, &old, search, &m, replace);
                    match editing::apply(&old, &[e]) {
                        Ok(t) => t,
                        Err(e) => return ToolResult::error(EDIT, e),
                    }
                }
                Err(e) => return ToolResult::error(EDIT, format!("{rel}: {e}")),
            },
            (None, None) => {
                return ToolResult::error(
                    EDIT,
                    "give `symbol` (a function to replace whole) or `search` (the exact lines to change)",
                )
            }
        };
        if new == old {
            return ToolResult::error(EDIT, "no change: the new code equals the current code");
        }
        self.stage_and_check(&abs, &old, new).await
    }

    /// Applies the plain-text code of a constrained-mode follow-up: SEARCH/REPLACE blocks, or
    /// one code block holding the definition `symbol` (or whole definitions when no symbol).
    pub async fn edit_from_text(
        &mut self,
        path: &str,
        symbol: Option<&str>,
        reply: &str,
    ) -> ToolResult {
        let parsed = blocks::parse(reply);
        if let Some(Block::SearchReplace {
            search, replace, ..
        }) = parsed
            .iter()
            .find(|b| matches!(b, Block::SearchReplace { .. }))
        {
            let (search, replace) = (search.clone(), replace.clone());
            return self.edit(path, None, Some(&search), &replace).await;
        }
        let code = parsed.iter().find_map(|b| match b {
            Block::Code { code, .. } => Some(code.clone()),
            _ => None,
        });
        match code {
            Some(code) => {
                let (abs, old) = match self.fresh_text(path).await {
                    Ok(x) => x,
                    Err(r) => return r,
                };
                let rel = self.ws.rel(&abs);
                let name = symbol.map(str::trim).filter(|s| !s.is_empty());
                let new = match by_symbol(&abs, &rel, &old, name.unwrap_or(""), &code) {
                    Ok(t) => t,
                    Err(e) => {
                        let hint = self.elsewhere(name.unwrap_or(""), &rel);
                        return ToolResult::error(EDIT, format!("{e}{hint}"));
                    }
                };
                if new == old {
                    return ToolResult::error(
                        EDIT,
                        "no change: the new code equals the current code",
                    );
                }
                self.stage_and_check(&abs, &old, new).await
            }
            None => ToolResult::error(
                EDIT,
                "no code block found: reply with the new code in one fenced block",
            ),
        }
    }

    /// `; `add` is defined in calc.py:4` when the code graph knows `name` in files other than
    /// `rel` (small models often name the test file that failed instead of the code).
    fn elsewhere(&self, name: &str, rel: &str) -> String {
        let Some(g) = self.graph_if_open() else {
            return String::new();
        };
        let places: Vec<String> = g
            .definitions(name)
            .iter()
            .filter(|d| d.path != rel)
            .take(3)
            .map(|d| format!("{}:{}", d.path, d.line))
            .collect();
        if name.is_empty() || places.is_empty() {
            String::new()
        } else {
            format!("; `{name}` is defined in {}", places.join(", "))
        }
    }

    /// The current text of `path` if the model's view of it is fresh; otherwise the refusal
    /// carrying the fresh text (now counted as read).
    pub async fn fresh_text(
        &mut self,
        path: &str,
    ) -> Result<(std::path::PathBuf, String), ToolResult> {
        let abs = self
            .ws
            .resolve(path)
            .map_err(|e| ToolResult::error(EDIT, e))?;
        if !abs.is_file() && !self.ws.staged().contains_key(&abs) {
            return Err(ToolResult::error(
                EDIT,
                format!("{path} does not exist: use create"),
            ));
        }
        self.refresh(&abs).await;
        let text = self.ws.read(&abs).map_err(|e| ToolResult::error(EDIT, e))?;
        let rel = self.ws.rel(&abs);
        let why = match self.freshness(&abs) {
            Freshness::Fresh => return Ok((abs, text)),
            Freshness::NeverRead => "you have not read",
            Freshness::Stale => "the file changed since you read",
        };
        self.mark_read(&abs);
        Err(ToolResult::new(
            format!(
                "refused: {why} {rel}. Its current text:\n{}\nRedo the edit on this text.",
                show_file(&rel, &text, self.read_budget)
            ),
            format!("edit {rel}: refused ({why} it); fresh text returned"),
        ))
    }
}

/// Replaces the definition(s) in `code` by name. With a `name`, that definition must be among
/// the ones replaced.
fn by_symbol(
    abs: &Path,
    rel: &str,
    old: &str,
    name: &str,
    code: &str,
) -> Result<String, AgentError> {
    let ext = rel.rsplit('.').next().unwrap_or("");
    let out = replace_units(abs, old, ext, code, &UnitOptions::default()).map_err(|error| {
        AgentError::Units {
            rel: rel.to_string(),
            error,
        }
    })?;
    let hit = name.is_empty()
        || out.whole_file
        || out
            .replaced
            .iter()
            .any(|q| q == name || q.rsplit(['.', ':']).next() == Some(name));
    if out.edits.is_empty() || !hit {
        return Err(AgentError::NotReplaced {
            rel: rel.to_string(),
            name: name.to_string(),
            dropped: out
                .dropped
                .iter()
                .map(|d| format!("`{}` ({:?})", d.name, d.reason))
                .collect(),
        });
    }
    Ok(editing::apply(old, &out.edits)?)
}
