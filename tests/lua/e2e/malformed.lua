-- Malformed calls are refused with a message naming the method and the field (never read with a
-- default), and the process keeps working. A request gets an error reply; a notification shows
-- the error in the chat it names, else through vim.notify.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })

local warnings, errors = {}, {}
local notify = vim.notify
vim.notify = function(msg, level, opts)
  if level == vim.log.levels.WARN then table.insert(warnings, msg) end
  if level == vim.log.levels.ERROR then table.insert(errors, msg) end
  return notify(msg, level, opts)
end

local rpc = require('smallcode.rpc')
local chan = rpc.ensure()

-- Requests: the error reply names the field.
local ok, err = pcall(vim.rpcrequest, chan, 'hello', { config = vim.empty_dict(), nvim = 'x' })
t.ok(not ok, 'hello without protocol is refused')
t.ok(tostring(err):find('hello: missing field `protocol`', 1, true), 'missing field named: ' .. tostring(err))
ok, err = pcall(vim.rpcrequest, chan, 'hello', { protocol = rpc.PROTOCOL, config = vim.empty_dict(), nvim = 11 })
t.ok(not ok, 'hello with a number for nvim is refused')
t.ok(
  tostring(err):find('hello: nvim: invalid type: integer `11`, expected a string', 1, true),
  'wrong type named: ' .. tostring(err)
)
t.eq(vim.rpcrequest(chan, 'ping'), 'pong', 'the process still answers')

-- Notifications that name a chat: the error shows there.
require('smallcode.chat').open(1)
vim.rpcnotify(chan, 'chat_send', { chat = 1 })
t.wait_chat('Error: chat_send: missing field `text`')
vim.rpcnotify(chan, 'agent_run', {
  chat = 1,
  text = 'Fix the bug.',
  root = vim.fn.getcwd(),
  buffers = {},
  errors = {},
  edit_format = 'diff',
})
t.wait_chat('Error: agent_run: edit_format: unknown variant `diff`, expected `whole` or `tools`')

-- Notifications that name none: a warning.
vim.rpcnotify(chan, 'chat_send', { text = 'hi' })
t.wait_for('a warning', function() return #warnings >= 1 end)
t.ok(warnings[1]:find('(smallcode) chat_send: missing field `chat`', 1, true), 'warning: ' .. warnings[1])
vim.rpcnotify(chan, 'graph_start', { root = 5 })
t.wait_for('a second warning', function() return #warnings >= 2 end)
t.ok(warnings[2]:find('graph_start: root: invalid type: integer `5`', 1, true), 'warning: ' .. warnings[2])

-- The same process still serves valid calls: the handshake, then a chat turn.
rpc.reconfigure()
t.eq(errors, {}, 'the valid hello was accepted')
vim.cmd('SmallCode ask still there?')
t.wait_chat('still here')
t.wait_idle()
t.eq(rpc.chan(), chan, 'the process was never restarted')
t.eq(#warnings, 2, 'no other warning')
t.done('malformed')
