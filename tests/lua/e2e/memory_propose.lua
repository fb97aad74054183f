-- Memory the agent proposes (issue #18): a fix run whose tests passed proposes the test command
-- as a note; it is written only after `/memory accept`, and never proposed again. $PHASE:
--   first       the proposal, memory still empty, then /memory accept writes it
--   again       the same run in a new Neovim proposes nothing
--   restricted  an untrusted project (restricted mode) proposes nothing
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
local phase = os.getenv('PHASE')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), review = { auto_accept = true } })
if phase == 'restricted' then
  vim.ui.select = function(items, _, on_choice) on_choice(items[2], 2) end -- "Restricted"
end
local chat = require('smallcode.chat')
local ask = 'remember for this project?'

vim.cmd('edit ' .. dir .. '/calc.py')
vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_idle()

if phase == 'first' then
  t.ok(t.chat_text():find('check tests: ok', 1, true), 'the tests ran and passed')
  t.wait_chat(ask)
  t.ok(t.chat_text():find('The tests run with `python3', 1, true), 'the test command is proposed')
  t.eq(t.count(ask), 1, 'one proposal')
  chat.send('/memory list', 1)
  t.wait_chat('No notes for this project yet')
  t.wait_idle()
  chat.send('/memory accept', 1)
  t.wait_chat('Remembered as note 1')
  t.wait_idle()
  chat.send('/memory list', 1)
  t.wait_chat('1. The tests run with `python3')
  t.wait_idle()
  chat.send('/memory accept', 1)
  t.wait_chat('Nothing to accept')
  t.wait_idle()
else
  t.ok(not t.chat_text():find(ask, 1, true), 'nothing proposed (' .. phase .. ')')
  chat.send('/memory accept', 1)
  t.wait_chat('Nothing to accept')
  t.wait_idle()
end
t.done('memory_propose')
