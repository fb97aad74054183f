//! Plain streamed chat: one conversation per chat id, one turn in flight per chat.
//!
//! A turn resolves the endpoint (once, then cached), gathers context ([`context`]: selection,
//! named symbols and graph-ranked code from the code graph, what the message names with `#`
//! ([`refs`]), memory notes ([`memory`])), fits it and the history into the probed window
//! ([`turn`], through [`smallcode_core::budget::Assembler`]), and forwards the streamed reply
//! to the [`EventSink`], stopping a reply that repeats itself ([`loop_guard`]). Slash commands
//! ([`commands`]) are answered here and never reach the model. Every turn owns a
//! [`CancellationToken`]; `stop` or a new message cancels it, which drops the HTTP request.
//! Failures end as one `Error` event and leave the history as it was before the turn, so the
//! next message works. Chats that name a stored chat are saved turn by turn ([`persist`],
//! [`store`]); fix runs join their chat's history as a compact turn.

pub mod commands;
pub mod context;
pub mod event;
mod gather;
pub mod indexing;
pub mod learn;
pub mod loop_guard;
pub mod memory;
pub mod persist;
pub mod refs;
pub mod review;
pub mod sink;
pub mod store;
pub mod turn;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

pub use event::{ChatEvent, ErrorItem, Event};
pub use sink::{ChangeSet, Editor, EventSink, FileEdit, VecSink};

pub use context::{EditorContext, SessionRef};
pub use indexing::{DefaultGraphs, GraphSource};
use smallcode_agent::report::Report;
use smallcode_core::budget::{BudgetConfig, BudgetReport, Turn};
use smallcode_llm::config::Config;
use smallcode_llm::{
    discover, ChatRequest, Endpoint, LlmClient, LlmError, ServerKind, StreamEvent,
};

/// Shared state of all chats in this process.
pub struct Chats {
    config: std::sync::RwLock<Config>,
    endpoint: Mutex<Option<Endpoint>>,
    sessions: std::sync::Mutex<HashMap<u64, Session>>,
    sink: Arc<dyn EventSink>,
    editor: Option<Arc<dyn Editor>>,
    /// One assembler for the process: its calibration belongs to the model in use.
    assembler: std::sync::Mutex<smallcode_core::budget::Assembler>,
    graphs: std::sync::RwLock<Arc<dyn GraphSource>>,
    /// Index runs started by turns, by project root ([`indexing`]).
    index_runs: indexing::Runs,
}

#[derive(Default)]
struct Session {
    turns: Vec<Turn>,
    /// The code pieces in the prompt after the last turn, in prompt order (see [`turn`]).
    working: Vec<smallcode_core::budget::Piece>,
    /// The outline of the session's project, computed once so it stays byte-identical.
    outline: Option<(std::path::PathBuf, Option<String>)>,
    last_budget: Option<BudgetReport>,
    last_agent: Option<Report>,
    stats: commands::SessionStats,
    turn: Option<(u64, CancellationToken)>,
    next_turn: u64,
    /// The stored chat this session is saved to ([`persist`]).
    stored: Option<persist::Bound>,
    /// The stored turn being written.
    in_flight: Option<persist::InFlight>,
    /// The note the last fix run proposed, waiting for `/memory accept` ([`learn`]).
    proposal: Option<learn::Proposal>,
}

impl Chats {
    /// Creates the chat state; events go to `sink`.
    pub fn new(config: Config, sink: Arc<dyn EventSink>) -> Arc<Chats> {
        Chats::with_editor(config, sink, None)
    }

    /// Like [`Chats::new`], with an editor that agent turns apply verified edits through.
    pub fn with_editor(
        config: Config,
        sink: Arc<dyn EventSink>,
        editor: Option<Arc<dyn Editor>>,
    ) -> Arc<Chats> {
        register_env_key(&config);
        Arc::new(Chats {
            config: std::sync::RwLock::new(config),
            endpoint: Mutex::new(None),
            sessions: std::sync::Mutex::new(HashMap::new()),
            sink,
            editor,
            assembler: std::sync::Mutex::new(smallcode_core::budget::Assembler::new(
                BudgetConfig::default(),
            )),
            graphs: std::sync::RwLock::new(Arc::new(DefaultGraphs::default())),
            index_runs: Default::default(),
        })
    }

    /// Replaces where code graphs come from (the RPC layer shares its own graphs).
    pub fn set_graph_source(&self, source: Arc<dyn GraphSource>) {
        if let Ok(mut g) = self.graphs.write() {
            *g = source;
        }
    }

    /// Replaces the configuration; the next turn re-resolves the endpoint.
    pub async fn set_config(&self, config: Config) {
        register_env_key(&config);
        if let Ok(mut c) = self.config.write() {
            *c = config;
        }
        *self.endpoint.lock().await = None;
        // Another server or model may count tokens differently: start the calibration over.
        if let Ok(mut a) = self.assembler.lock() {
            *a = smallcode_core::budget::Assembler::new(BudgetConfig::default());
        }
    }

    /// A copy of the current configuration.
    pub fn config(&self) -> Config {
        self.config.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// The resolved endpoint, probing the server when not cached yet.
    pub async fn endpoint(&self) -> Result<Endpoint, LlmError> {
        let mut guard = self.endpoint.lock().await;
        if let Some(ep) = guard.as_ref() {
            return Ok(ep.clone());
        }
        let ep = discover::resolve(&self.config()).await?;
        tracing::info!("[llm] {}", ep.info_text());
        *guard = Some(ep.clone());
        Ok(ep)
    }

    fn emit(&self, chat: u64, event: Event) {
        self.sink.send(ChatEvent { chat, event });
    }

    /// Shows `text` as an error in `chat` without touching a turn in flight there: for a
    /// message that could not be read, so never started one.
    pub fn error(&self, chat: u64, text: String) {
        self.emit(chat, Event::Error { text });
    }

    /// Starts a turn in `chat` with the user's `text`, cancelling a turn still in flight there.
    /// Returns at once; the turn runs as its own task.
    pub fn send(self: &Arc<Self>, chat: u64, text: String) -> tokio::task::JoinHandle<()> {
        self.send_with(chat, text, EditorContext::default())
    }

    /// Like [`Chats::send`], with what the editor shows (root, current file, cursor, selection,
    /// unsaved buffers). A slash command (`/budget`…) is answered at once, without touching a
    /// turn in flight, and never reaches the model.
    pub fn send_with(
        self: &Arc<Self>,
        chat: u64,
        text: String,
        ctx: EditorContext,
    ) -> tokio::task::JoinHandle<()> {
        if let Some(cmd) = commands::parse(&text) {
            let this = Arc::clone(self);
            return tokio::spawn(async move { this.command(chat, cmd, ctx).await });
        }
        let this = Arc::clone(self);
        self.spawn_turn(chat, async move { this.run_turn(chat, text, ctx).await })
    }

    /// Answers a slash command in `chat`.
    async fn command(&self, chat: u64, cmd: commands::Command, ctx: EditorContext) {
        // The chat's own project (where its memory is), else the editor's.
        let project = ctx
            .session
            .as_ref()
            .map(|r| r.project.clone())
            .or_else(|| ctx.root.clone());
        if matches!(cmd, commands::Command::Budget | commands::Command::Stats) {
            // A fresh process answers for the chat it was restarted under.
            self.bind(chat, ctx.session.as_ref()).await;
        }
        let text = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            let s = sessions.entry(chat).or_default();
            match cmd {
                commands::Command::Budget => commands::render_budget(s.last_budget.as_ref()),
                commands::Command::Stats => commands::render_stats(s.last_agent.as_ref(), &s.stats),
                commands::Command::Clear => {
                    let n = s.turns.len();
                    s.turns.clear();
                    s.working.clear();
                    // The stored chat stays (listed by :SmallCode resume); the next message
                    // names a new one.
                    s.stored = None;
                    format!("History cleared ({n} turns); the next message starts a new chat.\n")
                }
                commands::Command::Memory(commands::MemoryAction::Accept) => {
                    match s.proposal.take() {
                        Some(p) => match memory::add(&p.root, &p.text) {
                            Ok(m) | Err(m) => format!("{m}\n"),
                        },
                        None => "Nothing to accept: a note is proposed after a fix run that taught something durable.\n".into(),
                    }
                }
                commands::Command::Memory(commands::MemoryAction::Dismiss) => {
                    match s.proposal.take() {
                        Some(p) => format!("Dropped (it will not be proposed again): {}\n", p.text),
                        None => "Nothing to dismiss.\n".into(),
                    }
                }
                commands::Command::Memory(action) => match &project {
                    Some(root) => commands::run_memory(root, &action),
                    None => "No project to remember things for: open a file first.\n".into(),
                },
                commands::Command::Editor(name) => format!(
                    "/{name} is run by the editor: use it from the chat's input (or :SmallCode {name}).\n"
                ),
                commands::Command::Help => commands::render_help(),
                commands::Command::Unknown(name) => {
                    format!("Unknown command /{name}.\n{}", commands::render_help())
                }
            }
        };
        self.emit(chat, Event::Start);
        self.emit(
            chat,
            Event::Delta {
                text: format!("```\n{}```\n", text),
            },
        );
        self.emit(
            chat,
            Event::Done {
                prompt_tokens: None,
                completion_tokens: None,
                elapsed_ms: 0,
            },
        );
    }

    /// The split of `chat`'s last turn, if it had one (what `/budget` shows).
    pub fn last_budget(&self, chat: u64) -> Option<BudgetReport> {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.get(&chat).and_then(|s| s.last_budget.clone())
    }

    /// Starts an agent turn in `chat`: the harness works on `root` (live `buffers` win over
    /// files), and a change set that passes its checks goes to the editor (review, or buffer
    /// changes at once when the user chose so and it is verified). Cancels a turn still in
    /// flight there.
    pub fn agent(
        self: &Arc<Self>,
        chat: u64,
        request: AgentRequest,
    ) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        self.spawn_turn(chat, async move { this.run_agent(chat, request).await })
    }

    fn spawn_turn(
        self: &Arc<Self>,
        chat: u64,
        turn: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let token = CancellationToken::new();
        let turn_id = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            let s = sessions.entry(chat).or_default();
            if let Some((_, old)) = s.turn.take() {
                old.cancel();
                persist::cut_in_flight(s, "stopped by a new message");
            }
            s.next_turn += 1;
            s.turn = Some((s.next_turn, token.clone()));
            s.next_turn
        };
        let this = Arc::clone(self);
        tokio::spawn(async move {
            tokio::select! {
                _ = token.cancelled() => this.emit(chat, Event::Cancelled),
                _ = turn => {}
            }
            this.finish_turn(chat, turn_id);
        })
    }

    /// The endpoint (announced in the chat) and the API key for a turn or agent run; `None`
    /// after the error is shown in the chat.
    async fn connect(&self, chat: u64, config: &Config) -> Option<(Endpoint, Option<String>)> {
        let endpoint = self.announce_endpoint(chat).await?;
        match config.api_key() {
            Ok(k) => {
                // Whatever its variable's name: it is redacted from the log and saved chats.
                if let Some(k) = &k {
                    smallcode_core::secrets::register(k);
                }
                Some((endpoint, k))
            }
            Err(e) => {
                self.emit(chat, Event::Error { text: e });
                None
            }
        }
    }

    async fn run_agent(&self, chat: u64, req: AgentRequest) {
        let started = Instant::now();
        let config = self.config();
        self.bind(chat, req.session.as_ref()).await;
        let Some((endpoint, api_key)) = self.connect(chat, &config).await else {
            return;
        };
        let client = LlmClient::new(endpoint, config.timeouts, api_key);
        self.emit(chat, Event::Start);
        // A crash mid-run leaves the request in the chat, marked cut.
        let begun = self.begin_stored(chat, store::TurnKind::Fix, &persist::fix_request(&req.text));
        self.started_stored(begun).await;
        let steps = ChatSteps {
            chat,
            sink: Arc::clone(&self.sink),
            checks: Default::default(),
            all: Default::default(),
        };
        let escalation = config.escalation.as_ref().and_then(|e| {
            smallcode_agent::escalate::Escalator::from_config(e, &config.timeouts)
                .map_err(|err| {
                    self.emit(
                        chat,
                        Event::Info {
                            text: err.to_string(),
                        },
                    )
                })
                .ok()
        });
        let cfg = smallcode_agent::AgentConfig {
            apply_to_disk: false,
            errors: req.errors.clone(),
            escalation,
            buffers: req
                .buffers
                .iter()
                .map(|b| (b.path.clone(), b.text.clone()))
                .collect(),
            confine: req.range.clone(),
            trusted: req.trusted,
            repair_templates: req.repair_templates,
            // The chat's persisted graph (redb), brought up to date as for a chat turn.
            graph: self.turn_graph(chat, &req.root).await,
            ..Default::default()
        };
        if let Some((path, l1, l2)) = &req.range {
            tracing::info!("[agent] confined to {}:{l1}-{l2}", path.display());
        }
        let never = CancellationToken::new(); // the turn's own token cancels this whole future
        let report = match req.edit_format {
            smallcode_agent::EditFormat::Tools => {
                // The user's tools: a bad declaration is said in the chat and left out.
                let mut user_tools = Vec::new();
                for (name, description, params) in &req.user_tools {
                    match smallcode_agent::tools::user::spec(name, description, params) {
                        Ok(spec) => user_tools.push(spec),
                        Err(e) => self.emit(chat, Event::Info { text: e }),
                    }
                }
                let opts = smallcode_agent::tool_loop::ToolOptions {
                    asker: self.editor.as_ref().and_then(|e| e.asker()),
                    live: self.editor.as_ref().and_then(|e| e.live_buffers()),
                    user_caller: self.editor.as_ref().and_then(|e| e.user_tools()),
                    user_tools,
                    ..Default::default()
                };
                let root = req.root.clone();
                smallcode_agent::tool_loop::run(
                    root, &req.text, &client, &cfg, &opts, &steps, &never,
                )
                .await
            }
            smallcode_agent::EditFormat::Whole => {
                smallcode_agent::run(req.root.clone(), &req.text, &client, &cfg, &steps, &never)
                    .await
            }
        };
        {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            let s = sessions.entry(chat).or_default();
            s.stats.add_agent(&report);
            s.last_agent = Some(report.clone());
        }
        let mut landed: Vec<String> = Vec::new();
        let failed = if !report.passed {
            Some(format!("the agent did not finish: {}", report.outcome))
        } else {
            let change = change_set(chat, &req, &report, steps.last_checks());
            match &self.editor {
                Some(editor) => match editor.land(change).await {
                    Ok(lines) => {
                        for l in &lines {
                            self.emit(chat, Event::Info { text: l.clone() });
                        }
                        landed = lines;
                        None
                    }
                    Err(e) => Some(format!("handing the change to the editor failed: {e}")),
                },
                None => Some("no editor to show the change in".to_string()),
            }
        };
        // The run joins the chat's history (compacted), so the next message can build on it.
        let turn = persist::fix_turn(
            &req,
            &report,
            &landed,
            failed.as_deref(),
            &steps.last_checks(),
            &steps.all(),
        );
        {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            sessions.entry(chat).or_default().turns.push(turn.clone());
        }
        self.finish_stored(chat, |t| {
            t.assistant = turn.assistant.clone();
            t.files = turn.files.clone();
            t.notes = landed.clone();
            t.state = store::TurnState::Done;
        })
        .await;
        if let Some(text) = failed {
            self.emit(chat, Event::Error { text });
            return;
        }
        self.propose_memory(chat, &req, &report, &steps.last_checks());
        self.emit(
            chat,
            Event::Done {
                prompt_tokens: Some(report.tokens_in),
                completion_tokens: Some(report.tokens_out),
                elapsed_ms: started.elapsed().as_millis() as u64,
            },
        );
    }

    /// Shows the note a passing run taught, if any ([`learn`]), and keeps it for `/memory
    /// accept`; it is recorded as proposed first, so it never comes back.
    fn propose_memory(&self, chat: u64, req: &AgentRequest, report: &Report, checks: &[String]) {
        // The chat's project holds its memory (as for `/memory add`), else the run's root.
        let root = req
            .session
            .as_ref()
            .map(|s| s.project.clone())
            .unwrap_or_else(|| req.root.clone());
        let notes = memory::notes(&root);
        let proposed = learn::proposed(&root);
        let Some(text) = learn::lesson(req.trusted, report, checks, &notes, &proposed) else {
            return;
        };
        if let Err(e) = learn::record(&root, &text) {
            tracing::warn!("[memory] {e}");
            return;
        }
        let p = learn::Proposal { root, text };
        self.emit(
            chat,
            Event::Info {
                text: learn::prompt_text(&p),
            },
        );
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.entry(chat).or_default().proposal = Some(p);
    }

    /// Cancels the turn in flight in `chat`, if any. Returns whether there was one.
    pub fn stop(&self, chat: u64) -> bool {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let Some(s) = sessions.get_mut(&chat) else {
            return false;
        };
        match s.turn.take() {
            Some((_, token)) => {
                token.cancel();
                persist::cut_in_flight(s, "stopped");
                true
            }
            None => false,
        }
    }

    fn finish_turn(&self, chat: u64, turn_id: u64) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = sessions.get_mut(&chat) {
            if s.turn.as_ref().is_some_and(|(id, _)| *id == turn_id) {
                s.turn = None;
            }
        }
    }

    fn record(
        &self,
        chat: u64,
        turn: Turn,
        working: Vec<smallcode_core::budget::Piece>,
        done: &smallcode_llm::Completion,
    ) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let s = sessions.entry(chat).or_default();
        s.turns.push(turn);
        s.working = working;
        s.stats.add_chat(done);
    }

    /// The endpoint for a turn; the first time, tells the chat which server and model were
    /// picked. `None` after emitting the error line.
    async fn announce_endpoint(&self, chat: u64) -> Option<Endpoint> {
        let cached = self.endpoint.lock().await.is_some();
        match self.endpoint().await {
            Ok(ep) => {
                if !cached {
                    self.emit(
                        chat,
                        Event::Status {
                            text: ep.status_text(),
                        },
                    );
                    self.emit(
                        chat,
                        Event::Info {
                            text: ep.info_text(),
                        },
                    );
                }
                Some(ep)
            }
            Err(e) => {
                tracing::warn!("[chat] endpoint: {e}");
                self.emit(
                    chat,
                    Event::Error {
                        text: e.to_string(),
                    },
                );
                None
            }
        }
    }

    async fn run_turn(&self, chat: u64, text: String, ctx: EditorContext) {
        let started = Instant::now();
        let config = self.config();
        self.bind(chat, ctx.session.as_ref()).await;
        let Some((endpoint, api_key)) = self.connect(chat, &config).await else {
            return;
        };
        // The message goes to disk while the context is gathered.
        let begun = self.begin_stored(chat, store::TurnKind::Chat, &text);
        let gathered = self
            .gather(chat, &text, ctx, endpoint.context as usize)
            .await;
        for note in &gathered.notes {
            self.emit(chat, Event::Info { text: note.clone() });
        }
        let prepared = match self.prepare(chat, &config, &endpoint, &text, &gathered) {
            Ok(p) => p,
            Err(e) => {
                self.cut_stored(chat, &e).await;
                self.emit(chat, Event::Error { text: e });
                return;
            }
        };
        let prepared = self
            .check_exact(chat, &config, &endpoint, &text, &gathered, prepared)
            .await;
        let req = ChatRequest {
            messages: prepared.messages.clone(),
            max_tokens: prepared.max_tokens,
            temperature: config.temperature,
            num_ctx: Some(gather::num_ctx(&endpoint, &prepared.report)),
            ..Default::default()
        };
        let kind = endpoint.kind;
        let client = LlmClient::new(endpoint, config.timeouts, api_key);
        self.set_in_flight_context(chat, &prepared.context);
        self.started_stored(begun).await;
        let partial = self.partial(chat);
        self.emit(chat, Event::Start);
        let sink = &self.sink;
        // A reply that starts writing again what it wrote is stopped (one copy kept).
        let mut guard = loop_guard::LoopGuard::new();
        let looped = tokio::sync::Notify::new();
        let mut on_event = |ev: &StreamEvent| {
            let StreamEvent::Content(t) = ev else { return };
            if guard.cut().is_some() {
                return;
            }
            sink.send(ChatEvent {
                chat,
                event: Event::Delta { text: t.clone() },
            });
            if let Some(p) = &partial {
                if let Ok(mut p) = p.lock() {
                    if p.len() < persist::MAX_PARTIAL {
                        p.push_str(t);
                    }
                }
            }
            if guard.feed(t).is_some() {
                looped.notify_one();
            }
        };
        let result = tokio::select! {
            r = client.chat(&req, &mut on_event) => r.map(Some),
            // Dropping the request future drops the HTTP request: the server stops generating.
            _ = looped.notified() => Ok(None),
        };
        let result = match result {
            Ok(Some(mut done)) => {
                if guard.cut().is_none() {
                    guard.finish();
                }
                if guard.cut().is_some() {
                    done.content = guard.kept().to_string();
                }
                Ok(done)
            }
            Ok(None) => Ok(smallcode_llm::Completion {
                content: guard.kept().to_string(),
                ..Default::default()
            }),
            Err(e) => Err(e),
        };
        let mut notes: Vec<String> = Vec::new();
        if let Some(cut) = guard.cut() {
            let tail = &guard.text()[cut.keep..];
            tracing::info!(
                "[chat] reply repeated itself: stopped, kept {} bytes, dropped {}",
                cut.keep,
                tail.len()
            );
            self.emit(
                chat,
                Event::Retract {
                    text: tail.to_string(),
                },
            );
            let note = "stopped: the reply started repeating itself (one copy kept)".to_string();
            self.emit(chat, Event::Info { text: note.clone() });
            notes.push(note);
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            sessions.entry(chat).or_default().stats.loops_stopped += 1;
        }
        match result {
            Ok(done) => {
                if let Some(real) = done.usage.prompt_tokens {
                    if let Ok(mut a) = self.assembler.lock() {
                        let c = a.calibration_mut();
                        if kind == ServerKind::Ollama {
                            c.observe_ollama(prepared.estimate, real as usize);
                        } else {
                            c.observe(prepared.estimate, real as usize);
                        }
                    }
                }
                let turn = Turn {
                    user: text,
                    context: prepared.context.clone(),
                    assistant: done.content.clone(),
                    files: gathered.files.clone(),
                    errors: Vec::new(),
                };
                self.record(chat, turn.clone(), prepared.working.clone(), &done);
                self.finish_stored(chat, move |t| {
                    t.state = store::TurnState::Done;
                    t.assistant = turn.assistant;
                    t.files = turn.files;
                    t.notes = notes;
                })
                .await;
                self.emit(
                    chat,
                    Event::Done {
                        prompt_tokens: done.usage.prompt_tokens,
                        completion_tokens: done.usage.completion_tokens,
                        elapsed_ms: started.elapsed().as_millis() as u64,
                    },
                );
            }
            Err(e) => {
                tracing::warn!("[chat] turn failed: {e}");
                if matches!(e, LlmError::Connect { .. }) {
                    // The server may have moved or restarted: re-discover next time.
                    *self.endpoint.lock().await = None;
                }
                self.cut_stored(chat, &e.to_string()).await;
                self.emit(
                    chat,
                    Event::Error {
                        text: e.to_string(),
                    },
                );
            }
        }
    }
}

/// Registers the LLM keys named by `api_key_env` (and the escalation's) for redaction as soon
/// as the configuration is known: a variable's name need not say it holds a key, and a message
/// that holds one is logged when it arrives, before any turn reads the key. (`api_key_cmd` runs a command, possibly a
/// password manager's prompt: its key is registered when a turn first reads it.)
fn register_env_key(config: &Config) {
    let escalation = config
        .escalation
        .as_ref()
        .and_then(|e| e.api_key_env.as_ref());
    for var in config.api_key_env.iter().chain(escalation) {
        if let Ok(k) = std::env::var(var) {
            smallcode_core::secrets::register(&k);
        }
    }
}

/// What `:SmallCode fix` sends: the request, the project root and the live buffers.
#[derive(Debug, Clone, Default)]
pub struct AgentRequest {
    /// The user's request (with the selection quoted, when there was one).
    pub text: String,
    /// Project root the agent is confined to.
    pub root: std::path::PathBuf,
    /// Loaded buffers whose text wins over the files on disk.
    pub buffers: Vec<LiveBuffer>,
    /// Errors the editor already shows (quickfix entries, ERROR diagnostics), fed to the agent.
    pub errors: Vec<smallcode_agent::check::Diagnostic>,
    /// `whole` (the small-model harness) or `tools` (the compound tool surface).
    pub edit_format: smallcode_agent::EditFormat,
    /// The user trusts the project: its own code may run in the checks.
    pub trusted: bool,
    /// Repair templates and error-message repairs once the rounds are spent
    /// (`config.fix.repair_templates`).
    pub repair_templates: bool,
    /// The user's own tools: (name, description, parameters), for the `tools` format.
    pub user_tools: Vec<(String, String, Vec<smallcode_agent::tools::user::UserParam>)>,
    /// `:'<,'>SmallCode fix`'s file and lines (1-based, inclusive): the edit is confined to the
    /// definitions they touch (`AgentConfig::confine`).
    pub range: Option<(std::path::PathBuf, u32, u32)>,
    /// The stored chat the run belongs to: it joins that chat's history.
    pub session: Option<SessionRef>,
}

/// One editor buffer's current text.
#[derive(Debug, Clone)]
pub struct LiveBuffer {
    /// Absolute file path.
    pub path: std::path::PathBuf,
    /// Text as in the buffer (unsaved changes included).
    pub text: String,
    /// `b:changedtick` when read (sent back with the change; the guard is the base text).
    pub tick: Option<i64>,
}

/// The change set of a passing run: each staged file with the text the agent read (its base)
/// and what the checks prove. The base comes from the report; a run that did not record one
/// (the `tools` format) falls back to the buffer text sent with the request, then to the file
/// on disk, which is what the agent read when no buffer was sent.
fn change_set(chat: u64, req: &AgentRequest, report: &Report, checks: Vec<String>) -> ChangeSet {
    let sent = |path: &std::path::Path| {
        req.buffers
            .iter()
            .find(|b| b.path == path || b.path.canonicalize().ok().as_deref() == Some(path))
    };
    let files = report
        .staged
        .iter()
        .map(|(path, text)| {
            let base = report
                .base
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, t)| t.clone())
                .or_else(|| sent(path).map(|b| b.text.clone()))
                .or_else(|| std::fs::read_to_string(path).ok())
                .unwrap_or_default();
            FileEdit {
                path: path.display().to_string(),
                text: text.clone(),
                base,
                tick: report
                    .buffer_ticks
                    .iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, t)| *t)
                    .or_else(|| sent(path).and_then(|b| b.tick)),
            }
        })
        .collect();
    ChangeSet {
        chat,
        root: req.root.display().to_string(),
        verification: report.verification.as_str().to_string(),
        note: report.verification_note.clone(),
        skipped: report.skipped.clone(),
        checks,
        files,
    }
}

/// Shows agent steps in the chat as info lines, and keeps the last round's check lines for the
/// change set's review.
struct ChatSteps {
    chat: u64,
    sink: Arc<dyn EventSink>,
    /// Check summaries of the current round, and whether a non-check step came after them (the
    /// next check line then starts a new round).
    checks: std::sync::Mutex<(Vec<String>, bool)>,
    /// Every step line, in order (the fix run's record keeps the last few).
    all: std::sync::Mutex<Vec<String>>,
}

impl ChatSteps {
    /// The check summaries of the last round (`py_compile: ok`, `tests: ok`).
    fn last_checks(&self) -> Vec<String> {
        self.checks.lock().map(|c| c.0.clone()).unwrap_or_default()
    }

    /// Every step line so far.
    fn all(&self) -> Vec<String> {
        self.all.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl smallcode_agent::sink::Steps for ChatSteps {
    fn step(&self, text: &str) {
        if let Ok(mut c) = self.checks.lock() {
            match text.strip_prefix("check ") {
                Some(line) => {
                    if c.1 {
                        *c = (Vec::new(), false);
                    }
                    c.0.push(line.to_string());
                }
                None => c.1 = true,
            }
        }
        if let Ok(mut a) = self.all.lock() {
            a.push(text.to_string());
        }
        self.sink.send(ChatEvent {
            chat: self.chat,
            event: Event::Info {
                text: text.to_string(),
            },
        });
    }
    fn model_text(&self, _: &str) {}
    fn errors(&self, root: &std::path::Path, errors: &[smallcode_agent::check::Diagnostic]) {
        self.sink.send(ChatEvent {
            chat: self.chat,
            event: Event::Errors {
                root: root.display().to_string(),
                items: errors.iter().map(event::ErrorItem::from).collect(),
            },
        });
    }
}
