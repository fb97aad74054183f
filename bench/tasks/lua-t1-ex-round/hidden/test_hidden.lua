package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local num = require("num")
for _, c in ipairs({ { 2.7, 3 }, { 2.5, 3 }, { 2.2, 2 }, { 0, 0 }, { -1.2, -1 }, { -1.7, -2 }, { 5, 5 }, { 9.49, 9 } }) do
  eq(num.round(c[1]), c[2], "round(" .. c[1] .. ")")
end
eq(num.clamp(15, 0, 10), 10, "clamp(15, 0, 10)")
print("ok")
