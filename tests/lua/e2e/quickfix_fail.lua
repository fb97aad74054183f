-- A failing :SmallCode fix leaves the remaining checker errors in smallcode's own quickfix list,
-- with the real project paths (the checkers ran in a shadow copy); the user's list is untouched.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), fix = { diagnostics = false } })

-- The user's own list, current before the run.
vim.fn.setqflist({}, ' ', { title = 'mine', items = { { filename = dir .. '/notes.txt', lnum = 1, text = 'todo' } } })

vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()
local win = vim.api.nvim_get_current_win()
vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_idle()
t.ok(t.chat_text():find('not solved', 1, true), 'the run failed')
t.ok(
  table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find('return a - b - 1', 1, true),
  'nothing landed'
)

local id = require('smallcode.quickfix').own_id()
t.ok(id, 'a smallcode quickfix list exists')
local list = vim.fn.getqflist({ id = id, items = 0, title = 0 })
t.eq(list.title, 'smallcode', 'title')
t.ok(#list.items >= 1, 'remaining errors are listed')
local first = list.items[1]
t.eq(vim.api.nvim_buf_get_name(first.bufnr), dir .. '/calc.py', 'real project path, not the shadow tree')
t.eq(first.lnum, 2, 'line of the syntax error')
t.ok(first.text:find('SyntaxError', 1, true), 'message: ' .. first.text)

-- The user's list is still there, unchanged.
local mine
for nr = 1, vim.fn.getqflist({ nr = '$' }).nr do
  local l = vim.fn.getqflist({ nr = nr, title = 0, items = 0 })
  if l.title == 'mine' then mine = l end
end
t.ok(mine and #mine.items == 1 and mine.items[1].text == 'todo', 'user list kept')

-- A second failing run replaces smallcode's list instead of stacking another one.
local lists = vim.fn.getqflist({ nr = '$' }).nr
vim.api.nvim_set_current_win(win) -- the chat took the focus
vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_idle()
t.eq(vim.fn.getqflist({ nr = '$' }).nr, lists, 'no new list on the stack')
t.done('quickfix_fail')
