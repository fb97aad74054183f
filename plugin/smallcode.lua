-- smallcode: load guard, version check, the `:SmallCode` command, the <Plug> mappings and the
-- highlight groups. Nothing heavy is required here; lua/smallcode/command.lua and the modules the
-- mappings call are read on first use. No key is mapped: users map the <Plug> names they want.
if vim.g.loaded_smallcode then return end
vim.g.loaded_smallcode = 1

if vim.fn.has('nvim-0.10') == 0 then
  vim.api.nvim_echo({ { '(smallcode) requires Neovim 0.10 or newer (see :version)', 'ErrorMsg' } }, true, {})
  return
end

vim.api.nvim_create_user_command('SmallCode', function(opts)
  local ok, err = pcall(require('smallcode.command').run, opts.args, opts)
  if not ok then vim.notify(tostring(err), vim.log.levels.ERROR) end
end, {
  nargs = '*',
  range = true,
  desc = 'smallcode: open the chat, or run a subcommand (:help :SmallCode)',
  complete = function(arglead, cmdline, cursorpos)
    return require('smallcode.command').complete(arglead, cmdline, cursorpos)
  end,
})

-- <Plug> mappings (:h smallcode-mappings). Each requires its module when it runs.
local function plug(modes, name, fn, desc)
  vim.keymap.set(modes, '<Plug>(' .. name .. ')', function()
    local ok, err = pcall(fn)
    if not ok then vim.notify(tostring(err), vim.log.levels.WARN) end
  end, { silent = true, desc = 'smallcode: ' .. desc })
end
plug('n', 'SmallCodeOpen', function() require('smallcode.chat').open() end, 'open the chat')
plug(
  'n',
  'SmallCodeFix',
  function() require('smallcode.agent').fix_definition() end,
  'fix the definition under the cursor'
)
plug('x', 'SmallCodeFix', function() require('smallcode.agent').fix_visual() end, 'fix the selected lines')
plug('n', 'SmallCodeAccept', function() require('smallcode.review').accept() end, 'accept the hunk under the cursor')
plug('n', 'SmallCodeReject', function() require('smallcode.review').reject() end, 'reject the hunk under the cursor')
plug('n', 'SmallCodeAcceptAll', function() require('smallcode.review').accept({ all = true }) end, 'accept every hunk')
plug('n', 'SmallCodeRejectAll', function() require('smallcode.review').reject({ all = true }) end, 'reject every hunk')
plug('n', 'SmallCodeNext', function() require('smallcode.review').next() end, 'next hunk')
plug('n', 'SmallCodePrev', function() require('smallcode.review').prev() end, 'previous hunk')

-- Highlight groups, linked with `default = true` so a colorscheme or the user can override them;
-- set again after `:colorscheme`, which clears links it does not define.
local function highlights()
  local links = {
    SmallCodeAdd = 'DiffAdd', -- lines a hunk adds (virtual lines)
    SmallCodeDelete = 'DiffDelete', -- lines a hunk replaces or removes
    SmallCodeConflict = 'DiffText', -- lines you changed that a hunk also changes
    SmallCodeHunkInfo = 'Comment', -- the hunk's label at the end of its first line
    SmallCodeSignAdd = 'Added',
    SmallCodeSignChange = 'Changed',
    SmallCodeSignDelete = 'Removed',
    SmallCodeSignConflict = 'DiagnosticWarn',
    SmallCodeQueued = 'Comment', -- messages waiting in the chat's queue
  }
  for group, target in pairs(links) do
    vim.api.nvim_set_hl(0, group, { link = target, default = true })
  end
end
highlights()
vim.api.nvim_create_autocmd('ColorScheme', {
  group = vim.api.nvim_create_augroup('smallcode_highlights', { clear = true }),
  callback = highlights,
  desc = 'smallcode: link the highlight groups again',
})
