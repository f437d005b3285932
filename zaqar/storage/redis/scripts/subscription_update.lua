-- Change a live subscription, all or nothing. ARGV[3] id; then pairs
-- (flag '1' = change, value) for subscriber (4, 5), ttl (6, 7) and
-- options JSON (8, 9). A new ttl restarts the lifetime now. Returns 0
-- done, 1 no such subscription, 2 subscriber taken by another one.
local sid = ARGV[3]
local key = sub_key(sid)
local subscribers = BASE .. ':subscribers'
if not sub_record(sid) then
  return 1
end
if ARGV[4] == '1' then
  local old, new = redis.call('HGET', key, 'subscriber'), ARGV[5]
  if new ~= old then
    local other = redis.call('HGET', subscribers, new)
    if other and other ~= sid then
      if sub_record(other) then
        return 2
      end
      drop_subscription(other)
    end
    if redis.call('HGET', subscribers, old) == sid then
      redis.call('HDEL', subscribers, old)
    end
    redis.call('HSET', subscribers, new, sid)
    redis.call('HSET', key, 'subscriber', new)
  end
end
if ARGV[8] == '1' then
  redis.call('HSET', key, 'options', ARGV[9])
end
if ARGV[6] == '1' then
  local ttl = tonumber(ARGV[7])
  local life = ttl * 1000 + MARGIN
  redis.call('HSET', key, 'ttl', int(ttl), 'created', int(NOW),
             'expires', int(NOW + ttl * 1000))
  redis.call('PEXPIRE', key, int(life))
  extend(BASE .. ':ids', life + 1000)
  extend(subscribers, life + 1000)
end
return 0
