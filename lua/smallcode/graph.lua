--- `:SmallCode graph [NAME]`: where NAME is defined, who calls it and what it calls, from the code
--- graph (tree-sitter symbols persisted in redb), shown in the quickfix list.
local M = {}

--- Asks the Rust process about `name` (default: the word under the cursor). The answer arrives
--- asynchronously in `M.show`: indexing a large project the first time takes seconds.
---@param name string|nil
M.query = function(name)
  name = vim.trim(name or '')
  if name == '' then name = vim.fn.expand('<cword>') end
  if name == '' then error('(smallcode) graph: no name given and no word under the cursor', 0) end
  local root = require('smallcode.agent').root(0)
  require('smallcode.rpc').notify('graph_query', { root = root, name = name })
  vim.api.nvim_echo({ { '(smallcode) graph: looking up ' .. name .. '…' } }, false, {})
end

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

return M
