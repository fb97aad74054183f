//! Asking the Neovim user whether the agent may run a command, without blocking the RPC loop.
//!
//! Rust → Lua: `nvim_exec_lua` of [`LUA_ASK`] with `(id, command, root)`; Lua schedules
//! `vim.ui.select` and returns at once (`lua/smallcode/permission.lua`). Lua → Rust: the
//! [`NOTIFY_ANSWER`] notification `{id, answer}` completes the waiting question. A question
//! whose answer never comes (the window closed, the plugin reloaded) counts as "no" when the
//! turn is cancelled or after [`ANSWER_TIMEOUT`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use super::Nvim;
use smallcode_agent::permission::{Answer, Asker};

/// The Lua function that shows the question.
pub const LUA_ASK: &str = "return require('smallcode.permission').ask(...)";
/// `permission_answer({id, answer})`: the user's choice (`once`, `always`, `no`; read as
/// `super::protocol::PermissionAnswer`).
pub const NOTIFY_ANSWER: &str = "permission_answer";
/// How long a question waits for the user before it counts as "no".
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(600);

/// Questions waiting for an answer, by id. Shared by the handler (answers) and the askers.
#[derive(Default)]
pub struct Questions {
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
}

impl Questions {
    /// Completes question `id` with `answer` (the `permission_answer` notification).
    pub fn answer(&self, id: u64, answer: Answer) {
        let tx = self
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
        match tx {
            Some(tx) => {
                let _ = tx.send(answer);
            }
            None => tracing::warn!("[permission] answer to unknown question {id}"),
        }
    }
}

/// The process-wide table of open questions (one Neovim per process).
pub fn questions() -> &'static Arc<Questions> {
    static Q: std::sync::OnceLock<Arc<Questions>> = std::sync::OnceLock::new();
    Q.get_or_init(Arc::default)
}

/// Asks through Neovim.
pub struct NvimAsker {
    /// The editor.
    pub nvim: Nvim,
    /// Where the answer arrives.
    pub questions: Arc<Questions>,
}

#[async_trait::async_trait]
impl Asker for NvimAsker {
    async fn ask(&self, command: &str, root: &Path) -> Answer {
        let id = self.questions.next.fetch_add(1, Ordering::SeqCst) + 1;
        let (tx, rx) = oneshot::channel();
        self.questions
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, tx);
        let args = vec![
            rmpv::Value::from(id),
            rmpv::Value::from(command),
            rmpv::Value::from(root.display().to_string()),
        ];
        tracing::debug!("[permission] -> nvim ask {id}: {command}");
        if let Err(e) = self.nvim.exec_lua(LUA_ASK, args).await {
            tracing::warn!("[permission] could not ask: {e}");
            self.forget(id);
            return Answer::No;
        }
        let answer = match tokio::time::timeout(ANSWER_TIMEOUT, rx).await {
            Ok(Ok(a)) => a,
            _ => Answer::No,
        };
        self.forget(id);
        tracing::debug!("[permission] <- nvim answer {id}: {answer:?}");
        answer
    }
}

impl NvimAsker {
    fn forget(&self, id: u64) {
        self.questions
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}
