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

--- A statusline component: model, context, state and hunks waiting for review, e.g.
--- `SmolLM2-135M · ctx 8192 · generating · 2 hunks`. Cheap and safe to call at every redraw:
--- it loads nothing, starts nothing and works with no chat open (then it is `smallcode · off`
--- before the process runs, `smallcode · idle` once it does).
---@return string
SmallCode.statusline = function()
  local ok, text = pcall(H.statusline)
  return ok and text or 'smallcode'
end

-- Helper data ================================================================

-- Resolved config; nil until first needed.
H.config = nil
-- Whether the config came from setup() (rather than vim.g.smallcode).
H.from_setup = false

-- Helper functionality =======================================================

H.statusline = function()
  local parts = {}
  local chat = package.loaded['smallcode.chat']
  local c = chat and chat.get(1)
  -- The chat's status is `server · model · ctx N` once a model server was reached.
  local status = c and c.status
  if type(status) == 'string' then
    local fields = vim.split(status, ' · ', { plain = true })
    local ctx = fields[#fields] and fields[#fields]:match('^ctx %d+$') and fields[#fields] or nil
    local model = #fields >= 2 and fields[#fields - (ctx and 1 or 0)] or nil
    if model then parts[#parts + 1] = model end
    if ctx then parts[#parts + 1] = ctx end
  end
  if #parts == 0 then parts[#parts + 1] = 'smallcode' end
  local rpc = package.loaded['smallcode.rpc']
  local state
  if c and c.busy then
    state = c.streaming and 'generating' or 'waiting'
  elseif rpc and rpc.chan() then
    state = 'idle'
  else
    state = 'off'
  end
  parts[#parts + 1] = state
  local queued = c and c.queue and #c.queue or 0
  if queued > 0 then parts[#parts + 1] = queued .. ' queued' end
  local review = package.loaded['smallcode.review']
  local hunks = review and review.count() or 0
  if hunks > 0 then parts[#parts + 1] = hunks .. (hunks == 1 and ' hunk' or ' hunks') end
  return table.concat(parts, ' · ')
end

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

-- `SmallCode.config` resolves lazily so that merely requiring this module costs nothing;
-- `SmallCode.review` is `require('smallcode.review')` (|smallcode-review-api|), loaded on use.
return setmetatable(SmallCode, {
  __index = function(_, key)
    if key == 'config' then return SmallCode.get_config() end
    if key == 'review' then return require('smallcode.review') end
  end,
})
