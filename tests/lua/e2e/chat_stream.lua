local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local provider = os.getenv('MOCK_PROVIDER')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), provider = provider })

vim.cmd('SmallCode ask hi there')
t.wait_chat('line two')
t.wait_idle()
local text = t.chat_text()
t.ok(text:find('## You\nhi there', 1, true), 'user message shown')
t.ok(text:find('Hello from mock\nline two', 1, true), 'streamed reply lands in order')
t.ok(not text:find('Error:', 1, true), 'no error line')

local chat = require('smallcode.chat').get(1)
local name = vim.api.nvim_buf_get_name(chat.buf)
t.ok(name:find('^smallcode://chat'), 'chat buffer name: ' .. name)
t.eq(vim.bo[chat.buf].filetype, 'markdown', 'chat filetype')
local winbar = require('smallcode.chat').winbar(1)
local kind = provider == 'ollama' and 'Ollama' or 'llama.cpp'
t.ok(winbar:find(kind .. ' · mock-model · ctx 4096', 1, true), 'winbar shows server, model, ctx: ' .. winbar)

vim.cmd('SmallCode ask again')
t.wait_chat('second reply')
t.wait_idle()
t.done('chat_stream ' .. provider)
