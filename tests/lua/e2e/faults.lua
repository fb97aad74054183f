-- Each fault must end in one `Error:` line, and the next message must work. Order matches the mock
-- script in tests/e2e.rs. The watchdogs end each fault in about a second; the wait for the error
-- line has the generous `t.LIMIT` (a hang catcher): how long each one took is printed, and the
-- fault matrix (tests/it/fault_matrix.rs) checks the limits themselves.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
require('smallcode').setup({
  endpoint = os.getenv('MOCK_URL'),
  timeouts = { first_token = 1, idle = 0.5, connect = 2 },
})

local faults = {
  { 'stall before first token', 'first-token timeout' },
  { 'stall mid stream', 'idle timeout' },
  { 'drop connection', 'dropped mid-stream' },
  { '503 loading', 'not ready (503' },
  { '500', 'HTTP 500: boom' },
  { 'garbage', 'not server-sent events' },
  { 'mid-stream error', 'reported an error: out of memory' },
}

for i, f in ipairs(faults) do
  local start = vim.uv.hrtime()
  vim.cmd('SmallCode ask fault ' .. f[1])
  t.wait_for('error line for ' .. f[1] .. ' (a watchdog must end it)', function() return t.count('Error:') == i end)
  t.wait_idle()
  io.stdout:write(string.format('%s: error line after %d ms\n', f[1], (vim.uv.hrtime() - start) / 1e6))
  local lines = require('smallcode.chat').lines(1)
  local last_error
  for _, l in ipairs(lines) do
    if l:find('^Error:') then last_error = l end
  end
  t.ok(
    last_error and last_error:find(f[2], 1, true),
    f[1] .. ': error says ' .. f[2] .. ', got: ' .. tostring(last_error)
  )

  vim.cmd('SmallCode ask next ' .. i)
  t.wait_chat('recovered ' .. i)
  t.wait_idle()
end
t.eq(t.count('Error:'), #faults, 'exactly one error line per fault')
t.done('faults')
