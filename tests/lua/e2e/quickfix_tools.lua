-- The `tools` edit format in Neovim: the quickfix list goes to the agent as the task's errors,
-- and the tool loop publishes its checks' errors to smallcode's list as the harness does (the
-- syntax error an edit makes, then an empty list once the checks pass).
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({
  endpoint = os.getenv('MOCK_URL'),
  edit_format = 'tools',
  review = { auto_accept = true },
  fix = { diagnostics = false },
})

vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()
vim.fn.setqflist({}, ' ', {
  title = 'make',
  items = { { filename = dir .. '/calc.py', lnum = 2, col = 14, text = 'qf-error: add is off' } },
})
local qf = require('smallcode.quickfix')
local published = {}
local publish = qf.publish
qf.publish = function(ev)
  local texts = {}
  for _, it in ipairs(ev.items or {}) do
    texts[#texts + 1] = ('%s:%s: %s'):format(it.file, it.line or 0, it.text or '')
  end
  published[#published + 1] = texts
  return publish(ev)
end
local payload
local rpc = require('smallcode.rpc')
local notify = rpc.notify
rpc.notify = function(method, p)
  if method == 'agent_run' then payload = p end
  return notify(method, p)
end

vim.cmd('SmallCode fix qf')
t.wait_idle()
t.eq(payload and payload.edit_format, 'tools', 'the tools format was asked for')
t.eq(payload and #payload.errors, 1, 'the quickfix entry was sent')
t.ok(#published >= 3, 'published after each checked call: ' .. vim.inspect(published))
t.ok(table.concat(published[1], '\n'):find('qf-error', 1, true), 'the task errors first: ' .. vim.inspect(published))
local syntax = false
for _, l in ipairs(published) do
  for _, e in ipairs(l) do
    if e:find('^calc.py:2: .*SyntaxError') then syntax = true end
  end
end
t.ok(syntax, "the edit's syntax error was published: " .. vim.inspect(published))
t.eq(#published[#published], 0, 'empty once the checks pass')
t.ok(table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find('return a + b', 1, true), 'the fix landed')
t.eq(#vim.fn.getqflist({ id = qf.own_id(), items = 0 }).items, 0, 'smallcode list is empty')
t.eq(vim.fn.getqflist({ nr = 1, title = 0 }).title, 'make', 'user list kept')
t.done('quickfix_tools')
