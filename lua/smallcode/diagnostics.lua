--- Neovim diagnostics as a second signal for `:SmallCode fix`.
---
--- - Before a run, the target buffer's ERROR diagnostics are part of the task's errors (`M.errors`).
--- - After a verified change lands (`M.landed`, called by `smallcode.edit`), the edited ranges are
---   read again once an LSP has had time to react (`fix.settle_ms`); ERROR diagnostics there that
---   were not present before the edit go back to the agent as another round, through the same
---   path as checker errors. The number of such rounds per request is capped by
---   `fix.diagnostic_rounds`.
local M = {}

local H = {}

-- Module definition ==========================================================

--- ERROR diagnostics of `buf` as agent errors (`{file, line, col, text}`, paths relative to
--- `root`), optionally only those on lines in `ranges` (`{{first, last}…}`, 1-based).
---@param buf integer
---@param root string
---@param ranges table[]|nil
---@return table[]
M.errors = function(buf, root, ranges)
  local out = {}
  if not vim.api.nvim_buf_is_valid(buf) then return out end
  local name = vim.api.nvim_buf_get_name(buf)
  local prefix = root:sub(-1) == '/' and root or (root .. '/')
  if not vim.startswith(name, prefix) then return out end
  for _, d in ipairs(vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })) do
    if ranges == nil or H.in_ranges(d.lnum + 1, ranges) then
      out[#out + 1] = {
        file = name:sub(#prefix + 1),
        line = d.lnum + 1,
        col = (d.col or 0) + 1,
        text = vim.split(d.message or '', '\n', { plain = true })[1],
      }
    end
  end
  return out
end

--- The messages of `buf`'s current ERROR diagnostics (taken before an edit lands, so that only
--- new ones count afterwards).
---@param buf integer
---@return table<string, boolean>
M.snapshot = function(buf)
  local seen = {}
  for _, d in ipairs(vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })) do
    seen[d.message or ''] = true
  end
  return seen
end

--- Called by `smallcode.edit` after a change set landed: `landed` is `{{buf, ranges, before}…}`.
--- After the settle delay, new ERROR diagnostics in the edited ranges start a feedback round.
---@param landed table[]
M.landed = function(landed)
  local run = require('smallcode.agent').last
  local cfg = H.config()
  if not cfg.enabled or not run or #landed == 0 or (run.round or 0) >= cfg.diagnostic_rounds then return end
  vim.defer_fn(function() H.check(run, landed, 0) end, cfg.settle_ms)
end

-- Helper functionality =======================================================

H.config = function()
  local ok, cfg = pcall(function() return require('smallcode').config end)
  local fix = ok and type(cfg) == 'table' and cfg.fix or {}
  return {
    enabled = fix.diagnostics ~= false,
    settle_ms = fix.settle_ms or 500,
    diagnostic_rounds = fix.diagnostic_rounds or 1,
  }
end

H.in_ranges = function(line, ranges)
  for _, r in ipairs(ranges) do
    if line >= r[1] and line <= r[2] then return true end
  end
  return false
end

H.check = function(run, landed, tries)
  -- A newer request replaced this one: its own landing decides.
  if require('smallcode.agent').last ~= run then return end
  local errors = {}
  for _, l in ipairs(landed) do
    for _, e in ipairs(M.errors(l.buf, run.root, l.ranges)) do
      if not l.before[e.text] then errors[#errors + 1] = e end
    end
  end
  if #errors == 0 then return end
  -- The turn that landed the edit may still be closing: try again shortly.
  if require('smallcode.chat').busy(run.chat) then
    if tries < 20 then vim.defer_fn(function() H.check(run, landed, tries + 1) end, 100) end
    return
  end
  require('smallcode.agent').feedback(run, errors)
end

return M
