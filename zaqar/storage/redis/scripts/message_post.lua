-- Append messages, creating the queue if missing, all or nothing.
-- ARGV[3] queue name, ARGV[4] client id ('' for none), then per message:
-- id, body JSON, ttl (s), delay (s). Returns how many were stored; a
-- retry of a post that already ran (its first id exists) stores nothing.
local k = queue_keys(BASE)
local FIRST = 5
local n = (#ARGV - FIRST + 1) / 4
if n > 0 and redis.call('HEXISTS', k.states, ARGV[FIRST]) == 1 then
  return 0
end
ensure_queue(BASE, ARGV[3])
if n == 0 then
  return 0
end
drop_if_dead(k)
local client = ARGV[4]
local seq = redis.call('HINCRBY', BASE, 'seq', n) - n
local states, bodies, all, free, delayed, expires = {}, {}, {}, {}, {}, {}
local latest = 0
local function push(list, a, b)
  list[#list + 1] = a
  list[#list + 1] = b
end
for i = 0, n - 1 do
  local at = FIRST + 4 * i
  local id = ARGV[at]
  local ttl = tonumber(ARGV[at + 2])
  local delay = tonumber(ARGV[at + 3])
  local expiry = NOW + ttl * 1000
  local delay_end = 0
  if delay > 0 then
    delay_end = NOW + delay * 1000
  end
  seq = seq + 1
  push(states, id, cmsgpack.pack({seq, NOW, ttl, expiry, delay_end, client,
                                  '', 0, 0}))
  push(bodies, id, ARGV[at + 1])
  push(all, seq, id)
  if delay_end > 0 then
    push(delayed, delay_end, id)
  else
    push(free, seq, id)
  end
  push(expires, expiry, id)
  if expiry > latest then
    latest = expiry
  end
end
bulk('HSET', k.states, states)
bulk('HSET', k.bodies, bodies)
bulk('ZADD', k.all, all)
bulk('ZADD', k.unclaimed, all)
bulk('ZADD', k.free, free)
bulk('ZADD', k.delayed, delayed)
bulk('ZADD', k.expires, expires)
refresh_expiry(k, latest)
return n
