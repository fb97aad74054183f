-- Chats survive Neovim: phase 1 asks and quits; phase 2 (a new Neovim, same data directory)
-- runs `:SmallCode resume last`, finds the transcript and asks again (the test checks that the
-- request carries the earlier turn).
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })
vim.cmd('edit ' .. dir .. '/calc.py')

if os.getenv('PHASE') == '1' then
  vim.cmd('SmallCode ask remember the number 42')
  t.wait_chat('ok, 42')
  t.wait_idle()
  t.done('chats_resume phase 1')
end

vim.cmd('SmallCode resume last')
local text = t.chat_text()
t.ok(text:find('## You\nremember the number 42', 1, true), 'the earlier message is back')
t.ok(text:find('ok, 42', 1, true), 'and its reply')
t.ok(text:find('> resumed: 1 turn', 1, true), 'said once')
vim.cmd('SmallCode ask which number was it?')
t.wait_chat('it was 42')
t.wait_idle()
t.ok(not t.chat_text():find('Error:', 1, true), 'no error')
t.done('chats_resume phase 2')
