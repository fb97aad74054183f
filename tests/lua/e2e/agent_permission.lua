-- :SmallCode fix with edit_format = 'tools': the model asks to run commands; the user answers
-- through vim.ui.select (stubbed here): "always" for `echo one` (remembered: not asked again),
-- "no" for `echo two` — and while that second question is open, the user edits the buffer the
-- model has read, so its next edit is refused as stale. Then a compound edit lands in the buffer.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), edit_format = 'tools' })

vim.cmd('edit ' .. dir .. '/calc.py')
local buf = vim.api.nvim_get_current_buf()

local asked = {}
vim.ui.select = function(items, opts, on_choice)
  asked[#asked + 1] = opts.prompt
  t.eq(vim.tbl_map(opts.format_item, items), { 'Run once', 'Always allow in this project', 'No' }, 'choices')
  if #asked == 2 then vim.api.nvim_buf_set_lines(buf, 0, 0, false, { '# user note' }) end
  -- Answer later, as a real picker would: the RPC loop must not wait on the prompt.
  local pick = #asked == 1 and items[2] or items[3]
  vim.defer_fn(function() on_choice(pick, 1) end, 50)
end

vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_idle()
local text = t.chat_text()
t.eq(#asked, 2, 'asked twice (the "always" command is not asked again)')
t.ok(asked[1]:find('echo one', 1, true), 'first prompt names the command: ' .. asked[1])
t.ok(asked[2]:find('echo two', 1, true), 'second prompt names the command: ' .. asked[2])
t.ok(text:find('run `echo one` (user): exit 0', 1, true), 'allowed by the user')
t.ok(text:find('run `echo one` (always): exit 0', 1, true), 'remembered for the project')
t.ok(text:find('run `echo two`: denied', 1, true), 'declined')
t.ok(text:find('edit calc.py: refused (the file changed since you read it)', 1, true), 'stale edit refused')
t.ok(not ('\n' .. text):find('\nError:'), 'no error line')
-- Kept in the user's data directory, per project; nothing is written into the project.
local found = vim.fn.glob(os.getenv('XDG_DATA_HOME') .. '/smallcode/projects/*/allowed-commands', false, true)
t.eq(#found, 1, 'one "always" list, in the user data dir')
t.eq(vim.fn.readfile(found[1]), { 'echo one' }, 'the "always" answer is stored per project')
t.ok(vim.uv.fs_stat(dir .. '/.smallcode') == nil, 'nothing written into the project')
-- The change waits for review unless it is verified: accept what is pending.
vim.api.nvim_set_current_win(vim.fn.bufwinid(buf))
vim.cmd('SmallCode accept all')
local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
t.eq(after[1], '# user note', "the user's change is kept")
t.ok(table.concat(after, '\n'):find('return a + b', 1, true), 'the verified edit landed in the buffer')
t.done('agent_permission')
