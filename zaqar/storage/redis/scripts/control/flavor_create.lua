if redis.call('ZADD', KEYS[1], 0, ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
end
redis.call('HSET', KEYS[2], 'capabilities', ARGV[2])
return 1
