-- Delete a queue with its messages and claims, leaving no key behind.
-- ARGV[3] queue name.
local k = queue_keys(BASE)
redis.call('UNLINK', BASE)
for _, name in ipairs(MESSAGE_KEYS) do
  redis.call('UNLINK', k[name])
end
redis.call('ZREM', PREFIX .. ':queues', ARGV[3])
redis.call('SREM', REGISTRY, BASE)
return 1
