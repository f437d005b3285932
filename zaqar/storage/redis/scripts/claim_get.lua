-- A live claim: {ttl, renewed at, {id, state, body, ...}}, else nil.
-- ARGV[3] claim id.
local k = queue_keys(BASE)
local raw = redis.call('HGET', k.claims, ARGV[3])
if not raw then
  return false
end
local claim = cmsgpack.unpack(raw)
if claim[C_EXPIRES] <= NOW then
  return false
end
return {claim[C_TTL], claim[C_UPDATED], claim_messages(k, ARGV[3], claim)}
