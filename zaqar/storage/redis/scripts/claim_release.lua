-- Release a claim: its messages are free at once (extended TTLs stay).
-- ARGV[3] claim id. Unknown claims are not an error.
local k = queue_keys(BASE)
if redis.call('HEXISTS', k.claims, ARGV[3]) == 0 then
  return 0
end
release_claim(k, ARGV[3])
refresh_expiry(k, 0)
return 1
