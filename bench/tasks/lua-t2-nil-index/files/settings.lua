local M = {}

-- get(cfg, "a.b.c") returns cfg.a.b.c
function M.get(cfg, path)
  local node = cfg
  for key in string.gmatch(path, "[^.]+") do
    node = node[key]
  end
  return node
end

return M
