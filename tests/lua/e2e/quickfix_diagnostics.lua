-- Neovim diagnostics as a second signal: the buffer's ERROR diagnostics go with the request, and
-- a new ERROR diagnostic in the edited lines after the edit lands starts one more round. A fake
-- diagnostic source (vim.diagnostic.set on a namespace) plays the LSP.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({
  endpoint = os.getenv('MOCK_URL'),
  review = { auto_accept = true },
  fix = { settle_ms = 600, diagnostic_rounds = 1, quickfix_input = false },
})
local ns = vim.api.nvim_create_namespace('fake-lsp')

-- Every landing goes through diagnostics.landed, which decides at once (the round cap) whether
-- to schedule a check for a feedback round (vim.defer_fn): count both, so that "no further round"
-- is read from what happened, not from a pause.
local diagnostics = require('smallcode.diagnostics')
local landings, checks_scheduled = 0, 0
local real_landed = diagnostics.landed
diagnostics.landed = function(landed)
  landings = landings + 1
  local real_defer = vim.defer_fn
  vim.defer_fn = function(fn, ms)
    checks_scheduled = checks_scheduled + 1
    return real_defer(fn, ms)
  end
  local ok, err = pcall(real_landed, landed)
  vim.defer_fn = real_defer
  if not ok then error(err, 0) end
end
local rounds = 0
local agent = require('smallcode.agent')
local real_feedback = agent.feedback
agent.feedback = function(...)
  rounds = rounds + 1
  return real_feedback(...)
end
local E = vim.diagnostic.severity.ERROR

vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()
-- Before the run: an existing error goes with the request.
vim.diagnostic.set(ns, buf, { { lnum = 1, col = 4, severity = E, message = 'fake-lsp: before the run' } })

vim.cmd('SmallCode fix the add function returns the wrong sign')
-- As soon as the edit lands, the "LSP" reports a new error on the edited line.
t.wait_for(
  'the first edit to land',
  function() return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find('return a + b', 1, true) end,
  30000
)
vim.diagnostic.set(ns, buf, {
  { lnum = 1, col = 4, severity = E, message = 'fake-lsp: before the run' },
  { lnum = 1, col = 11, severity = E, message = 'fake-lsp: new after the edit' },
  { lnum = 5, col = 0, severity = vim.diagnostic.severity.WARN, message = 'fake-lsp: only a warning' },
})
t.wait_chat('new error(s) in the diagnostics')
t.wait_idle()
local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
t.ok(text:find('return b + a', 1, true), 'the feedback round landed')
-- One feedback round only (diagnostic_rounds = 1), even though the error is still there: the
-- second landing scheduled no check, and the one check scheduled (by the first) has run.
t.wait_for('the second landing', function() return landings == 2 end)
t.eq(checks_scheduled, 1, 'only the first landing scheduled a diagnostics check')
t.eq(rounds, 1, 'one feedback round')
t.settle()
t.eq(t.count('new error(s) in the diagnostics'), 1, 'bounded by the round cap')
t.ok(not require('smallcode.chat').busy(1), 'no further round')
t.done('quickfix_diagnostics')
