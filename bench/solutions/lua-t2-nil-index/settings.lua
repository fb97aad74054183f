local M = {}

-- get(cfg, "a.b.c") returns cfg.a.b.c, or nil if any part is missing
function M.get(cfg, path)
  local node = cfg
  for key in string.gmatch(path, "[^.]+") do
    if type(node) ~= "table" then
      return nil
    end
    node = node[key]
  end
  return node
end

return M
