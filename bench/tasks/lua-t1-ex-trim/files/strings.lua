local M = {}

-- s without leading and trailing whitespace.
function M.trim(s)
  return (s:match("^%s*(.-)%s*"))
end

-- true if s starts with prefix.
function M.starts_with(s, prefix)
  return s:sub(1, #prefix) == prefix
end

return M
