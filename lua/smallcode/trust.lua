--- Project trust, the Neovim way (`:h trust`, `vim.secure`): a project's own code — its tests,
--- build scripts, the request's examples, the model's commands — runs only after the user
--- trusted the project. The decision is kept by the `smallcode trust` command in the user's data
--- directory (never in the project) with a hash of the test/build configuration; when that
--- changes, the user is asked again. See SECURITY.md.
local M = {}

local H = {}

--- Roots the user chose "restricted" for in this session (not asked again until restart).
H.restricted = {}

--- Runs `smallcode trust ACTION --dir ROOT --json` and calls `cb(state, changed)`: state is
--- `trusted`, `untrusted`, `changed` or `error` (changed = the files, or the error text). The
--- command reads a few config files and a small JSON store, so it is waited for (at most 3 s):
--- the request that needs the answer goes out in the same tick as the user's command.
---@param action 'status'|'grant'|'revoke'
---@param root string
---@param cb fun(state: string, changed: string[]|string)
H.run = function(action, root, cb)
  local ok, bin = pcall(require('smallcode.rpc').find_bin, require('smallcode').get_config())
  if not ok then return cb('error', tostring(bin)) end
  local res = vim.system({ bin, 'trust', action, '--dir', root, '--json' }, { text = true }):wait(3000)
  local good, info = pcall(vim.json.decode, res.stdout or '')
  if not good or type(info) ~= 'table' then return cb('error', vim.trim((res.stderr or '') .. (res.stdout or ''))) end
  cb(info.state, info.changed or {})
end

--- Calls `cb(trusted)` once the trust of `root` is known, asking the user when the project is
--- not trusted (trust / restricted / cancel). `cb` is not called on cancel.
---@param root string
---@param cb fun(trusted: boolean)
M.ensure = function(root, cb)
  H.run('status', root, function(state, changed)
    if state == 'trusted' then return cb(true) end
    if state == 'error' then
      vim.notify('(smallcode) trust check failed, running restricted: ' .. tostring(changed), vim.log.levels.WARN)
      return cb(false)
    end
    if H.restricted[root] then return cb(false) end
    local why = state == 'changed' and ('changed since you trusted it: ' .. table.concat(changed, ', '))
      or 'not trusted yet'
    local choices = {
      'Trust: its tests, build scripts and commands may run',
      'Restricted: run nothing of it (syntax checks only)',
      'Cancel',
    }
    vim.ui.select(choices, {
      prompt = string.format('smallcode: %s is %s. ', vim.fn.fnamemodify(root, ':~'), why),
    }, function(_, idx)
      if idx == 1 then
        H.run('grant', root, function(s)
          if s ~= 'trusted' then vim.notify('(smallcode) could not record the trust', vim.log.levels.WARN) end
          cb(s == 'trusted')
        end)
      elseif idx == 2 then
        H.restricted[root] = true
        cb(false)
      end
    end)
  end)
end

--- `:SmallCode trust`: trusts the current project as it is now.
---@param root string
M.grant = function(root)
  H.restricted[root] = nil
  H.run('grant', root, function(state, err)
    if state == 'trusted' then
      vim.notify('(smallcode) trusted ' .. vim.fn.fnamemodify(root, ':~'))
    else
      vim.notify('(smallcode) trust failed: ' .. tostring(err), vim.log.levels.ERROR)
    end
  end)
end

--- `:SmallCode untrust`: forgets the current project's trust (restricted from now on).
---@param root string
M.revoke = function(root)
  H.run('revoke', root, function(state, err)
    if state == 'error' then
      vim.notify('(smallcode) untrust failed: ' .. tostring(err), vim.log.levels.ERROR)
    else
      vim.notify('(smallcode) ' .. vim.fn.fnamemodify(root, ':~') .. ' is not trusted (restricted mode)')
    end
  end)
end

return M
