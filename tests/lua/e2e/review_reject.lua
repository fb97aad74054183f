-- Reject on a CRLF file the agent changed while it was not loaded: the review loads it into a
-- buffer ('fileformat' dos), shows the hunk, and rejecting leaves the buffer unmodified, so that
-- writing it gives back the same bytes.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
require('smallcode').setup({ endpoint = os.getenv('MOCK_URL'), edit_format = 'tools' })

vim.cmd('edit ' .. dir .. '/calc.py')
vim.cmd('SmallCode fix the add function in dos.py returns the wrong sign')
t.wait_idle()
t.ok(not ('\n' .. t.chat_text()):find('\nError:'), 'no error line')
local buf = vim.fn.bufnr(dir .. '/dos.py')
t.ok(buf > 0 and vim.api.nvim_buf_is_loaded(buf), 'the file got a buffer for the review')
t.eq(vim.bo[buf].fileformat, 'dos', 'CRLF kept as the file format')
local pending = require('smallcode').review.pending()
t.eq(#pending, 1, 'one hunk')
t.eq({ pending[1].bufnr, pending[1].start_line, pending[1].status }, { buf, 2, 'pending' }, 'on line 2')
t.ok(not vim.bo[buf].modified, 'not modified while in review')

vim.cmd('SmallCode reject all')
t.eq(#require('smallcode').review.pending(), 0, 'nothing pending')
t.ok(not vim.bo[buf].modified, 'still not modified')
t.eq(vim.api.nvim_buf_get_lines(buf, 1, 2, false), { '    return a - b' }, 'the line is as it was')
t.wait_chat('rejected dos.py: hunk 1 of 1 (buffer unchanged)')
vim.api.nvim_buf_call(buf, function() vim.cmd('silent write') end)
t.done('review_reject')
