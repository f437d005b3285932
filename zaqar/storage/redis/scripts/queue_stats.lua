-- Exact live counts: {total, claimed[, oldest triple, newest triple]},
-- or nil when the queue does not exist.
local k = queue_keys(BASE)
if redis.call('EXISTS', BASE) == 0 then
  return false
end
normalize(k)
local total = redis.call('ZCARD', k.all)
local res = {total, total - redis.call('ZCARD', k.unclaimed)}
if total > 0 then
  for _, at in ipairs({0, -1}) do
    local id = redis.call('ZRANGE', k.all, at, at)[1]
    res[#res + 1] = {id, redis.call('HGET', k.states, id),
                     redis.call('HGET', k.bodies, id)}
  end
end
return res
