--- The code graph in the editor: `:SmallCode graph [NAME]` (definitions, callers and callees in the
--- quickfix list), background indexing with progress, and live updates from unsaved buffers.
---
--- A project's graph becomes active on first use (`:SmallCode graph`, or at startup with
--- `graph.index_on_start`): the Rust process indexes it off the editor thread and reports progress
--- and a summary here. From then on, edits to its buffers are sent (debounced) as unsaved text,
--- writes and unloads are reported, and the graph follows the buffers, not the disk.
local M = {}

local H = {}

-- Module definition ==========================================================

--- Asks the Rust process about `name` (default: the word under the cursor). The answer arrives
--- asynchronously in `M.show`: indexing a large project the first time takes seconds.
---@param name string|nil
M.query = function(name)
  name = vim.trim(name or '')
  if name == '' then name = vim.fn.expand('<cword>') end
  if name == '' then error('(smallcode) graph: no name given and no word under the cursor', 0) end
  local root = require('smallcode.agent').root(0)
  M.activate(root)
  -- Sent after any pending buffer text: the Rust worker applies them in order.
  H.flush_all()
  require('smallcode.rpc').notify('graph_query', { root = root, name = name })
  vim.api.nvim_echo({ { '(smallcode) graph: looking up ' .. name .. '…' } }, false, {})
end

--- Makes `root`'s graph active: starts its background index (once) and, when live updates are on,
--- sends the unsaved text of its modified buffers and follows their changes from now on.
---@param root string project root (absolute)
M.activate = function(root)
  if H.active[root] then return end
  H.active[root] = true
  H.state.roots[root] = { indexing = true }
  require('smallcode.rpc').notify('graph_start', { root = root })
  if not H.config().live then return end
  H.autocmds()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and H.root_of(buf) == root then
      H.attach(buf)
      if vim.bo[buf].modified then H.send(buf) end
    end
  end
end

--- Called by Rust with `{ root, done, total, parsed }` while indexing (throttled).
---@param p table
M.progress = function(p)
  local st = H.root_state(p.root)
  st.progress = p
  st.progress_count = (st.progress_count or 0) + 1
  if H.config().progress then
    local msg = string.format('(smallcode) graph: indexing %d/%d files…', p.done, p.total)
    vim.api.nvim_echo({ { msg } }, false, {})
  end
  return true
end

--- Called by Rust when an indexing run ends, with `{ root, files, parsed, reused, symbols, edges,
--- seconds, skipped = { reason = count }, error }`. Shows one summary line.
---@param s table
M.indexed = function(s)
  local st = H.root_state(s.root)
  st.indexing = false
  st.summary = s
  if s.error and s.error ~= vim.NIL then
    vim.notify('(smallcode) graph: ' .. s.error, vim.log.levels.ERROR)
    return false
  end
  st.message = M.summary_line(s)
  if H.config().progress then vim.api.nvim_echo({ { st.message } }, true, {}) end
  return true
end

--- The one-line summary of an indexing run.
---@param s table the table given to `M.indexed`
---@return string
M.summary_line = function(s)
  local skipped = {}
  local reasons = vim.tbl_keys(type(s.skipped) == 'table' and s.skipped or {})
  table.sort(reasons)
  for _, reason in ipairs(reasons) do
    skipped[#skipped + 1] = string.format('%d %s', s.skipped[reason], reason:gsub('_', ' '))
  end
  return string.format(
    '(smallcode) graph: %d files (%d parsed, %d reused), %d symbols, %d edges in %.1f s; skipped: %s',
    s.files or 0,
    s.parsed or 0,
    s.reused or 0,
    s.symbols or 0,
    s.edges or 0,
    s.seconds or 0,
    #skipped > 0 and table.concat(skipped, ', ') or 'none'
  )
end

--- What the plugin knows about each active project: `{ [root] = { indexing, progress,
--- progress_count, summary, message } }`, plus `sent` (buffer texts sent so far).
---@return table
M.state = function() return vim.deepcopy(H.state) end

--- Called by Rust with `{ name, root, defs, callers, callees, error }`; fills the quickfix list.
---@param ans table
M.show = function(ans)
  if ans.error and ans.error ~= vim.NIL then
    vim.notify('(smallcode) graph: ' .. ans.error, vim.log.levels.ERROR)
    return 0
  end
  local items = {}
  local function add(list, what)
    for _, h in ipairs(list or {}) do
      items[#items + 1] = {
        filename = ans.root .. '/' .. h.path,
        lnum = h.line,
        text = string.format('%s: %s %s', what, h.kind, h.qualified or h.name),
      }
    end
  end
  add(ans.defs, 'definition')
  add(ans.callers, 'caller')
  add(ans.callees, 'callee')
  vim.fn.setqflist({}, ' ', { title = 'smallcode graph: ' .. ans.name, items = items })
  if #items == 0 then
    vim.notify('(smallcode) graph: nothing known about ' .. ans.name, vim.log.levels.WARN)
  else
    vim.cmd('copen')
  end
  return #items
end

-- Helper data ================================================================

-- File extensions the Rust side has a grammar for (crates/core/src/syntax/language.rs).
H.extensions = {
  rs = true,
  py = true,
  pyi = true,
  js = true,
  jsx = true,
  mjs = true,
  cjs = true,
  ts = true,
  mts = true,
  cts = true,
  tsx = true,
  go = true,
  c = true,
  h = true,
  cc = true,
  cpp = true,
  cxx = true,
  hpp = true,
  hh = true,
  hxx = true,
  ['c++'] = true,
  ['h++'] = true,
  ipp = true,
  lua = true,
  java = true,
}

-- Roots whose graph is active.
H.active = {}
-- Debounce timers by buffer.
H.timers = {}
-- Buffers whose text the Rust side holds (until written or unloaded).
H.live = {}
-- Buffers followed with nvim_buf_attach.
H.attached = {}
-- Project root of each buffer (false: not eligible).
H.roots = {}
H.state = { roots = {}, sent = 0 }
H.augroup = nil

-- Helper functionality =======================================================

H.config = function() return require('smallcode').get_config().graph end

H.root_state = function(root)
  H.state.roots[root] = H.state.roots[root] or {}
  return H.state.roots[root]
end

--- The active project root of `buf`, or nil when the buffer is not a project source file.
H.root_of = function(buf)
  if H.roots[buf] == nil then
    local path = vim.api.nvim_buf_get_name(buf)
    local ext = path:match('%.([^./]+)$')
    local ok = vim.bo[buf].buftype == '' and path ~= '' and ext ~= nil and H.extensions[ext:lower()] ~= nil
    H.roots[buf] = ok and require('smallcode.agent').root(buf) or false
  end
  local root = H.roots[buf]
  if root and H.active[root] then return root end
end

--- Follows `buf`'s changes (on_lines fires for every change, typed or made through the API).
H.attach = function(buf)
  if H.attached[buf] or not H.root_of(buf) then return end
  H.attached[buf] = vim.api.nvim_buf_attach(buf, false, {
    on_lines = function()
      -- Returning true detaches: when live updates were turned off or the buffer left the project.
      if not H.config().live or not H.root_of(buf) then
        H.attached[buf] = nil
        return true
      end
      H.schedule(buf)
    end,
    on_reload = function() H.schedule(buf) end,
    on_detach = function() H.attached[buf] = nil end,
  })
end

H.autocmds = function()
  if H.augroup then return end
  H.augroup = vim.api.nvim_create_augroup('smallcode_graph', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile', 'BufEnter' }, {
    group = H.augroup,
    callback = function(ev) H.attach(ev.buf) end,
    desc = 'smallcode: follow the changes of project buffers for the code graph',
  })
  vim.api.nvim_create_autocmd('BufWritePost', {
    group = H.augroup,
    callback = function(ev)
      local root = H.root_of(ev.buf)
      if not root then return end
      H.cancel(ev.buf)
      -- Text typed since the last send is what was written: the Rust side reads the file.
      H.notify('graph_saved', { root = root, path = H.path(ev.buf) })
      H.live[ev.buf] = nil
    end,
    desc = 'smallcode: tell the code graph a buffer was written',
  })
  vim.api.nvim_create_autocmd({ 'BufDelete', 'BufWipeout' }, {
    group = H.augroup,
    callback = function(ev)
      H.cancel(ev.buf)
      local root = H.roots[ev.buf] and H.root_of(ev.buf)
      if root and H.live[ev.buf] then H.notify('graph_closed', { root = root, path = H.path(ev.buf) }) end
      H.live[ev.buf], H.roots[ev.buf] = nil, nil
    end,
    desc = 'smallcode: tell the code graph a buffer is gone',
  })
  vim.api.nvim_create_autocmd('BufFilePost', {
    group = H.augroup,
    callback = function(ev) H.roots[ev.buf] = nil end,
    desc = 'smallcode: a renamed buffer may change project',
  })
end

H.path = function(buf) return vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':p') end

H.schedule = function(buf)
  if not H.root_of(buf) then return end
  local t = H.timers[buf]
  if not t then
    t = vim.uv.new_timer()
    H.timers[buf] = t
  end
  t:stop()
  t:start(H.config().debounce_ms, 0, vim.schedule_wrap(function() H.send(buf) end))
end

H.cancel = function(buf)
  local t = H.timers[buf]
  if t then
    t:stop()
    t:close()
    H.timers[buf] = nil
  end
end

--- Sends a graph notification from a timer or an autocommand. The process may have died a moment
--- ago (its exit not handled yet: "Invalid channel"), or cannot start: the update is dropped
--- instead of raising into the editor (the next change or query sends the text again).
---@return boolean sent
H.notify = function(method, payload) return (pcall(require('smallcode.rpc').notify, method, payload)) end

--- Sends `buf`'s text now (stops its timer).
H.send = function(buf)
  H.cancel(buf)
  if not vim.api.nvim_buf_is_loaded(buf) then return end
  local root = H.root_of(buf)
  if not root then return end
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local text = table.concat(lines, '\n')
  if vim.bo[buf].eol or vim.bo[buf].fixeol then text = text .. '\n' end
  if not H.notify('graph_buffer', { root = root, path = H.path(buf), text = text }) then return end
  H.live[buf] = true
  H.state.sent = H.state.sent + 1
end

--- Sends every buffer with a pending timer now (before a query).
H.flush_all = function()
  for _, buf in ipairs(vim.tbl_keys(H.timers)) do
    H.send(buf)
  end
end

return M
