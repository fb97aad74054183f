//! Chats that survive: binding a chat to its stored record, writing every turn as it starts and
//! ends, and reading chats back (`:SmallCode resume`, and silently after a process restart).
//!
//! The editor names the stored chat with every message ([`SessionRef`]: an id it chose and the
//! project). A chat whose in-memory session is bound to another id, or to none (a fresh
//! process after a crash), loads that chat's turns and working set first, so the model sees
//! the same history as before without the user doing anything. A chat without a `SessionRef`
//! (headless use, tests) is kept in memory only.
//!
//! Write order per turn: the message with state `in_flight` before the request goes out, the
//! whole turn when it ends (awaited for at most [`SAVE_WAIT`] before the reply is marked done,
//! so a turn the user saw finish is on disk in all but a pathological case), `cut` when it is
//! stopped or fails.

use std::sync::Arc;
use std::time::Duration;

use smallcode_agent::report::Report;
use smallcode_core::budget::Turn;

use super::context::SessionRef;
use super::event::Event;
use super::store::{self, ChatStore, LoadedChat, StoredPiece, StoredTurn, TurnKind, TurnState};
use super::{AgentRequest, Chats};

/// How long the end of a turn waits for its write before the turn is reported done anyway, and
/// the start of a turn for its message's write before the request goes out (the write stays
/// queued and is retried).
pub const SAVE_WAIT: Duration = Duration::from_millis(1500);
/// Most of a reply kept for a `cut` record (bytes).
pub const MAX_PARTIAL: usize = 256 * 1024;

/// The stored chat a session writes to.
#[derive(Debug, Clone)]
pub(super) struct Bound {
    pub store: ChatStore,
    pub id: String,
    pub project: std::path::PathBuf,
    /// Sequence number of the next turn.
    pub next_seq: u32,
}

/// The turn being written: where, and what was stored when it started.
#[derive(Debug, Clone)]
pub(super) struct InFlight {
    pub store: ChatStore,
    pub id: String,
    pub seq: u32,
    pub turn: StoredTurn,
    /// The reply received so far (written with a `cut` turn).
    pub partial: Arc<std::sync::Mutex<String>>,
}

impl Chats {
    /// Binds `chat` to the stored chat `r` unless it is bound to it already, loading its turns
    /// and working set into the session. A chat that cannot be read is reported in the chat
    /// and left unbound (its turns are not saved until it can be read: writing blind could
    /// overwrite turns stored before).
    pub(super) async fn bind(&self, chat: u64, r: Option<&SessionRef>) {
        let Some(r) = r else { return };
        if self.bound_to(chat, r) {
            return;
        }
        match self.load_into(chat, r).await {
            Ok(loaded) => {
                if !loaded.turns.is_empty() {
                    tracing::info!(
                        "[chat] chat {chat}: history of {} restored ({} turns)",
                        r.id,
                        loaded.turns.len()
                    );
                }
            }
            Err(e) => {
                tracing::warn!("[chat] chat {chat}: cannot load {}: {e}", r.id);
                self.emit(
                    chat,
                    Event::Info {
                        text: format!("chat history not loaded ({e}); this turn is not saved"),
                    },
                );
            }
        }
    }

    fn bound_to(&self, chat: u64, r: &SessionRef) -> bool {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .get(&chat)
            .and_then(|s| s.stored.as_ref())
            .is_some_and(|b| b.id == r.id && b.project == r.project)
    }

    /// Reads stored chat `r` and makes it `chat`'s session (history, working set, next turn
    /// number). Returns what was read, for the transcript.
    pub(super) async fn load_into(
        &self,
        chat: u64,
        r: &SessionRef,
    ) -> Result<LoadedChat, store::StoreError> {
        let st = ChatStore::for_project(&r.project);
        let loaded = st.load(&r.id).await?;
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let s = sessions.entry(chat).or_default();
        s.turns = loaded
            .turns
            .iter()
            .filter(|(_, t)| t.state == TurnState::Done)
            .map(|(_, t)| t.to_turn())
            .collect();
        s.working = loaded.working.iter().map(StoredPiece::to_piece).collect();
        s.outline = None;
        s.stored = Some(Bound {
            store: st,
            id: r.id.clone(),
            project: r.project.clone(),
            next_seq: loaded.turns.last().map_or(0, |(seq, _)| seq + 1),
        });
        Ok(loaded)
    }

    /// Writes the start of a turn (its message, `in_flight`) when `chat` is bound; remembers it
    /// so that the end (or a stop) can complete it. Await the returned write (bounded by
    /// [`SAVE_WAIT`]) before the request goes out: then a process killed during the reply has
    /// the message on disk, and loses only the reply.
    pub(super) fn begin_stored(&self, chat: u64, kind: TurnKind, user: &str) -> Option<store::Ack> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let s = sessions.get_mut(&chat)?;
        let Some(b) = s.stored.as_mut() else {
            s.in_flight = None;
            return None;
        };
        let turn = StoredTurn {
            kind,
            state: TurnState::InFlight,
            at: store::now(),
            user: user.to_string(),
            ..StoredTurn::default()
        };
        let seq = b.next_seq;
        b.next_seq += 1;
        let ack = b.store.put_turn(&b.id, seq, turn.clone());
        s.in_flight = Some(InFlight {
            store: b.store.clone(),
            id: b.id.clone(),
            seq,
            turn,
            partial: Arc::default(),
        });
        Some(ack)
    }

    /// The context sent with the turn in flight (known once the prompt is planned), written
    /// with its end so that the turn replays byte for byte.
    pub(super) fn set_in_flight_context(&self, chat: u64, context: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = sessions.get_mut(&chat).and_then(|s| s.in_flight.as_mut()) {
            f.turn.context = context.to_string();
        }
    }

    /// Waits (at most [`SAVE_WAIT`]) for a turn's start to be on disk.
    pub(super) async fn started_stored(&self, begun: Option<store::Ack>) {
        if let Some(ack) = begun {
            if tokio::time::timeout(SAVE_WAIT, ack).await.is_err() {
                tracing::warn!("[chat] saving the message takes long; sending it anyway");
            }
        }
    }

    /// Where a streamed reply keeps its text while in flight (for a `cut` write), if saved.
    pub(super) fn partial(&self, chat: u64) -> Option<Arc<std::sync::Mutex<String>>> {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .get(&chat)
            .and_then(|s| s.in_flight.as_ref())
            .map(|f| Arc::clone(&f.partial))
    }

    /// Completes the turn in flight in `chat` with `done` (its state decides how it is read
    /// back), together with the chat's working set, and waits up to [`SAVE_WAIT`] for the disk.
    pub(super) async fn finish_stored(&self, chat: u64, done: impl FnOnce(&mut StoredTurn)) {
        let (acks, shown) = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            let Some(s) = sessions.get_mut(&chat) else {
                return;
            };
            let Some(mut f) = s.in_flight.take() else {
                return;
            };
            done(&mut f.turn);
            let working: Vec<StoredPiece> = s.working.iter().map(StoredPiece::from).collect();
            let a = f.store.put_turn(&f.id, f.seq, f.turn.clone());
            let b = f.store.put_working(&f.id, working);
            (vec![a, b], f.store.path().display().to_string())
        };
        for ack in acks {
            match tokio::time::timeout(SAVE_WAIT, ack).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => {
                    tracing::warn!("[chat] saving the turn to {shown}: {e}");
                    self.emit(
                        chat,
                        Event::Info {
                            text: format!("not saved yet ({e}); retrying in the background"),
                        },
                    );
                    return;
                }
                Ok(Err(_)) => return,
                Err(_) => {
                    tracing::warn!("[chat] saving the turn to {shown} takes long; queued");
                    return;
                }
            }
        }
    }

    /// Marks the turn in flight in `chat` as cut, with the reply received so far (a stop, an
    /// error, a cancelled run).
    pub(super) async fn cut_stored(&self, chat: u64, note: &str) {
        let note = note.to_string();
        let partial = self
            .partial(chat)
            .and_then(|p| p.lock().map(|s| s.clone()).ok())
            .unwrap_or_default();
        self.finish_stored(chat, move |t| {
            t.state = TurnState::Cut;
            t.assistant = partial;
            t.notes.push(note);
        })
        .await;
    }

    /// `chat_resume`: makes stored chat `r` the session of `chat` (a turn in flight there is
    /// cancelled) and returns it for the transcript.
    pub async fn resume(&self, chat: u64, r: &SessionRef) -> Result<LoadedChat, String> {
        if !store::valid_id(&r.id) {
            return Err(store::StoreError::BadId(r.id.clone()).to_string());
        }
        self.stop(chat);
        let t0 = std::time::Instant::now();
        let loaded = self.load_into(chat, r).await.map_err(|e| e.to_string())?;
        tracing::debug!(
            "[chat] resume {}: {} turns read in {:.1} ms",
            r.id,
            loaded.turns.len(),
            t0.elapsed().as_secs_f64() * 1000.0
        );
        Ok(loaded)
    }

    /// `chats_list`: the stored chats of `project`, newest first.
    pub async fn list_stored(
        &self,
        project: &std::path::Path,
    ) -> Result<Vec<store::ChatSummary>, String> {
        ChatStore::for_project(project)
            .list()
            .await
            .map_err(|e| e.to_string())
    }

    /// `chats_delete`: removes stored chat `id` of `project`; sessions bound to it forget it
    /// (their next message starts a new chat).
    pub async fn delete_stored(&self, project: &std::path::Path, id: &str) -> Result<(), String> {
        {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            for s in sessions.values_mut() {
                if s.stored.as_ref().is_some_and(|b| b.id == id) {
                    s.stored = None;
                    s.turns.clear();
                    s.working.clear();
                }
            }
        }
        match ChatStore::for_project(project).delete(id).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err(store::StoreError::Gone.to_string()),
        }
    }
}

/// Writes the turn in flight in `s` as cut (stopped), with the reply received so far; not
/// awaited (called where a turn is cancelled, under the sessions lock).
pub(super) fn cut_in_flight(s: &mut super::Session, note: &str) {
    let Some(mut f) = s.in_flight.take() else {
        return;
    };
    f.turn.state = TurnState::Cut;
    f.turn.assistant = f.partial.lock().map(|p| p.clone()).unwrap_or_default();
    f.turn.notes.push(note.to_string());
    drop(f.store.put_turn(&f.id, f.seq, f.turn));
}

/// The history turn of a fix run: the request (quoted code shortened) and, as the reply, what
/// happened — outcome, label, what changed and landed, the last checks — in a few lines, so
/// the next message ("now also handle negatives") can build on it without the run's bulk.
pub(super) fn fix_turn(
    req: &AgentRequest,
    report: &Report,
    landed: &[String],
    failed: Option<&str>,
    checks: &[String],
    steps: &[String],
) -> Turn {
    let mut out: Vec<String> = Vec::new();
    match failed {
        None => out.push(format!(
            "Fix run finished: {} ({}: {}).",
            report.outcome,
            report.verification.as_str(),
            report.verification_note
        )),
        Some(why) => out.push(format!("Fix run did not land anything: {why}.")),
    }
    if !report.changed.is_empty() {
        out.push(format!("Changed: {}.", report.changed.join(", ")));
    }
    for l in landed.iter().take(4) {
        out.push(format!("Editor: {l}"));
    }
    if !checks.is_empty() {
        out.push(format!("Checks: {}.", checks.join("; ")));
    }
    if !steps.is_empty() {
        let others: Vec<&String> = steps.iter().filter(|s| !s.starts_with("check ")).collect();
        let shown: Vec<String> = others[others.len().saturating_sub(4)..]
            .iter()
            .map(|s| shorten(s, 120))
            .collect();
        if !shown.is_empty() {
            out.push(format!(
                "Steps ({} in all, last {}): {}",
                steps.len(),
                shown.len(),
                shown.join(" | ")
            ));
        }
    }
    Turn {
        user: fix_request(&req.text),
        context: String::new(),
        assistant: out.join("\n"),
        files: report.changed.clone(),
        errors: Vec::new(),
    }
}

/// How a fix run's request appears in the history: marked, quoted code shortened.
pub(super) fn fix_request(text: &str) -> String {
    format!("(fix) {}", compact_request(text))
}

/// The request with fenced code blocks replaced by a line count.
fn compact_request(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<usize> = None;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            match fence.take() {
                Some(n) => out.push(format!("({n} quoted lines)")),
                None => fence = Some(0),
            }
            continue;
        }
        match fence.as_mut() {
            Some(n) => *n += 1,
            None => out.push(line.to_string()),
        }
    }
    shorten(out.join("\n").trim(), 600)
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut t: String = s.chars().take(n).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::turn::{self, Layout, TurnPlan};
    use smallcode_core::budget::{Assembler, BudgetConfig, Piece, PieceKind};

    /// A chat of `n` turns; returns the state after it and the prompt of turn `n + 1`, with the
    /// state passed through the store's types (`resumed`) or kept in memory.
    fn converse(n: usize, resumed: bool) -> Vec<smallcode_llm::Message> {
        let code = |id: &str, line: u32| {
            let body: Vec<String> = (0..6).map(|i| format!("    x{i} = {i}")).collect();
            Piece::code(
                PieceKind::GraphContext,
                "a.py",
                id,
                (line, line + 6),
                &format!("def {id}():\n{}", body.join("\n")),
                Some(&format!("def {id}():\n    ⋮ 6 lines")),
            )
        };
        let mut asm = Assembler::new(BudgetConfig::default());
        let (mut turns, mut working) = (Vec::<Turn>::new(), Vec::<Piece>::new());
        for i in 0..=n {
            if i == n && resumed {
                let stored: Vec<StoredTurn> = turns
                    .iter()
                    .map(|t| StoredTurn {
                        user: t.user.clone(),
                        context: t.context.clone(),
                        assistant: t.assistant.clone(),
                        files: t.files.clone(),
                        ..StoredTurn::default()
                    })
                    .collect();
                let json = serde_json::to_string(&stored).unwrap();
                let back: Vec<StoredTurn> = serde_json::from_str(&json).unwrap();
                turns = back.iter().map(StoredTurn::to_turn).collect();
                let pieces: Vec<StoredPiece> = working.iter().map(StoredPiece::from).collect();
                let json = serde_json::to_string(&pieces).unwrap();
                let back: Vec<StoredPiece> = serde_json::from_str(&json).unwrap();
                working = back.iter().map(StoredPiece::to_piece).collect();
            }
            let task = format!("question {i}");
            let p = turn::prepare(
                &mut asm,
                4096,
                TurnPlan {
                    system: "sys",
                    outline: Some("Project files:\n.: a.py"),
                    task: &task,
                    pieces: vec![code(&format!("f{i}"), 10 * i as u32 + 1), code("f0", 1)],
                    turns: &turns,
                    working: &working,
                },
                Layout::Stable,
                64,
            )
            .unwrap();
            if i == n {
                return p.messages;
            }
            turns.push(Turn {
                user: task,
                context: p.context,
                assistant: format!("answer {i}"),
                ..Turn::default()
            });
            working = p.working;
        }
        unreachable!()
    }

    #[test]
    fn a_resumed_chat_sends_the_prompt_the_live_chat_would_have_sent() {
        // Byte for byte: the server's KV cache serves a resumed chat as it serves a live one.
        assert_eq!(converse(5, true), converse(5, false));
    }

    #[test]
    fn a_fix_turn_is_short_and_says_what_landed() {
        let req = AgentRequest {
            text:
                "Fix the sign.\nIn calc.py, lines 1-2:\n```\ndef add(a, b):\n    return a - b\n```"
                    .into(),
            ..AgentRequest::default()
        };
        let report = Report {
            passed: true,
            outcome: "checks pass".into(),
            verification_note: "tests ran add".into(),
            changed: vec!["calc.py".into()],
            ..Report::default()
        };
        let t = fix_turn(
            &req,
            &report,
            &["calc.py: +1 -1 lines (one undo step)".into()],
            None,
            &["tests: ok".into()],
            &["round 1: whole-file edit of calc.py".into()],
        );
        assert_eq!(
            t.user,
            "(fix) Fix the sign.\nIn calc.py, lines 1-2:\n(2 quoted lines)"
        );
        assert!(
            t.assistant.starts_with("Fix run finished: checks pass ("),
            "{}",
            t.assistant
        );
        assert!(t.assistant.contains("Editor: calc.py: +1 -1 lines"));
        assert!(t.assistant.contains("Checks: tests: ok."));
        assert_eq!(t.files, ["calc.py"]);
    }
}
