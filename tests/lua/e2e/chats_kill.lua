-- The Rust process dies mid-reply (SIGKILL): after the automatic restart the next message still
-- carries the chat's history (the test checks the request), without the user doing anything.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local rpc = require('smallcode.rpc')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })
vim.cmd('edit ' .. os.getenv('PROJECT') .. '/calc.py')

vim.cmd('SmallCode ask first question')
t.wait_chat('first answer')
t.wait_idle()

vim.cmd('SmallCode ask second question')
t.wait_chat('PIECE-1')
local chan = rpc.chan()
vim.uv.kill(vim.fn.jobpid(chan), 'sigkill')
t.wait_chat('Error:')
t.wait_idle()
t.wait_for('process restarted', function() return rpc.chan() and rpc.chan() ~= chan end)

vim.cmd('SmallCode ask third question')
t.wait_chat('third answer')
t.wait_idle()
t.done('chats_kill')
