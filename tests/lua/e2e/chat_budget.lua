-- A chat message from a file window carries the editor's context: the model gets the named
-- function's code (unsaved text included), and `/budget` (typed, not sent to the model) shows
-- the split of that turn.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), provider = 'openai' })
vim.cmd('edit ' .. dir .. '/calc.py')
-- Unsaved: the model must see this line, not the file on disk.
vim.api.nvim_buf_set_lines(0, 1, 2, false, { '    return a + b  # UNSAVED' })
vim.api.nvim_win_set_cursor(0, { 2, 0 })
vim.cmd('SmallCode ask why does `add` ignore negative numbers?')
t.wait_chat('mock answer')
t.wait_idle()
local chat = require('smallcode.chat')
chat.send('/budget')
t.wait_chat('Budget of the last turn')
t.wait_idle()
local text = t.chat_text()
t.ok(text:find('## You\n/budget', 1, true), 'the command is shown as typed')
t.ok(text:find('reply reserve', 1, true), 'split shown: ' .. text)
t.ok(text:find('symbols', 1, true) and text:find('graph', 1, true), 'per-kind rows')
t.ok(not text:find('Error:', 1, true), 'no error')
t.done('chat_budget')
