local M = {}

function M.split(s, sep)
  local out = {}
  local start = 1
  while true do
    local i, j = string.find(s, sep, start, true)
    if not i then
      out[#out + 1] = string.sub(s, start)
      return out
    end
    out[#out + 1] = string.sub(s, start, i - 1)
    start = j + 1
  end
end

function M.join(t, sep)
  return table.concat(t, sep)
end

return M
