package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local label = require("label")
eq(label.label("apples", 3), "apples (3)", "label('apples', 3)")
eq(label.label("x", 0), "x (0)", "label('x', 0)")
eq(label.label("", 12), " (12)", "label('', 12)")
print("ok")
