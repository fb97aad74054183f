-- Chat UI: layout, winbar, sending from the input buffer, and how every event kind renders.
-- The rpc module is stubbed: this test never starts a process (test_rpc.lua does).
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/helpers.lua')
h.setup('chat_render')

local sent = {}
-- Every message names its stored chat (`session`, `project`): checked apart, so the rest of each
-- payload is compared whole.
local sessions = {}
local requests = {}
local replies = {}
package.loaded['smallcode.rpc'] = {
  chan = function() return 42 end,
  ensure = function() return 42 end,
  notify = function(method, params)
    local p = vim.deepcopy(params)
    table.insert(sessions, { session = p.session, project = p.project })
    p.session, p.project = nil, nil
    table.insert(sent, { method, p })
  end,
  request = function(method, params)
    table.insert(requests, { method, params })
    return replies[method]
  end,
}
local notes = h.capture_notify()

local chat = require('smallcode.chat')
local function ev(e)
  e.chat = e.chat or 1
  chat.on_event(e)
end
local function lines() return chat.lines(1) end
local function tail(n)
  local l = lines()
  return vim.list_slice(l, #l - n + 1, #l)
end
local function feed(keys) vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'x', false) end

-- Layout ---------------------------------------------------------------------
local first_win = vim.api.nvim_get_current_win()
local info = chat.open()
h.eq(vim.api.nvim_buf_get_name(info.buf), 'smallcode://chat/1', 'chat buffer name')
h.eq(vim.api.nvim_buf_get_name(info.input_buf), 'smallcode://input/1', 'input buffer name')
h.eq(vim.bo[info.buf].buftype, 'nofile', 'buftype')
h.eq(vim.bo[info.buf].filetype, 'markdown', 'filetype')
h.eq(vim.bo[info.buf].bufhidden, 'hide', 'bufhidden')
h.eq(vim.bo[info.buf].swapfile, false, 'swapfile')
h.eq(vim.bo[info.buf].modifiable, false, 'chat buffer not modifiable')
h.eq(vim.api.nvim_win_get_height(info.input_win), 3, 'input height')
h.eq(vim.api.nvim_get_current_win(), info.input_win, 'cursor in the input window')
h.ok(vim.api.nvim_win_get_position(info.win)[2] > 0, 'chat split on the right')
h.eq(vim.api.nvim_win_get_position(info.input_win)[1] > vim.api.nvim_win_get_position(info.win)[1], true, 'input below')
h.eq(vim.wo[info.win].winbar, 'smallcode · connecting…', 'winbar before any status')
h.eq(lines(), { '' }, 'empty transcript')

-- Opening again focuses instead of splitting again.
vim.api.nvim_set_current_win(first_win)
local wins = #vim.api.nvim_tabpage_list_wins(0)
local again = chat.open()
h.eq(#vim.api.nvim_tabpage_list_wins(0), wins, 'no new windows')
h.eq(again.win, info.win, 'same chat window')
h.eq(vim.api.nvim_get_current_win(), info.input_win, 'focused')

-- Status ---------------------------------------------------------------------
ev({ type = 'status', text = 'llama.cpp · SmolLM2-135M · ctx 8192' })
h.eq(chat.winbar(1), 'smallcode · llama.cpp · SmolLM2-135M · ctx 8192', 'winbar from status')
-- The window shows it fitted to its width: the server goes first, then the model is cut.
local width = vim.api.nvim_win_get_width(info.win)
h.eq(vim.wo[info.win].winbar, chat.winbar_fit(1, width), 'the window shows the fitted text')
h.ok(vim.api.nvim_strwidth(vim.wo[info.win].winbar) <= width, 'fits: ' .. vim.wo[info.win].winbar)
h.eq(chat.winbar_fit(1, 80), 'smallcode · llama.cpp · SmolLM2-135M · ctx 8192', 'wide enough: whole')
h.eq(chat.winbar_fit(1, 40), 'smallcode · SmolLM2-135M · ctx 8192', 'narrower: no server kind')
h.eq(chat.winbar_fit(1, 30), 'smallcode · SmolLM… · ctx 8192', 'narrower still: the model is cut')
ev({ type = 'status', text = 'load 100%' })
h.eq(vim.wo[info.win].winbar, 'smallcode · load 100%%', '% escaped in the winbar')
ev({ type = 'status', text = 'llama.cpp · SmolLM2-135M · ctx 8192' })

-- Sending from the input buffer ----------------------------------------------
vim.api.nvim_buf_set_lines(info.input_buf, 0, -1, false, { 'hello', 'world' })
feed('<CR>')
h.eq(sent[1], { 'chat_send', { chat = 1, text = 'hello\nworld' } }, 'chat_send with the full input')
h.eq(vim.api.nvim_buf_get_lines(info.input_buf, 0, -1, false), { '' }, 'input cleared')
h.eq(lines(), { '## You', 'hello', 'world', '', '## smallcode', '' }, 'user block and reply header')
h.ok(chat.busy(1), 'busy after send')
h.contains(chat.winbar(1), 'waiting for the model', 'winbar shows the wait')
h.contains(vim.wo[info.win].winbar, 'smallcode · waiting for the', 'the narrow window keeps the state')
h.eq(
  chat.winbar_fit(1, 60),
  'smallcode · waiting for the model… · SmolLM2-135M · ctx 8192',
  'the state comes first and stays'
)

-- An empty input is not sent.
feed('<CR>')
h.eq(#sent, 1, 'empty input not sent')

-- Reply events ---------------------------------------------------------------
ev({ type = 'start' })
ev({ type = 'info', text = 'using llama.cpp at http://127.0.0.1:8080' })
ev({ type = 'delta', text = 'Hel' })
ev({ type = 'delta', text = 'lo\nwor' })
ev({ type = 'delta', text = 'ld' })
h.eq(tail(4), { '## smallcode', '> using llama.cpp at http://127.0.0.1:8080', 'Hello', 'world' }, 'deltas split lines')
h.contains(vim.wo[info.win].winbar, 'generating', 'winbar while streaming')

-- Sending while busy queues the message: shown under the transcript, sent when the reply ends.
vim.api.nvim_buf_set_lines(info.input_buf, 0, -1, false, { 'next one' })
feed('<CR>')
h.eq(#sent, 1, 'not sent while busy')
h.eq(vim.api.nvim_buf_get_lines(info.input_buf, 0, -1, false), { '' }, 'input taken: the message is queued')
h.eq(chat.queued(1), { 'next one' }, 'in the queue')
h.contains(chat.winbar(1), '1 queued', 'the winbar counts it')
local function queue_lines()
  local out = {}
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(info.buf, -1, 0, -1, { details = true })) do
    for _, vl in ipairs(m[4].virt_lines or {}) do
      out[#out + 1] = vl[1][1]
    end
  end
  return out
end
h.eq(queue_lines(), { '⋯ queued 1: next one' }, 'shown as a virtual line, not written into the transcript')
ev({ type = 'delta', text = '!' })
h.eq(queue_lines(), { '⋯ queued 1: next one' }, 'still shown under the growing reply')
ev({ type = 'delta', text = '\nb' })
h.eq(tail(3), { 'Hello', 'world!', 'b' }, 'the reply continues undisturbed')

ev({ type = 'done', prompt_tokens = 10, completion_tokens = 3, elapsed_ms = 1500 })
h.eq(tail(3), { 'b', '', '' }, 'done ends the line and adds a blank one')
h.ok(not chat.busy(1), 'not busy after done')
h.eq(chat.get(1).stats, { prompt_tokens = 10, completion_tokens = 3, elapsed_ms = 1500 }, 'stats stored')
h.eq(chat.winbar(1), 'smallcode · 3 tok in 1.5 s · 1 queued · llama.cpp · SmolLM2-135M · ctx 8192', 'stats shown')
h.wait_for(function() return #sent == 2 end, nil, 'the queued message is sent once the reply ended')
h.eq(sent[2], { 'chat_send', { chat = 1, text = 'next one' } }, 'the queued message')
h.eq(chat.queued(1), {}, 'queue empty')
h.eq(queue_lines(), {}, 'no queue lines left')
h.ok(chat.busy(1), 'its turn is in flight')
ev({ type = 'done', elapsed_ms = 1 })

-- Second turn: deltas ending in newlines, and an error (programmatic send, like :SmallCode ask).
h.ok(chat.send('second'), 'M.send sends')
h.eq(sent[#sent], { 'chat_send', { chat = 1, text = 'second' } }, 'programmatic chat_send')
h.eq(tail(7), { '## smallcode', '', '## You', 'second', '', '## smallcode', '' }, 'one blank line between turns')
ev({ type = 'start' })
ev({ type = 'delta', text = 'a\n\n' })
ev({ type = 'delta', text = 'b' })
ev({ type = 'error', text = 'the model server stopped answering (idle 30 s)' })
h.eq(
  tail(6),
  { '## smallcode', 'a', '', 'b', 'Error: the model server stopped answering (idle 30 s)', '' },
  'error line'
)
h.ok(not chat.busy(1), 'not busy after error')

-- Third turn: stop key in the input buffer, then cancelled. The stop key cancels the reply,
-- not the queue: the queued message goes next.
chat.send('third')
chat.send('queued behind third')
vim.api.nvim_set_current_win(info.input_win)
ev({ type = 'delta', text = 'x' })
feed('<C-c>')
h.eq(sent[#sent], { 'chat_stop', { chat = 1 } }, 'stop key sends chat_stop')
h.eq(chat.queued(1), { 'queued behind third' }, 'the queue survives the stop key')
ev({ type = 'cancelled' })
h.eq(tail(3), { 'x', '[cancelled]', '' }, 'cancelled line')
h.ok(not chat.busy(1), 'not busy after cancel')
h.wait_for(function() return sent[#sent][2].text == 'queued behind third' end, nil, 'queued one sent after cancel')
ev({ type = 'done', elapsed_ms = 1 })

-- Fourth turn: the process dies.
chat.send('fourth')
chat.on_process_exit('exit code 3')
h.eq(tail(2), { 'Error: smallcode process exited (exit code 3)', '' }, 'exit shown')
h.ok(not chat.busy(1), 'not busy after exit')

-- Following the end: a cursor on the last line follows, one elsewhere stays.
vim.api.nvim_set_current_win(info.win)
local count = vim.api.nvim_buf_line_count(info.buf)
vim.api.nvim_win_set_cursor(info.win, { count, 0 })
chat.send('fifth')
ev({ type = 'delta', text = 'one\ntwo\nthree' })
h.eq(vim.api.nvim_win_get_cursor(info.win)[1], vim.api.nvim_buf_line_count(info.buf), 'cursor follows the end')
vim.api.nvim_win_set_cursor(info.win, { 1, 0 })
ev({ type = 'delta', text = '\nfour' })
h.eq(vim.api.nvim_win_get_cursor(info.win)[1], 1, 'cursor elsewhere stays')
ev({ type = 'done', elapsed_ms = 10 })

-- Unknown event kinds and other chats ----------------------------------------
ev({ type = 'tool_call', text = 'x' })
h.eq(tail(1), { '' }, 'unknown kinds ignored')
ev({ chat = 2, type = 'delta', text = 'to chat two' })
h.eq(chat.lines(2), { 'to chat two' }, 'events for another chat go to its buffer')
h.eq(vim.api.nvim_buf_get_name(chat.get(2).buf), 'smallcode://chat/2', 'chat 2 buffer name')
h.eq(chat.winbar(2), 'smallcode · connecting…', 'chat 2 winbar before any status')
ev({ chat = 2, type = 'error', text = 'cannot reach http://127.0.0.1:9' })
h.eq(chat.winbar(2), 'smallcode · not connected', 'an error before any status')

-- Slash commands and the palette ---------------------------------------------
h.eq(chat.is_command('/budget'), true, '/budget is a command')
h.eq(chat.is_command('  /stats now'), true, 'leading spaces and arguments')
h.eq(chat.is_command('/usr/lib/x is missing'), false, 'a path is not a command')
h.eq(chat.is_command('why /budget'), false, 'only the first word')
local names = vim.tbl_map(function(c) return c.name end, chat.commands)
h.eq(
  names,
  { 'budget', 'stats', 'clear', 'memory', 'model', 'resume', 'undo', 'fix', 'graph', 'help' },
  'palette lists the commands'
)

local real_select = vim.ui.select
local offered
vim.ui.select = function(items, opts, on_choice)
  offered = vim.tbl_map(opts.format_item, items)
  on_choice(items[1])
end
chat.palette(1)
h.eq(
  sent[#sent],
  { 'chat_send', { chat = 1, text = '/budget' } },
  'palette sends the chosen command, no editor context'
)
h.ok(offered[1]:find('^/budget'), 'items show the command: ' .. tostring(offered[1]))
ev({ type = 'start' })
ev({ type = 'delta', text = '```\nBudget of the last turn\n```\n' })
ev({ type = 'done', elapsed_ms = 0 })

-- `/` in an empty input opens the palette; cancelling types the `/`.
local opened = 0
vim.ui.select = function(_, _, on_choice)
  opened = opened + 1
  on_choice(nil)
end
vim.api.nvim_set_current_win(info.input_win)
vim.api.nvim_buf_set_lines(info.input_buf, 0, -1, false, {})
feed('i/')
h.wait_for(function() return opened > 0 end, nil, 'the palette to open')
h.eq(opened, 1, '/ in an empty input opens the palette')
h.wait_for(
  function() return vim.api.nvim_buf_get_lines(info.input_buf, 0, -1, false)[1] == '/' end,
  nil,
  'the cancelled palette to type /'
)
h.eq(vim.api.nvim_buf_get_lines(info.input_buf, 0, -1, false), { '/' }, 'cancelled palette leaves a plain /')
feed('<Esc>')
vim.api.nvim_buf_set_lines(info.input_buf, 0, -1, false, { 'a' })
feed('A/<Esc>')
-- The palette opens from a scheduled callback: let any such callback run first.
h.settle()
h.eq(opened, 1, '/ after text is just a character')
h.eq(vim.api.nvim_buf_get_lines(info.input_buf, 0, -1, false), { 'a/' }, 'typed as is')
vim.api.nvim_buf_set_lines(info.input_buf, 0, -1, false, {})
vim.ui.select = real_select

-- A message sent from a file window carries the editor's context ------------
local proj = vim.fn.tempname()
vim.fn.mkdir(proj .. '/.git', 'p')
vim.fn.writefile({ 'fn main() {}' }, proj .. '/main.rs')
vim.api.nvim_set_current_win(first_win)
vim.cmd('edit ' .. vim.fn.fnameescape(proj .. '/main.rs'))
local fbuf = vim.api.nvim_get_current_buf()
vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'fn main() {', '    unsaved();', '}' })
vim.api.nvim_win_set_cursor(0, { 2, 0 })
chat.send('what does main do?')
local p = sent[#sent][2]
h.eq(sent[#sent][1], 'chat_send', 'plain chat')
h.eq(p.text, 'what does main do?', 'text')
h.eq(p.root, vim.fs.dirname(p.file), 'project root from the marker')
h.eq(p.file, vim.api.nvim_buf_get_name(0), 'current file')
h.eq(p.cursor, 2, 'cursor line')
h.eq(#p.buffers, 1, 'the current (modified) buffer')
h.eq(p.buffers[1].text, 'fn main() {\n    unsaved();\n}\n', 'unsaved text, not the file')
ev({ type = 'done', elapsed_ms = 1 })
-- Typed in the chat input: context from the window the chat was opened from.
vim.api.nvim_set_current_win(info.input_win)
chat.send('/stats')
h.eq(sent[#sent][2], { chat = 1, text = '/stats' }, 'commands carry no context')
ev({ type = 'done', elapsed_ms = 0 })
chat.send('and now?')
h.eq(sent[#sent][2].cursor, 2, 'context from the origin window')
ev({ type = 'done', elapsed_ms = 1 })
vim.api.nvim_buf_delete(fbuf, { force = true })

-- Stored chats ----------------------------------------------------------------
h.ok(#sessions == #sent, 'every message names its stored chat')
local first = sessions[1].session
h.ok(type(first) == 'string' and first:match('^%d+%-%d+%-%d+%-%x+$'), 'an id: ' .. tostring(first))
h.eq(type(sessions[1].project), 'string', 'and its project')
for i, s in ipairs(sessions) do
  if sent[i][1] == 'chat_send' then h.eq(s.session, first, 'message ' .. i .. ' belongs to the same chat') end
end
chat.send('/clear')
ev({ type = 'done', elapsed_ms = 0 })
h.eq(sessions[#sessions].session, first, '/clear goes to the chat it clears')
chat.send('fresh start')
h.ok(sessions[#sessions].session ~= first, 'the message after /clear starts a new chat')
ev({ type = 'done', elapsed_ms = 0 })

-- Retract: the end of a reply the loop guard stopped goes, across lines.
chat.send('loop please')
ev({ type = 'start' })
ev({ type = 'delta', text = 'one copy\nagain ' })
ev({ type = 'delta', text = 'one' })
ev({ type = 'retract', text = '\nagain one' })
h.eq(tail(2), { '## smallcode', 'one copy' }, 'the repeated tail is taken back')
ev({ type = 'info', text = 'stopped: the reply started repeating itself (one copy kept)' })
ev({ type = 'done', elapsed_ms = 1 })
h.eq(tail(4), { 'one copy', '> stopped: the reply started repeating itself (one copy kept)', '', '' }, 'one note')

-- Progress while the turn waits for the index.
chat.send('index me')
ev({ type = 'progress', text = 'indexing 3/10' })
h.contains(chat.winbar(1), 'indexing 3/10', 'progress in the winbar')
ev({ type = 'progress', text = '' })
h.contains(chat.winbar(1), 'waiting for the model', 'progress ended')
ev({ type = 'done', elapsed_ms = 1 })

-- /resume: the editor runs it; the transcript is replaced by the saved one.
local before = #sent
replies.chats_list = {
  { id = 'old-chat', title = 'why is add wrong?', created = 1, updated = 1700000000, turns = 2 },
}
replies.chat_resume = {
  id = 'old-chat',
  turns = {
    { kind = 'chat', state = 'done', user = 'why is add wrong?', assistant = 'It subtracts.', notes = {} },
    { kind = 'chat', state = 'cut', user = 'and mul?', assistant = 'It mul', notes = { 'stopped' } },
  },
}
chat.send('/resume last')
h.eq(#sent, before, '/resume never reaches the model')
h.eq(requests[#requests][1], 'chat_resume', 'the chat is loaded')
h.eq(requests[#requests][2].session, 'last', 'the newest one, found by the process in the same request')
h.eq(lines(), {
  '## You',
  'why is add wrong?',
  '',
  '## smallcode',
  'It subtracts.',
  '',
  '## You',
  'and mul?',
  '',
  '## smallcode',
  'It mul',
  '> stopped',
  '[cut: the reply did not finish]',
  '',
  '> resumed: 2 turns',
  '',
}, 'saved transcript')
h.ok(chat.format_saved(replies.chats_list[1]):find('why is add wrong%?  %(2 turns%)$'), 'date, title, turns')
chat.send('next question')
h.eq(sessions[#sessions].session, 'old-chat', 'the next message continues the resumed chat')
h.eq(tail(7), { '> resumed: 2 turns', '', '## You', 'next question', '', '## smallcode', '' }, 'appended after it')
ev({ type = 'done', elapsed_ms = 1 })

-- Completion in the input: the # names and the commands.
local complete = require('smallcode.complete')
local function words(items)
  return vim.tbl_map(function(i) return i.word end, items)
end
h.eq(words(complete.items('#sy')), { '#symbol:' }, '#symbol:')
h.eq(#complete.items('#'), 6, 'all six names')
h.eq(words(complete.items('/me')), { '/memory' }, 'commands')
h.eq(vim.bo[info.input_buf].omnifunc, "v:lua.require'smallcode.complete'.omnifunc", 'omnifunc set')

-- Many messages: the transcript stays intact (its cost is measured by `cargo bench --bench spine`,
-- not asserted here: timing belongs in benchmarks).
for i = 1, 2000 do
  chat.send('message ' .. i)
  ev({ type = 'start' })
  ev({ type = 'delta', text = 'reply ' })
  ev({ type = 'delta', text = tostring(i) .. '\nsecond line' })
  ev({ type = 'done', elapsed_ms = 1 })
end
h.eq(tail(4), { 'reply 2000', 'second line', '', '' }, 'last reply intact')
h.ok(vim.api.nvim_buf_line_count(info.buf) >= 14000, 'thousands of lines')

h.done()
