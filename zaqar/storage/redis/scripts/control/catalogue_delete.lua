local pool = redis.call('HGET', KEYS[1], ARGV[1])
if not pool then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('HINCRBY', KEYS[2], pool, -1) <= 0 then
  redis.call('HDEL', KEYS[2], pool)
end
return 1
