-- Remove and return up to ARGV[3] free, non-delayed messages, FIFO, as
-- flat {id, state, body, ...}.
local k = queue_keys(BASE)
if redis.call('EXISTS', BASE) == 0 then
  return {}
end
normalize(k)
local out = {}
local free = redis.call('ZRANGE', k.free, 0, tonumber(ARGV[3]) - 1,
                        'WITHSCORES')
for i = 1, #free, 2 do
  local id = free[i]
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', k.states, id)
  out[#out + 1] = redis.call('HGET', k.bodies, id)
  remove_message(k, id, free[i + 1])
end
keep_places(k)
return out
