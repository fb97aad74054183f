package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local cipher = require("cipher")
local cases = {
  { "abc", 1, "bcd" }, { "xyz", 3, "abc" }, { "Hello, World!", 13, "Uryyb, Jbeyq!" }, { "bcd", -1, "abc" },
  { "abc", 27, "bcd" }, { "", 5, "" }, { "Zz", 1, "Aa" }, { "abc", -27, "zab" }, { "a1 b2", 0, "a1 b2" },
}
for _, c in ipairs(cases) do
  eq(cipher.caesar(c[1], c[2]), c[3], string.format("caesar(%q, %d)", c[1], c[2]))
end
eq(cipher.uncaesar("Uryyb", 13), "Hello", 'uncaesar("Uryyb", 13)')
print("ok")
