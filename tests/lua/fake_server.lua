-- A stand-in for the smallcode binary, for the Lua tests: msgpack-rpc on stdio like the real one
-- (src/rpc/protocol.rs), with scripted replies. Run as `nvim --headless --clean -l fake_server.lua`
-- through the wrapper script tests write (helpers.fake_bin). Never prints: stdout is the channel.
--
-- $FAKE_PROTOCOL    protocol number in the hello reply (default 3)
-- $FAKE_MODE        'die_on_hello': write to stderr and exit 7 instead of replying to hello;
--                   'mute_hello': never reply to hello
-- $FAKE_LOG         log_file reported in hello
--
-- chat_send text 'crash' streams a little, then writes to stderr and exits 3; 'hang' streams a
-- little and waits for chat_stop; anything else streams 'Hel' 'lo\nwor' 'ld' and done.
local uv = vim.uv
local stdin, stdout = uv.new_pipe(false), uv.new_pipe(false)
stdin:open(0)
stdout:open(1)

-- Read the environment now: vim.env cannot be used in the libuv callbacks below.
local env = {
  protocol = tonumber(vim.env.FAKE_PROTOCOL or '3'),
  mode = vim.env.FAKE_MODE,
  log = vim.env.FAKE_LOG,
  log_level = vim.env.SMALLCODE_LOG_LEVEL or vim.NIL,
}
local unpacker = vim.mpack.Unpacker()
local next_id = 1000
local last_hello = vim.NIL

local function send(msg) stdout:write(vim.mpack.encode(msg)) end

local function event(ev)
  next_id = next_id + 1
  send({ 0, next_id, 'nvim_exec_lua', { "return require('smallcode.chat').on_event(...)", { ev } } })
end

local function reply(id, result) send({ 1, id, vim.NIL, result }) end

local requests = {
  hello = function(params)
    if env.mode == 'die_on_hello' then
      io.stderr:write('fake: refusing hello\nfake: second line\n')
      io.stderr:flush()
      os.exit(7)
    end
    if env.mode == 'mute_hello' then return nil end
    last_hello = params
    return { protocol = env.protocol, version = '0.0.0-fake', log_file = env.log }
  end,
  ping = function() return 'pong' end,
  status = function()
    return {
      provider = 'openai',
      endpoint = 'http://127.0.0.1:8080',
      model = 'fake-model',
      context = 8192,
      source = 'discovered',
      tools = false,
    }
  end,
  last_hello = function() return last_hello end,
  log_level = function() return env.log_level end,
  -- One saved chat, for the completion of :SmallCode resume / chats delete.
  chats_list = function()
    return { { id = 'c1', title = 'fix the add bug', created = 1, updated = 1700000000, turns = 3 } }
  end,
}

local notifications = {
  chat_send = function(p)
    event({ chat = p.chat, type = 'status', text = 'fake · fake-model · ctx 8192' })
    event({ chat = p.chat, type = 'start' })
    if p.text == 'crash' then
      event({ chat = p.chat, type = 'delta', text = 'partial' })
      -- Let the events reach Neovim before dying.
      vim.defer_fn(function()
        io.stderr:write('thread main panicked: boom\n')
        io.stderr:flush()
        os.exit(3)
      end, 50)
      return
    end
    if p.text == 'hang' then
      event({ chat = p.chat, type = 'delta', text = 'thinking' })
      return
    end
    for _, d in ipairs({ 'Hel', 'lo\nwor', 'ld' }) do
      event({ chat = p.chat, type = 'delta', text = d })
    end
    event({ chat = p.chat, type = 'done', prompt_tokens = 10, completion_tokens = 3, elapsed_ms = 1500 })
  end,
  chat_stop = function(p) event({ chat = p.chat, type = 'cancelled' }) end,
}

local function handle(msg)
  if msg[1] == 0 then
    local f = requests[msg[3]]
    if f then
      local result = f(unpack(msg[4]))
      if result ~= nil then reply(msg[2], result) end
    else
      send({ 1, msg[2], 'unknown method ' .. tostring(msg[3]), vim.NIL })
    end
  elseif msg[1] == 2 then
    local f = notifications[msg[2]]
    if f then f(unpack(msg[3])) end
  end
end

stdin:read_start(function(err, data)
  if err or not data then os.exit(0) end
  local pos = 1
  while pos <= #data do
    local msg
    msg, pos = unpacker(data, pos)
    if msg ~= nil then handle(msg) end
  end
end)

while true do
  vim.wait(1000)
end
