//! `create(path, content)`: a new file, staged and checked like an edit. An existing file is
//! refused (edit it instead), so a model cannot wipe a file it has not read.

use super::{ToolResult, Toolbox, CREATE};

impl Toolbox {
    /// Runs `create`.
    pub async fn create(&mut self, path: &str, content: &str) -> ToolResult {
        let abs = match self.ws.resolve(path) {
            Ok(p) => p,
            Err(e) => return ToolResult::error(CREATE, e),
        };
        let rel = self.ws.rel(&abs);
        if abs.exists() || self.ws.staged().contains_key(&abs) {
            return ToolResult::error(CREATE, format!("{rel} exists: use edit"));
        }
        let mut text = content.to_string();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        self.stage_and_check(&abs, "", text).await
    }
}
