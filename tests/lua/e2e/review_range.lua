-- Fix on a range: a visual selection through <Plug>(SmallCodeFix) sends the range and only the
-- ERROR diagnostics inside it; in normal mode the definition under the cursor is the range;
-- from the chat window, fix works on the last file window.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })
local ns = vim.api.nvim_create_namespace('fake-lsp')
local E = vim.diagnostic.severity.ERROR

local sent = {}
local rpc = require('smallcode.rpc')
local notify = rpc.notify
rpc.notify = function(method, p)
  if method == 'agent_run' then sent[#sent + 1] = vim.deepcopy(p) end
  return notify(method, p)
end

vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()
vim.diagnostic.set(ns, buf, {
  { lnum = 1, col = 4, severity = E, message = 'fake-lsp: inside the range' },
  { lnum = 5, col = 4, severity = E, message = 'fake-lsp: outside the range' },
})
vim.keymap.set({ 'n', 'x' }, '<F5>', '<Plug>(SmallCodeFix)')

-- Visual lines 1-2.
vim.api.nvim_win_set_cursor(0, { 1, 0 })
vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('Vj<F5>', true, false, true), 'x', false)
t.wait_for('the first run', function() return #sent == 1 end)
t.eq(sent[1].range, { path = dir .. '/calc.py', line1 = 1, line2 = 2 }, 'the range is sent')
t.eq(#sent[1].errors, 1, 'one diagnostic')
t.eq(sent[1].errors[1].text, 'fake-lsp: inside the range', 'only the one inside the range')
t.ok(sent[1].text:find('In calc.py, lines 1-2:', 1, true), 'the lines are quoted')
t.wait_idle()
if require('smallcode').review.count() > 0 then vim.cmd('SmallCode reject all') end

-- Normal mode: the definition under the cursor (mul, lines 5-6).
vim.api.nvim_set_current_win(vim.fn.bufwinid(buf))
vim.api.nvim_win_set_cursor(0, { 6, 4 })
vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<F5>', true, false, true), 'x', false)
t.wait_for('the second run', function() return #sent == 2 end)
t.eq({ sent[2].range.line1, sent[2].range.line2 }, { 5, 6 }, 'the definition under the cursor')
t.eq(sent[2].errors[1].text, 'fake-lsp: outside the range', 'its diagnostic')
t.wait_idle()
if require('smallcode').review.count() > 0 then vim.cmd('SmallCode reject all') end

-- From the chat's input window: the file window the chat came from.
vim.cmd('SmallCode open')
t.ok(vim.bo.buftype ~= '', 'in the chat')
vim.cmd('SmallCode fix the add function')
t.wait_for('the third run', function() return #sent == 3 end)
t.ok(sent[3].text:find('File: calc.py', 1, true), 'the request names the file: ' .. sent[3].text)
t.eq(sent[3].range, nil, 'no range')
t.eq(sent[3].buffers[1].path, dir .. '/calc.py', 'its buffer goes along')
t.wait_idle()
t.done('review_range')
