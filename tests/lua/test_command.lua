-- :SmallCode: completion, dispatch, errors, and the subcommands against a fake process
-- (tests/lua/fake_server.lua standing in for the Rust binary).
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/helpers.lua')
h.setup('command')

local notes = h.capture_notify()
local function last_note() return notes[#notes] and notes[#notes].msg or '' end

-- Start-up is light: the command exists, nothing heavy is loaded.
h.eq(vim.fn.exists(':SmallCode'), 2, ':SmallCode defined')
h.eq(vim.g.loaded_smallcode, 1, 'load guard set')
for _, m in ipairs({
  'smallcode',
  'smallcode.rpc',
  'smallcode.chat',
  'smallcode.health',
  'smallcode.config',
  'smallcode.review',
  'smallcode.agent',
}) do
  h.eq(package.loaded[m], nil, m .. ' not loaded at start-up')
end

-- <Plug> mappings exist; no key is mapped globally.
for _, name in ipairs({ 'Open', 'Fix', 'Accept', 'Reject', 'AcceptAll', 'RejectAll', 'Next', 'Prev' }) do
  h.ok(vim.fn.maparg('<Plug>(SmallCode' .. name .. ')', 'n') ~= '', '<Plug>(SmallCode' .. name .. ')')
end
h.ok(vim.fn.maparg('<Plug>(SmallCodeFix)', 'x') ~= '', '<Plug>(SmallCodeFix) in visual mode')
for _, mode in ipairs({ 'n', 'x', 'i' }) do
  for _, m in ipairs(vim.api.nvim_get_keymap(mode)) do
    h.ok(
      not (m.rhs or ''):find('smallcode') and not (m.desc or ''):find('^smallcode') or m.lhs:find('^<Plug>'),
      'no global key: ' .. m.lhs
    )
  end
end
for _, group in ipairs({ 'SmallCodeAdd', 'SmallCodeDelete', 'SmallCodeConflict' }) do
  h.ok(vim.api.nvim_get_hl(0, { name = group }).link ~= nil, group .. ' is linked')
end
h.eq(require('smallcode').statusline(), 'smallcode · off', 'statusline with nothing running')
h.eq(package.loaded['smallcode.rpc'], nil, 'the statusline loads nothing')

-- Completion -----------------------------------------------------------------
local all = {
  'open',
  'ask',
  'resume',
  'chats',
  'model',
  'fix',
  'trust',
  'untrust',
  'accept',
  'reject',
  'undo',
  'graph',
  'stop',
  'log',
  'restart',
  'status',
  'health',
}
h.eq(vim.fn.getcompletion('SmallCode ', 'cmdline'), all, 'all subcommands complete')
h.eq(vim.fn.getcompletion('SmallCode rest', 'cmdline'), { 'restart' }, 'prefix completion')
h.eq(vim.fn.getcompletion('SmallCode st', 'cmdline'), { 'stop', 'status' }, 'several matches')
h.eq(vim.fn.getcompletion('SmallCode ask ', 'cmdline'), {}, 'no completion for free text')
h.eq(vim.fn.getcompletion('SmallCode accept ', 'cmdline'), { 'all' }, 'accept [all]')
h.eq(vim.fn.getcompletion('SmallCode reject a', 'cmdline'), { 'all' }, 'reject [all]')
h.eq(require('smallcode.command').names(), all, 'names from the table')
h.eq(package.loaded['smallcode.rpc'], nil, 'completion loads no heavy module')

-- Errors ---------------------------------------------------------------------
vim.cmd('SmallCode frobnicate')
h.eq(
  last_note(),
  "(smallcode) unknown subcommand 'frobnicate'; valid: open, ask, resume, chats, model, fix, trust, untrust, accept, reject, undo, graph, stop, log, restart, status, health",
  'unknown subcommand lists the valid ones'
)
h.eq(notes[#notes].level, vim.log.levels.ERROR, 'as an error')
vim.cmd('SmallCode ask   ')
h.contains(last_note(), '(smallcode) ask: missing text', 'ask needs text')
vim.cmd('SmallCode accept')
h.eq(last_note(), '(smallcode) no hunks to review in this buffer', 'accept with nothing to review')
vim.cmd('SmallCode reject some')
h.contains(last_note(), "reject: unknown argument 'some'", 'reject takes only `all`')
vim.cmd('SmallCode undo')
h.eq(package.loaded['smallcode.rpc'], nil, 'undo needs no process')

-- Missing binary: nothing configured, nothing built, nothing on PATH.
local rpc = require('smallcode.rpc')
local real_root, real_path = rpc.plugin_root, vim.env.PATH
local empty = vim.fn.tempname()
vim.fn.mkdir(empty, 'p')
rpc.plugin_root = function() return empty end
vim.env.PATH = empty
local err = h.raises(function() rpc.find_bin({}) end)
h.eq(
  err,
  '(smallcode) smallcode binary not found: run `cargo build --release` in '
    .. empty
    .. ' (or set config.bin / $SMALLCODE_BIN)',
  'missing binary says how to build'
)
vim.cmd('SmallCode status')
h.contains(last_note(), 'cargo build --release', 'the command reports it')
rpc.plugin_root, vim.env.PATH = real_root, real_path
h.eq(rpc.plugin_root(), h.root, 'plugin root found from the module path')

require('smallcode').setup({ bin = '/nonexistent/smallcode' })
err = h.raises(function() rpc.ensure() end)
h.eq(err, "(smallcode) config.bin '/nonexistent/smallcode' is not an executable file", 'bad config.bin named')

-- Against the fake process -----------------------------------------------------
local log_file = vim.fn.tempname() .. '.log'
vim.fn.writefile({ 'fake log line' }, log_file)
require('smallcode').setup({ bin = h.fake_bin({ FAKE_LOG = log_file }), model = 'm1' })

-- No subcommand opens the chat (and starts the process in the background).
vim.cmd('SmallCode')
local chat = require('smallcode.chat')
local c = chat.get(1)
h.ok(c and vim.api.nvim_win_is_valid(c.win), 'chat window open')
h.wait_for(function() return rpc.chan() end, nil, 'process started by :SmallCode')
h.eq(rpc.request('last_hello').config.model, 'm1', 'hello carried the config')
h.eq(rpc.request('last_hello').protocol, 3, 'hello carried the protocol')
h.ok(require('smallcode').statusline():find('idle', 1, true), 'statusline: ' .. require('smallcode').statusline())

-- ask sends exactly the text typed, spaces and bars included.
vim.cmd('SmallCode ask why  does | this fail?')
h.wait_for(function() return not chat.busy(1) end, nil, 'reply finished')
local lines = chat.lines(1)
h.eq(vim.list_slice(lines, 1, 5), { '## You', 'why  does | this fail?', '', '## smallcode', 'Hello' }, 'ask text')
h.eq(c.status, 'fake · fake-model · ctx 8192', 'status event arrived')

-- Saved chats complete by title (spaces and all), and list.
h.eq(vim.fn.getcompletion('SmallCode resume ', 'cmdline'), { 'last', 'fix the add bug' }, 'resume: last and titles')
h.eq(vim.fn.getcompletion('SmallCode resume fix the a', 'cmdline'), { 'add bug' }, 'the rest of a title')
h.eq(vim.fn.getcompletion('SmallCode chats ', 'cmdline'), { 'delete', 'list' }, 'chats: delete and list')
h.eq(vim.fn.getcompletion('SmallCode chats delete f', 'cmdline'), { 'fix the add bug' }, 'chats delete: titles')
h.contains(vim.fn.execute('SmallCode chats list'), 'fix the add bug  (3 turns)', 'chats list')

-- status prints endpoint, model and context.
local echoed = vim.fn.execute('SmallCode status')
h.contains(echoed, 'endpoint: http://127.0.0.1:8080', 'status endpoint')
h.contains(echoed, 'model: fake-model', 'status model')
h.contains(echoed, 'context: 8192', 'status context')

-- log opens the log file reported by hello.
vim.cmd('SmallCode log')
h.eq(vim.api.nvim_buf_get_name(0), vim.fn.fnamemodify(log_file, ':p'), 'log file opened')
h.eq(vim.api.nvim_buf_get_lines(0, 0, -1, false), { 'fake log line' }, 'log content')
vim.cmd('close')

-- stop with a reply in flight.
vim.cmd('SmallCode ask hang')
h.wait_for(function() return chat.lines(1)[#chat.lines(1)] == 'thinking' end, nil, 'hanging reply started')
vim.cmd('SmallCode stop')
h.wait_for(function() return not chat.busy(1) end, nil, 'stopped')
h.eq(vim.list_slice(chat.lines(1), #chat.lines(1) - 2), { 'thinking', '[cancelled]', '' }, 'cancelled shown')

-- restart gives a new process.
local pid = rpc.info().pid
vim.cmd('SmallCode restart')
h.ok(rpc.info().pid ~= pid, 'new pid after restart')

-- health runs the checks: ping and status through the fake process.
vim.cmd('SmallCode health')
local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
h.contains(report, 'ping round trip: median', 'health pings')
h.contains(report, 'model: fake-model', 'health reports the model')
h.contains(report, 'context size: 8192 tokens', 'health reports the context')
h.contains(report, 'log file: ' .. log_file, 'health reports the log file')
h.ok(not report:find('ERROR'), 'no health errors:\n' .. report)

rpc.stop()
h.done()
