-- Headless check of the main job (scripts/demo.sh --check): one question through :SmallCode,
-- prints the chat and exits non-zero on an error line or no reply.
vim.cmd('runtime plugin/smallcode.lua')
vim.cmd('edit calc.py')
vim.cmd('SmallCode ask Fix the bug in add(): it must return a + b.')
local chat = require('smallcode.chat')
vim.wait(300000, function() return not chat.busy(1) end, 50)
local text = table.concat(chat.lines(1) or {}, '\n')
io.stdout:write(text .. '\n\n[winbar] ' .. chat.winbar(1) .. '\n')
pcall(require('smallcode.rpc').stop)
os.exit((text:find('\nError:') or not text:find('## smallcode\n.+')) and 1 or 0)
