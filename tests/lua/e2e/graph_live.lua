-- The code graph follows unsaved buffers: first use indexes the project in the background with
-- progress and a summary; a function added without saving shows up as a caller; a write keeps it.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ graph = { debounce_ms = 50 } })
local graph = require('smallcode.graph')

local function qf_text()
  local items = vim.fn.getqflist()
  return table.concat(vim.tbl_map(function(i) return i.text end, items), '\n')
end

local function root_state()
  local _, st = next(graph.state().roots)
  return st or {}
end

-- `:SmallCode graph` opens the quickfix window; each query starts from calc.py's window.
vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()
local function query(name)
  vim.cmd('cclose')
  vim.api.nvim_set_current_buf(buf)
  vim.fn.setqflist({}, 'r', { items = {} })
  vim.cmd('SmallCode graph ' .. name)
end

-- 1. First use: background index, progress, then a one-line summary (the binary file skipped).
query('add')
t.wait_for('quickfix list', function() return qf_text():find('caller: function total', 1, true) end)
t.wait_for('index summary', function() return root_state().message end)
local st = root_state()
t.ok((st.progress_count or 0) >= 1, 'progress reported: ' .. vim.inspect(st))
t.ok(st.message:find('2 files (2 parsed, 0 reused)', 1, true), st.message)
t.ok(st.message:find('skipped: 1 binary', 1, true), st.message)
local msgs = vim.api.nvim_exec2('messages', { output = true }).output
t.ok(msgs:find(st.message, 1, true), 'summary in :messages\n' .. msgs)
t.ok(not qf_text():find('grand', 1, true), 'no caller grand yet')

-- 2. Edit without saving: a new function calling add. The debounced live update sends it.
local sent = graph.state().sent
vim.api.nvim_buf_set_lines(buf, -1, -1, false, { '', '', 'def grand(xs):', '    return add(total(xs), 1)' })
t.wait_for('the live update', function() return graph.state().sent > sent end)
query('add')
t.wait_for('the unsaved caller', function() return qf_text():find('caller: function grand', 1, true) end)
t.ok(vim.bo[buf].modified, 'the buffer is still unsaved')
local disk = table.concat(vim.fn.readfile(dir .. '/calc.py'), '\n')
t.ok(not disk:find('grand', 1, true), 'the file on disk has no grand yet')

-- 3. Removing it again (still unsaved) removes the caller; writing keeps the disk version.
vim.api.nvim_buf_set_lines(buf, -5, -1, false, {})
t.wait_for('the second live update', function() return graph.state().sent > sent + 1 end)
query('add')
t.wait_for('the caller gone', function()
  local q = qf_text()
  return q:find('caller: function total', 1, true) and not q:find('grand', 1, true)
end)
vim.api.nvim_buf_call(buf, function() vim.cmd('write') end)
query('total')
t.wait_for(
  'callers of total after the write',
  function() return qf_text():find('definition: function total', 1, true) end
)
t.done('graph_live')
