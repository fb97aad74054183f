-- A cloned project in Neovim: it ships its own "always allowed" list and a test script that
-- leaves a marker. Nothing of it runs before trust (the prompt's "restricted" answer is chosen),
-- the change is labelled checked and goes to review; after `:SmallCode trust` the tests run and
-- the change is verified.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
local marker = os.getenv('MARKER')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL') })

local asked = {}
vim.ui.select = function(items, opts, on_choice)
  asked[#asked + 1] = opts.prompt
  on_choice(items[2], 2) -- "Restricted"
end

vim.cmd('edit ' .. dir .. '/calc.py')
require('smallcode.chat').open(1)
vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_chat('checked:')
t.eq(#asked, 1, 'the user was asked once')
t.ok(asked[1]:find('not trusted yet', 1, true), 'the prompt says why: ' .. tostring(asked[1]))
t.ok(vim.uv.fs_stat(marker) == nil, "the project's test did not run before trust")
t.ok(t.chat_text():find('not run — the project is not trusted', 1, true), 'the chat says what was skipped')
t.ok(not t.chat_text():find('verified:', 1, true), 'nothing verified')
t.wait_for('hunks to review', function() return #require('smallcode.review').pending() > 0 end)
require('smallcode.review').reject({ all = true })

-- Trusted now: the same request runs the tests and the change is verified.
vim.cmd('SmallCode trust')
t.wait_for('trust recorded', function()
  local res = vim.system({ os.getenv('SMALLCODE_BIN'), 'trust', 'status', '--dir', dir }):wait()
  return res.code == 0
end)
vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_chat('verified:')
t.ok(vim.uv.fs_stat(marker) ~= nil, 'trusted: the tests ran')
t.eq(#asked, 1, 'not asked again once trusted')
t.done('trust')
