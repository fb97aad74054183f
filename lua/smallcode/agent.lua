--- `:SmallCode fix`: hands a request to the agent with what the user is looking at — the current
--- file (from the chat window: the last file window), the range or the definition under the
--- cursor, the diagnostics there, and the unsaved text of loaded buffers (unsaved text wins).
local M = {}

local H = {}

--- Sends `text` (default: "Fix the bug.") to the agent. With a range (`:'<,'>SmallCode fix`),
--- the selected lines are quoted in the request, sent as its `range` (the edit is confined to
--- the definitions they touch) and only the ERROR diagnostics inside them go along. Run from
--- the chat window, it works on the file of the window the chat was opened from (the range is
--- then ignored: it named lines of the chat).
---@param text string|nil
---@param opts table|nil command opts: range, line1, line2
M.fix = function(text, opts)
  opts = opts or {}
  local win = H.target_win()
  local buf = vim.api.nvim_win_get_buf(win)
  local ranged = (opts.range or 0) > 0 and win == vim.api.nvim_get_current_win()
  local path = vim.api.nvim_buf_get_name(buf)
  local is_file = path ~= '' and vim.bo[buf].buftype == ''
  local root = M.root(buf)
  local request = vim.trim(text or '')
  -- `qf` as the first word: the task is the current quickfix list's errors.
  local from_qf = request == 'qf' or vim.startswith(request, 'qf ')
  if from_qf then request = vim.trim(request:sub(3)) end
  if request == '' then request = from_qf and 'Fix these errors.' or 'Fix the bug.' end
  local range = nil
  if is_file then
    local rel = H.relpath(root, path)
    if ranged then
      local line1, line2 = math.min(opts.line1, opts.line2), math.max(opts.line1, opts.line2)
      range = { path = path, line1 = line1, line2 = line2 }
      local lines = vim.api.nvim_buf_get_lines(buf, line1 - 1, line2, false)
      request =
        string.format('%s\nIn %s, lines %d-%d:\n```\n%s\n```', request, rel, line1, line2, table.concat(lines, '\n'))
    elseif not request:find(rel, 1, true) then
      request = request .. '\nFile: ' .. rel
    end
  end
  local errors = H.errors(buf, root, from_qf, range)
  -- The files the errors point at are the agent's targets.
  for _, e in ipairs(errors) do
    if not request:find(e.file, 1, true) then request = request .. '\nFile: ' .. e.file end
  end
  local payload = {
    root = root,
    buffers = M.live_buffers(root, buf),
    errors = errors,
    edit_format = require('smallcode').get_config().edit_format,
    repair_templates = require('smallcode').get_config().fix.repair_templates ~= false,
    range = range,
    user_tools = H.user_tools(),
  }
  -- The project's own code runs only when the user trusts the project (asked once; SECURITY.md).
  require('smallcode.trust').ensure(root, function(trusted)
    payload.trusted = trusted
    M.last = { request = request, root = root, chat = 1, round = 0, trusted = trusted }
    require('smallcode.chat').send(request, 1, { method = 'agent_run', payload = payload })
  end)
end

--- `<Plug>(SmallCodeFix)` in normal mode: fixes the definition under the cursor (tree-sitter's
--- enclosing function, method or class; without a parser, the nearest line above that starts a
--- definition, down to the end of its indented block).
---@param text string|nil
M.fix_definition = function(text)
  local buf = vim.api.nvim_get_current_buf()
  local row = vim.api.nvim_win_get_cursor(0)[1]
  local line1, line2 = M.definition_at(buf, row)
  return M.fix(text, { range = 2, line1 = line1, line2 = line2 })
end

--- `<Plug>(SmallCodeFix)` in visual mode: fixes the selected lines.
---@param text string|nil
M.fix_visual = function(text)
  local line1, line2 = vim.fn.line('v'), vim.fn.line('.')
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<Esc>', true, false, true), 'nx', false)
  return M.fix(text, { range = 2, line1 = math.min(line1, line2), line2 = math.max(line1, line2) })
end

--- The lines (1-based, inclusive) of the definition around line `row` of `buf`; the line
--- itself when there is none.
---@param buf integer
---@param row integer 1-based
---@return integer line1
---@return integer line2
M.definition_at = function(buf, row)
  local node = H.ts_definition(buf, row)
  if node then
    local sr, _, er, ec = node:range()
    if ec == 0 and er > sr then er = er - 1 end
    return sr + 1, er + 1
  end
  return H.indent_definition(buf, row)
end

--- The last `:SmallCode fix` request (`{request, root, chat, round, trusted}`), for feedback
--- rounds and the review's re-checks.
M.last = nil

--- Sends another round for `run` with `errors` (new ERROR diagnostics after its edit landed),
--- through the same path as checker errors.
---@param run table an `M.last` value
---@param errors table[] `{file, line, col, text}`
M.feedback = function(run, errors)
  M.last = {
    request = run.request,
    root = run.root,
    chat = run.chat,
    round = (run.round or 0) + 1,
    trusted = run.trusted,
  }
  local text = string.format('%s\n(after the edit: %d new error(s) in the diagnostics)', run.request, #errors)
  return require('smallcode.chat').send(text, run.chat, {
    method = 'agent_run',
    payload = {
      root = run.root,
      buffers = M.live_buffers(run.root, vim.api.nvim_get_current_buf()),
      errors = errors,
      edit_format = require('smallcode').get_config().edit_format,
      repair_templates = require('smallcode').get_config().fix.repair_templates ~= false,
      trusted = run.trusted == true,
      user_tools = H.user_tools(),
    },
  })
end

--- The project root `:SmallCode fix` would work in now (the file window's, also from the chat).
---@return string
M.current_root = function() return M.root(vim.api.nvim_win_get_buf(H.target_win())) end

--- The project root of buffer `buf`: the nearest folder with a project marker, else the working
--- directory when the file is under it, else the file's own folder.
---@param buf integer
---@return string
M.root = function(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local cwd = vim.fn.getcwd()
  local path = vim.api.nvim_buf_get_name(buf)
  if path == '' or vim.bo[buf].buftype ~= '' then return cwd end
  -- The nearest folder with any marker (vim.fs.root gives a flat marker list priority order, so
  -- a repository's .git would win over a nested project's own pyproject.toml).
  local markers = { '.git', 'Cargo.toml', 'package.json', 'go.mod', 'pyproject.toml', 'Makefile' }
  for dir in vim.fs.parents(path) do
    for _, m in ipairs(markers) do
      if vim.uv.fs_stat(dir .. '/' .. m) then return dir end
    end
  end
  if vim.startswith(path, cwd .. '/') then return cwd end
  return vim.fs.dirname(path)
end

--- Loaded file buffers under `root` that are modified, plus the current one: the unsaved text
--- the model must see instead of the files on disk (the chat's context uses it too).
M.live_buffers = function(root, current)
  local out = {}
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(b)
    if
      vim.api.nvim_buf_is_loaded(b)
      and vim.bo[b].buftype == ''
      and name ~= ''
      and vim.startswith(name, root)
      and (vim.bo[b].modified or b == current)
    then
      out[#out + 1] = {
        path = name,
        text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n') .. '\n',
        tick = vim.b[b].changedtick,
      }
    end
  end
  return out
end

--- The errors the editor already shows for this request: with a `range`, the buffer's ERROR
--- diagnostics inside it only; otherwise the current quickfix list's project entries (with
--- `qf`, or unless `fix.quickfix_input` is false), then the buffer's ERROR diagnostics.
H.errors = function(buf, root, from_qf, range)
  local fix = require('smallcode').config.fix or {}
  local out = {}
  if from_qf or (range == nil and fix.quickfix_input ~= false) then
    out = require('smallcode.quickfix').input(root, 20, not from_qf)
    if from_qf and #out == 0 then
      vim.notify('(smallcode) the quickfix list has no entries for files under ' .. root, vim.log.levels.WARN)
    end
  end
  if fix.diagnostics ~= false then
    local seen = {}
    for _, e in ipairs(out) do
      seen[e.file .. ':' .. e.line .. ':' .. e.text] = true
    end
    local ranges = range and { { range.line1, range.line2 } } or nil
    for _, e in ipairs(require('smallcode.diagnostics').errors(buf, root, ranges)) do
      if not seen[e.file .. ':' .. e.line .. ':' .. e.text] then out[#out + 1] = e end
    end
  end
  return out
end

--- The user's own tools for `agent_run` (lua/smallcode/tools.lua); nil when there are none.
---@return table[]|nil
H.user_tools = function()
  local specs = require('smallcode.tools').specs()
  return #specs > 0 and specs or nil
end

--- The window `fix` works on: the current one when it shows a file; from the chat (or another
--- window without a file), the window the chat was opened from, else the previous window, else
--- the first file window of the tab.
H.target_win = function()
  local function is_file(win)
    if not (win and vim.api.nvim_win_is_valid(win)) then return false end
    local b = vim.api.nvim_win_get_buf(win)
    return vim.bo[b].buftype == '' and vim.api.nvim_buf_get_name(b) ~= ''
  end
  local here = vim.api.nvim_get_current_win()
  if is_file(here) then return here end
  local chat = package.loaded['smallcode.chat']
  local c = chat and chat.get(1)
  if c and is_file(c.origin_win) then return c.origin_win end
  local prev = vim.fn.win_getid(vim.fn.winnr('#'))
  if is_file(prev) then return prev end
  for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if is_file(win) then return win end
  end
  return here
end

-- Node types that are a definition, over the grammars smallcode knows.
H.def_types = {
  function_definition = true,
  function_declaration = true,
  function_item = true,
  method_definition = true,
  method_declaration = true,
  class_definition = true,
  class_declaration = true,
  impl_item = true,
  local_function = true,
  ['function'] = true,
  arrow_function = true,
  constructor_declaration = true,
}

H.ts_definition = function(buf, row)
  local ok, parser = pcall(vim.treesitter.get_parser, buf)
  if not ok or not parser then return nil end
  local tree = parser:parse()[1]
  if not tree then return nil end
  local line = vim.api.nvim_buf_get_lines(buf, row - 1, row, false)[1] or ''
  local col = #(line:match('^%s*') or '')
  local node = tree:root():named_descendant_for_range(row - 1, col, row - 1, col)
  while node do
    if H.def_types[node:type()] then return node end
    node = node:parent()
  end
  return nil
end

-- Lines that start a definition, for buffers without a tree-sitter parser.
H.def_pattern = {
  '^%s*def%s',
  '^%s*async%s+def%s',
  '^%s*class%s',
  '^%s*fn%s',
  '^%s*pub[%w()%s]*fn%s',
  '^%s*func%s',
  '^%s*function[%s(]',
  '^%s*local%s+function%s',
  '^%s*export%s',
}

H.indent_definition = function(buf, row)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local function indent(l) return #(l:match('^%s*') or '') end
  local function starts(l)
    for _, p in ipairs(H.def_pattern) do
      if l:find(p) then return true end
    end
    return false
  end
  local first
  for r = row, 1, -1 do
    local l = lines[r]
    if starts(l) and (r == row or indent(l) < indent(lines[row]) or lines[row]:match('^%s*$')) then
      first = r
      break
    end
  end
  if not first then return row, row end
  local base, last = indent(lines[first]), first
  for r = first + 1, #lines do
    local l = lines[r]
    if not l:match('^%s*$') then
      if indent(l) <= base then
        -- A closing line at the definition's own indent (`}`, `end`) belongs to it.
        if l:match('^%s*[%]})]') or l:match('^%s*end%f[%W]') then last = r end
        break
      end
      last = r
    end
  end
  return first, math.max(last, row)
end

H.relpath = function(root, path)
  local prefix = root:sub(-1) == '/' and root or (root .. '/')
  return vim.startswith(path, prefix) and path:sub(#prefix + 1) or path
end

return M
