//! `run(command)`: a shell command in the shadow tree (so it sees the staged changes and cannot
//! touch the user's files), after the permission gate ([`crate::permission`]).

use super::{ToolResult, Toolbox, RUN};
use crate::check::{self, CheckCmd};
use crate::permission::Decision;

impl Toolbox {
    /// Runs `run`.
    pub async fn run(&mut self, command: &str) -> ToolResult {
        let c = command.trim();
        match self.gate.decide(c).await {
            Decision::Denied(why) => {
                ToolResult::new(format!("denied: {why}"), format!("run `{c}`: denied"))
            }
            Decision::Allowed(why) => {
                let dir = match self.ws.shadow_root() {
                    Ok(d) => d,
                    Err(e) => return ToolResult::error(RUN, e),
                };
                let cmd = CheckCmd {
                    name: "run".into(),
                    command: c.to_string(),
                };
                let r = check::run(&dir, &cmd, self.check_timeout).await;
                let status = if r.ok { "exit 0" } else { "failed" };
                ToolResult::new(
                    format!("{status}\n{}", r.output.trim_end()),
                    format!("run `{c}` ({why}): {status}"),
                )
            }
        }
    }
}
