-- A tool of the user's own (setup({ tools = … })): the model calls it with arguments, the Lua
-- function runs with them, its result and its error go back to the model.
local t = dofile(os.getenv('SMALLCODE_REPO') .. '/tests/lua/e2e/util.lua')
local dir = os.getenv('PROJECT')
local seen = {}
require('smallcode').setup({
  endpoint = os.getenv('MOCK_URL'),
  edit_format = 'tools',
  tools = {
    shout = {
      description = 'Upper-case a text',
      parameters = { text = { type = 'string', required = true } },
      run = function(args, ctx)
        seen[#seen + 1] = { text = args.text, root = ctx.root }
        if args.text == 'boom' then error('no boom allowed') end
        return args.text:upper()
      end,
    },
    -- No parameters: its empty list must not break the request.
    today = {
      description = 'The date today',
      run = function() return 'the 4th' end,
    },
  },
})

vim.cmd('edit ' .. dir .. '/calc.py')
vim.cmd('SmallCode fix the add function returns the wrong sign')
t.wait_for('two tool calls', function() return #seen == 2 end, 30000)
t.wait_idle(30000)
t.eq(seen[1].text, 'hi', "the model's argument reached the tool")
t.eq(seen[2].text, 'boom', 'second call')
t.ok(seen[1].root ~= nil, 'the tool got the project root in ctx')
t.ok(t.chat_text():find('shout (your tool): ok', 1, true), 'the chat shows the call')
t.ok(t.chat_text():find('2 of yours', 1, true), 'the chat counts the user tools')
t.eq(vim.g.smallcode_planted, nil, "the project's own Lua files were not loaded")
t.done('user_tools')
