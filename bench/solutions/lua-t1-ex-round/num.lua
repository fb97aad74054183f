local M = {}

-- x rounded to the nearest integer (halves round up).
function M.round(x)
  return math.floor(x + 0.5)
end

-- x limited to the range [lo, hi].
function M.clamp(x, lo, hi)
  return math.max(lo, math.min(x, hi))
end

return M
