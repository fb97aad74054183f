-- Shared helpers for the Lua tests. Each test runs as its own process:
--   nvim --headless --clean -l tests/lua/test_<name>.lua
-- and exits 0 after `done()`, or 1 with a message on stderr at the first failed assertion.
local H = {}

--- The repository root (the directory holding lua/ and plugin/).
H.root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h')

--- Puts the repository first on 'runtimepath', loads plugin/smallcode.lua and remembers the test name.
---@param name string
H.setup = function(name)
  H.name = name
  vim.opt.runtimepath:prepend(H.root)
  vim.cmd('runtime plugin/smallcode.lua')
  -- Tests must not pick up a developer's environment.
  for _, var in ipairs({ 'SMALLCODE_BIN', 'SMALLCODE_ENDPOINT', 'SMALLCODE_PROVIDER', 'SMALLCODE_MODEL' }) do
    vim.env[var] = nil
  end
  -- Fail instead of hanging if something blocks for too long (a hang catcher, generous: the
  -- tests run two at a time on a loaded 2-core machine).
  local timer = vim.uv.new_timer()
  timer:start(H.LIMIT * 2, 0, function()
    io.stderr:write(string.format('FAIL %s: timed out after %d s\n', H.name, H.LIMIT * 2 / 1000))
    os.exit(1)
  end)
  timer:unref()
end

H.fail = function(msg)
  io.stderr:write(string.format('FAIL %s: %s\n%s\n', H.name or '?', msg, debug.traceback('', 3)))
  io.stderr:flush()
  os.exit(1)
end

--- Asserts that `a` equals `b` (deeply).
H.eq = function(a, b, msg)
  if not vim.deep_equal(a, b) then
    H.fail(string.format('%s\n  expected: %s\n  got:      %s', msg or 'not equal', vim.inspect(b), vim.inspect(a)))
  end
end

--- Asserts that `cond` is truthy.
H.ok = function(cond, msg)
  if not cond then H.fail(msg or 'assertion failed') end
end

--- Asserts that `s` contains the plain string `part`.
H.contains = function(s, part, msg)
  if type(s) ~= 'string' or not s:find(part, 1, true) then
    H.fail(string.format('%s\n  expected to contain: %s\n  got: %s', msg or 'missing text', part, vim.inspect(s)))
  end
end

--- Runs `fn` and returns its error message; fails when it does not raise.
H.raises = function(fn, msg)
  local ok, err = pcall(fn)
  if ok then H.fail((msg or 'expected an error') .. ', but the call succeeded') end
  return tostring(err)
end

--- The default limit of a wait, in milliseconds: it only catches a hang.
H.LIMIT = 60000

--- Processes events until `fn()` is truthy; fails after `timeout_ms` (default `H.LIMIT`).
H.wait_for = function(fn, timeout_ms, msg)
  local ok = vim.wait(timeout_ms or H.LIMIT, function() return fn() and true or false end, 10)
  if not ok then H.fail(msg or string.format('condition not met within %d ms', timeout_ms or H.LIMIT)) end
end

--- Processes events until every callback scheduled so far (`vim.schedule`) has run: a barrier
--- instead of a fixed pause.
H.settle = function()
  local done = false
  vim.schedule(function() done = true end)
  H.wait_for(function() return done end, nil, 'scheduled callbacks did not run')
end

--- Captures vim.notify calls into the returned list of { msg, level }.
H.capture_notify = function()
  local seen = {}
  vim.notify = function(msg, level) table.insert(seen, { msg = msg, level = level }) end
  return seen
end

--- A throwaway executable that runs tests/lua/fake_server.lua with this Neovim, with `env` set.
---@param env table<string,string>|nil
---@return string path
H.fake_bin = function(env)
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local path = dir .. '/smallcode'
  local lines = { '#!/bin/sh' }
  for k, v in pairs(env or {}) do
    table.insert(lines, string.format('export %s=%s', k, vim.fn.shellescape(v)))
  end
  table.insert(
    lines,
    string.format(
      'exec %s --headless --clean -l %s "$@"',
      vim.fn.shellescape(vim.v.progpath),
      vim.fn.shellescape(H.root .. '/tests/lua/fake_server.lua')
    )
  )
  vim.fn.writefile(lines, path)
  vim.fn.setfperm(path, 'rwxr-xr-x')
  return path
end

--- Reports success and exits 0.
H.done = function()
  io.stdout:write(string.format('ok %s\n', H.name or '?'))
  io.stdout:flush()
  os.exit(0)
end

return H
