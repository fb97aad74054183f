--- Applies the agent's verified edits to buffers: the last step of the data path.
---
--- Called by Rust (`nvim_exec_lua`) with a list of `{ path, text, tick }` after the change set
--- passed its checks. Each file becomes one undo step: all its hunks are set within this one call.
--- A buffer whose `changedtick` moved since the agent read it is left alone (the user typed
--- meanwhile); a file that is not loaded is loaded first, so the change is a buffer change the
--- user saves, never a write behind their back.
local M = {}

local H = {}

--- Applies `edits`; returns one line per file for the chat.
---@param edits table[] { path: string, text: string, tick: integer|nil }[]
---@return string[]
M.apply = function(edits)
  local out, landed = {}, {}
  for _, e in ipairs(edits or {}) do
    local ok, res, land = pcall(H.apply_one, e)
    out[#out + 1] = ok and res or ('not applied ' .. tostring(e.path) .. ': ' .. tostring(res))
    if ok and land then landed[#landed + 1] = land end
  end
  -- New LSP errors in the edited lines are a second signal (smallcode.diagnostics).
  if #landed > 0 then pcall(require('smallcode.diagnostics').landed, landed) end
  return out
end

H.diff = vim.text and vim.text.diff or vim.diff

H.apply_one = function(e)
  local buf = vim.fn.bufadd(e.path)
  if not vim.api.nvim_buf_is_loaded(buf) then vim.fn.bufload(buf) end
  local rel = vim.fn.fnamemodify(e.path, ':~:.')
  if type(e.tick) == 'number' and vim.b[buf].changedtick ~= e.tick then
    return 'not applied ' .. rel .. ': the buffer changed since the agent read it (ask again)'
  end
  local old = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  local new = e.text:sub(-1) == '\n' and e.text or (e.text .. '\n')
  if old == new then return 'unchanged ' .. rel end
  local new_lines = vim.split(new:sub(1, -2), '\n', { plain = true })
  local hunks = H.diff(old, new, { result_type = 'indices' })
  local added, removed = 0, 0
  local before = require('smallcode.diagnostics').snapshot(buf)
  local ranges = {}
  -- Bottom-up so earlier line numbers stay valid; all in this call = one undo step.
  for i = #hunks, 1, -1 do
    local sa, ca, sb, cb = unpack(hunks[i])
    local repl = {}
    for k = sb, sb + cb - 1 do
      repl[#repl + 1] = new_lines[k]
    end
    local start = ca == 0 and sa or sa - 1
    vim.api.nvim_buf_set_lines(buf, start, start + ca, false, repl)
    added, removed = added + cb, removed + ca
    ranges[#ranges + 1] = { math.max(sb, 1), math.max(sb, sb + cb - 1) }
  end
  local msg = string.format('applied %s: +%d -%d lines (one undo step; not saved)', rel, added, removed)
  return msg, { buf = buf, ranges = ranges, before = before }
end

return M
