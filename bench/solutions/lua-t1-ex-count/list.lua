local M = {}

-- How many elements of the array t are equal to x.
function M.count(t, x)
  local n = 0
  for _, v in ipairs(t) do
    if v == x then
      n = n + 1
    end
  end
  return n
end

return M
