-- `#symbol:NAME` in a message sends that definition whole; `#sym` completes in the input.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })
vim.cmd('edit ' .. dir .. '/calc.py')

vim.cmd('SmallCode ask what does #symbol:total do?')
t.wait_chat('it sums')
t.wait_idle()
t.ok(not t.chat_text():find('Error:', 1, true), 'no error')

-- The graph knows the name now: completion offers it.
local items = require('smallcode.complete').items('#symbol:to')
t.eq(vim.tbl_map(function(i) return i.word end, items), { '#symbol:total' }, 'symbol completion')
t.done('chats_symbol')
