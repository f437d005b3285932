-- Set the confirmed flag of a live subscription. ARGV[3] id, ARGV[4]
-- '1' or '0'. Returns 0 done, 1 no such subscription.
if not sub_record(ARGV[3]) then
  return 1
end
redis.call('HSET', sub_key(ARGV[3]), 'confirmed', ARGV[4])
return 0
