-- Keys never reach the log or a saved chat: the user pastes one, the model repeats it, the
-- project's tests print one; the Rust test then greps the log and the data directory.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({
  endpoint = os.getenv('MOCK_URL'),
  -- The LLM key comes from a variable whose name does not say it is one.
  api_key_env = 'MYLLM_CRED',
  review = { auto_accept = true },
})
vim.cmd('edit ' .. dir .. '/calc.py')

vim.cmd('SmallCode ask why does the test print ' .. os.getenv('MYLLM_CRED') .. ' sometimes?')
t.wait_chat('It prints')
t.wait_idle()

vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_idle()
local text = t.chat_text()
t.ok(text:find('check tests: ok', 1, true), 'the tests ran (and printed the key)')
t.ok(text:find('calc.py: +1 -1 lines', 1, true), 'the fix landed')

vim.cmd('SmallCode ask thanks')
t.wait_chat('welcome')
t.wait_idle()
t.done('secrets')
