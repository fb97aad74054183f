//! The agent's live view of Neovim buffers: `b:changedtick` and text of a loaded file, read on
//! demand by the `tools` format's read-before-write guard (a quick `nvim_exec_lua`, no prompt).

use std::path::Path;

use super::{value, Nvim};
use smallcode_agent::tools::LiveBuffers;

/// Returns `{changedtick, text}` of the loaded buffer of the given path, or nil.
const LUA_SNAPSHOT: &str = r#"
local path = ...
for _, b in ipairs(vim.api.nvim_list_bufs()) do
  if vim.api.nvim_buf_is_loaded(b) and vim.fn.resolve(vim.api.nvim_buf_get_name(b)) == path then
    local text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n') .. '\n'
    return { vim.b[b].changedtick, text }
  end
end
return vim.NIL
"#;

/// Reads buffers through the Neovim handle.
pub struct NvimBuffers(pub Nvim);

#[async_trait::async_trait]
impl LiveBuffers for NvimBuffers {
    async fn snapshot(&self, path: &Path) -> Option<(i64, String)> {
        let arg = rmpv::Value::from(path.display().to_string());
        let reply = match self.0.exec_lua(LUA_SNAPSHOT, vec![arg]).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!("[buffers] snapshot of {}: {e}", path.display());
                return None;
            }
        };
        let json = value::to_json(&reply);
        let list = json.as_array()?;
        Some((list.first()?.as_i64()?, list.get(1)?.as_str()?.to_string()))
    }
}
