-- Store a subscription unless a live one has the same subscriber.
-- ARGV[3] id, ARGV[4] source queue, ARGV[5] subscriber, ARGV[6] ttl (s),
-- ARGV[7] options JSON. Returns {0, id} when stored (also on a retry of
-- the same id), {1, other id} when the subscriber is taken.
local sid, subscriber, ttl = ARGV[3], ARGV[5], tonumber(ARGV[6])
local subscribers = BASE .. ':subscribers'
local current = redis.call('HGET', subscribers, subscriber)
if current then
  if current == sid then
    return {0, sid}
  end
  if sub_record(current) then
    return {1, current}
  end
  drop_subscription(current)
end
local key = sub_key(sid)
local life = ttl * 1000 + MARGIN
redis.call('HSET', key, 'source', ARGV[4], 'subscriber', subscriber,
           'ttl', int(ttl), 'options', ARGV[7], 'confirmed', '0',
           'created', int(NOW), 'expires', int(NOW + ttl * 1000))
redis.call('PEXPIRE', key, int(life))
redis.call('ZADD', BASE .. ':ids', 0, sid)
redis.call('HSET', subscribers, subscriber, sid)
redis.call('SADD', REGISTRY, BASE)
extend(BASE .. ':ids', life + 1000)
extend(subscribers, life + 1000)
return {0, sid}
