-- Renew a live claim: it expires ARGV[4] s from now; messages that
-- would expire before it live until then plus ARGV[5] s of grace.
-- ARGV[3] claim id. Returns 1, or 0 when there is no such live claim.
local k = queue_keys(BASE)
local cid = ARGV[3]
local raw = redis.call('HGET', k.claims, cid)
if not raw then
  return 0
end
local claim = cmsgpack.unpack(raw)
if claim[C_EXPIRES] <= NOW then
  return 0
end
local ttl, grace = tonumber(ARGV[4]), tonumber(ARGV[5])
local expiry = NOW + ttl * 1000
local latest = expiry
local kept = {}
for _, id in ipairs(claim[C_IDS]) do
  local st = get_state(k, id)
  if st and st[CLAIM] == cid and st[EXPIRES] > NOW then
    st[CLAIM_EXP] = expiry
    local expires = extend_for_claim(k, id, st, expiry, ttl, grace)
    if expires > latest then
      latest = expires
    end
    put_state(k, id, st)
    kept[#kept + 1] = id
  end
end
redis.call('HSET', k.claims, cid, cmsgpack.pack({expiry, ttl, NOW, kept}))
redis.call('ZADD', k.claim_expires, expiry, cid)
refresh_expiry(k, latest)
return 1
