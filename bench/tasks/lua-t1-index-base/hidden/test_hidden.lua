package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local list = require("list")
eq(list.sum({10, 20, 30}), 60, "sum({10, 20, 30})")
eq(list.sum({}), 0, "sum({})")
eq(list.sum({5}), 5, "sum({5})")
eq(list.sum({-1, 1, 7}), 7, "sum({-1, 1, 7})")
print("ok")
