-- The user's own chat commands (setup({ commands = … })): listed by the palette and completion
-- next to the built-in ones; a prompt template and a run function that returns text send a
-- message to the model, a run function that returns nil sends nothing.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
local seen = {}
require('smallcode').setup({
  endpoint = os.getenv('MOCK_URL'),
  commands = {
    explain = { description = 'Explain simply', prompt = 'Explain {args} in one sentence.' },
    ask = {
      description = 'Ask about the current file',
      run = function(args, ctx)
        seen.ask = { args = args, file = ctx.file, root = ctx.root, chat = ctx.chat }
        return 'About ' .. vim.fn.fnamemodify(ctx.file, ':t') .. ': ' .. args
      end,
    },
    mark = {
      description = 'Note something without asking the model',
      run = function(args) seen.mark = args end,
    },
  },
})
vim.cmd('edit ' .. dir .. '/calc.py')
local chat = require('smallcode.chat')

-- The palette offers them after the built-in commands.
local offered
vim.ui.select = function(items, opts, on_choice)
  offered = vim.tbl_map(function(i) return opts.format_item(i) end, items)
  on_choice(nil)
end
chat.palette(1)
local text = table.concat(offered or {}, '\n')
t.ok(text:find('/fix', 1, true), 'built-in commands offered: ' .. text)
t.ok(text:find('/explain Explain simply [yours]', 1, true), 'prompt command offered: ' .. text)
t.ok(text:find('/mark', 1, true) and text:find('/ask', 1, true), 'run commands offered')

-- Completion too.
local words = vim.tbl_map(function(i) return i.word end, require('smallcode.complete').items('/ex'))
t.eq(words, { '/explain' }, 'completion of /ex')

-- A command that returns nothing sends nothing.
chat.send('/mark the add function', 1)
t.eq(seen.mark, 'the add function', 'run got the arguments')
t.ok(not chat.busy(1), 'no turn started')

-- A prompt template: the filled-in text goes to the model.
chat.send('/explain recursion', 1)
t.wait_chat('Explain recursion in one sentence.')
t.wait_chat('explained.')
t.wait_idle()

-- A run function's string is the message; ctx names the file and the project.
chat.send('/ask why the sign?', 1)
t.wait_chat('asked.')
t.wait_idle()
t.eq(seen.ask.args, 'why the sign?', 'args')
t.ok(seen.ask.file and seen.ask.file:find('calc.py', 1, true), 'ctx.file: ' .. tostring(seen.ask.file))
t.eq(seen.ask.chat, 1, 'ctx.chat')
t.ok(seen.ask.root ~= nil, 'ctx.root')
t.done('user_commands')
