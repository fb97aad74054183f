//! What one chat turn sends: the candidate pieces ([`Chats::gather`]: the code graph,
//! named context, memory, the outline) fitted into the window ([`Chats::prepare`], with an
//! exact count by llama.cpp near the limit).

use smallcode_core::budget::{BudgetConfig, BudgetReport};
use smallcode_llm::config::Config;
use smallcode_llm::{Endpoint, LlmClient, ServerKind};

use super::{context, memory, refs, turn, Chats, EditorContext};

impl Chats {
    /// Candidate pieces for a turn: the code graph of the root (updated from the unsaved
    /// buffers first), what the message names with `#`, the outline (once per session) and the
    /// memory notes chosen for the message (within their share of `context`). Without a root,
    /// only the editor's own pieces.
    pub(super) async fn gather(
        &self,
        chat: u64,
        text: &str,
        ctx: EditorContext,
        context: usize,
    ) -> Gathered {
        let mut files: Vec<String> = Vec::new();
        if let Some(f) = ctx.selection.as_ref().and_then(|s| s.path.as_ref()) {
            files.push(f.display().to_string());
        }
        let named = refs::parse(text);
        // A file outside any project makes its folder (or the working directory) the root;
        // indexing the home directory or `/` on a chat turn would take minutes, so not there.
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let root = ctx
            .root
            .clone()
            .filter(|r| r.parent().is_some() && Some(r) != home.as_ref());
        // Memory belongs to the chat's project (the editor's root when it has none).
        let memory_root = ctx
            .session
            .as_ref()
            .map(|r| r.project.clone())
            .or_else(|| root.clone());
        let Some(root) = root else {
            let mut pieces = context::gather(None, text, &ctx);
            let (more, notes) = refs::pieces(None, None, &named, &ctx);
            pieces.extend(more);
            if let Some(m) = &memory_root {
                pieces.extend(memory::select(&memory::notes(m), text, context));
            }
            return Gathered {
                pieces,
                outline: None,
                files,
                notes,
            };
        };
        let outline = {
            let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            sessions
                .get(&chat)
                .and_then(|s| s.outline.clone())
                .filter(|(r, _)| *r == root)
        };
        let graph = self.turn_graph(chat, &root).await;
        let text = text.to_string();
        let need_outline = outline.is_none();
        let r = root.clone();
        let joined = tokio::task::spawn_blocking(move || {
            if let Some(g) = &graph {
                context::update_graph(g, &ctx.buffers);
            }
            let mut pieces = context::gather(graph.as_ref(), &text, &ctx);
            let (more, notes) = refs::pieces(graph.as_ref(), Some(&r), &named, &ctx);
            pieces.extend(more);
            if let Some(m) = &memory_root {
                pieces.extend(memory::select(&memory::notes(m), &text, context));
            }
            let outline = need_outline.then(|| context::outline(&r));
            (pieces, outline, notes)
        })
        .await;
        let (pieces, fresh, notes) = match joined {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("[chat] gathering context failed: {e}");
                (Vec::new(), None, Vec::new())
            }
        };
        let outline = match (outline, fresh) {
            (Some((_, o)), _) => o,
            (None, Some(o)) => {
                let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
                sessions.entry(chat).or_default().outline = Some((root, o.clone()));
                o
            }
            (None, None) => None,
        };
        for p in &pieces {
            if let Some(path) = &p.path {
                if !files.contains(path) {
                    files.push(path.clone());
                }
            }
        }
        files.truncate(8);
        Gathered {
            pieces,
            outline,
            files,
            notes,
        }
    }

    /// Fits the turn into the window; records the split for `/budget`.
    pub(super) fn prepare(
        &self,
        chat: u64,
        config: &Config,
        endpoint: &Endpoint,
        text: &str,
        g: &Gathered,
    ) -> Result<turn::Prepared, String> {
        let (turns, working) = {
            let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            sessions
                .get(&chat)
                .map(|s| (s.turns.clone(), s.working.clone()))
                .unwrap_or_default()
        };
        let plan = turn::TurnPlan {
            system: &config.system_prompt,
            outline: g.outline.as_deref(),
            task: text,
            pieces: g.pieces.clone(),
            turns: &turns,
            working: &working,
        };
        let prepared = {
            let mut asm = self.assembler.lock().unwrap_or_else(|e| e.into_inner());
            turn::prepare(
                &mut asm,
                endpoint.context as usize,
                plan,
                turn::Layout::Stable,
                config.max_tokens,
            )
            .map_err(|e| format!("the prompt does not fit the model's window: {e}"))?
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.entry(chat).or_default().last_budget = Some(prepared.report.clone());
        Ok(prepared)
    }

    /// llama.cpp only: when the prompt comes close to its limit, count it with the server's
    /// own tokenizer, fold the count into the calibration, and re-plan once if it is over.
    pub(super) async fn check_exact(
        &self,
        chat: u64,
        config: &Config,
        endpoint: &Endpoint,
        text: &str,
        g: &Gathered,
        prepared: turn::Prepared,
    ) -> turn::Prepared {
        if endpoint.kind != ServerKind::LlamaCpp {
            return prepared;
        }
        let r = &prepared.report;
        let limit = r.context.saturating_sub(r.reply_reserve);
        let near = {
            let a = self.assembler.lock().unwrap_or_else(|e| e.into_inner());
            a.calibration()
                .near_limit(r.prompt, limit, a.config().exact_check_fraction)
        };
        if !near {
            return prepared;
        }
        let flat: String = prepared
            .messages
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let key = config.api_key().ok().flatten();
        let client = LlmClient::new(endpoint.clone(), config.timeouts, key);
        let Ok(real) = client.tokenize(&flat).await else {
            return prepared;
        };
        // Chat-template markers: a few tokens per message.
        let real = real + 5 * prepared.messages.len();
        if let Ok(mut a) = self.assembler.lock() {
            a.calibration_mut().observe(prepared.estimate, real);
        }
        if real <= limit {
            return prepared;
        }
        tracing::info!("[budget] exact count {real} over {limit}: re-planning");
        self.prepare(chat, config, endpoint, text, g)
            .unwrap_or(prepared)
    }
}

/// What [`Chats::gather`] found for a turn.
pub(super) struct Gathered {
    /// Candidate pieces besides the task.
    pub pieces: Vec<smallcode_core::budget::Piece>,
    /// The project outline (computed once per session).
    pub outline: Option<String>,
    /// Files the turn shows (for the history record).
    pub files: Vec<String>,
    /// One line per `#` name that gave nothing (shown in the chat).
    pub notes: Vec<String>,
}

/// Ollama's `num_ctx`: prompt + reply reserve, rounded up (a change reloads the model), capped
/// at the trained maximum (else at the probed context). Other servers ignore it.
pub(super) fn num_ctx(endpoint: &Endpoint, r: &BudgetReport) -> u64 {
    let cap = endpoint.trained_context.unwrap_or(endpoint.context) as usize;
    let step = BudgetConfig::default().num_ctx_step;
    smallcode_core::budget::ollama_num_ctx(r.prompt, r.reply_reserve, cap.max(1), step) as u64
}
