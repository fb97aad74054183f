-- A fix run joins the chat's history: the next chat message's request carries its outcome.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), review = { auto_accept = true } })
vim.cmd('edit ' .. dir .. '/calc.py')

vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_idle()
t.ok(t.chat_text():find('calc.py: +1 -1 lines (one undo step', 1, true), 'the fix landed')

vim.cmd('SmallCode ask now also handle negatives')
t.wait_chat('noted')
t.wait_idle()
t.ok(not ('\n' .. t.chat_text()):find('\nError:'), 'no error line')
t.done('chats_fix')
