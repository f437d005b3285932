-- ARGV[2]: the pool key prefix; a pool's key is prefix .. len .. ':' .. name
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
if redis.call('HINCRBY', KEYS[3], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[3], ARGV[1])
  for _, pool in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
    local key = ARGV[2] .. string.len(pool) .. ':' .. pool
    if redis.call('HGET', key, 'flavor') == ARGV[1] then
      redis.call('HDEL', key, 'flavor')
    end
  end
end
return 1
