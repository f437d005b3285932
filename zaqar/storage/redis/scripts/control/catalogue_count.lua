-- How many queues of the hash KEYS[1] are on pool ARGV[1]; the values are
-- read here, so only the number crosses the network.
local n = 0
for _, pool in ipairs(redis.call('HVALS', KEYS[1])) do
  if pool == ARGV[1] then n = n + 1 end
end
return n
