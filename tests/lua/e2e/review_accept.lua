-- Review (tools format, untrusted project, so the change is not `verified`): the change set is
-- shown as two pending hunks and the buffer does not change; accepting the first lands it alone
-- (one undo step), re-checks the accepted part in Rust and keeps the second pending; rejecting
-- the second leaves its lines as they were.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
t.ok(type(require('smallcode').statusline()) == 'string', 'statusline before anything runs')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), edit_format = 'tools' })

vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()
local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)

vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_idle()
-- The chat took the cursor (its input window): back to the file.
vim.api.nvim_set_current_win(vim.fn.bufwinid(buf))
local text = t.chat_text()
t.ok(not ('\n' .. text):find('\nError:'), 'no error line')
t.ok(text:find('change 1 (', 1, true), 'the change set is announced')
t.ok(text:find('calc.py: hunk 1 at line 2 (+1 -1), hunk 2 at line 6 (+1 -1)', 1, true), 'files and hunks listed')
t.ok(text:find('review in the buffer:', 1, true), 'the keys are shown')

-- Nothing changed yet; two hunks are pending and drawn.
t.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), before, 'the buffer is unchanged')
t.ok(not vim.bo[buf].modified, 'not modified')
local pending = require('smallcode').review.pending()
t.eq(#pending, 2, 'two hunks pending')
t.eq(pending[1], { bufnr = buf, path = dir .. '/calc.py', start_line = 2, end_line = 2, status = 'pending' }, 'first')
t.eq({ pending[2].start_line, pending[2].end_line }, { 6, 6 }, 'second')
local ns = vim.api.nvim_get_namespaces().smallcode_review
local virt, signs = {}, 0
for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
  for _, l in ipairs(m[4].virt_lines or {}) do
    virt[#virt + 1] = vim.trim(l[1][1])
  end
  if m[4].sign_text then signs = signs + 1 end
end
t.eq(virt, { 'return a + b', 'return b * a' }, 'the added lines are virtual lines')
t.eq(signs, 2, 'a sign per hunk')
t.ok(require('smallcode').statusline():find('2 hunks', 1, true), 'statusline counts the hunks')
t.ok(vim.fn.maparg(']h', 'n', false, true).buffer == 1, ']h is mapped in the buffer')

-- Accept the first hunk only.
vim.api.nvim_win_set_cursor(0, { 2, 0 })
vim.cmd('SmallCode accept')
t.eq(vim.api.nvim_buf_get_lines(buf, 1, 2, false), { '    return a + b' }, 'the first hunk landed')
t.eq(vim.api.nvim_buf_get_lines(buf, 5, 6, false), { '    return a * b' }, 'the second did not')
t.eq(#require('smallcode').review.pending(), 1, 'the second stays pending')
t.wait_chat('landed calc.py: +1 -1 lines (one undo step; not saved): hunk 1 of 2')
t.wait_chat('re-check of change 1 (1 of 2 hunks accepted): pass — py_compile: ok')

-- Reject the second (found with ]h).
vim.api.nvim_win_set_cursor(0, { 3, 0 })
vim.cmd('normal ]h')
t.eq(vim.api.nvim_win_get_cursor(0)[1], 6, ']h moves to the pending hunk')
vim.cmd('SmallCode reject')
t.eq(vim.api.nvim_buf_get_lines(buf, 5, 6, false), { '    return a * b' }, 'rejected: unchanged')
t.eq(#require('smallcode').review.pending(), 0, 'nothing pending')
t.wait_chat('change 1 reviewed: 1 of 2 hunk(s) accepted, 1 rejected')
t.ok(vim.fn.maparg(']h', 'n', false, true).buffer ~= 1, 'the review keys are gone')

-- The accepted hunk is one undo step.
vim.api.nvim_buf_call(buf, function() vim.cmd('silent undo') end)
t.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), before, 'one undo restores the buffer')
t.done('review_accept')
