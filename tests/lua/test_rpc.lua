-- smallcode.rpc against a fake process (tests/lua/fake_server.lua): handshake, protocol mismatch,
-- a process that dies or hangs on hello, crash reporting, automatic restart and its crash-loop guard.
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/helpers.lua')
h.setup('rpc')

local notes = h.capture_notify()
local sc = require('smallcode')
local rpc = require('smallcode.rpc')
local chat = require('smallcode.chat')
local function find_note(part)
  for _, n in ipairs(notes) do
    if n.msg:find(part, 1, true) then return n end
  end
end

-- Handshake ------------------------------------------------------------------
vim.env.SMALLCODE_LOG_LEVEL = nil
sc.setup({
  bin = h.fake_bin({ FAKE_LOG = '/tmp/fake.log' }),
  endpoint = 'http://127.0.0.1:9',
  log_level = 'debug',
  keys = { stop = false },
})
h.eq(rpc.chan(), nil, 'not started by setup()')
local chan = rpc.ensure()
h.eq(rpc.chan(), chan, 'chan() after ensure()')
h.eq(rpc.ensure(), chan, 'ensure() is idempotent')
local info = rpc.info()
h.eq(info.version, '0.0.0-fake', 'version from hello')
h.eq(info.log_file, '/tmp/fake.log', 'log_file from hello')
h.ok(type(info.pid) == 'number' and info.pid > 0, 'pid known')
local hello = rpc.request('last_hello')
h.eq(hello.protocol, 3, 'protocol sent')
h.eq(hello.nvim, tostring(vim.version()), 'nvim version sent')
h.eq(hello.config.endpoint, 'http://127.0.0.1:9', 'config sent')
h.eq(hello.config.keys, nil, 'UI keys not sent')
h.eq(rpc.request('ping'), 'pong', 'ping')
h.eq(rpc.request('log_level'), 'debug', 'config.log_level reaches the process as $SMALLCODE_LOG_LEVEL')
local err = h.raises(function() rpc.request('nope') end)
h.contains(err, '(smallcode) nope request failed', 'failed requests are named')

-- setup() after start re-sends the config.
sc.setup({ bin = rpc.info().bin, model = 'late' })
h.eq(rpc.chan(), chan, 'same process after setup()')
h.eq(rpc.request('last_hello').config.model, 'late', 'hello re-sent with the new config')

-- Crash: reported with exit code and stderr, busy chat gets an Error line, restart follows.
local old_pid = rpc.info().pid
chat.send('crash')
h.wait_for(function() return find_note('exited unexpectedly') end, nil, 'crash reported')
local note = find_note('exited unexpectedly')
h.eq(note.level, vim.log.levels.ERROR, 'crash is an error')
h.contains(note.msg, 'exit code 3', 'exit code in the report')
h.contains(note.msg, 'thread main panicked: boom', 'stderr tail in the report')
h.contains(table.concat(rpc.stderr_tail(), '\n'), 'panicked: boom', 'stderr_tail()')
local lines = chat.lines(1)
h.eq(vim.list_slice(lines, #lines - 2), { 'partial', 'Error: smallcode process exited (exit code 3)', '' }, 'chat told')
h.ok(not chat.busy(1), 'chat no longer busy')
h.wait_for(function() return rpc.chan() ~= nil end, nil, 'restarted automatically')
h.ok(rpc.info().pid ~= old_pid, 'a new process')
h.eq(rpc.request('ping'), 'pong', 'the new process answers')

-- Crash loop: three automatic restarts per 30 s, then stop and say so.
for i = 2, 4 do
  h.wait_for(function() return rpc.chan() ~= nil end, nil, 'running before crash ' .. i)
  chat.send('crash')
  h.wait_for(function() return not chat.busy(1) end, nil, 'crash ' .. i .. ' seen')
end
h.wait_for(function() return find_note('not restarting') end, nil, 'crash loop guard')
-- A restart would have been scheduled (vim.schedule) by the exit handler that noted the guard.
h.settle()
h.eq(rpc.chan(), nil, 'no restart after the guard tripped')
h.contains(find_note('not restarting').msg, ':SmallCode restart', 'says what to do')

-- A manual restart resets the guard.
rpc.restart()
h.ok(rpc.chan() ~= nil, 'manual restart works')
local stopped = rpc.chan()
rpc.stop()
h.eq(rpc.chan(), nil, 'stopped')
-- jobwait returns once the process exited and its on_exit handler ran.
h.ok(vim.fn.jobwait({ stopped }, h.LIMIT)[1] ~= -1, 'the stopped process exited')
h.settle()
h.eq(#vim.tbl_filter(function(n) return n.msg:find('exited unexpectedly') end, notes), 4, 'stop is not a crash')

-- Protocol mismatch: refused, process stopped.
sc.setup({ bin = h.fake_bin({ FAKE_PROTOCOL = '1' }) })
err = h.raises(function() rpc.ensure() end)
h.contains(
  err,
  '(smallcode) binary speaks protocol 1, plugin expects 3: rebuild with `cargo build --release`',
  'mismatch'
)
h.eq(rpc.chan(), nil, 'not running after a mismatch')

-- A process that dies during hello: the error carries its stderr.
sc.setup({ bin = h.fake_bin({ FAKE_MODE = 'die_on_hello' }) })
err = h.raises(function() rpc.ensure() end)
h.contains(err, 'failed the hello handshake', 'hello failure')
h.contains(err, 'fake: refusing hello\nfake: second line', 'stderr tail in the error')
h.eq(rpc.chan(), nil, 'not running')

-- A process that never answers hello is stopped by the watchdog instead of freezing Neovim.
sc.setup({ bin = h.fake_bin({ FAKE_MODE = 'mute_hello' }) })
rpc.hello_timeout_ms = 300
local t0 = vim.uv.hrtime()
err = h.raises(function() rpc.ensure() end)
h.contains(err, 'did not answer hello within 0.3 s', 'watchdog message')
-- The message says the watchdog fired; the time is only checked against a hang.
h.ok((vim.uv.hrtime() - t0) / 1e6 < h.LIMIT, 'watchdog fired, no hang')

-- VimLeavePre stops the process without a crash report.
sc.setup({ bin = h.fake_bin({}) })
local leaving = rpc.ensure()
local count = #notes
vim.api.nvim_exec_autocmds('VimLeavePre', {})
h.eq(rpc.chan(), nil, 'stopped on VimLeavePre')
h.ok(vim.fn.jobwait({ leaving }, h.LIMIT)[1] ~= -1, 'the process exited')
h.settle()
h.eq(#notes, count, 'no notification on exit')

h.done()
