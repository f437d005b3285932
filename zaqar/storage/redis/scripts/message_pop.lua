-- Remove and return up to ARGV[3] free, non-delayed messages, FIFO, as
-- flat {id, state, body, ...}.
local k = queue_keys(BASE)
if redis.call('EXISTS', BASE) == 0 then
  return {}
end
normalize(k)
local out = {}
for _, id in ipairs(redis.call('ZRANGE', k.free, 0, tonumber(ARGV[3]) - 1)) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', k.states, id)
  out[#out + 1] = redis.call('HGET', k.bodies, id)
  remove_message(k, id)
end
return out
