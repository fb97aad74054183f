--- The chat UI: a transcript buffer with an input buffer below it, fed by events from Rust.
---
--- Invariants:
--- - The transcript is append-only. Every write goes to the end through `nvim_buf_set_text`, so the
---   cost of an event is O(size of the event), never O(size of the chat): chats with thousands of
---   messages stay responsive.
--- - The last line of the transcript is the line the next reply text continues; it is '' when the
---   previous write ended with a newline.
--- - `M.on_event` is called by Rust (`nvim_exec_lua`) and must return quickly.
--- - One turn is in flight per chat; a message sent meanwhile waits in the chat's queue (shown
---   as virtual lines under the transcript, never written into it) and is sent when the turn
---   ends, however it ends.
--- - Every message and fix run names the stored chat it belongs to (`c.session`, an id chosen
---   here, and `c.project`, the project whose data directory holds it): the Rust process saves
---   each turn there and, after a restart, reloads that chat's history on the next message.
---   `/clear` starts a new id (the old chat stays listed by `:SmallCode resume`).
--- - The one exception to append-only: a `retract` event removes the end of the reply (a reply
---   stopped for repeating itself keeps one copy), O(size of what is removed). A resume
---   replaces the whole transcript once.
---
--- Layout of a transcript:
---   ## You
---   <text>
---
---   ## smallcode
---   > <info lines>
---   <reply deltas, appended as they come>
---
local M = {}

local H = {}

-- Module definition ==========================================================

--- Opens the chat split (or focuses it when it is already open) and moves the cursor to its input
--- window. Starts the Rust process in the background if needed.
---@param id integer|nil chat id, default 1
---@return table chat { id, buf, input_buf, win, input_win }
M.open = function(id)
  local c = H.get(id or 1)
  H.ensure_buffers(c)
  -- The window the user came from: its file, cursor and buffers are the turn's context.
  local here = vim.api.nvim_get_current_win()
  if here ~= c.win and here ~= c.input_win then c.origin_win = here end

  if not (H.win_valid(c.win) and H.win_valid(c.input_win)) then
    H.close_windows(c)
    H.open_windows(c)
  end
  vim.api.nvim_set_current_win(c.input_win)

  -- Start the process now so that the winbar fills without waiting for the first message, and a
  -- missing binary is reported when the chat opens rather than on the first send.
  if not require('smallcode.rpc').chan() and not H.starting then
    H.starting = true
    vim.schedule(function()
      H.starting = false
      local ok, err = pcall(require('smallcode.rpc').ensure)
      if not ok then
        c.failed = true
        H.update_winbar(c)
        vim.notify(tostring(err), vim.log.levels.ERROR)
      end
    end)
  end
  return { id = c.id, buf = c.buf, input_buf = c.input_buf, win = c.win, input_win = c.input_win }
end

--- Sends `text` as a user message, exactly as if it was typed in the input area (opens the chat if
--- needed). Empty text is ignored. While a reply is in flight the message is queued and sent when
--- that reply ends. A plain chat message carries what the editor shows (project root, current
--- file and cursor, unsaved buffers) when it is sent; a slash command (`/budget`, `/stats`,
--- `/clear`, `/help`) is answered by smallcode, never by the model.
---@param text string
---@param id integer|nil chat id, default 1
---@param route table|nil { method = rpc notification, payload = extra fields } (default: plain chat)
---@return boolean accepted sent now or queued
M.send = function(text, id, route)
  local c = H.get(id or 1)
  -- Context comes from the current window, or from the one the chat was opened from when the
  -- message is typed in the chat itself.
  local here = vim.api.nvim_get_current_win()
  if here ~= c.win and here ~= c.input_win then c.origin_win = here end
  local origin = c.origin_win
  if type(text) ~= 'string' or vim.trim(text) == '' then return false end
  if not (H.win_valid(c.win) and H.win_valid(c.input_win)) then M.open(c.id) end
  -- The editor's own commands (`/model`, `/resume`, `/undo`, `/fix`, `/graph`) run here.
  if not route and H.editor_command(c, text) then return true end
  -- The user's own commands (`setup({ commands = … })`) run here; what they return is sent.
  if not route and H.user_command(c, text, origin) then return true end
  if c.busy then
    table.insert(c.queue, { text = text, route = route })
    H.show_queue(c)
    H.update_winbar(c)
    return true
  end

  H.begin_block(c)
  H.append(c, '## You\n' .. text .. '\n')
  H.begin_block(c)
  H.append(c, '## smallcode\n')
  c.busy, c.streaming, c.stats = true, false, nil
  H.update_winbar(c)

  -- `route` sends the turn elsewhere than plain chat (the agent: `agent_run` plus its payload).
  local method = route and route.method or 'chat_send'
  local payload = vim.tbl_extend('force', route and route.payload or {}, { chat = c.id, text = text })
  H.ensure_session(c, origin)
  payload.session, payload.project = c.session, c.project
  if method == 'chat_send' and not M.is_command(text) then
    payload = vim.tbl_extend('keep', payload, H.editor_context(origin, c))
    H.named_context(text, origin, c, payload)
  end
  local ok, err = pcall(require('smallcode.rpc').notify, method, payload)
  if not ok then H.on.error(c, { text = H.strip(err) }) end
  -- The old chat stays stored; the next message starts a new one.
  if method == 'chat_send' and text:match('^%s*/clear%s*$') then c.session = H.new_id() end
  return true
end

--- The chat's slash commands (answered by smallcode, never sent to the model), as in
--- src/chat/commands.rs. `editor = true`: run here (`H.editor`); `args`: the palette puts the
--- command in the input for its argument instead of running it.
M.commands = {
  { name = 'budget', desc = 'token split of the last turn (system, task, symbols, graph, history, reply)' },
  { name = 'stats', desc = 'last agent run and session totals (rounds, tokens, cache, repairs, checks)' },
  { name = 'clear', desc = 'start a new chat (this one stays listed by /resume)' },
  {
    name = 'memory',
    desc = 'project notes: /memory add TEXT, list, forget N; accept or dismiss a proposed note',
    args = true,
  },
  { name = 'model', desc = "list the server's models and switch (/model NAME)", editor = true },
  { name = 'resume', desc = 'reopen a saved chat of this project (/resume last)', editor = true },
  { name = 'undo', desc = 'revert the last landed change set', editor = true },
  { name = 'fix', desc = 'let the agent fix TEXT in the current file', editor = true, args = true },
  { name = 'graph', desc = 'definitions, callers and callees of NAME (quickfix)', editor = true, args = true },
  { name = 'help', desc = 'list the commands' },
}

--- The built-in commands and the user's own (`setup({ commands = … })`, marked `user = true`,
--- sorted by name after the built-in ones): what the palette and completion offer.
---@return table[] { name, desc, args?, editor?, user? }
M.all_commands = function()
  local out = vim.list_extend({}, M.commands)
  local mine = {}
  for name, cmd in pairs(H.config().commands or {}) do
    local args = cmd.args
    if args == nil then args = type(cmd.prompt) == 'string' and cmd.prompt:find('{args}', 1, true) ~= nil end
    mine[#mine + 1] = { name = name, desc = cmd.description, args = args, user = true }
  end
  table.sort(mine, function(a, b) return a.name < b.name end)
  return vim.list_extend(out, mine)
end

--- Whether `text` is a slash command: its first word is `/` and letters only (`/usr/lib` is not).
---@param text string
---@return boolean
M.is_command = function(text)
  return type(text) == 'string' and (text:match('^%s*/%a+%s') ~= nil or text:match('^%s*/%a+$') ~= nil)
end

--- Offers the slash commands with `vim.ui.select` and sends the chosen one to chat `id`.
---@param id integer|nil chat id, default 1
---@param on_cancel function|nil called when nothing was chosen
M.palette = function(id, on_cancel)
  local items = M.all_commands()
  vim.ui.select(items, {
    prompt = 'smallcode command',
    format_item = function(item)
      return string.format('/%-7s %s%s', item.name, item.desc, item.user and ' [yours]' or '')
    end,
  }, function(item)
    if not item then
      if on_cancel then on_cancel() end
      return
    end
    local c = H.get(id or 1)
    if item.args and H.buf_valid(c.input_buf) then
      -- Needs an argument: typed after the command in the input.
      vim.api.nvim_buf_set_lines(c.input_buf, 0, -1, false, { '/' .. item.name .. ' ' })
      if H.win_valid(c.input_win) then
        vim.api.nvim_set_current_win(c.input_win)
        vim.api.nvim_win_set_cursor(c.input_win, { 1, #item.name + 2 })
        vim.cmd('startinsert!')
      end
      return
    end
    M.send('/' .. item.name, id)
  end)
end

--- `:SmallCode resume [last|ID|TITLE]` and `/resume`: reopens one of this project's saved chats
--- in chat `id` — its transcript, and its history for the model from the next message on.
--- Without an argument the chats are offered with `vim.ui.select` (date, first message, turns).
---@param arg string|nil `last`, a chat id, or part of a title
---@param id integer|nil chat id, default 1
M.resume = function(arg, id)
  local c = H.get(id or 1)
  local project = c.project or H.project_root(c)
  arg = vim.trim(arg or '')
  -- The newest chat is found by the Rust process in the same request: one round trip.
  if arg == 'last' then return M.load('last', project, c.id) end
  local list = M.saved(project)
  if #list == 0 then
    H.notify('no saved chats for ' .. project)
    return
  end
  if arg == '' then
    vim.ui.select(list, { prompt = 'Resume chat', format_item = M.format_saved }, function(item)
      if item then M.load(item.id, project, c.id) end
    end)
    return
  end
  local item = H.find_saved(list, arg)
  if not item then H.error(string.format("resume: no saved chat matches '%s' (try :SmallCode resume)", arg)) end
  M.load(item.id, project, c.id)
end

--- The saved chats of `project` (default: the current project), newest first:
--- `{ id, title, created, updated, turns }` (src/chat/store.rs).
---@param project string|nil
---@return table[]
M.saved = function(project)
  project = project or H.project_root(H.get(1))
  local list = require('smallcode.rpc').request('chats_list', { project = project })
  return type(list) == 'table' and list or {}
end

--- One line for a saved chat: date, first message, turns.
---@param item table an entry of `M.saved()`
---@return string
M.format_saved = function(item)
  local turns = tonumber(item.turns) or 0
  return string.format(
    '%s  %s  (%d turn%s)',
    os.date('%Y-%m-%d %H:%M', tonumber(item.updated) or 0),
    item.title ~= '' and item.title or '(empty)',
    turns,
    turns == 1 and '' or 's'
  )
end

--- Makes saved chat `session` of `project` chat `id`'s conversation: a reply in flight is
--- stopped, the transcript is replaced by the saved one and the model gets its history.
---@param session string a chat id, or `last` (the newest)
---@param project string
---@param id integer|nil chat id, default 1
M.load = function(session, project, id)
  local c = H.get(id or 1)
  H.ensure_buffers(c)
  if c.busy then M.stop(c.id) end
  local reply = require('smallcode.rpc').request('chat_resume', { chat = c.id, session = session, project = project })
  c.session, c.project = type(reply) == 'table' and reply.id or session, project
  c.queue, c.busy, c.streaming = {}, false, false
  H.show_queue(c)
  H.render_saved(c, type(reply) == 'table' and reply.turns or {})
  if not (H.win_valid(c.win) and H.win_valid(c.input_win)) then M.open(c.id) end
  H.scroll_to_end(c.win, c.buf)
  H.update_winbar(c)
end

--- `:SmallCode chats delete [ID|TITLE]`: removes a saved chat of this project (asked with
--- `vim.ui.select` without an argument). Deleting the open chat starts a new one.
---@param arg string|nil
M.delete_saved = function(arg)
  local c = H.get(1)
  local project = c.project or H.project_root(c)
  local list = M.saved(project)
  if #list == 0 then
    H.notify('no saved chats for ' .. project)
    return
  end
  local function delete(item)
    require('smallcode.rpc').request('chats_delete', { project = project, id = item.id })
    if c.session == item.id then c.session = H.new_id() end
    H.notify('deleted chat: ' .. item.title)
  end
  arg = vim.trim(arg or '')
  if arg == '' then
    vim.ui.select(list, { prompt = 'Delete chat', format_item = M.format_saved }, function(item)
      if item then delete(item) end
    end)
    return
  end
  local item = H.find_saved(list, arg)
  if not item then H.error(string.format("chats delete: no saved chat matches '%s'", arg)) end
  delete(item)
end

--- `/model [NAME]` and `:SmallCode model [NAME]`: switches to model NAME of the server, or
--- offers the server's models with `vim.ui.select`. The next message uses it.
---@param name string|nil
M.model = function(name)
  name = vim.trim(name or '')
  local models = M.models(true)
  local function switch(m)
    if #models > 0 and not vim.tbl_contains(models, m) then
      H.error(string.format("model '%s' is not on the server; it has: %s", m, table.concat(models, ', ')))
    end
    require('smallcode').get_config().model = m
    require('smallcode.rpc').reconfigure()
    H.notify('model: ' .. m)
    local c = H.chats[1]
    if c and H.buf_valid(c.buf) then H.on.info(c, { text = 'model switched to ' .. m }) end
  end
  if name ~= '' then return switch(name) end
  if #models == 0 then H.error('the server lists no models') end
  vim.ui.select(models, { prompt = 'Model' }, function(m)
    if m then switch(m) end
  end)
end

--- The project chat `id` belongs to (where it is saved, what `#file:` is relative to).
---@param id integer|nil chat id, default 1
---@return string
M.project = function(id)
  local c = H.get(id or 1)
  return c.project or H.project_root(c)
end

--- The server's models (cached for a minute; `fresh` asks again).
---@param fresh boolean|nil
---@return string[]
M.models = function(fresh)
  local now = vim.uv.now()
  if fresh or not H.models or now - H.models.at > 60000 then
    local ok, status = pcall(require('smallcode.rpc').request, 'status')
    local list = ok and type(status) == 'table' and type(status.models) == 'table' and status.models or {}
    H.models = { at = now, list = list }
  end
  return H.models.list
end

--- The messages waiting in chat `id`'s queue, oldest first.
---@param id integer|nil chat id, default 1
---@return string[]
M.queued = function(id)
  local c = H.chats[id or 1]
  return c and vim.tbl_map(function(q) return q.text end, c.queue) or {}
end

--- Appends `text` as information lines (`> …`) to chat `id`'s transcript, e.g. what a review
--- landed. Creates the chat's buffers if needed but opens no window.
---@param id integer|nil chat id, default 1
---@param text string
M.info = function(id, text)
  local c = H.get(id or 1)
  H.ensure_buffers(c)
  H.on.info(c, { text = text })
end

--- Redraws the window bars of all chats (e.g. after the number of hunks to review changed).
M.refresh = function()
  for _, c in pairs(H.chats) do
    H.update_winbar(c)
  end
end

--- Cancels the reply in flight in chat `id`. Queued messages stay queued: the next one is sent
--- once the reply has ended.
---@param id integer|nil chat id, default 1
M.stop = function(id)
  local c = H.get(id or 1)
  local rpc = require('smallcode.rpc')
  if rpc.chan() then
    pcall(rpc.notify, 'chat_stop', { chat = c.id })
  elseif c.busy then
    -- No process, so no `cancelled` event will come: close the turn here.
    H.ensure_buffers(c)
    H.on.cancelled(c, {})
  end
end

--- Whether chat `id` has a turn in flight.
---@param id integer|nil chat id, default 1
---@return boolean
M.busy = function(id)
  local c = H.chats[id or 1]
  return c ~= nil and c.busy
end

--- Handles one event from Rust: `{ chat = <id>, type = <kind>, ... }`, kinds as in
--- src/rpc/protocol.rs (status, info, start, delta, done, error, cancelled, retract, progress).
--- Unknown kinds are ignored so that an older plugin survives a newer binary's extra events.
---@param ev table
M.on_event = function(ev)
  if type(ev) ~= 'table' then return end
  local handler = H.on[ev.type]
  if not handler then return end
  local c = H.get(type(ev.chat) == 'number' and ev.chat or 1)
  H.ensure_buffers(c)
  handler(c, ev)
end

--- Called by smallcode.rpc when the process is gone: busy chats show why their reply stopped,
--- and their queued messages are dropped (said in the transcript).
---@param reason string
M.on_process_exit = function(reason)
  for _, c in pairs(H.chats) do
    local dropped = #c.queue
    c.queue = {}
    if c.busy and H.buf_valid(c.buf) then
      H.on.error(c, { text = string.format('smallcode process exited (%s)', reason) })
    end
    c.busy = false
    if dropped > 0 and H.buf_valid(c.buf) then
      H.show_queue(c)
      H.append_line(c, string.format('> %d queued message(s) dropped', dropped))
    end
  end
end

--- The state of chat `id` (buffers, windows, status, stats of the last reply), or nil.
---@param id integer|nil chat id, default 1
---@return table|nil
M.get = function(id) return H.chats[id or 1] end

--- The transcript lines of chat `id`.
---@param id integer|nil chat id, default 1
---@return string[]
M.lines = function(id)
  local c = H.chats[id or 1]
  if not (c and H.buf_valid(c.buf)) then return {} end
  return vim.api.nvim_buf_get_lines(c.buf, 0, -1, false)
end

--- The winbar text of chat `id` in full: state first, then server, model and context. The
--- window shows it shortened to its width (and %-escaped).
---@param id integer|nil chat id, default 1
---@return string
M.winbar = function(id) return H.winbar_text(H.get(id or 1)) end

--- The winbar text of chat `id` fitted to `width` display cells: the state is kept, the
--- server / model / context part is shortened (server first), then cut with '…'.
---@param id integer|nil chat id, default 1
---@param width integer
---@return string
M.winbar_fit = function(id, width) return H.fit(H.get(id or 1), width) end

-- Helper data ================================================================

-- Chat state by id.
H.chats = {}
-- Whether a background process start is scheduled.
H.starting = false
H.input_height = 3
H.prefix = 'smallcode'
-- The server's model list and when it was read (`M.models`).
H.models = nil
-- Namespace of the queued-message virtual lines.
H.qns = vim.api.nvim_create_namespace('smallcode_chat_queue')

-- Helper functionality =======================================================

H.strip = function(err)
  err = tostring(err):gsub('^%(smallcode%) ', '')
  return err
end

H.get = function(id)
  local c = H.chats[id]
  if not c then
    c = { id = id, busy = false, streaming = false, status = nil, stats = nil, queue = {}, session = nil }
    H.chats[id] = c
  end
  return c
end

H.buf_valid = function(buf) return buf ~= nil and vim.api.nvim_buf_is_valid(buf) end
H.win_valid = function(win) return win ~= nil and vim.api.nvim_win_is_valid(win) end

H.config = function() return require('smallcode').get_config() end

H.create_buf = function(name, opts)
  -- A buffer left behind by lost state (e.g. the module was reloaded) would block the name.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b) == name then pcall(vim.api.nvim_buf_delete, b, { force = true }) end
  end
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(buf, name)
  local bo = vim.bo[buf]
  bo.buftype, bo.bufhidden, bo.swapfile, bo.buflisted = 'nofile', 'hide', false, false
  for k, v in pairs(opts) do
    bo[k] = v
  end
  return buf
end

H.ensure_buffers = function(c)
  if not H.buf_valid(c.buf) then
    -- No undo history: the transcript only grows, and undo would keep a copy of every delta.
    c.buf = H.create_buf('smallcode://chat/' .. c.id, { filetype = 'markdown', undolevels = -1 })
    vim.bo[c.buf].modifiable = false
    H.set_keymaps(c, c.buf, false)
  end
  if not H.buf_valid(c.input_buf) then
    c.input_buf = H.create_buf('smallcode://input/' .. c.id, { filetype = 'markdown' })
    H.set_keymaps(c, c.input_buf, true)
    -- `#buffer`, `#file:…`, `#symbol:…`, … and `/commands`: <C-x><C-o> (or <C-x><C-u>).
    local fn = "v:lua.require'smallcode.complete'.omnifunc"
    vim.bo[c.input_buf].omnifunc, vim.bo[c.input_buf].completefunc = fn, fn
  end
end

H.set_keymaps = function(c, buf, is_input)
  local keys = H.config().keys
  local function map(mode, lhs, rhs, desc)
    if lhs then vim.keymap.set(mode, lhs, rhs, { buffer = buf, nowait = true, silent = true, desc = desc }) end
  end
  if is_input then
    map('n', keys.send_normal, function() H.send_input(c) end, 'smallcode: send')
    map('i', keys.send_insert, function() H.send_input(c) end, 'smallcode: send')
    -- `/` typed into an empty input opens the command palette; anywhere else it is just `/`.
    vim.keymap.set('i', '/', function()
      local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      if #lines > 1 or (lines[1] or '') ~= '' then return '/' end
      vim.schedule(function()
        M.palette(c.id, function()
          if H.buf_valid(buf) and vim.api.nvim_get_current_buf() == buf then
            vim.api.nvim_put({ '/' }, 'c', false, true)
          end
        end)
      end)
      return ''
    end, { buffer = buf, expr = true, nowait = true, desc = 'smallcode: command palette' })
  end
  map({ 'n', 'i' }, keys.stop, function() M.stop(c.id) end, 'smallcode: stop the reply')
end

H.send_input = function(c)
  if not H.buf_valid(c.input_buf) then return end
  local text = table.concat(vim.api.nvim_buf_get_lines(c.input_buf, 0, -1, false), '\n')
  -- A refused send (empty text) keeps the input so that nothing typed is lost.
  if M.send(text, c.id) then vim.api.nvim_buf_set_lines(c.input_buf, 0, -1, false, {}) end
end

--- What the editor shows from window `win`: the project root, the current file and cursor, and
--- the unsaved text of modified buffers under the root (plus the current one). Empty for a
--- window without a file (the turn is then the message and the history only).
H.editor_context = function(win, c)
  if not H.win_valid(win) or win == c.win or win == c.input_win then return {} end
  local buf = vim.api.nvim_win_get_buf(win)
  local path = vim.api.nvim_buf_get_name(buf)
  if path == '' or vim.bo[buf].buftype ~= '' then return {} end
  local agent = require('smallcode.agent')
  local root = agent.root(buf)
  local buffers = agent.live_buffers(root, buf)
  return { root = root, file = path, cursor = vim.api.nvim_win_get_cursor(win)[1], buffers = buffers }
end

--- A new stored-chat id: time, process and a random part (`20250115-102233-4242-9f3a`).
H.new_id = function()
  local rnd = vim.uv.hrtime() % 0x10000
  return string.format('%s-%d-%04x', os.date('%Y%m%d-%H%M%S'), vim.fn.getpid(), rnd)
end

--- The project a chat belongs to: the root of the file window it was opened from (else the
--- working directory).
H.project_root = function(c)
  local win = c and c.origin_win
  if H.win_valid(win) and win ~= c.win and win ~= c.input_win then
    local buf = vim.api.nvim_win_get_buf(win)
    if vim.bo[buf].buftype == '' and vim.api.nvim_buf_get_name(buf) ~= '' then
      return require('smallcode.agent').root(buf)
    end
  end
  local ok, root = pcall(function() return require('smallcode.agent').current_root() end)
  return ok and root or vim.fn.getcwd()
end

--- Gives chat `c` a project and a stored-chat id on its first message.
H.ensure_session = function(c, origin)
  if not c.project then
    c.origin_win = c.origin_win or origin
    c.project = H.project_root(c)
  end
  c.session = c.session or H.new_id()
end

--- A saved chat by id, then by title (exact, then containing `arg`).
H.find_saved = function(list, arg)
  if arg == 'last' then return list[1] end
  for _, item in ipairs(list) do
    if item.id == arg or item.title == arg then return item end
  end
  local lower = arg:lower()
  for _, item in ipairs(list) do
    if tostring(item.title):lower():find(lower, 1, true) then return item end
  end
end

--- Replaces the transcript with saved turns (`{ kind, state, user, assistant, notes }`), in one
--- write: a 500-turn chat is one `nvim_buf_set_lines`.
H.render_saved = function(c, turns)
  local lines = {}
  local function add(text)
    for _, l in ipairs(vim.split(text, '\n', { plain = true })) do
      lines[#lines + 1] = l
    end
  end
  for _, t in ipairs(turns) do
    if #lines > 0 then lines[#lines + 1] = '' end
    add('## You\n' .. tostring(t.user or ''))
    lines[#lines + 1] = ''
    lines[#lines + 1] = '## smallcode'
    local reply = tostring(t.assistant or '')
    if reply ~= '' then add(reply) end
    for _, n in ipairs(type(t.notes) == 'table' and t.notes or {}) do
      lines[#lines + 1] = '> ' .. tostring(n)
    end
    if t.state == 'cut' then lines[#lines + 1] = '[cut: the reply did not finish]' end
  end
  if #lines > 0 then lines[#lines + 1] = '' end
  lines[#lines + 1] = string.format('> resumed: %d turn%s', #turns, #turns == 1 and '' or 's')
  lines[#lines + 1] = ''
  vim.bo[c.buf].modifiable = true
  vim.api.nvim_buf_set_lines(c.buf, 0, -1, false, lines)
  vim.bo[c.buf].modifiable = false
end

--- Runs `/model`, `/resume`, `/undo`, `/fix`, `/graph` typed in chat `c`; false for anything
--- else (sent as usual).
H.editor_command = function(c, text)
  local name, rest = text:match('^%s*/(%a+)%s*(.-)%s*$')
  if not name then return false end
  name = name:lower()
  local run = {
    model = function() M.model(rest) end,
    resume = function() M.resume(rest, c.id) end,
    undo = function() require('smallcode.command').run('undo') end,
    fix = function() require('smallcode.agent').fix(rest) end,
    graph = function() require('smallcode.graph').query(rest) end,
  }
  if not run[name] then return false end
  local ok, err = pcall(run[name])
  if not ok then H.notify(H.strip(err), vim.log.levels.ERROR) end
  return true
end

--- Runs the user's command when `text` is one (`/NAME args`): a `prompt` template gets `{args}`
--- filled in, a `run(args, ctx)` function is called; a string either gives is sent to the model
--- as the message (shown as typed by the user), nil means the command did its job itself. A
--- message a command produced never runs a user command again (no loops), but may be a
--- built-in one (`/fix …`).
---@return boolean handled
H.user_command = function(c, text, origin)
  if H.expanding then return false end
  local name, rest = text:match('^%s*/(%a+)(.*)$')
  if not name then return false end
  local mine = H.config().commands or {}
  local cmd = mine[name] or mine[name:lower()]
  if not cmd then return false end
  rest = vim.trim(rest)
  local message
  if type(cmd.prompt) == 'string' then
    message = cmd.prompt:gsub('{args}', function() return rest end)
  else
    local buf = H.win_valid(origin) and origin ~= c.win and origin ~= c.input_win and vim.api.nvim_win_get_buf(origin)
      or nil
    local file = buf and vim.api.nvim_buf_get_name(buf) or ''
    local ctx = {
      chat = c.id,
      root = c.project or H.project_root(c),
      buf = buf or nil,
      file = file ~= '' and file or nil,
    }
    local ok, res = pcall(cmd.run, rest, ctx)
    if not ok then
      H.notify(string.format('/%s failed: %s', name, H.strip(tostring(res))), vim.log.levels.ERROR)
      return true
    end
    message = type(res) == 'string' and res or nil
  end
  if message and vim.trim(message) ~= '' then
    H.expanding = true
    local ok, err = pcall(M.send, message, c.id)
    H.expanding = false
    if not ok then error(err, 0) end
  end
  return true
end

--- What the message names with `#` and only the editor knows: the diagnostics of the file it
--- came from, the quickfix list, the last visual selection (src/chat/refs.rs renders them).
H.named_context = function(text, origin, c, payload)
  if not text:find('#', 1, true) then return end
  local buf = H.win_valid(origin) and origin ~= c.win and origin ~= c.input_win and vim.api.nvim_win_get_buf(origin)
    or nil
  local root = payload.root or c.project
  local function rel(path)
    local prefix = root and (root:sub(-1) == '/' and root or root .. '/') or nil
    return prefix and vim.startswith(path, prefix) and path:sub(#prefix + 1) or path
  end
  local function named(word) return text:find('%f[%w#]#' .. word .. '%f[^%w_]') ~= nil end
  if named('diagnostics') and buf then
    local out = {}
    local file = rel(vim.api.nvim_buf_get_name(buf))
    local sev = { 'ERROR', 'WARN', 'INFO', 'HINT' }
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      out[#out + 1] = {
        file = file,
        line = d.lnum + 1,
        col = d.col + 1,
        text = string.format('%s: %s', sev[d.severity] or 'NOTE', d.message),
      }
    end
    payload.diagnostics = out
  end
  if named('quickfix') then
    local out = {}
    for _, e in ipairs(vim.fn.getqflist()) do
      local file = e.bufnr > 0 and rel(vim.api.nvim_buf_get_name(e.bufnr)) or ''
      out[#out + 1] = { file = file, line = e.lnum, col = e.col, text = vim.trim(e.text) }
    end
    payload.quickfix = out
  end
  if named('selection') and buf and not payload.selection then
    local s, e = vim.api.nvim_buf_get_mark(buf, '<'), vim.api.nvim_buf_get_mark(buf, '>')
    if s[1] > 0 and e[1] >= s[1] then
      local path = vim.api.nvim_buf_get_name(buf)
      payload.selection = {
        path = path ~= '' and path or nil,
        line1 = s[1],
        line2 = e[1],
        text = table.concat(vim.api.nvim_buf_get_lines(buf, s[1] - 1, e[1], false), '\n'),
      }
    end
  end
end

H.notify = function(msg, level) vim.notify('(smallcode) ' .. msg, level or vim.log.levels.INFO) end

H.error = function(msg) error('(smallcode) ' .. msg, 0) end

H.open_windows = function(c)
  local chat = H.config().chat
  local vertical = chat.position ~= 'bottom'
  local total = vertical and vim.o.columns or (vim.o.lines - vim.o.cmdheight)
  local size = chat.size < 1 and math.floor(total * chat.size + 0.5) or math.floor(chat.size)
  size = math.max(size, vertical and 20 or (H.input_height + 3))

  vim.cmd(vertical and 'botright vsplit' or 'botright split')
  c.win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(c.win, c.buf)
  if vertical then
    vim.api.nvim_win_set_width(c.win, size)
  else
    vim.api.nvim_win_set_height(c.win, size)
  end

  vim.cmd('belowright split')
  c.input_win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(c.input_win, c.input_buf)
  vim.api.nvim_win_set_height(c.input_win, H.input_height)

  for _, win in ipairs({ c.win, c.input_win }) do
    local wo = vim.wo[win]
    wo.wrap, wo.linebreak, wo.number, wo.relativenumber = true, true, false, false
    wo.signcolumn, wo.foldcolumn, wo.spell = 'no', '0', false
  end
  vim.wo[c.input_win].winfixheight = true
  if vertical then
    vim.wo[c.win].winfixwidth = true
    vim.wo[c.input_win].winfixwidth = true
  end
  H.update_winbar(c)
  H.scroll_to_end(c.win, c.buf)

  -- Closing one of the pair closes the other: a lone input (or transcript) window is clutter.
  local group = vim.api.nvim_create_augroup('smallcode_chat_' .. c.id, { clear = true })
  -- The winbar is fitted to the window's width.
  vim.api.nvim_create_autocmd('WinResized', {
    group = group,
    callback = function() H.update_winbar(c) end,
  })
  vim.api.nvim_create_autocmd('WinClosed', {
    group = group,
    callback = function(args)
      local closed = tonumber(args.match)
      if closed ~= c.win and closed ~= c.input_win then return end
      local other = closed == c.win and c.input_win or c.win
      vim.schedule(function()
        if H.win_valid(other) and #vim.api.nvim_tabpage_list_wins(0) > 1 then
          pcall(vim.api.nvim_win_close, other, false)
        end
      end)
      return true -- delete this autocommand: the pair is gone
    end,
  })
end

H.close_windows = function(c)
  for _, win in ipairs({ c.win, c.input_win }) do
    if H.win_valid(win) then pcall(vim.api.nvim_win_close, win, true) end
  end
  c.win, c.input_win = nil, nil
end

-- Writing to the transcript --------------------------------------------------

--- Appends `text` at the very end of the transcript. Newlines in `text` start new lines.
H.append = function(c, text)
  if text == '' then return end
  local buf = c.buf
  local last = vim.api.nvim_buf_line_count(buf) - 1
  local col = #vim.api.nvim_buf_get_lines(buf, last, last + 1, true)[1]

  -- Windows whose cursor sits on the last line follow the output.
  local follow = {}
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    if vim.api.nvim_win_get_cursor(win)[1] == last + 1 then table.insert(follow, win) end
  end

  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_text(buf, last, col, last, col, vim.split(text, '\n', { plain = true }))
  vim.bo[buf].modifiable = false

  for _, win in ipairs(follow) do
    H.scroll_to_end(win, buf)
  end
  if #c.queue > 0 then H.show_queue(c) end
end

--- Shows the queued messages as virtual lines under the transcript's last line.
H.show_queue = function(c)
  if not H.buf_valid(c.buf) then return end
  vim.api.nvim_buf_clear_namespace(c.buf, H.qns, 0, -1)
  if #c.queue == 0 then return end
  local lines = {}
  for i, q in ipairs(c.queue) do
    local first = vim.split(q.text, '\n', { plain = true })[1]
    lines[#lines + 1] = { { string.format('⋯ queued %d: %s', i, first), 'SmallCodeQueued' } }
  end
  local last = vim.api.nvim_buf_line_count(c.buf) - 1
  vim.api.nvim_buf_set_extmark(c.buf, H.qns, last, 0, { virt_lines = lines })
end

--- Sends the next queued message once the turn has ended (scheduled: the event that ended the
--- turn finishes first).
H.drain = function(c)
  if #c.queue == 0 then return end
  vim.schedule(function()
    if c.busy or #c.queue == 0 then return end
    local q = table.remove(c.queue, 1)
    H.show_queue(c)
    M.send(q.text, c.id, q.route)
  end)
end

H.last_lines = function(c, n)
  local count = vim.api.nvim_buf_line_count(c.buf)
  return vim.api.nvim_buf_get_lines(c.buf, math.max(count - n, 0), count, true), count
end

--- Ends the current line if it has text.
H.end_line = function(c)
  if H.last_lines(c, 1)[1] ~= '' then H.append(c, '\n') end
end

--- Starts a block (`## You`, `## smallcode`): one blank line after earlier text, none at the top.
H.begin_block = function(c)
  H.end_line(c)
  local lines, count = H.last_lines(c, 2)
  if count > 1 and lines[1] ~= '' then H.append(c, '\n') end
end

--- Appends a line of its own (after ending the current one); the next text starts a fresh line.
H.append_line = function(c, line)
  H.end_line(c)
  H.append(c, line .. '\n')
end

H.scroll_to_end = function(win, buf) pcall(vim.api.nvim_win_set_cursor, win, { vim.api.nvim_buf_line_count(buf), 0 }) end

-- Status and winbar ----------------------------------------------------------

H.set_status = function(c, text)
  c.status = text
  H.update_winbar(c)
end

H.format_stats = function(stats)
  if not stats then return nil end
  local parts = {}
  if stats.completion_tokens then table.insert(parts, stats.completion_tokens .. ' tok') end
  if stats.elapsed_ms then table.insert(parts, string.format('%.1f s', stats.elapsed_ms / 1000)) end
  return #parts > 0 and table.concat(parts, ' in ') or nil
end

--- The winbar's state words (connection, reply in flight or its stats, queue, hunks to
--- review) and the status (server, model, context), without the prefix.
H.winbar_parts = function(c)
  local state = {}
  -- Rust sends a status once it reached a model server; an error before that means it did not.
  if c.status == nil then state[#state + 1] = c.failed and 'not connected' or 'connecting…' end
  if c.busy and c.progress then
    state[#state + 1] = c.progress
  elseif c.busy then
    state[#state + 1] = c.streaming and 'generating…' or 'waiting for the model…'
  else
    local stats = H.format_stats(c.stats)
    if stats then state[#state + 1] = stats end
  end
  if #c.queue > 0 then state[#state + 1] = #c.queue .. ' queued' end
  local review = package.loaded['smallcode.review']
  local hunks = review and review.count() or 0
  if hunks > 0 then state[#state + 1] = hunks .. (hunks == 1 and ' hunk' or ' hunks') .. ' to review' end
  local status = c.status
  if status and vim.startswith(status, H.prefix) then status = status:sub(#H.prefix + 1):gsub('^ · ', '') end
  if status == '' then status = nil end
  return state, status
end

H.winbar_text = function(c)
  local state, status = H.winbar_parts(c)
  local parts = { H.prefix }
  vim.list_extend(parts, state)
  if status then parts[#parts + 1] = status end
  return table.concat(parts, ' · ')
end

H.width = function(s) return vim.api.nvim_strwidth(s) end

H.cut = function(s, width)
  if H.width(s) <= width then return s end
  if width < 1 then return '' end
  local out = vim.fn.strcharpart(s, 0, width - 1)
  while H.width(out) > width - 1 do
    out = vim.fn.strcharpart(out, 0, vim.fn.strchars(out) - 1)
  end
  return out .. '…'
end

--- The winbar for `width` cells: the prefix and state first; the status after them, without
--- the server kind when that is not enough, then cut.
H.fit = function(c, width)
  local state, status = H.winbar_parts(c)
  local head = table.concat(vim.list_extend({ H.prefix }, state), ' · ')
  if not status then return H.cut(head, width) end
  local room = width - H.width(head) - 3
  if room < 4 then return H.cut(head, width) end
  if H.width(status) <= room then return head .. ' · ' .. status end
  -- `server · model · ctx N`: the server goes first, then the model name is cut, keeping the
  -- context size.
  local parts = vim.split(status, ' · ', { plain = true })
  if #parts > 2 then parts = vim.list_slice(parts, 2) end
  local short = table.concat(parts, ' · ')
  if H.width(short) <= room then return head .. ' · ' .. short end
  if #parts == 2 then
    local tail = ' · ' .. parts[2]
    local left = room - H.width(tail)
    if left >= 4 then return head .. ' · ' .. H.cut(parts[1], left) .. tail end
  end
  return head .. ' · ' .. H.cut(short, room)
end

H.update_winbar = function(c)
  if not H.buf_valid(c.buf) then return end
  for _, win in ipairs(vim.fn.win_findbuf(c.buf)) do
    local text = H.fit(c, vim.api.nvim_win_get_width(win)):gsub('%%', '%%%%')
    vim.wo[win].winbar = text
  end
end

-- Event handlers, by `ev.type` -----------------------------------------------

H.on = {}

H.on.status = function(c, ev) H.set_status(c, tostring(ev.text or '')) end

H.on.info = function(c, ev)
  local lines = vim.split(tostring(ev.text or ''), '\n', { plain = true })
  for i, l in ipairs(lines) do
    lines[i] = '> ' .. l
  end
  H.append_line(c, table.concat(lines, '\n'))
end

H.on.start = function(c, _)
  c.busy, c.streaming = true, false
  H.update_winbar(c)
end

H.on.delta = function(c, ev)
  if type(ev.text) ~= 'string' or ev.text == '' then return end
  H.append(c, ev.text)
  if not c.streaming then
    c.streaming = true
    H.update_winbar(c)
  end
end

H.on.done = function(c, ev)
  -- End the reply's last line, then one blank line.
  H.end_line(c)
  H.append(c, '\n')
  local function num(v) return type(v) == 'number' and v or nil end
  c.stats = {
    prompt_tokens = num(ev.prompt_tokens),
    completion_tokens = num(ev.completion_tokens),
    elapsed_ms = num(ev.elapsed_ms),
  }
  c.busy, c.streaming, c.progress = false, false, nil
  H.update_winbar(c)
  H.drain(c)
end

H.on.error = function(c, ev)
  H.append_line(c, 'Error: ' .. tostring(ev.text or 'unknown error'))
  c.busy, c.streaming, c.failed, c.progress = false, false, true, nil
  H.update_winbar(c)
  H.drain(c)
end

H.on.cancelled = function(c, _)
  H.append_line(c, '[cancelled]')
  c.busy, c.streaming, c.progress = false, false, nil
  H.update_winbar(c)
  H.drain(c)
end

--- Removes `ev.text` from the end of the transcript (it is exactly the last text appended).
H.on.retract = function(c, ev)
  local n = type(ev.text) == 'string' and #ev.text or 0
  if n == 0 then return end
  local buf = c.buf
  local row = vim.api.nvim_buf_line_count(buf) - 1
  local end_col = #vim.api.nvim_buf_get_lines(buf, row, row + 1, true)[1]
  local r, col = row, end_col
  -- Walk back `n` bytes (a line break counts one).
  while n > 0 do
    if col >= n then
      col = col - n
      n = 0
    elseif r == 0 then
      col, n = 0, 0
    else
      n = n - col - 1
      r = r - 1
      col = #vim.api.nvim_buf_get_lines(buf, r, r + 1, true)[1]
    end
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_text(buf, r, col, row, end_col, { '' })
  vim.bo[buf].modifiable = false
end

--- What the turn waits for (`indexing 120/900`), shown in the winbar; '' ends it.
H.on.progress = function(c, ev)
  local text = type(ev.text) == 'string' and ev.text or ''
  c.progress = text ~= '' and text or nil
  H.update_winbar(c)
end

return M
