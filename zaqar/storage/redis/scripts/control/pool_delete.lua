if redis.call('EXISTS', KEYS[2]) == 0 then return {'ok'} end
local flavor = redis.call('HGET', KEYS[2], 'flavor')
if flavor and flavor ~= '' and
   tonumber(redis.call('HGET', KEYS[4], flavor) or '0') > 0 then
  return {'flavor', flavor}
end
if tonumber(redis.call('HGET', KEYS[5], ARGV[1]) or '0') > 0 then
  return {'queues'}
end
local uri = redis.call('HGET', KEYS[2], 'uri')
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
if uri and redis.call('HGET', KEYS[3], uri) == ARGV[1] then
  redis.call('HDEL', KEYS[3], uri)
end
return {'ok'}
