//! Where chat events go. In Neovim, to the rpc pusher; in tests and headless runs, to a vector
//! or stdout. The chat logic only sees this trait, so it is tested without an editor.

use std::sync::Mutex;

use super::event::ChatEvent;

/// Receives every event of every chat, in order. Must not block (called from async code).
pub trait EventSink: Send + Sync {
    /// Delivers one event.
    fn send(&self, ev: ChatEvent);
}

/// Collects events in memory (tests).
#[derive(Default)]
pub struct VecSink(pub Mutex<Vec<ChatEvent>>);

impl EventSink for VecSink {
    fn send(&self, ev: ChatEvent) {
        if let Ok(mut v) = self.0.lock() {
            v.push(ev);
        }
    }
}

impl EventSink for tokio::sync::mpsc::UnboundedSender<ChatEvent> {
    fn send(&self, ev: ChatEvent) {
        // A closed channel means Neovim went away; nothing left to show the event to.
        let _ = tokio::sync::mpsc::UnboundedSender::send(self, ev);
    }
}

/// One file of a change set whose checks pass.
#[derive(Debug, Clone, PartialEq)]
pub struct FileEdit {
    /// Absolute path.
    pub path: String,
    /// The whole new text.
    pub text: String,
    /// The text the agent read and changed (`Report::base`): when the buffer no longer has it,
    /// the editor rebases the change three-way instead of overwriting what the user typed.
    pub base: String,
    /// The buffer's `changedtick` when the agent read it, when known (informational).
    pub tick: Option<i64>,
}

/// What an agent run hands the editor: its files, and what the checks prove about them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeSet {
    /// Chat id of the run.
    pub chat: u64,
    /// Project root (absolute).
    pub root: String,
    /// `verified`, `checked` or `unverified` (`smallcode_agent::Verification::as_str`): only a
    /// `verified` change may land without review.
    pub verification: String,
    /// Why the label is what it is, in one line.
    pub note: String,
    /// Checks that could not run, each with the reason.
    pub skipped: Vec<String>,
    /// The last round's check summaries (`py_compile: ok`).
    pub checks: Vec<String>,
    /// The changed files.
    pub files: Vec<FileEdit>,
}

/// Shows a change set where the user works (Neovim buffers): for review, or landed at once (one
/// undo step per file) when the user chose so and the change is verified.
#[async_trait::async_trait]
pub trait Editor: Send + Sync {
    /// Hands `change` over; returns the lines for the chat (what is pending, what landed).
    async fn land(&self, change: ChangeSet) -> Result<Vec<String>, String>;

    /// Who answers "may the agent run this command?" (the `tools` edit format); `None` = no
    /// one, so such commands are denied.
    fn asker(&self) -> Option<std::sync::Arc<dyn smallcode_agent::permission::Asker>> {
        None
    }

    /// The editor's live buffers (`b:changedtick` + text), so the read-before-write guard sees
    /// edits the user makes during a run; `None` = the request's snapshot is all there is.
    fn live_buffers(&self) -> Option<std::sync::Arc<dyn smallcode_agent::tools::LiveBuffers>> {
        None
    }

    /// Who runs the user's own tools (`setup({ tools = … })`); `None` = they are not offered.
    fn user_tools(
        &self,
    ) -> Option<std::sync::Arc<dyn smallcode_agent::tools::user::UserToolCaller>> {
        None
    }
}
