-- Claim up to ARGV[6] free messages, oldest first. ARGV[3] claim id,
-- ARGV[4] claim ttl (s), ARGV[5] grace (s). Returns the claimed messages
-- as flat {id, state, body, ...} (empty: nothing claimed, no claim made).
-- With dead-lettering on, a selected message that already had its
-- share of claims moves, unclaimed, to the dead-letter queue instead.
-- A retry with a claim id that exists returns what that claim holds.
local k = queue_keys(BASE)
local cid = ARGV[3]
if redis.call('EXISTS', BASE) == 0 then
  return {}
end
local existing = redis.call('HGET', k.claims, cid)
if existing then
  local claim = cmsgpack.unpack(existing)
  if claim[C_EXPIRES] > NOW then
    return claim_messages(k, cid, claim)
  end
  return {}
end
normalize(k)
local ttl, grace = tonumber(ARGV[4]), tonumber(ARGV[5])
local ids = redis.call('ZRANGE', k.free, 0, tonumber(ARGV[6]) - 1)
if #ids == 0 then
  return {}
end
local conf = redis.call('HMGET', BASE, 'dlq_max', 'dlq_name', 'dlq_ttl')
local max_count, dlq, dlq_ttl = tonumber(conf[1]), conf[2], tonumber(conf[3])
-- A queue named as its own dead-letter queue has none.
local dead_lettering = max_count ~= nil and dlq and
  PREFIX .. ':q:' .. enc(dlq) ~= BASE

local function move_to_dead_letter(id, st)
  local body = redis.call('HGET', k.bodies, id)
  remove_message(k, id, st[SEQ])
  local base = PREFIX .. ':q:' .. enc(dlq)
  ensure_queue(base, dlq)
  local d = queue_keys(base)
  drop_if_dead(d)
  st[SEQ] = redis.call('HINCRBY', base, 'seq', 1)
  st[CLAIM] = ''
  st[CLAIM_EXP] = 0
  st[DELAY] = 0
  if dlq_ttl then
    st[TTL] = dlq_ttl
    st[EXPIRES] = NOW + dlq_ttl * 1000
  end
  put_state(d, id, st)
  redis.call('HSET', d.bodies, id, body)
  redis.call('ZADD', d.all, st[SEQ], id)
  redis.call('ZADD', d.unclaimed, st[SEQ], id)
  redis.call('ZADD', d.free, st[SEQ], id)
  redis.call('ZADD', d.expires, st[EXPIRES], id)
  refresh_expiry(d, st[EXPIRES])
end

local expiry = NOW + ttl * 1000
local latest = expiry
local held, out = {}, {}
for _, id in ipairs(ids) do
  local st = get_state(k, id)
  if not st then
    redis.call('ZREM', k.free, id)
  elseif dead_lettering and st[COUNT] >= max_count then
    move_to_dead_letter(id, st)
  else
    st[CLAIM] = cid
    st[CLAIM_EXP] = expiry
    if dead_lettering then
      st[COUNT] = st[COUNT] + 1
    end
    local expires = extend_for_claim(k, id, st, expiry, ttl, grace)
    if expires > latest then
      latest = expires
    end
    local raw = put_state(k, id, st)
    redis.call('ZREM', k.free, id)
    redis.call('ZREM', k.unclaimed, id)
    held[#held + 1] = id
    out[#out + 1] = id
    out[#out + 1] = raw
    out[#out + 1] = redis.call('HGET', k.bodies, id)
  end
end
if #held > 0 then
  redis.call('HSET', k.claims, cid, cmsgpack.pack({expiry, ttl, NOW, held}))
  redis.call('ZADD', k.claim_expires, expiry, cid)
  refresh_expiry(k, latest)
end
keep_places(k)
return out
