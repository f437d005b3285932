-- Create a queue unless it exists. ARGV[3] name, ARGV[4..7] as
-- set_metadata's arguments. Returns 1 if created, 0 if it existed.
if not ensure_queue(BASE, ARGV[3]) then
  return 0
end
set_metadata(BASE, ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return 1
