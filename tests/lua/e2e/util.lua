-- Shared helpers for the end-to-end scripts (run by tests/e2e.rs through `nvim --headless -l`).
-- A failed check prints to stderr and exits 1; `done()` exits 0. Nothing here may hang: every wait
-- has a limit. Waits are for events, never for a fixed time, and their limits are generous
-- (`M.LIMIT`): a limit only catches a hang, it is not a speed check (the tests run two at a time on
-- a loaded 2-core machine).
local M = {}

local repo = os.getenv('SMALLCODE_REPO') or vim.fn.getcwd()
vim.opt.rtp:prepend(repo)
vim.cmd('runtime plugin/smallcode.lua')

M.repo = repo

--- Trusts `dir` through the real `smallcode trust grant` (into this run's private data
--- directory), as the user's `:SmallCode trust` would.
M.trust = function(dir)
  local res = vim.system({ os.getenv('SMALLCODE_BIN'), 'trust', 'grant', '--dir', dir }, { text = true }):wait()
  if res.code ~= 0 then
    io.stderr:write('FAIL: smallcode trust grant: ' .. (res.stderr or '') .. (res.stdout or '') .. '\n')
    os.exit(1)
  end
end

-- The scripts' projects are the test's own: trusted, unless a script tests restricted mode.
if os.getenv('PROJECT') and not os.getenv('SMALLCODE_TEST_UNTRUSTED') then M.trust(os.getenv('PROJECT')) end

M.fail = function(msg)
  local chat = package.loaded['smallcode.chat']
  local lines = chat and chat.lines and chat.lines(1) or {}
  io.stderr:write('FAIL: ' .. msg .. '\n--- chat buffer\n' .. table.concat(lines, '\n') .. '\n')
  local msgs = vim.api.nvim_exec2('messages', { output = true }).output
  io.stderr:write('--- :messages\n' .. msgs .. '\n')
  os.exit(1)
end

M.ok = function(cond, msg)
  if not cond then M.fail(msg) end
end

M.eq = function(a, b, msg)
  if not vim.deep_equal(a, b) then
    M.fail(string.format('%s: expected %s, got %s', msg, vim.inspect(b), vim.inspect(a)))
  end
end

M.chat_text = function()
  local chat = require('smallcode.chat')
  return table.concat(chat.lines(1) or {}, '\n')
end

--- The default limit of every wait, in milliseconds: a hang catcher.
M.LIMIT = 60000

--- Waits until `fn()` is truthy; fails with `what` after `ms` milliseconds (default `M.LIMIT`).
M.wait_for = function(what, fn, ms)
  local ok = vim.wait(ms or M.LIMIT, function()
    local good, res = pcall(fn)
    return good and res
  end, 10)
  if not ok then M.fail('timed out waiting for ' .. what) end
end

--- Waits until the chat buffer contains `needle` (plain text).
M.wait_chat = function(needle, ms)
  M.wait_for(
    string.format('chat to contain %q', needle),
    function() return M.chat_text():find(needle, 1, true) ~= nil end,
    ms
  )
end

--- Waits until chat 1 has no turn in flight.
M.wait_idle = function(ms)
  M.wait_for('the turn to finish', function() return not require('smallcode.chat').busy(1) end, ms)
end

--- Runs the event loop until every callback scheduled so far (`vim.schedule`, and so the
--- restart a process exit schedules) has run: a barrier, not a sleep.
M.settle = function()
  local done = false
  vim.schedule(function() done = true end)
  M.wait_for('the scheduled callbacks to run', function() return done end)
end

--- Waits until the test (Rust) creates the file `name` in `$SIGNALS`: lets the Rust side check
--- something while this Neovim still runs.
M.wait_signal = function(name, ms)
  local dir = os.getenv('SIGNALS')
  M.ok(dir and dir ~= '', '$SIGNALS is set')
  M.wait_for(
    'the signal ' .. name .. ' from the test',
    function() return vim.uv.fs_stat(dir .. '/' .. name) ~= nil end,
    ms
  )
end

--- Number of occurrences of `needle` in the chat buffer.
M.count = function(needle)
  local n, init = 0, 1
  local text = M.chat_text()
  while true do
    local s, e = text:find(needle, init, true)
    if not s then return n end
    n, init = n + 1, e + 1
  end
end

M.done = function(name)
  io.stdout:write('ok ' .. (name or '') .. '\n')
  pcall(require('smallcode.rpc').stop)
  os.exit(0)
end

return M
