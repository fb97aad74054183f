--- smallcode: a coding agent inside Neovim built for small local models.
---
--- Public entry point. `setup()` is optional: without it the configuration comes from the
--- `vim.g.smallcode` table (or the defaults) the first time it is needed. Nothing here starts the
--- Rust process; `smallcode.rpc` does that lazily on first use.
local SmallCode = {}

local H = {}

-- Module definition ==========================================================

--- Applies user configuration. Safe to call again: a running process receives the new config.
---@param opts table|nil see |smallcode-config|
SmallCode.setup = function(opts)
  H.config = require('smallcode.config').resolve(opts)
  H.from_setup = true

  -- A process that is already running keeps its old config until it hears `hello` again.
  local rpc = package.loaded['smallcode.rpc']
  if rpc and rpc.chan() then rpc.reconfigure() end

  if H.config.graph.index_on_start then H.index_on_start() end
end

--- The resolved configuration (also readable as `require('smallcode').config`).
---@return table
SmallCode.get_config = function()
  if H.config == nil then
    local g = vim.g.smallcode
    H.config = require('smallcode.config').resolve(type(g) == 'table' and g or nil)
  end
  return H.config
end

--- Opens (or focuses) the chat window.
---@param id integer|nil chat id, default 1
SmallCode.open = function(id) return require('smallcode.chat').open(id) end

--- Sends `text` to a chat as if it was typed in its input area.
---@param text string
---@param id integer|nil chat id, default 1
SmallCode.ask = function(text, id) return require('smallcode.chat').send(text, id) end

--- Stops the reply in flight.
---@param id integer|nil chat id, default 1
SmallCode.stop = function(id) return require('smallcode.chat').stop(id) end

--- The `status` reply of the Rust process (starts it if needed): provider, endpoint, model, context.
---@return table
SmallCode.status = function() return require('smallcode.rpc').request('status') end

--- Information about the running process (`nil` when not running): version, log_file, pid, bin.
---@return table|nil
SmallCode.info = function() return require('smallcode.rpc').info() end

-- Helper data ================================================================

-- Resolved config; nil until first needed.
H.config = nil
-- Whether the config came from setup() (rather than vim.g.smallcode).
H.from_setup = false

-- Helper functionality =======================================================

--- Activates the code graph of the current project once the editor has started (the index is
--- built by the Rust process in the background).
H.index_on_start = function()
  local function go()
    local ok, err = pcall(function()
      local graph = require('smallcode.graph')
      graph.activate(require('smallcode.agent').root(0))
    end)
    if not ok then vim.notify(tostring(err), vim.log.levels.WARN) end
  end
  if vim.v.vim_did_enter == 1 then
    vim.schedule(go)
  else
    vim.api.nvim_create_autocmd('VimEnter', { once = true, callback = go, desc = 'smallcode: index the project' })
  end
end

-- `SmallCode.config` resolves lazily so that merely requiring this module costs nothing.
return setmetatable(SmallCode, {
  __index = function(_, key)
    if key == 'config' then return SmallCode.get_config() end
  end,
})
