-- Garbage-collect one queue: expired messages and claims leave its
-- indexes; a queue that no longer exists leaves the registry.
if redis.call('EXISTS', BASE) == 0 then
  redis.call('SREM', REGISTRY, BASE)
  return 0
end
normalize(queue_keys(BASE))
return 1
