-- ARGV: the ZRANGEBYLEX start ('-' or '(' .. marker), the limit (-1: all).
-- Returns the names and their pools. The scripts keep the index as large
-- as the hash; a catalogue written before the index existed (perhaps with
-- queues inserted since) is smaller, and gets its whole index here, once.
if redis.call('ZCARD', KEYS[2]) < redis.call('HLEN', KEYS[1]) then
  for _, queue in ipairs(redis.call('HKEYS', KEYS[1])) do
    redis.call('ZADD', KEYS[2], 0, queue)
  end
end
local limit = tonumber(ARGV[2])
local names
if limit < 0 then
  names = redis.call('ZRANGEBYLEX', KEYS[2], ARGV[1], '+')
else
  names = redis.call('ZRANGEBYLEX', KEYS[2], ARGV[1], '+', 'LIMIT', 0, limit)
end
local pools = {}
for first = 1, #names, 1000 do
  local last = math.min(first + 999, #names)
  local some = redis.call('HMGET', KEYS[1], unpack(names, first, last))
  for i = 1, #some do pools[#pools + 1] = some[i] end
end
return {names, pools}
