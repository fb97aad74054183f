-- One real question to the real small model; the reply must stream in and finish without error.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), max_tokens = 96, timeouts = { first_token = 120 } })

vim.cmd('SmallCode ask Write a Python function add(a, b) that returns the sum of a and b.')
t.wait_idle(200000)
local text = t.chat_text()
t.ok(not text:find('Error:', 1, true), 'no error line')
t.ok(
  text:find('llama.cpp · SmolLM2-135M-Instruct · ctx 2048', 1, true)
    or require('smallcode.chat').winbar(1):find('ctx 2048', 1, true),
  'probed context shown'
)
local reply = text:match('## smallcode\n(.*)$') or ''
reply = reply:gsub('^> [^\n]*\n', '')
t.ok(#vim.trim(reply) > 0, 'the model replied')
io.stdout:write('reply: ' .. reply:sub(1, 300):gsub('\n', '\\n') .. '\n')
io.stdout:write('contains def: ' .. tostring(reply:find('def ', 1, true) ~= nil) .. '\n')
t.done('real_model')
