package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local strings = require("strings")
for _, c in ipairs({ { "  hi  ", "hi" }, { "hi", "hi" }, { "", "" }, { " a b ", "a b" }, { "\tx\n", "x" }, { "   ", "" }, { "lead", "lead" } }) do
  eq(strings.trim(c[1]), c[2], string.format("trim(%q)", c[1]))
end
eq(strings.starts_with("hello", "he"), true, "starts_with")
print("ok")
