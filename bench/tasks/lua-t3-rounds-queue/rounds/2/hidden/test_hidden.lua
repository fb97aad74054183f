package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local Queue = require("queue")
local q = Queue.new()
eq(q:peek(), nil, "peek on empty")
q:push(1); q:push(2); q:push(3); q:pop(); q:push(4)
eq(q:peek(), 2, "peek")
eq(q:size(), 3, "peek does not remove")
local seen = {}
for v in q:iter() do seen[#seen + 1] = v end
eq(table.concat(seen, ","), "2,3,4", "iter order")
eq(q:size(), 3, "iter does not remove")
local n = 0
for _ in Queue.new():iter() do n = n + 1 end
eq(n, 0, "iter over empty queue")
print("ok")
