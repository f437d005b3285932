local owner = redis.call('HGET', KEYS[3], ARGV[2])
if owner and owner ~= ARGV[1] then return 'uri_taken' end
local old = redis.call('HGET', KEYS[2], 'uri')
if old and old ~= ARGV[2] then redis.call('HDEL', KEYS[3], old) end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'uri', ARGV[2], 'weight', ARGV[3],
           'options', ARGV[6])
if ARGV[4] == '1' then redis.call('HSET', KEYS[2], 'flavor', ARGV[5]) end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[1], 0, ARGV[1])
return 'ok'
