if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], 'capabilities', ARGV[2]) end
return 1
