-- Crash-safe landing (tests/it/e2e_crash.rs): `kill -9` of the Rust process at random moments
-- while a change set lands. Each run fixes a project with a change set of three hunks in two
-- files (calc.py and util.py), verified and so landed at once (review.auto_accept), against its
-- own mock server (MOCK_URLS: one per run, the first two for the runs without a kill). A separate
-- `sh` process sends SIGKILL after a random delay around the time the runs take to land (half of
-- the kills spread over 0.3-1.3 times it, half aimed at the landing itself), so the kill falls
-- before, while or after the change set lands, independently of Neovim's event loop. Landing is
-- slowed down between the files (LAND_SLOW_MS after each file's hunks land), which widens the
-- moment a kill must not tear. After each kill: the shim restarts the process by
-- itself, and each buffer must be either fully changed or untouched. At the end the graph must
-- still answer. The last line of stdout carries the counts.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local rpc = require('smallcode.rpc')
local dir = os.getenv('PROJECT')
local urls = vim.split(os.getenv('MOCK_URLS') or '', ',', { plain = true, trimempty = true })
local kills = tonumber(os.getenv('KILLS') or '10')
local seed = tonumber(os.getenv('KILL_SEED') or '') or os.time()
local slow_ms = tonumber(os.getenv('LAND_SLOW_MS') or '250')
local log_path = os.getenv('KILL_LOG')
t.eq(#urls, kills + 2, 'one mock server per run')
math.randomseed(seed)

-- Realtime in microseconds (comparable with `date +%s%N` in the killer process).
local function now_us()
  local s, us = vim.uv.gettimeofday()
  return s * 1e6 + us
end

-- The project and its buffers: calc.py in the window, util.py loaded beside it.
vim.cmd('edit ' .. dir .. '/calc.py')
local calc = vim.api.nvim_get_current_buf()
local calc_win = vim.api.nvim_get_current_win()
local util = vim.fn.bufadd(dir .. '/util.py')
vim.fn.bufload(util)
local function replaced(lines, from, to)
  return vim.tbl_map(function(l) return (l:gsub(vim.pesc(from), to)) end, lines)
end
local before = { [calc] = vim.fn.readfile(dir .. '/calc.py'), [util] = vim.fn.readfile(dir .. '/util.py') }
local after = {
  [calc] = replaced(replaced(before[calc], 'return a - b', 'return a + b'), 'return a * b', 'return b * a'),
  [util] = replaced(before[util], 'return x', 'return x + 0'),
}

local function state(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  if vim.deep_equal(lines, after[buf]) then return 'changed' end
  if vim.deep_equal(lines, before[buf]) then return 'untouched' end
  return 'torn'
end

-- When the current run's change set lands (realtime µs): the first file's landing starts it, the
-- last one's ends it. Slowed down after each file, as a large change set or a slow autocommand
-- would be.
local landing
local edit = require('smallcode.edit')
local real_land = edit.land
edit.land = function(buf, items)
  landing = landing or { start = now_us() }
  local landed, stale = real_land(buf, items)
  vim.uv.sleep(slow_ms)
  landing.finish = now_us()
  return landed, stale
end

-- Starts run `i`: buffers back to the broken text, a fresh process talking to this run's server
-- (rpc.restart also resets the crash-loop guard, which would otherwise stop the automatic restart
-- after three crashes in 30 s), then `:SmallCode fix` from the file's window.
local function start_run(i)
  for buf, lines in pairs(before) do
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  end
  landing = nil
  require('smallcode').setup({ endpoint = urls[i], edit_format = 'tools', review = { auto_accept = true } })
  rpc.restart()
  vim.api.nvim_set_current_win(calc_win)
  local t0 = now_us()
  vim.cmd('SmallCode fix add in calc.py and ident in util.py')
  return t0
end

-- The graph answers `:SmallCode graph add` with the definition of add.
local function graph_answers(what)
  vim.fn.setqflist({})
  require('smallcode.graph').query('add')
  t.wait_for(what, function()
    for _, item in ipairs(vim.fn.getqflist()) do
      if item.text:find('definition: function add', 1, true) then return true end
    end
    return false
  end)
end

-- The graph is active (live updates of the buffers go to the process while the change sets land).
graph_answers('the graph to answer')

-- Runs 1 and 2, no kill: the change set lands whole, and how long the second (warm) run takes
-- to land sets the first kill delays; every landing seen later updates it.
local t0, to_land_ms, land_ms
for run = 1, 2 do
  t0 = start_run(run)
  t.wait_for('change set ' .. run .. ' to land', function() return landing and landing.finish end)
  t.wait_idle()
  t.eq({ state(calc), state(util) }, { 'changed', 'changed' }, 'run without a kill: both files changed')
  to_land_ms = (landing.start - t0) / 1000
  land_ms = (landing.finish - landing.start) / 1000
end

local counts = { changed = 0, untouched = 0, torn = 0, buffers_torn = 0, restarts = 0 }
local moments = { before = 0, in_flight = 0, during = 0, after = 0 }
local log = {}
for i = 1, kills do
  t0 = start_run(i + 2)
  local chan = rpc.chan()
  local pid = vim.fn.jobpid(chan)
  -- Odd kills: uniform over 0.3-1.3 × the time to landing; even ones: from 0.1 × it before the
  -- landing to its end.
  local delay_ms
  if i % 2 == 1 then
    delay_ms = math.floor((0.3 + math.random()) * to_land_ms)
  else
    delay_ms = math.floor(to_land_ms * (0.9 + 0.1 * math.random()) + math.random() * land_ms)
  end
  -- Not SystemObj:wait(), which runs only "fast" events: Neovim must go on answering the
  -- process's requests (the live buffers) until the kill.
  local killer
  vim.system(
    { 'sh', '-c', string.format('sleep %.3f; date +%%s%%N; kill -KILL %d', delay_ms / 1000, pid) },
    { text = true },
    function(res) killer = res end
  )
  t.wait_for('the kill ' .. i, function() return killer ~= nil end)
  t.eq(killer.code, 0, 'the killer ran: ' .. tostring(killer.stderr))
  local kill_us = tonumber(vim.trim(killer.stdout)) / 1000
  -- The shim notices the exit and starts a new process by itself.
  t.wait_for('the automatic restart after kill ' .. i, function() return rpc.chan() ~= nil and rpc.chan() ~= chan end)
  counts.restarts = counts.restarts + 1
  t.eq(rpc.request('ping'), 'pong', 'the restarted process answers')

  local moment
  if not landing then
    moment = 'before'
  elseif kill_us < landing.start then
    moment = 'in_flight'
  elseif kill_us <= landing.finish then
    moment = 'during'
  else
    moment = 'after'
  end
  moments[moment] = moments[moment] + 1
  -- The time to landing follows the machine's load: each landing seen moves it halfway there; a
  -- kill before the landing that was meant to hit it says the runs got slower.
  if landing then
    to_land_ms = 0.5 * to_land_ms + 0.5 * (landing.start - t0) / 1000
  elseif i % 2 == 0 then
    to_land_ms = 0.5 * to_land_ms + 0.5 * 1.2 * delay_ms
  end
  local a, b = state(calc), state(util)
  for _, s in ipairs({ a, b }) do
    if s == 'torn' then counts.buffers_torn = counts.buffers_torn + 1 end
  end
  local outcome = (a == b and a ~= 'torn') and a or 'torn'
  counts[outcome] = counts[outcome] + 1
  log[#log + 1] = string.format('%d\t%d\t%s\t%s\t%s\t%s', i, delay_ms, moment, a, b, outcome)
  if outcome == 'torn' then
    io.stderr:write(string.format('kill %d (%s, %d ms): calc.py %s, util.py %s\n', i, moment, delay_ms, a, b))
  end
end

-- After every kill the graph still opens and answers.
t.wait_idle()
graph_answers('the graph to answer after the kills')

if log_path then
  vim.fn.writefile(vim.list_extend({ 'kill\tdelay_ms\tmoment\tcalc.py\tutil.py\tchange set' }, log), log_path)
end
io.stdout:write(
  string.format(
    'kill-loop: nvim=%s seed=%d kills=%d changed=%d untouched=%d torn=%d buffers_torn=%d restarts=%d '
      .. 'before=%d in_flight=%d during=%d after=%d to_land_ms=%d land_ms=%d graph=ok\n',
    tostring(vim.version()),
    seed,
    kills,
    counts.changed,
    counts.untouched,
    counts.torn,
    counts.buffers_torn,
    counts.restarts,
    moments.before,
    moments.in_flight,
    moments.during,
    moments.after,
    to_land_ms,
    land_ms
  )
)
t.done('kill_loop')
