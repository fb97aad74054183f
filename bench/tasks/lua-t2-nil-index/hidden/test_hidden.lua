package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local S = require("settings")
local cfg = { a = { b = { c = 1 } }, n = 5, f = false }
eq(S.get(cfg, "a.b.c"), 1, "get a.b.c")
eq(S.get(cfg, "n"), 5, "get n")
eq(S.get(cfg, "f"), false, "get f")
eq(S.get(cfg, "x.y.z"), nil, "get x.y.z")
eq(S.get(cfg, "a.x.c"), nil, "get a.x.c")
eq(S.get(cfg, "n.m"), nil, "get n.m")
eq(type(S.get(cfg, "a.b")), "table", "get a.b")
local h = io.popen(arg[-1] .. " app.lua 2>&1")
local out = h:read("a"); h:close()
eq(out, "dark\t4\t12\tnone\n", "lua5.4 app.lua output")
print("ok")
