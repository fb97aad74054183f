--- The quickfix side of `:SmallCode fix`.
---
--- - `M.publish` is called by Rust (`nvim_exec_lua`) with the improvement loop's current checker
---   errors: they go to a quickfix list titled 'smallcode', which replaces only smallcode's own
---   previous list (the user's `:make` or `:grep` lists are left alone). Paths arrive relative to
---   the real project root (the checkers ran in a shadow copy; Rust strips that prefix), so every
---   entry points at the user's file. Errors that remain when the run ends stay in the list; a run
---   whose checks pass empties it.
--- - `M.input` reads the current quickfix list as the task's errors (`:SmallCode fix qf`).
local M = {}

local H = {}

-- Module definition ==========================================================

--- Title of smallcode's own quickfix list.
M.title = 'smallcode'

--- Publishes an `errors` event `{ root, items = {{file, line, col, text}…} }`. Entries outside
--- `root` or naming files that do not exist (e.g. interpreter internals) are dropped.
---@param ev table
---@return integer count entries published
M.publish = function(ev)
  if type(ev) ~= 'table' or type(ev.root) ~= 'string' then return 0 end
  if not H.enabled() then return 0 end
  local items = {}
  for _, it in ipairs(ev.items or {}) do
    local path = H.abs(ev.root, it.file)
    if path then
      items[#items + 1] = {
        filename = path,
        lnum = tonumber(it.line) or 0,
        col = tonumber(it.col) or 0,
        text = tostring(it.text or ''),
        type = 'E',
      }
    end
  end
  M.set(items)
  return #items
end

--- Replaces smallcode's own quickfix list with `items` (creates it at the end of the stack the
--- first time, without freeing the lists after the current one).
---@param items table[] setqflist() items
M.set = function(items)
  local id = M.own_id()
  if id then
    vim.fn.setqflist({}, 'r', { id = id, items = items, title = M.title })
  else
    vim.fn.setqflist({}, ' ', { nr = '$', items = items, title = M.title })
  end
end

--- The id of smallcode's quickfix list, or nil when there is none.
---@return integer|nil
M.own_id = function()
  local last = vim.fn.getqflist({ nr = '$' }).nr or 0
  for nr = last, 1, -1 do
    local l = vim.fn.getqflist({ nr = nr, id = 0, title = 0 })
    if l.title == M.title then return l.id end
  end
end

--- The current quickfix list's entries for files under `root`, as the agent's `errors`
--- (`{file = <relative path>, line, col, text}`), at most `limit` (default 20). With `auto`
--- (no `qf` asked for), lists that hold search results rather than errors (`:grep`,
--- `:vimgrep`, `:helpgrep`, `:SmallCode graph`) are not taken.
---@param root string
---@param limit integer|nil
---@param auto boolean|nil
---@return table[]
M.input = function(root, limit, auto)
  local out = {}
  if auto and H.is_search(vim.fn.getqflist({ title = 0 }).title or '') then return out end
  local prefix = root:sub(-1) == '/' and root or (root .. '/')
  for _, it in ipairs(vim.fn.getqflist()) do
    if #out >= (limit or 20) then break end
    local name = it.bufnr > 0 and vim.api.nvim_buf_get_name(it.bufnr) or ''
    if it.valid == 1 and vim.startswith(name, prefix) then
      out[#out + 1] = {
        file = name:sub(#prefix + 1),
        line = it.lnum,
        col = it.col,
        text = vim.trim(it.text or ''),
      }
    end
  end
  return out
end

-- Helper functionality =======================================================

H.is_search = function(title)
  return title:find('^:?%s*l?vimgrep') ~= nil
    or title:find('^:?%s*l?grep') ~= nil
    or title:find('^:?%s*l?helpgrep') ~= nil
    or vim.startswith(title, 'smallcode graph')
end

H.enabled = function()
  local ok, cfg = pcall(function() return require('smallcode').config end)
  return not (ok and type(cfg) == 'table' and type(cfg.fix) == 'table' and cfg.fix.quickfix == false)
end

--- The absolute path of `file` (relative to `root` or absolute) when it is an existing file under
--- `root`, else nil.
H.abs = function(root, file)
  if type(file) ~= 'string' or file == '' then return nil end
  file = file:gsub('^%./', '')
  local path = file:sub(1, 1) == '/' and file or (root .. '/' .. file)
  path = vim.fs.normalize(path)
  local r = vim.fs.normalize(root)
  if not vim.startswith(path, r .. '/') then return nil end
  local stat = vim.uv.fs_stat(path)
  if not (stat and stat.type == 'file') then return nil end
  return path
end

return M
