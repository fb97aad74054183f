local Queue = {}
Queue.__index = Queue

function Queue.new()
  -- TODO
end

return Queue
