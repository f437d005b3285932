-- Replace a queue's metadata. ARGV[3..6] as set_metadata's arguments.
-- Returns 1, or 0 when the queue does not exist.
if redis.call('EXISTS', BASE) == 0 then
  return 0
end
set_metadata(BASE, ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return 1
