--- `:SmallCode fix`: hands a request to the agent with what the user is looking at — the current
--- file, the visual selection, and the unsaved text of loaded buffers (unsaved text wins).
local M = {}

local H = {}

--- Sends `text` (default: "Fix the bug.") to the agent. With a range (`:'<,'>SmallCode fix`),
--- the selected lines are quoted in the request.
---@param text string|nil
---@param opts table|nil command opts: range, line1, line2
M.fix = function(text, opts)
  opts = opts or {}
  local buf = vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(buf)
  local is_file = path ~= '' and vim.bo[buf].buftype == ''
  local root = M.root(buf)
  local request = vim.trim(text or '')
  -- `qf` as the first word: the task is the current quickfix list's errors.
  local from_qf = request == 'qf' or vim.startswith(request, 'qf ')
  if from_qf then request = vim.trim(request:sub(3)) end
  if request == '' then request = from_qf and 'Fix these errors.' or 'Fix the bug.' end
  if is_file then
    local rel = H.relpath(root, path)
    if (opts.range or 0) > 0 then
      local lines = vim.api.nvim_buf_get_lines(buf, opts.line1 - 1, opts.line2, false)
      request = string.format(
        '%s\nIn %s, lines %d-%d:\n```\n%s\n```',
        request,
        rel,
        opts.line1,
        opts.line2,
        table.concat(lines, '\n')
      )
    elseif not request:find(rel, 1, true) then
      request = request .. '\nFile: ' .. rel
    end
  end
  local errors = H.errors(buf, root, from_qf, (opts.range or 0) == 0)
  -- The files the errors point at are the agent's targets.
  for _, e in ipairs(errors) do
    if not request:find(e.file, 1, true) then request = request .. '\nFile: ' .. e.file end
  end
  M.last = { request = request, root = root, chat = 1, round = 0 }
  return require('smallcode.chat').send(request, 1, {
    method = 'agent_run',
    payload = {
      root = root,
      buffers = M.live_buffers(root, buf),
      errors = errors,
      edit_format = require('smallcode').get_config().edit_format,
    },
  })
end

--- The last `:SmallCode fix` request (`{request, root, chat, round}`), for feedback rounds.
M.last = nil

--- Sends another round for `run` with `errors` (new ERROR diagnostics after its edit landed),
--- through the same path as checker errors.
---@param run table an `M.last` value
---@param errors table[] `{file, line, col, text}`
M.feedback = function(run, errors)
  M.last = { request = run.request, root = run.root, chat = run.chat, round = (run.round or 0) + 1 }
  local text = string.format('%s\n(after the edit: %d new error(s) in the diagnostics)', run.request, #errors)
  return require('smallcode.chat').send(text, run.chat, {
    method = 'agent_run',
    payload = {
      root = run.root,
      buffers = M.live_buffers(run.root, vim.api.nvim_get_current_buf()),
      errors = errors,
      edit_format = require('smallcode').get_config().edit_format,
    },
  })
end

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

--- The errors the editor already shows for this request: the current quickfix list's project
--- entries (with `qf`, or when there is no range), then the buffer's ERROR diagnostics.
H.errors = function(buf, root, from_qf, no_range)
  local fix = require('smallcode').config.fix or {}
  local out = {}
  if from_qf or (no_range and fix.quickfix_input ~= false) then
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
    for _, e in ipairs(require('smallcode.diagnostics').errors(buf, root)) do
      if not seen[e.file .. ':' .. e.line .. ':' .. e.text] then out[#out + 1] = e end
    end
  end
  return out
end

H.relpath = function(root, path)
  local prefix = root:sub(-1) == '/' and root or (root .. '/')
  return vim.startswith(path, prefix) and path:sub(#prefix + 1) or path
end

return M
