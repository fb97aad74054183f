local M = {}

-- Sum of the numbers in the array t.
function M.sum(t)
  local total = 0
  for i = 1, #t do
    total = total + (t[i] or 0)
  end
  return total
end

return M
