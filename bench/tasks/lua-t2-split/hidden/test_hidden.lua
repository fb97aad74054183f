package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local S = require("strings")
local function same(got, want, what)
  eq(#got, #want, what .. " length")
  for i = 1, #want do eq(got[i], want[i], what .. "[" .. i .. "]") end
end
same(S.split("a,b,,c", ","), {"a", "b", "", "c"}, "split('a,b,,c', ',')")
same(S.split("a.b", "."), {"a", "b"}, "split('a.b', '.')")
same(S.split("", ","), {""}, "split('', ',')")
same(S.split("a--b", "--"), {"a", "b"}, "split('a--b', '--')")
same(S.split(",x,", ","), {"", "x", ""}, "split(',x,', ',')")
same(S.split("abc", ";"), {"abc"}, "split('abc', ';')")
same(S.split("1%2%3", "%"), {"1", "2", "3"}, "split('1%2%3', '%')")
eq(S.join({"a", "b", "", "c"}, ","), "a,b,,c", "join")
eq(S.join(S.split("x--y--z", "--"), "--"), "x--y--z", "join(split(...))")
print("ok")
