--- The `:SmallCode` subcommands as one table, plus dispatch and completion.
---
--- Light on purpose: plugin/smallcode.lua may require this at start-up, so handlers require the
--- modules they need when they run. Adding a subcommand = adding one row.
local M = {}

local H = {}

-- Module definition ==========================================================

--- One row per subcommand: `name`, `desc`, `handler(args)` where `args` is the rest of the command
--- line as typed, and optionally `complete(arglead, typed)` for its arguments (`typed`: all of
--- the arguments typed so far, spaces included).
M.subcommands = {
  {
    name = 'open',
    desc = 'Open the chat, or focus it when it is open',
    handler = function(_) require('smallcode.chat').open() end,
  },
  {
    name = 'ask',
    desc = 'Send {text} to the chat as if typed in its input area (with a range: the selection too)',
    handler = function(args, opts)
      if vim.trim(args) == '' then H.error('ask: missing text, e.g. `:SmallCode ask explain this error`') end
      local route = nil
      opts = opts or {}
      if (opts.range or 0) > 0 then
        local buf = vim.api.nvim_get_current_buf()
        local lines = vim.api.nvim_buf_get_lines(buf, opts.line1 - 1, opts.line2, false)
        local path = vim.api.nvim_buf_get_name(buf)
        route = {
          method = 'chat_send',
          payload = {
            selection = {
              path = path ~= '' and path or nil,
              line1 = opts.line1,
              line2 = opts.line2,
              text = table.concat(lines, '\n'),
            },
          },
        }
      end
      require('smallcode.chat').send(args, nil, route)
    end,
  },
  {
    name = 'resume',
    desc = 'Reopen a saved chat of this project: `last`, a title, or pick one (date, first message, turns)',
    handler = function(args) require('smallcode.chat').resume(args) end,
    complete = function(arglead, typed) return H.complete_saved(arglead, typed, { 'last' }) end,
  },
  {
    name = 'chats',
    desc = 'Saved chats of this project: `delete [TITLE]` removes one, `list` shows them',
    handler = function(args)
      local verb, rest = vim.trim(args or ''):match('^(%S*)%s*(.-)$')
      local chat = require('smallcode.chat')
      if verb == 'delete' then return chat.delete_saved(rest) end
      if verb == '' or verb == 'list' then
        local lines = vim.tbl_map(chat.format_saved, chat.saved())
        return H.echo(#lines > 0 and table.concat(lines, '\n') or 'no saved chats for this project')
      end
      H.error(string.format("chats: unknown argument '%s'; use `list` or `delete [TITLE]`", verb))
    end,
    complete = function(arglead, typed)
      local verb = typed:match('^(%S+)%s')
      if verb == 'delete' then return H.complete_saved(arglead, (typed:sub(#verb + 1):gsub('^%s+', '')), {}) end
      return vim.tbl_filter(function(v) return vim.startswith(v, arglead) end, { 'delete', 'list' })
    end,
  },
  {
    name = 'model',
    desc = "Switch to model {name} of the server, or pick one of the server's models",
    handler = function(args) require('smallcode.chat').model(args) end,
    complete = function(arglead)
      local ok, models = pcall(function() return require('smallcode.chat').models() end)
      return vim.tbl_filter(function(m) return vim.startswith(m, arglead) end, ok and models or {})
    end,
  },
  {
    name = 'fix',
    desc = 'Let the agent fix {text} (or the selection); its change is shown for review in the buffers',
    handler = function(args, opts) require('smallcode.agent').fix(args, opts) end,
  },
  {
    name = 'trust',
    desc = 'Trust the current project: its tests, build scripts and commands may run (:h smallcode-trust)',
    handler = function(_) require('smallcode.trust').grant(require('smallcode.agent').current_root()) end,
  },
  {
    name = 'untrust',
    desc = "Forget the current project's trust: restricted mode, none of its code runs",
    handler = function(_) require('smallcode.trust').revoke(require('smallcode.agent').current_root()) end,
  },
  {
    name = 'accept',
    desc = 'Accept the hunk under the cursor, or with `all` every hunk waiting for review',
    handler = function(args) require('smallcode.review').accept({ all = H.all(args, 'accept') }) end,
    complete = function(arglead) return H.complete_all(arglead) end,
  },
  {
    name = 'reject',
    desc = 'Reject the hunk under the cursor, or with `all` every hunk waiting for review',
    handler = function(args) require('smallcode.review').reject({ all = H.all(args, 'reject') }) end,
    complete = function(arglead) return H.complete_all(arglead) end,
  },
  {
    name = 'undo',
    desc = 'Revert the last landed change set in every buffer it touched',
    handler = function(_)
      local lines = require('smallcode.edit').undo()
      H.echo(table.concat(lines, '; '))
      local chat = package.loaded['smallcode.chat']
      if chat and chat.get(1) then chat.info(1, table.concat(lines, '\n')) end
      if chat then chat.refresh() end
    end,
  },
  {
    name = 'graph',
    desc = 'Definitions, callers and callees of {name} (default: word under cursor) in the quickfix list',
    handler = function(args) require('smallcode.graph').query(args) end,
    complete = function(arglead)
      local ok, names = pcall(function()
        local root = require('smallcode.agent').current_root()
        return require('smallcode.rpc').request('symbols', { root = root, prefix = arglead })
      end)
      return ok and type(names) == 'table' and names or {}
    end,
  },
  {
    name = 'stop',
    desc = 'Cancel the reply in flight',
    handler = function(_) require('smallcode.chat').stop() end,
  },
  {
    name = 'log',
    desc = 'Open the log file of the smallcode process in a split',
    handler = function(_)
      local rpc = require('smallcode.rpc')
      if not rpc.chan() and not rpc.log_file() then rpc.ensure() end
      local path = rpc.log_file()
      if not path then H.error('the smallcode process did not report a log file') end
      vim.cmd('split ' .. vim.fn.fnameescape(path))
    end,
  },
  {
    name = 'restart',
    desc = 'Stop and start the smallcode process',
    handler = function(_)
      require('smallcode.rpc').restart()
      H.echo('process restarted')
    end,
  },
  {
    name = 'status',
    desc = 'Show the endpoint, model and context size in use',
    handler = function(_) H.echo(H.format_status(require('smallcode.rpc').request('status'))) end,
  },
  {
    name = 'health',
    desc = 'Run :checkhealth smallcode',
    handler = function(_) vim.cmd('checkhealth smallcode') end,
  },
}

--- Runs `:SmallCode {args}`. No subcommand opens (or focuses) the chat. Raises on errors.
---@param args string the command's arguments as typed
M.run = function(args, opts)
  args = args or ''
  local name, rest = args:match('^%s*(%S+)%s*(.-)$')
  if not name then return M.find('open').handler('') end
  local row = M.find(name)
  if not row then H.error(string.format("unknown subcommand '%s'; valid: %s", name, table.concat(M.names(), ', '))) end
  return row.handler(rest, opts)
end

--- The subcommand row called `name`, or nil.
---@param name string
---@return table|nil
M.find = function(name)
  for _, row in ipairs(M.subcommands) do
    if row.name == name then return row end
  end
end

--- All subcommand names, in table order.
---@return string[]
M.names = function()
  return vim.tbl_map(function(row) return row.name end, M.subcommands)
end

--- Completion for `:SmallCode` (a `complete` function of nvim_create_user_command).
---@param arglead string
---@param cmdline string
---@return string[]
M.complete = function(arglead, cmdline, _)
  -- Words typed before the one being completed, without the command name (which may be abbreviated).
  local before = cmdline:sub(1, #cmdline - #arglead)
  local words = vim.split(vim.trim(before), '%s+')
  table.remove(words, 1)
  if #words == 0 then
    return vim.tbl_filter(function(n) return vim.startswith(n, arglead) end, M.names())
  end
  local row = M.find(words[1])
  if not (row and row.complete) then return {} end
  -- The arguments typed so far: the command line after the subcommand.
  local typed = cmdline:match('^%s*%S+%s+%S+%s+(.*)$') or ''
  return row.complete(arglead, typed)
end

-- Helper functionality =======================================================

H.error = function(msg) error('(smallcode) ' .. msg, 0) end

H.echo = function(msg) vim.api.nvim_echo({ { '(smallcode) ' .. msg } }, true, {}) end

--- Whether the arguments of `accept`/`reject` say `all` (nothing else is allowed).
H.all = function(args, name)
  args = vim.trim(args or '')
  if args == '' then return false end
  if args == 'all' then return true end
  H.error(
    string.format("%s: unknown argument '%s'; use `:SmallCode %s` or `:SmallCode %s all`", name, args, name, name)
  )
end

H.complete_all = function(arglead) return vim.startswith('all', arglead) and { 'all' } or {} end

--- Completes saved chat titles (and `extra` words) against everything typed so far (titles
--- have spaces); returns what replaces `arglead`, the part after the last space.
H.complete_saved = function(arglead, typed, extra)
  local ok, list = pcall(function() return require('smallcode.chat').saved() end)
  local candidates = vim.deepcopy(extra)
  for _, item in ipairs(ok and list or {}) do
    if item.title ~= '' then candidates[#candidates + 1] = item.title end
  end
  local out = {}
  local lower = typed:lower()
  for _, c in ipairs(candidates) do
    if vim.startswith(c:lower(), lower) then out[#out + 1] = c:sub(#typed - #arglead + 1) end
  end
  return out
end

H.format_status = function(s)
  if type(s) ~= 'table' then return 'unexpected status reply: ' .. vim.inspect(s) end
  local function val(v) return (v == nil or v == vim.NIL) and '?' or tostring(v) end
  local parts = {
    'provider: ' .. val(s.provider),
    'endpoint: ' .. val(s.endpoint),
    'model: ' .. val(s.model),
    'context: ' .. val(s.context),
  }
  if s.source ~= nil and s.source ~= vim.NIL then table.insert(parts, 'source: ' .. tostring(s.source)) end
  local msg = table.concat(parts, ', ')
  if s.error ~= nil and s.error ~= vim.NIL then msg = msg .. '\nError: ' .. tostring(s.error) end
  return msg
end

return M
