-- Review and landing without a process: hunks, the three-way rebase onto what the user typed,
-- landing as one undo step, :SmallCode undo, and review.receive/accept/reject on real buffers
-- (CRLF too). The rpc module is stubbed: re-checks are recorded, not run.
local h = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/helpers.lua')
h.setup('review')

local sent = {}
package.loaded['smallcode.rpc'] = {
  chan = function() return nil end,
  ensure = function() return 42 end,
  notify = function(method, params) table.insert(sent, { method, params }) end,
}
h.capture_notify()

local edit = require('smallcode.edit')

-- Hunks and rebase --------------------------------------------------------------
h.eq(edit.split('a\r\nb\r\n', true), { 'a', 'b' }, 'CRLF lines lose their \\r')
h.eq(edit.split('a\nb', false), { 'a', 'b' }, 'no final newline')
h.eq(edit.split('', false), {}, 'empty text')
h.eq(
  edit.hunks({ 'a', 'b', 'c' }, { 'a', 'B', 'c', 'd' }),
  { { s = 2, old = { 'b' }, new = { 'B' } }, { s = 4, old = {}, new = { 'd' } } },
  'a change and an append'
)
h.eq(edit.hunks({ 'a' }, { 'z', 'a' }), { { s = 1, old = {}, new = { 'z' } } }, 'insert at the top')

local base = { 'def add(a, b):', '    return a - b', '', '', 'def mul(a, b):', '    return a * b' }
local agent = { 'def add(a, b):', '    return a + b', '', '', 'def mul(a, b):', '    return b * a' }
-- The user added a line at the top meanwhile: both agent hunks move down by one.
local cur = vim.list_extend({ '# user note' }, base)
h.eq(edit.rebase(base, agent, cur), {
  { s = 3, old = { '    return a - b' }, new = { '    return a + b' }, conflict = false },
  { s = 7, old = { '    return a * b' }, new = { '    return b * a' }, conflict = false },
}, 'rebased past the user line')
-- The user changed the line the agent changes: a conflict with the user's line as `old`.
cur = vim.deepcopy(base)
cur[2] = '    return a - b  # keep?'
local r = edit.rebase(base, agent, cur)
h.eq(r[1], { s = 2, old = { '    return a - b  # keep?' }, new = { '    return a + b' }, conflict = true }, 'conflict')
h.eq(r[2].conflict, false, 'the other hunk is not a conflict')
-- The user already made the agent's change: nothing left to do there.
cur = vim.deepcopy(base)
cur[2] = '    return a + b'
h.eq(#edit.rebase(base, agent, cur), 1, 'an identical change is dropped')

-- Landing and undo ------------------------------------------------------------------
local buf = vim.api.nvim_create_buf(true, false)
vim.api.nvim_buf_set_lines(buf, 0, -1, false, { 'one', 'two', 'three', 'four' })
vim.bo[buf].modified = false
local seq, lines_before = edit.seq(buf), edit.buf_lines(buf)
local landed, stale = edit.land(buf, {
  { row = 1, old = { 'two' }, new = { 'TWO', 'TWO+' } },
  { row = 3, old = { 'four' }, new = {} },
  { row = 0, old = { 'not there' }, new = { 'x' } },
})
h.eq(#landed, 2, 'two items landed')
h.eq(#stale, 1, 'the one whose lines moved is stale')
h.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), { 'one', 'TWO', 'TWO+', 'three' }, 'landed bottom-up')
edit.record({ { buf = buf, rel = 'b', before = lines_before, seq_before = seq } })
vim.api.nvim_buf_call(buf, function() vim.cmd('silent undo') end)
h.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), { 'one', 'two', 'three', 'four' }, 'one undo step')
vim.api.nvim_buf_call(buf, function() vim.cmd('silent redo') end)
-- :SmallCode undo in a buffer the user changed since: only the landed lines go back.
vim.api.nvim_buf_set_lines(buf, 0, 0, false, { 'typed' })
h.eq(edit.undo(), { 'undone b: 2 of 2 hunk(s)' }, 'undo reports')
h.eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), { 'typed', 'one', 'two', 'three', 'four' }, 'typing kept')
h.eq(edit.undo(), { 'nothing to undo: no change set landed in this session' }, 'history empty')

-- review.receive / accept / reject -------------------------------------------------
local review = require('smallcode.review')
local dir = vim.fn.tempname()
vim.fn.mkdir(dir, 'p')
local function write(name, text)
  local f = assert(io.open(dir .. '/' .. name, 'wb'))
  f:write(text)
  f:close()
  return dir .. '/' .. name
end
local unix = 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n'
local crlf = unix:gsub('\n', '\r\n')
local calc = write('calc.py', unix)
local dos = write('dos.py', crlf)
local function change(files, label)
  return {
    chat = 1,
    root = dir,
    verification = label or 'checked',
    note = 'n',
    skipped = {},
    checks = {},
    files = files,
  }
end
local fixed = unix:gsub('a %- b', 'a + b'):gsub('a %* b', 'b * a')

local out = review.receive(change({
  { path = calc, text = fixed, base = unix },
  { path = dos, text = fixed:gsub('\n', '\r\n'), base = crlf },
}))
h.contains(out[1], 'change 1 (checked: n): 4 hunk(s) in 2 file(s)', 'summary')
h.contains(table.concat(out, '\n'), 'review in the buffer:', 'key help')
local cbuf, dbuf = vim.fn.bufnr(calc), vim.fn.bufnr(dos)
h.ok(vim.api.nvim_buf_is_loaded(dbuf), 'a file that was not loaded gets a buffer')
h.eq(vim.bo[dbuf].fileformat, 'dos', 'CRLF detected')
h.eq(#review.pending(), 4, 'four hunks pending')
h.eq(
  review.pending()[1],
  { bufnr = cbuf, path = calc, start_line = 2, end_line = 2, status = 'pending' },
  'pending() shape'
)
h.eq(table.concat(vim.api.nvim_buf_get_lines(cbuf, 0, -1, false), '\n') .. '\n', unix, 'nothing changed yet')
vim.api.nvim_set_current_buf(cbuf)
h.eq(vim.fn.maparg(']h', 'n', false, true).desc, 'smallcode: next hunk', ']h mapped in the buffer')

-- Accept the first hunk: it lands, the other stays, a re-check is asked for.
vim.api.nvim_win_set_cursor(0, { 2, 0 })
review.accept()
h.eq(vim.api.nvim_buf_get_lines(cbuf, 1, 2, false), { '    return a + b' }, 'first hunk landed')
h.eq(vim.api.nvim_buf_get_lines(cbuf, 5, 6, false), { '    return a * b' }, 'second hunk not landed')
h.eq(#review.pending(), 3, 'three left')
h.eq(sent[#sent][1], 'review_check', 'a re-check of the accepted part')
h.eq(sent[#sent][2].id, 1, 'for change 1')
h.contains(sent[#sent][2].files[1].text, 'return a + b', 'with the accepted text')
h.contains(sent[#sent][2].files[1].text, 'return a * b', 'and without the pending hunk')
review.checked({ chat = 1, id = 1, ok = true, lines = { 'py_compile: ok' } })
h.eq(review.get(1).recheck, { ok = true, lines = { 'py_compile: ok' } }, 're-check result kept')
h.contains(
  table.concat(require('smallcode.chat').lines(1), '\n'),
  're-check of change 1 (1 of 4 hunks accepted): pass — py_compile: ok',
  'reported in the chat'
)

-- ]h moves to the next hunk; reject it: the buffer stays as it is.
vim.api.nvim_win_set_cursor(0, { 1, 0 })
review.next()
h.eq(vim.api.nvim_win_get_cursor(0)[1], 6, ']h went to the pending hunk')
review.reject()
h.eq(vim.api.nvim_buf_get_lines(cbuf, 5, 6, false), { '    return a * b' }, 'rejected hunk left alone')
h.eq(vim.fn.maparg(']h', 'n', false, true).desc, nil, 'keys gone with the last hunk of the buffer')

-- Reject the CRLF file: byte-identical when written.
review.reject({ all = true })
h.eq(#review.pending(), 0, 'nothing pending')
h.eq(vim.bo[dbuf].modified, false, 'the CRLF buffer is unmodified')
vim.api.nvim_buf_call(dbuf, function() vim.cmd('silent write! ' .. vim.fn.fnameescape(dir .. '/dos-copy.py')) end)
local f = assert(io.open(dir .. '/dos-copy.py', 'rb'))
h.eq(f:read('*a'), crlf, 'written back byte for byte')
f:close()

-- A verified change with auto_accept lands at once; typing meanwhile is rebased, not lost.
require('smallcode').setup({ review = { auto_accept = true } })
vim.api.nvim_buf_set_lines(cbuf, 0, 0, false, { '# typed during the run' })
local before_undo = vim.api.nvim_buf_get_lines(cbuf, 0, -1, false)
local cur_text = table.concat(before_undo, '\n') .. '\n'
out = review.receive(change({ { path = calc, text = fixed, base = unix } }, 'verified'))
local text = table.concat(vim.api.nvim_buf_get_lines(cbuf, 0, -1, false), '\n') .. '\n'
h.eq(text, '# typed during the run\n' .. fixed, 'landed at once, the typed line kept')
h.contains(table.concat(out, '\n'), 'landed calc.py: +1 -1 lines (one undo step; not saved): hunk 1 of 1', 'said')
-- A checked change still goes to review with auto_accept.
out = review.receive(change({ { path = calc, text = cur_text, base = text } }, 'checked'))
h.eq(#review.pending(), 1, 'a checked change waits for review')
review.reject({ all = true })

-- :SmallCode undo reverts the last landed change set.
h.eq(edit.undo(), { 'undone calc.py (undo step)' }, 'undo')
h.eq(vim.api.nvim_buf_get_lines(cbuf, 0, -1, false), before_undo, 'back to before the landing')

-- A conflict is never applied, even with accept all.
vim.api.nvim_buf_set_lines(cbuf, 2, 3, false, { '    return a - b  # mine' })
local mine = vim.api.nvim_buf_get_lines(cbuf, 0, -1, false)
out = review.receive(change({ { path = calc, text = fixed, base = unix } }, 'verified'))
h.eq(review.pending()[1].status, 'conflict', 'the overlapping hunk is a conflict')
h.contains(table.concat(out, '\n'), '1 conflicting hunk(s) wait for review', 'said')
local err = h.raises(function()
  vim.api.nvim_win_set_cursor(0, { 3, 0 })
  review.accept()
end)
h.contains(err, 'never applied', 'accepting a conflict is refused')
review.accept({ all = true })
h.eq(vim.api.nvim_buf_get_lines(cbuf, 2, 3, false), { mine[3] }, 'the user line stays')
review.reject({ all = true })

-- The statusline works with nothing running.
h.eq(type(require('smallcode').statusline()), 'string', 'statusline')
h.done()
