-- While the agent works on calc.py, the user types in it: the buffer is loaded, unmodified and
-- not current, so the request does not carry it. MODE=top adds a line at the top (the change is
-- rebased onto it and both survive); MODE=overlap edits the very line the agent changes (the
-- hunk becomes a conflict and is never applied, not even by accept all).
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
local mode = os.getenv('MODE')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), fix = { diagnostics = false } })

vim.cmd('edit ' .. dir .. '/calc.py')
local calc = vim.api.nvim_get_current_buf()
vim.cmd('edit ' .. dir .. '/other.py')
t.ok(vim.api.nvim_buf_is_loaded(calc) and not vim.bo[calc].modified, 'calc.py loaded, unmodified, not current')

vim.cmd('SmallCode fix the add function in calc.py returns the wrong sign')
t.wait_chat('round 1: asking the model')
if mode == 'top' then
  vim.api.nvim_buf_set_lines(calc, 0, 0, false, { '# typed while the agent ran' })
else
  vim.api.nvim_buf_set_lines(calc, 1, 2, false, { '    return a - b  # mine' })
end
local typed = vim.api.nvim_buf_get_lines(calc, 0, -1, false)
t.wait_idle()
t.ok(not ('\n' .. t.chat_text()):find('\nError:'), 'no error line')
t.eq(vim.api.nvim_buf_get_lines(calc, 0, -1, false), typed, 'nothing changed before review')

if mode == 'top' then
  local p = require('smallcode').review.pending()
  t.eq(#p, 1, 'one hunk')
  t.eq({ p[1].start_line, p[1].status }, { 3, 'pending' }, 'moved down by the typed line')
  vim.cmd('SmallCode accept all')
  local after = vim.api.nvim_buf_get_lines(calc, 0, -1, false)
  t.eq(after[1], '# typed while the agent ran', 'the typed line survives')
  t.eq(after[3], '    return a + b', 'the fix landed')
  t.eq(#after, #typed, 'nothing else moved')
  t.wait_chat('landed calc.py: +1 -1 lines')
else
  local p = require('smallcode').review.pending()
  t.eq(#p, 1, 'one hunk')
  t.eq({ p[1].start_line, p[1].end_line, p[1].status }, { 2, 2, 'conflict' }, 'a conflict on the typed line')
  t.ok(t.chat_text():find('conflict: you changed these lines meanwhile', 1, true), 'said in the chat')
  vim.cmd('SmallCode accept all')
  t.eq(vim.api.nvim_buf_get_lines(calc, 0, -1, false), typed, 'accept all does not apply a conflict')
  t.wait_chat('1 conflicting hunk(s) left for review')
  vim.api.nvim_set_current_buf(calc)
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  -- :SmallCode reports the refusal as an error message (an exception inside vim.cmd here).
  local ok, err = pcall(vim.cmd, 'SmallCode accept')
  t.ok(not ok and tostring(err):find('never applied', 1, true), 'refused: ' .. tostring(err))
  t.eq(vim.api.nvim_buf_get_lines(calc, 0, -1, false), typed, 'nor does accepting it under the cursor')
  vim.cmd('SmallCode reject')
  t.eq(#require('smallcode').review.pending(), 0, 'rejected')
  t.eq(vim.api.nvim_buf_get_lines(calc, 0, -1, false), typed, 'the typed line is never reverted')
end
t.done('review_typing ' .. mode)
