-- ARGV: name, then field/value pairs; field 'noflavor' clears the flavor.
local name = ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
for i = 2, #ARGV, 2 do
  if ARGV[i] == 'uri' then
    local owner = redis.call('HGET', KEYS[2], ARGV[i + 1])
    if owner and owner ~= name then return 'uri_taken' end
  end
end
for i = 2, #ARGV, 2 do
  local field, value = ARGV[i], ARGV[i + 1]
  if field == 'uri' then
    local old = redis.call('HGET', KEYS[1], 'uri')
    if old then redis.call('HDEL', KEYS[2], old) end
    redis.call('HSET', KEYS[2], value, name)
    redis.call('HSET', KEYS[1], 'uri', value)
  elseif field == 'noflavor' then
    redis.call('HDEL', KEYS[1], 'flavor')
  else
    redis.call('HSET', KEYS[1], field, value)
  end
end
return 'ok'
