-- smallcode: load guard, version check and the `:SmallCode` command. Nothing heavy is required
-- here; lua/smallcode/command.lua is read on first use of the command or its completion.
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
