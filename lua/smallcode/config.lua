--- Defaults, deep merge and validation of the smallcode configuration.
---
--- Pure data and functions: no side effects, nothing heavy required. `require('smallcode').setup()`
--- calls `M.resolve()`; the Rust process receives `M.for_rust()` of the result in `hello`. The keys
--- that matter to Rust mirror `crates/llm/src/config.rs` (a missing key there means the documented default).
local M = {}

---@class smallcode.Timeouts Watchdog limits for one model request, in seconds.
---@field connect? number TCP connect + response headers (5)
---@field first_token? number sending the request to the first streamed token (180)
---@field idle? number between two streamed chunks once tokens flow (30)

---@class smallcode.FixConfig What :SmallCode fix feeds the agent and publishes.
---@field quickfix? boolean publish checker errors to the 'smallcode' quickfix list (true)
---@field quickfix_input? boolean feed the current quickfix list's entries as errors (true)
---@field diagnostics? boolean include the buffer's ERROR diagnostics (true)
---@field settle_ms? integer wait before reading diagnostics after an edit lands (500)
---@field diagnostic_rounds? integer extra rounds started by new ERROR diagnostics (1)
---@field repair_templates? boolean when the model fails, try small variants and the repairs the error names (true)

---@class smallcode.Escalation A stronger model for the failing sub-task only.
---@field provider 'anthropic'|'openai'
---@field endpoint? string base URL (Anthropic's API for 'anthropic')
---@field model string
---@field api_key_env? string environment variable holding the key
---@field max_tokens? integer reply cap (2048)

---@class smallcode.GraphConfig The code graph.
---@field index_on_start? boolean index the project when setup() runs (false)
---@field live? boolean send unsaved buffer text to the graph (true)
---@field debounce_ms? integer quiet time before a buffer's text is sent (200)
---@field progress? boolean indexing progress and summary messages (true)

---@class smallcode.Keys Keys in the chat and input buffers; false disables one.
---@field send_insert? string|false ('<C-s>')
---@field send_normal? string|false ('<CR>')
---@field stop? string|false ('<C-c>')

---@class smallcode.ReviewKeys Buffer-local keys while a buffer has hunks to review; false disables one.
---@field accept? string|false the hunk under the cursor ('<LocalLeader>a')
---@field reject? string|false the hunk under the cursor ('<LocalLeader>r')
---@field accept_all? string|false every pending hunk ('<LocalLeader>A')
---@field reject_all? string|false every pending hunk ('<LocalLeader>R')
---@field next? string|false next hunk (']h')
---@field prev? string|false previous hunk ('[h')

---@class smallcode.ReviewConfig How a change set whose checks pass reaches the buffers.
---@field auto_accept? boolean land a `verified` change at once, without review (false)
---@field keys? smallcode.ReviewKeys

---@class smallcode.ChatLayout
---@field position? 'right'|'bottom' ('right')
---@field size? number fraction of the editor (0 < size < 1) or columns/lines (>= 1) (0.4)

---@class smallcode.UserTool A tool of yours the model may call (the `tools` edit format).
---@field description string one sentence for the model
---@field parameters? table<string, {type?: 'string'|'integer'|'boolean'|'string[]', description?: string, required?: boolean}>
---@field run? fun(args: table, ctx: {root: string, trusted: boolean}): any
---@field cmd? string[] a command; `{ARG}` is replaced by the argument (trusted projects only)

---@class smallcode.CommandContext What a command's `run` gets besides its arguments.
---@field chat integer the chat id
---@field root string the chat's project
---@field buf? integer the buffer the chat was used from (nil without a file window)
---@field file? string that buffer's file

---@class smallcode.UserCommand A `/NAME` command of yours in the chat (palette, completion).
---@field description string one line for the palette and completion
---@field prompt? string the message sent to the model; `{args}` is replaced by what follows /NAME
---@field run? fun(args: string, ctx: smallcode.CommandContext): string|nil returns the message to send, or nil when it did its job itself
---@field args? boolean the palette puts `/NAME ` in the input for arguments instead of running it (default: whether `prompt` has `{args}`)

---@class smallcode.Config The table given to `require('smallcode').setup()`; every key is optional.
---@field provider? 'openai'|'ollama' wire format; nil = detected
---@field endpoint? string base URL; nil = probe loopback
---@field model? string nil = the server's loaded model
---@field api_key_env? string environment variable holding the API key
---@field api_key_cmd? string command printing the API key
---@field context? integer context size; nil = probed
---@field timeouts? smallcode.Timeouts
---@field max_tokens? integer reply cap, always sent (512)
---@field temperature? number (0.2)
---@field system_prompt? string nil = the short built-in prompt
---@field edit_format? 'whole'|'tools' how the agent edits ('whole')
---@field bin? string path of the smallcode binary
---@field log_level? 'trace'|'debug'|'info'|'warn'|'error' ('info')
---@field fix? smallcode.FixConfig
---@field escalation? smallcode.Escalation
---@field graph? smallcode.GraphConfig
---@field keys? smallcode.Keys
---@field review? smallcode.ReviewConfig
---@field chat? smallcode.ChatLayout
---@field tools? table<string, smallcode.UserTool> your own tools for the `tools` format
---@field commands? table<string, smallcode.UserCommand> your own `/commands` in the chat

local H = {}

-- Module definition ==========================================================

--- Default configuration. Every key is optional; `nil` means "let smallcode decide".
---@type smallcode.Config
M.defaults = {
  -- Wire format to speak to the model server: 'openai' (OpenAI-compatible /v1/chat/completions:
  -- llama.cpp, LM Studio, vLLM, OpenAI) or 'ollama' (native /api/chat). nil = decided by discovery.
  provider = nil,
  -- Base URL of the model server, e.g. 'http://127.0.0.1:8080'. nil = probe loopback for a running
  -- server (Ollama 11434, LM Studio 1234, llama.cpp 8080).
  endpoint = nil,
  -- Model name. nil = the server's loaded (or first listed) model.
  model = nil,
  -- Name of the environment variable that holds the API key (the key itself never goes in config).
  api_key_env = nil,
  -- Shell command whose first output line is the API key (e.g. a password manager call).
  api_key_cmd = nil,
  -- Context size to use. nil = what the server has loaded (llama.cpp, LM Studio), min(trained, 8192)
  -- for Ollama (sent as num_ctx), or 4096 when the server cannot say. Never above what is loaded.
  context = nil,
  -- Watchdog limits for one model request, in seconds.
  timeouts = {
    -- TCP connect + response headers.
    connect = 5,
    -- From sending the request to the first streamed token (a CPU server reads long prompts slowly).
    first_token = 180,
    -- Between two streamed chunks once tokens flow.
    idle = 30,
  },
  -- Upper bound of tokens generated per reply. Always sent: llama.cpp generates until the context is
  -- full without one.
  max_tokens = 512,
  -- Sampling temperature.
  temperature = 0.2,
  -- System prompt for plain chat. nil = the short built-in prompt of the Rust process.
  system_prompt = nil,
  -- How the agent (:SmallCode fix) edits: 'whole' (the model writes a whole function in a plain code
  -- block; best for small models) or 'tools' (find_read / edit / create / run / done tool calls; for
  -- models that can call tools). Set it per model.
  edit_format = 'whole',
  -- Path of the smallcode binary. nil = '<plugin root>/target/release/smallcode', then 'smallcode'
  -- on $PATH.
  bin = nil,
  -- Level of the Rust log file: 'trace', 'debug', 'info', 'warn' or 'error'.
  log_level = 'info',
  -- :SmallCode fix and the editor's own signals.
  fix = {
    -- Publish the agent's checker errors to a quickfix list titled 'smallcode' (replacing only that
    -- list); errors that remain when a run fails stay there.
    quickfix = true,
    -- Without a range, feed the current quickfix list's entries for project files to the agent as
    -- the task's errors (`:SmallCode fix qf` always does).
    quickfix_input = true,
    -- Include the buffer's ERROR diagnostics (vim.diagnostic) in the task's errors.
    diagnostics = true,
    -- Milliseconds to wait after an edit lands before reading diagnostics (an LSP needs time).
    settle_ms = 500,
    -- Extra rounds started by new ERROR diagnostics in the edited lines; 0 turns them off.
    diagnostic_rounds = 1,
    -- Once the model's rounds are spent (trusted projects only): try the repairs the error message
    -- names and the failing definition's small variants (`<` for `<=`, a bound ± 1, …), each
    -- checked like the model's answers and labelled as not the model's.
    repair_templates = true,
  },
  -- Opt-in stronger model that gets only the failing sub-task once the local model's rounds are
  -- spent: { provider = 'anthropic'|'openai', endpoint = URL, model = NAME, api_key_env = VAR,
  -- max_tokens = 2048 }. The key is read from $VAR and only ever sent to `endpoint`'s host.
  -- nil = never escalate.
  escalation = nil,
  -- The code graph (tree-sitter symbols and call edges, :SmallCode graph, chat context).
  graph = {
    -- Index the current directory's project in the background when setup() runs (otherwise on
    -- first use: :SmallCode graph, or a chat turn that needs context).
    index_on_start = false,
    -- Send the unsaved text of edited project buffers to the graph (debounced), so queries and
    -- chat context see code before it is written.
    live = true,
    -- Milliseconds without a change before a buffer's text is sent.
    debounce_ms = 200,
    -- Show indexing progress and a one-line summary in the message area.
    progress = true,
  },
  -- Keys in the chat and input buffers. Set one to false to disable it.
  keys = {
    -- Send the input (insert mode, input buffer).
    send_insert = '<C-s>',
    -- Send the input (normal mode, input buffer).
    send_normal = '<CR>',
    -- Stop the reply in flight (normal and insert mode, both buffers).
    stop = '<C-c>',
  },
  -- How a change set whose checks pass reaches the buffers (:h smallcode-review).
  review = {
    -- Land a change at once (one undo step per file) instead of showing it for review. Only a
    -- `verified` change lands this way: a `checked` or `unverified` one, and a hunk that
    -- conflicts with what you typed meanwhile, always wait for review.
    auto_accept = false,
    -- Buffer-local keys while a buffer has hunks to review (normal mode). A key that is already
    -- mapped (globally or in the buffer) is left alone; false disables one.
    keys = {
      -- Accept / reject the hunk under the cursor.
      accept = '<LocalLeader>a',
      reject = '<LocalLeader>r',
      -- Accept / reject every pending hunk.
      accept_all = '<LocalLeader>A',
      reject_all = '<LocalLeader>R',
      -- Move to the next / previous hunk.
      next = ']h',
      prev = '[h',
    },
  },
  -- Your own tools for the `tools` edit format: { NAME = { description = '…', parameters = {
  -- ARG = { type = 'string'|'integer'|'boolean'|'string[]', description = '…', required = true } },
  -- run = function(args, ctx) return 'result' end } } — or `cmd = { 'prog', '{ARG}' }` instead of
  -- `run` for a shell command (runs only in a trusted project, after you confirm it once).
  -- Every tool costs schema tokens in every prompt: keep them few (/stats shows the cost).
  tools = {},
  -- Your own chat commands: { NAME = { description = '…', prompt = 'Explain {args} simply' } } sends
  -- the filled-in prompt to the model; or `run = function(args, ctx) … end` instead of `prompt`:
  -- a string it returns is sent as the message, nil = it did its job itself. NAME is letters only
  -- and may not be a built-in command's.
  commands = {},
  -- Chat window layout.
  chat = {
    -- 'right' (vertical split) or 'bottom' (horizontal split).
    position = 'right',
    -- Size of the split: a fraction of the editor (0 < size < 1) or a number of columns/lines (>= 1).
    size = 0.4,
  },
}

--- Environment variables that override config keys when set and non-empty (tests and scripts).
M.env_overrides = {
  { env = 'SMALLCODE_BIN', key = 'bin' },
  { env = 'SMALLCODE_ENDPOINT', key = 'endpoint' },
  { env = 'SMALLCODE_PROVIDER', key = 'provider' },
  { env = 'SMALLCODE_MODEL', key = 'model' },
}

--- Keys the Rust process reads (`crates/llm/src/config.rs`), in wire order. UI-only keys stay in Lua.
M.rust_keys = {
  'provider',
  'endpoint',
  'model',
  'api_key_env',
  'api_key_cmd',
  'context',
  'timeouts',
  'max_tokens',
  'temperature',
  'system_prompt',
  'log_level',
  'escalation',
}

M.providers = { 'openai', 'ollama' }
M.edit_formats = { 'whole', 'tools' }
M.log_levels = { 'trace', 'debug', 'info', 'warn', 'error' }
M.escalation_providers = { 'anthropic', 'openai' }
M.positions = { 'right', 'bottom' }

--- Merges `opts` onto the defaults, applies environment overrides and validates the result.
---
--- Raises `(smallcode) config.<path>: ...` on the first bad value. Unknown keys are reported with
--- one warning through `vim.notify` and otherwise ignored.
---@param opts smallcode.Config|nil
---@return smallcode.Config config a fresh table; the defaults are never modified
M.resolve = function(opts)
  if opts == nil or opts == vim.NIL then opts = {} end
  if type(opts) ~= 'table' then H.error(string.format('config: expected table, got %s', type(opts))) end

  local unknown = {}
  H.find_unknown(opts, M.defaults, 'config', unknown)
  if #unknown > 0 then
    vim.notify('(smallcode) unknown config keys ignored: ' .. table.concat(unknown, ', '), vim.log.levels.WARN)
  end

  local config = H.merge(vim.deepcopy(M.defaults), opts)
  local from_env = {}
  for _, o in ipairs(M.env_overrides) do
    local value = vim.env[o.env]
    if value ~= nil and value ~= '' then
      config[o.key] = value
      from_env[o.key] = o.env
    end
  end

  H.validate(config, from_env)
  return config
end

--- The part of `config` the Rust process reads, without nil values (a missing key = its default).
---@param config table a resolved config
---@return table
M.for_rust = function(config)
  local out = {}
  for _, key in ipairs(M.rust_keys) do
    local v = config[key]
    if v ~= nil then out[key] = vim.deepcopy(v) end
  end
  return out
end

-- Helper functionality =======================================================

H.error = function(msg) error('(smallcode) ' .. msg, 0) end

--- Deep merge of `src` into `dst` for keys that are tables in both; other values replace.
H.merge = function(dst, src)
  for k, v in pairs(src) do
    -- v:null from Vimscript means "unset": keep the default that is already in `dst`.
    if v ~= vim.NIL then
      if type(v) == 'table' and type(dst[k]) == 'table' then
        H.merge(dst[k], v)
      else
        dst[k] = v
      end
    end
  end
  return dst
end

--- Tables whose keys are the user's own names (tools, commands): checked by `H.schema`, not here.
H.free_form = { ['config.tools'] = true, ['config.commands'] = true }

--- Collects `prefix.key` for every key of `opts` that the defaults do not know. Keys whose default
--- is nil are known through `H.schema`.
H.find_unknown = function(opts, defaults, prefix, out)
  if H.free_form[prefix] then return end
  local keys = vim.tbl_keys(opts)
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    local path = prefix .. '.' .. tostring(k)
    local default = defaults[k]
    if default == nil and H.schema[path] == nil then
      table.insert(out, path)
    elseif type(default) == 'table' and type(opts[k]) == 'table' then
      H.find_unknown(opts[k], default, path, out)
    end
  end
end

--- Type checks for every key, by path. `check(value)` returns nil when fine, else what was expected
--- and whether the type (rather than the value) was wrong.

local function typed(expected, optional, extra)
  return function(v)
    if v == nil then return not optional and expected or nil, true end
    if type(v) ~= expected then return expected .. (optional and ' or nil' or ''), true end
    if extra then return extra(v) end
  end
end

local function one_of(values, optional)
  local quoted = vim.tbl_map(function(s) return "'" .. s .. "'" end, values)
  local expected = 'one of ' .. table.concat(quoted, ', ') .. (optional and ' or nil' or '')
  return function(v)
    if v == nil and optional then return end
    if not vim.tbl_contains(values, v) then return expected end
  end
end

local function positive(v)
  if v <= 0 or v ~= v then return 'a positive number' end
end

local function key_or_false(v)
  if v == false then return end
  if type(v) ~= 'string' then return 'string or false', true end
  if v == '' then return 'a non-empty key string or false' end
end

H.schema = {
  ['config.provider'] = one_of(M.providers, true),
  ['config.endpoint'] = typed('string', true),
  ['config.model'] = typed('string', true),
  ['config.api_key_env'] = typed('string', true),
  ['config.api_key_cmd'] = typed('string', true),
  ['config.context'] = typed('number', true, function(v)
    if v < 256 or math.floor(v) ~= v then return 'an integer >= 256' end
  end),
  ['config.timeouts'] = typed('table', false),
  ['config.timeouts.connect'] = typed('number', false, positive),
  ['config.timeouts.first_token'] = typed('number', false, positive),
  ['config.timeouts.idle'] = typed('number', false, positive),
  ['config.max_tokens'] = typed('number', false, function(v)
    if v < 1 or math.floor(v) ~= v then return 'a positive integer' end
  end),
  ['config.temperature'] = typed('number', false, function(v)
    if v < 0 or v ~= v then return 'a number >= 0' end
  end),
  ['config.system_prompt'] = typed('string', true),
  ['config.edit_format'] = one_of(M.edit_formats, false),
  ['config.bin'] = typed('string', true),
  ['config.log_level'] = one_of(M.log_levels, false),
  ['config.graph'] = typed('table', false),
  ['config.graph.index_on_start'] = typed('boolean', false),
  ['config.graph.live'] = typed('boolean', false),
  ['config.graph.debounce_ms'] = typed('number', false, function(v)
    if v < 0 or math.floor(v) ~= v then return 'an integer >= 0' end
  end),
  ['config.graph.progress'] = typed('boolean', false),
  ['config.fix'] = typed('table', false),
  ['config.fix.quickfix'] = typed('boolean', false),
  ['config.fix.quickfix_input'] = typed('boolean', false),
  ['config.fix.diagnostics'] = typed('boolean', false),
  ['config.fix.repair_templates'] = typed('boolean', false),
  ['config.fix.settle_ms'] = typed('number', false, function(v)
    if v < 0 or v ~= v then return 'a number >= 0' end
  end),
  ['config.fix.diagnostic_rounds'] = typed('number', false, function(v)
    if v < 0 or math.floor(v) ~= v then return 'an integer >= 0' end
  end),
  ['config.escalation'] = typed('table', true),
  ['config.escalation.provider'] = function(v, config)
    if config.escalation == nil then return end
    return one_of(M.escalation_providers, false)(v)
  end,
  ['config.escalation.endpoint'] = typed('string', true),
  ['config.escalation.model'] = function(v, config)
    if config.escalation == nil then return end
    return typed('string', false)(v)
  end,
  ['config.escalation.api_key_env'] = typed('string', true),
  ['config.escalation.max_tokens'] = typed('number', true, function(v)
    if v < 1 or math.floor(v) ~= v then return 'a positive integer' end
  end),
  ['config.tools'] = typed('table', false, function(tools)
    for name, t in pairs(tools) do
      if type(name) ~= 'string' or not name:match('^[%a_][%w_]*$') then
        return 'tool names made of letters, digits and _ (got ' .. vim.inspect(name) .. ')'
      end
      if type(t) ~= 'table' or type(t.description) ~= 'string' then
        return string.format('tools.%s to be a table with a description string', name)
      end
      if (type(t.run) == 'function') == (type(t.cmd) == 'table') then
        return string.format('tools.%s to have either run = function or cmd = { … }', name)
      end
      for pname, p in pairs(t.parameters or {}) do
        local ty = type(p) == 'table' and (p.type or 'string') or nil
        if not vim.tbl_contains({ 'string', 'integer', 'boolean', 'string[]' }, ty) then
          return string.format(
            "tools.%s.parameters.%s.type to be 'string', 'integer', 'boolean' or 'string[]'",
            name,
            pname
          )
        end
      end
    end
  end),
  ['config.commands'] = typed('table', false, function(commands)
    local builtin = {}
    for _, c in ipairs(require('smallcode.chat').commands) do
      builtin[c.name] = true
    end
    for name, c in pairs(commands) do
      if type(name) ~= 'string' or not name:match('^%a+$') then
        return 'command names made of letters only (got ' .. vim.inspect(name) .. ')'
      end
      if builtin[name:lower()] then
        return string.format(
          'commands.%s not to be a built-in command: /%s exists, pick another name',
          name,
          name:lower()
        )
      end
      if type(c) ~= 'table' or type(c.description) ~= 'string' then
        return string.format('commands.%s to be a table with a description string', name)
      end
      if (type(c.run) == 'function') == (type(c.prompt) == 'string') then
        return string.format("commands.%s to have either prompt = '…{args}…' or run = function(args, ctx)", name)
      end
      if c.args ~= nil and type(c.args) ~= 'boolean' then
        return string.format('commands.%s.args to be a boolean', name)
      end
    end
  end),
  ['config.keys'] = typed('table', false),
  ['config.keys.send_insert'] = key_or_false,
  ['config.keys.send_normal'] = key_or_false,
  ['config.keys.stop'] = key_or_false,
  ['config.review'] = typed('table', false),
  ['config.review.auto_accept'] = typed('boolean', false),
  ['config.review.keys'] = typed('table', false),
  ['config.review.keys.accept'] = key_or_false,
  ['config.review.keys.reject'] = key_or_false,
  ['config.review.keys.accept_all'] = key_or_false,
  ['config.review.keys.reject_all'] = key_or_false,
  ['config.review.keys.next'] = key_or_false,
  ['config.review.keys.prev'] = key_or_false,
  ['config.chat'] = typed('table', false),
  ['config.chat.position'] = one_of(M.positions, false),
  ['config.chat.size'] = typed('number', false, positive),
}

-- Checked in this order so that a bad parent table is reported before its children.
H.schema_order = vim.tbl_keys(H.schema)
table.sort(H.schema_order)

H.get_path = function(config, path)
  local v = config
  for part in path:gmatch('[^.]+') do
    if part ~= 'config' then
      if type(v) ~= 'table' then return nil end
      v = v[part]
    end
  end
  return v
end

--- How a bad value is shown: its type for type errors (like vim.validate), else the value itself.
H.describe = function(v, type_error)
  if type_error or v == nil or type(v) == 'table' or type(v) == 'function' or type(v) == 'userdata' then
    return type(v)
  end
  if type(v) == 'string' then return string.format("'%s'", v) end
  return tostring(v)
end

H.validate = function(config, from_env)
  for _, path in ipairs(H.schema_order) do
    local value = H.get_path(config, path)
    local expected, type_error = H.schema[path](value, config)
    if expected then
      local key = path:match('^config%.([^.]+)$')
      local env = key and from_env[key]
      local got = H.describe(value, type_error)
      H.error(string.format('%s: expected %s, got %s%s', path, expected, got, env and (' (from $' .. env .. ')') or ''))
    end
  end
end

return M
