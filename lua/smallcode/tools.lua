--- The user's own tools (plugins): `setup({ tools = { NAME = { description, parameters, run } } })`.
---
--- The Rust agent shows them to the model in the `tools` edit format next to the built-in tools
--- and calls back here when the model uses one (`M.call`, through RPC). A Lua tool is a
--- function `run(args, ctx)` returning a string (or a value, shown with vim.inspect); an error
--- goes back to the model as the tool's result. A shell tool (`cmd = { 'prog', '{arg}' }`) runs
--- only in a trusted project and after the user confirmed it once this session (like `run`).
local M = {}

local H = {}

--- Shell tools the user allowed this session.
H.allowed = {}

--- The tools' specs for `agent_run` (`{name, description, params = {{name, type, required,
--- description}}}`), sorted by name.
---@return table[]
M.specs = function()
  local out = {}
  for name, t in pairs(require('smallcode').get_config().tools or {}) do
    local params = {}
    for pname, p in pairs(t.parameters or {}) do
      params[#params + 1] = {
        name = pname,
        type = p.type or 'string',
        required = p.required == true,
        description = p.description or '',
      }
    end
    table.sort(params, function(a, b) return a.name < b.name end)
    out[#out + 1] = { name = name, description = t.description or '', params = params }
  end
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

--- Runs tool `name` with the model's `args`; called by Rust. Never throws.
---@param name string
---@param args table
---@return table { ok: boolean, text: string }
M.call = function(name, args)
  local t = (require('smallcode').get_config().tools or {})[name]
  if not t then return { ok = false, text = 'no tool named ' .. tostring(name) } end
  local last = package.loaded['smallcode.agent'] and require('smallcode.agent').last or {}
  local ctx = { root = last.root, trusted = last.trusted == true }
  if t.run then
    local ok, res = pcall(t.run, args or {}, ctx)
    if not ok then return { ok = false, text = tostring(res) } end
    return { ok = true, text = type(res) == 'string' and res or vim.inspect(res) }
  end
  return H.shell(name, t, args or {}, ctx)
end

--- A shell tool: `{param}` in `cmd` is replaced by the argument (as one argv item, no shell).
H.shell = function(name, t, args, ctx)
  if not ctx.trusted then return { ok = false, text = 'the project is not trusted: shell tools do not run' } end
  local argv = {}
  for _, part in ipairs(t.cmd) do
    argv[#argv + 1] = (part:gsub('{(%w+)}', function(k) return tostring(args[k] or '') end))
  end
  if not H.allowed[name] then
    local answer = vim.fn.confirm(
      string.format('smallcode: the model wants to run your tool %s: %s', name, table.concat(argv, ' ')),
      '&Yes (this session)\n&No',
      2
    )
    if answer ~= 1 then return { ok = false, text = 'the user declined ' .. name } end
    H.allowed[name] = true
  end
  local res = vim.system(argv, { text = true, cwd = ctx.root }):wait(30000)
  local text = (res.stdout or '') .. (res.stderr or '')
  if res.code ~= 0 then return { ok = false, text = string.format('exit %s: %s', tostring(res.code), text) } end
  return { ok = true, text = text }
end

return M
