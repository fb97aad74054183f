local list = require("list")
local got = list.sum({10, 20, 30})
assert(got == 60, "sum({10, 20, 30}) = " .. got .. ", expected 60")
print("ok")
