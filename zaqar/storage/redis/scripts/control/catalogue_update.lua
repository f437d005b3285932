local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('HINCRBY', KEYS[2], old, -1) <= 0 then
  redis.call('HDEL', KEYS[2], old)
end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1
