-- Review benchmark (doc/review.md): how fast a change set's hunks become visible, and how late a
-- 1 ms timer of the main loop runs while 50 hunks are drawn and scrolled through.
--
--   nvim --headless --clean -l scripts/bench_review.lua [iterations]
--
-- Runs in this headless Neovim with a 160x50 screen: `:redraw` draws into Neovim's own grid
-- (signs, highlights, virtual lines: the work a terminal UI then only has to display), without
-- sending it to a UI. Nothing talks to a model or to the Rust process:
-- `require('smallcode.review').receive` gets the change set exactly as Rust sends it, decoded
-- from msgpack (the decode is included in the time).
--
-- Prints `name value` lines (milliseconds).
local repo = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')

local B = {}

local function pct(xs, p)
  local s = vim.deepcopy(xs)
  table.sort(s)
  return s[math.max(1, math.ceil(#s * p))]
end

--- A 2,000-line Python file and a change of `hunks` evenly spread one-line hunks.
local function files(dir, hunks)
  local lines = {}
  for i = 1, 500 do
    vim.list_extend(lines, {
      string.format('def f%d(a, b):', i),
      string.format('    return a - b + %d', i),
      '',
      '',
    })
  end
  local base = table.concat(lines, '\n') .. '\n'
  local step = math.floor(#lines / hunks)
  local new = vim.deepcopy(lines)
  for k = 0, hunks - 1 do
    local row = k * step + 2
    new[row] = new[row]:gsub('a %- b', 'a + b')
  end
  local path = dir .. '/big.py'
  vim.fn.writefile(lines, path)
  return path, base, table.concat(new, '\n') .. '\n'
end

local function wire(path, base, text)
  local change = {
    chat = 1,
    root = vim.fs.dirname(path),
    verification = 'checked',
    note = 'bench',
    skipped = {},
    checks = { 'py_compile: ok' },
    files = { { path = path, text = text, base = base } },
  }
  return vim.mpack.encode(change)
end

B.setup = function(plugin)
  vim.opt.rtp:prepend(plugin)
  vim.cmd('runtime plugin/smallcode.lua')
  -- No process: a re-check (never triggered here) would have nowhere to go.
  package.loaded['smallcode.rpc'] = { chan = function() end, notify = function() end }
  require('smallcode').setup({})
  -- What an accept or reject says in the message area is not what is measured.
  vim.api.nvim_echo = function() end
  vim.o.signcolumn = 'yes'
  return true
end

--- Time from a change set arriving (msgpack bytes) to its hunks drawn on the screen.
B.latency = function(n, hunks, loaded)
  local review = require('smallcode.review')
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local path, base, text = files(dir, hunks)
  local bytes = wire(path, base, text)
  local times = {}
  for i = 1, n do
    if loaded then
      vim.cmd('edit! ' .. vim.fn.fnameescape(path))
    else
      vim.cmd('enew!')
      local b = vim.fn.bufnr(path)
      if b > 0 then vim.api.nvim_buf_delete(b, { force = true }) end
    end
    vim.cmd('redraw')
    local t0 = vim.uv.hrtime()
    review.receive(vim.mpack.decode(bytes))
    if not loaded then vim.api.nvim_set_current_buf(vim.fn.bufnr(path)) end
    vim.cmd('redraw')
    times[i] = (vim.uv.hrtime() - t0) / 1e6
    assert(#review.pending() == hunks, 'hunks pending')
    review.reject({ all = true })
  end
  return { p50 = pct(times, 0.5), p95 = pct(times, 0.95), max = pct(times, 1) }
end

--- Lateness of a 1 ms repeating timer while a 50-hunk change is received, drawn and
--- scrolled through (a `:redraw` every step, the whole set received again every 25 steps).
B.lateness = function(steps)
  local review = require('smallcode.review')
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local path, base, text = files(dir, 50)
  local bytes = wire(path, base, text)
  vim.cmd('edit! ' .. vim.fn.fnameescape(path))
  local late, last = {}, vim.uv.hrtime()
  local timer = vim.uv.new_timer()
  timer:start(1, 1, function()
    local now = vim.uv.hrtime()
    late[#late + 1] = math.max(0, (now - last) / 1e6 - 1)
    last = now
  end)
  local t0 = vim.uv.hrtime()
  for i = 1, steps do
    if i % 25 == 1 then
      if review.count() > 0 then review.reject({ all = true }) end
      review.receive(vim.mpack.decode(bytes))
    end
    vim.cmd(i % 50 < 25 and 'normal! 40j' or 'normal! 40k')
    vim.cmd('redraw')
    vim.wait(5, function() return false end, 1)
  end
  timer:stop()
  timer:close()
  if review.count() > 0 then review.reject({ all = true }) end
  return {
    p50 = pct(late, 0.5),
    p99 = pct(late, 0.99),
    max = pct(late, 1),
    samples = #late,
    seconds = (vim.uv.hrtime() - t0) / 1e9,
  }
end

local n = tonumber(_G.arg and _G.arg[1]) or 200
local function out(name, v) io.stdout:write(string.format('%s %.3f\n', name, v)) end

vim.o.columns, vim.o.lines = 160, 50
B.setup(repo)
for _, case in ipairs({ { 20, true }, { 50, true }, { 20, false } }) do
  local hunks, loaded = case[1], case[2]
  local r = B.latency(n, hunks, loaded)
  local tag = string.format('visible_2000_lines_%d_hunks_%s', hunks, loaded and 'loaded' or 'not_loaded')
  out(tag .. '_p50_ms', r.p50)
  out(tag .. '_p95_ms', r.p95)
  out(tag .. '_max_ms', r.max)
end
local l = B.lateness(600)
out('timer_lateness_50_hunks_p50_ms', l.p50)
out('timer_lateness_50_hunks_p99_ms', l.p99)
out('timer_lateness_50_hunks_max_ms', l.max)
out('timer_lateness_samples', l.samples)
out('timer_lateness_seconds', l.seconds)
