-- One of two Neovims on the same project at the same time: each saves its own chat.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local name = os.getenv('WHO')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })
vim.cmd('edit ' .. os.getenv('PROJECT') .. '/calc.py')
for i = 1, 3 do
  vim.cmd(string.format('SmallCode ask %s message %d', name, i))
  t.wait_chat('reply ' .. i)
  t.wait_idle()
end
t.ok(not t.chat_text():find('Error:', 1, true), 'no error')
t.ok(not t.chat_text():find('not saved', 1, true), 'every turn saved')
t.done('chats_two ' .. name)
