local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
-- Watchdogs far beyond the test's wait for the disconnect (90 s in tests/it/e2e.rs): only the
-- stop can drop the stalled request in time.
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), timeouts = { first_token = 900, idle = 900 } })

vim.cmd('SmallCode ask tell me a long story')
t.wait_chat('partial answer')
t.ok(require('smallcode.chat').busy(1), 'turn in flight while the server stalls')
local chan = require('smallcode.rpc').chan()
vim.cmd('SmallCode stop')
t.wait_chat('[cancelled]')
t.wait_idle()
-- The test (Rust) waits for the mock server to see the stalled request's connection close and
-- only then signals: the request was dropped by the stop, while this Neovim and its process run.
t.wait_signal('disconnect-seen', 150000)
t.eq(require('smallcode.rpc').chan(), chan, 'the same process is still running (the stop dropped the request)')

vim.cmd('SmallCode ask and now?')
t.wait_chat('after cancel')
t.wait_idle()
t.ok(not t.chat_text():find('Error:', 1, true), 'no error line after a cancel')
t.done('cancel')
