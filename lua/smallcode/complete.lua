--- Completion in the chat's input: `#buffer`, `#file:PATH`, `#symbol:NAME`, `#diagnostics`,
--- `#quickfix`, `#selection` anywhere, and the `/commands` at the start of the message. Set as
--- the input buffer's 'omnifunc' and 'completefunc' (`<C-x><C-o>`, `<C-x><C-u>`).
---
--- Files come from the chat's project (`vim.fn.globpath`), symbols from the code graph in the
--- Rust process (`symbols` request: names as far as the graph is indexed, never waiting).
local M = {}

local H = {}

-- Module definition ==========================================================

--- The names a message can use to point at context (src/chat/refs.rs).
M.names = {
  { word = '#buffer', info = 'the file you came from, as its buffer has it' },
  { word = '#file:', info = 'a file of the project, whole (or the outline of its definitions)' },
  { word = '#symbol:', info = 'a definition from the code graph, whole' },
  { word = '#diagnostics', info = "the current buffer's diagnostics" },
  { word = '#quickfix', info = 'the quickfix list' },
  { word = '#selection', info = 'the last visual selection' },
}

--- 'omnifunc' / 'completefunc' of the input buffer.
---@param findstart integer
---@param base string
---@return integer|table
M.omnifunc = function(findstart, base)
  if findstart == 1 then return H.start() end
  local ok, items = pcall(M.items, base)
  return ok and items or {}
end

--- The completion items for `base` (`#…` or `/…`).
---@param base string
---@param id integer|nil chat id, default: the chat of the current buffer, else 1
---@return table[]
M.items = function(base, id)
  id = id or H.chat_id()
  if vim.startswith(base, '/') then return H.commands(base:sub(2)) end
  local kind, arg = base:match('^#(%a+):(.*)$')
  if kind == 'file' then return H.files(arg, id) end
  if kind == 'symbol' then return H.symbols(arg, id) end
  local out = {}
  for _, n in ipairs(M.names) do
    if vim.startswith(n.word, base) then out[#out + 1] = { word = n.word, menu = '[smallcode]', info = n.info } end
  end
  return out
end

-- Helper data ================================================================

-- Most files and symbols offered at once.
H.limit = 50

-- Helper functionality =======================================================

--- Byte column (0-based) where the word being completed starts: a `#` word anywhere, a `/`
--- word at the start of the message; -3 (no completion) otherwise.
H.start = function()
  local line = vim.api.nvim_get_current_line()
  local col = vim.api.nvim_win_get_cursor(0)[2]
  local before = line:sub(1, col)
  local s = before:find('#[%w_:./%-]*$')
  if s and (s == 1 or before:sub(s - 1, s - 1):match('[%s(%[{]')) then return s - 1 end
  if vim.api.nvim_win_get_cursor(0)[1] == 1 and before:match('^/%a*$') then return 0 end
  return -3
end

H.chat_id = function()
  local name = vim.api.nvim_buf_get_name(0)
  return tonumber(name:match('^smallcode://input/(%d+)$')) or 1
end

H.commands = function(prefix)
  local out = {}
  for _, c in ipairs(require('smallcode.chat').all_commands()) do
    if vim.startswith(c.name, prefix) then
      out[#out + 1] = { word = '/' .. c.name, menu = c.user and '[yours]' or '[smallcode]', info = c.desc }
    end
  end
  return out
end

H.files = function(partial, id)
  local root = require('smallcode.chat').project(id)
  local out = {}
  for _, path in ipairs(vim.fn.globpath(root, partial .. '*', false, true)) do
    local rel = path:sub(#root + 2)
    if vim.fn.isdirectory(path) == 1 then rel = rel .. '/' end
    out[#out + 1] = { word = '#file:' .. rel, menu = '[file]' }
    if #out >= H.limit then break end
  end
  return out
end

H.symbols = function(prefix, id)
  local root = require('smallcode.chat').project(id)
  local names = require('smallcode.rpc').request('symbols', { root = root, prefix = prefix })
  local out = {}
  for _, n in ipairs(type(names) == 'table' and names or {}) do
    out[#out + 1] = { word = '#symbol:' .. n, menu = '[symbol]' }
  end
  return out
end

return M
