//! Chats on disk: every turn of every chat of a project, in one redb file in the user's data
//! directory for that project (`<data>/projects/<name>-<hash>/chats.redb`, see
//! [`smallcode_agent::trust::project_data_dir`]), never inside the project.
//!
//! Tables (all here, with [`SCHEMA_VERSION`]):
//! - `meta`: `"schema"` → version.
//! - `chats`: chat id → JSON [`ChatMeta`] (title, times, number of turns).
//! - `turns`: (chat id, sequence number) → JSON [`StoredTurn`].
//! - `working`: chat id → JSON list of [`StoredPiece`]: the code shown in the chat's system
//!   message after its last turn, so a resumed chat sends the same prefix (KV cache).
//!
//! One writer at a time, and a second Neovim on the same project must keep working: redb locks
//! its file for as long as it is open, so the file is never held. One worker thread per process
//! does every read and write, in the order they were asked for; each batch opens the file,
//! runs one transaction and closes it again (milliseconds). When another process holds the file,
//! the worker retries for [`LOCK_PATIENCE`]; writes that still fail stay queued in memory and go
//! first in the next batch (or after [`RETRY_EVERY`]). A database that cannot be read (damaged,
//! or from another schema) is moved aside as `chats.redb.broken-<time>`, never deleted, and a
//! fresh one is started.
//!
//! Crash behaviour: a turn is written when it starts (its message, state `in_flight`) and again
//! when it ends, so a process killed mid-reply loses only that reply; loading reads an
//! `in_flight` turn as [`TurnState::Cut`].

mod worker;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redb::{Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use worker::{worker, Job, Op};

/// Bump on any change to the tables or their JSON shapes that old code could misread.
pub const SCHEMA_VERSION: u32 = 1;

/// How long a batch waits for another process to release the file before it gives up (and the
/// writes stay queued).
pub const LOCK_PATIENCE: Duration = Duration::from_secs(3);
/// How often queued writes are retried while nothing else happens.
pub const RETRY_EVERY: Duration = Duration::from_secs(2);

const META: TableDefinition<&str, u32> = TableDefinition::new("meta");
const CHATS: TableDefinition<&str, &[u8]> = TableDefinition::new("chats");
const TURNS: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("turns");
const WORKING: TableDefinition<&str, &[u8]> = TableDefinition::new("working");

/// The file name of a project's chat database.
pub const FILE_NAME: &str = "chats.redb";

/// What a turn was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TurnKind {
    /// A chat message and the model's reply.
    #[default]
    Chat,
    /// A `:SmallCode fix` run: the request and its compacted outcome.
    Fix,
}

/// How a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TurnState {
    /// The reply is complete; the turn is part of the model's history.
    #[default]
    Done,
    /// The reply was cut (stopped, failed, or the process died): shown, not sent to the model.
    Cut,
    /// Written when the turn started; read back as [`TurnState::Cut`] by [`ChatStore::load`].
    InFlight,
}

/// One turn as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StoredTurn {
    /// Chat message or fix run.
    #[serde(default)]
    pub kind: TurnKind,
    /// Whether the reply is complete.
    #[serde(default)]
    pub state: TurnState,
    /// When the turn started (Unix seconds).
    #[serde(default)]
    pub at: u64,
    /// The user's message (a fix run: its request).
    pub user: String,
    /// Text sent before the message in the same user message (selection, named context),
    /// byte for byte, so a resumed chat replays it exactly.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub context: String,
    /// The reply (a fix run: its compacted outcome); what was received when cut.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assistant: String,
    /// Files the turn touched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Errors still open when it ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// One-line notes shown under the reply (a stopped loop, what a fix landed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl StoredTurn {
    /// Every text of the turn with keys replaced by the redaction marker (`keys`: the values
    /// of secret-named environment variables and registered keys).
    pub fn redacted(self, keys: &[String]) -> StoredTurn {
        let r = |s: String| smallcode_core::secrets::redact_with(&s, keys);
        StoredTurn {
            user: r(self.user),
            context: r(self.context),
            assistant: r(self.assistant),
            files: self.files.into_iter().map(r).collect(),
            errors: self.errors.into_iter().map(r).collect(),
            notes: self.notes.into_iter().map(r).collect(),
            ..self
        }
    }

    /// The history turn the model sees.
    pub fn to_turn(&self) -> smallcode_core::budget::Turn {
        smallcode_core::budget::Turn {
            user: self.user.clone(),
            context: self.context.clone(),
            assistant: self.assistant.clone(),
            files: self.files.clone(),
            errors: self.errors.clone(),
        }
    }
}

/// A chat's entry in the `chats` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ChatMeta {
    /// The first message's first line, shortened.
    pub title: String,
    /// Unix seconds of the first turn.
    pub created: u64,
    /// Unix seconds of the last write.
    pub updated: u64,
    /// Number of turns.
    pub turns: u32,
}

/// One chat in [`ChatStore::list`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatSummary {
    /// The chat's id.
    pub id: String,
    /// Title, times and turn count.
    #[serde(flatten)]
    pub meta: ChatMeta,
}

/// A code piece of the working set, with the one rendering it was shown at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPiece {
    /// The piece's id (`path::symbol@line`).
    pub id: String,
    /// File it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Symbol name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// 1-based inclusive lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<(u32, u32)>,
    /// The rendering shown: the whole body, the signature or the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    /// See `full`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// See `full`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl From<&smallcode_core::budget::Piece> for StoredPiece {
    fn from(p: &smallcode_core::budget::Piece) -> StoredPiece {
        StoredPiece {
            id: p.id.clone(),
            path: p.path.clone(),
            symbol: p.symbol.clone(),
            lines: p.lines,
            full: p.full.clone(),
            signature: p.signature.clone(),
            name: p.name.clone(),
        }
    }
}

impl StoredPiece {
    /// The piece with keys in its texts replaced by the redaction marker.
    pub fn redacted(self, keys: &[String]) -> StoredPiece {
        let r = |s: Option<String>| s.map(|s| smallcode_core::secrets::redact_with(&s, keys));
        StoredPiece {
            full: r(self.full),
            signature: r(self.signature),
            name: r(self.name),
            ..self
        }
    }

    /// The working-set piece again (as graph context; the next turn re-kinds it if named).
    pub fn to_piece(&self) -> smallcode_core::budget::Piece {
        smallcode_core::budget::Piece {
            id: self.id.clone(),
            kind: smallcode_core::budget::PieceKind::GraphContext,
            path: self.path.clone(),
            symbol: self.symbol.clone(),
            lines: self.lines,
            score: 0.0,
            full: self.full.clone(),
            signature: self.signature.clone(),
            name: self.name.clone(),
        }
    }
}

/// A chat read back: its turns in order (sequence number, turn) and its working set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedChat {
    /// Title, times, count; `None` when the chat does not exist.
    pub meta: Option<ChatMeta>,
    /// Turns by sequence number; `in_flight` ones come back as `cut`.
    pub turns: Vec<(u32, StoredTurn)>,
    /// The working set after the last turn.
    pub working: Vec<StoredPiece>,
}

/// Why the store could not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another process kept the file for longer than [`LOCK_PATIENCE`].
    #[error("{path} is in use by another smallcode process; try again")]
    Locked {
        /// The database file.
        path: String,
    },
    /// redb or the file system failed.
    #[error("{path}: {message}")]
    Db {
        /// The database file.
        path: String,
        /// What failed.
        message: String,
    },
    /// A chat id with characters other than letters, digits, `-` and `_` (or too long).
    #[error("invalid chat id {0:?}: letters, digits, '-' and '_', at most 64")]
    BadId(String),
    /// The worker thread is gone.
    #[error("the chat store worker stopped")]
    Gone,
}

/// Whether `id` may name a chat.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The chats of one project: a handle on its file (cheap to create and clone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatStore {
    path: PathBuf,
}

/// Resolves when a write is on disk (or failed; queued writes are retried regardless).
pub type Ack = tokio::sync::oneshot::Receiver<Result<(), StoreError>>;

impl ChatStore {
    /// The store of the project at `root`, in the user's data directory.
    pub fn for_project(root: &Path) -> ChatStore {
        let dir = smallcode_agent::trust::project_data_dir(
            &smallcode_agent::trust::default_data_dir(),
            root,
        );
        ChatStore::at(dir.join(FILE_NAME))
    }

    /// A store in the file at `path` (tests, benchmarks).
    pub fn at(path: PathBuf) -> ChatStore {
        ChatStore { path }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes turn `seq` of `chat` (insert or replace) and updates the chat's entry. Keys are
    /// redacted first ([`smallcode_core::secrets`]): a reply, a tool's output or a pasted
    /// message that holds one never reaches the file (SECURITY.md).
    pub fn put_turn(&self, chat: &str, seq: u32, turn: StoredTurn) -> Ack {
        self.write(Op::Turn {
            chat: chat.to_string(),
            seq,
            turn: turn.redacted(&smallcode_core::secrets::secret_env_values()),
        })
    }

    /// Replaces `chat`'s working set (redacted like [`ChatStore::put_turn`]: code pieces may
    /// come from a file that holds a key).
    pub fn put_working(&self, chat: &str, pieces: Vec<StoredPiece>) -> Ack {
        let keys = smallcode_core::secrets::secret_env_values();
        self.write(Op::Working {
            chat: chat.to_string(),
            pieces: pieces.into_iter().map(|p| p.redacted(&keys)).collect(),
        })
    }

    /// Removes `chat` and all its turns.
    pub fn delete(&self, chat: &str) -> Ack {
        self.write(Op::Delete {
            chat: chat.to_string(),
        })
    }

    /// Every chat of the project, most recently updated first.
    pub async fn list(&self) -> Result<Vec<ChatSummary>, StoreError> {
        self.read(list).await
    }

    /// One chat's turns and working set (empty when it does not exist).
    pub async fn load(&self, chat: &str) -> Result<LoadedChat, StoreError> {
        if !valid_id(chat) {
            return Err(StoreError::BadId(chat.to_string()));
        }
        let id = chat.to_string();
        self.read(move |db| load(db, &id)).await
    }

    fn write(&self, op: Op) -> Ack {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if let Some(bad) = op.chat().filter(|c| !valid_id(c)) {
            let _ = tx.send(Err(StoreError::BadId(bad.to_string())));
            return rx;
        }
        worker().submit(Job::Write {
            path: self.path.clone(),
            op,
            ack: tx,
        });
        rx
    }

    async fn read<T: Default + Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, String> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let shown = self.path.display().to_string();
        worker().submit(Job::Read {
            path: self.path.clone(),
            run: Box::new(move |db: Result<Option<&Database>, StoreError>| {
                let out = match db {
                    Ok(None) => Ok(T::default()),
                    Ok(Some(db)) => f(db).map_err(|message| StoreError::Db {
                        path: shown,
                        message,
                    }),
                    Err(e) => Err(e),
                };
                let _ = tx.send(out);
            }),
        });
        rx.await.unwrap_or(Err(StoreError::Gone))
    }
}

/// Opens the file (creating it), waiting up to `patience` for another process to release it.
/// A file that does not open for another reason, or holds another schema, is moved aside.
fn open(path: &Path, patience: Duration) -> Result<Database, StoreError> {
    let shown = || path.display().to_string();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Db {
            path: shown(),
            message: e.to_string(),
        })?;
    }
    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    let mut moved = false;
    loop {
        match Database::create(path) {
            Ok(db) => match check_schema(&db) {
                Ok(()) => return Ok(db),
                Err(why) if !moved => {
                    drop(db);
                    move_aside(path, &why);
                    moved = true;
                }
                Err(why) => {
                    return Err(StoreError::Db {
                        path: shown(),
                        message: why,
                    })
                }
            },
            Err(DatabaseError::DatabaseAlreadyOpen) => {
                if started.elapsed() >= patience {
                    return Err(StoreError::Locked { path: shown() });
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            Err(e) if !moved => {
                move_aside(path, &e.to_string());
                moved = true;
            }
            Err(e) => {
                return Err(StoreError::Db {
                    path: shown(),
                    message: e.to_string(),
                })
            }
        }
    }
}

fn move_aside(path: &Path, why: &str) {
    let aside = path.with_extension(format!("redb.broken-{}", now()));
    tracing::warn!(
        "[chat] {} cannot be used ({why}); moved to {} and starting afresh",
        path.display(),
        aside.display()
    );
    let _ = std::fs::rename(path, &aside);
}

/// `Ok` for a fresh file (the schema is written) or one of this schema.
fn check_schema(db: &Database) -> Result<(), String> {
    let version = {
        let tx = db.begin_read().map_err(|e| e.to_string())?;
        match tx.open_table(META) {
            Ok(t) => t
                .get("schema")
                .map_err(|e| e.to_string())?
                .map(|v| v.value()),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(e) => return Err(e.to_string()),
        }
    };
    match version {
        Some(v) if v == SCHEMA_VERSION => Ok(()),
        Some(v) => Err(format!("schema {v}, this build uses {SCHEMA_VERSION}")),
        None => {
            let tx = db.begin_write().map_err(|e| e.to_string())?;
            {
                let mut meta = tx.open_table(META).map_err(|e| e.to_string())?;
                meta.insert("schema", SCHEMA_VERSION)
                    .map_err(|e| e.to_string())?;
                tx.open_table(CHATS).map_err(|e| e.to_string())?;
                tx.open_table(TURNS).map_err(|e| e.to_string())?;
                tx.open_table(WORKING).map_err(|e| e.to_string())?;
            }
            tx.commit().map_err(|e| e.to_string())
        }
    }
}

/// Runs `ops` in one transaction on the file at `path` (opened and closed here).
fn apply(path: &Path, ops: &[&Op], patience: Duration) -> Result<(), StoreError> {
    let db = open(path, patience)?;
    let err = |e: &dyn std::fmt::Display| StoreError::Db {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let tx = db.begin_write().map_err(|e| err(&e))?;
    {
        let mut chats = tx.open_table(CHATS).map_err(|e| err(&e))?;
        let mut turns = tx.open_table(TURNS).map_err(|e| err(&e))?;
        let mut working = tx.open_table(WORKING).map_err(|e| err(&e))?;
        // Chat entries read once per transaction and written back at its end.
        let mut metas: HashMap<String, Option<ChatMeta>> = HashMap::new();
        for op in ops {
            match op {
                Op::Turn { chat, seq, turn } => {
                    let meta = match metas.get_mut(chat.as_str()) {
                        Some(m) => m,
                        None => {
                            let m = chats
                                .get(chat.as_str())
                                .map_err(|e| err(&e))?
                                .and_then(|v| serde_json::from_slice::<ChatMeta>(v.value()).ok());
                            metas.entry(chat.clone()).or_insert(m)
                        }
                    };
                    let bytes = serde_json::to_vec(turn).map_err(|e| err(&e))?;
                    let old = turns
                        .insert((chat.as_str(), *seq), bytes.as_slice())
                        .map_err(|e| err(&e))?
                        .is_some();
                    let m = meta.get_or_insert_with(|| ChatMeta {
                        title: title_of(&turn.user),
                        created: turn.at,
                        ..ChatMeta::default()
                    });
                    if m.title.is_empty() {
                        m.title = title_of(&turn.user);
                    }
                    if !old {
                        m.turns += 1;
                    }
                    m.updated = now().max(turn.at);
                }
                Op::Working { chat, pieces } => {
                    let bytes = serde_json::to_vec(pieces).map_err(|e| err(&e))?;
                    working
                        .insert(chat.as_str(), bytes.as_slice())
                        .map_err(|e| err(&e))?;
                }
                Op::Delete { chat } => {
                    metas.insert(chat.clone(), None);
                    chats.remove(chat.as_str()).map_err(|e| err(&e))?;
                    working.remove(chat.as_str()).map_err(|e| err(&e))?;
                    turns
                        .retain_in((chat.as_str(), 0u32)..=(chat.as_str(), u32::MAX), |_, _| {
                            false
                        })
                        .map_err(|e| err(&e))?;
                }
            }
        }
        for (chat, meta) in metas {
            if let Some(m) = meta {
                let bytes = serde_json::to_vec(&m).map_err(|e| err(&e))?;
                chats
                    .insert(chat.as_str(), bytes.as_slice())
                    .map_err(|e| err(&e))?;
            }
        }
    }
    tx.commit().map_err(|e| err(&e))
}

/// The title of a chat whose first message is `user`: its first non-empty line, at most 72
/// characters.
pub fn title_of(user: &str) -> String {
    let line = user
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut t: String = line.chars().take(72).collect();
    if line.chars().count() > 72 {
        t.push('…');
    }
    t
}

fn list(db: &Database) -> Result<Vec<ChatSummary>, String> {
    let tx = db.begin_read().map_err(|e| e.to_string())?;
    let chats = match tx.open_table(CHATS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.to_string()),
    };
    let mut out = Vec::new();
    for item in chats.iter().map_err(|e| e.to_string())? {
        let (k, v) = item.map_err(|e| e.to_string())?;
        match serde_json::from_slice::<ChatMeta>(v.value()) {
            Ok(meta) => out.push(ChatSummary {
                id: k.value().to_string(),
                meta,
            }),
            Err(e) => tracing::warn!("[chat] skipping chat {}: {e}", k.value()),
        }
    }
    out.sort_by(|a, b| (b.meta.updated, &b.id).cmp(&(a.meta.updated, &a.id)));
    Ok(out)
}

fn load(db: &Database, chat: &str) -> Result<LoadedChat, String> {
    let tx = db.begin_read().map_err(|e| e.to_string())?;
    let mut out = LoadedChat::default();
    match tx.open_table(CHATS) {
        Ok(t) => {
            out.meta = t
                .get(chat)
                .map_err(|e| e.to_string())?
                .and_then(|v| serde_json::from_slice(v.value()).ok());
        }
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(out),
        Err(e) => return Err(e.to_string()),
    }
    let turns = tx.open_table(TURNS).map_err(|e| e.to_string())?;
    for item in turns
        .range((chat, 0u32)..=(chat, u32::MAX))
        .map_err(|e| e.to_string())?
    {
        let (k, v) = item.map_err(|e| e.to_string())?;
        let seq = k.value().1;
        match serde_json::from_slice::<StoredTurn>(v.value()) {
            Ok(mut t) => {
                if t.state == TurnState::InFlight {
                    t.state = TurnState::Cut;
                }
                out.turns.push((seq, t));
            }
            Err(e) => tracing::warn!("[chat] skipping turn {seq} of {chat}: {e}"),
        }
    }
    let working = tx.open_table(WORKING).map_err(|e| e.to_string())?;
    if let Some(v) = working.get(chat).map_err(|e| e.to_string())? {
        out.working = serde_json::from_slice(v.value()).unwrap_or_default();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "smallcode-chats-{tag}-{}-{}",
            std::process::id(),
            now()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d.join(FILE_NAME)
    }

    fn turn(user: &str, assistant: &str, state: TurnState) -> StoredTurn {
        StoredTurn {
            user: user.into(),
            assistant: assistant.into(),
            state,
            at: 100,
            ..StoredTurn::default()
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn turns_round_trip_and_in_flight_reads_as_cut() {
        let store = ChatStore::at(tmp("round"));
        let rt = rt();
        rt.block_on(async {
            store
                .put_turn(
                    "c1",
                    0,
                    turn("first question\nmore", "", TurnState::InFlight),
                )
                .await
                .unwrap()
                .unwrap();
            store
                .put_turn(
                    "c1",
                    0,
                    turn("first question\nmore", "answer", TurnState::Done),
                )
                .await
                .unwrap()
                .unwrap();
            store
                .put_turn("c1", 1, turn("second", "", TurnState::InFlight))
                .await
                .unwrap()
                .unwrap();
            let c = store.load("c1").await.unwrap();
            assert_eq!(c.turns.len(), 2);
            assert_eq!(c.turns[0].1.assistant, "answer");
            assert_eq!(
                c.turns[1].1.state,
                TurnState::Cut,
                "the process died mid-reply"
            );
            let meta = c.meta.unwrap();
            assert_eq!((meta.title.as_str(), meta.turns), ("first question", 2));
            let list = store.list().await.unwrap();
            assert_eq!(list.len(), 1);
            assert_eq!(list[0].id, "c1");
        });
    }

    #[test]
    fn delete_removes_one_chat_only() {
        let store = ChatStore::at(tmp("delete"));
        rt().block_on(async {
            for chat in ["a", "b"] {
                for i in 0..3 {
                    store
                        .put_turn(chat, i, turn("q", "a", TurnState::Done))
                        .await
                        .unwrap()
                        .unwrap();
                }
            }
            store.delete("a").await.unwrap().unwrap();
            let ids: Vec<String> = store
                .list()
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect();
            assert_eq!(ids, ["b"]);
            assert!(store.load("a").await.unwrap().turns.is_empty());
            assert_eq!(store.load("b").await.unwrap().turns.len(), 3);
        });
    }

    #[test]
    fn a_missing_file_lists_nothing_and_is_not_created() {
        let path = tmp("missing");
        let store = ChatStore::at(path.clone());
        rt().block_on(async {
            assert!(store.list().await.unwrap().is_empty());
            assert!(store.load("x").await.unwrap().turns.is_empty());
        });
        assert!(!path.exists());
    }

    #[test]
    fn a_locked_file_queues_writes_until_it_is_free() {
        let path = tmp("locked");
        let store = ChatStore::at(path.clone());
        rt().block_on(async {
            store
                .put_turn("c", 0, turn("q", "a", TurnState::Done))
                .await
                .unwrap()
                .unwrap();
        });
        // Another "process": the file held open from here (redb locks it like another process).
        let holder = Database::create(&path).unwrap();
        let released = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(holder);
        });
        rt().block_on(async {
            // Waits for the holder (well within the patience), then lands.
            store
                .put_turn("c", 1, turn("q2", "a2", TurnState::Done))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(store.load("c").await.unwrap().turns.len(), 2);
        });
        released.join().unwrap();
    }

    #[test]
    fn a_damaged_file_is_moved_aside() {
        let path = tmp("damaged");
        std::fs::write(&path, b"not a database").unwrap();
        let store = ChatStore::at(path.clone());
        rt().block_on(async {
            store
                .put_turn("c", 0, turn("q", "a", TurnState::Done))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(store.load("c").await.unwrap().turns.len(), 1);
        });
        let aside = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("broken"));
        assert!(aside, "the damaged file is kept next to the new one");
    }

    #[test]
    fn ids_are_checked() {
        assert!(valid_id("20250101-101010-ab12"));
        assert!(!valid_id("../x"));
        assert!(!valid_id(""));
        assert!(!valid_id(&"a".repeat(65)));
    }
}
