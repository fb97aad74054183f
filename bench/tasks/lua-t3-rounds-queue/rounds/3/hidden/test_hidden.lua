package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local Queue = require("queue")
local q = Queue.new(3)
for i = 1, 5 do q:push(i) end
eq(q:size(), 3, "bounded size")
eq(q:peek(), 3, "oldest kept item")
local seen = {}
for v in q:iter() do seen[#seen + 1] = v end
eq(table.concat(seen, ","), "3,4,5", "bounded contents")
eq(q:pop(), 3, "pop")
q:push(6)
eq(q:size(), 3, "size after refill")
local u = Queue.new()
for i = 1, 50 do u:push(i) end
eq(u:size(), 50, "unbounded size")
local one = Queue.new(1)
one:push("x"); one:push("y")
eq(one:pop(), "y", "capacity 1 keeps newest"); eq(one:pop(), nil, "then empty")
print("ok")
