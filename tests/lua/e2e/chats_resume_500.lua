-- Resume time of a 500-turn chat (the test wrote it into the store): from `:SmallCode resume
-- last` to the transcript in the buffer, with the process running (warm) and before it starts
-- (cold). Prints `RESUME_MS warm-median cold lines warm-best` (9 warm runs).
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })
vim.cmd('edit ' .. os.getenv('PROJECT') .. '/calc.py')
local chat = require('smallcode.chat')

local t0 = vim.uv.hrtime()
vim.cmd('SmallCode resume last')
local cold = (vim.uv.hrtime() - t0) / 1e6
local lines = #chat.lines(1)
t.ok(lines > 500 * 20, 'the transcript is there: ' .. lines .. ' lines')

local warm = {}
for i = 1, 9 do
  local s = vim.uv.hrtime()
  vim.cmd('SmallCode resume last')
  warm[i] = (vim.uv.hrtime() - s) / 1e6
  vim.cmd('redraw')
end
table.sort(warm)
io.stdout:write(string.format('RESUME_MS %.1f %.1f %d %.1f\n', warm[5], cold, lines, warm[1]))
t.ok(t.chat_text():find('question 500', 1, true), 'the last turn is shown')
t.done('chats_resume_500')
