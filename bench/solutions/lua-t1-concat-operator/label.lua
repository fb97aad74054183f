local M = {}

-- "name (count)", e.g. label("apples", 3) == "apples (3)"
function M.label(name, count)
  return name .. " (" .. count .. ")"
end

return M
