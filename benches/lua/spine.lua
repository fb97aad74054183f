-- Spine benchmark, run inside the real headless Neovim by benches/spine.rs. Prints `name value`
-- lines on stdout. Measures what the editor feels: rpc round trips, timer jitter while a reply
-- streams, and the Rust process's memory.
local repo = os.getenv('SMALLCODE_REPO')
vim.opt.rtp:prepend(repo)
vim.cmd('runtime plugin/smallcode.lua')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), max_tokens = 100000 })
local rpc = require('smallcode.rpc')
local chan = rpc.ensure()

local function pct(xs, p)
  local s = vim.deepcopy(xs)
  table.sort(s)
  return s[math.max(1, math.ceil(#s * p))]
end
local function out(name, v) io.stdout:write(string.format('%s %.4f\n', name, v)) end

-- 1. rpc ping round trip (µs)
for _ = 1, 200 do vim.rpcrequest(chan, 'ping') end
local rtt = {}
for _ = 1, 5000 do
  local t0 = vim.uv.hrtime()
  vim.rpcrequest(chan, 'ping')
  rtt[#rtt + 1] = (vim.uv.hrtime() - t0) / 1e3
end
out('ping_p50_us', pct(rtt, 0.5))
out('ping_p99_us', pct(rtt, 0.99))

-- 2. idle RSS of the Rust process (MB)
local function rss_mb()
  local f = io.open('/proc/' .. vim.fn.jobpid(chan) .. '/status')
  if not f then return -1 end
  local kb = f:read('*a'):match('VmRSS:%s+(%d+)')
  f:close()
  return tonumber(kb) / 1024
end
vim.wait(1000)
out('idle_rss_mb', rss_mb())

-- 3. jitter of a 1 ms timer (lateness in ms), idle vs while a reply streams
local function jitter(run)
  local late, last = {}, vim.uv.hrtime()
  local timer = vim.uv.new_timer()
  timer:start(1, 1, function()
    local now = vim.uv.hrtime()
    late[#late + 1] = math.max(0, (now - last) / 1e6 - 1)
    last = now
  end)
  run()
  timer:stop()
  timer:close()
  return late
end

local idle = jitter(function() vim.wait(3000, function() return false end, 1) end)
out('jitter_idle_p50_ms', pct(idle, 0.5))
out('jitter_idle_p99_ms', pct(idle, 0.99))

local chat = require('smallcode.chat')
chat.open(1)
local t0 = vim.uv.hrtime()
local streaming = jitter(function()
  chat.send('stream please', 1)
  vim.wait(120000, function() return not chat.busy(1) end, 1)
end)
local secs = (vim.uv.hrtime() - t0) / 1e9
out('jitter_stream_p50_ms', pct(streaming, 0.5))
out('jitter_stream_p99_ms', pct(streaming, 0.99))
out('jitter_stream_max_ms', pct(streaming, 1))
out('stream_seconds', secs)
local lines = vim.api.nvim_buf_line_count(chat.get(1).buf)
out('chat_lines', lines)
local text = table.concat(chat.lines(1), '\n')
out('stream_error', text:find('Error:', 1, true) and 1 or 0)
out('rss_after_stream_mb', rss_mb())

-- 4. cost of one streamed delta on a chat with thousands of messages (append-only rendering)
local ev = function(e)
  e.chat = 1
  chat.on_event(e)
end
for i = 1, 2000 do
  -- Routed as a harmless `chat_stop`, so the transcript fills without 2,000 model calls.
  chat.send('message ' .. i, 1, { method = 'chat_stop', payload = {} })
  ev({ type = 'start' })
  ev({ type = 'delta', text = 'reply ' .. i .. '\nsecond line' })
  ev({ type = 'done', elapsed_ms = 1 })
end
out('long_chat_lines', vim.api.nvim_buf_line_count(chat.get(1).buf))
local t1 = vim.uv.hrtime()
for _ = 1, 500 do
  ev({ type = 'delta', text = 'x ' })
end
out('delta_on_long_chat_ms', (vim.uv.hrtime() - t1) / 1e6 / 500)
pcall(rpc.stop)
os.exit(0)
