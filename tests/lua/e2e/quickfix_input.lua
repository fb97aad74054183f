-- :SmallCode fix qf feeds the current quickfix list's project entries to the agent as the task's
-- errors; a passing run empties smallcode's list and leaves the user's list alone.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({
  endpoint = os.getenv('MOCK_URL'),
  review = { auto_accept = true },
  fix = { diagnostics = false },
})

vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()
vim.fn.setqflist({}, ' ', {
  title = 'make',
  items = {
    { filename = dir .. '/calc.py', lnum = 2, col = 14, text = 'qf-error: add subtracts instead of adding' },
    { filename = '/elsewhere/other.py', lnum = 1, text = 'not a project file' },
  },
})
local payload
local rpc = require('smallcode.rpc')
local notify = rpc.notify
rpc.notify = function(method, p)
  if method == 'agent_run' then payload = p end
  return notify(method, p)
end

vim.cmd('SmallCode fix qf')
t.wait_idle()
t.ok(payload and payload.errors, 'errors were sent')
t.eq(#payload.errors, 1, 'only the project entry')
t.eq(payload.errors[1].file, 'calc.py', 'relative path')
t.eq(payload.errors[1].line, 2, 'line')
t.ok(table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find('return a + b', 1, true), 'the fix landed')

local own = vim.fn.getqflist({ id = require('smallcode.quickfix').own_id(), items = 0 })
t.eq(#own.items, 0, 'checks pass: smallcode list is empty')
t.eq(vim.fn.getqflist({ nr = 1, title = 0 }).title, 'make', 'user list kept')
t.eq(#vim.fn.getqflist({ nr = 1, items = 0 }).items, 2, 'user list unchanged')
t.done('quickfix_input')
