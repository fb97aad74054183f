-- :SmallCode fix on a real project: the mock plays the model, python3 checks, the verified edit
-- lands in the buffer (unsaved, one undo step), the file on disk is untouched.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), review = { auto_accept = true } })

vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()
-- An unsaved change the agent must see (and keep): a comment on the first line.
vim.api.nvim_buf_set_lines(buf, 0, 0, false, { '# unsaved note' })
local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)

vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_idle()
local text = t.chat_text()
t.ok(not ('\n' .. text):find('\nError:'), 'no error line')
t.ok(text:find('check tests: ok', 1, true), 'the improvement loop ran the tests')
t.ok(text:find('calc.py: +1 -1 lines (one undo step', 1, true), 'chat reports the applied edit')

local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
t.eq(after[1], '# unsaved note', 'unsaved text kept')
t.ok(table.concat(after, '\n'):find('return a + b', 1, true), 'buffer has the fix')
t.ok(vim.bo[buf].modified, 'edit is a buffer change, not saved')
local disk = table.concat(vim.fn.readfile(dir .. '/calc.py'), '\n')
t.ok(disk:find('return a - b', 1, true), 'file on disk untouched')

vim.api.nvim_buf_call(buf, function() vim.cmd('silent undo') end)
t.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), before, 'one undo step restores the buffer')
t.done('agent_fix')
