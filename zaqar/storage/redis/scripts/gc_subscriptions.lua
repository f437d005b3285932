-- Garbage-collect the subscriptions of one queue: entries of expired
-- subscriptions leave the indexes; an empty base leaves the registry.
local subscribers = BASE .. ':subscribers'
for _, sid in ipairs(redis.call('ZRANGE', BASE .. ':ids', 0, -1)) do
  if not sub_record(sid) then
    drop_subscription(sid)
  end
end
local pairs_ = redis.call('HGETALL', subscribers)
for i = 1, #pairs_, 2 do
  if not sub_record(pairs_[i + 1]) then
    redis.call('HDEL', subscribers, pairs_[i])
  end
end
if redis.call('EXISTS', BASE .. ':ids') == 0 then
  redis.call('DEL', subscribers)
  redis.call('SREM', REGISTRY, BASE)
  return 0
end
return 1
