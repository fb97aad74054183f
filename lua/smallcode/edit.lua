--- Hunks of a change, their rebase onto what the user typed, and landing them in buffers.
---
--- The last step of the data path: `smallcode.review` shows a change set as hunks and calls
--- `M.land` for the ones the user accepts (or for all of them, with `review.auto_accept` and a
--- `verified` change). Units:
--- - A hunk is `{ s, old, new }`: `s` is the 1-based line of the text it applies to where `old`
---   (a list of lines, possibly empty) starts; an empty `old` inserts `new` before line `s`
---   (`s = #lines + 1` appends).
--- - `M.land` takes Neovim rows (0-based), as the extmarks that track hunks give them.
---
--- Invariants:
--- - A hunk lands only where its `old` lines still are: a line the user changed since is never
---   overwritten (the hunk is returned as stale instead). What the user typed is never reverted.
--- - Each call of `M.land` is one undo step of its buffer, separate from the user's changes
---   before and after it (an undo break is set on both sides).
--- - A file is changed in its buffer (loaded first if needed), never written behind the user's
---   back.
local M = {}

local H = {}

-- Module definition ==========================================================

--- The lines of `text`, without the final newline. With `dos`, a '\r' ending a line is dropped
--- (the buffer of a 'fileformat' dos file holds its lines without it).
---@param text string|nil
---@param dos boolean|nil
---@return string[]
M.split = function(text, dos)
  if text == nil or text == '' or text == vim.NIL then return {} end
  if text:sub(-1) == '\n' then text = text:sub(1, -2) end
  local lines = vim.split(text, '\n', { plain = true })
  if dos then
    for i, l in ipairs(lines) do
      if l:sub(-1) == '\r' then lines[i] = l:sub(1, -2) end
    end
  end
  return H.norm(lines)
end

--- The lines of buffer `buf`; a buffer holding one empty line counts as empty.
---@param buf integer
---@return string[]
M.buf_lines = function(buf) return H.norm(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) end

--- The hunks that turn lines `a` into lines `b`, top to bottom.
---@param a string[]
---@param b string[]
---@return table[] `{ s, old, new }`
M.hunks = function(a, b)
  local out = {}
  for _, h in ipairs(H.diff(H.join(a), H.join(b), { result_type = 'indices' })) do
    local sa, ca, sb, cb = h[1], h[2], h[3], h[4]
    -- vim.diff gives the line after which an insertion goes; a hunk names the line it precedes.
    local s = ca == 0 and sa + 1 or sa
    out[#out + 1] = { s = s, old = H.slice(a, s, s + ca - 1), new = H.slice(b, sb, sb + cb - 1) }
  end
  return out
end

--- Places the agent's change (`base` → `agent`) onto the text the buffer has now (`cur`),
--- three-way: where the user changed lines meanwhile (`base` → `cur`), the agent's hunks move
--- with them; a hunk that overlaps or touches a user change is a conflict, whose `old` is the
--- user's lines and `new` the agent's version of the same region. A change the user already
--- made identically is dropped.
---@param base string[] the lines the agent read
---@param agent string[] the agent's lines
---@param cur string[] the buffer's lines now
---@return table[] `{ s, old, new, conflict }`, `s` and `old` in `cur`, top to bottom
M.rebase = function(base, agent, cur)
  local mine = M.hunks(base, agent)
  if vim.deep_equal(base, cur) then
    for _, h in ipairs(mine) do
      h.conflict = false
    end
    return mine
  end
  local theirs = M.hunks(base, cur)
  local all = {}
  for _, h in ipairs(mine) do
    all[#all + 1] = { h = h, agent = true }
  end
  for _, h in ipairs(theirs) do
    all[#all + 1] = { h = h, agent = false }
  end
  table.sort(all, function(x, y)
    if x.h.s ~= y.h.s then return x.h.s < y.h.s end
    return x.agent and not y.agent
  end)

  -- Clusters of hunks that overlap or touch, in base order.
  local clusters = {}
  for _, item in ipairs(all) do
    local s, e = item.h.s, item.h.s + #item.h.old
    local c = clusters[#clusters]
    if c and H.overlap(c.s, c.e, s, e) then
      c.e = math.max(c.e, e)
      table.insert(c.items, item)
    else
      clusters[#clusters + 1] = { s = s, e = e, items = { item } }
    end
  end

  local out, shift = {}, 0
  for _, c in ipairs(clusters) do
    local a, u, delta = {}, {}, 0
    for _, item in ipairs(c.items) do
      if item.agent then
        a[#a + 1] = item.h
      else
        u[#u + 1] = item.h
        delta = delta + #item.h.new - #item.h.old
      end
    end
    if #u == 0 then
      local h = a[1]
      out[#out + 1] = { s = h.s + shift, old = h.old, new = h.new, conflict = false }
    elseif #a > 0 and not H.same(a, u) then
      local s = c.s + shift
      local old = H.slice(cur, s, s + (c.e - c.s) + delta - 1)
      out[#out + 1] = { s = s, old = old, new = H.apply(base, c.s, c.e, a), conflict = true }
    end
    shift = shift + delta
  end
  return out
end

--- Lands `items` in `buf` as one undo step: each `{ row, old, new, anchor? }` replaces the
--- lines `old` found at 0-based `row` with `new` (an empty `old` inserts before `row`). An item
--- whose `old` lines are not at `row` any more, or whose `anchor = { row, text }` line changed,
--- is not set and comes back in `stale`. Items must not overlap.
---@param buf integer
---@param items table[]
---@return table[] landed the items set, each with `at`: the 0-based row where its `new` lines are now
---@return table[] stale the items not set
M.land = function(buf, items)
  local ok, stale = {}, {}
  for _, it in ipairs(items) do
    if H.still_there(buf, it) then
      ok[#ok + 1] = it
    else
      stale[#stale + 1] = it
    end
  end
  if #ok == 0 then return ok, stale end
  table.sort(ok, function(x, y) return x.row < y.row end)
  -- An item that overlaps the one above it cannot land too.
  for i = #ok, 2, -1 do
    local prev = ok[i - 1]
    if ok[i].row < prev.row + #prev.old or (#prev.old == 0 and ok[i].row == prev.row) then
      table.insert(stale, table.remove(ok, i))
    end
  end
  local empty = #M.buf_lines(buf) == 0
  H.undo_break(buf)
  -- Bottom-up, so that the rows of the items above stay valid.
  for i = #ok, 1, -1 do
    local it = ok[i]
    if empty then
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, it.new)
    else
      vim.api.nvim_buf_set_lines(buf, it.row, it.row + #it.old, false, it.new)
    end
  end
  H.undo_break(buf)
  local shift = 0
  for _, it in ipairs(ok) do
    it.at = it.row + shift
    shift = shift + #it.new - #it.old
  end
  return ok, stale
end

--- Landed change sets, newest last (at most `M.history_max`): `{ files = { { buf, rel,
--- seq_before, seq_after, before, after } } }` with the buffer's lines before and after.
M.history = {}

--- How many landed change sets `:SmallCode undo` can go back.
M.history_max = 50

--- Remembers one landing (`{ buf, rel, before, seq_before }` per file: the buffer's lines and
--- undo sequence number taken before `M.land`) for `:SmallCode undo`; call it right after.
---@param files table[]
M.record = function(files)
  local entry = { files = {} }
  for _, f in ipairs(files) do
    entry.files[#entry.files + 1] = {
      buf = f.buf,
      rel = f.rel,
      seq_before = f.seq_before,
      seq_after = H.seq(f.buf),
      before = f.before,
      after = M.buf_lines(f.buf),
    }
  end
  if #entry.files == 0 then return end
  M.history[#M.history + 1] = entry
  if #M.history > M.history_max then table.remove(M.history, 1) end
end

--- The buffer's current undo sequence number (take it before `M.land` for `M.record`).
---@param buf integer
---@return integer
M.seq = function(buf) return H.seq(buf) end

--- Reverts the last landed change set in every buffer it touched (`:SmallCode undo`); calling
--- it again reverts the one before. A buffer unchanged since the landing gets a native undo
--- (the undo tree stays as if `u` was pressed). In one changed since, the landing is reverted
--- three-way like a change (`M.rebase` of after → before onto the text now): what the user
--- typed stays, and landed lines the user edited meanwhile are left as they are and reported.
---@return string[] one line per file
M.undo = function()
  local entry = table.remove(M.history)
  if not entry then return { 'nothing to undo: no change set landed in this session' } end
  local out = {}
  for _, f in ipairs(entry.files) do
    out[#out + 1] = H.undo_file(f)
  end
  return out
end

-- Helper data ================================================================

H.diff = vim.text and vim.text.diff or vim.diff

-- Helper functionality =======================================================

H.norm = function(lines)
  if #lines == 1 and lines[1] == '' then return {} end
  return lines
end

H.join = function(lines) return #lines == 0 and '' or (table.concat(lines, '\n') .. '\n') end

H.slice = function(lines, from, to)
  local out = {}
  for k = from, to do
    out[#out + 1] = lines[k]
  end
  return out
end

--- Whether base ranges [s1, e1) and [s2, e2) conflict: they overlap, or one is empty (an
--- insertion) and they touch.
H.overlap = function(s1, e1, s2, e2)
  if e1 > s1 and e2 > s2 then return s2 < e1 and s1 < e2 end
  return s2 <= e1 and s1 <= e2
end

--- Whether the user already made exactly the agent's change.
H.same = function(a, u)
  if #a ~= #u then return false end
  for i = 1, #a do
    if a[i].s ~= u[i].s or not vim.deep_equal(a[i].old, u[i].old) or not vim.deep_equal(a[i].new, u[i].new) then
      return false
    end
  end
  return true
end

--- `base` lines [s, e) with the agent hunks `a` (inside that range) applied.
H.apply = function(base, s, e, a)
  local out, pos = {}, s
  for _, h in ipairs(a) do
    vim.list_extend(out, H.slice(base, pos, h.s - 1))
    vim.list_extend(out, h.new)
    pos = h.s + #h.old
  end
  vim.list_extend(out, H.slice(base, pos, e - 1))
  return out
end

H.still_there = function(buf, it)
  local count = vim.api.nvim_buf_line_count(buf)
  if it.row < 0 or it.row + #it.old > count then return false end
  if #it.old > 0 and not vim.deep_equal(vim.api.nvim_buf_get_lines(buf, it.row, it.row + #it.old, false), it.old) then
    return false
  end
  if it.anchor then
    local line = vim.api.nvim_buf_get_lines(buf, it.anchor.row, it.anchor.row + 1, false)[1]
    if line ~= it.anchor.text then return false end
  end
  return true
end

--- Closes the current undo block of `buf` (`:help undo-break`): setting 'undolevels' to its
--- own value, which keeps a global-local option unset.
H.undo_break = function(buf) vim.bo[buf].undolevels = vim.bo[buf].undolevels end

H.seq = function(buf)
  return vim.api.nvim_buf_call(buf, function() return vim.fn.undotree().seq_cur end)
end

H.undo_file = function(f)
  if not vim.api.nvim_buf_is_valid(f.buf) then return 'not undone ' .. f.rel .. ': the buffer is gone' end
  if H.seq(f.buf) == f.seq_after then
    vim.api.nvim_buf_call(f.buf, function() vim.cmd('silent undo ' .. f.seq_before) end)
    return 'undone ' .. f.rel .. ' (undo step)'
  end
  local back = M.rebase(f.after, f.before, M.buf_lines(f.buf))
  local items, kept = {}, 0
  for _, h in ipairs(back) do
    if h.conflict then
      kept = kept + 1
    else
      items[#items + 1] = { row = h.s - 1, old = h.old, new = h.new }
    end
  end
  local landed, stale = M.land(f.buf, items)
  kept = kept + #stale
  local msg = string.format('undone %s: %d of %d hunk(s)', f.rel, #landed, #back)
  if kept > 0 then msg = msg .. string.format('; %d left as they are (you edited those lines since)', kept) end
  return msg
end

return M
