local M = {}

-- s with every letter shifted n places along the alphabet.
function M.caesar(s, n)
  return (s:gsub("%a", function(c)
    local base = c:match("%l") and 97 or 65
    return string.char((c:byte() - base + n) % 26 + base)
  end))
end

-- Undo caesar(s, n).
function M.uncaesar(s, n)
  return M.caesar(s, -n)
end

return M
