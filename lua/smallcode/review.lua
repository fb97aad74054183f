--- Review before it lands: a change set whose checks pass is shown in the real buffers as
--- hunks, and nothing changes until you accept them.
---
--- Rust calls `M.receive(change)` (`src/rpc/protocol.rs` `LUA_REVIEW_CHANGE`) with the agent's
--- files, the text each had when the agent read it (`base`) and the verification label. Each
--- file is loaded into a buffer if needed and its hunks are rebased onto what the buffer holds
--- now (`smallcode.edit.rebase`): a hunk that overlaps what you typed meanwhile is a conflict and
--- is never applied. A hunk is drawn with extmarks: the lines it replaces highlighted
--- (`SmallCodeDelete`, `SmallCodeConflict` for a conflict), the lines it adds as virtual lines
--- below them (`SmallCodeAdd`), a sign on its first line. The extmarks follow your edits, and a
--- hunk lands only where its lines still are (`smallcode.edit.land`).
---
--- With `review.auto_accept` a `verified` change lands at once; anything else waits here.
--- Accepting only part of a change set re-runs the checks on what was accepted (the
--- `review_check` notification; the result comes back through `M.checked`).
local M = {}

local H = {}

-- Module definition ==========================================================

--- Takes a change set from Rust: `{ chat, root, verification, note, skipped, checks, files =
--- { { path, text, base, tick } } }`. Shows it for review, or lands it (`review.auto_accept` and
--- a `verified` label). Returns the lines for the chat.
---@param change table
---@return string[]
M.receive = function(change)
  H.setup_autocmds()
  H.next_id = H.next_id + 1
  local set = {
    id = H.next_id,
    chat = type(change.chat) == 'number' and change.chat or 1,
    root = H.str(change.root),
    verification = H.str(change.verification, 'unverified'),
    note = H.str(change.note),
    skipped = H.list(change.skipped),
    checks = H.list(change.checks),
    trusted = H.trusted(),
    files = {},
    hunks = {},
  }
  H.sets[set.id] = set
  local failed = {}
  for _, f in ipairs(H.list(change.files)) do
    local ok, err = pcall(H.add_file, set, f)
    if not ok then failed[#failed + 1] = 'not shown ' .. tostring(f.path) .. ': ' .. H.strip(err) end
  end
  local out = vim.list_extend(H.summary(set), failed)

  local auto = H.config().auto_accept and set.verification == 'verified'
  if auto then
    local pending = vim.tbl_filter(function(hk) return hk.status == 'pending' end, set.hunks)
    vim.list_extend(out, H.land(pending))
  end
  local waiting = 0
  for _, hk in ipairs(set.hunks) do
    if H.open(hk) then
      H.render(hk)
      waiting = waiting + 1
    end
  end
  for _, f in ipairs(set.files) do
    H.sync_keys(f.buf)
  end
  if waiting > 0 then
    if auto then out[#out + 1] = string.format('%d conflicting hunk(s) wait for review', waiting) end
    out[#out + 1] = H.key_help()
  end
  H.redraw_status()
  return out
end

--- Takes the result of a `review_check` from Rust: `{ chat, id, ok, lines }`.
---@param res table
M.checked = function(res)
  if type(res) ~= 'table' then return end
  local set = H.sets[res.id]
  local lines = H.list(res.lines)
  if set then set.recheck = { ok = res.ok == true, lines = lines } end
  local accepted = set and #H.with_status(set, 'accepted') or 0
  local total = set and #set.hunks or 0
  local text = string.format(
    're-check of change %s (%d of %d hunks accepted): %s — %s',
    tostring(res.id),
    accepted,
    total,
    res.ok == true and 'pass' or 'FAIL',
    #lines > 0 and table.concat(lines, '; ') or 'no checks ran'
  )
  H.say(res.chat, { text })
  if res.ok ~= true then vim.notify('(smallcode) ' .. text, vim.log.levels.WARN) end
end

--- Accepts the hunk under the cursor, or with `{ all = true }` every pending hunk (all
--- buffers). Each buffer's accepted hunks land as one undo step. A conflict is never applied.
---@param opts table|nil { all = boolean }
---@return string[] what happened, also shown in the chat
M.accept = function(opts)
  opts = opts or {}
  local list
  if opts.all then
    list = H.all_open()
    if #list == 0 then H.error('no hunks to review') end
  else
    local hk = H.under_cursor()
    if hk.status == 'conflict' then
      H.error('this hunk conflicts with your changes and is never applied: edit the lines yourself, then reject it')
    end
    list = { hk }
  end
  local conflicts = #vim.tbl_filter(function(hk) return hk.status == 'conflict' end, list)
  local out = H.land(vim.tbl_filter(function(hk) return hk.status == 'pending' end, list))
  if conflicts > 0 then out[#out + 1] = string.format('%d conflicting hunk(s) left for review', conflicts) end
  H.report(list, out)
  return out
end

--- Rejects the hunk under the cursor, or with `{ all = true }` every pending hunk (all
--- buffers): its marks go, the buffer is left exactly as it is.
---@param opts table|nil { all = boolean }
---@return string[]
M.reject = function(opts)
  opts = opts or {}
  local list = opts.all and H.all_open() or { H.under_cursor() }
  if #list == 0 then H.error('no hunks to review') end
  local out, by_file, sets = {}, {}, {}
  for _, hk in ipairs(list) do
    H.resolve(hk, 'rejected')
    by_file[hk.file] = by_file[hk.file] or {}
    table.insert(by_file[hk.file], hk)
    sets[hk.set] = true
  end
  for _, f in ipairs(H.files_of(list)) do
    out[#out + 1] = string.format('rejected %s: %s (buffer unchanged)', f.rel, H.hunk_names(by_file[f], f))
  end
  for set in pairs(sets) do
    vim.list_extend(out, H.after(set, false))
  end
  H.report(list, out)
  return out
end

--- Moves the cursor to the next hunk of the current buffer.
M.next = function() H.jump(1) end

--- Moves the cursor to the previous hunk of the current buffer.
M.prev = function() H.jump(-1) end

--- The hunks waiting for review, in change set and file order.
---@return table[] `{ bufnr, path, start_line, end_line, status }`: 1-based lines of the buffer
---   the hunk replaces (an insertion has `end_line = start_line - 1`: its lines go before
---   `start_line`); `status` is 'pending' or 'conflict'
M.pending = function()
  local out = {}
  for _, hk in ipairs(H.all_open()) do
    local w = H.where(hk)
    if w then
      out[#out + 1] = {
        bufnr = hk.buf,
        path = hk.file.path,
        start_line = w.row + 1,
        end_line = w.row + #hk.old,
        status = hk.status,
      }
    end
  end
  return out
end

--- How many hunks wait for review (the statusline reads this).
---@return integer
M.count = function() return #H.all_open() end

--- A change set by id (`{ id, verification, files, hunks, recheck, ... }`), for tests and
--- inspection.
---@param id integer
---@return table|nil
M.get = function(id) return H.sets[id] end

-- Helper data ================================================================

H.ns = vim.api.nvim_create_namespace('smallcode_review')

-- Change sets by id; the id of the last one.
H.sets = {}
H.next_id = 0

-- Open (pending or conflict) hunks by buffer.
H.by_buf = {}

-- Buffer-local keys set per buffer (the lhs list), so only those are removed.
H.keys_set = {}

-- What each review key does, and its description.
H.actions = {
  accept = { fn = function() return M.accept() end, desc = 'accept the hunk under the cursor' },
  reject = { fn = function() return M.reject() end, desc = 'reject the hunk under the cursor' },
  accept_all = { fn = function() return M.accept({ all = true }) end, desc = 'accept every pending hunk' },
  reject_all = { fn = function() return M.reject({ all = true }) end, desc = 'reject every pending hunk' },
  next = { fn = function() return M.next() end, desc = 'next hunk' },
  prev = { fn = function() return M.prev() end, desc = 'previous hunk' },
}
H.key_order = { 'accept', 'reject', 'accept_all', 'reject_all', 'next', 'prev' }

-- Helper functionality =======================================================

H.error = function(msg) error('(smallcode) ' .. msg, 0) end

H.strip = function(err)
  err = tostring(err):gsub('^%(smallcode%) ', '')
  return err
end

H.str = function(v, default)
  if type(v) ~= 'string' then return default or '' end
  return v
end

H.list = function(v) return type(v) == 'table' and v or {} end

H.config = function() return require('smallcode').get_config().review end

--- Whether the agent run behind this change was told the project is trusted (its tests may
--- then run in a re-check too).
H.trusted = function()
  local agent = package.loaded['smallcode.agent']
  return agent ~= nil and type(agent.last) == 'table' and agent.last.trusted == true
end

H.relpath = function(root, path)
  local prefix = root:sub(-1) == '/' and root or (root .. '/')
  if root ~= '' and vim.startswith(path, prefix) then return path:sub(#prefix + 1) end
  return vim.fn.fnamemodify(path, ':~:.')
end

H.open = function(hk) return hk.status == 'pending' or hk.status == 'conflict' end

H.with_status = function(set, status)
  return vim.tbl_filter(function(hk) return hk.status == status end, set.hunks)
end

--- Every open hunk, in change set and file order.
H.all_open = function()
  local ids = vim.tbl_keys(H.sets)
  table.sort(ids)
  local out = {}
  for _, id in ipairs(ids) do
    for _, hk in ipairs(H.sets[id].hunks) do
      if H.open(hk) and vim.api.nvim_buf_is_valid(hk.buf) then out[#out + 1] = hk end
    end
  end
  return out
end

--- Loads the file's buffer, rebases the agent's text onto it and places its hunks.
H.add_file = function(set, f)
  local edit = require('smallcode.edit')
  local path = H.str(f.path)
  local buf = vim.fn.bufadd(path)
  if not vim.api.nvim_buf_is_loaded(buf) then
    vim.fn.bufload(buf)
    vim.bo[buf].buflisted = true
  end
  local dos = vim.bo[buf].fileformat == 'dos'
  local rebased = edit.rebase(edit.split(f.base, dos), edit.split(f.text, dos), edit.buf_lines(buf))
  local file = { path = path, buf = buf, rel = H.relpath(set.root, path), hunks = {} }
  for i, h in ipairs(rebased) do
    local hk = {
      set = set,
      file = file,
      index = i,
      buf = buf,
      old = h.old,
      new = h.new,
      status = h.conflict and 'conflict' or 'pending',
    }
    H.place(hk, h.s - 1)
    file.hunks[#file.hunks + 1] = hk
    set.hunks[#set.hunks + 1] = hk
    H.by_buf[buf] = H.by_buf[buf] or {}
    table.insert(H.by_buf[buf], hk)
  end
  set.files[#set.files + 1] = file
end

--- The chat lines that announce a change set: label, files and hunks, checks.
H.summary = function(set)
  local n_files = #vim.tbl_filter(function(f) return #f.hunks > 0 end, set.files)
  local label = set.verification .. (set.note ~= '' and (': ' .. set.note) or '')
  local out = {
    string.format('change %d (%s): %d hunk(s) in %d file(s)', set.id, label, #set.hunks, n_files),
  }
  for _, f in ipairs(set.files) do
    if #f.hunks == 0 then
      out[#out + 1] = '  ' .. f.rel .. ': unchanged'
    else
      local parts = {}
      for _, hk in ipairs(f.hunks) do
        local w = H.where(hk)
        parts[#parts + 1] = string.format(
          'hunk %d at line %d (+%d -%d%s)',
          hk.index,
          w and (w.row + 1) or 0,
          #hk.new,
          #hk.old,
          hk.status == 'conflict' and ', conflict: you changed these lines meanwhile' or ''
        )
      end
      out[#out + 1] = '  ' .. f.rel .. ': ' .. table.concat(parts, ', ')
    end
  end
  if #set.checks > 0 then out[#out + 1] = '  checks: ' .. table.concat(set.checks, '; ') end
  if #set.skipped > 0 then out[#out + 1] = '  not run: ' .. table.concat(set.skipped, '; ') end
  return out
end

H.key_help = function()
  local keys, parts = H.config().keys or {}, {}
  local words = {
    accept = 'accept',
    reject = 'reject',
    accept_all = 'accept all',
    reject_all = 'reject all',
    next = 'next',
    prev = 'previous',
  }
  for _, name in ipairs(H.key_order) do
    if keys[name] then parts[#parts + 1] = keys[name] .. ' ' .. words[name] end
  end
  parts[#parts + 1] = ':SmallCode accept|reject [all]'
  return 'review in the buffer: ' .. table.concat(parts, ' · ') .. ' (:h smallcode-review)'
end

-- Placing and drawing hunks ---------------------------------------------------

--- Places the extmarks of `hk`, whose region starts at 0-based `row` of its buffer. A hunk
--- that only inserts is anchored on the line above its place (`above` = false), or on the
--- first line when it goes at the top (`above` = true); `empty` = the buffer has no text.
H.place = function(hk, row)
  local buf = hk.buf
  local count = vim.api.nvim_buf_line_count(buf)
  local vrow
  if #hk.old > 0 then
    local last = row + #hk.old - 1
    hk.mark = vim.api.nvim_buf_set_extmark(buf, H.ns, row, 0, {
      end_row = last,
      end_col = #(vim.api.nvim_buf_get_lines(buf, last, last + 1, false)[1] or ''),
    })
    vrow = last
  elseif #require('smallcode.edit').buf_lines(buf) == 0 then
    hk.empty, hk.above = true, true
    hk.mark = vim.api.nvim_buf_set_extmark(buf, H.ns, 0, 0, {})
    vrow = 0
  elseif row == 0 then
    hk.above = true
    hk.anchor = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
    hk.mark = vim.api.nvim_buf_set_extmark(buf, H.ns, 0, 0, {})
    vrow = 0
  else
    local r = math.min(row - 1, count - 1)
    hk.anchor = vim.api.nvim_buf_get_lines(buf, r, r + 1, false)[1]
    hk.mark = vim.api.nvim_buf_set_extmark(buf, H.ns, r, 0, {})
    vrow = r
  end
  hk.vmark = vim.api.nvim_buf_set_extmark(buf, H.ns, vrow, 0, {})
end

--- Where `hk` applies now: `{ row, anchor? }` (0-based row of its region or insertion point),
--- or nil when its marks are gone.
H.where = function(hk)
  if not vim.api.nvim_buf_is_valid(hk.buf) then return nil end
  local pos = vim.api.nvim_buf_get_extmark_by_id(hk.buf, H.ns, hk.mark, {})
  local r = pos[1]
  if r == nil then return nil end
  if #hk.old > 0 or hk.empty then return { row = hk.empty and 0 or r } end
  local anchor = { row = r, text = hk.anchor }
  return { row = hk.above and r or r + 1, anchor = anchor }
end

--- The line the cursor must be on for `hk` to be "under the cursor" (0-based), and its last.
H.rows = function(hk)
  local pos = vim.api.nvim_buf_get_extmark_by_id(hk.buf, H.ns, hk.mark, {})
  if pos[1] == nil then return nil end
  return pos[1], pos[1] + math.max(#hk.old, 1) - 1
end

H.render = function(hk)
  local buf = hk.buf
  local pos = vim.api.nvim_buf_get_extmark_by_id(hk.buf, H.ns, hk.mark, { details = true })
  if pos[1] == nil then return end
  local conflict = hk.status == 'conflict'
  local kind = #hk.old == 0 and 'Add' or (#hk.new == 0 and 'Delete' or 'Change')
  local total = #hk.file.hunks
  local opts = {
    id = hk.mark,
    sign_text = conflict and '!' or ({ Add = '+', Delete = '-', Change = '~' })[kind],
    sign_hl_group = conflict and 'SmallCodeSignConflict' or ('SmallCodeSign' .. kind),
    virt_text = {
      {
        string.format(
          ' smallcode %s %d/%d (+%d -%d)%s',
          conflict and 'conflict' or 'hunk',
          hk.index,
          total,
          #hk.new,
          #hk.old,
          conflict and ': you changed these lines; never applied' or ''
        ),
        conflict and 'SmallCodeConflict' or 'SmallCodeHunkInfo',
      },
    },
    virt_text_pos = 'eol',
    priority = 200,
  }
  if #hk.old > 0 then
    local d = pos[3] or {}
    opts.end_row, opts.end_col = d.end_row, d.end_col
    opts.hl_group = conflict and 'SmallCodeConflict' or 'SmallCodeDelete'
    opts.hl_eol = true
  end
  vim.api.nvim_buf_set_extmark(buf, H.ns, pos[1], pos[2], opts)
  if #hk.new > 0 then
    local vpos = vim.api.nvim_buf_get_extmark_by_id(buf, H.ns, hk.vmark, {})
    if vpos[1] then
      vim.api.nvim_buf_set_extmark(buf, H.ns, vpos[1], vpos[2], {
        id = hk.vmark,
        virt_lines = H.virt_lines(buf, hk.new),
        virt_lines_above = hk.above == true,
      })
    end
  end
end

H.virt_lines = function(buf, lines)
  local ts = vim.bo[buf].tabstop
  local width = vim.o.columns
  local out = {}
  for _, l in ipairs(lines) do
    l = l:gsub('\t', string.rep(' ', ts))
    local pad = math.max(0, width - vim.api.nvim_strwidth(l))
    out[#out + 1] = { { l .. string.rep(' ', pad), 'SmallCodeAdd' } }
  end
  return out
end

--- Sets `hk`'s final status and removes its marks.
H.resolve = function(hk, status)
  hk.status = status
  if vim.api.nvim_buf_is_valid(hk.buf) then
    pcall(vim.api.nvim_buf_del_extmark, hk.buf, H.ns, hk.mark)
    pcall(vim.api.nvim_buf_del_extmark, hk.buf, H.ns, hk.vmark)
  end
  local list = H.by_buf[hk.buf] or {}
  for i, other in ipairs(list) do
    if other == hk then
      table.remove(list, i)
      break
    end
  end
  if #list == 0 then H.by_buf[hk.buf] = nil end
  H.sync_keys(hk.buf)
end

-- Landing ----------------------------------------------------------------------

--- Lands the pending hunks `list` (grouped per buffer, one undo step each); a hunk whose lines
--- moved under the user's edits becomes a conflict. Returns the chat lines.
H.land = function(list)
  local edit = require('smallcode.edit')
  local diagnostics = require('smallcode.diagnostics')
  local out, record, for_diag, sets = {}, {}, {}, {}
  for _, f in ipairs(H.files_of(list)) do
    local items = {}
    for _, hk in ipairs(list) do
      if hk.file == f and hk.status == 'pending' then
        local w = H.where(hk)
        if w then
          items[#items + 1] = { row = w.row, old = hk.old, new = hk.new, anchor = w.anchor, hk = hk }
        else
          H.conflict(hk)
        end
        sets[hk.set] = true
      end
    end
    if #items > 0 and vim.api.nvim_buf_is_valid(f.buf) then
      local seq_before, lines_before = edit.seq(f.buf), edit.buf_lines(f.buf)
      local before = diagnostics.snapshot(f.buf)
      local landed, stale = edit.land(f.buf, items)
      for _, it in ipairs(stale) do
        H.conflict(it.hk)
        out[#out + 1] =
          string.format('not applied %s hunk %d: you changed its lines meanwhile (now a conflict)', f.rel, it.hk.index)
      end
      if #landed > 0 then
        local added, removed, ranges, hunks = 0, 0, {}, {}
        for _, it in ipairs(landed) do
          H.resolve(it.hk, 'accepted')
          added, removed = added + #it.new, removed + #it.old
          ranges[#ranges + 1] = { it.at + 1, math.max(it.at + 1, it.at + #it.new) }
          hunks[#hunks + 1] = it.hk
        end
        record[#record + 1] = { buf = f.buf, rel = f.rel, before = lines_before, seq_before = seq_before }
        for_diag[#for_diag + 1] = { buf = f.buf, ranges = ranges, before = before }
        out[#out + 1] = string.format(
          'landed %s: +%d -%d lines (one undo step; not saved): %s',
          f.rel,
          added,
          removed,
          H.hunk_names(hunks, f)
        )
      end
    end
  end
  edit.record(record)
  -- New LSP errors in the landed lines are a second signal (smallcode.diagnostics).
  if #for_diag > 0 then pcall(diagnostics.landed, for_diag) end
  for set in pairs(sets) do
    vim.list_extend(out, H.after(set, #record > 0))
  end
  return out
end

H.conflict = function(hk)
  hk.status = 'conflict'
  H.render(hk)
end

--- After accepting or rejecting in `set`: re-check a partly accepted set; say when it is done.
H.after = function(set, accepted_now)
  local out = {}
  local accepted, open = #H.with_status(set, 'accepted'), 0
  for _, hk in ipairs(set.hunks) do
    if H.open(hk) then open = open + 1 end
  end
  if accepted_now and accepted > 0 and accepted < #set.hunks then vim.list_extend(out, H.recheck(set)) end
  if open == 0 and not set.done then
    set.done = true
    out[#out + 1] = string.format(
      'change %d reviewed: %d of %d hunk(s) accepted, %d rejected',
      set.id,
      accepted,
      #set.hunks,
      #H.with_status(set, 'rejected')
    )
  end
  return out
end

--- Sends the accepted part of `set` (the buffers' text now) to be checked in a shadow copy.
H.recheck = function(set)
  local files = {}
  for _, f in ipairs(set.files) do
    if vim.api.nvim_buf_is_valid(f.buf) then
      local lines = vim.api.nvim_buf_get_lines(f.buf, 0, -1, false)
      files[#files + 1] = { path = f.path, text = table.concat(lines, '\n') .. '\n' }
    end
  end
  local ok, err = pcall(require('smallcode.rpc').notify, 'review_check', {
    chat = set.chat,
    id = set.id,
    root = set.root,
    trusted = set.trusted,
    files = files,
  })
  if not ok then return { 'no re-check: ' .. H.strip(err) } end
  set.rechecking = true
  return {
    string.format(
      're-checking change %d with the %d accepted hunk(s) only…',
      set.id,
      #H.with_status(set, 'accepted')
    ),
  }
end

--- `hunk 1 of 2`, `hunks 1, 3 of 3`.
H.hunk_names = function(hunks, file)
  local idx = vim.tbl_map(function(hk) return hk.index end, hunks)
  table.sort(idx)
  local nums = table.concat(vim.tbl_map(tostring, idx), ', ')
  return string.format('%s %s of %d', #idx == 1 and 'hunk' or 'hunks', nums, #file.hunks)
end

--- The distinct files of `hunks`, in order.
H.files_of = function(hunks)
  local out, seen = {}, {}
  for _, hk in ipairs(hunks) do
    if not seen[hk.file] then
      seen[hk.file] = true
      out[#out + 1] = hk.file
    end
  end
  return out
end

--- Shows what an accept or reject did: in the chat of its change set, and a short echo.
H.report = function(list, lines)
  local chat = list[1] and list[1].set.chat or 1
  H.say(chat, lines)
  if #lines > 0 then vim.api.nvim_echo({ { '(smallcode) ' .. lines[1] } }, false, {}) end
  H.redraw_status()
end

H.say = function(chat, lines)
  if #lines == 0 then return end
  local ok, c = pcall(require, 'smallcode.chat')
  if ok then pcall(c.info, chat or 1, table.concat(lines, '\n')) end
end

H.redraw_status = function()
  local chat = package.loaded['smallcode.chat']
  if chat and chat.refresh then pcall(chat.refresh) end
end

-- Cursor, keys and autocommands -------------------------------------------------

H.under_cursor = function()
  local buf = vim.api.nvim_get_current_buf()
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local list = H.by_buf[buf] or {}
  for _, hk in ipairs(list) do
    local first, last = H.rows(hk)
    if first and row >= first and row <= last then return hk end
  end
  if #list == 0 then H.error('no hunks to review in this buffer') end
  H.error(string.format('no hunk under the cursor (%d in this buffer: ]h moves to the next)', #list))
end

H.jump = function(dir)
  local buf = vim.api.nvim_get_current_buf()
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local best
  for _, hk in ipairs(H.by_buf[buf] or {}) do
    local r = H.rows(hk)
    if r and ((dir > 0 and r > row) or (dir < 0 and r < row)) then
      if best == nil or (dir > 0 and r < best) or (dir < 0 and r > best) then best = r end
    end
  end
  if best then
    vim.api.nvim_win_set_cursor(0, { best + 1, 0 })
  else
    vim.api.nvim_echo({ { '(smallcode) no ' .. (dir > 0 and 'next' or 'previous') .. ' hunk' } }, false, {})
  end
end

--- Sets the review keys in `buf` while it has open hunks, removes them when it has none.
H.sync_keys = function(buf)
  local has = H.by_buf[buf] ~= nil and #H.by_buf[buf] > 0
  if has and not H.keys_set[buf] and vim.api.nvim_buf_is_valid(buf) then
    local keys, set = H.config().keys or {}, {}
    for _, name in ipairs(H.key_order) do
      local lhs = keys[name]
      if lhs and not H.taken(buf, lhs) then
        local action = H.actions[name]
        vim.keymap.set('n', lhs, function()
          local ok, err = pcall(action.fn)
          if not ok then vim.notify(tostring(err), vim.log.levels.WARN) end
        end, { buffer = buf, silent = true, desc = 'smallcode: ' .. action.desc })
        set[#set + 1] = lhs
      end
    end
    H.keys_set[buf] = set
  elseif not has and H.keys_set[buf] then
    if vim.api.nvim_buf_is_valid(buf) then
      for _, lhs in ipairs(H.keys_set[buf]) do
        pcall(vim.keymap.del, 'n', lhs, { buffer = buf })
      end
    end
    H.keys_set[buf] = nil
  end
end

--- Whether `lhs` is already mapped in normal mode for `buf` (buffer-local or global).
H.taken = function(buf, lhs)
  return vim.api.nvim_buf_call(buf, function() return not vim.tbl_isempty(vim.fn.maparg(lhs, 'n', false, true)) end)
end

H.setup_autocmds = function()
  if H.group then return end
  H.group = vim.api.nvim_create_augroup('smallcode_review', { clear = true })
  -- A buffer that goes away takes its open hunks with it.
  vim.api.nvim_create_autocmd({ 'BufUnload', 'BufWipeout' }, {
    group = H.group,
    callback = function(args)
      for _, hk in ipairs(vim.list_slice(H.by_buf[args.buf] or {})) do
        H.resolve(hk, 'dropped')
      end
      H.keys_set[args.buf] = nil
    end,
    desc = 'smallcode: drop the hunks of an unloaded buffer',
  })
end

return M
