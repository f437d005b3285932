-- Delete every message and claim of a queue; the queue stays.
local k = queue_keys(BASE)
for _, name in ipairs(MESSAGE_KEYS) do
  redis.call('UNLINK', k[name])
end
redis.call('HDEL', BASE, 'hz')
return 1
