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
  if request == '' then request = 'Fix the bug.' end
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
  return require('smallcode.chat').send(request, 1, {
    method = 'agent_run',
    payload = {
      root = root,
      buffers = H.live_buffers(root, buf),
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

--- Loaded file buffers under `root` that are modified, plus the current one.
H.live_buffers = function(root, current)
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

H.relpath = function(root, path)
  local prefix = root:sub(-1) == '/' and root or (root .. '/')
  return vim.startswith(path, prefix) and path:sub(#prefix + 1) or path
end

return M
