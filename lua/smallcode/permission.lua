--- Asking the user whether the agent may run a command (`tools` edit format).
---
--- Rust calls `ask(id, command, root)` through `nvim_exec_lua`; it returns at once (the RPC loop
--- is never blocked by the prompt). The question is shown with `vim.ui.select` on the next tick,
--- and the answer goes back as the `permission_answer` notification `{ id, answer }` with answer
--- 'once', 'always' or 'no'. "always" is remembered by the Rust side, per project, in
--- `.smallcode/allowed-commands`.
local M = {}

local H = {}

--- The choices, in the order shown; `answer` is what Rust receives.
M.choices = {
  { label = 'Run once', answer = 'once' },
  { label = 'Always allow in this project', answer = 'always' },
  { label = 'No', answer = 'no' },
}

--- Schedules the question and returns immediately.
---@param id integer question id, echoed back with the answer
---@param command string the command line the agent wants to run
---@param root string the project root it would run in
M.ask = function(id, command, root)
  vim.validate({ id = { id, 'number' }, command = { command, 'string' }, root = { root, 'string' } })
  vim.schedule(function()
    local prompt = string.format('smallcode: run `%s` in %s?', command, vim.fn.fnamemodify(root, ':~'))
    local ok = pcall(
      vim.ui.select,
      M.choices,
      { prompt = prompt, format_item = function(c) return c.label end, kind = 'smallcode_permission' },
      function(choice) H.answer(id, choice and choice.answer or 'no') end
    )
    if not ok then H.answer(id, 'no') end
  end)
  return true
end

H.answer = function(id, answer)
  local chan = require('smallcode.rpc').chan()
  if chan then pcall(vim.rpcnotify, chan, 'permission_answer', { id = id, answer = answer }) end
end

return M
