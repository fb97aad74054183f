-- :checkhealth smallcode against the mock: binary, ping, endpoint, model and probed context.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })
vim.cmd('checkhealth smallcode')
local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
for _, want in ipairs({
  'smallcode 0.1.0',
  'ping round trip: median',
  'reachable',
  'model: mock-model',
  'context size: 4096',
  'log file:',
}) do
  t.ok(text:find(want, 1, true), 'checkhealth shows ' .. want .. '\n' .. text)
end
t.ok(not text:find('ERROR', 1, true), 'no health error\n' .. text)
t.done('health')
