local M = {}

-- s with every letter shifted n places along the alphabet.
function M.caesar(s, n)
  -- TODO
end

-- Undo caesar(s, n).
function M.uncaesar(s, n)
  return M.caesar(s, -n)
end

return M
