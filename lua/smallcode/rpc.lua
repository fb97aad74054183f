--- The Rust process: finding the binary, starting it lazily, the `hello` handshake, restarts.
---
--- The process speaks msgpack-rpc on stdio (`jobstart(..., {rpc = true})`). Lua → Rust requests
--- (`hello`, `ping`, `status`) must be quick because the editor waits for them; slow work goes
--- through notifications (`chat_send`, `chat_stop`). Rust → Lua events arrive through
--- `nvim_exec_lua` of `require('smallcode.chat').on_event(ev)`. Names and shapes match
--- `src/rpc/protocol.rs`; `M.PROTOCOL` must equal its `PROTOCOL_VERSION`.
local M = {}

local H = {}

-- Module definition ==========================================================

--- Version of the wire contract this plugin speaks (`PROTOCOL_VERSION` in src/rpc/protocol.rs).
M.PROTOCOL = 3

--- How long the `hello` handshake may take before the process is considered hung and stopped.
M.hello_timeout_ms = 10000

--- The directory that contains `lua/smallcode` (where `cargo build --release` puts target/).
---@return string
M.plugin_root = function()
  local source = debug.getinfo(1, 'S').source
  source = source:sub(1, 1) == '@' and source:sub(2) or source
  return vim.fn.fnamemodify(source, ':p:h:h:h')
end

--- Path of the smallcode binary: `config.bin`, then `<plugin root>/target/release/smallcode`, then
--- `smallcode` on $PATH. Raises an error that says how to build it when none is found.
---@param config table|nil resolved config (default: the current one)
---@return string
M.find_bin = function(config)
  config = config or require('smallcode').get_config()
  if config.bin then
    local bin = vim.fn.expand(config.bin)
    if vim.fn.executable(bin) == 1 then return vim.fn.exepath(bin) ~= '' and vim.fn.exepath(bin) or bin end
    H.error(string.format("config.bin '%s' is not an executable file", config.bin))
  end

  local root = M.plugin_root()
  local built = root .. '/target/release/smallcode'
  if vim.fn.executable(built) == 1 then return built end

  local on_path = vim.fn.exepath('smallcode')
  if on_path ~= '' then return on_path end

  H.error(
    string.format(
      'smallcode binary not found: run `cargo build --release` in %s (or set config.bin / $SMALLCODE_BIN)',
      root
    )
  )
end

--- Starts the process if it is not running and returns its channel. Raises on failure.
---@return integer
M.ensure = function()
  if H.chan then return H.chan end
  -- Callbacks that run while hello is in flight must not start a second process.
  if H.starting then H.error('the smallcode process is still starting') end
  H.starting = true
  local ok, res = pcall(H.start)
  H.starting = false
  if not ok then error(res, 0) end
  return res
end

--- Sends a request and waits for the reply. Starts the process if needed.
---@param method string
---@return any
M.request = function(method, ...)
  local chan = M.ensure()
  local ok, res = pcall(vim.rpcrequest, chan, method, ...)
  if not ok then H.error(string.format('%s request failed: %s', method, H.strip(res))) end
  return res
end

--- Sends a notification (fire and forget). Starts the process if needed.
---@param method string
M.notify = function(method, ...)
  local chan = M.ensure()
  vim.rpcnotify(chan, method, ...)
end

--- The channel of the running process, or nil (never starts it).
---@return integer|nil
M.chan = function() return H.chan end

--- What is known about the running process, or nil when it is not running.
---@return table|nil { version, log_file, pid, bin, chan, protocol }
M.info = function()
  if not H.chan then return nil end
  local info = vim.deepcopy(H.info)
  info.chan = H.chan
  info.bin = H.bin
  local ok, pid = pcall(vim.fn.jobpid, H.chan)
  info.pid = ok and pid or nil
  return info
end

--- The log file path from the last `hello` reply, even after the process exited.
---@return string|nil
M.log_file = function() return H.info.log_file end

--- The last lines (at most 20) the process wrote to stderr; those of the previous process while
--- the current one has written none (so that a crash stays inspectable after the restart).
---@return string[]
M.stderr_tail = function() return vim.deepcopy(#H.stderr > 0 and H.stderr or H.prev_stderr) end

--- Stops the process (no crash report, no automatic restart). Chats with a reply in flight show
--- an `Error:` line since their reply can no longer arrive.
---@param reason string|nil shown in those chats, default 'stopped'
M.stop = function(reason)
  if not H.chan then return end
  local chan = H.chan
  H.forget()
  pcall(vim.fn.jobstop, chan)
  H.tell_chat(reason or 'stopped')
end

--- Stops and starts the process; resets the crash-loop guard.
---@return integer channel
M.restart = function()
  M.stop('restarted')
  H.restarts = {}
  return M.ensure()
end

--- Sends `hello` again with the current config (used when setup() runs after start).
M.reconfigure = function()
  if not H.chan then return end
  local ok, err = pcall(H.hello, H.chan)
  if not ok then H.notify(err, vim.log.levels.ERROR) end
end

-- Helper data ================================================================

-- Channel (= job id) of the running process, or nil.
H.chan = nil
-- Binary path of the running process.
H.bin = nil
-- Last `hello` reply: { protocol, version, log_file }.
H.info = {}
-- Last stderr lines (ring of H.stderr_max) and the unfinished last line.
H.stderr = {}
H.stderr_partial = ''
H.prev_stderr = {}
H.stderr_max = 20
-- Times (vim.uv.now(), ms) of recent automatic restarts: at most H.max_restarts per H.restart_window_ms.
H.restarts = {}
H.max_restarts = 3
H.restart_window_ms = 30000

-- True while H.start runs.
H.starting = false
-- Set once the VimLeavePre autocommand exists.
H.leave_autocmd = false

-- Helper functionality =======================================================

H.error = function(msg) error('(smallcode) ' .. msg, 0) end

H.notify = function(msg, level)
  if not vim.startswith(msg, '(smallcode) ') then msg = '(smallcode) ' .. msg end
  vim.notify(msg, level or vim.log.levels.INFO)
end

-- Removes the "Vim:" / "(smallcode) " noise rpcrequest and error() add.
H.strip = function(err)
  err = tostring(err):gsub('^Vim:', ''):gsub('^%(smallcode%) ', '')
  return err
end

H.nonempty = function(s) return s ~= nil and s ~= '' and s or nil end

H.tail_text = function()
  if #H.stderr == 0 then return '(no stderr output)' end
  return 'stderr:\n' .. table.concat(H.stderr, '\n')
end

H.start = function()
  local config = require('smallcode').get_config()
  local bin = M.find_bin(config)
  if #H.stderr > 0 then H.prev_stderr = H.stderr end
  H.stderr, H.stderr_partial = {}, ''
  local exited = false

  local ok, res = pcall(vim.fn.jobstart, { bin }, {
    rpc = true,
    -- The process sets up its log before hello, from the environment; an explicit
    -- $SMALLCODE_LOG_LEVEL (a full tracing filter) wins over config.log_level.
    env = { SMALLCODE_LOG_LEVEL = H.nonempty(vim.env.SMALLCODE_LOG_LEVEL) or config.log_level },
    on_stderr = function(_, data) H.on_stderr(data) end,
    on_exit = function(id, code, _)
      exited = true
      H.on_exit(id, code)
    end,
  })
  if not ok or type(res) ~= 'number' or res <= 0 then
    H.error(string.format("could not start '%s': %s", bin, ok and ('jobstart returned ' .. tostring(res)) or res))
  end
  local job = res
  H.bin, H.info = bin, {}
  H.setup_leave_autocmd()

  -- H.chan is set only once the handshake succeeded: until then an exit is a failed start (reported
  -- below), not a crash to restart from.
  local hello_ok, err = H.with_watchdog(job, M.hello_timeout_ms, H.hello, job)
  if not hello_ok then
    pcall(vim.fn.jobstop, job)
    -- stderr arrives through the event loop: give it a moment so the message can show it.
    vim.wait(200, function() return exited end, 10)
    H.flush_stderr()
    H.error(string.format('%s\n%s', H.strip(err), H.tail_text()))
  end
  H.chan = job
  return job
end

--- The handshake: sends protocol, config and Neovim version; checks the protocol of the reply.
H.hello = function(chan)
  local config = require('smallcode.config').for_rust(require('smallcode').get_config())
  if next(config) == nil then config = vim.empty_dict() end
  local ok, reply = pcall(vim.rpcrequest, chan, 'hello', {
    protocol = M.PROTOCOL,
    config = config,
    nvim = tostring(vim.version()),
  })
  if not ok then H.error(string.format("'%s' failed the hello handshake: %s", H.bin or '?', H.strip(reply))) end
  if type(reply) ~= 'table' then
    H.error(string.format("'%s' sent an unexpected hello reply: %s", H.bin or '?', vim.inspect(reply)))
  end
  if reply.protocol ~= M.PROTOCOL then
    H.error(
      string.format(
        'binary speaks protocol %s, plugin expects %d: rebuild with `cargo build --release` in %s',
        tostring(reply.protocol),
        M.PROTOCOL,
        M.plugin_root()
      )
    )
  end
  H.info = {
    protocol = reply.protocol,
    version = reply.version ~= vim.NIL and reply.version or nil,
    log_file = reply.log_file ~= vim.NIL and reply.log_file or nil,
  }
  return reply
end

--- pcall(fn, ...) that kills process `job` if `fn` has not returned after `ms`: vim.rpcrequest has
--- no timeout, and a process that never answers would otherwise freeze the editor.
H.with_watchdog = function(job, ms, fn, ...)
  local pid_ok, pid = pcall(vim.fn.jobpid, job)
  local timer, fired = vim.uv.new_timer(), false
  timer:start(ms, 0, function()
    fired = true
    if pid_ok then vim.uv.kill(pid, 'sigterm') end
  end)
  local ok, res = pcall(fn, ...)
  timer:stop()
  timer:close()
  if fired and not ok then
    res = string.format("'%s' did not answer hello within %g s and was stopped", H.bin or '?', ms / 1000)
  end
  return ok, res
end

--- Forgets the running process so that its exit is not reported (intentional stop).
H.forget = function() H.chan = nil end

H.on_stderr = function(data)
  -- Job output arrives in chunks: the first item continues the previous unfinished line and the
  -- last item is the new unfinished line ('' when the chunk ended with a newline).
  if not data or #data == 0 then return end
  data[1] = H.stderr_partial .. data[1]
  H.stderr_partial = table.remove(data)
  for _, line in ipairs(data) do
    H.push_stderr(line)
  end
end

H.flush_stderr = function()
  if H.stderr_partial ~= '' then
    H.push_stderr(H.stderr_partial)
    H.stderr_partial = ''
  end
end

H.push_stderr = function(line)
  line = line:gsub('\r$', '')
  table.insert(H.stderr, line)
  if #H.stderr > H.stderr_max then table.remove(H.stderr, 1) end
end

H.on_exit = function(job, code)
  -- Intentional stops forget the job before stopping it; a newer job may already run.
  if job ~= H.chan then return end
  H.chan = nil
  H.flush_stderr()

  local reason = string.format('exit code %d', code)
  H.notify(string.format('process exited unexpectedly (%s)\n%s', reason, H.tail_text()), vim.log.levels.ERROR)
  H.tell_chat(reason)

  local now = vim.uv.now()
  H.restarts = vim.tbl_filter(function(t) return now - t < H.restart_window_ms end, H.restarts)
  if #H.restarts >= H.max_restarts then
    H.notify(
      string.format(
        'process crashed %d times in %d s: not restarting. Check `:SmallCode log`, then `:SmallCode restart`',
        #H.restarts + 1,
        H.restart_window_ms / 1000
      ),
      vim.log.levels.ERROR
    )
    return
  end
  table.insert(H.restarts, now)
  vim.schedule(function()
    if H.chan then return end
    local ok, err = pcall(M.ensure)
    if ok then
      H.notify('process restarted', vim.log.levels.INFO)
    else
      H.notify('automatic restart failed: ' .. H.strip(err), vim.log.levels.ERROR)
    end
  end)
end

--- Lets chats with a reply in flight show that it will not arrive. Only if the chat module is
--- loaded: otherwise there is no chat to tell.
H.tell_chat = function(reason)
  local chat = package.loaded['smallcode.chat']
  if chat then pcall(chat.on_process_exit, reason) end
end

H.setup_leave_autocmd = function()
  if H.leave_autocmd then return end
  H.leave_autocmd = true
  vim.api.nvim_create_autocmd('VimLeavePre', {
    group = vim.api.nvim_create_augroup('smallcode_rpc', { clear = true }),
    desc = 'Stop the smallcode process',
    callback = function()
      local chan = H.chan
      H.forget()
      if chan then pcall(vim.fn.jobstop, chan) end
    end,
  })
end

return M
