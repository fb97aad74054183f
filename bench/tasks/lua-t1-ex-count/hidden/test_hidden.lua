package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local list = require("list")
eq(list.count({ 1, 2, 2, 3 }, 2), 2, "count({1, 2, 2, 3}, 2)")
eq(list.count({}, 1), 0, "count({}, 1)")
eq(list.count({ 5, 5, 5 }, 5), 3, "count({5, 5, 5}, 5)")
eq(list.count({ 1, 2, 3 }, 4), 0, "count({1, 2, 3}, 4)")
eq(list.count({ "a", "b", "a" }, "a"), 2, 'count({"a", "b", "a"}, "a")')
eq(list.count({ 7, 1, 7, 1, 7, 7 }, 7), 4, "count({7, 1, 7, 1, 7, 7}, 7)")
print("ok")
