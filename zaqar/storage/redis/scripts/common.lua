-- Shared prelude: scripts.py puts this text in front of every script.
--
-- Calling convention of every script:
--   KEYS[1] project prefix   KEYS[2] queue (or subscription) base key
--   KEYS[3] registry set that gc() walks (when the script may create)
--   ARGV[1] now, integer milliseconds of the calling node's clock
--   ARGV[2] extra lifetime (ms) given to keys beyond their data's expiry
--   ARGV[3...] the script's own arguments
-- Times stored are the same milliseconds; "live" means expiry > NOW.

local NOW = tonumber(ARGV[1])
local MARGIN = tonumber(ARGV[2])
local PREFIX = KEYS[1]
local BASE = KEYS[2]
local REGISTRY = KEYS[3]

-- Fields of a message state (MessagePack array in the :states hash).
local SEQ, CREATED, TTL, EXPIRES, DELAY = 1, 2, 3, 4, 5
local CLIENT, CLAIM, CLAIM_EXP, COUNT = 6, 7, 8, 9
-- Fields of a claim (MessagePack array in the :claims hash).
local C_EXPIRES, C_TTL, C_UPDATED, C_IDS = 1, 2, 3, 4

-- Integer text for Redis arguments that must be integers (PEXPIRE) or
-- that Python reads back; Lua would print large numbers as 1.5e+14.
local function int(x)
  return string.format('%d', x)
end

-- Length-prefixed key component, as keys.py builds it.
local function enc(s)
  return #s .. ':' .. s
end

local MESSAGE_KEYS = {'all', 'unclaimed', 'free', 'delayed', 'expires',
                      'bodies', 'states', 'claims', 'claim_expires', 'gone'}

-- How many removed messages a queue remembers the place of (see gone).
local GONE_MAX = 10000

-- The keys of a queue (suffixes as in keys.py QUEUE_SUFFIXES):
--   base           hash: meta (JSON), dead-letter settings, seq, hz
--   all            zset id -> seq, every message (FIFO order)
--   unclaimed      zset id -> seq, messages not under a claim
--   free           zset id -> seq, unclaimed and not delayed
--   delayed        zset id -> delay end, unclaimed and still delayed
--   expires        zset id -> expiry
--   bodies, states hash id -> JSON body / MessagePack state
--   claims         hash claim id -> MessagePack claim
--   claim_expires  zset claim id -> claim expiry
--   gone           zset id -> seq, messages removed (deleted, expired,
--                  dead-lettered) while older ones still live, so that
--                  a listing whose marker is one of them goes on after it
local function queue_keys(base)
  return {
    base = base,
    all = base .. ':msgs',
    unclaimed = base .. ':unclaimed',
    free = base .. ':free',
    delayed = base .. ':delayed',
    expires = base .. ':expires',
    bodies = base .. ':bodies',
    states = base .. ':states',
    claims = base .. ':claims',
    claim_expires = base .. ':claim_expires',
    gone = base .. ':gone',
  }
end

-- Run cmd key a1 a2 ... in chunks (Lua's unpack has a stack limit).
local function bulk(cmd, key, args)
  local i, n = 1, #args
  while i <= n do
    local j = math.min(i + 999, n)
    redis.call(cmd, key, unpack(args, i, j))
    i = j + 1
  end
end

-- Give key a lifetime of at least ms - 500 (so that keys already close
-- to ms are left alone); never shortens one.
local function extend(key, ms)
  local left = redis.call('PTTL', key)
  if left == -1 or (left >= 0 and left < ms - 500) then
    redis.call('PEXPIRE', key, int(ms))
  end
end

-- Keep every message key of the queue alive until the latest expiry any
-- of its messages or claims ever had ("hz", the horizon, rounded up to a
-- whole second so that a busy queue moves it, and rewrites the key
-- expiries, about once a second), plus the margin, plus one second:
-- Redis then frees the whole structure once everything in it is dead,
-- and never before a script sees hz pass.
local function refresh_expiry(k, latest)
  local hz = tonumber(redis.call('HGET', k.base, 'hz') or '0')
  if latest > hz then
    hz = math.ceil(latest / 1000) * 1000
    redis.call('HSET', k.base, 'hz', int(hz))
  end
  local ms = math.max(hz - NOW, 0) + MARGIN + 1000
  for _, name in ipairs(MESSAGE_KEYS) do
    extend(k[name], ms)
  end
end

-- Once the horizon has passed every message and claim of the queue is
-- dead: drop all message keys together, whichever of them Redis has
-- already expired, so the indexes never disagree.
local function drop_if_dead(k)
  local hz = tonumber(redis.call('HGET', k.base, 'hz') or '0')
  if hz > 0 and hz <= NOW then
    for _, name in ipairs(MESSAGE_KEYS) do
      redis.call('UNLINK', k[name])
    end
    redis.call('HDEL', k.base, 'hz')
  end
end

local function ensure_queue(base, name)
  if redis.call('EXISTS', base) == 1 then
    return false
  end
  redis.call('HSET', base, 'meta', '{}')
  redis.call('ZADD', PREFIX .. ':queues', 0, name)
  redis.call('SADD', REGISTRY, base)
  return true
end

-- Store metadata JSON plus the dead-letter settings the claim script
-- acts on (max_count '' = dead-lettering off; dlq_ttl '' = keep TTLs).
local function set_metadata(base, json, max_count, dlq, dlq_ttl)
  redis.call('HSET', base, 'meta', json)
  redis.call('HDEL', base, 'dlq_max', 'dlq_name', 'dlq_ttl')
  if max_count ~= '' then
    redis.call('HSET', base, 'dlq_max', max_count, 'dlq_name', dlq)
    if dlq_ttl ~= '' then
      redis.call('HSET', base, 'dlq_ttl', dlq_ttl)
    end
  end
end

local function get_state(k, id)
  local raw = redis.call('HGET', k.states, id)
  if not raw then
    return nil, nil
  end
  return cmsgpack.unpack(raw), raw
end

local function put_state(k, id, st)
  local raw = cmsgpack.pack(st)
  redis.call('HSET', k.states, id, raw)
  return raw
end

local function is_claimed(st)
  return st[CLAIM] ~= '' and st[CLAIM_EXP] > NOW
end

-- Remove a message from every index; seq is its sequence number when the
-- caller knows it. Its place is noted for keep_places, which every script
-- that removes messages calls once afterwards.
local function remove_message(k, id, seq)
  seq = seq or redis.call('ZSCORE', k.all, id)
  redis.call('ZREM', k.all, id)
  redis.call('ZREM', k.unclaimed, id)
  redis.call('ZREM', k.free, id)
  redis.call('ZREM', k.delayed, id)
  redis.call('ZREM', k.expires, id)
  redis.call('HDEL', k.bodies, id)
  redis.call('HDEL', k.states, id)
  if seq then
    k.removed = k.removed or {}
    k.removed[#k.removed + 1] = tonumber(seq)
    k.removed[#k.removed + 1] = id
  end
end

-- Remember in :gone where the messages just removed stood, so that a
-- listing whose marker is one of them goes on after it. A place older
-- than every live message is not needed (a marker there lists from the
-- head anyway) and is forgotten; of the others the newest GONE_MAX are
-- kept. :gone lives as long as :msgs.
local function keep_places(k)
  local removed = k.removed
  k.removed = nil
  if not removed then
    return
  end
  local head = redis.call('ZRANGE', k.all, 0, 0, 'WITHSCORES')
  if #head == 0 then
    redis.call('UNLINK', k.gone)
    return
  end
  local first = tonumber(head[2])
  local places = {}
  for i = 1, #removed, 2 do
    if removed[i] > first then
      places[#places + 1] = int(removed[i])
      places[#places + 1] = removed[i + 1]
    end
  end
  if #places > 0 then
    bulk('ZADD', k.gone, places)
  end
  redis.call('ZREMRANGEBYSCORE', k.gone, '-inf', '(' .. head[2])
  if #places == 0 then
    return
  end
  local extra = redis.call('ZCARD', k.gone) - GONE_MAX
  if extra > 0 then
    redis.call('ZREMRANGEBYRANK', k.gone, 0, extra - 1)
  end
  if redis.call('PTTL', k.gone) == -1 then
    local left = redis.call('PTTL', k.all)
    if left > 0 then
      redis.call('PEXPIRE', k.gone, left)
    end
  end
end

-- The sequence number a listing's marker stands for, or nil.
local function marker_seq(k, id)
  return redis.call('ZSCORE', k.all, id) or redis.call('ZSCORE', k.gone, id)
end

-- An unclaimed message goes back to :unclaimed and :free (or :delayed).
local function make_available(k, id, st)
  redis.call('ZADD', k.unclaimed, st[SEQ], id)
  if st[DELAY] > NOW then
    redis.call('ZADD', k.delayed, st[DELAY], id)
  else
    redis.call('ZADD', k.free, st[SEQ], id)
  end
end

-- Drop a claim and free the messages it still holds.
local function release_claim(k, cid)
  local raw = redis.call('HGET', k.claims, cid)
  redis.call('HDEL', k.claims, cid)
  redis.call('ZREM', k.claim_expires, cid)
  if not raw then
    return
  end
  for _, id in ipairs(cmsgpack.unpack(raw)[C_IDS]) do
    local st = get_state(k, id)
    if st and st[CLAIM] == cid then
      st[CLAIM] = ''
      st[CLAIM_EXP] = 0
      put_state(k, id, st)
      make_available(k, id, st)
    end
  end
end

-- Bring the queue's indexes up to NOW: expired claims release their
-- messages, elapsed delays make messages free, expired messages go.
-- Afterwards :free holds exactly the claimable messages and :unclaimed
-- exactly the live messages not under a live claim. Each message is
-- handled once per event, so the cost is paid back by the work that
-- created it.
local function normalize(k)
  drop_if_dead(k)
  local changed = false
  while true do
    local cids = redis.call('ZRANGEBYSCORE', k.claim_expires, '-inf', NOW,
                            'LIMIT', 0, 100)
    if #cids == 0 then
      break
    end
    for _, cid in ipairs(cids) do
      release_claim(k, cid)
    end
    changed = true
  end
  while true do
    local ids = redis.call('ZRANGEBYSCORE', k.delayed, '-inf', NOW,
                           'LIMIT', 0, 100)
    if #ids == 0 then
      break
    end
    for _, id in ipairs(ids) do
      redis.call('ZREM', k.delayed, id)
      local seq = redis.call('ZSCORE', k.unclaimed, id)
      if seq then
        redis.call('ZADD', k.free, seq, id)
      end
    end
    changed = true
  end
  while true do
    local ids = redis.call('ZRANGEBYSCORE', k.expires, '-inf', NOW,
                           'LIMIT', 0, 100)
    if #ids == 0 then
      break
    end
    for _, id in ipairs(ids) do
      remove_message(k, id)
    end
  end
  keep_places(k)
  if changed then
    refresh_expiry(k, 0)
  end
end

-- Whether a message expiring at ms would expire before a claim expiring
-- at claim_ms, compared in whole seconds as the storage contract says:
-- floor(ms / 1000) < floor(claim_ms / 1000).
local function expires_first(ms, claim_ms)
  return ms < math.floor(claim_ms / 1000) * 1000
end

-- Give a message that would expire before its claim the claim's lifetime
-- plus the grace (create and renew alike); returns its expiry.
local function extend_for_claim(k, id, st, expiry, ttl, grace)
  if expires_first(st[EXPIRES], expiry) then
    st[EXPIRES] = expiry + grace * 1000
    st[TTL] = ttl + grace
    redis.call('ZADD', k.expires, st[EXPIRES], id)
  end
  return st[EXPIRES]
end

-- Flat {id, state, body, ...} of the live messages a live claim holds.
local function claim_messages(k, cid, claim)
  local out = {}
  for _, id in ipairs(claim[C_IDS]) do
    local st, raw = get_state(k, id)
    if st and st[CLAIM] == cid and st[EXPIRES] > NOW then
      out[#out + 1] = id
      out[#out + 1] = raw
      out[#out + 1] = redis.call('HGET', k.bodies, id)
    end
  end
  return out
end

-- Subscriptions: BASE is the subscription base key; each subscription is
-- a hash BASE:sub:<id>, listed in the zset BASE:ids (by id) and the hash
-- BASE:subscribers (subscriber -> id).
local SUB_FIELDS = {'source', 'subscriber', 'ttl', 'options', 'confirmed',
                    'created', 'expires'}
local SUB_EXPIRES = 7

local function sub_key(sid)
  return BASE .. ':sub:' .. sid
end

local function sub_record(sid)
  local rec = redis.call('HMGET', sub_key(sid), unpack(SUB_FIELDS))
  if rec[SUB_EXPIRES] and tonumber(rec[SUB_EXPIRES]) > NOW then
    return rec
  end
  return nil
end

local function drop_subscription(sid)
  local key = sub_key(sid)
  local subscriber = redis.call('HGET', key, 'subscriber')
  redis.call('DEL', key)
  redis.call('ZREM', BASE .. ':ids', sid)
  if subscriber and
      redis.call('HGET', BASE .. ':subscribers', subscriber) == sid then
    redis.call('HDEL', BASE .. ':subscribers', subscriber)
  end
end
