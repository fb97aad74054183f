-- :SmallCode fix where the model's first answer only fools the request's example: it answers
-- True for every input. With auto_accept on, it must not land; the chat says why, and the
-- right fix that follows lands verified in the buffer (unsaved, the file on disk untouched).
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), review = { auto_accept = true } })

vim.cmd('edit ' .. dir .. '/words.py')
local buf = vim.api.nvim_get_current_buf()
vim.cmd(
  [[SmallCode fix is_palindrome in words.py should ignore spaces: `is_palindrome('Never odd or even')` returns True.]]
)
t.wait_idle()
local text = t.chat_text()
t.ok(text:find('returns True for every input tried', 1, true), 'the constant answer is refused with the reason')
t.ok(text:find('verified', 1, true), 'the right fix is labelled verified')
local code = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
t.ok(not code:find('n >= 0', 1, true), 'the answer that fools the example never reached the buffer')
t.ok(code:find("replace(' ', '')", 1, true), 'the right fix is in the buffer')
t.ok(vim.bo[buf].modified, 'a buffer change, not saved')
local disk = table.concat(vim.fn.readfile(dir .. '/words.py'), '\n')
t.ok(not disk:find("replace(' ', '')", 1, true), 'file on disk untouched')
t.done('agent_probe')
