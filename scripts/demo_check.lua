-- Headless check of the main job (scripts/demo.sh --check): the agent fixes the demo's bug through
-- :SmallCode fix (accepting the reviewed change); prints the chat and the fixed buffer; exits
-- non-zero unless the fix landed.
vim.cmd('runtime plugin/smallcode.lua')
vim.cmd('edit calc.py')
local buf = vim.api.nvim_get_current_buf()
vim.cmd('SmallCode fix the bug in add()')
local chat = require('smallcode.chat')
vim.wait(300000, function() return not chat.busy(1) end, 50)
-- The change waits for review unless it is verified (and auto_accept is set): accept it, as a
-- user pressing <LocalLeader>A would.
local review = require('smallcode.review')
if review.count() > 0 then review.accept({ all = true }) end
local text = table.concat(chat.lines(1) or {}, '\n')
local code = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
io.stdout:write(text .. '\n\n[winbar] ' .. chat.winbar(1) .. '\n\n[calc.py buffer]\n' .. code .. '\n')
pcall(require('smallcode.rpc').stop)
os.exit(code:find('return a + b', 1, true) and 0 or 1)
