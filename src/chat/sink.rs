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

/// One verified file change for the editor to apply.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileEdit {
    /// Absolute path.
    pub path: String,
    /// The whole new text.
    pub text: String,
    /// The buffer's `changedtick` when the agent read it; the editor refuses the edit if it moved.
    pub tick: Option<i64>,
}

/// Applies verified edits where the user works (Neovim buffers, one undo step per file).
#[async_trait::async_trait]
pub trait Editor: Send + Sync {
    /// Applies `edits`; returns one line per file saying what happened (applied / refused).
    async fn apply(&self, edits: Vec<FileEdit>) -> Result<Vec<String>, String>;

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
}
