local M = {}

function M.split(s, sep)
  error("not implemented")
end

function M.join(t, sep)
  error("not implemented")
end

return M
