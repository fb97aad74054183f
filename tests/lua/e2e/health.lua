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
-- The running Neovim is reported against the tested versions: the tests run only on those.
local running, tested = require('smallcode.health').nvim_version()
t.ok(tested, 'the tests run on a tested version: ' .. running)
t.ok(
  text:find('Neovim ' .. running .. ': a tested version (tested: 0.11.4 and 0.12.0-dev)', 1, true),
  'checkhealth names the version and the tested ones\n' .. text
)
t.eq(require('smallcode.health').tested, { '0.11.4', '0.12.0-dev' }, 'the versions the README names')
t.done('health')
