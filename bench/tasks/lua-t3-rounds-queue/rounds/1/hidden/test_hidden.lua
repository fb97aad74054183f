package.path = "./?.lua;" .. package.path
local function eq(got, want, what)
  if got ~= want then error((what or "") .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2) end
end
local Queue = require("queue")
local q = Queue.new()
eq(q:size(), 0, "size of new queue")
eq(q:pop(), nil, "pop on empty")
q:push("a"); q:push("b"); q:push("c")
eq(q:size(), 3, "size")
eq(q:pop(), "a", "pop 1"); eq(q:pop(), "b", "pop 2")
q:push("d")
eq(q:pop(), "c", "pop 3"); eq(q:pop(), "d", "pop 4")
eq(q:pop(), nil, "pop on drained queue"); eq(q:size(), 0, "size after drain")
local r = Queue.new()
for i = 1, 100000 do r:push(i) end
for i = 1, 100000 do assert(r:pop() == i) end
local other = Queue.new(); other:push(1)
eq(Queue.new():size(), 0, "queues are independent")
print("ok")
